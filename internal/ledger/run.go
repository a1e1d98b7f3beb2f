package ledger

import (
	"context"
	"fmt"
	"time"
)

// Run is one run of `recon run`, as the store records it.
type Run struct {
	ID           string `db:"id"`
	BusinessDate string `db:"business_date"`
	StartedAt    int64  `db:"started_at"`
	FinishedAt   *int64 `db:"finished_at"`
	Status       string `db:"status"`
	ExitCode     *int   `db:"exit_code"`
	Message      string `db:"message"`
	Summary      string `db:"summary"`
}

// Started returns when the run started.
func (r *Run) Started() time.Time { return instant(r.StartedAt) }

// StartRun records a run that has begun.
func (s *DB) StartRun(ctx context.Context, id, date string, started time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO runs (id, business_date, started_at, status) VALUES (?, ?, ?, 'running')`,
		id, date, nanos(started))
	if err != nil {
		return fmt.Errorf("record run %s: %w", id, err)
	}
	return nil
}

// FinishRun records how a run ended.
func (s *DB) FinishRun(ctx context.Context, id, status string, exit int, message, summary string, finished time.Time) error {
	_, err := s.db.ExecContext(ctx, `UPDATE runs SET status = ?, exit_code = ?, message = ?, summary = ?, finished_at = ?
		WHERE id = ?`, status, exit, message, summary, nanos(finished), id)
	if err != nil {
		return fmt.Errorf("record end of run %s: %w", id, err)
	}
	return nil
}

// Runs lists the most recent runs, newest first.
func (s *DB) Runs(ctx context.Context, limit int) ([]Run, error) {
	var runs []Run
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
	_, err := s.db.ExecContext(ctx, `UPDATE runs SET exit_code = ?, message = ? WHERE id = ?`, exit, message, id)
	if err != nil {
		return fmt.Errorf("record exit status of run %s: %w", id, err)
	}
	return nil
}
