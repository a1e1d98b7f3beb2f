// Package ingest reads recon's sources: the merchant's order and payout
// ledgers (CSV or XLSX), KwikPaisa gateway dumps and webhook logs (JSON
// lines). Readers stream: each accepted record and each rejected row goes to
// a Sink as it is read, so a file of any size is read in bounded memory.
package ingest

import (
	"time"

	"github.com/kwikpaisa/recon/internal/recon"
)

// Options says how to read sources; start from DefaultOptions. A field
// left zero takes its default of SPEC §2: zone IST, the default status
// table, a 300 s replay window.
type Options struct {
	// Zone is the business time zone: naive ledger timestamps are in it.
	Zone *time.Location
	// Statuses maps status words to classes.
	Statuses *StatusTable
	// OrderColumns and PayoutColumns map a field (order_id, amount…) to the
	// header that holds it, overriding the aliases.
	OrderColumns  map[string]string
	PayoutColumns map[string]string
	// SettlementColumns and BankColumns do the same for a settlement
	// report and a bank statement (SPEC §7).
	SettlementColumns map[string]string
	BankColumns       map[string]string
	// SettlementEvents add event_type words (any case) to the built-in
	// table of SPEC §7.1, or change what one means.
	SettlementEvents map[string]recon.EventType
	// Sheet is the XLSX sheet to read; empty means the first.
	Sheet string
	// WebhookSecrets are the secrets a webhook signature may verify under
	// (several during a rotation).
	WebhookSecrets []string
	// ReplayWindow is the largest accepted |X-Timestamp − received_at|.
	ReplayWindow time.Duration
}

// gatewayZone is the zone of the gateway's own naive timestamps: KwikPaisa
// writes IST whatever the merchant's business zone.
var gatewayZone = time.FixedZone("IST", 5*3600+1800)

// DefaultOptions returns the options of SPEC §2 for a business zone.
func DefaultOptions(zone *time.Location) Options {
	return Options{
		Zone:         zone,
		Statuses:     DefaultStatuses(),
		ReplayWindow: 300 * time.Second,
	}
}

// withDefaults fills the zero fields of o.
func (o Options) withDefaults() Options {
	if o.Zone == nil {
		o.Zone = gatewayZone
	}
	if o.Statuses == nil {
		o.Statuses = DefaultStatuses()
	}
	if o.ReplayWindow <= 0 {
		o.ReplayWindow = 300 * time.Second
	}
	return o
}

// How many rows a reader parses ahead of its sink. The store takes rows in
// batches of a megabyte packed (about 7,500 ledger rows, 4,000 gateway
// records or webhook deliveries) and takes none while it writes one. A
// reader let only 2,048 rows ahead stopped early in each write, and the
// store then waited for its parse; two batches ahead took 0.3-0.4 s off the
// order ledger's load at tier M (issue 8). A JSON line's batch holds its
// text, so the JSON readers keep fewer rows in flight.
const (
	ledgerReadAhead = 16384
	linesReadAhead  = 8192
)

// Sink receives what a reader reads. A nil function discards its records.
// An error returned by a function stops the read and is returned by it.
type Sink struct {
	Order    func(*recon.Order) error
	Payout   func(*recon.Payout) error
	Gateway  func(*recon.GatewayRecord) error
	Delivery func(*recon.Delivery) error
	Reject   func(*recon.Reject) error
	// Settlement and BankEntry receive a settlement report's rows and a
	// bank statement's entries (SPEC §7).
	Settlement func(*recon.SettlementRow) error
	BankEntry  func(*recon.BankEntry) error
}

// Counts are a file's row counts: Read = Accepted + Rejected.
type Counts struct {
	Read, Accepted, Rejected int
	// NumericKeys counts the accepted rows whose order or payout id came
	// from a numeric XLSX cell: its leading zeros may be lost.
	NumericKeys int
}

func (c *Counts) accept() { c.Read++; c.Accepted++ }
func (c *Counts) reject() { c.Read++; c.Rejected++ }
