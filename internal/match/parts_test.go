package match

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"sort"
	"strings"
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
	// The facts come as the parts of a day give them: added a part at a
	// time, each part's strings in a block of their own.
	find := func(order []int) Across {
		var all Facts
		for at := 0; at < len(order); at += 2 {
			var part []PayoutFact
			for _, j := range order[at:min(at+2, len(order))] {
				part = append(part, facts[j])
			}
			all.Add(part)
		}
		return AcrossPayouts(&all, 15*time.Minute)
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

// TestAcrossPayoutsAsSorted holds AcrossPayouts, which groups the facts by
// a hash first, to the checks done by sorting the facts' strings, kept here
// as the reference: on days of many payouts to few beneficiaries, at few
// amounts and with few UTRs, so that most payouts are in a group.
func TestAcrossPayoutsAsSorted(t *testing.T) {
	at := recon.InstantOf(time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC))
	rng := rand.New(rand.NewPCG(3, 4))
	classes := []recon.StatusClass{recon.StatusSuccess, recon.StatusPending, recon.StatusFailed}
	for round := range 30 {
		n := 1 + rng.IntN(300)
		facts := make([]PayoutFact, n)
		for i := range facts {
			f := &facts[i]
			f.ID = fmt.Sprintf("PO-%d", rng.IntN(1_000_000))
			if i > 0 && rng.IntN(50) == 0 {
				f.ID = facts[rng.IntN(i)].ID + "x" // a longer id sharing a prefix
			}
			switch rng.IntN(4) {
			case 0:
				f.Beneficiary = ""
			case 1:
				f.Beneficiary = fmt.Sprintf("vpa:p%d@bank", rng.IntN(3))
			default:
				f.Beneficiary = fmt.Sprintf("acct:%d/HDFC0001", rng.IntN(3))
			}
			f.Amount = recon.Amount(100 * (1 + rng.IntN(3)))
			f.At = at + recon.Instant(time.Duration(rng.IntN(90))*time.Minute)
			f.Class = classes[rng.IntN(len(classes))]
			for k := range rng.IntN(3) {
				f.UTRs[k] = fmt.Sprintf("UTR%d", k*10+rng.IntN(2*n))
			}
		}
		seen := map[string]bool{}
		unique := facts[:0]
		for _, f := range facts {
			if !seen[f.ID] && (f.UTRs[1] == "" || f.UTRs[1] != f.UTRs[0]) {
				seen[f.ID] = true
				unique = append(unique, f)
			}
		}
		var all Facts
		for from := 0; from < len(unique); from += 40 {
			all.Add(unique[from:min(from+40, len(unique))])
		}
		window := time.Duration(rng.IntN(30)) * time.Minute
		got, want := AcrossPayouts(&all, window), acrossSorted(unique, window)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("round %d, %d payouts, window %s:\n got %+v\nwant %+v", round, len(unique), window, got, want)
		}
		if round == 0 && len(want) == 0 {
			t.Fatal("the first day has no finding: the test compares nothing")
		}
	}
}

// acrossSorted is AcrossPayouts as it was first written, by sorting the
// facts' strings: the reference TestAcrossPayoutsAsSorted holds it to.
func acrossSorted(facts []PayoutFact, window time.Duration) Across {
	found := Across{}
	var cands []*PayoutFact
	for i := range facts {
		if f := &facts[i]; f.Beneficiary != "" && f.Class != recon.StatusFailed {
			cands = append(cands, f)
		}
	}
	sort.Slice(cands, func(i, j int) bool {
		a, b := cands[i], cands[j]
		if a.Beneficiary != b.Beneficiary {
			return a.Beneficiary < b.Beneficiary
		}
		if a.Amount != b.Amount {
			return a.Amount < b.Amount
		}
		if a.At != b.At {
			return a.At < b.At
		}
		return a.ID < b.ID
	})
	for start := 0; start < len(cands); {
		end := start + 1
		for end < len(cands) && cands[end].Beneficiary == cands[start].Beneficiary &&
			cands[end].Amount == cands[start].Amount && time.Duration(cands[end].At-cands[end-1].At) <= window {
			end++
		}
		if group := cands[start:end]; len(group) > 1 {
			span := time.Duration(group[len(group)-1].At - group[0].At)
			for _, f := range group {
				var others []string
				for _, g := range group {
					if g.ID != f.ID {
						others = append(others, g.ID)
					}
				}
				found[f.ID] = append(found[f.ID], Finding{Category: recon.DuplicatePayout, Count: len(group),
					Detail: fmt.Sprintf("Payout %s of %s to %s looks like a duplicate of %s: %d payouts of the same amount to the same beneficiary within %s.",
						f.ID, f.Amount, strings.SplitN(f.Beneficiary, ":", 2)[1], strings.Join(others, ", "), len(group), minutes(span))})
			}
		}
		start = end
	}
	byUTR := map[string][]string{}
	for _, f := range facts {
		for _, u := range f.UTRs {
			if u != "" {
				byUTR[u] = append(byUTR[u], f.ID)
			}
		}
	}
	for _, f := range facts {
		for _, u := range f.UTRs {
			if len(byUTR[u]) < 2 {
				continue
			}
			var others []string
			for _, id := range byUTR[u] {
				if id != f.ID {
					others = append(others, id)
				}
			}
			sort.Strings(others)
			found[f.ID] = append(found[f.ID], Finding{Category: recon.DuplicateUTR, Count: len(others) + 1,
				Detail: fmt.Sprintf("UTR %s of payout %s is also on %s.", u, f.ID, strings.Join(others, ", "))})
		}
	}
	return found
}

// TestFactsBlocks: facts added in blocks too large for 32-bit offsets are
// split over blocks, and each fact reads back as it was added.
func TestFactsBlocks(t *testing.T) {
	defer func(was int) { maxBlock = was }(maxBlock)
	maxBlock = 64
	var facts []PayoutFact
	for i := range 100 {
		facts = append(facts, PayoutFact{ID: fmt.Sprintf("PO-%d", i), Beneficiary: fmt.Sprintf("vpa:p%d@bank", i),
			Amount: recon.Amount(i), At: recon.Instant(i), Class: recon.StatusSuccess, UTRs: [2]string{fmt.Sprintf("U%d", i)}})
	}
	var all Facts
	all.Add(facts[:1])
	all.Add(facts[1:])
	if all.Len() != len(facts) || len(all.blocks) < 10 {
		t.Fatalf("%d facts in %d blocks, want %d in at least 10", all.Len(), len(all.blocks), len(facts))
	}
	for i := range facts {
		if got := all.Fact(i); got != facts[i] {
			t.Fatalf("fact %d: %+v, want %+v", i, got, facts[i])
		}
	}
	for _, b := range all.blocks {
		if len(b) > maxBlock {
			t.Fatalf("a block of %d bytes, over %d", len(b), maxBlock)
		}
	}
}

// TestPackedFactHoldsNoPointer: a packed fact is 48 bytes and holds no
// pointer, so that the collector has nothing to scan in a day's millions.
func TestPackedFactHoldsNoPointer(t *testing.T) {
	typ := reflect.TypeFor[packedFact]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		switch f.Type.Kind() {
		case reflect.Pointer, reflect.String, reflect.Slice, reflect.Map, reflect.Interface, reflect.Func, reflect.Chan:
			t.Errorf("packedFact.%s is a %s, which the collector scans", f.Name, f.Type.Kind())
		}
	}
	if size := typ.Size(); size > 48 {
		t.Errorf("a packed fact is %d bytes, want 48 at most", size)
	}
}
