package main

import (
	"context"
	"time"

	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/metrics"
	"github.com/kwikpaisa/recon/internal/pipeline"
)

// writeMetrics writes the Prometheus textfile for a run that completed
// (res, with the exit status the command gives it) or failed (runErr).
func writeMetrics(ctx context.Context, path string, cfg *pipeline.Config, res *pipeline.Result, runErr error, exit int, started, finished time.Time) error {
	m := metrics.Run{Date: cfg.Date, Version: cfg.Version, Succeeded: runErr == nil, ExitCode: exit, Duration: finished.Sub(started), Finished: finished}
	if runErr != nil {
		m.ExitCode = exitError
	}
	if res != nil {
		m.Pull = res.Pull
		if res.Report != nil {
			m.Summary = res.Report.Summary
			m.Exceptions = res.Report.Exceptions
			m.Rejected = len(res.Report.Rejects)
		}
	}
	if runErr == nil {
		m.LastSuccess = finished
	} else if last, err := newestCompleted(context.WithoutCancel(ctx), cfg.DB); err == nil && last != nil && last.FinishedAt != nil {
		m.LastSuccess = time.Unix(0, *last.FinishedAt)
	}
	return metrics.Write(path, m)
}

// newestCompleted returns the run that completed last (nil when none has).
func newestCompleted(ctx context.Context, db string) (*ledger.Run, error) {
	runs, err := listRuns(ctx, db, 100000)
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

func listRuns(ctx context.Context, db string, limit int) ([]ledger.Run, error) {
	store, err := ledger.Open(ctx, db)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	return store.Runs(ctx, limit)
}

// lastCompleted returns the latest completed run by business date (nil
// when none has completed).
func lastCompleted(ctx context.Context, db string) (*ledger.Run, error) {
	runs, err := listRuns(ctx, db, 100000)
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
	store, err := ledger.Open(ctx, db)
	if err != nil {
		return err
	}
	defer store.Close()
	return store.SetRunExit(context.WithoutCancel(ctx), id, code, msg)
}
