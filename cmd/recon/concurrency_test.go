package main

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
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
		// The first run holds the date's lock from its first stage; it is
		// stopped as it loads the day, holding no write of the database.
		for sc.Scan() && !strings.Contains(sc.Text(), `"msg":"loading the day"`) {
		}
		resume := pause(t, first)
		// The second logs its refusal, then waits for the first's write
		// (the load) to record its failed run.
		w := watchLines(startLogged(t, env, dayRun(day, tmp)...))
		w.until(t, `"msg":"date locked: refusing"`)
		resume()
		second := w.end()
		another := runProc(t, env, "", dayRunOn("2026-11-26", other, tmp)...)
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
		// The first run is stopped as it loads the day, holding the date's
		// lock, so that the second surely finds it held however fast the
		// first would have ended.
		first, sc := startLogged(t, env, dayRun(day, tmp, "--wait")...)
		for sc.Scan() && !strings.Contains(sc.Text(), `"msg":"loading the day"`) {
		}
		resume := pause(t, first)
		w := watchLines(startLogged(t, env, dayRun(day, tmp, "--wait")...))
		waiting := "recon: waiting: date " + fixtureDate + " is being reconciled by pid " + strconv.Itoa(first.Process.Pid)
		said := w.until(t, waiting)
		resume()
		for sc.Scan() {
		}
		second := w.end()
		if err := first.Wait(); err != nil {
			t.Errorf("first run: %v", err)
		}
		if second.code != 0 {
			t.Errorf("second run: exit %d\n%s", second.code, second.stderr)
		}
		if !said {
			t.Errorf("the second run did not say %q", waiting)
		}
		compareReports(t, "after two runs at once", reportSet(t, filepath.Join(tmp, "out", fixtureDate)), want)
		integrityOK(t, filepath.Join(tmp, "recon.db"))
	})
}
