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
	"time"

	"github.com/kwikpaisa/recon/internal/config"
	"github.com/kwikpaisa/recon/internal/ingest"
	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/ledger/stores"
	"github.com/kwikpaisa/recon/internal/match"
	"github.com/kwikpaisa/recon/internal/pipeline"
	"github.com/kwikpaisa/recon/internal/recon"
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
(-log-format), each line with the run_id and its time in the business
zone with the offset. On a terminal a bar a stage shows the file read,
bytes read of its size, rows, rate and time left; off one (cron), the log
has a line as each stage begins and ends. After the run, completed or
failed, the Prometheus metrics file (-metrics, or metrics in the
configuration) is rewritten, and every attempt that knew its date is in
'recon runs'.

Without -offline the run needs KWIKPAISA_API_KEY and KWIKPAISA_SECRET_KEY:
without them it fails, unless a gateway dump is given (it then runs from
the dump alone and says so). A webhook log of which no delivery verifies
under any configured secret fails the run (the secret is wrong or was
rotated). A ledger none of whose rows falls in the day is named on stderr
(with -fail-on it counts as HIGH).

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
	fromDump                           bool // no credentials: the run goes from the dump alone
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
	fs.StringVar(&f.db, "db", "", "the store: an SQLite `file` (default ./recon.db) or a postgres:// URL without its password (PGPASSWORD)")
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
	a := &attempt{id: runID, date: f.date, started: started}
	err = f.reconcile(ctx, e, out, log, a, failOn)
	a.finish(ctx, e, &f, log, err)
	return err
}

// reconcile runs the date once the flags are read: configuration, lock,
// pipeline, then the checks that may fail a run the pipeline completed.
// It fills a as it learns the run's database, metrics file and result.
func (f *runFlags) reconcile(ctx context.Context, e *env, out *output, log *slog.Logger, a *attempt, failOn recon.Severity) error {
	cfg, file, err := f.pipelineConfig(e, log)
	if err != nil {
		return err
	}
	cfg.RunID = a.id
	a.cfg, a.metrics = cfg, firstOf(f.metrics, file.Metrics)
	out.setZone(cfg.Zone)

	db, err := stores.Open(ctx, cfg.DB, stores.Options{Now: cfg.Now, Log: log})
	if err != nil {
		return stores.NameDatabase(err, cfg.DB)
	}
	defer db.Close()
	unlock, err := takeDateLock(ctx, e, db, cfg.Date, fmt.Sprintf("pid %d, run %s", os.Getpid(), cfg.RunID), f.wait, log)
	if err != nil {
		return err
	}
	defer unlock()
	cfg.Store = db

	hook, stop := out.progress(ctx, "reconciling "+cfg.Date)
	cfg.Progress = hook
	res, runErr := pipeline.Run(ctx, *cfg)
	stop()
	if runErr != nil {
		runErr = stores.NameDatabase(runErr, cfg.DB)
		log.Error("run failed", "error", runErr.Error())
		return runErr
	}
	a.res = res
	log.Info("run completed", "dir", res.Dir, "exceptions", len(res.Report.Exceptions), "unverified", res.Unverified)
	printRun(e.stdout, res, cfg.Pull != nil)
	if f.fromDump {
		fmt.Fprintf(e.stderr, "recon: warning: ran from the gateway dump alone: %s and %s are not set, so no status was pulled (pass --offline to say so)\n",
			config.EnvAPIKey, config.EnvSecretKey)
	}
	if cfg.Pull != nil && res.Pull.Failures > 0 {
		fmt.Fprintf(e.stderr, "recon: warning: run incomplete: %s status pull(s) got no answer after every retry\n", group(res.Pull.Failures))
	}
	if res.Unverified > 0 {
		fmt.Fprintf(e.stderr, "recon: warning: run incomplete: %s record(s) UNVERIFIED (gateway status unknown); see mismatches.csv\n", group(res.Unverified))
	}
	for _, msg := range numericKeyWarnings(res.Report.Inputs) {
		fmt.Fprintf(e.stderr, "recon: warning: %s\n", msg)
		log.Warn("ledger ids from numeric cells", "detail", msg)
	}
	// A log of which no delivery verifies is a wrong or rotated secret far
	// more often than a day of forgeries: fail the night loudly rather than
	// report every delivery as an attack.
	if err := checkWebhookSecret(res, len(cfg.Ingest.WebhookSecrets)); err != nil {
		log.Error("no webhook delivery verifies", "error", err.Error())
		return err
	}
	otherDays, err := ledgersOfOtherDays(ctx, cfg, res)
	if err != nil {
		log.Error("read the dates of a ledger's rows", "error", err.Error())
	}
	for _, msg := range otherDays {
		fmt.Fprintf(e.stderr, "recon: warning: %s\n", msg)
		log.Warn("ledger of another day", "detail", msg)
	}

	failing := 0 // exceptions at or above --fail-on
	if f.failOn != "" {
		for _, x := range recon.OpenOnly(res.Report.Exceptions) {
			if x.Severity.Rank() >= failOn.Rank() {
				failing++
			}
		}
		// A ledger none of whose rows is of the day counts as a HIGH
		// finding: the night judged nothing from it.
		if recon.SeverityHigh.Rank() >= failOn.Rank() {
			failing += len(otherDays)
		}
	}
	if failing > 0 {
		msg := fmt.Sprintf("%s exception(s) at or above %s (--fail-on %s); see %s", group(failing), failOn, failOn, filepath.Clean(res.Dir))
		log.Warn("exceptions at or above --fail-on", "severity", string(failOn), "count", failing)
		return &exitCodeError{code: exitFailOn, message: msg}
	}
	return nil
}

