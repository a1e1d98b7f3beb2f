package storetest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/recon"
)

// Key is the workflow key of e on date.
func Key(date string, e recon.Exception) ledger.Key {
	return ledger.Key{Date: date, Category: e.Category, Entity: e.Entity, Reference: e.Reference}
}

func state(t *testing.T, db ledger.Store, date string, e recon.Exception) recon.Exception {
	t.Helper()
	e.Date = date
	exs := []recon.Exception{e}
	if err := db.ApplyStates(context.Background(), exs); err != nil {
		t.Fatal(err)
	}
	return exs[0]
}

// Trail is the store's whole audit trail.
func Trail(t *testing.T, db ledger.Store) []ledger.AuditEntry {
	t.Helper()
	a, err := db.Audit(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// testWorkflow follows one date's exceptions through a person's changes
// and later runs (SPEC §8): a manual state holds while the exception is
// reported, also across a re-run that replaces the date's exceptions; a
// re-check that no longer reports it resolves it; when it comes back it
// re-opens; the trail only grows.
func testWorkflow(t *testing.T, h Harness) {
	ctx := context.Background()
	db := h.open(t, time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	const d = "2026-11-20"
	a, b := Exception(recon.AmountMismatch, "A"), Exception(recon.StatusMismatch, "B")
	if err := db.SaveExceptions(ctx, d, "run-1", []recon.Exception{a, b}); err != nil {
		t.Fatal(err)
	}
	asha := "asha"
	steps := []struct {
		name      string
		do        func() error
		wantA     recon.State
		wantB     recon.State
		wantTrail int
		wantLast  string // the last entry: who, to, note fragment
	}{
		{"nothing recorded yet", func() error { return nil }, recon.StateOpen, recon.StateOpen, 0, ""},
		{"a person investigates A", func() error {
			_, err := db.Record(ctx, []ledger.Change{{Key: Key(d, a), To: recon.StateInvestigating, Owner: &asha, Who: "asha"}})
			return err
		}, recon.StateInvestigating, recon.StateOpen, 1, "asha INVESTIGATING"},
		{"a person writes B off", func() error {
			_, err := db.Record(ctx, []ledger.Change{{Key: Key(d, b), To: recon.StateWrittenOff, Note: "₹0.01 accepted", Who: "ravi"}})
			return err
		}, recon.StateInvestigating, recon.StateWrittenOff, 2, "ravi WRITTEN_OFF ₹0.01 accepted"},
		{"a re-run of the date replaces its exceptions: the states hold", func() error {
			return db.SaveExceptions(ctx, d, "run-2", []recon.Exception{a, b})
		}, recon.StateInvestigating, recon.StateWrittenOff, 2, "ravi WRITTEN_OFF"},
		{"a later re-check no longer reports A: the run resolves it", func() error {
			_, err := db.Recheck(ctx, d, "2026-11-21", "run-3", []recon.Exception{b})
			return err
		}, recon.StateResolved, recon.StateWrittenOff, 3, "recon run RESOLVED settled: no longer reported by the run of 2026-11-21"},
		{"a re-run of that date re-checks the same: nothing new", func() error {
			_, err := db.Recheck(ctx, d, "2026-11-21", "run-4", []recon.Exception{b})
			return err
		}, recon.StateResolved, recon.StateWrittenOff, 3, "recon run RESOLVED"},
		{"A comes back: it re-opens", func() error {
			_, err := db.Recheck(ctx, d, "2026-11-22", "run-5", []recon.Exception{a, b})
			return err
		}, recon.StateOpen, recon.StateWrittenOff, 4, "recon run OPEN reported again by the run of 2026-11-22"},
		{"the data settles B, written off by a person: resolved by the run", func() error {
			_, err := db.Recheck(ctx, d, "2026-11-23", "run-6", []recon.Exception{a})
			return err
		}, recon.StateOpen, recon.StateResolved, 5, "recon run RESOLVED"},
	}
	lengths := 0
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got := state(t, db, d, a).State; got != st.wantA {
			t.Errorf("%s: A is %s, want %s", st.name, got, st.wantA)
		}
		if got := state(t, db, d, b).State; got != st.wantB {
			t.Errorf("%s: B is %s, want %s", st.name, got, st.wantB)
		}
		tr := Trail(t, db)
		if len(tr) != st.wantTrail || len(tr) < lengths {
			t.Fatalf("%s: trail of %d entries, want %d (and never fewer than %d)", st.name, len(tr), st.wantTrail, lengths)
		}
		lengths = len(tr)
		if st.wantLast != "" {
			last := tr[len(tr)-1]
			if got := last.Who + " " + string(last.To) + " " + last.Note; !strings.HasPrefix(got, st.wantLast) {
				t.Errorf("%s: last entry %q, want %q…", st.name, got, st.wantLast)
			}
		}
	}
	if got := state(t, db, d, a); got.Owner != "asha" {
		t.Errorf("A's owner = %q, want asha (kept through the run's changes)", got.Owner)
	}
	first := Trail(t, db)[0]
	if first.At != "2026-11-25T09:00:00Z" || first.From != recon.StateOpen || first.To != recon.StateInvestigating {
		t.Errorf("first entry = %+v, want at the injected clock, OPEN -> INVESTIGATING", first)
	}
}

// testRecordRefuses: a state that needs a note without one, or a key the
// store has no exception for, records nothing of the whole batch.
func testRecordRefuses(t *testing.T, h Harness) {
	ctx := context.Background()
	db := h.open(t, time.Time{})
	const d = "2026-11-20"
	a := Exception(recon.AmountMismatch, "A")
	if err := db.SaveExceptions(ctx, d, "run-1", []recon.Exception{a}); err != nil {
		t.Fatal(err)
	}
	good := ledger.Change{Key: Key(d, a), To: recon.StateInvestigating, Who: "asha"}
	tests := []struct {
		name    string
		bad     ledger.Change
		wantErr string
	}{
		{"resolved without a note", ledger.Change{Key: Key(d, a), To: recon.StateResolved, Who: "asha"}, "needs a note"},
		{"written off with a blank note", ledger.Change{Key: Key(d, a), To: recon.StateWrittenOff, Note: "  ", Who: "asha"}, "needs a note"},
		{"no such exception", ledger.Change{Key: ledger.Key{Date: d, Category: recon.AmountMismatch, Entity: recon.EntityPayin, Reference: "Z"}, To: recon.StateOpen, Who: "asha"}, "no such exception"},
		{"another date", ledger.Change{Key: Key("2026-11-21", a), To: recon.StateOpen, Who: "asha"}, "no such exception"},
	}
	for _, tt := range tests {
		_, err := db.Record(ctx, []ledger.Change{good, tt.bad})
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.wantErr)
		}
		if n := len(Trail(t, db)); n != 0 {
			t.Errorf("%s: %d entries recorded, want none (the good change too)", tt.name, n)
		}
	}
}

