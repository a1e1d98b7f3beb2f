package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/kwikpaisa/recon/internal/runlock"
)

// fixtureRun returns the arguments of a run of the fixture day into tmp.
func fixtureRun(tmp string, extra ...string) []string {
	return append([]string{"run", "--config", "fixtures/recon.toml", "--date", fixtureDate, "--offline",
		"--db", filepath.Join(tmp, "recon.db"), "--out", filepath.Join(tmp, "reports")}, extra...)
}

// TestSameDateRefusedOrWaits holds the fixture date's lock as another run
// would: a run refuses (exit 1, saying so), a run with --wait waits and
// then completes, and a run of another date is not held up.
func TestSameDateRefusedOrWaits(t *testing.T) {
	inRepoRoot(t)
	t.Setenv("KWIKPAISA_WEBHOOK_SECRET", fixtureSecret)
	tmp := t.TempDir()
	held, err := runlock.TryAcquire(filepath.Join(tmp, "recon.db"), fixtureDate, "pid 4242, run run-other")
	if err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runRecon(t, fixtureNow, fixtureRun(tmp)...)
	if code != exitError || !strings.Contains(stderr, "refusing to run") || !strings.Contains(stderr, "pid 4242") {
		t.Fatalf("run while the date is locked: exit %d, stderr %q; want 1 refusing and naming the holder", code, stderr)
	}

	// Another date takes another lock: it gets past the lock (and fails on
	// its missing inputs, not on the lock).
	code, _, stderr = runRecon(t, fixtureNow, "run", "--config", "fixtures/recon.toml", "--date", "2026-11-23", "--offline",
		"--db", filepath.Join(tmp, "recon.db"), "--out", filepath.Join(tmp, "reports"))
	if strings.Contains(stderr, "refusing") || !strings.Contains(stderr, "2026-11-23") {
		t.Errorf("run of another date: exit %d, stderr %q; want it past the lock", code, stderr)
	}

	var wg sync.WaitGroup
	finished := make(chan struct{})
	var waitCode int
	var waitErr string
	stderrW := &watchBuffer{want: "recon: waiting:", seen: make(chan struct{})}
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(finished)
		// A minute later than the refused attempts, which the run history
		// keeps under the run id of their start.
		e := &env{stdin: strings.NewReader(""), stdout: &watchBuffer{}, stderr: stderrW, now: func() time.Time { return fixtureNow.Add(time.Minute) }}
		waitCode = run(context.Background(), e, fixtureRun(tmp, "--wait"))
		waitErr = stderrW.String()
	}()
	select { // release once the waiting run has said it waits
	case <-stderrW.seen:
	case <-finished:
	}
	if err := held.Release(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if waitCode != 0 || !strings.Contains(waitErr, "waiting: date "+fixtureDate+" is being reconciled by pid 4242") {
		t.Errorf("run --wait: exit %d, stderr %q; want 0 after saying it waits", waitCode, waitErr)
	}
}

