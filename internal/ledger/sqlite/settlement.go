package sqlite

import (
	"context"
	"fmt"
	"strings"

	"github.com/kwikpaisa/recon/internal/recon"
)

// KnownOrders returns which of ids an order ledger row or a pay-in gateway
// record of any date holds: a settled order that none holds is
// SETTLED_NOT_PAID on its settlement's date (SPEC §7.4).
func (s *DB) KnownOrders(ctx context.Context, ids []string) (map[string]bool, error) {
	known := map[string]bool{}
	const batch = 400
	for i := 0; i < len(ids); i += batch {
		part := ids[i:min(i+batch, len(ids))]
		marks := strings.TrimSuffix(strings.Repeat("?,", len(part)), ",")
		hashes := strings.TrimSuffix(strings.Repeat("recon_key_hash('PAYIN', ?),", len(part)), ",")
		args := make([]any, 0, 3*len(part))
		for range 3 {
			for _, id := range part {
				args = append(args, id)
			}
		}
		var found []string
		err := s.db.SelectContext(ctx, &found, `SELECT order_id FROM orders WHERE order_id IN (`+marks+`)
			UNION SELECT g.key FROM gateway_keys k CROSS JOIN gateway_records g ON g.id = k.id
				WHERE k.key_hash IN (`+hashes+`) AND g.entity = 'PAYIN' AND g.key IN (`+marks+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("find settled orders: %w", err)
		}
		for _, id := range found {
			known[id] = true
		}
	}
	return known, nil
}

// OpenExceptions returns a date's open exceptions of the given report:
// a re-check that cannot judge that report (a run without its sources)
// keeps them as they are rather than resolving them.
func (s *DB) OpenExceptions(ctx context.Context, date string, report recon.Report) ([]recon.Exception, error) {
	type row struct {
		Category      string `db:"category"`
		Entity        string `db:"entity"`
		Reference     string `db:"reference"`
		Severity      string `db:"severity"`
		Provisional   bool   `db:"provisional"`
		FirstSeen     string `db:"first_seen"`
		LedgerAmount  *int64 `db:"ledger_amount"`
		GatewayAmount *int64 `db:"gateway_amount"`
		Difference    *int64 `db:"difference"`
		LedgerStatus  string `db:"ledger_status"`
		GatewayStatus string `db:"gateway_status"`
		WebhookStatus string `db:"webhook_status"`
		LedgerUTR     string `db:"ledger_utr"`
		GatewayUTR    string `db:"gateway_utr"`
		MissingIn     string `db:"missing_in"`
		Count         int    `db:"count"`
		Detail        string `db:"detail"`
		Evidence      string `db:"evidence"`
	}
	var rows []row
	err := s.db.SelectContext(ctx, &rows, `SELECT category, entity, reference, severity, provisional, first_seen,
		ledger_amount, gateway_amount, difference, ledger_status, gateway_status, webhook_status, ledger_utr, gateway_utr,
		missing_in, count, detail, evidence FROM exceptions WHERE business_date = ? AND resolved_on = ''
		ORDER BY category, entity, reference`, date)
	if err != nil {
		return nil, fmt.Errorf("read open exceptions of %s: %w", date, err)
	}
	amount := func(v *int64) *recon.Amount {
		if v == nil {
			return nil
		}
		a := recon.Amount(*v)
		return &a
	}
	var out []recon.Exception
	for _, r := range rows {
		if recon.Category(r.Category).Report() != report {
			continue
		}
		e := recon.Exception{Category: recon.Category(r.Category), Entity: recon.Entity(r.Entity), Reference: r.Reference,
			Severity: recon.Severity(r.Severity), Provisional: r.Provisional, FirstSeen: r.FirstSeen,
			LedgerAmount: amount(r.LedgerAmount), GatewayAmount: amount(r.GatewayAmount), Difference: amount(r.Difference),
			LedgerStatus: r.LedgerStatus, GatewayStatus: r.GatewayStatus, WebhookStatus: r.WebhookStatus,
			LedgerUTR: r.LedgerUTR, GatewayUTR: r.GatewayUTR, MissingIn: r.MissingIn, Count: r.Count, Detail: r.Detail}
		if r.Evidence != "" {
			e.Evidence = strings.Split(r.Evidence, " ")
		}
		out = append(out, e)
	}
	return out, nil
}