// attempt is one 'recon run' as its record and its metrics need it.
type attempt struct {
	id      string
	date    string
	started time.Time
	cfg     *pipeline.Config // nil until the configuration is read
	metrics string           // the metrics file; empty: none
	res     *pipeline.Result // nil unless the pipeline completed
}

// finish records how the attempt ended: in the run history when its date
// is known and its database can be opened, and in the metrics file when
// one is named. A failure before the configuration was read is recorded
// in the database and metrics file the flags, or what could be read of the
// configuration, name.
func (a *attempt) finish(ctx context.Context, e *env, f *runFlags, log *slog.Logger, err error) {
	if !isCalendarDate(a.date) {
		return // nothing is known of a run without its date
	}
	ctx = context.WithoutCancel(ctx)
	code := exitStatus(err)
	completed := a.res != nil && (code == exitOK || code == exitFailOn)
	db, metricsPath := f.attemptPaths(a)
	finished := e.now()
	if db != "" {
		var rerr error
		switch {
		case completed && code == exitFailOn:
			rerr = recordExit(ctx, db, a.id, code, errorLine(err))
		case !completed:
			rerr = recordFailure(ctx, db, a, finished, code, errorLine(err))
		}
		if rerr != nil {
			log.Error("record the run", "db", stores.Printable(db), "error", rerr.Error())
		}
	}
	if metricsPath == "" {
		return
	}
	m := runMetrics{date: a.date, db: db, res: a.res, succeeded: completed, exit: code, started: a.started, finished: finished}
	if a.cfg != nil {
		m.version = a.cfg.Version
	} else {
		m.version = Version()
	}
	if werr := writeMetrics(ctx, metricsPath, m); werr != nil {
		log.Error("write metrics", "file", metricsPath, "error", werr.Error())
	} else {
		log.Info("metrics written", "file", metricsPath)
	}
}

// attemptPaths returns the database and metrics file of an attempt: the
// run's configuration's, or, when it could not be built, the flags' and
// what the configuration file holds that could be read.
func (f *runFlags) attemptPaths(a *attempt) (db, metrics string) {
	if a.cfg != nil {
		return a.cfg.DB, a.metrics
	}
	file := config.Default()
	if f.config != "" {
		file = &config.File{}
		if partial, _, err := config.Check(f.config); err == nil && partial != nil {
			file = partial
		}
	}
	db = firstOf(f.db, file.DB)
	if db == "" && f.config == "" {
		db = "recon.db"
	}
	return db, firstOf(f.metrics, file.Metrics)
}

func isCalendarDate(s string) bool {
	t, err := time.Parse("2006-01-02", s)
	return err == nil && t.Format("2006-01-02") == s
}

// errorLine is the one line a run's record keeps of how it ended.
func errorLine(err error) string {
	var ce *config.CheckError
	var ex *exitCodeError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &ce) && len(ce.Problems) > 0:
		return oneLine(fmt.Sprintf("configuration %s has %d problem(s), first %s", ce.Path, len(ce.Problems), ce.Problems[0]))
	case errors.As(err, &ex):
		return oneLine(ex.message)
	}
	return oneLine(err.Error())
}

