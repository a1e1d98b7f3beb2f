package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/ledger/stores"
	"github.com/kwikpaisa/recon/internal/metrics"
	"github.com/kwikpaisa/recon/internal/pipeline"
	"github.com/kwikpaisa/recon/internal/recon"
)

// runMetrics is what the metrics file says of one attempt.
type runMetrics struct {
	date, version, db string
	res               *pipeline.Result // nil when the run did not complete
	succeeded         bool
	exit              int
	started, finished time.Time
}

// writeMetrics writes the Prometheus textfile for an attempt that
// completed or failed; the last success comes from the run history when
// the database can be read.
func writeMetrics(ctx context.Context, path string, r runMetrics) error {
	m := metrics.Run{Date: r.date, Version: r.version, Succeeded: r.succeeded, ExitCode: r.exit,
		Duration: r.finished.Sub(r.started), Finished: r.finished}
	if r.res != nil {
		m.Pull = r.res.Pull
		if r.res.Report != nil {
			m.Summary = r.res.Report.Summary
			m.Exceptions = recon.OpenOnly(r.res.Report.Exceptions)
			m.Rejected = len(r.res.Report.Rejects)
		}
	}
	if r.succeeded {
		m.LastSuccess = r.finished
	} else if r.db != "" {
		if last, err := newestCompleted(context.WithoutCancel(ctx), r.db); err == nil && last != nil && last.FinishedAt != nil {
			m.LastSuccess = time.Unix(0, *last.FinishedAt)
		}
	}
	return metrics.Write(path, m)
}

// newestCompleted returns the run that completed last (nil when none has).
func newestCompleted(ctx context.Context, db string) (*ledger.Run, error) {
	runs, err := listRuns(ctx, db, 100000, nil)
	if err != nil {
		return nil, err
	}
	for i := range runs {
		if runs[i].Status == "completed" {
			return &runs[i], nil
		}
	}
	return nil, nil
}

// listRuns lists up to limit runs of db, newest first; log (nil for
// none) is told of a migration opening it runs (ledger.LogMigrations).
func listRuns(ctx context.Context, db string, limit int, log *slog.Logger) ([]ledger.Run, error) {
	store, err := stores.Open(ctx, db, stores.Options{Log: log})
	if err != nil {
		return nil, err
	}
	defer store.Close()
	return store.Runs(ctx, limit)
}

// lastCompleted returns the latest completed run by business date (nil
// when none has completed).
func lastCompleted(ctx context.Context, db string) (*ledger.Run, error) {
	runs, err := listRuns(ctx, db, 100000, nil)
	if err != nil {
		return nil, err
	}
	var best *ledger.Run
	for i := range runs {
		r := &runs[i]
		if r.Status != "completed" {
			continue
		}
		if best == nil || r.BusinessDate > best.BusinessDate {
			best = r
		}
	}
	return best, nil
}

// recordExit stores the exit status the command chose for a completed run.
func recordExit(ctx context.Context, db, id string, code int, msg string) error {
	store, err := stores.Open(ctx, db, stores.Options{})
	if err != nil {
		return err
	}
	defer store.Close()
	return store.SetRunExit(context.WithoutCancel(ctx), id, code, msg)
}

// recordFailure stores a failed attempt in the run history.
func recordFailure(ctx context.Context, db string, a *attempt, finished time.Time, code int, msg string) error {
	store, err := stores.Open(ctx, db, stores.Options{})
	if err != nil {
		return err
	}
	defer store.Close()
	return store.FailRun(context.WithoutCancel(ctx), a.id, a.date, a.started, finished, code, msg)
}
