package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/kwikpaisa/recon/internal/config"
	"github.com/kwikpaisa/recon/internal/schedule"
)

// installed is what doctor found of the two schedulers that are not
// recon's own: a recon.timer unit file and a crontab line running
// 'recon run' (empty when none was found).
type installed struct {
	timer, crontab string
}

// timerPaths are where systemd looks for a system or user timer unit.
func timerPaths() []string {
	ps := []string{"/etc/systemd/system/recon.timer", "/usr/local/lib/systemd/system/recon.timer",
		"/usr/lib/systemd/system/recon.timer", "/lib/systemd/system/recon.timer"}
	if home, err := os.UserHomeDir(); err == nil {
		ps = append(ps, filepath.Join(home, ".config/systemd/user/recon.timer"))
	}
	return ps
}

// installedSchedules looks for an installed recon.timer and for a crontab
// line that runs 'recon run': the user's crontab (crontab -l), the system
// crontab and /etc/cron.d. What cannot be read is passed over.
func installedSchedules(ctx context.Context) installed {
	var in installed
	for _, p := range timerPaths() {
		if _, err := os.Stat(p); err == nil {
			in.timer = p
			break
		}
	}
	if path, err := exec.LookPath("crontab"); err == nil {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		out, err := exec.CommandContext(ctx, path, "-l").Output()
		cancel()
		if err == nil && runsRecon(out) {
			in.crontab = "this user's crontab"
		}
	}
	if in.crontab == "" {
		files, _ := filepath.Glob("/etc/cron.d/*")
		for _, p := range append([]string{"/etc/crontab"}, files...) {
			if b, err := os.ReadFile(p); err == nil && runsRecon(b) {
				in.crontab = p
				break
			}
		}
	}
	return in
}

// runsRecon says whether a crontab has a line, not a comment, that runs
// 'recon run'.
func runsRecon(crontab []byte) bool {
	sc := bufio.NewScanner(bytes.NewReader(crontab))
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(l, "#") && strings.Contains(l, "recon run") {
			return true
		}
	}
	return false
}

// scheduleCheck judges the schedule as it is kept: scheduler is daemon,
// cron, systemd or auto (the daemon's when schedule.dir is set, else
// whatever is installed). Only the daemon needs schedule.dir: a crontab
// line or a systemd timer runs 'recon run' itself.
func scheduleCheck(file *config.File, scheduler string, in installed) check {
	c := check{name: "schedule configured"}
	const install = "install schedules/crontab (crontab -e) or schedules/recon.timer and say which with --scheduler cron|systemd, or set schedule.dir for 'recon schedule' (see schedules/README.md)"
	if scheduler == "auto" {
		switch {
		case file.Schedule.Dir != "":
			scheduler = "daemon"
		case in.timer != "":
			c.ok, c.detail = true, "systemd timer "+in.timer
			return c
		case in.crontab != "":
			c.ok, c.detail = true, "crontab line running 'recon run' in "+in.crontab
			return c
		default:
			c.detail, c.fix = "no schedule.dir, and no recon.timer or crontab line running 'recon run' found", install
			return c
		}
	}
	switch scheduler {
	case "cron":
		c.ok, c.detail = true, "crontab (said with --scheduler cron)"
		if in.crontab != "" {
			c.detail = "crontab line running 'recon run' in " + in.crontab
		}
	case "systemd":
		c.ok, c.detail = true, "systemd timer (said with --scheduler systemd)"
		if in.timer != "" {
			c.detail = "systemd timer " + in.timer
		}
	case "daemon":
		if file.Schedule.Dir == "" {
			c.detail, c.fix = "no schedule.dir for 'recon schedule'", "set schedule.dir to a folder of *.cron files (see schedules/README.md), or use a crontab line or the systemd timer and say so with --scheduler"
			return c
		}
		zone, _ := config.LoadZone(file.Zone)
		jobs, errs := schedule.LoadDir(file.Schedule.Dir, zone)
		if len(errs) > 0 {
			c.detail, c.fix = oneLine(errs[0].Error()), "fix the schedule files in "+file.Schedule.Dir+" (see schedules/README.md)"
		} else {
			c.ok, c.detail = true, fmt.Sprintf("%d job(s) in %s", len(jobs), file.Schedule.Dir)
		}
	}
	return c
}
