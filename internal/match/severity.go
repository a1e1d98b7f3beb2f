package match

import "github.com/kwikpaisa/recon/internal/recon"

// severity ranks an exception by the money at stake (README "Severity"
// explains each level). moved says whether money moved on either side: a
// SUCCESS, REFUNDED or REVERSED status in the ledger or at the gateway.
//
//   - CRITICAL: money moved and the books disagree on how much or whether.
//   - HIGH: money may be misdirected or a record may be forged.
//   - MEDIUM: a record cannot be confirmed, or is damaged or repeated.
//   - LOW: a signal that hides no money by itself.
//   - INFO: nothing moved; kept so that every row is accounted for.
func severity(c recon.Category, moved bool) recon.Severity {
	switch c {
	case recon.AmountMismatch, recon.DuplicatePayment, recon.DuplicatePayout,
		recon.SettledNotPaid, recon.SettlementAmountMismatch, recon.DuplicateSettlement,
		recon.BankCreditMissing, recon.BankCreditMismatch:
		return recon.SeverityCritical
	case recon.StatusMismatch, recon.MissingAtGateway, recon.MissingInLedger:
		if moved {
			return recon.SeverityCritical
		}
		return recon.SeverityInfo
	case recon.CurrencyMismatch, recon.UTRMismatch, recon.BeneficiaryMismatch, recon.DuplicateUTR,
		recon.WebhookConflict, recon.WebhookSignatureInvalid,
		recon.Unsettled, recon.RefundNotDeducted, recon.FeeMismatch, recon.NetMismatch:
		return recon.SeverityHigh
	case recon.Unverified, recon.DuplicateLedgerRow, recon.UTRCorrupted, recon.MissingUTR, recon.WebhookReplayed,
		recon.TaxMismatch, recon.UnexplainedCredit:
		return recon.SeverityMedium
	case recon.WebhookMissing, recon.WebhookOrphan, recon.DuplicateWebhook:
		return recon.SeverityLow
	}
	return recon.SeverityInfo
}

// moved reports whether a status class means money moved.
func moved(classes ...recon.StatusClass) bool {
	for _, c := range classes {
		switch c {
		case recon.StatusSuccess, recon.StatusRefunded, recon.StatusReversed:
			return true
		}
	}
	return false
}