// TestFailOnAndMetrics runs the fixture day with --fail-on: the planted
// CRITICAL exceptions make it exit 3; the metrics file parses; recon runs
// lists the run.
func TestFailOnAndMetrics(t *testing.T) {
	inRepoRoot(t)
	t.Setenv("KWIKPAISA_WEBHOOK_SECRET", fixtureSecret)
	tmp := t.TempDir()
	prom := filepath.Join(tmp, "recon.prom")
	code, stdout, stderr := runRecon(t, fixtureNow, fixtureRun(tmp, "--fail-on", "critical", "--metrics", prom)...)
	if code != exitFailOn || !strings.Contains(stderr, "at or above CRITICAL") {
		t.Fatalf("exit %d, stderr %q; want 3 naming CRITICAL", code, stderr)
	}
	if !strings.Contains(stdout, "Reports: ") {
		t.Errorf("a run that failed --fail-on still completes and says where its reports are; stdout %q", stdout)
	}
	f, err := os.Open(prom)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(f)
	if err != nil {
		t.Fatalf("metrics do not parse: %v", err)
	}
	if got := fams["recon_run_success"].GetMetric()[0].GetGauge().GetValue(); got != 1 {
		t.Errorf("recon_run_success=%v, want 1", got)
	}
	if got := fams["recon_run_exit_code"].GetMetric()[0].GetGauge().GetValue(); got != exitFailOn {
		t.Errorf("recon_run_exit_code=%v, want %d", got, exitFailOn)
	}
	if got := fams["recon_last_success_timestamp_seconds"].GetMetric()[0].GetGauge().GetValue(); got != float64(fixtureNow.Unix()) {
		t.Errorf("recon_last_success_timestamp_seconds=%v, want %v", got, fixtureNow.Unix())
	}

	code, _, stderr = runRecon(t, fixtureNow, fixtureRun(tmp, "--fail-on", "LOUD")...)
	if code != exitUsage {
		t.Errorf("--fail-on LOUD: exit %d, want %d; stderr %q", code, exitUsage, stderr)
	}

	code, stdout, stderr = runRecon(t, fixtureNow, "runs", "--db", filepath.Join(tmp, "recon.db"))
	if code != 0 {
		t.Fatalf("recon runs: exit %d, stderr %q", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "DATE") || !strings.Contains(lines[1], fixtureDate) ||
		!strings.Contains(lines[1], "completed") || !strings.Contains(lines[1], "2026-11-25T02:00:00+05:30") || !strings.Contains(lines[1], " 3 ") {
		t.Errorf("recon runs printed:\n%s\nwant a header and one completed run of %s started 2026-11-25T02:00:00+05:30 with exit 3", stdout, fixtureDate)
	}
}

// TestJSONLogsCarryRunID: off a terminal the logs are JSON lines, each with
// the run_id, and none holds the webhook secret.
func TestJSONLogsCarryRunID(t *testing.T) {
	inRepoRoot(t)
	t.Setenv("KWIKPAISA_WEBHOOK_SECRET", fixtureSecret)
	tmp := t.TempDir()
	code, _, stderr := runRecon(t, fixtureNow, fixtureRun(tmp)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	n := 0
	for _, l := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if !strings.HasPrefix(l, "{") {
			continue
		}
		n++
		if !strings.Contains(l, `"run_id":"run-20261124T203000.000000000Z"`) {
			t.Errorf("log line without the run_id: %s", l)
		}
		if strings.Contains(l, fixtureSecret) {
			t.Errorf("log line holds the secret: %s", l)
		}
	}
	if n == 0 {
		t.Errorf("no JSON log line on stderr:\n%s", stderr)
	}
}

func TestConfigCheckCommand(t *testing.T) {
	inRepoRoot(t)
	code, stdout, _ := runRecon(t, fixtureNow, "config", "check", "--config", "fixtures/recon.toml")
	if code != 0 || !strings.Contains(stdout, "OK") {
		t.Errorf("config check of the fixture: exit %d, stdout %q", code, stdout)
	}
	bad := filepath.Join(t.TempDir(), "bad.toml")
	os.WriteFile(bad, []byte("zone = 5\n[api]\nsecret_key = \"sk_abc\"\n"), 0o644)
	code, stdout, stderr := runRecon(t, fixtureNow, "config", "check", "--config", bad)
	if code != exitError || !strings.Contains(stdout, "bad.toml:1: zone") || !strings.Contains(stdout, "bad.toml:3: api.secret_key") ||
		strings.Contains(stdout+stderr, "sk_abc") {
		t.Errorf("config check of a bad file: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// watchBuffer is a buffer safe for two goroutines; seen is closed once
// what it holds contains want.
type watchBuffer struct {
	mu   sync.Mutex
	b    strings.Builder
	want string
	seen chan struct{}
	told bool
}

func (s *watchBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, err := s.b.Write(p)
	if s.seen != nil && !s.told && strings.Contains(s.b.String(), s.want) {
		close(s.seen)
		s.told = true
	}
	return n, err
}

func (s *watchBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// stopAtWait is a clock fixed at now that stops the daemon the first time
// it would wait for the next firing.
type stopAtWait struct {
	now    time.Time
	cancel func()
}

func (c *stopAtWait) Now() time.Time { return c.now }
func (c *stopAtWait) After(time.Duration) <-chan time.Time {
	c.cancel()
	return make(chan time.Time)
}

// TestScheduleCatchesUpOnStart starts the daemon on the morning after the
// fixture day with no run recorded: it runs the missed date through the
// real run path, records it completed, and stops cleanly.
func TestScheduleCatchesUpOnStart(t *testing.T) {
	inRepoRoot(t)
	t.Setenv("KWIKPAISA_WEBHOOK_SECRET", fixtureSecret)
	tmp := t.TempDir()
	abs := func(p string) string { a, _ := filepath.Abs(p); return a }
	cfg := filepath.Join(tmp, "recon.toml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`db = %q
out = %q
[sources]
orders = %q
payouts = %q
gateway = %q
webhooks = %q
[schedule]
dir = %q
`, filepath.Join(tmp, "recon.db"), filepath.Join(tmp, "reports"), abs("fixtures/day/{date}/orders.csv"),
		abs("fixtures/day/{date}/payouts.csv"), abs("fixtures/day/{date}/gateway.jsonl"),
		abs("fixtures/day/{date}/webhooks.jsonl"), abs("schedules"))), 0o644)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr watchBuffer
	e := &env{stdin: strings.NewReader(""), stdout: &watchBuffer{}, stderr: &stderr, now: func() time.Time { return fixtureNow },
		clock: &stopAtWait{now: fixtureNow.Add(8 * time.Hour), cancel: cancel}}
	// No API credentials are set: the run pulls nothing.
	code := run(ctx, e, []string{"schedule", "--config", cfg})
	if code != 0 {
		t.Fatalf("recon schedule: exit %d\n%s", code, stderr.String())
	}
	runs, err := listRuns(context.Background(), filepath.Join(tmp, "recon.db"), 10, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || runs[0].BusinessDate != fixtureDate || runs[0].Status != "completed" {
		t.Fatalf("runs after start = %+v, want one completed run of %s\n%s", runs, fixtureDate, stderr.String())
	}
	if !strings.Contains(stderr.String(), `"msg":"scheduler stopped"`) {
		t.Errorf("the daemon did not log a clean stop:\n%s", stderr.String())
	}
}
