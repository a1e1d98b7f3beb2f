package recon

import (
	"slices"
	"testing"
	"time"
)

// TestDayAssemblyRules feeds the rows a store would stream, in the orders
// stores really return them (not by key), and checks each rule of what a
// day is.
func TestDayAssemblyRules(t *testing.T) {
	ist := time.FixedZone("IST", 19800)
	day, err := ParseBusinessDay("2026-11-24", ist)
	if err != nil {
		t.Fatal(err)
	}
	in := func(h int) Instant { return InstantOf(day.Start.Add(time.Duration(h) * time.Hour)) }
	after := InstantOf(day.End)
	a := NewDayAssembly(day)
	a.Sources([]AssemblyFile{{1, "orders-24.csv", 3}, {2, "orders-25.csv", 2}, {3, "gateway.jsonl", 9},
		{4, "old-gateway.jsonl", 1}, {5, "webhooks.jsonl", 2}, {6, "webhooks-23.jsonl", 2}},
		[]AssemblySource{{"2026-11-24", "orders", 1}, {"2026-11-24", "orders_next", 2}, {"2026-11-24", "gateway", 3},
			{"2026-11-24", "webhooks", 5}, {"2026-11-23", "webhooks", 6}})
	if got := a.LedgerFiles("orders"); !slices.Equal(got, []LedgerFile{{1, true}, {2, false}}) {
		t.Fatalf("LedgerFiles = %v", got)
	}
	order := func(id string, at Instant, file string, line int) Order {
		return Order{OrderID: id, Amount: 100, CreatedAt: at, Class: StatusSuccess, Place: SourceOf(file, "").At(line)}
	}
	a.Order(order("B", in(1), "orders-24.csv", 2), LedgerFile{1, true})
	a.Order(order("LATE", after, "orders-24.csv", 3), LedgerFile{1, true}) // the 25th's: counted, not judged
	a.Order(order("A", in(2), "orders-24.csv", 4), LedgerFile{1, true})
	a.Order(order("N", in(23), "orders-25.csv", 2), LedgerFile{2, false}) // the 24th's row in the next file
	a.Order(order("X", after, "orders-25.csv", 3), LedgerFile{2, false})  // the 25th's own: not this day's
	a.Order(order("B", in(1), "orders-25.csv", 4), LedgerFile{2, false})  // a copy of B: dropped
	for _, k := range []string{"Z-GW", "A", "LATE", "Y-GW", "Z-GW"} {     // by creation time
		a.CreatedInDay(EntityPayin, k)
	}
	if got := a.GatewayOnly(); !slices.Equal(got, []DayKey{{EntityPayin, "Y-GW"}, {EntityPayin, "Z-GW"}}) {
		t.Fatalf("GatewayOnly = %v", got)
	}
	rec := func(key string, amount Amount) GatewayRecord {
		return GatewayRecord{Entity: EntityPayin, Key: key, Amount: amount, Class: StatusSuccess}
	}
	// Records in no key order; A fetched twice at one instant (the later
	// row counts), B's older fetch after its newer, one of a dead file.
	feed := []struct {
		g              GatewayRecord
		file, id, when int64
	}{
		{rec("Z-GW", 1), 3, 9, 5}, {rec("A", 1), 3, 1, 10}, {rec("B", 2), 3, 8, 20}, {rec("A", 3), 3, 7, 10},
		{rec("B", 4), 3, 2, 15}, {rec("Y-GW", 5), 0, 11, 30}, {rec("N", 6), 4, 12, 99},
	}
	for _, f := range feed {
		if err := a.Gateway(f.g, f.file, f.id, f.when); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Gateway(rec("NOBODY", 1), 3, 13, 1); err == nil {
		t.Error("a record of a key not of the day was taken")
	}
	if got := a.ElsewhereCandidates(); !slices.Equal(got, []DayKey{{EntityPayin, "LATE"}, {EntityPayin, "Z-GW"}, {EntityPayin, "Y-GW"}}) {
		t.Errorf("ElsewhereCandidates = %v", got)
	}
	a.SetElsewhere(DayKey{EntityPayin, "LATE"})
	if got := a.OwnLogs(); !slices.Equal(got, []int64{5}) {
		t.Errorf("OwnLogs = %v", got)
	}
	if got := a.OtherLogs(); !slices.Equal(got, []int64{6}) {
		t.Errorf("OtherLogs = %v", got)
	}
	dv := func(file string, line int, key string) Delivery {
		return Delivery{Entity: EntityPayin, Key: key, Place: SourceOf(file, "").At(line)}
	}
	a.Delivery(dv("webhooks.jsonl", 2, "ORPHAN"), true)
	a.Delivery(dv("webhooks.jsonl", 1, "A"), true)
	a.Delivery(dv("webhooks-23.jsonl", 7, "A"), false)
	a.Delivery(dv("webhooks-23.jsonl", 7, "A"), false) // met twice: taken once
	if got := a.KnownCandidates(); !slices.Equal(got, []DayKey{{EntityPayin, "ORPHAN"}}) {
		t.Errorf("KnownCandidates = %v", got)
	}
	d := a.Day()

	var orders []string
	for _, o := range d.Orders {
		orders = append(orders, o.OrderID+"@"+o.Place.String())
	}
	if want := []string{"B@orders-24.csv:2", "A@orders-24.csv:4", "N@orders-25.csv:2"}; !slices.Equal(orders, want) {
		t.Errorf("orders %v, want %v", orders, want)
	}
	if d.OutOfDay["orders"] != 1 || d.OutsideDates["orders"]["2026-11-25"] != 1 || d.FromNear["orders-25.csv"] != 1 {
		t.Errorf("out of day %v, outside %v, from near %v", d.OutOfDay, d.OutsideDates, d.FromNear)
	}
	var recs []string
	for _, g := range d.Gateway {
		recs = append(recs, g.Key+"="+g.Amount.String())
	}
	// Ledger keys in key order (B, LATE has none, A), then the gateway's own by key.
	if want := []string{"B=0.02", "A=0.03", "Y-GW=0.05", "Z-GW=0.01"}; !slices.Equal(recs, want) {
		t.Errorf("records %v, want %v", recs, want)
	}
	var dvs []string
	for _, x := range d.Deliveries {
		dvs = append(dvs, x.Place.String())
		if x.KeyNo < 0 || d.Keys[EntityPayin].Key(x.KeyNo) != x.Key {
			t.Errorf("delivery at %s numbered %d", x.Place, x.KeyNo)
		}
	}
	if want := []string{"webhooks-23.jsonl:7", "webhooks.jsonl:1", "webhooks.jsonl:2"}; !slices.Equal(dvs, want) {
		t.Errorf("deliveries %v, want %v", dvs, want)
	}
	if !d.LedgerElsewhere[EntityPayin]["LATE"] || d.DayLog != "webhooks.jsonl" {
		t.Errorf("elsewhere %v, day log %q", d.LedgerElsewhere, d.DayLog)
	}
}

// TestOwnLogsOnce: a log named for the day and for the next date (one file
// the gateway appends to every day) is one own log, read once.
func TestOwnLogsOnce(t *testing.T) {
	day, err := ParseBusinessDay("2026-11-24", time.FixedZone("IST", 19800))
	if err != nil {
		t.Fatal(err)
	}
	a := NewDayAssembly(day)
	a.Sources([]AssemblyFile{{5, "webhooks.jsonl", 2}, {7, "b-webhooks.jsonl", 1}},
		[]AssemblySource{{"2026-11-24", "webhooks", 7}, {"2026-11-24", "webhooks_next", 7}, {"2026-11-25", "webhooks", 5}})
	if got := a.OwnLogs(); !slices.Equal(got, []int64{7}) {
		t.Errorf("OwnLogs = %v, want [7]", got)
	}
}
