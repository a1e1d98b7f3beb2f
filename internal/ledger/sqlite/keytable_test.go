package sqlite

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kwikpaisa/recon/internal/recon"
)

// keyRunsOf returns runs of n entries as files fill them: the hashes of
// sequential order ids, of random ones, few hashes repeated (one key's
// many records), one hash throughout, and the hashes at the signed
// bounds.
func keyRunsOf(n int) map[string][]keyEntry {
	r := rand.New(rand.NewPCG(1, 2))
	runs := map[string][]keyEntry{}
	fill := func(name string, hash func(i int) int64) {
		es := make([]keyEntry, n)
		for i := range es {
			es[i] = keyEntry{hash(i), r.Int64N(4), int64(n - i)}
		}
		runs[name] = es
	}
	fill("sequential ids", func(i int) int64 { return recon.KeyHash(recon.EntityPayin, fmt.Sprintf("ORD2026112400%05d", i)) })
	fill("random", func(int) int64 { return int64(r.Uint64()) })
	fill("few keys", func(int) int64 { return int64(r.Uint64N(7)) << 60 })
	fill("one hash", func(int) int64 { return 42 })
	fill("bounds", func(i int) int64 { return []int64{math.MinInt64, -1, 0, math.MaxInt64}[i%4] })
	return runs
}

// TestSortEntries: the bucketed sort orders a run as a comparison sort
// does, whatever the hashes.
func TestSortEntries(t *testing.T) {
	for _, n := range []int{0, 1, 1023, 1024, 5000, 100_000} {
		for name, es := range keyRunsOf(n) {
			want := slices.Clone(es)
			slices.SortFunc(want, compareEntries)
			sortEntries(es)
			if !slices.Equal(es, want) {
				t.Errorf("%d entries, %s: not sorted as compareEntries sorts them", n, name)
			}
		}
	}
}

// withKeyRunLen sets keyRunLen to n for the test.
func withKeyRunLen(t testing.TB, n int) {
	old := keyRunLen
	keyRunLen = n
	t.Cleanup(func() { keyRunLen = old })
}

// TestKeyRunsMerge: entries of more runs than fit in memory come out of
// the runs written out, merged, in key order, every one once, whatever the
// hashes and whether the last run is full or empty; the run file has no
// name to leave behind.
func TestKeyRunsMerge(t *testing.T) {
	withKeyRunLen(t, 1000)
	dir := t.TempDir()
	for _, n := range []int{999, 1000, 5000, 5500} {
		for name, es := range keyRunsOf(n) {
			k := keyRuns{dir: dir}
			for _, e := range es {
				if err := k.add(e); err != nil {
					t.Fatal(err)
				}
			}
			if want := n / 1000; k.written != want {
				t.Errorf("%d entries, %s: %d runs written out, want %d", n, name, k.written, want)
			}
			if left, _ := filepath.Glob(filepath.Join(dir, "*")); len(left) > 0 {
				t.Errorf("%d entries, %s: a name left while the runs are merged: %v", n, name, left)
			}
			var got []keyEntry
			collect := func(e keyEntry) error { got = append(got, e); return nil }
			if err := k.each(collect); err != nil {
				t.Fatal(err)
			}
			k.release()
			want := slices.Clone(es)
			slices.SortFunc(want, compareEntries)
			if !slices.Equal(got, want) {
				t.Errorf("%d entries, %s: merged %d entries, not the %d sorted", n, name, len(got), len(want))
			}
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*")); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}

// TestKeyTablesFilledInOrder: a file with more key entries than a run
// holds fills its key tables in one pass in key order, not a pass per run,
// with every entry, and leaves no run file beside the store.
func TestKeyTablesFilledInOrder(t *testing.T) {
	withKeyRunLen(t, 7)
	db := mustOpen(t)
	ctx := context.Background()
	for _, table := range []string{"gateway_keys", "delivery_keys"} {
		a, b := "fetched_at", "id"
		if table == "delivery_keys" {
			a, b = "file_id", "line"
		}
		_, err := db.db.ExecContext(ctx, `CREATE TABLE `+table+`_order (n INTEGER PRIMARY KEY, key_hash, a, b);
			CREATE TRIGGER `+table+`_order AFTER INSERT ON `+table+` BEGIN
				INSERT INTO `+table+`_order (key_hash, a, b) VALUES (NEW.key_hash, NEW.`+a+`, NEW.`+b+`);
			END`)
		if err != nil {
			t.Fatal(err)
		}
	}
	loadKeyed(t, db, 40)
	checkKeyHashes(t, db, 40)
	for _, table := range []string{"gateway_keys", "delivery_keys"} {
		var order []struct{ Hash, A, B int64 }
		if err := db.db.SelectContext(ctx, &order, `SELECT key_hash AS hash, a, b FROM `+table+`_order ORDER BY n`); err != nil {
			t.Fatal(err)
		}
		if len(order) != 40 {
			t.Fatalf("%s: %d entries inserted, want 40", table, len(order))
		}
		for i := 1; i < len(order); i++ {
			prev, e := order[i-1], order[i]
			if compareEntries(keyEntry{prev.Hash, prev.A, prev.B}, keyEntry{e.Hash, e.A, e.B}) > 0 {
				t.Errorf("%s: entry %d inserted after a greater one: a pass per run", table, i+1)
				break
			}
		}
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(db.Path()), ".recon-keys-*")); len(left) > 0 {
		t.Errorf("left beside the store: %v", left)
	}
}

// TestKeyRunsAsideFails: a run that cannot be set aside fails the load,
// naming where.
func TestKeyRunsAsideFails(t *testing.T) {
	withKeyRunLen(t, 2)
	k := keyRuns{dir: filepath.Join(t.TempDir(), "gone")}
	defer k.release()
	var err error
	for i := range 3 {
		if err = k.add(keyEntry{int64(i)}); err != nil {
			break
		}
	}
	if err == nil || !strings.Contains(err.Error(), "gone") {
		t.Errorf("a run file that cannot be created: %v, want an error naming its folder", err)
	}
}

// BenchmarkKeyRunsMerge gathers the entries of a gateway dump of tier M3's
// size (3.6 million) in runs of 2^20, and merges them.
func BenchmarkKeyRunsMerge(b *testing.B) {
	withKeyRunLen(b, 1<<20)
	es := keyRunsOf(3_600_000)["random"]
	dir := b.TempDir()
	for b.Loop() {
		k := keyRuns{dir: dir}
		for _, e := range es {
			if err := k.add(e); err != nil {
				b.Fatal(err)
			}
		}
		n := 0
		if err := k.each(func(keyEntry) error { n++; return nil }); err != nil || n != len(es) {
			b.Fatalf("%d entries merged (%v), want %d", n, err, len(es))
		}
		k.release()
	}
}

// BenchmarkSortEntries sorts a run of a tier M gateway dump's size.
func BenchmarkSortEntries(b *testing.B) {
	run := keyRunsOf(1_200_000)["sequential ids"]
	es := make([]keyEntry, len(run))
	for _, c := range []struct {
		name string
		sort func([]keyEntry)
	}{
		{"buckets", sortEntries},
		{"comparison", func(es []keyEntry) { slices.SortFunc(es, compareEntries) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				copy(es, run)
				c.sort(es)
			}
		})
	}
}
