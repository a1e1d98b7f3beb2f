package pipeline

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/kwikpaisa/recon/internal/ingest"
	"github.com/kwikpaisa/recon/internal/ledger/sqlite"
	"github.com/kwikpaisa/recon/internal/match"
	"github.com/kwikpaisa/recon/internal/recon"
)

// TestKeyNumberingAgrees stores the shipped fixture day (every category of
// exception planted), loads it back, and matches it twice: as loaded, with
// the keys the store numbered (Day.Keys, each record's KeyNo), and with the
// numbering taken away, as a day built by hand has none. Matching must find
// the same exceptions and counts either way.
func TestKeyNumberingAgrees(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "recon.db")
	if _, err := Run(ctx, fixtureDay(t, db)); err != nil {
		t.Fatal(err)
	}
	zone := time.FixedZone("IST", 19800)
	store, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	from := time.Date(2026, 11, 24, 0, 0, 0, 0, zone)
	load := func() *recon.Day {
		d, err := store.LoadDay(ctx, recon.BusinessDay{Date: "2026-11-24", Start: from, End: from.AddDate(0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	numbered, bare := load(), load()
	if numbered.Keys == nil || len(numbered.Deliveries) == 0 {
		t.Fatalf("the loaded day has no key numbering (%v) or no deliveries (%d)", numbered.Keys != nil, len(numbered.Deliveries))
	}
	// A day built by hand: no Keys, and every KeyNo at its zero value.
	bare.Keys = nil
	for i := range bare.Orders {
		bare.Orders[i].KeyNo = 0
	}
	for i := range bare.Payouts {
		bare.Payouts[i].KeyNo = 0
	}
	for i := range bare.Gateway {
		bare.Gateway[i].KeyNo = 0
	}
	for i := range bare.Deliveries {
		bare.Deliveries[i].KeyNo = 0
	}
	mopts := match.DefaultOptions()
	mopts.Authoritative, mopts.WebhookLog = true, true
	a, b := match.Reconcile(numbered, mopts), match.Reconcile(bare, mopts)
	if len(a.Exceptions) < 20 {
		t.Fatalf("%d exceptions; the fixture day plants more", len(a.Exceptions))
	}
	if !reflect.DeepEqual(a.Exceptions, b.Exceptions) {
		t.Errorf("numbered keys found %d exceptions, keys looked up %d; they differ", len(a.Exceptions), len(b.Exceptions))
	}
	if !reflect.DeepEqual(a.Matched, b.Matched) || !reflect.DeepEqual(a.Judged, b.Judged) ||
		a.DuplicateDeliveries != b.DuplicateDeliveries || a.OrphanDeliveries != b.OrphanDeliveries {
		t.Errorf("numbered: matched %v judged %v, %d duplicate and %d orphan deliveries; looked up: %v %v %d %d",
			a.Matched, a.Judged, a.DuplicateDeliveries, a.OrphanDeliveries, b.Matched, b.Judged, b.DuplicateDeliveries, b.OrphanDeliveries)
	}
	for i := range numbered.Gateway {
		g := &numbered.Gateway[i]
		if a.Keys.HasRecord(g) != a.Keys.Has(g.Entity, g.Key) || a.Keys.HasRecord(g) != b.Keys.Has(g.Entity, g.Key) {
			t.Errorf("gateway record of %s %s: judged %v by number, %v by key", g.Entity, g.Key, a.Keys.HasRecord(g), b.Keys.Has(g.Entity, g.Key))
		}
	}
}

// fixtureDay is the offline run of the shipped fixture day
// (fixtures/day/2026-11-24) into the store db, reporting into a
// temporary folder.
func fixtureDay(t *testing.T, db string) Config {
	zone := time.FixedZone("IST", 19800)
	dir := filepath.Join("..", "..", "fixtures", "day", "2026-11-24")
	opts := ingest.DefaultOptions(zone)
	opts.WebhookSecrets = []string{"whsec_fixture_2026"}
	return Config{
		Date: "2026-11-24", Zone: zone, DB: db, Out: t.TempDir(), Offline: true, Ingest: opts, Match: match.DefaultOptions(),
		Sources: Sources{Orders: filepath.Join(dir, "orders.csv"), Payouts: filepath.Join(dir, "payouts.csv"),
			Gateway: filepath.Join(dir, "gateway.jsonl"), Webhooks: filepath.Join(dir, "webhooks.jsonl")},
		Now: func() time.Time { return time.Date(2026, 11, 25, 2, 0, 0, 0, zone) },
	}
}
