package schedule

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata"
)

var ist = mustZone("Asia/Kolkata")

func mustZone(name string) *time.Location {
	z, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return z
}

// fakeClock jumps: After advances the time by d at once, so the daemon
// never waits; a run advances it to play a long run.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// history is the runs table of a test: the dates completed.
type history struct {
	mu        sync.Mutex
	completed []string
}

func (h *history) last(context.Context) (string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	last := ""
	for _, d := range h.completed {
		last = max(last, d)
	}
	return last, nil
}

func (h *history) add(d string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.completed = append(h.completed, d)
}

func nightly(t *testing.T) Job {
	t.Helper()
	j, err := ParseLine("CRON_TZ=Asia/Kolkata 0 2 * * * yesterday", ist)
	if err != nil {
		t.Fatal(err)
	}
	j.Name = "nightly"
	return j
}

// TestThreeNights runs the daemon over three nights: it starts after a
// missed night (the daemon was down), one run lasts past the next night's
// firing, and the last one ends the test. Every date runs exactly once,
// in order, never two at a time.
func TestThreeNights(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 11, 22, 10, 0, 0, 0, ist)} // missed 02:00 on the 22nd
	h := &history{completed: []string{"2026-11-20"}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var (
		mu       sync.Mutex
		ran      []string
		inFlight int
		overlaps int
		started  []time.Time
	)
	d := &Daemon{
		Jobs: []Job{nightly(t)}, Zone: ist, Clock: clock, LastCompleted: h.last, CatchUpDays: 7,
		Log: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Run: func(ctx context.Context, j Job, date string) error {
			mu.Lock()
			inFlight++
			if inFlight > 1 {
				overlaps++
			}
			ran = append(ran, date)
			started = append(started, clock.Now())
			mu.Unlock()
			if date == "2026-11-22" {
				clock.advance(30 * time.Hour) // a long run: past the next 02:00
			} else {
				clock.advance(20 * time.Minute)
			}
			h.add(date)
			mu.Lock()
			inFlight--
			mu.Unlock()
			if date == "2026-11-24" {
				cancel()
			}
			return nil
		},
	}
	if err := d.Serve(ctx); err != nil {
		t.Fatalf("Serve: %v", err)
	}
	want := []string{"2026-11-21", "2026-11-22", "2026-11-23", "2026-11-24"}
	if !slices.Equal(ran, want) {
		t.Errorf("ran %v, want %v", ran, want)
	}
	if overlaps != 0 {
		t.Errorf("%d runs overlapped, want none", overlaps)
	}
	wantStarts := []time.Time{
		time.Date(2026, 11, 22, 10, 0, 0, 0, ist), // caught up on start
		time.Date(2026, 11, 23, 2, 0, 0, 0, ist),  // its night
		time.Date(2026, 11, 24, 8, 0, 0, 0, ist),  // after the long run (02:00 + 30h)
		time.Date(2026, 11, 25, 2, 0, 0, 0, ist),  // its night
	}
	for i := range min(len(started), len(wantStarts)) {
		if !started[i].Equal(wantStarts[i]) {
			t.Errorf("run %d (%s) started %v, want %v", i, ran[i], started[i], wantStarts[i])
		}
	}
}

func TestCatchUpBounded(t *testing.T) {
	tests := []struct {
		name      string
		completed []string
		days      int
		want      []string
	}{
		{"nothing missed", []string{"2026-11-23"}, 7, nil},
		{"two missed", []string{"2026-11-21"}, 7, []string{"2026-11-22", "2026-11-23"}},
		{"bounded", []string{"2026-11-01"}, 3, []string{"2026-11-21", "2026-11-22", "2026-11-23"}},
		{"no history runs yesterday", nil, 7, []string{"2026-11-23"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := &fakeClock{now: time.Date(2026, 11, 24, 9, 0, 0, 0, ist)}
			h := &history{completed: tt.completed}
			ctx, cancel := context.WithCancel(context.Background())
			var ran []string
			d := &Daemon{Jobs: []Job{nightly(t)}, Zone: ist, Clock: clock, LastCompleted: h.last, CatchUpDays: tt.days,
				Run: func(ctx context.Context, j Job, date string) error { ran = append(ran, date); return nil }}
			// Stop before the next night: the first wait ends the test.
			clock2 := &stopClock{fakeClock: clock, cancel: cancel}
			d.Clock = clock2
			if err := d.Serve(ctx); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ran, tt.want) {
				t.Errorf("ran %v, want %v", ran, tt.want)
			}
		})
	}
}

// stopClock cancels the daemon the first time it would wait.
type stopClock struct {
	*fakeClock
	cancel func()
}

func (c *stopClock) After(d time.Duration) <-chan time.Time {
	c.cancel()
	return make(chan time.Time)
}

