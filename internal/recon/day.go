package recon

import (
	"fmt"
	"time"
)

// PullOutcome is what the last status pull of a key found.
type PullOutcome string

const (
	PullFound    PullOutcome = "found"
	PullNotFound PullOutcome = "not_found" // the gateway answered 404
	PullFailed   PullOutcome = "failed"    // no answer after every retry
)

// BusinessDay is the business date a run judges, from the --date flag to
// the reports: Date (YYYY-MM-DD) is the day [Start, End) in the business
// zone.
type BusinessDay struct {
	Date       string
	Start, End time.Time
}

// ParseBusinessDay reads a YYYY-MM-DD business date in zone.
func ParseBusinessDay(date string, zone *time.Location) (BusinessDay, error) {
	t, err := time.ParseInLocation(time.DateOnly, date, zone)
	if err != nil || t.Format(time.DateOnly) != date {
		return BusinessDay{}, fmt.Errorf("date %q is not a calendar date YYYY-MM-DD", date)
	}
	return BusinessDay{Date: date, Start: t, End: t.AddDate(0, 0, 1)}, nil
}

// AgeDays is the number of calendar days from first to date (both
// YYYY-MM-DD), 0 when either is not a date.
func AgeDays(first, date string) int {
	f, err1 := time.Parse(time.DateOnly, first)
	d, err2 := time.Parse(time.DateOnly, date)
	if err1 != nil || err2 != nil {
		return 0
	}
	return int(d.Sub(f).Hours() / 24)
}

// Day is everything known that one business day's reconciliation judges.
// The store fills it; matching reads it.
type Day struct {
	BusinessDay
	// Orders and Payouts are the rows of the day's ledgers whose own
	// timestamp falls in the day, in file order.
	Orders  []Order
	Payouts []Payout
	RowCounts
	// Gateway holds the latest fetched record of each key of the day's
	// ledgers and of each key the gateway created in the day.
	Gateway []GatewayRecord
	// LedgerElsewhere holds the keys of the day's gateway records that have
	// a ledger row in another date's ledger.
	LedgerElsewhere map[Entity]map[string]bool
	// Deliveries holds every stored delivery of the day's keys, and every
	// delivery of the day's own logs: grouped by key (GroupDeliveries),
	// those naming one key string in log path and line order, which
	// matching reads.
	Deliveries []Delivery
	// KnownKeys holds the keys of the day's own-log deliveries that a
	// ledger of any date (inside its day or not) or a gateway record knows,
	// beyond the day's ledger rows and Gateway: such a delivery is not an
	// orphan.
	KnownKeys map[Entity]map[string]bool
	// DayLog is the day's own webhook log ("" when none was given).
	DayLog string
	// Pulls is the outcome of the last pull of each key that was pulled.
	Pulls map[Entity]map[string]PullOutcome
	// Keys numbers, per entity (PAYIN and PAYOUT), every key of the day's
	// ledger rows, gateway records and deliveries, and may hold more; each
	// record's KeyNo is its key's number, and the records share its key
	// strings. Nil for a day built by hand: matching then numbers the keys
	// itself.
	Keys map[Entity]*Keys
}

// RowCounts are a day's counts of ledger rows the summary reports.
type RowCounts struct {
	// OutOfDay counts, per ledger kind, the accepted rows of the day's own
	// file outside the day; OutsideDates splits them by the date they
	// belong to (kind → date → rows). Their own date's run judges them.
	OutOfDay     map[string]int
	OutsideDates map[string]map[string]int
	// FromNear counts, per file configured for the date before or after
	// (path → rows), the rows dated the day that Orders and Payouts hold
	// from it (SPEC §1: a row is judged by the run of its own date).
	FromNear map[string]int
}

// NewRowCounts returns empty RowCounts.
func NewRowCounts() RowCounts {
	return RowCounts{OutOfDay: map[string]int{}, OutsideDates: map[string]map[string]int{}, FromNear: map[string]int{}}
}

// Add adds o's counts to c's (c made by NewRowCounts): the counts of two
// parts of a day (Part), which share no row, are the day's.
func (c *RowCounts) Add(o RowCounts) {
	for kind, n := range o.OutOfDay {
		c.OutOfDay[kind] += n
	}
	for kind, dates := range o.OutsideDates {
		if c.OutsideDates[kind] == nil {
			c.OutsideDates[kind] = map[string]int{}
		}
		for date, n := range dates {
			c.OutsideDates[kind][date] += n
		}
	}
	for path, n := range o.FromNear {
		c.FromNear[path] += n
	}
}

// PullStats are the figures of a pull stage.
type PullStats struct {
	Keys        int // keys asked for
	Requests    int // HTTP requests sent
	Retries     int
	RateLimited int // 429 answers
	Failures    int // keys that failed after every retry
	NotFound    int
	Elapsed     time.Duration
}