// takeDateLock takes the lock of date in the store db for holder (what a
// refused run or pull is told): at once, or waiting when wait is set.
func takeDateLock(ctx context.Context, e *env, db ledger.Store, date, holder string, wait bool, log *slog.Logger) (func() error, error) {
	unlock, err := db.LockDate(ctx, date, holder, wait, func(held *ledger.LockedError) {
		log.Warn("date locked: waiting", "lock", held.Where, "holder", held.Holder)
		fmt.Fprintf(e.stderr, "recon: waiting: %s\n", held)
	})
	var held *ledger.LockedError
	if errors.As(err, &held) {
		// Said now: recording the refused attempt waits for the holder's
		// write in hand, which on a large day is minutes.
		log.Warn("date locked: refusing", "lock", held.Where, "holder", held.Holder)
		msg := fmt.Sprintf("refusing to run: %s; wait for it with --wait", held)
		fmt.Fprintf(e.stderr, "recon: %s\n", msg)
		return nil, &exitCodeError{code: exitError, message: msg, told: true}
	}
	return unlock, err
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
	next, err := recon.ParseBusinessDay(f.date, zone)
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
		// Kept unless the file says otherwise: a re-run of the day reads them.
		DropParts: file.KeepParts != nil && !*file.KeepParts,
		Ingest:    ingest.DefaultOptions(zone),
		Match:     match.DefaultOptions(),
		Version:   Version(),
		Now:       e.now,
		Log:       log,
	}
	if expandErr != nil {
		return nil, nil, expandErr
	}
	if f.webhooks == "" && strings.Contains(file.Sources.Webhooks, "{date}") {
		cfg.Sources.WebhooksNext, _ = config.Expand(file.Sources.Webhooks, nextDate)
	}
	// The ledgers of the dates before and after, for their rows dated this
	// one (SPEC §1); read when they exist.
	prevDate := next.Start.AddDate(0, 0, -1).Format("2006-01-02")
	if f.orders == "" && strings.Contains(file.Sources.Orders, "{date}") {
		cfg.Sources.OrdersPrev, _ = config.Expand(file.Sources.Orders, prevDate)
		cfg.Sources.OrdersNext, _ = config.Expand(file.Sources.Orders, nextDate)
	}
	if f.payouts == "" && strings.Contains(file.Sources.Payouts, "{date}") {
		cfg.Sources.PayoutsPrev, _ = config.Expand(file.Sources.Payouts, prevDate)
		cfg.Sources.PayoutsNext, _ = config.Expand(file.Sources.Payouts, nextDate)
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
		switch {
		case client != nil:
			cfg.Pull = pullFunc(client, cfg.Out, f.api.concurrency, e.now, cfg.Log)
		case cfg.Sources.Gateway == "":
			// Asked to verify against the gateway with nothing to verify
			// with: a night that pulls nothing must not end as if it had.
			return nil, nil, fmt.Errorf("no KwikPaisa credentials: %s and %s are not set (an env file sourced by cron needs 'export' or 'set -a'), so no gateway status can be pulled; set them, or pass --offline with a --gateway dump",
				config.EnvAPIKey, config.EnvSecretKey)
		default:
			f.fromDump = true
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

// printRun prints a short summary: the inputs, the figures, the pull
// when there was one, and last where the reports are.
func printRun(w io.Writer, res *pipeline.Result, pulled bool) {
	rep := res.Report
	fmt.Fprintf(w, "Reconciled %s (run %s).\n", rep.Date, res.RunID)
	for _, in := range rep.Inputs {
		fmt.Fprintf(w, "  %-9s %s: %s rows read, %s accepted, %s rejected\n", in.Kind, in.Path, group(in.Read), group(in.Accepted), group(in.Rejected))
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
	fmt.Fprintf(w, "  matched   %s of %s records (%s%%)\n", groupFigure(overall["records_matched"]), groupFigure(overall["records_judged"]), overall["match_rate_pct"])
	fmt.Fprintf(w, "  found     %s mismatches, %s duplicates, %s missing UTRs, %s rejected rows\n",
		group(counts[recon.ReportMismatches]), group(counts[recon.ReportDuplicates]), group(counts[recon.ReportMissingUTR]), group(len(rep.Rejects)))
	if rep.Settlements {
		fmt.Fprintf(w, "  settled   %s settlement exceptions (settlements.csv)\n", group(counts[recon.ReportSettlements]))
	}
	if line := rejectedLine(rep.Rejects, res.Dir); line != "" {
		fmt.Fprintln(w, line)
	}
	if pulled {
		printPull(w, res.Pull)
	}
	fmt.Fprintf(w, "Reports: %s\n", filepath.Clean(res.Dir))
}

// rejectedLine says how many input rows were turned away, from which files,
// and where the rejects report is: "" when none was.
func rejectedLine(rejects []recon.Reject, dir string) string {
	if len(rejects) == 0 {
		return ""
	}
	var files []string
	per := map[string]int{}
	for _, r := range rejects {
		if per[r.File] == 0 {
			files = append(files, r.File)
		}
		per[r.File]++
	}
	parts := make([]string, len(files))
	for i, f := range files {
		parts[i] = fmt.Sprintf("%s from %s", group(per[f]), f)
	}
	return fmt.Sprintf("  rejected  %s rows (%s): each with its line and reason in %s",
		group(len(rejects)), strings.Join(parts, ", "), filepath.Join(filepath.Clean(dir), "rejects.csv"))
}

// numericKeyWarnings names each ledger whose order or payout ids came from
// numeric XLSX cells, once a file: the spreadsheet may have dropped their
// leading zeros, and ids are matched exactly.
func numericKeyWarnings(inputs []recon.SourceFile) []string {
	var out []string
	for _, in := range inputs {
		if in.NumericKeys == 0 {
			continue
		}
		key := "order_id"
		if strings.HasPrefix(in.Kind, "payouts") {
			key = "payout_order_id"
		}
		out = append(out, fmt.Sprintf("%s: %s of %s rows comes from numeric cells, where a spreadsheet drops leading zeros "+
			"(0012 becomes 12) and ids are matched exactly: format the column as Text in the sheet and export again",
			in.Path, key, group(in.NumericKeys)))
	}
	return out
}
