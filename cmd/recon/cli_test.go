package main

import (
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/kwikpaisa/recon/internal/config"
)

// TestHelpEveryCommand asks the real binary for every subcommand's help
// the three ways a user does (-h, --help, help <command>), and for the
// help of help itself, which once recursed until the stack overflowed.
// Each exits 0 with the command's usage on stdout and nothing on stderr.
func TestHelpEveryCommand(t *testing.T) {
	t.Parallel()
	env := childEnv()
	type helpCase struct {
		name string
		args []string
		want string // the first line of stdout
	}
	cases := []helpCase{
		{"no command help", []string{"help"}, "recon reconciles"},
		{"-h", []string{"-h"}, "recon reconciles"},
		{"--help", []string{"--help"}, "recon reconciles"},
		{"help -h", []string{"help", "-h"}, "recon reconciles"},
		{"help --help", []string{"help", "--help"}, "recon reconciles"},
		{"help help", []string{"help", "help"}, "recon reconciles"},
		{"-h help", []string{"-h", "help"}, "recon reconciles"},
		{"config check -h", []string{"config", "check", "-h"}, "Usage: recon config check"},
	}
	for _, c := range commands() {
		if c.name == "help" {
			continue
		}
		want := "Usage: recon " + c.name
		cases = append(cases,
			helpCase{c.name + " -h", []string{c.name, "-h"}, want},
			helpCase{c.name + " --help", []string{c.name, "--help"}, want},
			helpCase{"help " + c.name, []string{"help", c.name}, want},
		)
	}
	reconBin(t)
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := runProc(t, env, "", tt.args...)
			first, _, _ := strings.Cut(p.stdout, "\n")
			if p.code != 0 || !strings.HasPrefix(first, tt.want) || p.stderr != "" {
				t.Errorf("recon %s: exit %d, first line %q, stderr %.300q; want exit 0, %q…, no stderr",
					strings.Join(tt.args, " "), p.code, first, p.stderr, tt.want)
			}
		})
	}
}

// TestVersion asks the real binary for its version three ways: each
// prints the same one line, naming the commit it was built from or saying
// that the build has no VCS stamp (a build from a git worktree, or with
// -buildvcs=false, as the tests' may be).
func TestVersion(t *testing.T) {
	t.Parallel()
	env := childEnv()
	shape := regexp.MustCompile(`^recon \S+ commit (?:[0-9a-f]{40}(?:\+modified)?|unknown \(built without version control information\)) go\S+\n$`)
	var lines []string
	for _, args := range [][]string{{"--version"}, {"-v"}, {"version"}} {
		p := runProc(t, env, "", args...)
		if p.code != 0 || !shape.MatchString(p.stdout) {
			t.Errorf("recon %s: exit %d, stdout %q, stderr %q; want exit 0 and one line matching %s", args[0], p.code, p.stdout, p.stderr, shape)
		}
		lines = append(lines, p.stdout)
	}
	if lines[0] != lines[1] || lines[1] != lines[2] {
		t.Errorf("--version, -v and version differ: %q", lines)
	}
}

// TestFormatVersion reads the build's VCS stamp as ReadBuildInfo gives it.
func TestFormatVersion(t *testing.T) {
	const rev = "1f9c082abcdef0123456789abcdef0123456789a"
	stamp := func(modified string) *debug.BuildInfo {
		return &debug.BuildInfo{GoVersion: "go1.26.8", Settings: []debug.BuildSetting{
			{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}}
	}
	tests := []struct {
		name string
		bi   *debug.BuildInfo
		want string
	}{
		{"clean tree", stamp("false"), "recon v1.2.0 commit " + rev + " go1.26.8"},
		{"modified tree", stamp("true"), "recon v1.2.0 commit " + rev + "+modified go1.26.8"},
		{"no stamp", &debug.BuildInfo{GoVersion: "go1.26.8"}, "recon v1.2.0 commit unknown (built without version control information) go1.26.8"},
		{"no build info", nil, "recon v1.2.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := formatVersion("v1.2.0", tt.bi); got != tt.want {
				t.Errorf("formatVersion=%q, want %q", got, tt.want)
			}
		})
	}
}

