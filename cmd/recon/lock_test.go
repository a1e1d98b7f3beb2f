package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kwikpaisa/recon/internal/runlock"
)

// TestTwoDatesBesideALongWrite holds a write transaction on the database
// from this process, as a large day's load does (one transaction of 14 s
// was seen at tier M), for several times SQLite's busy timeout (shortened
// to 200 ms here, RECON_DB_BUSY_TIMEOUT; 10 s by default), and runs two
// other dates in two recon processes meanwhile: both complete, waiting for
// the writer lock with their context instead of failing with "database
// is locked" once the busy timeout is spent.
func TestTwoDatesBesideALongWrite(t *testing.T) {
	t.Parallel()
	const busy = 200 * time.Millisecond
	env := childEnv("KWIKPAISA_WEBHOOK_SECRET="+fixtureSecret, "RECON_DB_BUSY_TIMEOUT="+busy.String())
	days := map[string]string{}
	for _, date := range []string{"2026-11-25", "2026-11-26"} {
		days[date] = plainDay(t, date, 300, 60)
	}
	tmp := t.TempDir()
	db := filepath.Join(tmp, "recon.db")
	if p := runProc(t, env, "", dayRunOn(fixtureDate, plainDay(t, fixtureDate, 50, 10), tmp)...); p.code != 0 {
		t.Fatalf("first run, to create the database: exit %d\n%s", p.code, p.stderr)
	}

	release := holdWrite(t, db)
	// The two runs start while the write is held, and it is held this
	// long: what is tested is a transaction longer than the busy timeout.
	held := time.AfterFunc(8*busy, release)
	defer held.Stop()
	var wg sync.WaitGroup
	results := map[string]procResult{}
	var mu sync.Mutex
	for date, day := range days {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := runProc(t, env, "", dayRunOn(date, day, tmp)...)
			mu.Lock()
			results[date] = p
			mu.Unlock()
		}()
	}
	wg.Wait()
	for date, p := range results {
		if p.code != 0 {
			t.Errorf("run of %s beside the held write: exit %d, want 0; messages %q", date, p.code, errorLines(p.stderr))
		}
		if strings.Contains(p.stderr, "database is locked") {
			t.Errorf("run of %s: %q", date, errorLines(p.stderr))
		}
	}
	integrityOK(t, db)
}

