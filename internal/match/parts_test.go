package match

import (
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/kwikpaisa/recon/internal/recon"
)

// TestAcrossPayoutsAnyOrder: the checks across payouts find the same,
// word for word, whatever order the payouts come in, as the parts of a day
// give them.
func TestAcrossPayoutsAnyOrder(t *testing.T) {
	at := recon.InstantOf(time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC))
	facts := []PayoutFact{
		{ID: "PO-9", Beneficiary: "acct:1234/HDFC0001", Amount: 50000, At: at, Class: recon.StatusSuccess, UTRs: [2]string{"UTR1"}},
		{ID: "PO-3", Beneficiary: "acct:1234/HDFC0001", Amount: 50000, At: at + recon.Instant(4*time.Minute), Class: recon.StatusPending},
		{ID: "PO-5", Beneficiary: "acct:1234/HDFC0001", Amount: 50000, At: at + recon.Instant(40*time.Minute), Class: recon.StatusSuccess, UTRs: [2]string{"UTR1", "UTR2"}},
		{ID: "PO-1", Beneficiary: "vpa:a@bank", Amount: 700, At: at, Class: recon.StatusSuccess, UTRs: [2]string{"UTR1"}},
		{ID: "PO-7", Beneficiary: "vpa:b@bank", Amount: 700, At: at, Class: recon.StatusFailed, UTRs: [2]string{"UTR2"}},
	}
	find := func(order []int) Across {
		all := make([]*PayoutFact, len(order))
		for i, j := range order {
			all[i] = &facts[j]
		}
		return AcrossPayouts(all, 15*time.Minute)
	}
	want := find([]int{0, 1, 2, 3, 4})
	wantUTR1 := "UTR UTR1 of payout PO-5 is also on PO-1, PO-9."
	if got := want["PO-5"]; len(got) != 2 || got[0].Detail != wantUTR1 || got[1].Category != recon.DuplicateUTR || got[1].Count != 2 {
		t.Fatalf("PO-5's findings: %+v, want UTR1 shared with PO-1 and PO-9, then UTR2 with PO-7", got)
	}
	if got := want["PO-3"]; len(got) != 1 || got[0].Category != recon.DuplicatePayout || got[0].Count != 2 {
		t.Fatalf("PO-3's findings: %+v, want one DUPLICATE_PAYOUT of 2", got)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		order := rng.Perm(len(facts))
		if got := find(order); !reflect.DeepEqual(got, want) {
			t.Fatalf("payouts in order %v: %+v\nwant %+v", order, got, want)
		}
	}
}
