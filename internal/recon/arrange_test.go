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
