// Package pipeline runs one business day end to end: ingest every source
// into the store, pull the gateway's statuses, match, and write the reports.
// It is the one place that knows the order of the stages; each stage lives
// in its own package.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/kwikpaisa/recon/internal/export"
	"github.com/kwikpaisa/recon/internal/ingest"
	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/match"
	"github.com/kwikpaisa/recon/internal/recon"
)

// Sources are the input files of one date; an empty path is not given.
type Sources struct {
	Orders   string
	Payouts  string
	Gateway  string
	Webhooks string
	// WebhooksNext is the next date's webhook log, read for late
	// deliveries when it exists.
	WebhooksNext string
}

// PullFunc pulls gateway statuses for a date into the store and says what
// it did. It runs after ingest and before matching.
type PullFunc func(ctx context.Context, db *ledger.DB, day Day) (recon.PullStats, error)

// Config is one run's whole configuration, validated by the caller.
type Config struct {
	Date    string // YYYY-MM-DD
	Zone    *time.Location
	Sources Sources
	DB      string // SQLite file
	Out     string // reports go to Out/Date
	// Offline makes the day's gateway dump authoritative and pulls nothing.
	Offline bool
	Pull    PullFunc // nil: no pull
	Ingest  ingest.Options
	Match   match.Options
	Export  export.Options
	Version string
	Now     func() time.Time
	Log     *slog.Logger
	// RunID names the run; empty derives one from the start time. A caller
	// that sets it has put run_id on Log already.
	RunID string
}

// Day is the business date a run judges: [Start, End) in the business
// zone.
type Day struct {
	Date       string
	Start, End time.Time
}

// ParseDay reads a YYYY-MM-DD business date in zone.
func ParseDay(date string, zone *time.Location) (Day, error) {
	t, err := time.ParseInLocation("2006-01-02", date, zone)
	if err != nil || t.Format("2006-01-02") != date {
		return Day{}, fmt.Errorf("date %q is not a calendar date YYYY-MM-DD", date)
	}
	return Day{Date: date, Start: t, End: t.AddDate(0, 0, 1)}, nil
}

// Result says how a run ended.
type Result struct {
	RunID      string
	Dir        string // the report folder
	Report     *export.Report
	Unverified int
	Pull       recon.PullStats
}

// ErrNoLedger is returned when a run is given neither ledger.
var ErrNoLedger = errors.New("no ledger given: a run needs an orders or a payouts file")

// Run runs one date. The run is recorded in the store whether it completes
// or fails.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	day, err := ParseDay(cfg.Date, cfg.Zone)
	if err != nil {
		return nil, err
	}
	if cfg.Sources.Orders == "" && cfg.Sources.Payouts == "" {
		return nil, ErrNoLedger
	}
	for _, p := range []string{cfg.Sources.Orders, cfg.Sources.Payouts, cfg.Sources.Gateway, cfg.Sources.Webhooks} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("input file %s: %w", p, errors.Unwrap(err))
		}
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}

	db, err := ledger.Open(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	db.Now = now

	started := now()
	res := &Result{RunID: cfg.RunID, Dir: filepath.Join(cfg.Out, cfg.Date)}
	if res.RunID == "" {
		res.RunID = "run-" + started.UTC().Format("20060102T150405.000000000Z")
		log = log.With("run_id", res.RunID, "run_date", cfg.Date)
	}
	if err := db.StartRun(ctx, res.RunID, cfg.Date, started); err != nil {
		return nil, err
	}
	r := &run{cfg: cfg, day: day, db: db, log: log, now: now, res: res, started: started}
	err = r.stages(ctx)
	status, exit, msg := "completed", 0, ""
	if err != nil {
		status, exit, msg = "failed", 1, err.Error()
	}
	// Record the end even when ctx was cancelled.
	finishCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if ferr := db.FinishRun(finishCtx, res.RunID, status, exit, msg, r.summaryJSON(), now()); ferr != nil && err == nil {
		err = ferr
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

// run is one run in progress.
type run struct {
	cfg     Config
	day     Day
	db      *ledger.DB
	log     *slog.Logger
	now     func() time.Time
	res     *Result
	started time.Time

	inputs []recon.SourceFile
	stats  map[string]time.Duration
}

func (r *run) stages(ctx context.Context) error {
	r.stats = map[string]time.Duration{}
	if err := r.ingest(ctx); err != nil {
		return err
	}
	if r.cfg.Pull != nil && !r.cfg.Offline {
		r.log.Info("pulling gateway statuses", "stage", "pull")
		t := time.Now()
		stats, err := r.cfg.Pull(ctx, r.db, r.day)
		r.res.Pull = stats
		r.stats["pull"] = time.Since(t)
		if err != nil {
			return fmt.Errorf("pull gateway statuses: %w", err)
		}
	}

	r.log.Info("matching", "stage", "match")
	t := time.Now()
	d, err := r.db.LoadDay(ctx, r.day.Date, r.day.Start, r.day.End)
	if err != nil {
		return err
	}
	r.stats["load"] = time.Since(t)

	t = time.Now()
	mopts := r.cfg.Match
	mopts.Authoritative = r.cfg.Offline && r.cfg.Sources.Gateway != ""
	mopts.WebhookLog = r.cfg.Sources.Webhooks != ""
	mopts.Now = r.started
	result := match.Reconcile(d, mopts)
	r.stats["match"] = time.Since(t)

	if err := r.age(ctx, result.Exceptions); err != nil {
		return err
	}
	if err := r.db.SaveExceptions(ctx, r.day.Date, r.res.RunID, result.Exceptions); err != nil {
		return err
	}
	rejects, err := r.db.DayRejects(ctx, r.day.Date)
	if err != nil {
		return err
	}
	for _, e := range result.Exceptions {
		if e.Category == recon.Unverified {
			r.res.Unverified++
		}
	}

	rep := &export.Report{
		Date: r.day.Date, RunID: r.res.RunID, Version: r.cfg.Version, Started: r.started,
		Inputs: r.inputs, Exceptions: result.Exceptions, Rejects: rejects,
	}
	rep.Summary = summarize(d, result, r.inputs, r.res.Pull)
	rep.Finished = r.now()
	r.log.Info("writing reports", "stage", "export", "dir", r.res.Dir)
	t = time.Now()
	if err := export.Write(r.res.Dir, rep, r.cfg.Export); err != nil {
		return fmt.Errorf("write reports to %s: %w", r.res.Dir, err)
	}
	r.stats["export"] = time.Since(t)
	r.res.Report = rep
	return nil
}

// age sets each exception's first_seen and age from earlier dates.
func (r *run) age(ctx context.Context, exs []recon.Exception) error {
	seen, err := r.db.FirstSeen(ctx, r.day.Date)
	if err != nil {
		return err
	}
	for i := range exs {
		e := &exs[i]
		e.FirstSeen = r.day.Date
		if first, ok := seen[ledger.ExceptionKey(e.Category, e.Entity, e.Reference)]; ok && first < e.FirstSeen {
			e.FirstSeen = first
		}
		if first, err := time.Parse("2006-01-02", e.FirstSeen); err == nil {
			today, _ := time.Parse("2006-01-02", r.day.Date)
			e.AgeDays = int(today.Sub(first).Hours() / 24)
		}
	}
	return nil
}
