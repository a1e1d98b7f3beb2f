package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/recon"
)

// The exceptions table holds, for each business date, what its latest run
// or re-check reports. A row is open while resolved_on is ''. A run of
// date D saves D's exceptions (SaveExceptions) and then re-checks each
// earlier date E of its window that still has open rows (OpenDates,
// Recheck): a row of E that the re-check reports again stays open and keeps
// its first_seen; a row it no longer reports is resolved on D; a row only
// the re-check reports is new, found on D.

// FirstSeen returns, for each (category, entity, reference) reported on a
// date before date by a run of a date before runDate, the earliest such
// date. What runs of runDate itself found is left out: a run of runDate
// ages its own exceptions before it re-checks earlier dates, and its
// re-check may raise the same exception on one of them, which a second
// run of runDate must not then read as seen before (same inputs, same
// reports).
func (s *DB) FirstSeen(ctx context.Context, date, runDate string) (map[string]string, error) {
	rows, err := s.db.QueryxContext(ctx, `SELECT category, entity, reference, min(first_seen) FROM exceptions
		WHERE business_date < ? AND found_on < ? GROUP BY category, entity, reference`, date, runDate)
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
		seen[ledger.ExceptionKey(recon.Category(c), recon.Entity(e), r)] = first
	}
	return seen, rows.Err()
}

const insertException = `INSERT INTO exceptions (business_date, category, entity, reference, severity, provisional,
	first_seen, ledger_amount, gateway_amount, difference, ledger_status, gateway_status, webhook_status, ledger_utr,
	gateway_utr, missing_in, count, detail, evidence, run_id, found_on, resolved_on)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '')`

