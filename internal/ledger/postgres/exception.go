package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/recon"
)

// The exceptions table holds, for each business date, what its latest run
// or re-check reports, as the SQLite store's does; what a re-check writes
// and what a run does to a person's workflow are decided in ledger
// (PlanRecheck, SettleEntries).

// FirstSeen returns, for each (category, entity, reference) reported on a
// date before date by a run of a date before runDate, the earliest such
// date.
func (s *DB) FirstSeen(ctx context.Context, date, runDate string) (map[string]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT category, entity, reference, min(first_seen) FROM exceptions
		WHERE merchant_id = $1 AND business_date < $2 AND found_on < $3 GROUP BY category, entity, reference`,
		s.merchant, date, runDate)
	if err != nil {
		return nil, fmt.Errorf("read earlier exceptions: %w", s.scrub(err))
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
	return seen, s.scrub(rows.Err())
}

const insertException = `INSERT INTO exceptions (merchant_id, business_date, category, entity, reference, severity,
	provisional, first_seen, ledger_amount, gateway_amount, difference, ledger_status, gateway_status, webhook_status,
	ledger_utr, gateway_utr, missing_in, count, detail, evidence, run_id, found_on, resolved_on)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, '')`

func (s *DB) insertException(ctx context.Context, tx pgx.Tx, date, runID, foundOn string, e *recon.Exception) error {
	_, err := tx.Exec(ctx, insertException, s.merchant, date, string(e.Category), string(e.Entity), e.Reference,
		string(e.Severity), e.Provisional, e.FirstSeen, amountArg(e.LedgerAmount), amountArg(e.GatewayAmount),
		amountArg(e.Difference), e.LedgerStatus, e.GatewayStatus, e.WebhookStatus, e.LedgerUTR, e.GatewayUTR,
		e.MissingIn, e.Count, e.Detail, strings.Join(e.Evidence, " "), runID, foundOn)
	if err != nil {
		return fmt.Errorf("save exception %s %s: %w", e.Category, e.Reference, err)
	}
	return nil
}

func amountArg(a *recon.Amount) *int64 {
	if a == nil {
		return nil
	}
	v := int64(*a)
	return &v
}

func amountOf(v *int64) *recon.Amount {
	if v == nil {
		return nil
	}
	a := recon.Amount(*v)
	return &a
}

// SaveExceptions replaces the exceptions of a date with exs, in one
// transaction.
func (s *DB) SaveExceptions(ctx context.Context, date, runID string, exs []recon.Exception) error {
	return s.withTx(ctx, func(tx pgx.Tx) error {
		if err := s.settle(ctx, tx, date, date, runID, ledger.ReportedKeys(exs)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM exceptions WHERE merchant_id = $1 AND business_date = $2`, s.merchant, date); err != nil {
			return fmt.Errorf("clear exceptions of %s: %w", date, err)
		}
		for i := range exs {
			if err := s.insertException(ctx, tx, date, runID, date, &exs[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

// OpenDates lists, oldest first, the dates in [date − days, date) with an
// exception still open as of date.
func (s *DB) OpenDates(ctx context.Context, date string, days int) ([]string, error) {
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return nil, fmt.Errorf("open exceptions before %q: %w", date, err)
	}
	from := d.AddDate(0, 0, -days).Format(time.DateOnly)
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT business_date FROM exceptions
		WHERE merchant_id = $1 AND business_date >= $2 AND business_date < $3 AND (resolved_on = '' OR resolved_on >= $3)
		ORDER BY business_date`, s.merchant, from, date)
	if err != nil {
		return nil, fmt.Errorf("open exceptions before %s: %w", date, s.scrub(err))
	}
	dates, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("open exceptions before %s: %w", date, s.scrub(err))
	}
	return dates, nil
}

// exceptionColumns are the columns scanException reads.
const exceptionColumns = `category, entity, reference, severity, provisional, first_seen, ledger_amount,
	gateway_amount, difference, ledger_status, gateway_status, webhook_status, ledger_utr, gateway_utr, missing_in,
	count, detail, evidence`

// scanException reads a row of exceptionColumns, then more; the evidence
// is left in evidence for the caller to split.
func scanException(r pgx.Row, e *recon.Exception, evidence *string, more ...any) error {
	var c, en, sev string
	var la, ga, diff *int64
	dest := append([]any{&c, &en, &e.Reference, &sev, &e.Provisional, &e.FirstSeen, &la, &ga, &diff,
		&e.LedgerStatus, &e.GatewayStatus, &e.WebhookStatus, &e.LedgerUTR, &e.GatewayUTR, &e.MissingIn, &e.Count,
		&e.Detail, evidence}, more...)
	if err := r.Scan(dest...); err != nil {
		return err
	}
	e.Category, e.Entity, e.Severity = recon.Category(c), recon.Entity(en), recon.Severity(sev)
	e.LedgerAmount, e.GatewayAmount, e.Difference = amountOf(la), amountOf(ga), amountOf(diff)
	return nil
}

// OpenExceptions returns a date's open exceptions of the given report.
func (s *DB) OpenExceptions(ctx context.Context, date string, report recon.Report) ([]recon.Exception, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+exceptionColumns+` FROM exceptions
		WHERE merchant_id = $1 AND business_date = $2 AND resolved_on = '' ORDER BY category, entity, reference`,
		s.merchant, date)
	if err != nil {
		return nil, fmt.Errorf("read open exceptions of %s: %w", date, s.scrub(err))
	}
	defer rows.Close()
	var out []recon.Exception
	for rows.Next() {
		var e recon.Exception
		var evidence string
		if err := scanException(rows, &e, &evidence); err != nil {
			return nil, fmt.Errorf("read open exceptions of %s: %w", date, err)
		}
		if evidence != "" {
			e.Evidence = strings.Split(evidence, " ")
		}
		if e.Category.Report() == report {
			out = append(out, e)
		}
	}
	return out, s.scrub(rows.Err())
}

// Recheck records, in one transaction, the re-check by a run of date
// runDate of the earlier date date, as ledger.PlanRecheck decides it.
func (s *DB) Recheck(ctx context.Context, date, runDate, runID string, exs []recon.Exception) (*ledger.Recheck, error) {
	var res *ledger.Recheck
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		if err := s.settle(ctx, tx, date, runDate, runID, ledger.ReportedKeys(exs)); err != nil {
			return err
		}
		before, err := s.stored(ctx, tx, date)
		if err != nil {
			return err
		}
		plan := ledger.PlanRecheck(date, runDate, before, exs)
		for _, r := range plan.Replace {
			if _, err := tx.Exec(ctx, `DELETE FROM exceptions WHERE merchant_id = $1 AND business_date = $2
				AND category = $3 AND entity = $4 AND reference = $5`,
				s.merchant, date, string(r.Category), string(r.Entity), r.Reference); err != nil {
				return err
			}
		}
		for i := range plan.Insert {
			if err := s.insertException(ctx, tx, date, runID, runDate, &plan.Insert[i]); err != nil {
				return err
			}
		}
		for _, e := range plan.Update {
			if _, err := tx.Exec(ctx, `UPDATE exceptions SET severity = $6, provisional = $7, ledger_amount = $8,
				gateway_amount = $9, difference = $10, ledger_status = $11, gateway_status = $12, webhook_status = $13,
				ledger_utr = $14, gateway_utr = $15, missing_in = $16, count = $17, detail = $18, evidence = $19,
				run_id = $20, resolved_on = ''
				WHERE merchant_id = $1 AND business_date = $2 AND category = $3 AND entity = $4 AND reference = $5`,
				s.merchant, date, string(e.Category), string(e.Entity), e.Reference,
				string(e.Severity), e.Provisional, amountArg(e.LedgerAmount), amountArg(e.GatewayAmount),
				amountArg(e.Difference), e.LedgerStatus, e.GatewayStatus, e.WebhookStatus, e.LedgerUTR, e.GatewayUTR,
				e.MissingIn, e.Count, e.Detail, strings.Join(e.Evidence, " "), runID); err != nil {
				return fmt.Errorf("update exception %s %s: %w", e.Category, e.Reference, err)
			}
		}
		for _, r := range plan.Resolve {
			if _, err := tx.Exec(ctx, `UPDATE exceptions SET resolved_on = $6, run_id = $7
				WHERE merchant_id = $1 AND business_date = $2 AND category = $3 AND entity = $4 AND reference = $5`,
				s.merchant, date, string(r.Category), string(r.Entity), r.Reference, runDate, runID); err != nil {
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

// stored reads what the store holds of a date's exceptions.
func (s *DB) stored(ctx context.Context, tx pgx.Tx, date string) ([]ledger.StoredException, error) {
	rows, err := tx.Query(ctx, `SELECT category, entity, reference, first_seen, found_on, resolved_on FROM exceptions
		WHERE merchant_id = $1 AND business_date = $2`, s.merchant, date)
	if err != nil {
		return nil, fmt.Errorf("states of %s: %w", date, err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (ledger.StoredException, error) {
		var e ledger.StoredException
		var c, en string
		err := r.Scan(&c, &en, &e.Reference, &e.FirstSeen, &e.FoundOn, &e.ResolvedOn)
		e.Category, e.Entity = recon.Category(c), recon.Entity(en)
		return e, err
	})
}

// settle records what a run's data did to the workflow of date's
// exceptions (ledger.SettleEntries), before the run replaces or updates
// them.
func (s *DB) settle(ctx context.Context, tx pgx.Tx, date, runDate, runID string, reported map[string]bool) error {
	stored, err := s.stored(ctx, tx, date)
	if err != nil {
		return err
	}
	flows, err := s.latest(ctx, tx, date)
	if err != nil {
		return err
	}
	at := s.Now().UTC().Format(time.RFC3339Nano)
	for _, e := range ledger.SettleEntries(date, runDate, runID, at, stored, flows, reported) {
		if _, err := s.appendAudit(ctx, tx, e); err != nil {
			return err
		}
	}
	return nil
}

// Trend returns the totals of the dates run in the days days ending with
// date, oldest first. A key reported in several categories counts its
// money once (its largest).
func (s *DB) Trend(ctx context.Context, date string, days int) ([]ledger.DayTotal, error) {
	from, err := ledger.TrendFrom(date, days)
	if err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT business_date FROM day_sources WHERE merchant_id = $1
			AND business_date >= $2 AND business_date <= $3
		UNION SELECT business_date FROM exceptions WHERE merchant_id = $1 AND business_date >= $2 AND business_date <= $3
		UNION SELECT $3 ORDER BY 1`, s.merchant, from, date)
	if err != nil {
		return nil, fmt.Errorf("trend to %s: %w", date, s.scrub(err))
	}
	dates, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("trend to %s: %w", date, s.scrub(err))
	}
	trend := ledger.NewTrend(dates)
	rows, err = s.pool.Query(ctx, `SELECT business_date, entity, reference, ledger_amount, gateway_amount, difference
		FROM exceptions WHERE merchant_id = $1 AND business_date >= $2 AND business_date <= $3`, s.merchant, from, date)
	if err != nil {
		return nil, fmt.Errorf("trend to %s: %w", date, s.scrub(err))
	}
	defer rows.Close()
	for rows.Next() {
		var dt, entity, ref string
		var l, g, diff *int64
		if err := rows.Scan(&dt, &entity, &ref, &l, &g, &diff); err != nil {
			return nil, err
		}
		trend.Add(dt, entity, ref, recon.Exception{LedgerAmount: amountOf(l), GatewayAmount: amountOf(g), Difference: amountOf(diff)})
	}
	if err := rows.Err(); err != nil {
		return nil, s.scrub(err)
	}
	return trend.Totals(), nil
}

// KnownOrders returns which of ids an order ledger row or a pay-in gateway
// record of any date holds.
func (s *DB) KnownOrders(ctx context.Context, ids []string) (map[string]bool, error) {
	rows, err := s.pool.Query(ctx, `SELECT order_id FROM orders WHERE merchant_id = $1 AND order_id = ANY($2)
		UNION SELECT key FROM gateway_records WHERE merchant_id = $1 AND entity = 'PAYIN' AND key = ANY($2)`,
		s.merchant, ids)
	if err != nil {
		return nil, fmt.Errorf("find settled orders: %w", s.scrub(err))
	}
	found, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("find settled orders: %w", s.scrub(err))
	}
	known := map[string]bool{}
	for _, id := range found {
		known[id] = true
	}
	return known, nil
}
