package recon

import (
	"slices"
	"strings"
)

// Category is an exception category of SPEC §4.
type Category string

const (
	// Mismatches.
	MissingAtGateway        Category = "MISSING_AT_GATEWAY"
	MissingInLedger         Category = "MISSING_IN_LEDGER"
	Unverified              Category = "UNVERIFIED"
	AmountMismatch          Category = "AMOUNT_MISMATCH"
	CurrencyMismatch        Category = "CURRENCY_MISMATCH"
	StatusMismatch          Category = "STATUS_MISMATCH"
	UTRMismatch             Category = "UTR_MISMATCH"
	BeneficiaryMismatch     Category = "BENEFICIARY_MISMATCH"
	WebhookConflict         Category = "WEBHOOK_CONFLICT"
	WebhookMissing          Category = "WEBHOOK_MISSING"
	WebhookSignatureInvalid Category = "WEBHOOK_SIGNATURE_INVALID"
	WebhookReplayed         Category = "WEBHOOK_REPLAYED"
	WebhookOrphan           Category = "WEBHOOK_ORPHAN"

	// Duplicates.
	DuplicateLedgerRow Category = "DUPLICATE_LEDGER_ROW"
	DuplicatePayment   Category = "DUPLICATE_PAYMENT"
	DuplicatePayout    Category = "DUPLICATE_PAYOUT"
	DuplicateUTR       Category = "DUPLICATE_UTR"
	DuplicateWebhook   Category = "DUPLICATE_WEBHOOK"

	// Missing UTR.
	MissingUTR   Category = "MISSING_UTR"
	UTRCorrupted Category = "UTR_CORRUPTED"

	// Settlements and bank credits (SPEC §7.4).
	Unsettled                Category = "UNSETTLED"
	SettledNotPaid           Category = "SETTLED_NOT_PAID"
	SettlementAmountMismatch Category = "SETTLEMENT_AMOUNT_MISMATCH"
	DuplicateSettlement      Category = "DUPLICATE_SETTLEMENT"
	RefundNotDeducted        Category = "REFUND_NOT_DEDUCTED"
	FeeMismatch              Category = "FEE_MISMATCH"
	TaxMismatch              Category = "TAX_MISMATCH"
	NetMismatch              Category = "NET_MISMATCH"
	BankCreditMissing        Category = "BANK_CREDIT_MISSING"
	BankCreditMismatch       Category = "BANK_CREDIT_MISMATCH"
	UnexplainedCredit        Category = "UNEXPLAINED_CREDIT"
)

// Report names the report file a category belongs to.
type Report string

const (
	ReportMismatches  Report = "mismatches"
	ReportDuplicates  Report = "duplicates"
	ReportMissingUTR  Report = "missing_utr"
	ReportSettlements Report = "settlements"
)

// categoryInfo is everything recon says about a category besides its
// name: the report it is written to, its severity (README "Severity"), and
// in plain words what a person does about one (the workbook's "What to do"
// column).
type categoryInfo struct {
	category Category
	report   Report
	// severity is the category's; unmoved, when set, is its severity when
	// no money moved on either side (a SUCCESS, REFUNDED or REVERSED
	// status in the ledger or at the gateway).
	severity, unmoved Severity
	todo              string
}

