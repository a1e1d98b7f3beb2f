package main

import (
	"context"
	"fmt"
	"time"

	"github.com/kwikpaisa/recon/internal/config"
	"github.com/kwikpaisa/recon/internal/ingest"
	"github.com/kwikpaisa/recon/internal/pipeline"
	"github.com/kwikpaisa/recon/internal/schedule"
)

const configAbout = `Checks a configuration file and reports every problem in it with its
line: unknown settings, wrong types, bad durations, amounts, zones, status
classes and column fields, path templates that would leave their folder,
a plain-http API URL, and any value that looks like a secret (secrets come
from the environment only). The schedule files the configuration names are
checked too. Exit status 0 when the file is good, 1 when it has problems.`

func configCmd(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "check" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			fmt.Fprintf(e.stdout, "Usage: recon config check [--config FILE]\n\n%s\n", configAbout)
			return nil
		}
		if len(args) == 0 {
			return &usageError{message: "missing subcommand", hint: "recon config check --config recon.toml"}
		}
		return &usageError{message: fmt.Sprintf("unknown subcommand %q of config", args[0]), hint: "the one subcommand is check: recon config check --config recon.toml"}
	}
	fs := newFlagSet(e, "config check", "[--config FILE]", configAbout)
	path := fs.String("config", "recon.toml", "configuration `file` (TOML)")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	f, problems, err := config.Check(*path)
	if err != nil {
		return err
	}
	var lines []string
	for _, p := range problems {
		lines = append(lines, p.String())
	}
	if f != nil && f.Schedule.Dir != "" {
		zone, _ := config.LoadZone(f.Zone)
		_, errs := schedule.LoadDir(f.Schedule.Dir, zone)
		for _, err := range errs {
			lines = append(lines, err.Error())
		}
	}
	if len(lines) > 0 {
		for _, l := range lines {
			fmt.Fprintln(e.stdout, l)
		}
		return &exitCodeError{code: exitError, message: fmt.Sprintf("%s: %d problem(s)", *path, len(lines))}
	}
	fmt.Fprintf(e.stdout, "%s: OK\n", *path)
	return nil
}

// applyFile puts the configuration file's settings into a run's
// configuration: tolerance, replay window, statuses, column maps and sheet.
// The matching windows are applyMatchWindows's.
func applyFile(cfg *pipeline.Config, file *config.File) error {
	if file.Match.Tolerance != "" {
		tol, err := ingest.ParseAmount(file.Match.Tolerance)
		if err != nil {
			return fmt.Errorf("match.tolerance: %w", err)
		}
		cfg.Match.Tolerance = tol
	}
	if file.Webhook.ReplayWindow != "" {
		d, err := time.ParseDuration(file.Webhook.ReplayWindow)
		if err != nil || d < 0 {
			return fmt.Errorf("webhooks.replay_window: %q is not a duration such as \"300s\"", file.Webhook.ReplayWindow)
		}
		cfg.Ingest.ReplayWindow = d
	}
	cfg.Ingest.Sheet = file.Sources.Sheet
	cfg.Ingest.OrderColumns = file.Columns.Orders
	cfg.Ingest.PayoutColumns = file.Columns.Payouts
	statuses, err := ingest.StatusesFrom(file.Statuses.Orders, file.Statuses.Payouts)
	if err != nil {
		return fmt.Errorf("statuses: %w", err)
	}
	cfg.Ingest.Statuses = statuses
	return nil
}
