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
	Bool(bool)
	Text(string)
	Line(recon.Place)     // the place's line, as text
	Digest(*recon.Digest) // as lower-case hex text
	Bytes([]byte)         // nil is NULL
	Null()
}

// OrderValues gives v the values of an order row's columns after its
// merchant and file, in the order every store keeps them: seq, line,
// order_id, amount, currency, status, class, created_at, transaction_id,
// payment_method.
func OrderValues(v Values, seq int64, o *recon.Order) {
	v.Int(seq)
	v.Line(o.Place)
	v.Text(o.OrderID)
	v.Int(int64(o.Amount))
	v.Text(o.Currency)
	v.Text(o.Status)
	v.Text(o.Class.String())
	v.Int(int64(o.CreatedAt))
	v.Text(o.TransactionID)
	v.Text(o.PaymentMethod)
}

// PayoutValues gives v the values of a payout row's columns after its
// merchant and file: seq, line, payout_order_id, amount, currency, status,
// class, transfer_mode, beneficiary_account, beneficiary_ifsc,
// beneficiary_vpa, utr, utr_corrupted, utr_raw, requested_at.
func PayoutValues(v Values, seq int64, p *recon.Payout) {
	v.Int(seq)
	v.Line(p.Place)
	v.Text(p.PayoutID)
	v.Int(int64(p.Amount))
	v.Text(p.Currency)
	v.Text(p.Status)
	v.Text(p.Class.String())
	v.Text(p.TransferMode)
	v.Text(p.BeneficiaryAccount)
	v.Text(p.BeneficiaryIFSC)
	v.Text(p.BeneficiaryVPA)
	v.Text(p.UTR)
	v.Bool(p.UTRCorrupted)
	v.Text(p.UTRRaw)
	v.Int(int64(p.RequestedAt))
}

// DeliveryValues gives v the values of a delivery row's columns after its
// merchant and file: line, received_at, timestamp, event, entity, key,
// class, amount (NULL when the body gave none), currency, transaction_id,
// utr, body_sha256, verified, stale, problem.
func DeliveryValues(v Values, d *recon.Delivery) {
	v.Int(int64(d.Place.LineNo()))
	v.Int(int64(d.ReceivedAt))
	v.Int(d.Timestamp)
	v.Text(d.Event)
	v.Text(string(d.Entity))
	v.Text(d.Key)
	v.Text(d.Class.String())
	if d.HasAmount {
		v.Int(int64(d.Amount))
	} else {
		v.Null()
	}
	v.Text(d.Currency)
	v.Text(d.TransactionID)
	v.Text(d.UTR)
	v.Digest(&d.BodySHA256)
	v.Text(d.Verified.String())
	v.Bool(d.Stale)
	v.Text(d.Problem)
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
