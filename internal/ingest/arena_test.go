package ingest

import (
	"strings"
	"testing"

	"github.com/kwikpaisa/recon/internal/recon"
)

// TestArena: every string an arena hands out keeps its text while the
// arena goes on copying others, across its buffers, one longer than a
// buffer included.
func TestArena(t *testing.T) {
	var a arena
	var want, got []string
	for i := 0; i < 400; i++ {
		s := strings.Repeat(string(rune('a'+i%26)), i%97)
		if i == 200 {
			s = strings.Repeat("x", 3*arenaSize)
		}
		want = append(want, s)
		got = append(got, a.string([]byte(s)))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("string %d = %q, want %q", i, got[i], want[i])
		}
	}
}

// TestStatusLookup: the lookup folded on the stack finds what the folded
// key finds, for words with spaces, hyphens, capitals, padding, and words
// it leaves to statusKey (not ASCII, longer than its buffer).
func TestStatusLookup(t *testing.T) {
	table := DefaultStatuses()
	table.Set(recon.EntityPayin, "Zahlung erfolgt", recon.StatusSuccess)
	table.Set(recon.EntityPayin, "réussi", recon.StatusSuccess)
	table.Set(recon.EntityPayin, strings.Repeat("very-long ", 5), recon.StatusPending)
	for _, w := range []string{"PAID", "paid", " Paid ", "User Dropped", "user-dropped", "USER_DROPPED", "un_paid",
		"Zahlung Erfolgt", "zahlung-erfolgt", "RÉUSSI", "réussi", strings.Repeat("VERY-LONG ", 5), "unknown", "pa id", "\u00a0PAID"} {
		for _, m := range []map[string]recon.StatusClass{table.payin, table.payout} {
			c, ok := lookupStatus(m, w)
			wc, wok := m[statusKey(w)]
			if c != wc || ok != wok {
				t.Errorf("lookupStatus(%q) = %v, %v; the folded key finds %v, %v", w, c, ok, wc, wok)
			}
		}
	}
}
