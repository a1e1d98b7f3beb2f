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
	"runtime"
	"runtime/debug"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kwikpaisa/recon/internal/export"
	"github.com/kwikpaisa/recon/internal/ingest"
	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/ledger/stores"
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
	// OrdersPrev, OrdersNext, PayoutsPrev and PayoutsNext are the ledgers
	// configured for the dates before and after, read when they exist for
	// their rows dated this one (SPEC §1: a row is judged by the run of
	// its own date, whichever file brought it).
	OrdersPrev, OrdersNext   string
	PayoutsPrev, PayoutsNext string
}

// PullFunc pulls gateway statuses for a date into the store and says what
// it did. It runs after ingest and before matching.
type PullFunc func(ctx context.Context, db ledger.Store, day recon.BusinessDay) (recon.PullStats, error)

// Config is one run's whole configuration, validated by the caller.
type Config struct {
	Date    string // YYYY-MM-DD
	Zone    *time.Location
	Sources Sources
	DB      string // SQLite file, or PostgreSQL URL
	// Store, when set, is the open store of DB, which the caller closes
	// (recon run opens it to take the date's lock first); when nil, Run
	// opens DB.
	Store ledger.Store
	Out   string // reports go to Out/Date
	// Offline makes the day's gateway dump authoritative and pulls nothing.
	Offline bool
	Pull    PullFunc // nil: no pull
	Ingest  ingest.Options
	Match   match.Options
	// Settlement checks settlements and bank credits (SPEC §7); nil: a
	// run without them, exactly as before.
	Settlement *Settlement
	Export     export.Options
	Version    string
	Now        func() time.Time
	Log        *slog.Logger

	// DropParts has the run keep none of what a store that loads a day in
	// parts read for the day's next run (ledger.PartKeeper), and let go of
	// what it kept.
	DropParts bool
	// RecheckDays is the re-check window: the open exceptions of the dates
	// this many days before Date are re-checked by the run. 0 means the
	// default of 7; a negative value turns re-checking off.
	RecheckDays int
	// RunID names the run; empty derives one from the start time. A caller
	// that sets it has put run_id on Log already.
	RunID string
	// Progress, when set, is told as each stage begins (and each file of
	// ingest), for a progress display; nil tells nothing.
	Progress func(Stage)
	// AvailableMemory says how much memory the run may still take, for
	// the warning before a store that cannot load a day in parts loads a
	// large one whole (warnWholeDay); nil reads the system's.
	AvailableMemory func() (uint64, bool)
}

// Stage is a stage a run begins, as a progress display needs it.
type Stage struct {
	Name string // ingest, pull, load, match, recheck, export
	File string // the file ingest reads; empty for the other stages
	Size int64  // the file's size in bytes (ingest)
	// Rows counts the rows read so far (ingest); nil for the other stages.
	Rows *atomic.Int64
	// Took, when not zero, says the file was read already, in this long,
	// while the display showed Beside, read at the same time.
	Took   time.Duration
	Beside string
	// Part names the part of the day a load or a match is of, for a day
	// matched in parts ("pay-ins, part 3 of 21"); empty for a whole day.
	Part string
}

// begin tells the progress display that a stage begins.
func (r *run) begin(s Stage) {
	if r.cfg.Progress != nil {
		r.cfg.Progress(s)
	}
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
	day, err := recon.ParseBusinessDay(cfg.Date, cfg.Zone)
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
	if cfg.AvailableMemory == nil {
		cfg.AvailableMemory = availableMemory
	}

	db := cfg.Store
	if db == nil {
		if db, err = stores.Open(ctx, cfg.DB, stores.Options{Now: now, Log: log}); err != nil {
			return nil, err
		}
		defer db.Close()
	}

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
	day     recon.BusinessDay
	db      ledger.Store
	log     *slog.Logger
	now     func() time.Time
	res     *Result
	started time.Time

	inputs []recon.SourceFile
	// reading holds the files being read, for the progress display, and
	// unseen those read while another was shown.
	readingMu       sync.Mutex
	reading, unseen []*Stage
}

// stageDone logs one finished stage with its row count and elapsed time:
// the figures `make bench` prints per stage.
func (r *run) stageDone(stage string, rows int, start time.Time) {
	r.stageTook(stage, rows, time.Since(start))
}