// TestUsageMistakes runs the real binary on command lines a user gets
// wrong: each says what is wrong on its own line, with a hint.
func TestUsageMistakes(t *testing.T) {
	t.Parallel()
	bad := filepath.Join(t.TempDir(), "bad.toml")
	if err := os.WriteFile(bad, []byte("zone = \"Mars/Olympus\"\ncolour = \"blue\"\n[match]\ntolerance = \"lots\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		code int
		want []string // stderr lines, in order
	}{
		{"config unknown subcommand", []string{"config", "nope"}, exitUsage, []string{
			`recon: unknown subcommand "nope" of config`,
			"hint: the one subcommand is check: recon config check --config recon.toml",
		}},
		{"config no subcommand", []string{"config"}, exitUsage, []string{
			"recon: missing subcommand",
			"hint: recon config check --config recon.toml",
		}},
		{"run with a bad configuration", []string{"run", "--config", bad, "--date", "2026-11-24", "--offline"}, exitError, []string{
			"recon: configuration " + bad + " has 3 problem(s); fix each, then check with 'recon config check --config " + bad + "':",
			"  " + bad + ":1: zone: ",
			"  " + bad + ":2: colour: ",
			"  " + bad + ":4: match.tolerance: ",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := runProc(t, childEnv(), "", tt.args...)
			lines := strings.Split(strings.TrimSuffix(p.stderr, "\n"), "\n")
			ok := p.code == tt.code && len(lines) == len(tt.want)
			for i := 0; ok && i < len(lines); i++ {
				ok = strings.HasPrefix(lines[i], tt.want[i])
			}
			if !ok {
				t.Errorf("recon %s: exit %d, stderr:\n%s\nwant exit %d and lines starting:\n%s", strings.Join(tt.args, " "), p.code, p.stderr, tt.code, strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestDoctorSchedulers runs the real binary's doctor against a local
// sandbox with a configuration that has no schedule.dir, as a crontab or
// systemd-timer user writes it: told how the run is scheduled, every
// check passes. The daemon still needs schedule.dir. A plain-http
// loopback URL passes, said to be plain http, not called https.
func TestDoctorSchedulers(t *testing.T) {
	srv := startSandbox(t, time.Now)
	cfg := doctorSetup(t, srv.URL, func(s string) string {
		s, _, _ = strings.Cut(s, "[schedule]")
		return s
	})
	env := childEnv("KWIKPAISA_API_KEY="+sandboxKey, "KWIKPAISA_SECRET_KEY="+sandboxSecret, "KWIKPAISA_WEBHOOK_SECRET=whsec_doctor")
	tests := []struct {
		scheduler string
		code      int
		schedule  string // the schedule line of stdout
	}{
		{"cron", 0, "  ✓ schedule configured: crontab"},
		{"systemd", 0, "  ✓ schedule configured: systemd timer"},
		{"daemon", exitError, "  ✗ schedule configured: no schedule.dir for 'recon schedule'"},
	}
	for _, tt := range tests {
		t.Run(tt.scheduler, func(t *testing.T) {
			p := runProc(t, env, "", "doctor", "--config", cfg, "--scheduler", tt.scheduler)
			if p.code != tt.code || !hasLinePrefix(p.stdout, tt.schedule) {
				t.Errorf("doctor --scheduler %s: exit %d, stdout:\n%s\nstderr: %s\nwant exit %d and a line %q…", tt.scheduler, p.code, p.stdout, p.stderr, tt.code, tt.schedule)
			}
			want := "  ✓ API URL over https (plain http on loopback only): " + srv.URL + " is plain http, allowed because it is loopback"
			if !hasLinePrefix(p.stdout, want) {
				t.Errorf("doctor: the URL line is not %q:\n%s", want, p.stdout)
			}
		})
	}
}

func hasLinePrefix(s, prefix string) bool {
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			return true
		}
	}
	return false
}

// TestScheduleCheck judges the schedule each way it can be kept, with
// what doctor found installed given.
func TestScheduleCheck(t *testing.T) {
	schedules, err := filepath.Abs("../../schedules")
	if err != nil {
		t.Fatal(err)
	}
	withDir := config.Default()
	withDir.Schedule.Dir = schedules
	none := config.Default()
	tests := []struct {
		name      string
		file      *config.File
		scheduler string
		in        installed
		ok        bool
		detail    string
	}{
		{"auto, schedule.dir set", withDir, "auto", installed{}, true, "1 job(s) in " + schedules},
		{"auto, a timer installed", none, "auto", installed{timer: "/etc/systemd/system/recon.timer"}, true, "systemd timer /etc/systemd/system/recon.timer"},
		{"auto, a crontab line", none, "auto", installed{crontab: "/etc/cron.d/recon"}, true, "crontab line running 'recon run' in /etc/cron.d/recon"},
		{"auto, nothing", none, "auto", installed{}, false, "no schedule.dir, and no recon.timer or crontab line running 'recon run' found"},
		{"cron, told", none, "cron", installed{}, true, "crontab (said with --scheduler cron)"},
		{"systemd, found", none, "systemd", installed{timer: "/x/recon.timer"}, true, "systemd timer /x/recon.timer"},
		{"daemon without schedule.dir", none, "daemon", installed{crontab: "c"}, false, "no schedule.dir for 'recon schedule'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := scheduleCheck(tt.file, tt.scheduler, tt.in)
			if c.ok != tt.ok || c.detail != tt.detail || (!c.ok && !strings.Contains(c.fix, "--scheduler")) {
				t.Errorf("ok=%v detail=%q fix=%q; want ok=%v detail=%q and, failing, a fix naming --scheduler", c.ok, c.detail, c.fix, tt.ok, tt.detail)
			}
		})
	}
}

// TestRunsRecon finds a crontab line that runs recon, not a comment.
func TestRunsRecon(t *testing.T) {
	tests := []struct {
		name, crontab string
		want          bool
	}{
		{"shipped line", "CRON_TZ=Asia/Kolkata\n0 2 * * * cd /srv/recon && ./bin/recon run --config recon.toml\n", true},
		{"commented out", "# 0 2 * * * recon run --config recon.toml\n", false},
		{"another job", "0 3 * * * /usr/bin/backup\n", false},
	}
	for _, tt := range tests {
		if got := runsRecon([]byte(tt.crontab)); got != tt.want {
			t.Errorf("%s: runsRecon=%v, want %v", tt.name, got, tt.want)
		}
	}
}
