package sqlite

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kwikpaisa/recon/internal/recon"
)

// TestSpillRoutesRowsToTheirParts spills rows read from SQLite, as a day's
// first part does, and reads each part back: each part gets exactly the
// rows of its keys, in the order read, whole across chunks (one row is
// larger than a chunk); a delivery that names no key goes to the first
// payouts part; a spill of one entity passes over the other's rows. The
// spill's file is unlinked from the start and gone with EndParts.
func TestSpillRoutesRowsToTheirParts(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	type row struct {
		payload string
		entity  recon.Entity
		key     string
	}
	var rows []row
	for i := range 3000 {
		r := row{payload: "p" + itoa(int64(i)), entity: recon.EntityPayin, key: "order_" + itoa(int64(i*7919%3000))}
		switch {
		case i%5 == 1:
			r.entity = recon.EntityPayout
		case i%97 == 3:
			r.entity, r.key = recon.EntityPayout, ""
		case i%89 == 4:
			r.entity, r.key = "OTHER", "x"
		case i == 1234:
			r.payload = strings.Repeat("L", 3*spillChunkBytes)
		}
		rows = append(rows, r)
	}
	var values []string
	var args []any
	for _, r := range rows {
		values = append(values, "(?, ?, ?, ?)")
		args = append(args, r.payload, string(r.entity), r.key, recon.KeyHash(r.entity, r.key))
	}
	query := `SELECT column1, column2, column2, column3 = '', column4 FROM (VALUES ` + strings.Join(values, ", ") + `)`
	conn, err := db.db.Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, key := range []spillKey{{source: "both", payins: 3, payouts: 2}, {source: "payouts", payouts: 4}} {
		fills := 0
		sp, err := db.spills.get("2026-11-24", key, func(route func(*rowValues) error) error {
			fills++
			return bulkQuery(ctx, conn, 1<<20, query, args, route)
		})
		if err != nil {
			t.Fatal(err)
		}
		if again, err := db.spills.get("2026-11-24", key, nil); err != nil || again != sp || fills != 1 {
			t.Fatalf("%s: the second part's get: %v, %v, filled %d times; want the same spill, filled once", key.source, again == sp, err, fills)
		}
		var parts []recon.Part
		for _, e := range []struct {
			entity recon.Entity
			of     int
		}{{recon.EntityPayin, key.payins}, {recon.EntityPayout, key.payouts}} {
			for no := range e.of {
				parts = append(parts, recon.Part{Entity: e.entity, No: no, Of: e.of})
			}
		}
		for _, p := range parts {
			var want, got []string
			for _, r := range rows {
				if p.HasDelivery(r.entity, r.key) {
					want = append(want, r.payload)
				}
			}
			err := sp.replay(ctx, p, func(v *rowValues) error {
				got = append(got, string(v.Bytes()))
				if e := v.Bytes(); !p.HasDelivery(recon.Entity(e), "") && recon.Entity(e) != p.Entity {
					t.Errorf("%s, part %+v: a row of %s", key.source, p, e)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(want) == 0 || !slices.Equal(got, want) {
				t.Fatalf("%s, part %+v: %d rows back, want %d (equal: %v)", key.source, p, len(got), len(want), slices.Equal(got, want))
			}
		}
		if err := sp.replay(ctx, recon.Part{Entity: recon.EntityPayin, No: 0, Of: 9}, func(*rowValues) error { return nil }); err == nil {
			t.Errorf("%s: a part of another split read back without an error", key.source)
		}
	}
	left, err := filepath.Glob(filepath.Join(db.spills.dir, ".recon-spill-*"))
	if err != nil || len(left) > 0 {
		t.Fatalf("spill files named in the store's folder: %v (%v); want them unlinked", left, err)
	}
	open := func() int {
		fds, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Fatal(err)
		}
		return len(fds)
	}
	before := open()
	db.EndParts(recon.BusinessDay{})
	if after := open(); after != before-2 || db.spills.m != nil {
		t.Errorf("EndParts: %d files open, %d before; want the two spills' closed", after, before)
	}
}

// TestSpillFailures: a spill that cannot be made names the source, the
// folder and what it needs; a source that cannot be read is named, without
// a word of space; a spill whose filling failed is filled again by the
// next part that needs it, not read back half full.
func TestSpillFailures(t *testing.T) {
	db := mustOpen(t)
	key := spillKey{source: "webhook log day.jsonl", payins: 2}
	gone := filepath.Join(t.TempDir(), "gone")
	ds := &daySpills{dir: gone}
	_, err := ds.get("2026-11-24", key, func(func(*rowValues) error) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "webhook log day.jsonl") || !strings.Contains(err.Error(), gone) ||
		!strings.Contains(err.Error(), "docs/stores.md") {
		t.Fatalf("a spill in a missing folder: %v; want the source, the folder and the docs named", err)
	}
	fills := 0
	fill := func(func(*rowValues) error) error {
		fills++
		if fills == 1 {
			return errors.New("interrupted")
		}
		return nil
	}
	if _, err := db.spills.get("2026-11-24", key, fill); err == nil || !strings.Contains(err.Error(), "interrupted") ||
		!strings.Contains(err.Error(), "webhook log day.jsonl") || strings.Contains(err.Error(), "free space") {
		t.Fatalf("a fill that failed: %v; want the source named, and nothing said of space", err)
	}
	if _, err := db.spills.get("2026-11-24", key, fill); err != nil || fills != 2 {
		t.Fatalf("the next part's get: %v, %d fills; want it filled again", err, fills)
	}
}

// TestKeptPartsMakeRoom: a day's parts filled to be kept go where the parts
// kept before were, removed first, so that the folder holds one day's parts
// at a time, not two; a folder another date's run fills stays.
func TestKeptPartsMakeRoom(t *testing.T) {
	db := mustOpen(t)
	root := db.spills.root
	for _, dir := range []string{"2026-11-23", "2026-11-24", ".fill-2026-11-25"} {
		if err := os.MkdirAll(filepath.Join(root, dir), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := beginKeeping(t, db); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{".fill-2026-11-24", ".fill-2026-11-25"}) {
		t.Fatalf("the folder holds %q once the day's fill began; want the fill and another date's fill only", names)
	}
}

// TestKeptPartsNeverFailARun: a folder of kept parts that cannot be made
// (a file in its place) leaves the day's parts unkept, with a warning, and
// the run goes on.
func TestKeptPartsNeverFailARun(t *testing.T) {
	var log strings.Builder
	db := mustOpenWith(t, Options{Log: slog.New(slog.NewTextHandler(&log, nil))})
	if err := os.WriteFile(db.spills.root, []byte("not a folder"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := beginKeeping(t, db); err != nil {
		t.Fatalf("keeping the day's parts failed the load: %v", err)
	}
	if db.spills.fillDir != "" || !strings.Contains(log.String(), "could not keep the day's parts") {
		t.Fatalf("fill folder %q, log %q; want none, and a warning", db.spills.fillDir, log.String())
	}
}

// beginKeeping asks db to keep 2026-11-24's parts and begins filling them,
// as the day's first part's load does.
func beginKeeping(t *testing.T, db *DB) error {
	t.Helper()
	ctx := context.Background()
	db.KeepParts(recon.BusinessDay{Date: "2026-11-24"}, true)
	tx, err := db.db.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	return db.spills.beginKeep(ctx, tx, "2026-11-24", 0, 1, true)
}
