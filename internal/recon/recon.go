// Package recon holds the domain of a reconciliation: the records read from
// each source, the status classes they map to, and the exceptions a run
// reports. It knows nothing of files, SQL or HTTP; the packages below
// internal/ adapt those technologies to these types.
package recon

import (
	"strconv"
	"strings"
)

// Entity is what a record or an exception is about.
type Entity string

const (
	EntityPayin   Entity = "PAYIN"
	EntityPayout  Entity = "PAYOUT"
	EntityWebhook Entity = "WEBHOOK"
	// EntitySettlement and EntityBank are a settlement (or one row of it)
	// and a bank statement's credit (SPEC §7.4).
	EntitySettlement Entity = "SETTLEMENT"
	EntityBank       Entity = "BANK"
)

// StatusClass is the normalised meaning of a status word (SPEC §2.1). It
// is a byte in each of a day's millions of records; String gives its word,
// which the store, the reports and the configuration use.
type StatusClass uint8

const (
	StatusNone StatusClass = iota // no class: a record that has no status
	StatusSuccess
	StatusNotPaid
	StatusFailed
	StatusPending
	StatusRefunded
	StatusReversed
)

var classWords = [...]string{StatusNone: "", StatusSuccess: "SUCCESS", StatusNotPaid: "NOT_PAID", StatusFailed: "FAILED",
	StatusPending: "PENDING", StatusRefunded: "REFUNDED", StatusReversed: "REVERSED"}

// String returns the class's word: SUCCESS, NOT_PAID… ("" for none).
func (c StatusClass) String() string { return wordOf(classWords[:], uint8(c), "StatusClass") }

// MarshalText writes the class's word, for JSON and TOML.
func (c StatusClass) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// ParseStatusClass reads a class's word as String writes it; ok is false
// for any other word.
func ParseStatusClass(word string) (c StatusClass, ok bool) {
	i, ok := wordIndex(classWords[:], word)
	return StatusClass(i), ok
}

// wordOf returns the word of value i of a byte-sized enumeration (words
// by value), or type(i) for a value with none.
func wordOf(words []string, i uint8, typ string) string {
	if int(i) < len(words) {
		return words[i]
	}
	return typ + "(" + strconv.Itoa(int(i)) + ")"
}

// wordIndex returns the value whose word is w, or 0 and false.
func wordIndex(words []string, w string) (uint8, bool) {
	for i, word := range words {
		if word == w {
			return uint8(i), true
		}
	}
	return 0, false
}

// Final reports whether no further ordinary state change is expected.
// PENDING is the only non-final class; a final state may still have a later
// state (SUCCESS→REFUNDED, SUCCESS→REVERSED), see Succeeds.
func (c StatusClass) Final() bool { return c != StatusNone && c != StatusPending }

// Succeeds reports whether c is a legitimate later state of prev: a refunded
// pay-in was once successful, a reversed payout was once processed.
func (c StatusClass) Succeeds(prev StatusClass) bool {
	return prev == StatusSuccess && (c == StatusRefunded || c == StatusReversed)
}

// Reject is an input row that could not be read. It is never dropped: it is
// stored and reported in rejects.csv with everything needed to find it.
type Reject struct {
	File   string
	Line   string
	Column string
	Value  string
	Reason string
}

// Error makes a Reject usable as an error where a single bad value stops a
// row; the reason is already a plain sentence.
func (r *Reject) Error() string {
	var b strings.Builder
	b.WriteString(r.File)
	if r.Line != "" {
		b.WriteString(":" + r.Line)
	}
	if r.Column != "" {
		b.WriteString(": column " + r.Column)
	}
	b.WriteString(": " + r.Reason)
	return b.String()
}

// SourceFile is one input file of a run, as the summary and the manifest
// account for it: rows read = rows accepted + rows rejected.
type SourceFile struct {
	Kind     string // orders, payouts, gateway, webhooks
	Path     string
	SHA256   string
	Size     int64
	Read     int
	Accepted int
	Rejected int
	// OutOfDay counts accepted ledger rows whose own timestamp falls outside
	// the business day; they are kept but not matched in this run.
	OutOfDay int
	// NumericKeys counts the accepted rows whose order or payout id came
	// from a numeric XLSX cell, where a spreadsheet drops leading zeros.
	NumericKeys int
	// PreviousSHA256 is set when the file changed since the last run of the
	// same date.
	PreviousSHA256 string
	// Settings fingerprints the settings the file was read with
	// (ingest.Options.Fingerprint).
	Settings string
	// Stamp is the file system's stamp of the file when it was hashed
	// (ingest.Stamp); empty when it is not to be trusted.
	Stamp string
}
