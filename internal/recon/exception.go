package recon

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

// Categories lists every category in report order, then alphabetically.
var Categories = []Category{
	AmountMismatch, BeneficiaryMismatch, CurrencyMismatch, MissingAtGateway, MissingInLedger,
	StatusMismatch, Unverified, UTRMismatch, WebhookConflict, WebhookMissing, WebhookOrphan,
	WebhookReplayed, WebhookSignatureInvalid,
	DuplicateLedgerRow, DuplicatePayment, DuplicatePayout, DuplicateUTR, DuplicateWebhook,
	MissingUTR, UTRCorrupted,
	BankCreditMismatch, BankCreditMissing, DuplicateSettlement, FeeMismatch, NetMismatch, RefundNotDeducted,
	SettledNotPaid, SettlementAmountMismatch, TaxMismatch, UnexplainedCredit, Unsettled,
}

// Report returns the report a category is written to.
func (c Category) Report() Report {
	switch c {
	case DuplicateLedgerRow, DuplicatePayment, DuplicatePayout, DuplicateUTR, DuplicateWebhook:
		return ReportDuplicates
	case MissingUTR, UTRCorrupted:
		return ReportMissingUTR
	case Unsettled, SettledNotPaid, SettlementAmountMismatch, DuplicateSettlement, RefundNotDeducted, FeeMismatch,
		TaxMismatch, NetMismatch, BankCreditMissing, BankCreditMismatch, UnexplainedCredit:
		return ReportSettlements
	default:
		return ReportMismatches
	}
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