// TestPanicRecoveredAndStopAborts: a panicking run is logged and the
// daemon goes on; a stop during a run cancels the run's context.
func TestPanicRecoveredAndStopAborts(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 11, 24, 1, 0, 0, 0, ist)}
	h := &history{completed: []string{"2026-11-22"}}
	ctx, cancel := context.WithCancel(context.Background())
	var logs strings.Builder
	var ran []string
	var aborted error
	d := &Daemon{
		Jobs: []Job{nightly(t)}, Zone: ist, Clock: clock, LastCompleted: h.last, CatchUpDays: 7,
		Log: slog.New(slog.NewTextHandler(&logs, nil)),
		Run: func(runCtx context.Context, j Job, date string) error {
			ran = append(ran, date)
			if date == "2026-11-23" && len(ran) == 1 {
				panic("boom")
			}
			cancel() // SIGTERM during the run
			<-runCtx.Done()
			aborted = runCtx.Err()
			return runCtx.Err()
		},
	}
	if err := d.Serve(ctx); err != nil {
		t.Fatal(err)
	}
	if want := []string{"2026-11-23", "2026-11-23"}; !slices.Equal(ran, want) {
		t.Errorf("ran %v, want %v (the caught-up run panicked, the night's run retried it)", ran, want)
	}
	if !strings.Contains(logs.String(), "run panicked") || !strings.Contains(logs.String(), "boom") {
		t.Errorf("the panic is not logged:\n%s", logs.String())
	}
	if !errors.Is(aborted, context.Canceled) {
		t.Errorf("the run in hand saw %v, want it cancelled", aborted)
	}
}

func TestParseLine(t *testing.T) {
	tests := []struct {
		line    string
		offset  int
		args    []string
		wantErr string
	}{
		{"CRON_TZ=Asia/Kolkata 0 2 * * * yesterday", -1, nil, ""},
		{"@daily today-2 --offline", -2, []string{"--offline"}, ""},
		{"0 14 * * * today", 0, nil, ""},
		{"0 2 * * yesterday", 0, nil, "cron expression"},
		{"0 2 * * * tomorrow", 0, nil, "yesterday, today or today-N"},
		{"CRON_TZ=Mars/Base 0 2 * * * yesterday", 0, nil, "cron expression"},
		{"0 2 * * * yesterday --date 2026-01-01", 0, nil, "set by the scheduler"},
	}
	for _, tt := range tests {
		j, err := ParseLine(tt.line, ist)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseLine(%q) err=%v, want one containing %q", tt.line, err, tt.wantErr)
			}
			continue
		}
		if err != nil || j.Offset != tt.offset || !slices.Equal(j.Args, tt.args) {
			t.Errorf("ParseLine(%q) = offset %d args %v err %v; want %d %v", tt.line, j.Offset, j.Args, err, tt.offset, tt.args)
		}
	}
	j, _ := ParseLine("CRON_TZ=Asia/Kolkata 0 2 * * * yesterday", ist)
	from := time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC) // 08:30 IST
	if got, want := j.Schedule.Next(from), time.Date(2026, 11, 25, 2, 0, 0, 0, ist); !got.Equal(want) {
		t.Errorf("Next(%v)=%v, want %v", from, got, want)
	}
}

func TestLoadShippedSchedules(t *testing.T) {
	jobs, errs := LoadDir("../../schedules", ist)
	if len(errs) > 0 {
		t.Fatalf("schedules/ has mistakes: %v", errs)
	}
	if len(jobs) == 0 {
		t.Fatal("schedules/ has no job")
	}
	bad := filepath.Join(t.TempDir(), "bad.cron")
	os.WriteFile(bad, []byte("# fine\n0 2 * * * yesterday\nnonsense\n0 99 * * * today\n"), 0o644)
	_, errs = LoadFile(bad, ist)
	if len(errs) != 2 || !strings.Contains(errs[0].Error(), "bad.cron:3") || !strings.Contains(errs[1].Error(), "bad.cron:4") {
		t.Errorf("errors %v, want lines 3 and 4", errs)
	}
}

// graceClock never lets the grace run out.
type graceClock struct{ *fakeClock }

func (c graceClock) After(d time.Duration) <-chan time.Time {
	if d == 7*time.Minute {
		return make(chan time.Time) // the grace: never over
	}
	return c.fakeClock.After(d)
}

// notifyHandler closes a channel when a message is logged.
type notifyHandler struct {
	slog.Handler
	msg  string
	seen chan struct{}
	once *sync.Once
}

func (h notifyHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h notifyHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == h.msg {
		h.once.Do(func() { close(h.seen) })
	}
	return nil
}

// TestStopLetsRunFinishWithinGrace: with a grace, a stop lets the run in
// hand finish uncancelled, and no further run starts.
func TestStopLetsRunFinishWithinGrace(t *testing.T) {
	clock := graceClock{&fakeClock{now: time.Date(2026, 11, 24, 1, 0, 0, 0, ist)}}
	h := &history{completed: []string{"2026-11-22"}}
	ctx, cancel := context.WithCancel(context.Background())
	seen := make(chan struct{})
	var ran []string
	var runErr error
	d := &Daemon{
		Jobs: []Job{nightly(t)}, Zone: ist, Clock: clock, LastCompleted: h.last, CatchUpDays: 7, Grace: 7 * time.Minute,
		Log: slog.New(notifyHandler{Handler: slog.DiscardHandler, msg: "stop requested: letting the run in hand finish", seen: seen, once: &sync.Once{}}),
		Run: func(runCtx context.Context, j Job, date string) error {
			ran = append(ran, date)
			cancel() // SIGTERM during the run
			<-seen   // the daemon has noticed, and waits for us
			runErr = runCtx.Err()
			return nil
		},
	}
	if err := d.Serve(ctx); err != nil {
		t.Fatal(err)
	}
	if want := []string{"2026-11-23"}; !slices.Equal(ran, want) {
		t.Errorf("ran %v, want %v", ran, want)
	}
	if runErr != nil {
		t.Errorf("the run in hand was cancelled (%v) within its grace", runErr)
	}
}
