package recon

// EventType is what one row of a settlement report settles (SPEC §7.1).
type EventType uint8

const (
	EventNone EventType = iota
	EventPayment
	EventRefund
	EventChargeback
	EventAdjustment
)

var eventWords = [...]string{EventNone: "", EventPayment: "PAYMENT", EventRefund: "REFUND",
	EventChargeback: "CHARGEBACK", EventAdjustment: "ADJUSTMENT"}

// String returns the type's word: PAYMENT, REFUND, CHARGEBACK, ADJUSTMENT.
func (t EventType) String() string { return wordOf(eventWords[:], uint8(t), "EventType") }

// ParseEventType reads a type's word as String writes it.
func ParseEventType(word string) (EventType, bool) {
	i, ok := wordIndex(eventWords[:], word)
	return EventType(i), ok && i != 0
}

// SettlementRow is one row of KwikPaisa's settlement report: one settled
// event. Amount, Fee and Tax are never negative; the event's sign is its
// type. Net is signed: net = ±amount − fee − tax.
//
// A run holds every row of the reports of its window (some 860,000 for a
// day of a million orders), so the row is kept small: an Instant, not a
// time.Time, and the two one-byte fields side by side.
type SettlementRow struct {
	SettlementID  string
	UTR           string // settlement_utr, normalised as a UTR
	SettledAt     Instant
	OrderID       string // empty for an ADJUSTMENT without one
	TransactionID string
	PaymentMethod string
	Amount        Amount
	Fee           Amount
	Tax           Amount
	Net           Amount
	Type          EventType
	// HasAmounts is false for an ADJUSTMENT that gave only its net amount.
	HasAmounts bool
	Place      Place // the report and its CSV line or Sheet!row
}

// Signed returns the row's amount with the sign of its type: a PAYMENT
// adds, a REFUND or a CHARGEBACK subtracts.
func (r *SettlementRow) Signed() Amount {
	if r.Type == EventRefund || r.Type == EventChargeback {
		return -r.Amount
	}
	return r.Amount
}

// BankEntry is one entry of the merchant's bank statement.
type BankEntry struct {
	Date      string // booking date, YYYY-MM-DD
	Credit    bool   // money in; only credits are matched
	Amount    Amount // never negative
	Reference string
	Narration string
	// Balance is the running balance after the entry, when the statement
	// gives one.
	Balance    Amount
	HasBalance bool
	File       string
	// Line is the entry's place in its file: a CSV line, Sheet!row, Ntry[n]
	// (CAMT.053, counted from 1) or the line of its :61: field (MT940).
	Line string
}
