package ledger

import (
	"time"

	"github.com/kwikpaisa/recon/internal/recon"
)

// Values takes the values of one row, in its table's column order, as a
// store packs them: a bulk statement, COPY's binary format, the arguments
// of a statement.
type Values interface {
	Int(int64)
	Text(string)
	Line(recon.Place) // the place's line, as text
	Bytes([]byte)     // nil is NULL
	Null()
}

// GatewayValues gives v the values of a gateway record's columns after its
// merchant and file, in the order every store keeps them: line, entity,
// key, gateway_id, amount, currency, status, class, transaction_id,
// bank_reference, utr, payment_method, transfer_mode, beneficiary_account,
// beneficiary_ifsc, beneficiary_vpa, failure_reason, created_at,
// settled_at, fetched_at, raw. The raw response is kept (never NULL) for a
// pulled record, so the pull can be replayed; a dump's record has none.
func GatewayValues(v Values, fetched int64, g *recon.GatewayRecord, keepRaw bool) {
	d := g.Detail
	if d == nil {
		d = &recon.GatewayDetail{}
	}
	v.Line(g.Place)
	v.Text(string(g.Entity))
	v.Text(g.Key)
	v.Text(d.GatewayID)
	v.Int(int64(g.Amount))
	v.Text(g.Currency)
	v.Text(g.Status)
	v.Text(g.Class.String())
	v.Text(g.TransactionID)
	v.Text(d.BankReference)
	v.Text(g.UTR)
	v.Text(d.PaymentMethod)
	v.Text(d.TransferMode)
	v.Text(g.BeneficiaryAccount)
	v.Text(g.BeneficiaryIFSC)
	v.Text(g.BeneficiaryVPA)
	v.Text(d.FailureReason)
	v.Int(int64(g.CreatedAt))
	v.Int(Nanos(d.SettledAt))
	v.Int(fetched)
	switch {
	case !keepRaw:
		v.Null()
	case d.Raw == nil:
		v.Bytes([]byte{})
	default:
		v.Bytes(d.Raw)
	}
}

// Nanos is how every store keeps an instant: Unix nanoseconds, the zero
// time as 0.
func Nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}
