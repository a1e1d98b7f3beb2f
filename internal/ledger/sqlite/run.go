package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/kwikpaisa/recon/internal/ledger"
)

// StartRun records a run that has begun.
func (s *DB) StartRun(ctx context.Context, id, date string, started time.Time) error {
	_, err := s.exec(ctx, `INSERT INTO runs (id, business_date, started_at, status) VALUES (?, ?, ?, 'running')`,
		id, date, ledger.Nanos(started))
	if err != nil {
		return fmt.Errorf("record run %s: %w", id, err)
	}
	return nil
}

// FinishRun records how a run ended.
func (s *DB) FinishRun(ctx context.Context, id, status string, exit int, message, summary string, finished time.Time) error {
	_, err := s.exec(ctx, `UPDATE runs SET status = ?, exit_code = ?, message = ?, summary = ?, finished_at = ?
		WHERE id = ?`, status, exit, message, summary, ledger.Nanos(finished), id)
	if err != nil {
		return fmt.Errorf("record end of run %s: %w", id, err)
	}
	return nil
}

// Runs lists the most recent runs, newest first.
func (s *DB) Runs(ctx context.Context, limit int) ([]ledger.Run, error) {
	var runs []ledger.Run
	err := s.db.SelectContext(ctx, &runs, `SELECT id, business_date, started_at, finished_at, status, exit_code, message, summary
		FROM runs ORDER BY started_at DESC, id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	return runs, nil
}

// SetRunExit records the exit status a completed run ended with when the
// command, not the run, decided it (recon run --fail-on exits 3).
func (s *DB) SetRunExit(ctx context.Context, id string, exit int, message string) error {
	_, err := s.exec(ctx, `UPDATE runs SET exit_code = ?, message = ? WHERE id = ?`, exit, message, id)
	if err != nil {
		return fmt.Errorf("record exit status of run %s: %w", id, err)
	}
	return nil
}

// FailRun records a run attempt that failed: a run the pipeline recorded
// (it may have completed before the command failed it, as when no webhook
// verified) gets status failed, the exit status and the message; an
// attempt that failed before it could be recorded (a bad configuration,
// a missing file, a refused lock) is added, so that every attempt of a
// date is in the history.
func (s *DB) FailRun(ctx context.Context, id, date string, started, finished time.Time, exit int, message string) error {
	_, err := s.exec(ctx, `INSERT INTO runs (id, business_date, started_at, finished_at, status, exit_code, message)
		VALUES (?, ?, ?, ?, 'failed', ?, ?)
		ON CONFLICT (id) DO UPDATE SET status = 'failed', exit_code = excluded.exit_code, message = excluded.message,
			finished_at = COALESCE(runs.finished_at, excluded.finished_at)`,
		id, date, ledger.Nanos(started), ledger.Nanos(finished), exit, message)
	if err != nil {
		return fmt.Errorf("record failed run %s: %w", id, err)
	}
	return nil
}

// LedgerDates returns the business dates, in zone, that the stored rows of
// a ledger file (kind orders or payouts) fall on, with their counts, in
// date order: what a run says when none of a file's rows is of its day.
func (s *DB) LedgerDates(ctx context.Context, kind, path string, zone *time.Location) ([]ledger.DateCount, error) {
	var q string
	switch kind {
	case "orders":
		q = `SELECT created_at FROM orders WHERE file_id = (SELECT id FROM source_files WHERE kind = 'orders' AND path = ?)`
	case "payouts":
		q = `SELECT requested_at FROM payouts WHERE file_id = (SELECT id FROM source_files WHERE kind = 'payouts' AND path = ?)`
	default:
		return nil, fmt.Errorf("ledger dates: %q is not a ledger kind", kind)
	}
	rows, err := s.db.QueryContext(ctx, q, path)
	if err != nil {
		return nil, fmt.Errorf("ledger dates of %s: %w", path, err)
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
		return nil, fmt.Errorf("ledger dates of %s: %w", path, err)
	}
	return counts.Dates(), nil
}
