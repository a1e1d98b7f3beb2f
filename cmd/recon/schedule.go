package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/kwikpaisa/recon/internal/config"
	"github.com/kwikpaisa/recon/internal/schedule"
)

const scheduleAbout = `Runs recon as a daemon on the schedules in the schedule folder
(schedule.dir in the configuration, *.cron files; see schedules/README.md).
Each firing runs 'recon run' for its date (waiting for the date's lock if a
manual run holds it). Runs never overlap: a firing that comes while a run is
in hand runs after it. On start, every date since the last completed run
is caught up (at most schedule.catch_up_days). A panic in a run is logged
and the daemon goes on. On SIGTERM or Ctrl-C the run in hand gets
schedule.shutdown_grace to finish, then is aborted and recorded as failed.`

func scheduleCmd(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "schedule", "--config FILE [flags]", scheduleAbout)
	cfgPath := fs.String("config", "", "configuration `file` (TOML) (required)")
	dir := fs.String("dir", "", "schedule `folder` (overrides schedule.dir)")
	logFormat := fs.String("log-format", "auto", "log `format`: text, json, or auto")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *cfgPath == "" {
		return &usageError{message: "missing --config", hint: "recon schedule --config recon.toml"}
	}
	file, err := config.Load(*cfgPath)
	if err != nil {
		return err
	}
	zone, err := config.LoadZone(file.Zone)
	if err != nil {
		return err
	}
	out, err := newOutput(e, *logFormat, true)
	if err != nil {
		return err
	}
	out.setZone(zone)
	folder := firstOf(*dir, file.Schedule.Dir)
	if folder == "" {
		return fmt.Errorf("%s: no schedule.dir: say where the schedule files are", *cfgPath)
	}
	jobs, errs := schedule.LoadDir(folder, zone)
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	db := firstOf(file.DB, "recon.db")
	var clock schedule.Clock = schedule.RealClock{}
	if e.clock != nil {
		clock = e.clock
	}
	d := &schedule.Daemon{
		Jobs: jobs, Zone: zone, Clock: clock, CatchUpDays: file.Schedule.CatchUpDays,
		Grace: file.Schedule.ShutdownGrace.D, Log: out.log.With("component", "scheduler"),
		LastCompleted: func(ctx context.Context) (string, error) {
			r, err := lastCompleted(ctx, db)
			if err != nil || r == nil {
				return "", err
			}
			return r.BusinessDate, nil
		},
		Run: func(ctx context.Context, j schedule.Job, date string) error {
			args := append([]string{"--config", *cfgPath, "--date", date, "--wait", "--log-format", *logFormat}, j.Args...)
			// A run's stdout summary goes to the daemon's log stream.
			sub := &env{stdin: e.stdin, stdout: e.stderr, stderr: e.stderr, now: clock.Now}
			if code := report(e.stderr, runCmd(ctx, sub, args)); code != exitOK {
				return fmt.Errorf("recon run --date %s exited %d", date, code)
			}
			return nil
		},
	}
	return d.Serve(ctx)
}