// testFindKey: the entity completes a key when one entity has the
// reference; several make the key ambiguous.
func testFindKey(t *testing.T, h Harness) {
	ctx := context.Background()
	db := h.open(t, time.Time{})
	in, out := Exception(recon.StatusMismatch, "X"), Exception(recon.StatusMismatch, "X")
	out.Entity = recon.EntityPayout
	solo := Exception(recon.AmountMismatch, "S")
	if err := db.SaveExceptions(ctx, "2026-11-20", "run-1", []recon.Exception{in, out, solo}); err != nil {
		t.Fatal(err)
	}
	got, err := db.FindKey(ctx, ledger.Key{Date: "2026-11-20", Category: recon.AmountMismatch, Reference: "S"})
	if err != nil || got.Entity != recon.EntityPayin {
		t.Errorf("FindKey(S) = %v, %v; want PAYIN", got, err)
	}
	_, err = db.FindKey(ctx, ledger.Key{Date: "2026-11-20", Category: recon.StatusMismatch, Reference: "X"})
	var amb *ledger.AmbiguousError
	if !errors.As(err, &amb) || !slices.Equal(amb.Entities, []recon.Entity{recon.EntityPayin, recon.EntityPayout}) {
		t.Errorf("FindKey(X) err = %v, want ambiguous between PAYIN and PAYOUT", err)
	}
	got, err = db.FindKey(ctx, ledger.Key{Date: "2026-11-20", Category: recon.StatusMismatch, Entity: recon.EntityPayout, Reference: "X"})
	if err != nil || got.Entity != recon.EntityPayout {
		t.Errorf("FindKey(X, PAYOUT) = %v, %v", got, err)
	}
}

// testList: filters across dates, with states and ages.
func testList(t *testing.T, h Harness) {
	ctx := context.Background()
	db := h.open(t, time.Time{})
	a, b := Exception(recon.AmountMismatch, "A"), Exception(recon.StatusMismatch, "B")
	c := Exception(recon.AmountMismatch, "C")
	c.FirstSeen = "2026-11-22"
	if err := db.SaveExceptions(ctx, "2026-11-20", "run-1", []recon.Exception{a, b}); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveExceptions(ctx, "2026-11-22", "run-2", []recon.Exception{c}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Record(ctx, []ledger.Change{{Key: Key("2026-11-20", b), To: recon.StateResolved, Note: "refunded", Who: "asha"}}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		f    ledger.Filter
		want []string
	}{
		{"all", ledger.Filter{}, []string{"A OPEN", "B RESOLVED", "C OPEN"}},
		{"open", ledger.Filter{Open: true}, []string{"A OPEN", "C OPEN"}},
		{"one date", ledger.Filter{Date: "2026-11-22"}, []string{"C OPEN"}},
		{"one category", ledger.Filter{Category: recon.StatusMismatch}, []string{"B RESOLVED"}},
		{"older than 3 days", ledger.Filter{OlderThan: 3}, []string{"A OPEN", "B RESOLVED"}},
		{"open, older than 3 days", ledger.Filter{Open: true, OlderThan: 3}, []string{"A OPEN"}},
	}
	for _, tt := range tests {
		tt.f.Today = "2026-11-25"
		list, err := db.List(ctx, tt.f)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, l := range list {
			got = append(got, l.Reference+" "+string(l.State))
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

// testTrend: each date run in the window, its exceptions and money at
// risk, a key in two categories counted once.
func testTrend(t *testing.T, h Harness) {
	ctx := context.Background()
	db := h.open(t, time.Time{})
	amt := func(p int64) *recon.Amount { a := recon.Amount(p); return &a }
	a := Exception(recon.AmountMismatch, "A")
	a.LedgerAmount, a.GatewayAmount, a.Difference = amt(10000), amt(9000), amt(-1000)
	a2 := Exception(recon.StatusMismatch, "A")
	a2.LedgerAmount = amt(10000)
	old := Exception(recon.MissingInLedger, "OLD")
	old.GatewayAmount = amt(500)
	for date, exs := range map[string][]recon.Exception{"2026-11-01": {old}, "2026-11-20": {a, a2}} {
		if err := db.SaveExceptions(ctx, date, "run", exs); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.Trend(ctx, "2026-11-24", 14)
	if err != nil {
		t.Fatal(err)
	}
	want := []ledger.DayTotal{{Date: "2026-11-20", Exceptions: 2, AtRisk: 10000}, {Date: "2026-11-24"}}
	if !slices.Equal(got, want) {
		t.Errorf("Trend = %+v, want %+v (2026-11-01 is outside 14 days; A's money once)", got, want)
	}
}
