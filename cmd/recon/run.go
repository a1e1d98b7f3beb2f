package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"

	"github.com/kwikpaisa/recon/internal/config"
	"github.com/kwikpaisa/recon/internal/ingest"
	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/match"
	"github.com/kwikpaisa/recon/internal/pipeline"
	"github.com/kwikpaisa/recon/internal/recon"
	"github.com/kwikpaisa/recon/internal/runlock"
)

const runAbout = `Reconciles one business day: reads the order and payout ledgers, the
gateway dump and the webhook log, pulls gateway statuses (unless -offline),
matches, and writes the reports into <out>/<date>/.

Sources come from the configuration file (-config, with {date} in paths) or
from the flags, which override it. Settlement reports and bank statements
(-settlements, -bank, or [sources]) add the settlement checks; a run
without them is as before (docs/settlements.md). Secrets come from the environment:
KWIKPAISA_API_KEY, KWIKPAISA_SECRET_KEY, KWIKPAISA_WEBHOOK_SECRET (or the
file each _FILE variable names).

Two runs of one date never interleave, even from two processes: a run
that finds its date locked refuses (exit 1, naming the run that holds it),
or waits for it with -wait. A run of another date proceeds.

Logs go to stderr through log/slog: text on a terminal, JSON otherwise
(-log-format), each line with the run_id. After the run, the Prometheus
metrics file (-metrics, or metrics in the configuration) is rewritten.

Exit status: 0 the run completed (exceptions or not), 1 it could not
complete, 2 a usage error, 3 it completed with exceptions at or above
-fail-on.`

