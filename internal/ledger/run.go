package ledger

import (
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
func (r *Run) Started() time.Time { return time.Unix(0, r.StartedAt).UTC() }

// DateCount is how many rows fall on one business date.
type DateCount struct {
	Date string
	Rows int
}