// stageTook is stageDone for a stage that took d in all.
func (r *run) stageTook(stage string, rows int, d time.Duration) {
	r.log.Info("stage done", "stage", stage, "rows", rows, "elapsed", d.Round(time.Microsecond).String(),
		"elapsed_ms", float64(d.Microseconds())/1000)
}

// loadDay loads a day, or a part of it, from the store, collecting at the
// store's percentage if it has one (ledger.LoadCollector).
func (r *run) loadDay(ctx context.Context, day recon.BusinessDay, part recon.Part) (*recon.Day, error) {
	load := func() (*recon.Day, error) {
		if part.Whole() {
			return r.db.LoadDay(ctx, day)
		}
		return r.db.(ledger.PartLoader).LoadDayPart(ctx, day, part)
	}
	c, ok := r.db.(ledger.LoadCollector)
	if !ok {
		return load()
	}
	restore := collectAt(c.LoadGCPercent())
	d, err := load()
	restore()
	// The load's last garbage goes before the match allocates: at the
	// match's rare collections it would otherwise sit under the match's
	// own memory and set the run's peak.
	runtime.GC()
	return d, err
}

// matchDay loads a day from the store and matches it. A store that loads
// a day in parts (ledger.PartLoader) gives a large day as parts of its
// keys, each loaded, matched and let go before the next, so that the run
// holds one part's records at a time; their results and figures are then
// merged. A run with settlement files (settle) judges each part's pay-ins
// with the settlement rows of their orders once the part is matched: it
// reads the files before the first part, and, for a day matched whole,
// once the day's records are let go. The run's own
// date (stages) logs its stages and shows them; a re-checked date does not.
func (r *run) matchDay(ctx context.Context, day recon.BusinessDay, opts match.Options, stages bool, settle *settleStep) (*match.Result, *dayFigures, error) {
	parts := []recon.Part{{}}
	// readying is the split's time, counted in the load stage: a store
	// may ready the day's loads there (SQLite copies its WAL).
	var readying time.Duration
	if pl, ok := r.db.(ledger.PartLoader); ok {
		if k, ok := r.db.(ledger.PartKeeper); ok && stages {
			k.KeepParts(day, !r.cfg.DropParts)
		}
		var err error
		t := time.Now()
		if parts, err = pl.DayParts(ctx, day); err != nil {
			return nil, nil, err
		}
		readying = time.Since(t)
	} else if stages {
		r.warnWholeDay()
	}
	// Each stage says so as it begins, so that neither is shown while the
	// other runs; the stage lines give each stage's total over the parts.
	begin := func(stage, part, msg string) {
		if !stages {
			return
		}
		args := []any{"stage", stage}
		if part != "" {
			args = append(args, "part", part)
		}
		r.log.Info(msg, args...)
		r.begin(Stage{Name: stage, Part: part})
	}
	var (
		rows    int
		loading time.Duration
		figures *dayFigures
	)
	var endFacts func() // the collector's percentage back from factsGC
	load := func(p recon.Part, facts bool) (*recon.Day, error) {
		if facts && endFacts == nil {
			endFacts = collectAt(factsGC)
		} else if !facts && endFacts != nil {
			endFacts()
			endFacts = func() {}
		}
		if !p.Whole() {
			runtime.GC() // the part before
		}
		part := partName(p, facts)
		begin("load", part, "loading the day")
		t := time.Now()
		d, err := r.loadDay(ctx, day, p)
		loading += time.Since(t)
		if err == nil {
			rows += len(d.Orders) + len(d.Payouts) + len(d.Gateway) + len(d.Deliveries)
			begin("match", part, "matching")
		}
		return d, err
	}
	t := time.Now()
	var (
		res *match.Result
		err error
	)
	if len(parts) == 1 {
		whole, err := load(parts[0], false)
		if err != nil {
			return nil, nil, err
		}
		res = match.Reconcile(whole, opts)
		figures = figuresOf(whole, res)
		if settle != nil {
			res.Keys = nil
			if err := settle.part(ctx, recon.Part{}, payinsOf(whole, res.Exceptions)); err != nil {
				return nil, nil, err
			}
		}
	} else {
		if err := settle.begin(ctx, parts); err != nil {
			r.db.(ledger.PartLoader).EndParts(day)
			return nil, nil, err
		}
		restore := collectAt(partGC)
		res, err = match.ReconcileParts(parts, load, opts, func(p recon.Part, d *recon.Day, res *match.Result) error {
			figures = figures.add(figuresOf(d, res))
			if settle != nil && p.Entity == recon.EntityPayin {
				return settle.part(ctx, p, match.PayinsOf(d))
			}
			return nil
		})
		restore()
		r.db.(ledger.PartLoader).EndParts(day)
		// The parts' memory goes back to the system before the reports
		// are written, which would otherwise grow the heap on top of it.
		debug.FreeOSMemory()
		if err != nil {
			return nil, nil, err
		}
	}
	var settling time.Duration
	if settle != nil {
		settling = settle.took
	}
	if stages {
		if len(parts) > 1 {
			r.log.Info("matched the day in parts", "parts", len(parts))
		}
		r.stageTook("load", rows, readying+loading)
		r.stageTook("match", rows, time.Since(t)-loading-settling)
	}
	return res, figures, nil
}