// holdWrite takes the database's writer lock and an immediate (write)
// transaction on it with a write in it, as a run's load does, until the
// returned func is called; the write is then rolled back.
func holdWrite(t *testing.T, path string) (release func()) {
	t.Helper()
	ctx := context.Background()
	w := runlock.NewWriter(path)
	unlock, err := w.Lock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite3", "file:"+path+"?_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO migrations (name) VALUES (?)`, fmt.Sprintf("held by the test %d", time.Now().UnixNano())); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			_ = tx.Rollback()
			db.Close()
			unlock()
			w.Close()
		})
	}
	t.Cleanup(release)
	return release
}

// TestSymlinkedDatabaseOneDateLock runs one date twice at once over one
// database, the first through a symlink to it, the second by its own
// path: the second refuses, naming the first, where the lock was keyed by
// the path as spelled and both ran.
func TestSymlinkedDatabaseOneDateLock(t *testing.T) {
	t.Parallel()
	day := plainDay(t, fixtureDate, 1500, 300)
	env := childEnv("KWIKPAISA_WEBHOOK_SECRET=" + fixtureSecret)
	tmp := t.TempDir()
	real := filepath.Join(tmp, "data", "recon.db")
	if err := os.MkdirAll(filepath.Dir(real), 0o700); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(tmp, "recon.db")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	args := func(db string) []string {
		return []string{"run", "--date", fixtureDate, "--offline", "--orders", filepath.Join(day, "orders.csv"),
			"--payouts", filepath.Join(day, "payouts.csv"), "--gateway", filepath.Join(day, "gateway.jsonl"),
			"--webhooks", filepath.Join(day, "webhooks.jsonl"), "--db", db, "--out", filepath.Join(tmp, "out"), "--log-format", "json"}
	}
	first, sc := startLogged(t, env, args(link)...)
	// The first run holds the date's lock once it logs its first stage.
	for sc.Scan() && !strings.Contains(sc.Text(), `"stage":"ingest"`) {
	}
	second := runProc(t, env, "", args(real)...)
	for sc.Scan() { // drain the log until the run ends
	}
	if err := first.Wait(); err != nil {
		t.Fatalf("first run: %v", err)
	}
	msgs := errorLines(second.stderr)
	want := fmt.Sprintf("recon: refusing to run: date %s is being reconciled by pid %d", fixtureDate, first.Process.Pid)
	if second.code != exitError || len(msgs) != 1 || !strings.HasPrefix(msgs[0], want) {
		t.Errorf("second run by the database's own path: exit %d, messages %q; want exit 1 and %q…", second.code, msgs, want)
	}
}

// TestPullTakesTheDateLock runs recon pull while the date's lock is held
// as a run holds it: the pull refuses, naming the holder, instead of
// asking every key a second time beside the run. Its "nothing to pull"
// says why: no source of the date loaded, or every answer fresh.
func TestPullTakesTheDateLock(t *testing.T) {
	t.Parallel()
	day := plainDay(t, fixtureDate, 100, 20)
	url := startSecSandbox(t, day)
	env := childEnv("KWIKPAISA_WEBHOOK_SECRET="+fixtureSecret, "KWIKPAISA_API_KEY="+secAPIKey, "KWIKPAISA_SECRET_KEY="+secSecretKey)
	tmp := t.TempDir()
	db := filepath.Join(tmp, "recon.db")
	pull := []string{"pull", "--date", fixtureDate, "--db", db, "--out", filepath.Join(tmp, "out"), "--api-url", url, "--wallet-id", secWallet}

	p := runProc(t, env, "", pull...)
	if want := "Nothing to pull for " + fixtureDate + ": no sources of the date are loaded; run 'recon run --date " + fixtureDate + "' first."; p.code != 0 || strings.TrimSpace(p.stdout[strings.Index(p.stdout, "\n")+1:]) != want {
		t.Errorf("pull before any run: exit %d, stdout %q; want %q", p.code, p.stdout, want)
	}

	run := runProc(t, env, "", "run", "--date", fixtureDate, "--orders", filepath.Join(day, "orders.csv"), "--payouts", filepath.Join(day, "payouts.csv"),
		"--api-url", url, "--wallet-id", secWallet, "--db", db, "--out", filepath.Join(tmp, "out"), "--log-format", "json")
	if run.code != 0 {
		t.Fatalf("run: exit %d\n%s", run.code, run.stderr)
	}
	p = runProc(t, env, "", pull...)
	if want := "Nothing to pull for " + fixtureDate + ": every key already has a final status or a fresh answer."; p.code != 0 || !strings.Contains(p.stdout, want) {
		t.Errorf("pull after the run: exit %d, stdout %q; want %q", p.code, p.stdout, want)
	}

	l, err := runlock.TryAcquire(db, fixtureDate, "pid 4242, run run-other")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	p = runProc(t, env, "", pull...)
	msgs := errorLines(p.stderr)
	want := "recon: refusing to run: date " + fixtureDate + " is being reconciled by pid 4242, run run-other"
	if p.code != exitError || len(msgs) != 1 || !strings.HasPrefix(msgs[0], want) || strings.Contains(p.stdout, "pulled") {
		t.Errorf("pull while a run holds the date: exit %d, stdout %q, messages %q; want exit 1, nothing pulled, and %q…", p.code, p.stdout, msgs, want)
	}
}

// TestRefusalSaidAtOnce holds a date's lock, as a run of it does, and a
// write on the database, as that run's load does for minutes on a large
// day: a second run of the date says it refuses while the write is still
// held (recording the refused attempt has to wait for it), says so once,
// and the attempt is in the run history once the write ends.
func TestRefusalSaidAtOnce(t *testing.T) {
	t.Parallel()
	env := childEnv("KWIKPAISA_WEBHOOK_SECRET=" + fixtureSecret)
	day := plainDay(t, fixtureDate, 50, 10)
	tmp := t.TempDir()
	db := filepath.Join(tmp, "recon.db")
	if p := runProc(t, env, "", dayRunOn(fixtureDate, day, tmp)...); p.code != 0 {
		t.Fatalf("first run, to create the database: exit %d\n%s", p.code, p.stderr)
	}
	held, err := runlock.TryAcquire(db, fixtureDate, "pid 4242, run run-other")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release()
	release := holdWrite(t, db)
	cmd, sc := startLogged(t, env, dayRunOn(fixtureDate, day, tmp)...)
	// Should nothing be said while the write is held, it is let go after
	// a minute, for the run to end and the test to fail.
	var gaveUp atomic.Bool
	watchdog := time.AfterFunc(time.Minute, func() { gaveUp.Store(true); release() })
	var said []string
	for sc.Scan() {
		if l := sc.Text(); strings.HasPrefix(l, "recon: ") {
			said = append(said, l)
			break
		}
	}
	watchdog.Stop()
	if gaveUp.Load() {
		t.Errorf("recon said nothing while the write was held")
	}
	release() // only now can the refused attempt be recorded
	for sc.Scan() {
		if l := sc.Text(); strings.HasPrefix(l, "recon: ") {
			said = append(said, l)
		}
	}
	err = cmd.Wait()
	want := "recon: refusing to run: date " + fixtureDate + " is being reconciled by pid 4242, run run-other"
	if len(said) != 1 || !strings.HasPrefix(said[0], want) {
		t.Errorf("recon said %q, want once %q… while the write was held", said, want)
	}
	if code := cmd.ProcessState.ExitCode(); code != exitError {
		t.Errorf("exit %d (%v), want %d", code, err, exitError)
	}
	runs, err := listRuns(context.Background(), db, 10, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 || runs[0].Status != "failed" || !strings.Contains(runs[0].Message, "refusing to run") {
		t.Errorf("run history %+v, want the refused attempt last, failed, refusing", runs)
	}
}
