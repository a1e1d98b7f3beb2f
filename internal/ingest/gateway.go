package ingest

import (
	"context"
	"strings"

	"github.com/kwikpaisa/recon/internal/recon"
)

// ReadGateway reads a gateway dump: one status-response return_data object
// per line (SPEC §2.2), pay-ins and payouts mixed. A line that cannot be
// read is rejected with its number; the rest load.
func ReadGateway(ctx context.Context, path string, opts Options, sink Sink) (Counts, error) {
	opts = opts.withDefaults()
	var counts Counts
	src := recon.SourceOf(path, "")
	err := parseLines(ctx, path, &counts, sink.Reject,
		func(line []byte) (*recon.GatewayRecord, *fieldError) { return ParseGatewayRecord(line, opts.Statuses) },
		func(n int, g *recon.GatewayRecord) error {
			g.Place = src.At(n)
			if sink.Gateway == nil {
				return nil
			}
			return sink.Gateway(g)
		})
	return counts, err
}

// ParseGatewayRecord reads one return_data object. A payout record is one
// with payout_order_id. The record does not keep data (Raw is nil): a
// caller that stores the answer as received sets Raw itself.
func ParseGatewayRecord(data []byte, statuses *StatusTable) (*recon.GatewayRecord, *fieldError) {
	p := parsers.Get().(*parser)
	defer parsers.Put(p)
	m, err := jsonObject(p, data)
	if err != nil {
		return nil, &fieldError{value: truncate(string(data), 80), reason: "line is not a JSON object: " + err.Error()}
	}
	if statuses == nil {
		statuses = DefaultStatuses()
	}
	// The record and its detail in one allocation.
	both := &struct {
		g recon.GatewayRecord
		d recon.GatewayDetail
	}{}
	g := &both.g
	g.Detail = &both.d
	if m.has("payout_order_id") {
		return g, parseGatewayPayout(m, statuses, g)
	}
	return g, parseGatewayPayin(m, statuses, g)
}

func parseGatewayPayin(m object, statuses *StatusTable, g *recon.GatewayRecord) *fieldError {
	g.Entity = recon.EntityPayin
	var v [4]string
	if fe := m.ids(v[:], "order_id", "kwikX_order_id", "transaction_id", "bank_reference"); fe != nil {
		return fe
	}
	key, gatewayID, txn, bankRef := v[0], v[1], v[2], v[3]
	var err error
	if g.Key, err = ParseID(key); err != nil {
		return bad("order_id", key, err)
	}
	g.Detail.GatewayID = strings.TrimSpace(gatewayID)
	if g.Amount, err = ParseAmount(m.str("order_amount")); err != nil {
		return bad("order_amount", m.str("order_amount"), err)
	}
	if g.Currency, err = parseCurrency(m.str("currency")); err != nil {
		return bad("currency", m.str("currency"), err)
	}
	g.Status = strings.TrimSpace(m.str("order_status"))
	if g.Class, err = statuses.Class(recon.EntityPayin, g.Status); err != nil {
		return bad("order_status", g.Status, err)
	}
	g.Detail.PaymentMethod = strings.TrimSpace(m.str("payment_method"))
	g.TransactionID = strings.TrimSpace(txn)
	g.Detail.BankReference = strings.TrimSpace(bankRef)
	return gatewayTimes(m, "paid_at", g)
}

func parseGatewayPayout(m object, statuses *StatusTable, g *recon.GatewayRecord) *fieldError {
	g.Entity = recon.EntityPayout
	var v [5]string
	if fe := m.ids(v[:], "payout_order_id", "kwikx_payout_id", "utr", "rrn_number", "beneficiary_account"); fe != nil {
		return fe
	}
	key, gatewayID, utr, rrn, account := v[0], v[1], v[2], v[3], v[4]
	var err error
	if g.Key, err = ParseID(key); err != nil {
		return bad("payout_order_id", key, err)
	}
	g.Detail.GatewayID = strings.TrimSpace(gatewayID)
	if g.Amount, err = ParseAmount(m.str("amount")); err != nil {
		return bad("amount", m.str("amount"), err)
	}
	if g.Currency, err = parseCurrency(m.str("currency")); err != nil {
		return bad("currency", m.str("currency"), err)
	}
	g.Status = strings.TrimSpace(m.str("payout_status"))
	if g.Class, err = statuses.Class(recon.EntityPayout, g.Status); err != nil {
		return bad("payout_status", g.Status, err)
	}
	g.Detail.TransferMode = strings.ToUpper(strings.TrimSpace(m.str("transfer_mode")))
	if strings.TrimSpace(utr) == "" {
		utr = rrn
	}
	g.UTR, _ = NormalizeUTR(utr, false)
	g.BeneficiaryAccount = strings.TrimSpace(account)
	g.BeneficiaryIFSC = strings.ToUpper(strings.TrimSpace(m.str("beneficiary_ifsc")))
	g.BeneficiaryVPA = strings.ToLower(strings.TrimSpace(m.str("beneficiary_vpa")))
	g.Detail.FailureReason = strings.TrimSpace(m.str("failure_reason"))
	return gatewayTimes(m, "processed_at", g)
}

// gatewayTimes reads created_at (required) and the settlement time
// (optional), both in the gateway's IST.
func gatewayTimes(m object, settled string, g *recon.GatewayRecord) *fieldError {
	var err error
	created, err := ParseTime(m.str("created_at"), gatewayZone)
	if err != nil {
		return bad("created_at", m.str("created_at"), err)
	}
	g.CreatedAt = recon.InstantOf(created)
	if v := strings.TrimSpace(m.str(settled)); v != "" {
		if g.Detail.SettledAt, err = ParseTime(v, gatewayZone); err != nil {
			return bad(settled, v, err)
		}
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
