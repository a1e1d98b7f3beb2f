package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/kwikpaisa/recon/internal/synth"
)

// TestConcurrentRunsAcrossProcesses runs recon processes over one
// database at once. While a run of a date is under way, a second run of
// that date refuses (exit 1, naming the first's pid) and a run of another
// date proceeds (exit 0). Two runs of one date started together with
// --wait both complete, one after the other. Nothing is corrupted:
// integrity_check is ok and the reports equal a single run's.
func TestConcurrentRunsAcrossProcesses(t *testing.T) {
	day := synthDay(t, 1500, 400)
	// The other date's day plants nothing: its keys carry its date, so
	// its records are of none of the first day's keys. (Planted keys such
	// as ORD-DUP-1 repeat across dates: the other date's dump would be the
	// latest record of those keys whenever its run loads first.)
	other := t.TempDir()
	if _, err := synth.Write(other, synth.Params{Date: "2026-11-26", Orders: 300, Payouts: 100, Seed: 9,
		WebhookSecret: fixtureSecret}); err != nil {
		t.Fatal(err)
	}
	env := childEnv("KWIKPAISA_WEBHOOK_SECRET=" + fixtureSecret)

	ref := t.TempDir()
	if p := runProc(t, env, "", dayRun(day, ref)...); p.code != 0 {
		t.Fatalf("single run: exit %d\n%s", p.code, p.stderr)
	}
	want := reportSet(t, filepath.Join(ref, "out", fixtureDate))

	t.Run("second run of the date refuses, another date proceeds", func(t *testing.T) {
		tmp := t.TempDir()
		first, sc := startLogged(t, env, dayRun(day, tmp)...)
		// The first run holds the lock once it logs its first stage.
		for sc.Scan() && !strings.Contains(sc.Text(), `"stage":"ingest"`) {
		}
		var second, another procResult
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done(); second = runProc(t, env, "", dayRun(day, tmp)...) }()
		go func() { defer wg.Done(); another = runProc(t, env, "", dayRunOn("2026-11-26", other, tmp)...) }()
		wg.Wait()
		for sc.Scan() { // drain the log until the run ends
		}
		if err := first.Wait(); err != nil {
			t.Fatalf("first run: %v", err)
		}

		msgs := errorLines(second.stderr)
		wantMsg := fmt.Sprintf("recon: refusing to run: date %s is being reconciled by pid %d", fixtureDate, first.Process.Pid)
		if second.code != exitError || len(msgs) != 1 || !strings.HasPrefix(msgs[0], wantMsg) {
			t.Errorf("second run of the date: exit %d, messages %q; want exit 1 and %q", second.code, msgs, wantMsg)
		}
		if another.code != 0 {
			t.Errorf("run of another date: exit %d, want 0\n%s", another.code, another.stderr)
		}
		compareReports(t, "the first run", reportSet(t, filepath.Join(tmp, "out", fixtureDate)), want)
		integrityOK(t, filepath.Join(tmp, "recon.db"))
	})

	t.Run("two runs with --wait complete one after the other", func(t *testing.T) {
		tmp := t.TempDir()
		var ps [2]procResult
		var wg sync.WaitGroup
		for i := range ps {
			wg.Add(1)
			go func() { defer wg.Done(); ps[i] = runProc(t, env, "", dayRun(day, tmp, "--wait")...) }()
		}
		wg.Wait()
		waited := 0
		for i, p := range ps {
			if p.code != 0 {
				t.Errorf("run %d: exit %d, want 0\n%s", i+1, p.code, p.stderr)
			}
			if strings.Contains(p.stderr, "recon: waiting: date "+fixtureDate+" is being reconciled by pid ") {
				waited++
			}
		}
		if waited != 1 {
			t.Errorf("%d runs said they waited for the other, want 1", waited)
		}
		compareReports(t, "after two runs at once", reportSet(t, filepath.Join(tmp, "out", fixtureDate)), want)
		integrityOK(t, filepath.Join(tmp, "recon.db"))
	})
}
