// Package storetest is the conformance suite every store passes: each
// adapter's tests call Run with a way to open a fresh, empty store of its
// own. The cases are the store's contract, written once against
// ledger.Store.
package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/recon"
)

// Harness is what the suite needs of an adapter.
type Harness struct {
	// Open opens a fresh, empty store whose clock is now, closed when the
	// test ends.
	Open func(t *testing.T, now func() time.Time) ledger.Store
	// CheckDay, when set, is given every day the suite loads, to compare
	// with what the adapter finds another way (SQLite's fast path against
	// recon.DayAssembly fed by plain queries).
	CheckDay func(t *testing.T, s ledger.Store, day recon.BusinessDay, got *recon.Day)
}

// Run runs every case of the suite as a subtest.
func Run(t *testing.T, h Harness) {
	cases := []struct {
		name string
		fn   func(*testing.T, Harness)
	}{
		{"Workflow", testWorkflow},
		{"RecordRefuses", testRecordRefuses},
		{"FindKey", testFindKey},
		{"List", testList},
		{"Trend", testTrend},
		{"Recheck", testRecheck},
		{"NeighbourRowsOfTheDay", testNeighbourRowsOfTheDay},
		{"LoadDayBoundsAndKnownKeys", testLoadDayBoundsAndKnownKeys},
		{"PullTotals", testPullTotals},
		{"PulledRecordsByKey", testPulledRecordsByKey},
		{"DeliveryKeyNumbers", testDeliveryKeyNumbers},
		{"DeliveriesGroupedByKey", testDeliveriesGroupedByKey},
		{"RepeatedBodyInAnotherLog", testRepeatedBodyInAnotherLog},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.fn(t, h) })
	}
}

// open opens a store whose clock reads at (the wall clock when at is
// zero).
func (h Harness) open(t *testing.T, at time.Time) ledger.Store {
	t.Helper()
	now := time.Now
	if !at.IsZero() {
		now = func() time.Time { return at }
	}
	return h.Open(t, now)
}

// loadDay loads a day, failing the test on an error, and hands it to
// CheckDay.
func (h Harness) loadDay(t *testing.T, s ledger.Store, day recon.BusinessDay) *recon.Day {
	t.Helper()
	d, err := s.LoadDay(context.Background(), day)
	if err != nil {
		t.Fatalf("LoadDay(%s): %v", day.Date, err)
	}
	if h.CheckDay != nil {
		h.CheckDay(t, s, day, d)
	}
	return d
}
