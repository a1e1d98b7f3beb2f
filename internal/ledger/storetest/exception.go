package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/kwikpaisa/recon/internal/recon"
)

// Exception is a pay-in exception of c for ref, first seen 2026-11-20.
func Exception(c recon.Category, ref string) recon.Exception {
	return recon.Exception{Category: c, Entity: recon.EntityPayin, Reference: ref, Severity: recon.SeverityHigh,
		FirstSeen: "2026-11-20", Detail: "d", Evidence: []string{"orders.csv:2"}}
}

// testRecheck follows the exceptions of 2026-11-20 through re-checks by
// later runs: still open, resolved, new, reopened, and a re-run that
// counts the same.
func testRecheck(t *testing.T, h Harness) {
	ctx := context.Background()
	db := h.open(t, time.Time{})
	a, b, c := Exception(recon.AmountMismatch, "A"), Exception(recon.StatusMismatch, "B"), Exception(recon.WebhookConflict, "C")
	if err := db.SaveExceptions(ctx, "2026-11-20", "run-1", []recon.Exception{a, b}); err != nil {
		t.Fatal(err)
	}
	type counts struct{ new, open, resolved int }
	steps := []struct {
		name    string
		runDate string
		now     []recon.Exception
		want    counts
		wantAge int // of A, when open
	}{
		{"A still open, B resolved, C new", "2026-11-21", []recon.Exception{a, c}, counts{1, 1, 1}, 1},
		{"a re-run of the same date counts the same", "2026-11-21", []recon.Exception{a, c}, counts{1, 1, 1}, 1},
		{"next date: B reopens, C resolved", "2026-11-22", []recon.Exception{a, b}, counts{1, 1, 1}, 2},
	}
	for _, st := range steps {
		rc, err := db.Recheck(ctx, "2026-11-20", st.runDate, "run-"+st.runDate, st.now)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got := (counts{rc.New, rc.StillOpen, rc.Resolved}); got != st.want {
			t.Errorf("%s: new/still open/resolved = %v, want %v", st.name, got, st.want)
		}
		for _, e := range rc.Open {
			if e.Reference == "A" && (e.FirstSeen != "2026-11-20" || e.AgeDays != st.wantAge) {
				t.Errorf("%s: A first_seen %s age %d, want 2026-11-20 and %d", st.name, e.FirstSeen, e.AgeDays, st.wantAge)
			}
		}
	}

	tests := []struct {
		date string
		days int
		want string
	}{
		{"2026-11-23", 7, "2026-11-20"},
		{"2026-11-28", 7, ""}, // 2026-11-20 is outside the window
		{"2026-11-20", 7, ""}, // only earlier dates
	}
	for _, tt := range tests {
		dates, err := db.OpenDates(ctx, tt.date, tt.days)
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if len(dates) > 0 {
			got = dates[0]
		}
		if got != tt.want || len(dates) > 1 {
			t.Errorf("OpenDates(%s, %d) = %v, want [%s]", tt.date, tt.days, dates, tt.want)
		}
	}
}
