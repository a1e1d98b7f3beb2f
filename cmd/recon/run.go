package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/kwikpaisa/recon/internal/config"
	"github.com/kwikpaisa/recon/internal/ingest"
	"github.com/kwikpaisa/recon/internal/match"
	"github.com/kwikpaisa/recon/internal/pipeline"
	"github.com/kwikpaisa/recon/internal/recon"
)

const runAbout = `Reconciles one business day: reads the order and payout ledgers, the
gateway dump and the webhook log, pulls gateway statuses (unless -offline),
matches, and writes the reports into <out>/<date>/.

Sources come from the configuration file (-config, with {date} in paths) or
from the flags, which override it. Secrets come from the environment:
KWIKPAISA_API_KEY, KWIKPAISA_SECRET_KEY, KWIKPAISA_WEBHOOK_SECRET (or the
file each _FILE variable names).

Exit status: 0 the run completed (exceptions or not), 1 it could not
complete, 2 a usage error.`

// runFlags are the flags of `recon run`.
type runFlags struct {
	date, config                       string
	orders, payouts, gateway, webhooks string
	db, out                            string
	offline, verbose                   bool
	api                                apiFlags
}

func runCmd(ctx context.Context, e *env, args []string) error {
	var f runFlags
	fs := newFlagSet(e, "run", "--date YYYY-MM-DD [flags]", runAbout)
	fs.StringVar(&f.date, "date", "", "business `date` to reconcile, YYYY-MM-DD (required)")
	fs.StringVar(&f.config, "config", "", "configuration `file` (TOML)")
	fs.StringVar(&f.orders, "orders", "", "order ledger `file` (CSV or XLSX)")
	fs.StringVar(&f.payouts, "payouts", "", "payout ledger `file` (CSV or XLSX)")
	fs.StringVar(&f.gateway, "gateway", "", "gateway dump `file` (JSON lines)")
	fs.StringVar(&f.webhooks, "webhooks", "", "webhook log `file` (JSON lines)")
	fs.StringVar(&f.db, "db", "", "SQLite database `file` (default ./recon.db)")
	fs.StringVar(&f.out, "out", "", "report `folder` (default ./reports)")
	fs.BoolVar(&f.offline, "offline", false, "make no API call; the gateway dump is authoritative")
	fs.BoolVar(&f.verbose, "v", false, "log each stage to stderr")
	f.api.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := f.pipelineConfig(e)
	if err != nil {
		return err
	}
	res, err := pipeline.Run(ctx, *cfg)
	if err != nil {
		return err
	}
	printRun(e.stdout, res)
	if cfg.Pull != nil {
		printPull(e.stdout, res.Pull)
		if res.Pull.Failures > 0 {
			fmt.Fprintf(e.stderr, "recon: warning: run incomplete: %d status pull(s) got no answer after every retry\n", res.Pull.Failures)
		}
	}
	if res.Unverified > 0 {
		fmt.Fprintf(e.stderr, "recon: warning: run incomplete: %d record(s) UNVERIFIED (gateway status unknown); see mismatches.csv\n", res.Unverified)
	}
	return nil
}

// pipelineConfig builds the run's configuration: defaults, then the
// configuration file, then the flags.
func (f *runFlags) pipelineConfig(e *env) (*pipeline.Config, error) {
	if f.date == "" {
		return nil, &usageError{message: "missing --date", hint: "recon run --date 2026-11-24"}
	}
	var file config.File
	if f.config != "" {
		loaded, err := config.Load(f.config)
		if err != nil {
			return nil, err
		}
		file = *loaded
	}
	zone, err := config.LoadZone(file.Zone)
	if err != nil {
		return nil, err
	}
	if _, err := pipeline.ParseDay(f.date, zone); err != nil {
		return nil, &usageError{message: err.Error(), hint: "dates are written 2026-11-24"}
	}
	next, _ := pipeline.ParseDay(f.date, zone)
	nextDate := next.End.Format("2006-01-02")

	pick := func(flagValue, template string) string {
		if flagValue != "" {
			return flagValue
		}
		return config.Expand(template, f.date)
	}
	cfg := &pipeline.Config{
		Date: f.date,
		Zone: zone,
		Sources: pipeline.Sources{
			Orders:   pick(f.orders, file.Sources.Orders),
			Payouts:  pick(f.payouts, file.Sources.Payouts),
			Gateway:  pick(f.gateway, file.Sources.Gateway),
			Webhooks: pick(f.webhooks, file.Sources.Webhooks),
		},
		DB:      firstOf(f.db, file.DB, "recon.db"),
		Out:     firstOf(f.out, file.Out, "reports"),
		Offline: f.offline,
		Ingest:  ingest.DefaultOptions(zone),
		Match:   match.DefaultOptions(),
		Version: Version(),
		Now:     e.now,
		Log:     newLogger(e.stderr, f.verbose),
	}
	if f.webhooks == "" && strings.Contains(file.Sources.Webhooks, "{date}") {
		cfg.Sources.WebhooksNext = config.Expand(file.Sources.Webhooks, nextDate)
	}
	if file.Match.Tolerance != "" {
		tol, err := ingest.ParseAmount(file.Match.Tolerance)
		if err != nil {
			return nil, fmt.Errorf("%s: match.tolerance: %w", f.config, err)
		}
		cfg.Match.Tolerance = tol
	}
	if err := applyMatchWindows(cfg, file.Match, f.config); err != nil {
		return nil, err
	}
	if !f.offline {
		client, err := apiClient(file.API, f.api)
		if err != nil {
			return nil, err
		}
		if client != nil {
			cfg.Pull = pullFunc(client, cfg.Out, f.api.concurrency, e.now, cfg.Log)
		}
	}
	secrets, err := config.Secrets(config.EnvWebhookSecret)
	if err != nil {
		return nil, err
	}
	cfg.Ingest.WebhookSecrets = secrets
	if cfg.Sources.Webhooks != "" && len(secrets) == 0 {
		return nil, fmt.Errorf("a webhook log is given but %s is not set: no delivery could be verified", config.EnvWebhookSecret)
	}
	return cfg, nil
}

func firstOf(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

func newLogger(w io.Writer, verbose bool) *slog.Logger {
	level := slog.LevelWarn
	if verbose {
		level = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// printRun prints where the reports are and a short summary.
func printRun(w io.Writer, res *pipeline.Result) {
	rep := res.Report
	fmt.Fprintf(w, "Reconciled %s (run %s).\n", rep.Date, res.RunID)
	for _, in := range rep.Inputs {
		fmt.Fprintf(w, "  %-9s %s: %d rows read, %d accepted, %d rejected\n", in.Kind, in.Path, in.Read, in.Accepted, in.Rejected)
	}
	counts := map[recon.Report]int{}
	for _, e := range rep.Exceptions {
		counts[e.Category.Report()]++
	}
	overall := map[string]string{}
	for _, m := range rep.Summary {
		if m.Section == "overall" {
			overall[m.Name] = m.Value
		}
	}
	fmt.Fprintf(w, "  matched   %s of %s records (%s%%)\n", overall["records_matched"], overall["records_judged"], overall["match_rate_pct"])
	fmt.Fprintf(w, "  found     %d mismatches, %d duplicates, %d missing UTRs, %d rejected rows\n",
		counts[recon.ReportMismatches], counts[recon.ReportDuplicates], counts[recon.ReportMissingUTR], len(rep.Rejects))
	fmt.Fprintf(w, "Reports: %s\n", filepath.Clean(res.Dir))
}
