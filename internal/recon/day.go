package recon

import "time"

// PullOutcome is what the last status pull of a key found.
type PullOutcome string

const (
	PullFound    PullOutcome = "found"
	PullNotFound PullOutcome = "not_found" // the gateway answered 404
	PullFailed   PullOutcome = "failed"    // no answer after every retry
)

// Day is everything known that one business day's reconciliation judges.
// The store fills it; matching reads it.
type Day struct {
	Date string // YYYY-MM-DD
	// Start and End bound the day: [Start, End) in the business zone.
	Start, End time.Time
	// Orders and Payouts are the rows of the day's ledgers whose own
	// timestamp falls in the day, in file order.
	Orders  []Order
	Payouts []Payout
	// OutOfDay counts, per ledger kind, the accepted rows of the day's own
	// file outside the day; OutsideDates splits them by the date they
	// belong to (kind → date → rows). Their own date's run judges them.
	OutOfDay     map[string]int
	OutsideDates map[string]map[string]int
	// FromNear counts, per file configured for the date before or after
	// (path → rows), the rows dated the day that Orders and Payouts hold
	// from it (SPEC §1: a row is judged by the run of its own date).
	FromNear map[string]int
	// Gateway holds the latest fetched record of each key of the day's
	// ledgers and of each key the gateway created in the day.
	Gateway []GatewayRecord
	// LedgerElsewhere holds the keys of the day's gateway records that have
	// a ledger row in another date's ledger.
	LedgerElsewhere map[Entity]map[string]bool
	// Deliveries holds every stored delivery of the day's keys, and every
	// delivery of the day's own logs.
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
