package ingest

import (
	"context"
	"strconv"
	"strings"

	"github.com/kwikpaisa/recon/internal/recon"
)

// ReadGateway reads a gateway dump: one status-response return_data object
// per line (SPEC §2.2), pay-ins and payouts mixed. A line that cannot be
// read is rejected with its number; the rest load.
func ReadGateway(ctx context.Context, path string, opts Options, sink Sink) (Counts, error) {
	opts = opts.withDefaults()
	var counts Counts
	err := readLines(ctx, path, &counts, sink.Reject, func(n int, line []byte) error {
		g, fe := ParseGatewayRecord(line, opts.Statuses)
		if fe != nil {
			counts.reject()
			return emitReject(sink.Reject, &recon.Reject{File: path, Line: strconv.Itoa(n), Column: fe.column, Value: fe.value, Reason: fe.reason})
		}
		counts.accept()
		g.Place = recon.Place{File: path, Line: strconv.Itoa(n)}
		if sink.Gateway == nil {
			return nil
		}
		return sink.Gateway(g)
	})
	return counts, err
}

// ParseGatewayRecord reads one return_data object. A payout record is one
// with payout_order_id.
func ParseGatewayRecord(data []byte, statuses *StatusTable) (*recon.GatewayRecord, *fieldError) {
	m, err := jsonObject(data)
	if err != nil {
		return nil, &fieldError{value: truncate(string(data), 80), reason: "line is not a JSON object: " + err.Error()}
	}
	if statuses == nil {
		statuses = DefaultStatuses()
	}
	g := &recon.GatewayRecord{Raw: append([]byte(nil), data...)}
	if _, ok := m["payout_order_id"]; ok {
		return g, parseGatewayPayout(m, statuses, g)
	}
	return g, parseGatewayPayin(m, statuses, g)
}

func parseGatewayPayin(m map[string]any, statuses *StatusTable, g *recon.GatewayRecord) *fieldError {
	g.Entity = recon.EntityPayin
	var err error
	if g.Key, err = ParseID(str(m, "order_id")); err != nil {
		return bad("order_id", str(m, "order_id"), err)
	}
	g.GatewayID = strings.TrimSpace(str(m, "kwikX_order_id"))
	if g.Amount, err = ParseAmount(str(m, "order_amount")); err != nil {
		return bad("order_amount", str(m, "order_amount"), err)
	}
	if g.Currency, err = parseCurrency(str(m, "currency")); err != nil {
		return bad("currency", str(m, "currency"), err)
	}
	g.Status = strings.TrimSpace(str(m, "order_status"))
	if g.Class, err = statuses.Class(recon.EntityPayin, g.Status); err != nil {
		return bad("order_status", g.Status, err)
	}
	g.PaymentMethod = strings.TrimSpace(str(m, "payment_method"))
	g.TransactionID = strings.TrimSpace(str(m, "transaction_id"))
	g.BankReference = strings.TrimSpace(str(m, "bank_reference"))
	return gatewayTimes(m, "paid_at", g)
}

func parseGatewayPayout(m map[string]any, statuses *StatusTable, g *recon.GatewayRecord) *fieldError {
	g.Entity = recon.EntityPayout
	var err error
	if g.Key, err = ParseID(str(m, "payout_order_id")); err != nil {
		return bad("payout_order_id", str(m, "payout_order_id"), err)
	}
	g.GatewayID = strings.TrimSpace(str(m, "kwikx_payout_id"))
	if g.Amount, err = ParseAmount(str(m, "amount")); err != nil {
		return bad("amount", str(m, "amount"), err)
	}
	if g.Currency, err = parseCurrency(str(m, "currency")); err != nil {
		return bad("currency", str(m, "currency"), err)
	}
	g.Status = strings.TrimSpace(str(m, "payout_status"))
	if g.Class, err = statuses.Class(recon.EntityPayout, g.Status); err != nil {
		return bad("payout_status", g.Status, err)
	}
	g.TransferMode = strings.ToUpper(strings.TrimSpace(str(m, "transfer_mode")))
	utr := str(m, "utr")
	if strings.TrimSpace(utr) == "" {
		utr = str(m, "rrn_number")
	}
	g.UTR, _ = NormalizeUTR(utr, false)
	g.BeneficiaryAccount = strings.TrimSpace(str(m, "beneficiary_account"))
	g.BeneficiaryIFSC = strings.ToUpper(strings.TrimSpace(str(m, "beneficiary_ifsc")))
	g.BeneficiaryVPA = strings.ToLower(strings.TrimSpace(str(m, "beneficiary_vpa")))
	g.FailureReason = strings.TrimSpace(str(m, "failure_reason"))
	return gatewayTimes(m, "processed_at", g)
}

// gatewayTimes reads created_at (required) and the settlement time
// (optional), both in the gateway's IST.
func gatewayTimes(m map[string]any, settled string, g *recon.GatewayRecord) *fieldError {
	var err error
	if g.CreatedAt, err = ParseTime(str(m, "created_at"), gatewayZone); err != nil {
		return bad("created_at", str(m, "created_at"), err)
	}
	if v := strings.TrimSpace(str(m, settled)); v != "" {
		if g.SettledAt, err = ParseTime(v, gatewayZone); err != nil {
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
