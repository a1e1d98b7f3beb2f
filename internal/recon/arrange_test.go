package recon

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestArrange(t *testing.T) {
	type rec struct {
		no   int
		body [3]string // larger than a word, as records are
	}
	byNo := func(a, b *rec) int { return cmp.Compare(a.no, b.no) }
	for _, n := range []int{0, 1, 2, 7, 1000} {
		want := make([]rec, n)
		for i := range want {
			want[i] = rec{no: i * 3, body: [3]string{"k", string(rune('a' + i%26)), "x"}}
		}
		for seed := range uint64(3) {
			got := slices.Clone(want)
			if seed > 0 { // seed 0: already in order
				rand.New(rand.NewPCG(seed, 1)).Shuffle(n, func(i, j int) { got[i], got[j] = got[j], got[i] })
			}
			Arrange(got, byNo)
			if !slices.Equal(got, want) {
				t.Fatalf("n=%d seed=%d: arranged %v, want %v", n, seed, got[:min(n, 5)], want[:min(n, 5)])
			}
		}
	}
	// Reversed: every element moves, in cycles of two.
	got := []rec{{no: 3}, {no: 2}, {no: 1}, {no: 0}}
	Arrange(got, byNo)
	if !slices.IsSortedFunc(got, func(a, b rec) int { return byNo(&a, &b) }) {
		t.Fatalf("reversed: arranged %v", got)
	}
}

func TestArrangeByNumber(t *testing.T) {
	type rec struct {
		no   int32
		body [3]string
	}
	no := func(r *rec) int32 { return r.no }
	for _, n := range []int{0, 1, 2, 7, 1000} {
		want := make([]rec, n)
		for i := range want {
			want[i] = rec{no: int32(i * 3), body: [3]string{"k", string(rune('a' + i%26)), "x"}}
		}
		for seed := range uint64(3) {
			got := slices.Clone(want)
			if seed > 0 {
				rand.New(rand.NewPCG(seed, 1)).Shuffle(n, func(i, j int) { got[i], got[j] = got[j], got[i] })
			}
			ArrangeByNumber(got, 3*n, no)
			if !slices.Equal(got, want) {
				t.Fatalf("n=%d seed=%d: arranged %v, want %v", n, seed, got[:min(n, 5)], want[:min(n, 5)])
			}
		}
	}
	// Numbers outside [0, n) or shared: arranged by number all the same.
	for _, c := range [][]rec{{{no: 5}, {no: 1}, {no: 9}}, {{no: 2}, {no: 1}, {no: 2}, {no: 0}}, {{no: 1}, {no: -1}}} {
		got := slices.Clone(c)
		ArrangeByNumber(got, 3, no)
		if !slices.IsSortedFunc(got, func(a, b rec) int { return cmp.Compare(a.no, b.no) }) {
			t.Errorf("%v: arranged %v", c, got)
		}
	}
}

// TestArrangeByGroup: elements placed by group, each group's in the order
// they had.
func TestArrangeByGroup(t *testing.T) {
	type rec struct {
		group int32
		seq   int
		body  [3]string
	}
	group := func(r *rec) int32 { return r.group }
	for _, n := range []int{0, 1, 2, 7, 1000} {
		for seed := range uint64(3) {
			r := rand.New(rand.NewPCG(seed, 7))
			got := make([]rec, n)
			for i := range got {
				got[i] = rec{group: int32(r.IntN(5)), seq: i, body: [3]string{"k", string(rune('a' + i%26)), "x"}}
			}
			if seed == 0 { // already grouped: left as it is
				slices.SortStableFunc(got, func(a, b rec) int { return cmp.Compare(a.group, b.group) })
			}
			want := slices.Clone(got)
			slices.SortStableFunc(want, func(a, b rec) int { return cmp.Compare(a.group, b.group) })
			arrangeByGroup(got, 5, group)
			if !slices.Equal(got, want) {
				t.Fatalf("n=%d seed=%d: arranged %v, want %v", n, seed, got[:min(n, 5)], want[:min(n, 5)])
			}
		}
	}
}

// BenchmarkArrangeGateway arranges a million gateway records by key
// number, from the order of a dump exported by time.
func BenchmarkArrangeGateway(b *testing.B) {
	const n = 1_000_000
	recs := make([]GatewayRecord, n)
	for i := range recs {
		recs[i].KeyNo = int32(i)
	}
	rand.New(rand.NewPCG(1, 2)).Shuffle(n, func(i, j int) { recs[i], recs[j] = recs[j], recs[i] })
	for _, arrange := range []struct {
		name string
		fn   func([]GatewayRecord)
	}{
		{"sort", func(s []GatewayRecord) {
			Arrange(s, func(a, b *GatewayRecord) int { return cmp.Compare(a.KeyNo, b.KeyNo) })
		}},
		{"by number", func(s []GatewayRecord) {
			ArrangeByNumber(s, n, func(g *GatewayRecord) int32 { return g.KeyNo })
		}},
	} {
		b.Run(arrange.name, func(b *testing.B) {
			s := make([]GatewayRecord, n)
			for b.Loop() {
				b.StopTimer()
				copy(s, recs)
				b.StartTimer()
				arrange.fn(s)
			}
		})
	}
}