// partName names a part of a day for the display and the log ("pay-ins,
// part 3 of 21"); "" for the whole day. facts says the payouts' part is
// read for their facts (match.ReconcileParts).
func partName(p recon.Part, facts bool) string {
	switch {
	case p.Whole():
		return ""
	case p.Entity == recon.EntityPayin:
		return fmt.Sprintf("pay-ins, part %d of %d", p.No+1, p.Of)
	case facts:
		return fmt.Sprintf("payouts, part %d of %d, their facts", p.No+1, p.Of)
	}
	return fmt.Sprintf("payouts, part %d of %d", p.No+1, p.Of)
}

func (r *run) stages(ctx context.Context) error {
	restoreGC := collectLess()
	defer restoreGC()
	if err := r.ingest(ctx); err != nil {
		return err
	}
	if r.cfg.Pull != nil && !r.cfg.Offline {
		r.log.Info("pulling gateway statuses", "stage", "pull")
		r.begin(Stage{Name: "pull"})
		t := time.Now()
		stats, err := r.cfg.Pull(ctx, r.db, r.day)
		r.res.Pull = stats
		r.stageDone("pull", stats.Keys, t)
		if err != nil {
			return fmt.Errorf("pull gateway statuses: %w", err)
		}
	}

	mopts := r.cfg.Match
	mopts.Authoritative = r.cfg.Offline && r.cfg.Sources.Gateway != ""
	mopts.WebhookLog = r.cfg.Sources.Webhooks != ""
	mopts.Now = r.started
	settle := r.newSettle(r.day, true)
	defer settle.close()
	result, figures, err := r.matchDay(ctx, r.day, mopts, true, settle)
	if err != nil {
		return err
	}
	var settled *settledDay
	if settle != nil {
		t := time.Now()
		settled, err = settle.finish(ctx)
		if err != nil {
			return err
		}
		result.Exceptions = withSettled(result.Exceptions, settled.exceptions)
		r.inputs = append(r.inputs, settled.inputs...)
		r.stageTook("settle", len(settled.exceptions), settle.took+time.Since(t))
	}

	for i := range result.Exceptions {
		result.Exceptions[i].Date = r.day.Date
	}
	if err := r.age(ctx, result.Exceptions); err != nil {
		return err
	}
	if err := r.db.SaveExceptions(ctx, r.day.Date, r.res.RunID, result.Exceptions); err != nil {
		return err
	}
	t := time.Now()
	r.begin(Stage{Name: "recheck"})
	ageing, err := r.recheck(ctx, result.Exceptions)
	if err != nil {
		return err
	}
	r.stageDone("recheck", len(ageing.Dates), t)
	rejects, err := r.db.DayRejects(ctx, r.day.Date)
	if err != nil {
		return err
	}
	if settled != nil {
		rejects = append(rejects, settled.rejects...)
	}
	for _, e := range result.Exceptions {
		if e.Category == recon.Unverified {
			r.res.Unverified++
		}
	}

	// The reports list the date's exceptions and, with their first_seen
	// and age, those of earlier dates the re-check found still open and
	// no person has resolved or written off (SPEC §8); each with its state.
	if err := r.db.ApplyStates(ctx, result.Exceptions); err != nil {
		return err
	}
	if err := r.db.ApplyStates(ctx, ageing.Open); err != nil {
		return err
	}
	openItems := recon.OpenOnly(ageing.Open)
	reported := *result
	reported.Exceptions = withCarried(result.Exceptions, openItems)
	trend, err := r.db.Trend(ctx, r.day.Date, export.TrendDays)
	if err != nil {
		return err
	}
	rep := &export.Report{
		Date: r.day.Date, RunID: r.res.RunID, Version: r.cfg.Version, Started: r.started,
		Inputs: r.inputs, Exceptions: reported.Exceptions, Rejects: rejects,
		OpenItems: openItems, Trend: trendPoints(trend),
	}
	// The summary reports the date's pulls over all its runs, not this
	// run's: a re-run that asks nothing new writes the same figures.
	pulls, err := r.db.PullTotals(ctx, r.day.Date)
	if err != nil {
		return err
	}
	counted := reported // the summary counts what is still open
	counted.Exceptions = recon.OpenOnly(reported.Exceptions)
	rep.Summary = summarize(figures, &counted, r.inputs, pulls, ageing)
	if settled != nil {
		rep.Settlements = true
		rep.Summary = withSettlementSummary(rep.Summary, &counted, &settled.figures)
	}
	rep.Finished = r.now()
	r.log.Info("writing reports", "stage", "export", "dir", r.res.Dir)
	r.begin(Stage{Name: "export"})
	restoreGC()
	t = time.Now()
	if err := export.Write(r.res.Dir, rep, r.cfg.Export); err != nil {
		return fmt.Errorf("write reports to %s: %w", r.res.Dir, err)
	}
	r.stageDone("export", len(rep.Exceptions)+len(rep.Rejects), t)
	r.res.Report = rep
	return nil
}

