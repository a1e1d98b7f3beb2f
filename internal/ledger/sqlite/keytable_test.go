package sqlite

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
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
