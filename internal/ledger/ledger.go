// Package ledger is recon's store: the Store interface every database
// behind recon implements, and the types it speaks in. The adapters live
// beneath it: sqlite (the default, one file, nothing to run) and postgres
// (a shared database for a team). A new query is a method of Store,
// implemented by each adapter and checked by the conformance suite in
// ledger/storetest; a new store is a package beside the two that passes it.
//
// The store stores and streams. What a day is (which gateway record counts,
// which keys only the gateway knows) is decided in the domain package,
// recon, and matching in match.
package ledger

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kwikpaisa/recon/internal/recon"
)

// Store is everything a run, a pull, the workflow commands and the metrics
// ask of a database. One method is one transaction.
type Store interface {
	// Close waits for the store's background work and closes it.
	Close() error
	// Name says which database this is, for messages: a file's path, or
	// a URL without its password.
	Name() string

	// LockDate takes the lock that keeps two runs of one business date
	// from interleaving: at once, returning a *LockedError when another
	// run holds it, or, with wait, waiting for it (waiting, when not nil,
	// is told once who holds it). holder is what a refused run is told.
	// The lock is freed by unlock and, should the process die, by the
	// system or the database.
	LockDate(ctx context.Context, date, holder string, wait bool, waiting func(*LockedError)) (unlock func() error, err error)

	// Source files (ingest).
	SourceFile(ctx context.Context, kind, path string) (*StoredFile, error)
	SetStamp(ctx context.Context, kind, path, stamp string) error
	LoadFile(ctx context.Context, f *recon.SourceFile, read func(Loader) error) error
	SetDaySources(ctx context.Context, date string, roles map[string]recon.SourceFile) error
	DayRejects(ctx context.Context, date string) ([]recon.Reject, error)
	LedgerDates(ctx context.Context, kind, path string, zone *time.Location) ([]DateCount, error)
	DayRoles(ctx context.Context, date string) (map[string]bool, error)

	// The day a run matches.
	LoadDay(ctx context.Context, day recon.BusinessDay) (*recon.Day, error)
	KnownOrders(ctx context.Context, ids []string) (map[string]bool, error)

	// The pull stage.
	PullCandidates(ctx context.Context, date string, from, to time.Time, recheckFrom string, freshSince time.Time) ([]PullKey, error)
	SavePull(ctx context.Context, p *PullResult) error
	PullTotals(ctx context.Context, date string) (recon.PullStats, error)

	// Exceptions, their ageing and re-checks.
	FirstSeen(ctx context.Context, date, runDate string) (map[string]string, error)
	SaveExceptions(ctx context.Context, date, runID string, exs []recon.Exception) error
	OpenDates(ctx context.Context, date string, days int) ([]string, error)
	OpenExceptions(ctx context.Context, date string, report recon.Report) ([]recon.Exception, error)
	Recheck(ctx context.Context, date, runDate, runID string, exs []recon.Exception) (*Recheck, error)
	Trend(ctx context.Context, date string, days int) ([]DayTotal, error)

	// The exception workflow (SPEC §8).
	FindKey(ctx context.Context, k Key) (Key, error)
	Current(ctx context.Context, k Key) (Workflow, error)
	Record(ctx context.Context, changes []Change) ([]AuditEntry, error)
	ApplyStates(ctx context.Context, exs []recon.Exception) error
	Audit(ctx context.Context, date string) ([]AuditEntry, error)
	List(ctx context.Context, f Filter) ([]Listed, error)

	// Runs.
	StartRun(ctx context.Context, id, date string, started time.Time) error
	FinishRun(ctx context.Context, id, status string, exit int, message, summary string, finished time.Time) error
	FailRun(ctx context.Context, id, date string, started, finished time.Time, exit int, message string) error
	SetRunExit(ctx context.Context, id string, exit int, message string) error
	Runs(ctx context.Context, limit int) ([]Run, error)
}

// LoadCollector is implemented by a store whose LoadDay makes garbage as
// it reads, every row decoded by a driver into values of its own: a run
// collects at the store's percentage (GOGC) while it loads a day. Without
// it the run collects rarely through the load, which suits a store that
// reads a day straight into the day's own memory (SQLite's).
type LoadCollector interface {
	LoadGCPercent() int
}

// ConcurrentLoader is implemented by a store whose LoadFile may run for
// files of different kinds at once, each in its own transaction (a server
// database, whose sessions write in parallel): a run loads that many of
// its files at a time. Without it the run loads one file after another,
// which suits a store with one writer (SQLite's).
type ConcurrentLoader interface {
	LoadConcurrency() int
}

// PartLoader is implemented by a store that can load a day a part of its
// keys at a time (recon.Part): DayParts says into which parts a day is
// split (one, the whole day, for a day small enough), LoadDayPart loads
// one. A run then holds one part's records, not the whole day's. Without
// it a run loads the day whole. The loads of a day's parts may share what
// the store keeps between them until EndParts, which a run calls once the
// day's last part is loaded.
type PartLoader interface {
	DayParts(ctx context.Context, day recon.BusinessDay) ([]recon.Part, error)
	LoadDayPart(ctx context.Context, day recon.BusinessDay, part recon.Part) (*recon.Day, error)
	EndParts(day recon.BusinessDay)
}

// PartKeeper is implemented by a PartLoader that can keep what a run of a
// day's parts read from it for the next run of the same date, which reads
// it again while the store is unchanged: a run calls KeepParts for its own
// date before DayParts (a re-checked date's parts are not kept). With keep
// false the store keeps none, and lets go of what it kept.
type PartKeeper interface {
	KeepParts(day recon.BusinessDay, keep bool)
}

// Loader stores the records of one source file inside LoadFile's
// transaction.
type Loader interface {
	Order(o *recon.Order) error
	Payout(p *recon.Payout) error
	Gateway(g *recon.GatewayRecord) error
	Delivery(d *recon.Delivery) error
	Reject(r *recon.Reject) error
}

// ErrDateLocked is what a *LockedError wraps.
var ErrDateLocked = errors.New("date locked")

// LockedError says that another run holds a date's lock, and which.
type LockedError struct {
	Date   string
	Holder string // what the holder recorded: pid, run and start time; "" when unknown
	Where  string // the lock: a file's path, or the database's advisory lock
}

func (e *LockedError) Error() string {
	h := e.Holder
	if h == "" {
		h = "another process"
	}
	return fmt.Sprintf("date %s is being reconciled by %s (lock %s)", e.Date, h, e.Where)
}

func (e *LockedError) Unwrap() error { return ErrDateLocked }