// age sets each exception's first_seen and age from earlier dates.
func (r *run) age(ctx context.Context, exs []recon.Exception) error {
	seen, err := r.db.FirstSeen(ctx, r.day.Date, r.day.Date)
	if err != nil {
		return err
	}
	for i := range exs {
		e := &exs[i]
		e.FirstSeen = r.day.Date
		if first, ok := seen[ledger.ExceptionKey(e.Category, e.Entity, e.Reference)]; ok && first < e.FirstSeen {
			e.FirstSeen = first
		}
		e.AgeDays = recon.AgeDays(e.FirstSeen, r.day.Date)
	}
	return nil
}

// recheck re-checks the open exceptions of the earlier dates of the
// re-check window: each such date is pulled again (when online), loaded
// and matched with the run's clock, and its stored exceptions are updated
// (ledger.DB.Recheck). It returns the ageing figures of the summary.
func (r *run) recheck(ctx context.Context, own []recon.Exception) (*Ageing, error) {
	days := r.cfg.RecheckDays
	if days == 0 {
		days = DefaultRecheckDays
	}
	a := &Ageing{Window: max(days, 0)}
	for i := range own {
		if own[i].FirstSeen < r.day.Date {
			a.StillOpen++
		} else {
			a.New++
		}
		a.Oldest = max(a.Oldest, own[i].AgeDays)
	}
	if days < 0 {
		return a, nil
	}
	dates, err := r.db.OpenDates(ctx, r.day.Date, days)
	if err != nil {
		return nil, err
	}
	for _, date := range dates {
		day, err := recon.ParseBusinessDay(date, r.cfg.Zone)
		if err != nil {
			return nil, err
		}
		roles, err := r.db.DayRoles(ctx, date)
		if err != nil {
			return nil, err
		}
		if r.cfg.Pull != nil && !r.cfg.Offline {
			stats, err := r.cfg.Pull(ctx, r.db, day)
			r.res.Pull = addPullStats(r.res.Pull, stats)
			if err != nil {
				return nil, fmt.Errorf("re-check %s: pull gateway statuses: %w", date, err)
			}
		}
		opts := r.cfg.Match
		opts.Authoritative = r.cfg.Offline && roles["gateway"]
		opts.WebhookLog = roles["webhooks"]
		opts.Now = r.started
		settle := r.newSettle(day, false)
		res, _, err := r.matchDay(ctx, day, opts, false, settle)
		if err != nil {
			settle.close()
			return nil, err
		}
		exs := res.Exceptions
		// The settlement checks of the date, or, in a run without their
		// sources, the date's open settlement exceptions as they stand.
		if settle != nil {
			settled, err := settle.finish(ctx)
			settle.close()
			if err != nil {
				return nil, fmt.Errorf("re-check %s: %w", date, err)
			}
			exs = withSettled(exs, settled.exceptions)
		} else {
			kept, err := r.db.OpenExceptions(ctx, date, recon.ReportSettlements)
			if err != nil {
				return nil, err
			}
			exs = withSettled(exs, kept)
		}
		seen, err := r.db.FirstSeen(ctx, date, r.day.Date)
		if err != nil {
			return nil, err
		}
		for i := range exs {
			exs[i].FirstSeen = date
			if first, ok := seen[ledger.ExceptionKey(exs[i].Category, exs[i].Entity, exs[i].Reference)]; ok && first < date {
				exs[i].FirstSeen = first
			}
		}
		rc, err := r.db.Recheck(ctx, date, r.day.Date, r.res.RunID, exs)
		if err != nil {
			return nil, err
		}
		a.New += rc.New
		a.StillOpen += rc.StillOpen
		a.Resolved += rc.Resolved
		for i := range rc.Open {
			rc.Open[i].Date = date
			a.Oldest = max(a.Oldest, rc.Open[i].AgeDays)
		}
		a.Open = append(a.Open, rc.Open...)
		a.Dates = append(a.Dates, *rc)
		r.log.Info("re-checked", "stage", "recheck", "date", date, "new", rc.New, "still_open", rc.StillOpen, "resolved", rc.Resolved)
	}
	return a, nil
}

