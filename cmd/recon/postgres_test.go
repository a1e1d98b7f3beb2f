package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kwikpaisa/recon/internal/ledger/postgres/pgtest"
	"github.com/kwikpaisa/recon/internal/synth"
)

// TestPostgresCrashAndRerun kills `recon run` on a PostgreSQL store at
// points through the run, then runs it again on the same database: the
// re-run completes and writes the reports an uninterrupted run on SQLite
// writes, byte for byte.
func TestPostgresCrashAndRerun(t *testing.T) {
	pgtest.Server(t)
	// Ten times the SQLite crash test's day: on PostgreSQL the rest of a
	// 1,000-order run after the payouts are loaded took under 150 ms, which
	// a loaded CI machine let pass before the kill landed; a 4,000-order
	// day's rest after its first file loaded was once too short as well,
	// once its parse got faster.
	day := synthDay(t, 10000, 3000)
	env := childEnv("KWIKPAISA_WEBHOOK_SECRET=" + fixtureSecret)
	ref := t.TempDir()
	if p := runProc(t, env, "", dayRun(day, ref)...); p.code != 0 {
		t.Fatalf("uninterrupted run: exit %d\n%s", p.code, p.stderr)
	}
	want := reportSet(t, filepath.Join(ref, "out", fixtureDate))
	for _, kp := range []killPoint{
		{name: "100 ms after the start", after: 100 * time.Millisecond, mayFinish: true},
		// PostgreSQL loads two files at once, the largest first: once one is
		// loaded the other is still in its transaction and two remain. Later
		// points in the ingest name no file being read, and a small day's
		// last two load in less time than a loaded machine takes to kill.
		{name: "with one file loaded and another loading", line: `"stage":"ingest"`, nth: 1},
		{name: "matching", line: `"stage":"match"`, nth: 1},
	} {
		t.Run(kp.name, func(t *testing.T) {
			tmp, db := t.TempDir(), pgtest.Fresh(t)
			dir := filepath.Join(tmp, "out", fixtureDate)
			args := dayRun(day, tmp, "--db", db)
			if killed := killRun(t, env, args, kp); !killed && !kp.mayFinish {
				t.Errorf("the run ended before the kill %s", kp.name)
			}
			wholeSetOrNone(t, dir)
			if p := runProc(t, env, "", args...); p.code != 0 {
				t.Fatalf("re-run after the kill: exit %d\n%s", p.code, p.stderr)
			}
			compareReports(t, "re-run on PostgreSQL after a kill "+kp.name, reportSet(t, dir), want)
			noLeftovers(t, dir)
		})
	}
}

// TestPostgresRunsOfOneDate runs recon as separate processes, as two
// machines would, against one PostgreSQL database: a second run of a date
// being reconciled is refused, naming the holder; a run of another date
// proceeds; two runs with --wait complete one after the other, each
// writing the reports of a lone run.
func TestPostgresRunsOfOneDate(t *testing.T) {
	pgtest.Server(t)
	day := synthDay(t, 1500, 400)
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

	t.Run("refused, and another date proceeds", func(t *testing.T) {
		tmp, db := t.TempDir(), pgtest.Fresh(t)
		first, sc := startLogged(t, env, dayRun(day, tmp, "--db", db)...)
		for sc.Scan() && !strings.Contains(sc.Text(), `"msg":"loading the day"`) {
		}
		// Stopped as it loads the day, holding the date's lock, so that the
		// second surely finds it held.
		resume := pause(t, first)
		w := watchLines(startLogged(t, env, dayRun(day, t.TempDir(), "--db", db)...))
		w.until(t, `"msg":"date locked: refusing"`)
		resume()
		second := w.end()
		another := runProc(t, env, "", dayRunOn("2026-11-26", other, t.TempDir(), "--db", db)...)
		for sc.Scan() {
		}
		if err := first.Wait(); err != nil {
			t.Fatalf("first run: %v", err)
		}
		msgs := errorLines(second.stderr)
		wantMsg := fmt.Sprintf("recon: refusing to run: date %s is being reconciled by pid %d", fixtureDate, first.Process.Pid)
		if second.code != exitError || len(msgs) != 1 || !strings.HasPrefix(msgs[0], wantMsg) {
			t.Errorf("second run of the date: exit %d, messages %q; want exit 1 and %q", second.code, msgs, wantMsg)
		}
		if strings.Contains(second.stderr, "advisory lock in postgres://") == false {
			t.Errorf("the refusal does not say where the lock is: %q", second.stderr)
		}
		if another.code != 0 {
			t.Errorf("run of another date: exit %d, want 0\n%s", another.code, another.stderr)
		}
		compareReports(t, "the first run", reportSet(t, filepath.Join(tmp, "out", fixtureDate)), want)
	})

	t.Run("two runs with --wait", func(t *testing.T) {
		db := pgtest.Fresh(t)
		var dirs [2]string
		var ps [2]procResult
		var wg sync.WaitGroup
		for i := range ps {
			dirs[i] = t.TempDir()
			wg.Add(1)
			go func() { defer wg.Done(); ps[i] = runProc(t, env, "", dayRun(day, dirs[i], "--db", db, "--wait")...) }()
		}
		wg.Wait()
		for i, p := range ps {
			if p.code != 0 {
				t.Fatalf("run %d: exit %d\n%s", i+1, p.code, p.stderr)
			}
			compareReports(t, fmt.Sprintf("run %d", i+1), reportSet(t, filepath.Join(dirs[i], "out", fixtureDate)), want)
		}
	})
}

// TestDatabasePasswordNotShown runs recon against a PostgreSQL URL with a
// password that cannot be reached: it fails loudly, names the server, and
// neither its message nor its log shows the password.
func TestDatabasePasswordNotShown(t *testing.T) {
	inRepoRoot(t)
	const secret = "sekrit-PW-42"
	tmp := t.TempDir()
	code, stdout, stderr := runRecon(t, fixtureNow, "run", "--date", fixtureDate, "--offline",
		"--orders", filepath.Join("fixtures", "day", fixtureDate, "orders.csv"),
		"--db", "postgres://recon:"+secret+"@127.0.0.1:1/recon", "--out", filepath.Join(tmp, "out"))
	if code == 0 {
		t.Fatalf("exit 0 with no database server")
	}
	if strings.Contains(stdout+stderr, secret) {
		t.Errorf("the password is shown:\n%s%s", stdout, stderr)
	}
	if !strings.Contains(stderr, "postgres://recon:xxxxx@127.0.0.1:1/recon") {
		t.Errorf("the message does not name the server:\n%s", stderr)
	}
}
