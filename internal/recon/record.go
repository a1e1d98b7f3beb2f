package recon

import (
	"encoding/hex"
	"time"
)

// Order is one row of the merchant's order ledger (a pay-in).
type Order struct {
	OrderID       string
	Amount        Amount
	Currency      string
	Status        string // as written in the ledger
	CreatedAt     Instant
	TransactionID string
	PaymentMethod string
	Place         Place
	Class         StatusClass // beside KeyNo (a byte: a day holds millions)
	// KeyNo is the number of the record's key in the day's Keys
	// (Day.Keys), which the store sets as it loads a day; -1 when the key
	// has none. Matching reads it only from a day whose Keys are set.
	KeyNo int32
}

// Payout is one row of the merchant's payout ledger.
type Payout struct {
	PayoutID           string
	Amount             Amount
	Currency           string
	Status             string
	TransferMode       string
	BeneficiaryAccount string
	BeneficiaryIFSC    string
	BeneficiaryVPA     string
	UTR                string // normalised; empty when absent or corrupted
	UTRRaw             string // the cell as read, kept for the report when corrupted
	RequestedAt        Instant
	Place              Place
	Class              StatusClass
	UTRCorrupted       bool // the ledger's UTR was destroyed by a spreadsheet
	// KeyNo is the number of the record's key in the day's Keys
	// (Day.Keys), which the store sets as it loads a day; -1 when the key
	// has none. Matching reads it only from a day whose Keys are set.
	KeyNo int32
}

// GatewayRecord is KwikPaisa's word on one pay-in or payout: the
// return_data of a status response, from a dump or a pull. Its fields are
// those matching reads; the rest of what the gateway said is in Detail.
type GatewayRecord struct {
	Entity             Entity
	Key                string // order_id or payout_order_id
	Amount             Amount
	Currency           string
	Status             string // as the gateway wrote it: PAID, UN_PAID, SUCCESS…
	TransactionID      string
	UTR                string // payouts: utr or rrn_number, normalised
	BeneficiaryAccount string
	BeneficiaryIFSC    string
	BeneficiaryVPA     string
	CreatedAt          Instant // zero when the gateway gave none
	Place              Place
	Class              StatusClass
	// KeyNo is the number of the record's key in the day's Keys
	// (Day.Keys), which the store sets as it loads a day; -1 when the key
	// has none. Matching reads it only from a day whose Keys are set.
	KeyNo int32
	// Detail is set on a record read from a dump or a pull, and stored
	// with it; a record loaded for matching leaves it nil, so that a
	// day's million records carry only what matching reads.
	Detail *GatewayDetail
}

// GatewayDetail is what a gateway record says beyond what matching reads.
type GatewayDetail struct {
	GatewayID     string // kwikX_order_id or kwikx_payout_id
	BankReference string
	PaymentMethod string
	TransferMode  string
	FailureReason string
	SettledAt     time.Time // paid_at or processed_at
	Raw           []byte    // the return_data object as received
}

// VerifyMethod says how a webhook signature was verified. It is a byte in
// each of a day's million deliveries; String gives the word the store and
// the reports use.
type VerifyMethod uint8

const (
	VerifyNone      VerifyMethod = iota // not verified
	VerifyRaw                           // over the body bytes as received
	VerifyCanonical                     // over the canonical JSON of the body
)

var verifyWords = [...]string{VerifyNone: "", VerifyRaw: "raw", VerifyCanonical: "canonical"}

// String returns "", "raw" or "canonical".
func (v VerifyMethod) String() string { return wordOf(verifyWords[:], uint8(v), "VerifyMethod") }

// ParseVerifyMethod reads what String wrote; ok is false for any other
// word.
func ParseVerifyMethod(s string) (v VerifyMethod, ok bool) {
	i, ok := wordIndex(verifyWords[:], s)
	return VerifyMethod(i), ok
}

// Delivery is one webhook delivery the merchant's server stored.
type Delivery struct {
	Place      Place
	ReceivedAt Instant
	Timestamp  int64 // X-Timestamp, unix seconds
	Event      string
	Entity     Entity // PAYIN or PAYOUT; empty when the body names none
	Key        string // order_id or payout_order_id; empty when unparsable
	Amount     Amount
	Class      StatusClass // Class to KeyNo share a word: a day holds millions
	HasAmount  bool
	Stale      bool // X-Timestamp outside the replay window
	Verified   VerifyMethod
	// KeyNo is the number of the record's key in the day's Keys
	// (Day.Keys), which the store sets as it loads a day; -1 when the key
	// has none. Matching reads it only from a day whose Keys are set.
	KeyNo         int32
	Currency      string
	TransactionID string
	UTR           string
	BodySHA256    Digest
	Problem       string // why the body could not be read, if it could not
}

// NotStrictJSON begins the Problem of a delivery whose body is not strict
// JSON: such a body is verified by neither method (SPEC §2.3), whatever
// its signature.
const NotStrictJSON = "body is not strict JSON"

// Evidence reports whether the delivery may count as evidence of a status:
// verified, fresh and readable.
func (d *Delivery) Evidence() bool {
	return d.Verified != VerifyNone && !d.Stale && d.Problem == "" && d.Key != ""
}

// Digest is a SHA-256 digest.
type Digest [32]byte

// String returns the digest in lower-case hex.
func (d Digest) String() string { return hex.EncodeToString(d[:]) }

// Instant is a moment as Unix nanoseconds; 0 is none (the zero
// time.Time), as the store writes it. A record carries its instants so: 8
// bytes where a time.Time takes 24, in each of a day's millions of records.
type Instant int64

// InstantOf returns t as an Instant.
func InstantOf(t time.Time) Instant {
	if t.IsZero() {
		return 0
	}
	return Instant(t.UnixNano())
}

// Time returns the instant in UTC (the zero time for none).
func (i Instant) Time() time.Time {
	if i == 0 {
		return time.Time{}
	}
	return time.Unix(0, int64(i)).UTC()
}

// IsZero says whether the instant is none.
func (i Instant) IsZero() bool { return i == 0 }