// categoryTable is the one table of categories, in report order, then
// alphabetically: adding a category is adding its row here.
// TestCategoryTableComplete checks that every Category constant has one.
var categoryTable = []categoryInfo{
	{AmountMismatch, ReportMismatches, SeverityCritical, "",
		"Compare the amounts with the gateway's dashboard; correct the ledger, or raise a dispute with KwikPaisa."},
	{BeneficiaryMismatch, ReportMismatches, SeverityHigh, "",
		"Stop and check who was paid: confirm the account, IFSC or VPA with the payee before paying again."},
	{CurrencyMismatch, ReportMismatches, SeverityHigh, "",
		"Check the order's currency with the gateway; correct the ledger entry."},
	{MissingAtGateway, ReportMismatches, SeverityCritical, SeverityInfo,
		"The gateway has no such payment: confirm with KwikPaisa; if it never happened, reverse it in the ledger."},
	{MissingInLedger, ReportMismatches, SeverityCritical, SeverityInfo,
		"KwikPaisa has it, the ledger does not: add it to the ledger, or refund or reverse it."},
	{StatusMismatch, ReportMismatches, SeverityCritical, SeverityInfo,
		"Trust the gateway's status: update the ledger, refund or re-pay as the status says."},
	{Unverified, ReportMismatches, SeverityMedium, "",
		"The gateway did not answer: re-run later; nothing to correct yet."},
	{UTRMismatch, ReportMismatches, SeverityHigh, "",
		"Ask the bank which UTR credited the payee; correct the ledger's UTR."},
	{WebhookConflict, ReportMismatches, SeverityHigh, "",
		"The webhook and the gateway disagree: go by the gateway's status; tell the developers."},
	{WebhookMissing, ReportMismatches, SeverityLow, "",
		"No webhook came for this payment: check the webhook endpoint; the gateway's status stands."},
	{WebhookOrphan, ReportMismatches, SeverityLow, "",
		"A webhook for an order nobody knows: check whether the order exists; tell the developers."},
	{WebhookReplayed, ReportMismatches, SeverityMedium, "",
		"A webhook arrived too late or was replayed: ignore it as evidence; tell the developers if it repeats."},
	{WebhookSignatureInvalid, ReportMismatches, SeverityHigh, "",
		"A webhook failed its signature: possibly forged; check the webhook secret, tell security."},
	{DuplicateLedgerRow, ReportDuplicates, SeverityMedium, "",
		"The ledger lists this twice: remove the extra row."},
	{DuplicatePayment, ReportDuplicates, SeverityCritical, "",
		"The customer paid twice: refund the extra payment."},
	{DuplicatePayout, ReportDuplicates, SeverityCritical, "",
		"Possibly paid twice: check with the bank; recover the extra payout."},
	{DuplicateUTR, ReportDuplicates, SeverityHigh, "",
		"One bank reference on two payouts: ask the bank which payout it belongs to."},
	{DuplicateWebhook, ReportDuplicates, SeverityLow, "",
		"The same webhook came more than once: no action unless it keeps growing."},
	{MissingUTR, ReportMissingUTR, SeverityMedium, "",
		"Get the UTR from the bank statement or the gateway; add it to the ledger."},
	{UTRCorrupted, ReportMissingUTR, SeverityMedium, "",
		"A spreadsheet damaged the UTR: re-export the ledger with UTRs as text."},
	{BankCreditMismatch, ReportSettlements, SeverityCritical, "",
		"The bank credited a different amount than the settlement: ask the bank and KwikPaisa about the difference."},
	{BankCreditMissing, ReportSettlements, SeverityCritical, "",
		"No bank credit for this settlement yet: check the bank statement; if the window has passed, ask KwikPaisa for the UTR."},
	{DuplicateSettlement, ReportSettlements, SeverityCritical, "",
		"The payment was settled more than once: ask KwikPaisa to recover the extra settlement."},
	{FeeMismatch, ReportSettlements, SeverityHigh, "",
		"The fee differs from the contracted rate: raise it with KwikPaisa, quoting the settlement id and the rate."},
	{NetMismatch, ReportSettlements, SeverityHigh, "",
		"The row's net does not add up (amount − fee − tax): ask KwikPaisa to correct the settlement report."},
	{RefundNotDeducted, ReportSettlements, SeverityHigh, "",
		"A refund not yet deducted: expect it in a coming settlement; if the window has passed, ask KwikPaisa."},
	{SettledNotPaid, ReportSettlements, SeverityCritical, "",
		"KwikPaisa settled a payment the books do not show as paid: check the order; correct the ledger or ask KwikPaisa."},
	{SettlementAmountMismatch, ReportSettlements, SeverityCritical, "",
		"The settled amount differs from the payment: raise it with KwikPaisa with the settlement id."},
	{TaxMismatch, ReportSettlements, SeverityMedium, "",
		"The GST on the fee is wrong: raise it with KwikPaisa; check the GST invoice."},
	{UnexplainedCredit, ReportSettlements, SeverityMedium, "",
		"A gateway credit no settlement explains: ask KwikPaisa which settlement it is; do not book it until then."},
	{Unsettled, ReportSettlements, SeverityHigh, "",
		"Paid but not settled yet: wait for the settlement window; if it has passed, ask KwikPaisa when it will settle."},
}

// Categories lists every category in report order, then alphabetically.
var Categories = func() []Category {
	out := make([]Category, len(categoryTable))
	for i, c := range categoryTable {
		out[i] = c.category
	}
	return out
}()

func (c Category) info() (categoryInfo, bool) {
	for _, info := range categoryTable {
		if info.category == c {
			return info, true
		}
	}
	return categoryInfo{}, false
}

// Severity ranks an exception of the category by the money at stake; moved
// says whether money moved on either side.
//
//   - CRITICAL: money moved and the books disagree on how much or whether.
//   - HIGH: money may be misdirected or a record may be forged.
//   - MEDIUM: a record cannot be confirmed, or is damaged or repeated.
//   - LOW: a signal that hides no money by itself.
//   - INFO: nothing moved; kept so that every row is accounted for.
func (c Category) Severity(moved bool) Severity {
	info, ok := c.info()
	switch {
	case !ok:
		return SeverityInfo
	case !moved && info.unmoved != "":
		return info.unmoved
	}
	return info.severity
}

// Report returns the report a category is written to.
func (c Category) Report() Report {
	if info, ok := c.info(); ok {
		return info.report
	}
	return ReportMismatches
}

// WhatToDo says in plain words what a person does about an exception of
// the category.
func (c Category) WhatToDo() string { info, _ := c.info(); return info.todo }