// startCPUProfile profiles the process into path until the returned stop
// is called.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile %s: %w", path, err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// runFlags are the flags of `recon run`.
type runFlags struct {
	date, config                       string
	orders, payouts, gateway, webhooks string
	db, out, metrics                   string
	offline, verbose, wait             bool
	failOn, logFormat                  string
	cpuProfile                         string
	api                                apiFlags
	settlement                         settlementFlags
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
	f.settlement.register(fs)
	fs.StringVar(&f.db, "db", "", "SQLite database `file` (default ./recon.db)")
	fs.StringVar(&f.out, "out", "", "report `folder` (default ./reports)")
	fs.StringVar(&f.metrics, "metrics", "", "Prometheus textfile to write after the run (`file`)")
	fs.BoolVar(&f.offline, "offline", false, "make no API call; the gateway dump is authoritative")
	fs.BoolVar(&f.wait, "wait", false, "when another run holds the date, wait for it instead of refusing")
	fs.StringVar(&f.failOn, "fail-on", "", "exit 3 when the run finds exceptions of this `severity` or above (CRITICAL, HIGH, MEDIUM, LOW, INFO)")
	fs.StringVar(&f.logFormat, "log-format", "auto", "log `format`: text, json, or auto (text on a terminal, JSON otherwise)")
	fs.BoolVar(&f.verbose, "v", false, "log each stage to stderr (always on when stderr is not a terminal)")
	fs.StringVar(&f.cpuProfile, "cpuprofile", "", "write a CPU profile of the run to `file` (go tool pprof reads it)")
	f.api.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if f.cpuProfile != "" {
		stop, err := startCPUProfile(f.cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	failOn := recon.Severity(strings.ToUpper(f.failOn))
	if f.failOn != "" && failOn.Rank() < 0 {
		return &usageError{message: fmt.Sprintf("unknown severity %q", f.failOn), hint: "--fail-on takes CRITICAL, HIGH, MEDIUM, LOW or INFO"}
	}
	out, err := newOutput(e, f.logFormat, f.verbose)
	if err != nil {
		return err
	}
	started := e.now()
	runID := "run-" + started.UTC().Format("20060102T150405.000000000Z")
	log := out.log.With("run_id", runID, "run_date", f.date)
	cfg, file, err := f.pipelineConfig(e, log)
	if err != nil {
		return err
	}
	cfg.RunID = runID

	lock, err := takeLock(ctx, e, cfg, f.wait, log)
	if err != nil {
		return err
	}
	defer lock.Release()

	stop := out.progress(ctx, "reconciling "+cfg.Date)
	res, runErr := pipeline.Run(ctx, *cfg)
	stop()
	runErr = ledger.NameDatabase(runErr, cfg.DB)
	failing := 0 // exceptions at or above --fail-on
	if runErr == nil && f.failOn != "" {
		for _, x := range res.Report.Exceptions {
			if x.Severity.Rank() >= failOn.Rank() {
				failing++
			}
		}
	}
	metricsPath := firstOf(f.metrics, file.Metrics)
	if metricsPath != "" {
		exit := exitOK
		if failing > 0 {
			exit = exitFailOn
		}
		if err := writeMetrics(ctx, metricsPath, cfg, res, runErr, exit, started, e.now()); err != nil {
			log.Error("write metrics", "file", metricsPath, "error", err.Error())
		} else {
			log.Info("metrics written", "file", metricsPath)
		}
	}
	if runErr != nil {
		log.Error("run failed", "error", runErr.Error())
		return runErr
	}
	log.Info("run completed", "dir", res.Dir, "exceptions", len(res.Report.Exceptions), "unverified", res.Unverified)
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
	if failing > 0 {
		msg := fmt.Sprintf("%d exception(s) at or above %s (--fail-on %s); see %s", failing, failOn, failOn, filepath.Clean(res.Dir))
		if err := recordExit(ctx, cfg.DB, res.RunID, exitFailOn, msg); err != nil {
			log.Error("record exit status", "error", err.Error())
		}
		log.Warn("exceptions at or above --fail-on", "severity", string(failOn), "count", failing)
		return &exitCodeError{code: exitFailOn, message: msg}
	}
	return nil
}

// takeLock takes the date's run lock: at once, or waiting with --wait.
func takeLock(ctx context.Context, e *env, cfg *pipeline.Config, wait bool, log *slog.Logger) (*runlock.Lock, error) {
	holder := fmt.Sprintf("pid %d, run %s", os.Getpid(), cfg.RunID)
	if !wait {
		l, err := runlock.TryAcquire(cfg.DB, cfg.Date, holder)
		var held *runlock.HeldError
		if errors.As(err, &held) {
			log.Warn("date locked: refusing", "lock", held.Path, "holder", held.Holder)
			return nil, &exitCodeError{code: exitError, message: fmt.Sprintf("refusing to run: %s; wait for it with --wait", held)}
		}
		return l, err
	}
	return runlock.Acquire(ctx, cfg.DB, cfg.Date, holder, 0, func(held *runlock.HeldError) {
		log.Warn("date locked: waiting", "lock", held.Path, "holder", held.Holder)
		fmt.Fprintf(e.stderr, "recon: waiting: %s\n", held)
	})
}

// pipelineConfig builds the run's configuration: defaults, then the
// configuration file, then the flags.
func (f *runFlags) pipelineConfig(e *env, log *slog.Logger) (*pipeline.Config, *config.File, error) {
	if f.date == "" {
		return nil, nil, &usageError{message: "missing --date", hint: "recon run --date 2026-11-24"}
	}
	file := config.Default()
	if f.config != "" {
		loaded, err := config.Load(f.config)
		if err != nil {
			return nil, nil, err
		}
		file = loaded
	}
	zone, err := config.LoadZone(file.Zone)
	if err != nil {
		return nil, nil, err
	}
	next, err := pipeline.ParseDay(f.date, zone)
	if err != nil {
		return nil, nil, &usageError{message: err.Error(), hint: "dates are written 2026-11-24"}
	}
	nextDate := next.End.Format("2006-01-02")

	var expandErr error
	pick := func(flagValue, template string) string {
		if flagValue != "" {
			return flagValue
		}
		p, err := config.Expand(template, f.date)
		if err != nil && expandErr == nil {
			expandErr = err
		}
		return p
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
		Log:     log,
	}
	if expandErr != nil {
		return nil, nil, expandErr
	}
	if f.webhooks == "" && strings.Contains(file.Sources.Webhooks, "{date}") {
		cfg.Sources.WebhooksNext, _ = config.Expand(file.Sources.Webhooks, nextDate)
	}
	if err := applyFile(cfg, file); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", f.config, err)
	}
	if err := applyMatchWindows(cfg, file.Match, f.config); err != nil {
		return nil, nil, err
	}
	if err := f.settlement.apply(cfg, file, f.date); err != nil {
		return nil, nil, err
	}
	if !f.offline {
		client, err := apiClient(file.API, f.api)
		if err != nil {
			return nil, nil, err
		}
		if client != nil {
			cfg.Pull = pullFunc(client, cfg.Out, f.api.concurrency, e.now, cfg.Log)
		}
	}
	secrets, err := config.Secrets(config.EnvWebhookSecret)
	if err != nil {
		return nil, nil, err
	}
	cfg.Ingest.WebhookSecrets = secrets
	if cfg.Sources.Webhooks != "" && len(secrets) == 0 {
		return nil, nil, fmt.Errorf("a webhook log is given but %s is not set: no delivery could be verified", config.EnvWebhookSecret)
	}
	return cfg, file, nil
}

func firstOf(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
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
	if rep.Settlements {
		fmt.Fprintf(w, "  settled   %d settlement exceptions (settlements.csv)\n", counts[recon.ReportSettlements])
	}
	fmt.Fprintf(w, "Reports: %s\n", filepath.Clean(res.Dir))
}
