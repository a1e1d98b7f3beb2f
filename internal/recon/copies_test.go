package recon_test

import (
	"fmt"
	"testing"

	"github.com/kwikpaisa/recon/internal/recon"
)

// TestDropCopies: of the day's rows, a neighbour file's row identical to a
// row of another file is dropped (one order exported twice); a row that
// differs, or a repeat inside one file, stays for matching to report as a
// duplicate; D's own file's row is the one kept.
func TestDropCopies(t *testing.T) {
	const own, prev, next = "own.csv", "prev.csv", "next.csv"
	row := func(file string, line int, id string, amount recon.Amount) recon.Payout {
		return recon.Payout{PayoutID: id, Amount: amount, Status: "processed", Class: recon.StatusSuccess, UTR: "U" + id,
			RequestedAt: 1, Place: recon.SourceOf(file, "").At(line)}
	}
	tests := []struct {
		name     string
		rows     []recon.Payout
		want     []string // file:line of the rows kept
		wantNear map[string]int
	}{
		{"no neighbour rows", []recon.Payout{row(own, 2, "A", 1), row(own, 3, "A", 1)},
			[]string{"own.csv:2", "own.csv:3"}, map[string]int{}},
		{"a copy in the previous file", []recon.Payout{row(own, 2, "A", 1), row(prev, 9, "A", 1), row(prev, 10, "B", 2)},
			[]string{"own.csv:2", "prev.csv:10"}, map[string]int{prev: 1}},
		{"a differing row stays", []recon.Payout{row(own, 2, "A", 1), row(prev, 9, "A", 2)},
			[]string{"own.csv:2", "prev.csv:9"}, map[string]int{prev: 1}},
		{"a repeat inside one neighbour file stays", []recon.Payout{row(prev, 4, "A", 1), row(prev, 5, "A", 1)},
			[]string{"prev.csv:4", "prev.csv:5"}, map[string]int{prev: 2}},
		{"the same row in both neighbours", []recon.Payout{row(prev, 4, "A", 1), row(next, 2, "A", 1)},
			[]string{"prev.csv:4"}, map[string]int{prev: 1}},
	}
	same := func(a, b *recon.Payout) bool { return a.Amount == b.Amount && a.UTR == b.UTR && a.Status == b.Status }
	key := func(p *recon.Payout) (string, recon.Place) { return p.PayoutID, p.Place }
	for _, tt := range tests {
		near := map[string]int{}
		got := recon.DropCopies(tt.rows, own, near, key, same)
		var places []string
		for _, p := range got {
			places = append(places, p.Place.String())
		}
		if fmt.Sprint(places) != fmt.Sprint(tt.want) || fmt.Sprint(near) != fmt.Sprint(tt.wantNear) {
			t.Errorf("%s: kept %v, from neighbours %v; want %v, %v", tt.name, places, near, tt.want, tt.wantNear)
		}
	}
}
