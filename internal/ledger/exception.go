package ledger

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/kwikpaisa/recon/internal/recon"
)

// FirstSeen returns, for each (category, entity, reference) reported on a
// date before date, the earliest such date.
func (s *DB) FirstSeen(ctx context.Context, date string) (map[string]string, error) {
	rows, err := s.db.QueryxContext(ctx, `SELECT category, entity, reference, min(first_seen) FROM exceptions
		WHERE business_date < ? GROUP BY category, entity, reference`, date)
	if err != nil {
		return nil, fmt.Errorf("read earlier exceptions: %w", err)
	}
	defer rows.Close()
	seen := map[string]string{}
	for rows.Next() {
		var c, e, r, first string
		if err := rows.Scan(&c, &e, &r, &first); err != nil {
			return nil, err
		}
		seen[ExceptionKey(recon.Category(c), recon.Entity(e), r)] = first
	}
	return seen, rows.Err()
}

// ExceptionKey identifies an exception across dates.
func ExceptionKey(c recon.Category, e recon.Entity, ref string) string {
	return string(c) + "\x00" + string(e) + "\x00" + ref
}

const insertException = `INSERT INTO exceptions (business_date, category, entity, reference, severity, provisional,
	first_seen, ledger_amount, gateway_amount, difference, ledger_status, gateway_status, webhook_status, ledger_utr,
	gateway_utr, missing_in, count, detail, evidence, run_id)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// SaveExceptions replaces the exceptions of a date with exs, in one
// transaction.
func (s *DB) SaveExceptions(ctx context.Context, date, runID string, exs []recon.Exception) error {
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM exceptions WHERE business_date = ?`, date); err != nil {
			return fmt.Errorf("clear exceptions of %s: %w", date, err)
		}
		st, err := tx.PreparexContext(ctx, insertException)
		if err != nil {
			return err
		}
		defer st.Close()
		for i := range exs {
			e := &exs[i]
			_, err := st.ExecContext(ctx, date, string(e.Category), string(e.Entity), e.Reference, string(e.Severity),
				e.Provisional, e.FirstSeen, amountArg(e.LedgerAmount), amountArg(e.GatewayAmount), amountArg(e.Difference),
				e.LedgerStatus, e.GatewayStatus, e.WebhookStatus, e.LedgerUTR, e.GatewayUTR, e.MissingIn, e.Count,
				e.Detail, strings.Join(e.Evidence, " "), runID)
			if err != nil {
				return fmt.Errorf("save exception %s %s: %w", e.Category, e.Reference, err)
			}
		}
		return nil
	})
}

func amountArg(a *recon.Amount) any {
	if a == nil {
		return nil
	}
	return int64(*a)
}