// DefaultRecheckDays is the default re-check window (SPEC §4).
const DefaultRecheckDays = 7

// Ageing are the figures of exceptions that age: across the run's own date
// and the earlier dates it re-checked, how many exceptions are new, still
// open, or resolved by this run.
type Ageing struct {
	Window    int // days
	New       int
	StillOpen int
	Resolved  int
	Oldest    int // age in days of the oldest open exception
	Dates     []ledger.Recheck
	// Open are the exceptions of earlier dates still open after the
	// re-check, oldest date first.
	Open []recon.Exception
}

// withCarried returns own and the still-open exceptions of earlier dates,
// one row per (category, entity, reference) — the date's own row wins, then
// the most recent date's — sorted as the reports list them.
func withCarried(own, carried []recon.Exception) []recon.Exception {
	if len(carried) == 0 {
		return own
	}
	out := append([]recon.Exception(nil), own...)
	seen := make(map[string]bool, len(own)+len(carried))
	for i := range own {
		seen[ledger.ExceptionKey(own[i].Category, own[i].Entity, own[i].Reference)] = true
	}
	for i := len(carried) - 1; i >= 0; i-- { // newest date first
		e := carried[i]
		if k := ledger.ExceptionKey(e.Category, e.Entity, e.Reference); !seen[k] {
			seen[k] = true
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Less(&out[j]) })
	return out
}

func trendPoints(ts []ledger.DayTotal) []export.TrendPoint {
	out := make([]export.TrendPoint, len(ts))
	for i, t := range ts {
		out[i] = export.TrendPoint{Date: t.Date, Exceptions: t.Exceptions, AtRisk: t.AtRisk}
	}
	return out
}

// withSettled returns the exceptions of both, sorted as the reports list
// them.
func withSettled(own, settled []recon.Exception) []recon.Exception {
	if len(settled) == 0 {
		return own
	}
	out := append(own[:len(own):len(own)], settled...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Less(&out[j]) })
	return out
}

func addPullStats(a, b recon.PullStats) recon.PullStats {
	a.Keys += b.Keys
	a.Requests += b.Requests
	a.Retries += b.Retries
	a.RateLimited += b.RateLimited
	a.Failures += b.Failures
	a.NotFound += b.NotFound
	a.Elapsed += b.Elapsed
	return a
}
