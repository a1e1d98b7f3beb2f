package sqlite

import (
	"context"
	"crypto/sha256"
	"slices"
	"strconv"
	"testing"

	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/ledger/storetest"
	"github.com/kwikpaisa/recon/internal/recon"
)

// TestDeliveriesArrangedByKey: a day's deliveries come grouped by key,
// each key's in log order, whatever order the log has; a payout's and a
// delivery of no entity that name a pay-in's key string go with the
// pay-in's, so that the match meets every delivery of one reference in log
// order; deliveries of no key go last.
func TestDeliveriesArrangedByKey(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	from, at := storetest.Day()
	type dv struct {
		entity recon.Entity
		key    string
	}
	log := []dv{{recon.EntityPayin, "ORPH-B"}, {recon.EntityPayout, "ORD-2"}, {recon.EntityPayin, "ORD-2"},
		{recon.EntityPayin, "ORD-1"}, {"", ""}, {recon.EntityPayout, "PO-1"}, {"", "ORD-1"}, {recon.EntityPayin, "ORD-2"},
		{recon.EntityPayin, "ORPH-B"}, {"", "PO-1"}, {recon.EntityPayout, "PO-2"}}
	sources := storetest.Ledgers(t, db, at)
	sources["webhooks"] = storetest.LoadFile(t, db, "webhooks", "webhooks.jsonl", func(l ledger.Loader) error {
		for i, d := range log {
			if err := l.Delivery(&recon.Delivery{Place: recon.PlaceOf("webhooks.jsonl", strconv.Itoa(i+1)), ReceivedAt: at,
				Event: "payment.success", Entity: d.entity, Key: d.key, Class: recon.StatusSuccess,
				BodySHA256: sha256.Sum256([]byte(strconv.Itoa(i))), Verified: recon.VerifyRaw}); err != nil {
				return err
			}
		}
		return nil
	})
	if err := db.SetDaySources(ctx, "2026-11-24", sources); err != nil {
		t.Fatal(err)
	}
	d, err := db.LoadDay(ctx, recon.BusinessDay{Date: "2026-11-24", Start: from, End: from.AddDate(0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, x := range d.Deliveries {
		got = append(got, x.Place.Line())
	}
	// ORD-1 and ORD-2 are the pay-ins' first keys (the ledger's), ORPH-B
	// the next; PO-1 and PO-2 the payouts'.
	want := []string{"4", "7", "2", "3", "8", "1", "9", "6", "10", "11", "5"}
	if !slices.Equal(got, want) {
		t.Errorf("deliveries at lines %v, want %v", got, want)
	}
	if _, problem := storetest.InLogOrder(d.Deliveries); problem != "" {
		t.Error(problem)
	}
}
