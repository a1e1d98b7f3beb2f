package ledger

import (
	"sort"
	"time"
)

// Run is one run of `recon run`, as the store records it.
type Run struct {
	ID           string `db:"id"`
	BusinessDate string `db:"business_date"`
	StartedAt    int64  `db:"started_at"`
	FinishedAt   *int64 `db:"finished_at"`
	Status       string `db:"status"`
	ExitCode     *int   `db:"exit_code"`
	Message      string `db:"message"`
	Summary      string `db:"summary"`
}

// Started returns when the run started.
func (r *Run) Started() time.Time { return time.Unix(0, r.StartedAt).UTC() }

// DateCount is how many rows fall on one business date.
type DateCount struct {
	Date string
	Rows int
}

// DateCounter counts a ledger file's rows by the business date, in a zone,
// of each row's instant (LedgerDates).
type DateCounter struct {
	zone   *time.Location
	counts map[string]int
}

// NewDateCounter starts a count of dates in zone.
func NewDateCounter(zone *time.Location) *DateCounter {
	return &DateCounter{zone: zone, counts: map[string]int{}}
}

// Add counts a row at the instant at, in nanoseconds since the epoch.
func (c *DateCounter) Add(at int64) { c.counts[time.Unix(0, at).In(c.zone).Format(time.DateOnly)]++ }

// Dates returns the counts in date order.
func (c *DateCounter) Dates() []DateCount {
	out := make([]DateCount, 0, len(c.counts))
	for d, n := range c.counts {
		out = append(out, DateCount{Date: d, Rows: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Date < out[j].Date })
	return out
}
