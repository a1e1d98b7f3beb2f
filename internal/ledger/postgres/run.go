package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kwikpaisa/recon/internal/ledger"
)

// exec runs one writing statement in a transaction of its own.
func (s *DB) exec(ctx context.Context, query string, args ...any) error {
	_, err := s.pool.Exec(ctx, query, args...)
	return s.scrub(err)
}

// StartRun records a run that has begun.
func (s *DB) StartRun(ctx context.Context, id, date string, started time.Time) error {
	err := s.exec(ctx, `INSERT INTO runs (merchant_id, id, business_date, started_at, status) VALUES ($1, $2, $3, $4, 'running')`,
		s.merchant, id, date, ledger.Nanos(started))
	if err != nil {
		return fmt.Errorf("record run %s: %w", id, err)
	}
	return nil
}

// FinishRun records how a run ended.
func (s *DB) FinishRun(ctx context.Context, id, status string, exit int, message, summary string, finished time.Time) error {
	err := s.exec(ctx, `UPDATE runs SET status = $3, exit_code = $4, message = $5, summary = $6, finished_at = $7
		WHERE merchant_id = $1 AND id = $2`, s.merchant, id, status, exit, message, summary, ledger.Nanos(finished))
	if err != nil {
		return fmt.Errorf("record end of run %s: %w", id, err)
	}
	return nil
}

// Runs lists the most recent runs, newest first.
func (s *DB) Runs(ctx context.Context, limit int) ([]ledger.Run, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, business_date, started_at, finished_at, status, exit_code, message, summary
		FROM runs WHERE merchant_id = $1 ORDER BY started_at DESC, id DESC LIMIT $2`, s.merchant, limit)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", s.scrub(err))
	}
	runs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ledger.Run, error) {
		var run ledger.Run
		err := r.Scan(&run.ID, &run.BusinessDate, &run.StartedAt, &run.FinishedAt, &run.Status, &run.ExitCode,
			&run.Message, &run.Summary)
		return run, err
	})
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", s.scrub(err))
	}
	return runs, nil
}

// SetRunExit records the exit status a completed run ended with when the
// command, not the run, decided it (recon run --fail-on exits 3).
func (s *DB) SetRunExit(ctx context.Context, id string, exit int, message string) error {
	err := s.exec(ctx, `UPDATE runs SET exit_code = $3, message = $4 WHERE merchant_id = $1 AND id = $2`,
		s.merchant, id, exit, message)
	if err != nil {
		return fmt.Errorf("record exit status of run %s: %w", id, err)
	}
	return nil
}

// FailRun records a run attempt that failed, as the SQLite store does: a
// recorded run is marked failed, an attempt never recorded is added.
func (s *DB) FailRun(ctx context.Context, id, date string, started, finished time.Time, exit int, message string) error {
	err := s.exec(ctx, `INSERT INTO runs (merchant_id, id, business_date, started_at, finished_at, status, exit_code, message)
		VALUES ($1, $2, $3, $4, $5, 'failed', $6, $7)
		ON CONFLICT (merchant_id, id) DO UPDATE SET status = 'failed', exit_code = excluded.exit_code,
			message = excluded.message, finished_at = COALESCE(runs.finished_at, excluded.finished_at)`,
		s.merchant, id, date, ledger.Nanos(started), ledger.Nanos(finished), exit, message)
	if err != nil {
		return fmt.Errorf("record failed run %s: %w", id, err)
	}
	return nil
}

// LedgerDates returns the business dates, in zone, that the stored rows of
// a ledger file (kind orders or payouts) fall on, with their counts, in
// date order.
func (s *DB) LedgerDates(ctx context.Context, kind, path string, zone *time.Location) ([]ledger.DateCount, error) {
	var q string
	switch kind {
	case "orders":
		q = `SELECT created_at FROM orders WHERE merchant_id = $1 AND file_id =
			(SELECT id FROM source_files WHERE merchant_id = $1 AND kind = 'orders' AND path = $2)`
	case "payouts":
		q = `SELECT requested_at FROM payouts WHERE merchant_id = $1 AND file_id =
			(SELECT id FROM source_files WHERE merchant_id = $1 AND kind = 'payouts' AND path = $2)`
	default:
		return nil, fmt.Errorf("ledger dates: %q is not a ledger kind", kind)
	}
	rows, err := s.pool.Query(ctx, q, s.merchant, path)
	if err != nil {
		return nil, fmt.Errorf("ledger dates of %s: %w", path, s.scrub(err))
	}
	defer rows.Close()
	counts := ledger.NewDateCounter(zone)
	for rows.Next() {
		var n int64
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("ledger dates of %s: %w", path, err)
		}
		counts.Add(n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("ledger dates of %s: %w", path, s.scrub(err))
	}
	return counts.Dates(), nil
}
