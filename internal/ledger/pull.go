package ledger

import (
	"time"

	"github.com/kwikpaisa/recon/internal/recon"
)

// PullKey is a key the pull stage asks the gateway about, and why.
type PullKey struct {
	Entity recon.Entity `db:"entity"`
	Key    string       `db:"key"`
	// Why is "day" (a ledger key of the date without a final gateway
	// status), "webhook" (a key only a verified webhook knows) or
	// "recheck" (an open exception of an earlier date).
	Why string `db:"why"`
}

// PullResult is the outcome of one key's pull.
type PullResult struct {
	Entity   recon.Entity
	Key      string
	Outcome  recon.PullOutcome
	Record   *recon.GatewayRecord // when found; its Raw is kept
	Attempts int
	Error    string // why it failed; never holds a secret
	At       time.Time
	// Date is the business date the pull served; with Retries and
	// RateLimited it adds to the date's pull figures (PullTotals).
	Date                 string
	Retries, RateLimited int
}
