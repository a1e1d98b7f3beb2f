package pipeline

import (
	"context"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"testing"
	"time"
	"unsafe"

	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/ledger/sqlite"
	"github.com/kwikpaisa/recon/internal/recon"
)

// TestCollectLess: runs that overlap share the lower collection rate, the
// last to end restores the percentage there was before, and ending twice
// counts once.
func TestCollectLess(t *testing.T) {
	t.Setenv("GOGC", "")
	before := debug.SetGCPercent(150)
	defer debug.SetGCPercent(before)
	percent := func() int { p := debug.SetGCPercent(-1); debug.SetGCPercent(p); return p }

	a := collectLess()
	b := collectLess()
	if got := percent(); got != lessGC {
		t.Fatalf("two runs collecting less: GOGC %d, want %d", got, lessGC)
	}
	a()
	a()
	if got := percent(); got != lessGC {
		t.Errorf("one of two runs ended (twice): GOGC %d, want %d still", got, lessGC)
	}
	b()
	if got := percent(); got != 150 {
		t.Errorf("both runs ended: GOGC %d, want the 150 there was before", got)
	}

	t.Setenv("GOGC", "100")
	c := collectLess()
	if got := percent(); got != 150 {
		t.Errorf("GOGC set in the environment: %d, want it left alone (150)", got)
	}
	c()
}

// collectingStore is a store that asks for its own collector percentage
// while it loads a day, and notes the one it loaded under.
type collectingStore struct {
	ledger.Store
	loadedAt []int
}

func (s *collectingStore) LoadGCPercent() int { return 37 }

func (s *collectingStore) LoadDay(ctx context.Context, day recon.BusinessDay) (*recon.Day, error) {
	p := debug.SetGCPercent(-1)
	debug.SetGCPercent(p)
	s.loadedAt = append(s.loadedAt, p)
	return s.Store.LoadDay(ctx, day)
}

// TestLoadCollector: a store that names its collector percentage
// (PostgreSQL's, whose driver makes garbage of every row) loads the day
// under it, and the run's own percentage is back after.
func TestLoadCollector(t *testing.T) {
	t.Setenv("GOGC", "")
	ctx := context.Background()
	inner, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "recon.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer inner.Close()
	store := &collectingStore{Store: inner}
	before := debug.SetGCPercent(150)
	defer debug.SetGCPercent(before)
	cfg := fixtureDay(t, inner.Name())
	cfg.Store = store
	if _, err := Run(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	if len(store.loadedAt) == 0 {
		t.Fatal("the run never loaded a day")
	}
	for i, p := range store.loadedAt {
		if p != 37 {
			t.Errorf("load %d ran at GOGC %d, want the store's 37", i+1, p)
		}
	}
	if p := debug.SetGCPercent(150); p != 150 {
		t.Errorf("after the run GOGC is %d, want the 150 there was before", p)
	}
}

// TestPayinsOfEmptiesTheDay: once the pay-ins are taken, the day holds
// nothing (the run may still hold the pointer), and the exceptions the run
// keeps hold no string of the day's.
func TestPayinsOfEmptiesTheDay(t *testing.T) {
	buf := []byte("ORD-1ORD-1")
	dayKey, excKey := string(buf[:5]), unsafe.String(&buf[5], 5)
	start := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	d := &recon.Day{BusinessDay: recon.BusinessDay{Date: "2026-11-24", Start: start, End: start.AddDate(0, 0, 1)},
		Orders:     []recon.Order{{OrderID: dayKey, Amount: 500, Status: "paid", Class: recon.StatusSuccess}},
		Payouts:    []recon.Payout{{PayoutID: "PO-1"}},
		Deliveries: []recon.Delivery{{Key: dayKey}}}
	exs := []recon.Exception{{Category: recon.Unverified, Entity: recon.EntityPayin, Reference: excKey}}

	p := payinsOf(d, exs)

	if !reflect.DeepEqual(*d, recon.Day{}) {
		t.Errorf("the day still holds %+v", *d)
	}
	if p == nil || p.Date != "2026-11-24" {
		t.Fatalf("pay-ins of %v", p)
	}
	if unsafe.StringData(exs[0].Reference) == &buf[5] || exs[0].Reference != "ORD-1" {
		t.Errorf("the exception's reference is still the day's string")
	}
}
