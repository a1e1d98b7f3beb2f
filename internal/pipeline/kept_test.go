package pipeline_test

import (
	"bytes"
	"context"
	"database/sql"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kwikpaisa/recon/internal/ledger/sqlite"
	"github.com/kwikpaisa/recon/internal/pipeline"
	"github.com/kwikpaisa/recon/internal/pipeline/pipelinetest"
)

// TestRerunReadsKeptParts runs a generated day in parts twice, then after
// each kind of change to its store: the second run reads the parts the
// first kept and writes the same reports, byte for byte; the store made
// again, a row changed by hand in it, a ledger file changed, and another
// date's run each make the next run read the store again, and the run sees
// the change; a damaged kept file fails the run, loudly, and is gone for
// the next.
func TestRerunReadsKeptParts(t *testing.T) {
	tmp := t.TempDir()
	days := pipelinetest.NearDays(t, tmp, 50)
	ctx := context.Background()
	path := filepath.Join(tmp, "store.db")
	kept := filepath.Join(path+".parts", days[1].Date)
	var log bytes.Buffer
	run := func(name string, cfg pipeline.Config) (reused bool, err error) {
		t.Helper()
		log.Reset()
		db, err := sqlite.OpenWith(ctx, path, sqlite.Options{PartKeys: 200, Log: slog.New(slog.NewTextHandler(&log, nil))})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		cfg.Store, cfg.Out, cfg.RunID = db, filepath.Join(tmp, name), "run-"+name
		_, err = pipeline.Run(ctx, cfg)
		return strings.Contains(log.String(), "read from the parts that run kept"), err
	}
	report := func(name, file string) []byte {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(tmp, name, days[1].Date, file))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	mustRun := func(name string, cfg pipeline.Config, wantReused bool) {
		t.Helper()
		reused, err := run(name, cfg)
		if err != nil {
			t.Fatalf("run %s: %v", name, err)
		}
		if reused != wantReused {
			t.Fatalf("run %s read the kept parts: %v, want %v; its store said:\n%s", name, reused, wantReused, log.String())
		}
	}

	mustRun("first", days[1], false)
	if _, err := os.Stat(filepath.Join(kept, "index.json")); err != nil {
		t.Fatalf("the first run kept no parts: %v", err)
	}
	mustRun("again", days[1], true)
	files, err := os.ReadDir(filepath.Join(tmp, "first", days[1].Date))
	if err != nil || len(files) < 5 {
		t.Fatalf("%d reports written: %v", len(files), err)
	}
	for _, f := range files {
		if f.Name() == "manifest.json" || strings.HasSuffix(f.Name(), ".xlsx") {
			continue // they name the run
		}
		if !bytes.Equal(report("first", f.Name()), report("again", f.Name())) {
			t.Errorf("%s differs when the day's kept parts are read", f.Name())
		}
	}

	// The store made again beside the kept parts, from a changed file: its
	// first run reads the store, though as many changes made it as made the
	// store whose run kept them.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	dropLine(t, days[1].Sources.Orders, 7) // an order gone
	mustRun("made-again", days[1], false)
	if bytes.Equal(report("first", "summary.csv"), report("made-again", "summary.csv")) {
		t.Error("summary.csv is the same after an order left the ledger of a store made again")
	}
	mustRun("made-again-again", days[1], true)

	// A payout's amount changed by hand: the next run reads the store, and
	// reports the payout's mismatch.
	raw, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	res, err := raw.Exec(`UPDATE payouts SET amount = amount + 100 WHERE (file_id, seq) = (SELECT p.file_id, p.seq FROM payouts p
		JOIN day_sources ds ON ds.file_id = p.file_id AND ds.business_date = ? AND ds.role = 'payouts' ORDER BY p.seq LIMIT 1 OFFSET 7)`, days[1].Date)
	if err != nil {
		t.Fatalf("change a payout by hand: %v", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		t.Fatalf("change a payout by hand: %v, %d rows", err, n)
	}
	raw.Close()
	mustRun("edited", days[1], false)
	if bytes.Equal(report("first", "mismatches.csv"), report("edited", "mismatches.csv")) {
		t.Error("mismatches.csv is the same after a payout's amount was changed in the store")
	}
	mustRun("edited-again", days[1], true)

	// The day's orders file changed: it is loaded again, and the run reads
	// the store.
	dropLine(t, days[1].Sources.Orders, 5) // another order gone
	mustRun("changed", days[1], false)
	if bytes.Equal(report("edited", "summary.csv"), report("changed", "summary.csv")) {
		t.Error("summary.csv is the same after an order left the ledger")
	}

	// Another date's run keeps its own parts in their place, and removes
	// what a run that did not end left a day ago, not what one fills now.
	left, filling := filepath.Join(filepath.Dir(kept), ".fill-2026-11-01"), filepath.Join(filepath.Dir(kept), ".fill-2026-11-02")
	for _, dir := range []string{left, filling} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	dayAgo := time.Now().Add(-25 * time.Hour)
	if err := os.Chtimes(left, dayAgo, dayAgo); err != nil {
		t.Fatal(err)
	}
	mustRun("next", days[2], false)
	if _, err := os.Stat(kept); !os.IsNotExist(err) {
		t.Fatalf("%s is still kept after another date's run: %v", kept, err)
	}
	if _, err := os.Stat(left); !os.IsNotExist(err) {
		t.Errorf("%s, a day old, is still there: %v", left, err)
	}
	if _, err := os.Stat(filling); err != nil {
		t.Errorf("%s, being filled, is gone: %v", filling, err)
	}
	mustRun("returned", days[1], false)
	mustRun("returned-again", days[1], true)

	// Kept parts turned off: the run reads the store, and removes the parts
	// kept before; the next keeps none either.
	off := days[1]
	off.DropParts = true
	mustRun("off", off, false)
	if _, err := os.Stat(filepath.Dir(kept)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(kept); !os.IsNotExist(err) {
		t.Fatalf("%s is still kept with keeping off: %v", kept, err)
	}
	mustRun("off-again", off, false)
	if _, err := os.Stat(kept); !os.IsNotExist(err) {
		t.Fatalf("%s was kept with keeping off: %v", kept, err)
	}
	mustRun("on", days[1], false)
	mustRun("on-again", days[1], true)

	// A kept file damaged: the run fails and says so; the next reads the store.
	rows, err := filepath.Glob(filepath.Join(kept, "*.rows"))
	if err != nil || len(rows) == 0 {
		t.Fatalf("no kept files in %s: %v", kept, err)
	}
	for _, f := range rows {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) > 10 {
			b[len(b)/2] ^= 0x20
			if err := os.WriteFile(f, b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := run("damaged", days[1]); err == nil || !strings.Contains(err.Error(), "damaged") || !strings.Contains(err.Error(), kept) {
		t.Fatalf("a run over damaged kept parts: %v; want an error that names them damaged and where", err)
	}
	mustRun("after", days[1], false)
	if !bytes.Equal(report("returned", "summary.csv"), report("after", "summary.csv")) {
		t.Error("summary.csv differs after the damaged parts were read again from the store")
	}
}

// dropLine removes line i (from 0) of the file at path.
func dropLine(t *testing.T, path string, i int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(b), "\n")
	lines = append(lines[:i], lines[i+1:]...)
	if err := os.WriteFile(path, []byte(strings.Join(lines, "")), 0o600); err != nil {
		t.Fatal(err)
	}
}
