// Package schedule runs recon's nightly jobs as a daemon: the schedules of
// schedules/*.cron, one run at a time, missed dates caught up, a panic
// recovered and logged, and a stop that finishes or aborts the run in hand.
//
// It depends on a Schedule (robfig/cron's satisfies it) and a Clock, so a
// test drives nights of operation without sleeping.
package schedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"
)

// Schedule says when a job fires next, strictly after a time.
type Schedule interface {
	Next(time.Time) time.Time
}

// Clock is the daemon's time: the real one, or a test's.
type Clock interface {
	Now() time.Time
	// After delivers the time once d has passed, like time.After.
	After(d time.Duration) <-chan time.Time
}

// RealClock is the wall clock.
type RealClock struct{}

// Now returns the current time.
func (RealClock) Now() time.Time { return time.Now() }

// After is time.After.
func (RealClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// RunFunc reconciles one date for a job.
type RunFunc func(ctx context.Context, job Job, date string) error

// LastCompletedFunc returns the latest business date with a completed run
// ("" when there is none).
type LastCompletedFunc func(ctx context.Context) (string, error)

// Daemon runs jobs on their schedules. Jobs never overlap: the daemon runs
// one date at a time, and a fire that comes while a run is in hand is run
// after it.
type Daemon struct {
	Jobs []Job
	// Zone turns a firing time into a business date.
	Zone  *time.Location
	Clock Clock
	Run   RunFunc
	// LastCompleted reads the run history, for catching up missed dates.
	LastCompleted LastCompletedFunc
	// CatchUpDays bounds the missed dates run at once (the most recent).
	CatchUpDays int
	// Grace is how long a run in hand may go on after ctx ends before it
	// is cancelled (0: at once).
	Grace time.Duration
	Log   *slog.Logger
}

// Serve runs until ctx ends, then returns once the run in hand has
// finished or been aborted. It returns nil on a stop, an error when it
// cannot work at all.
func (d *Daemon) Serve(ctx context.Context) error {
	if len(d.Jobs) == 0 {
		return errors.New("no schedule: nothing to run")
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	now := d.Clock.Now()
	for _, j := range d.Jobs {
		d.Log.Info("job scheduled", "job", j.Name, "schedule", j.Spec, "next", j.Schedule.Next(now))
	}
	// On start, catch up every job's dates up to its latest firing.
	for _, j := range d.Jobs {
		if fired, ok := d.lastFire(j, now); ok {
			d.catchUp(ctx, j, j.Date(fired, d.Zone), false)
		}
	}
	last := now
	for ctx.Err() == nil {
		// Fires that came while a run was in hand are run now.
		now = d.Clock.Now()
		ran := false
		for _, j := range d.Jobs {
			if f := j.Schedule.Next(last); !f.After(now) && !f.IsZero() {
				latest := f
				for g := j.Schedule.Next(f); !g.After(now) && !g.IsZero(); g = j.Schedule.Next(g) {
					latest = g
				}
				d.catchUp(ctx, j, j.Date(latest, d.Zone), true)
				ran = true
			}
		}
		last = now
		if ran {
			continue
		}
		next := time.Time{}
		for _, j := range d.Jobs {
			if f := j.Schedule.Next(now); !f.IsZero() && (next.IsZero() || f.Before(next)) {
				next = f
			}
		}
		if next.IsZero() {
			return errors.New("no schedule fires again")
		}
		if ctx.Err() != nil {
			break
		}
		d.Log.Info("waiting for the next firing", "next", next.Format(time.RFC3339))
		select {
		case <-ctx.Done():
		case <-d.Clock.After(next.Sub(now)):
		}
	}
	d.Log.Info("scheduler stopped")
	return nil
}

// lastFire returns the job's latest firing at or before now, looking back
// as far as catching up may reach.
func (d *Daemon) lastFire(j Job, now time.Time) (time.Time, bool) {
	from := now.AddDate(0, 0, -(d.CatchUpDays + 2))
	var last time.Time
	for f, n := j.Schedule.Next(from), 0; !f.IsZero() && !f.After(now) && n < 1_000_000; f, n = j.Schedule.Next(f), n+1 {
		last = f
	}
	return last, !last.IsZero()
}

// catchUp runs the dates after the last completed one up to target (at
// most CatchUpDays of them, the most recent). When fired, target itself is
// run even if it completed before: it is the job's appointment.
func (d *Daemon) catchUp(ctx context.Context, j Job, target string, fired bool) {
	last, err := d.LastCompleted(ctx)
	if err != nil {
		d.Log.Error("read run history", "error", err.Error())
	}
	var dates []string
	if last != "" && last < target {
		t, _ := time.Parse("2006-01-02", target)
		for i := 1; i < d.CatchUpDays; i++ {
			day := t.AddDate(0, 0, -i).Format("2006-01-02")
			if day <= last {
				break
			}
			dates = append([]string{day}, dates...)
		}
		if len(dates) > 0 {
			d.Log.Info("catching up missed dates", "job", j.Name, "last_completed", last, "dates", dates)
		}
	}
	if fired || last < target {
		dates = append(dates, target)
	}
	for _, date := range dates {
		if ctx.Err() != nil {
			return
		}
		d.runOne(ctx, j, date)
	}
}

// runOne runs one date, recovering a panic. When ctx ends during the run,
// the run gets Grace to finish before its own context is cancelled.
func (d *Daemon) runOne(ctx context.Context, j Job, date string) {
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-done:
			return
		case <-ctx.Done():
		}
		select {
		case <-done: // finished as the stop came
			return
		default:
		}
		if d.Grace > 0 {
			d.Log.Warn("stop requested: letting the run in hand finish", "run_date", date, "grace", d.Grace.String())
			select {
			case <-done:
				return
			case <-d.Clock.After(d.Grace):
			}
		}
		d.Log.Warn("stop requested: aborting the run in hand", "run_date", date)
		cancel()
	}()

	start := d.Clock.Now()
	d.Log.Info("run starting", "job", j.Name, "run_date", date)
	err := d.protect(runCtx, j, date)
	elapsed := d.Clock.Now().Sub(start).Round(time.Millisecond).String()
	if err != nil {
		d.Log.Error("run failed", "job", j.Name, "run_date", date, "elapsed", elapsed, "error", err.Error())
		return
	}
	d.Log.Info("run finished", "job", j.Name, "run_date", date, "elapsed", elapsed)
}

// protect runs the job, turning a panic into an error with its stack in
// the log.
func (d *Daemon) protect(ctx context.Context, j Job, date string) (err error) {
	defer func() {
		if p := recover(); p != nil {
			d.Log.Error("run panicked", "job", j.Name, "run_date", date, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return d.Run(ctx, j, date)
}