// SaveExceptions replaces the exceptions of a date with exs, in one
// transaction.
func (s *DB) SaveExceptions(ctx context.Context, date, runID string, exs []recon.Exception) error {
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		if err := s.settle(ctx, tx, date, date, runID, ledger.ReportedKeys(exs)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM exceptions WHERE business_date = ?`, date); err != nil {
			return fmt.Errorf("clear exceptions of %s: %w", date, err)
		}
		st, err := tx.PreparexContext(ctx, insertException)
		if err != nil {
			return err
		}
		defer st.Close()
		for i := range exs {
			if err := insertOne(ctx, st, date, runID, date, &exs[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

func insertOne(ctx context.Context, st *sqlx.Stmt, date, runID, foundOn string, e *recon.Exception) error {
	_, err := st.ExecContext(ctx, date, string(e.Category), string(e.Entity), e.Reference, string(e.Severity),
		e.Provisional, e.FirstSeen, amountArg(e.LedgerAmount), amountArg(e.GatewayAmount), amountArg(e.Difference),
		e.LedgerStatus, e.GatewayStatus, e.WebhookStatus, e.LedgerUTR, e.GatewayUTR, e.MissingIn, e.Count,
		e.Detail, strings.Join(e.Evidence, " "), runID, foundOn)
	if err != nil {
		return fmt.Errorf("save exception %s %s: %w", e.Category, e.Reference, err)
	}
	return nil
}

// OpenDates lists, oldest first, the dates in [date − days, date) with an
// exception still open as of date: never resolved, or resolved by a run of
// date itself or of a later date (a re-run of date re-checks those again).
func (s *DB) OpenDates(ctx context.Context, date string, days int) ([]string, error) {
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return nil, fmt.Errorf("open exceptions before %q: %w", date, err)
	}
	from := d.AddDate(0, 0, -days).Format(time.DateOnly)
	var dates []string
	err = s.db.SelectContext(ctx, &dates, `SELECT DISTINCT business_date FROM exceptions
		WHERE business_date >= ? AND business_date < ? AND (resolved_on = '' OR resolved_on >= ?)
		ORDER BY business_date`, from, date, date)
	if err != nil {
		return nil, fmt.Errorf("open exceptions before %s: %w", date, err)
	}
	return dates, nil
}

// DayRoles says which sources a date was run with: orders, payouts,
// gateway, webhooks, webhooks_next.
func (s *DB) DayRoles(ctx context.Context, date string) (map[string]bool, error) {
	var roles []string
	if err := s.db.SelectContext(ctx, &roles, `SELECT role FROM day_sources WHERE business_date = ?`, date); err != nil {
		return nil, fmt.Errorf("sources of %s: %w", date, err)
	}
	out := map[string]bool{}
	for _, r := range roles {
		out[r] = true
	}
	return out, nil
}

// Recheck records, in one transaction, the re-check by a run of date runDate
// of the earlier date date: exs is what matching date now reports. A row
// reported again is updated and keeps its first_seen and found_on; a row
// no longer reported is resolved on runDate; a row reported for the first
// time is inserted, found on runDate, first seen on date. Counting by
// found_on and resolved_on makes a re-run of runDate count the same.
func (s *DB) Recheck(ctx context.Context, date, runDate, runID string, exs []recon.Exception) (*ledger.Recheck, error) {
	var res *ledger.Recheck
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		if err := s.settle(ctx, tx, date, runDate, runID, ledger.ReportedKeys(exs)); err != nil {
			return err
		}
		type row struct {
			Category   string `db:"category"`
			Entity     string `db:"entity"`
			Reference  string `db:"reference"`
			FirstSeen  string `db:"first_seen"`
			ResolvedOn string `db:"resolved_on"`
			FoundOn    string `db:"found_on"`
		}
		var rows []row
		if err := tx.SelectContext(ctx, &rows, `SELECT category, entity, reference, first_seen, resolved_on, found_on
			FROM exceptions WHERE business_date = ?`, date); err != nil {
			return err
		}
		before := make([]ledger.StoredException, len(rows))
		for i, r := range rows {
			before[i] = ledger.StoredException{Category: recon.Category(r.Category), Entity: recon.Entity(r.Entity),
				Reference: r.Reference, FirstSeen: r.FirstSeen, FoundOn: r.FoundOn, ResolvedOn: r.ResolvedOn}
		}
		plan := ledger.PlanRecheck(date, runDate, before, exs)
		for _, r := range plan.Replace {
			if _, err := tx.ExecContext(ctx, `DELETE FROM exceptions WHERE business_date = ? AND category = ?
				AND entity = ? AND reference = ?`, date, string(r.Category), string(r.Entity), r.Reference); err != nil {
				return err
			}
		}
		ins, err := tx.PreparexContext(ctx, insertException)
		if err != nil {
			return err
		}
		defer ins.Close()
		for i := range plan.Insert {
			if err := insertOne(ctx, ins, date, runID, runDate, &plan.Insert[i]); err != nil {
				return err
			}
		}
		for _, e := range plan.Update {
			if _, err := tx.ExecContext(ctx, `UPDATE exceptions SET severity = ?, provisional = ?, ledger_amount = ?,
				gateway_amount = ?, difference = ?, ledger_status = ?, gateway_status = ?, webhook_status = ?,
				ledger_utr = ?, gateway_utr = ?, missing_in = ?, count = ?, detail = ?, evidence = ?, run_id = ?,
				resolved_on = '' WHERE business_date = ? AND category = ? AND entity = ? AND reference = ?`,
				string(e.Severity), e.Provisional, amountArg(e.LedgerAmount), amountArg(e.GatewayAmount),
				amountArg(e.Difference), e.LedgerStatus, e.GatewayStatus, e.WebhookStatus, e.LedgerUTR, e.GatewayUTR,
				e.MissingIn, e.Count, e.Detail, strings.Join(e.Evidence, " "), runID,
				date, string(e.Category), string(e.Entity), e.Reference); err != nil {
				return fmt.Errorf("update exception %s %s: %w", e.Category, e.Reference, err)
			}
		}
		for _, r := range plan.Resolve {
			if _, err := tx.ExecContext(ctx, `UPDATE exceptions SET resolved_on = ?, run_id = ?
				WHERE business_date = ? AND category = ? AND entity = ? AND reference = ?`,
				runDate, runID, date, string(r.Category), string(r.Entity), r.Reference); err != nil {
				return fmt.Errorf("resolve exception %s %s: %w", r.Category, r.Reference, err)
			}
		}
		res = &plan.Result
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("re-check exceptions of %s: %w", date, err)
	}
	return res, nil
}

func amountArg(a *recon.Amount) any {
	if a == nil {
		return nil
	}
	return int64(*a)
}

// Trend returns the totals of the dates run in the days days ending with
// date, oldest first. A key reported in several categories counts its
// money once (its largest).
func (s *DB) Trend(ctx context.Context, date string, days int) ([]ledger.DayTotal, error) {
	from, err := ledger.TrendFrom(date, days)
	if err != nil {
		return nil, err
	}
	var dates []string
	if err := s.db.SelectContext(ctx, &dates, `SELECT business_date FROM day_sources WHERE business_date >= ?
		AND business_date <= ? UNION SELECT business_date FROM exceptions WHERE business_date >= ? AND business_date <= ?
		UNION SELECT ? ORDER BY 1`, from, date, from, date, date); err != nil {
		return nil, fmt.Errorf("trend to %s: %w", date, err)
	}
	trend := ledger.NewTrend(dates)
	rows, err := s.db.QueryxContext(ctx, `SELECT business_date, entity, reference, ledger_amount, gateway_amount,
		difference FROM exceptions WHERE business_date >= ? AND business_date <= ?`, from, date)
	if err != nil {
		return nil, fmt.Errorf("trend to %s: %w", date, err)
	}
	defer rows.Close()
	for rows.Next() {
		var dt, entity, ref string
		var l, g, diff sql.NullInt64
		if err := rows.Scan(&dt, &entity, &ref, &l, &g, &diff); err != nil {
			return nil, err
		}
		trend.Add(dt, entity, ref, recon.Exception{LedgerAmount: nullAmount(l), GatewayAmount: nullAmount(g),
			Difference: nullAmount(diff)})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return trend.Totals(), nil
}

func nullAmount(n sql.NullInt64) *recon.Amount {
	if !n.Valid {
		return nil
	}
	a := recon.Amount(n.Int64)
	return &a
}