// State is where a person has taken an exception (SPEC §8).
type State string

const (
	StateOpen          State = "OPEN"
	StateInvestigating State = "INVESTIGATING"
	StateResolved      State = "RESOLVED"    // handled outside recon
	StateWrittenOff    State = "WRITTEN_OFF" // an accepted difference
)

// States lists the states in workflow order.
var States = []State{StateOpen, StateInvestigating, StateResolved, StateWrittenOff}

// ParseState reads a state, in any case and with spaces around.
func ParseState(s string) (State, bool) {
	st := State(strings.ToUpper(strings.TrimSpace(s)))
	return st, slices.Contains(States, st)
}

// Open says whether the state still asks for work: OPEN (also the zero
// state) or INVESTIGATING. Open counts, carried exceptions, the metrics
// and --fail-on count only these.
func (s State) Open() bool { return s == "" || s == StateOpen || s == StateInvestigating }

// NeedsNote says whether moving to the state needs a note.
func (s State) NeedsNote() bool { return s == StateResolved || s == StateWrittenOff }

// OpenOnly returns the exceptions whose state is open, sharing exs when
// all are.
func OpenOnly(exs []Exception) []Exception {
	n := 0
	for i := range exs {
		if exs[i].State.Open() {
			n++
		}
	}
	if n == len(exs) {
		return exs
	}
	out := make([]Exception, 0, n)
	for i := range exs {
		if exs[i].State.Open() {
			out = append(out, exs[i])
		}
	}
	return out
}

// AtRisk is the money an exception puts at risk: the difference when both
// amounts are known, else the amount there is (ledger first).
func (e *Exception) AtRisk() Amount {
	switch {
	case e.Difference != nil:
		if *e.Difference < 0 {
			return -*e.Difference
		}
		return *e.Difference
	case e.LedgerAmount != nil:
		return *e.LedgerAmount
	case e.GatewayAmount != nil:
		return *e.GatewayAmount
	}
	return 0
}

// Severity ranks how urgently an exception needs a person.
type Severity string

const (
	SeverityCritical Severity = "CRITICAL"
	SeverityHigh     Severity = "HIGH"
	SeverityMedium   Severity = "MEDIUM"
	SeverityLow      Severity = "LOW"
	SeverityInfo     Severity = "INFO"
)

// Rank orders severities: CRITICAL is 4, INFO is 0, unknown is -1.
func (s Severity) Rank() int {
	switch s {
	case SeverityCritical:
		return 4
	case SeverityHigh:
		return 3
	case SeverityMedium:
		return 2
	case SeverityLow:
		return 1
	case SeverityInfo:
		return 0
	}
	return -1
}

// Exception is one row of a report: one category for one key.
type Exception struct {
	Category      Category
	Entity        Entity
	Reference     string
	Severity      Severity
	Provisional   bool
	FirstSeen     string // business date the exception was first reported, YYYY-MM-DD
	AgeDays       int
	LedgerAmount  *Amount
	GatewayAmount *Amount
	Difference    *Amount // gateway − ledger, when both are known
	LedgerStatus  string
	GatewayStatus string
	WebhookStatus string
	LedgerUTR     string
	GatewayUTR    string
	MissingIn     string // MISSING_UTR: gateway, ledger or both
	Count         int    // duplicates: how many rows, payouts or deliveries
	Detail        string
	Evidence      []string

	// The workflow of SPEC §8, filled from the store for the reports.
	Date  string // the business date the exception belongs to
	State State
	Owner string
	Note  string
}

// Less orders exceptions as the reports list them: category, entity,
// reference.
func (e *Exception) Less(o *Exception) bool {
	if e.Category != o.Category {
		return e.Category < o.Category
	}
	if e.Entity != o.Entity {
		return e.Entity < o.Entity
	}
	return e.Reference < o.Reference
}

// OwnStrings gives e copies of its strings and amounts. A day's records
// share blocks of memory among their strings; an exception kept after its
// day is let go must not keep those blocks alive.
func (e *Exception) OwnStrings() {
	for _, s := range []*string{&e.Reference, &e.FirstSeen, &e.LedgerStatus, &e.GatewayStatus, &e.WebhookStatus,
		&e.LedgerUTR, &e.GatewayUTR, &e.MissingIn, &e.Detail, &e.Date, &e.Owner, &e.Note} {
		*s = strings.Clone(*s)
	}
	e.Category = Category(strings.Clone(string(e.Category)))
	e.Entity = Entity(strings.Clone(string(e.Entity)))
	e.Severity = Severity(strings.Clone(string(e.Severity)))
	e.State = State(strings.Clone(string(e.State)))
	for _, a := range []**Amount{&e.LedgerAmount, &e.GatewayAmount, &e.Difference} {
		if *a != nil {
			v := **a
			*a = &v
		}
	}
	e.Evidence = slices.Clone(e.Evidence)
	for i := range e.Evidence {
		e.Evidence[i] = strings.Clone(e.Evidence[i])
	}
}
