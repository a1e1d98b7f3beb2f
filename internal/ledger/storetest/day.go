package storetest

import (
	"cmp"
	"context"
	"crypto/sha256"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/recon"
)

// testLoadDayBoundsAndKnownKeys stores a day's orders and webhook log in a
// real SQLite file and checks which rows the day holds: a ledger time
// written in UTC belongs to its IST date, a row of the next IST date is
// outside the day but its key is still known to the day's webhooks, and a
// key nobody knows is not.
func testLoadDayBoundsAndKnownKeys(t *testing.T, h Harness) {
	ctx := context.Background()
	db := h.open(t, time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC))
	ist := time.FixedZone("IST", 19800)
	from := time.Date(2026, 11, 24, 0, 0, 0, 0, ist)

	orders := recon.SourceFile{Kind: "orders", Path: "orders.csv", SHA256: "o"}
	err := db.LoadFile(ctx, &orders, func(l ledger.Loader) error {
		for i, o := range []struct {
			id string
			at time.Time
		}{
			{"UTC-IN-DAY", time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC)},    // 01:30 IST on the 24th
			{"NEXT-DAY", time.Date(2026, 11, 24, 19, 0, 0, 0, time.UTC)},      // 00:30 IST on the 25th
			{"LAST-SECOND", time.Date(2026, 11, 24, 18, 29, 59, 0, time.UTC)}, // 23:59:59 IST on the 24th
		} {
			if err := l.Order(&recon.Order{OrderID: o.id, Amount: 100_00, Currency: "INR", Status: "success",
				Class: recon.StatusSuccess, CreatedAt: recon.InstantOf(o.at), Place: recon.PlaceOf("orders.csv", strconv.Itoa(i+2))}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	hooks := recon.SourceFile{Kind: "webhooks", Path: "webhooks.jsonl", SHA256: "w"}
	err = db.LoadFile(ctx, &hooks, func(l ledger.Loader) error {
		for i, key := range []string{"NEXT-DAY", "NOBODY"} {
			if err := l.Delivery(&recon.Delivery{Place: recon.PlaceOf("webhooks.jsonl", strconv.Itoa(i+1)),
				ReceivedAt: recon.InstantOf(from.Add(time.Hour)), Timestamp: from.Add(time.Hour).Unix(), Event: "payment.success",
				Entity: recon.EntityPayin, Key: key, Class: recon.StatusSuccess, BodySHA256: sha256.Sum256([]byte(key)), Verified: recon.VerifyRaw}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetDaySources(ctx, "2026-11-24", map[string]recon.SourceFile{"orders": orders, "webhooks": hooks}); err != nil {
		t.Fatal(err)
	}

	d := h.loadDay(t, db, recon.BusinessDay{Date: "2026-11-24", Start: from, End: from.AddDate(0, 0, 1)})
	var ids []string
	for _, o := range d.Orders {
		ids = append(ids, o.OrderID)
	}
	if got, want := len(ids), 2; got != want || ids[0] != "UTC-IN-DAY" || ids[1] != "LAST-SECOND" {
		t.Errorf("orders of the day = %v, want [UTC-IN-DAY LAST-SECOND]", ids)
	}
	if got := d.OutOfDay["orders"]; got != 1 {
		t.Errorf("orders outside the day = %d, want 1", got)
	}
	if !d.KnownKeys[recon.EntityPayin]["NEXT-DAY"] || d.KnownKeys[recon.EntityPayin]["NOBODY"] {
		t.Errorf("known keys = %v, want NEXT-DAY only", d.KnownKeys[recon.EntityPayin])
	}
	if d.DayLog != "webhooks.jsonl" || len(d.Deliveries) != 2 {
		t.Errorf("day log %q with %d deliveries, want webhooks.jsonl with 2", d.DayLog, len(d.Deliveries))
	}
}

// testPullTotals: a date's pull figures add up over its runs, count each
// key once, judge failures by each key's last answer, and keep dates apart.
func testPullTotals(t *testing.T, h Harness) {
	ctx := context.Background()
	db := h.open(t, time.Time{})
	at := time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)
	pulls := []ledger.PullResult{
		// ledger.Run 1: ORD-1 fails after 3 attempts (one 429), ORD-2 is not found.
		{Entity: recon.EntityPayin, Key: "ORD-1", Outcome: recon.PullFailed, Attempts: 3, Retries: 2, RateLimited: 1, Date: "2026-11-24", At: at},
		{Entity: recon.EntityPayin, Key: "ORD-2", Outcome: recon.PullNotFound, Attempts: 1, Date: "2026-11-24", At: at},
		// ledger.Run 2: ORD-1 asked again, and answered.
		{Entity: recon.EntityPayin, Key: "ORD-1", Outcome: recon.PullFound, Attempts: 1, Date: "2026-11-24", At: at.Add(time.Hour),
			Record: &recon.GatewayRecord{Entity: recon.EntityPayin, Key: "ORD-1", Currency: "INR", Class: recon.StatusSuccess}},
		// Another date's pull.
		{Entity: recon.EntityPayout, Key: "PO-9", Outcome: recon.PullFailed, Attempts: 4, Retries: 3, Date: "2026-11-23", At: at},
	}
	for i := range pulls {
		if err := db.SavePull(ctx, &pulls[i]); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		date string
		want recon.PullStats
	}{
		{"2026-11-24", recon.PullStats{Keys: 2, Requests: 5, Retries: 2, RateLimited: 1, Failures: 0, NotFound: 1}},
		{"2026-11-23", recon.PullStats{Keys: 1, Requests: 4, Retries: 3, Failures: 1}},
		{"2026-11-22", recon.PullStats{}},
	}
	for _, tt := range tests {
		got, err := db.PullTotals(ctx, tt.date)
		if err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("PullTotals(%s) = %+v, want %+v", tt.date, got, tt.want)
		}
	}
}

// testPulledRecordsByKey: a pulled gateway record is its key's record in
// the day's load and in the settlement's lookup of known orders, and a
// later pull of the key replaces it.
func testPulledRecordsByKey(t *testing.T, h Harness) {
	ctx := context.Background()
	db := h.open(t, time.Time{})
	from, at := Day()
	orders := LoadFile(t, db, "orders", "orders.csv", func(l ledger.Loader) error {
		return l.Order(&recon.Order{OrderID: "ORD-P", Amount: 100_00, Currency: "INR", Status: "success",
			Class: recon.StatusSuccess, CreatedAt: at, Place: recon.PlaceOf("orders.csv", "2")})
	})
	if err := db.SetDaySources(ctx, "2026-11-24", map[string]recon.SourceFile{"orders": orders}); err != nil {
		t.Fatal(err)
	}
	pulled := time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)
	for i, answer := range []struct {
		status string
		class  recon.StatusClass
	}{{"PENDING", recon.StatusPending}, {"PAID", recon.StatusSuccess}} {
		p := ledger.PullResult{Entity: recon.EntityPayin, Key: "ORD-P", Outcome: recon.PullFound, Attempts: 1, Date: "2026-11-24",
			At: pulled.Add(time.Duration(i) * time.Hour), Record: &recon.GatewayRecord{Entity: recon.EntityPayin, Key: "ORD-P",
				Amount: 100_00, Currency: "INR", Status: answer.status, Class: answer.class, CreatedAt: at}}
		if err := db.SavePull(ctx, &p); err != nil {
			t.Fatal(err)
		}
	}
	d := h.loadDay(t, db, recon.BusinessDay{Date: "2026-11-24", Start: from, End: from.AddDate(0, 0, 1)})
	if len(d.Gateway) != 1 || d.Gateway[0].Key != "ORD-P" || d.Gateway[0].Status != "PAID" {
		t.Errorf("gateway records of the day: %+v, want ORD-P's latest pull, PAID", d.Gateway)
	}
	known, err := db.KnownOrders(ctx, []string{"ORD-P", "ORD-NONE"})
	if err != nil {
		t.Fatal(err)
	}
	if !known["ORD-P"] || known["ORD-NONE"] {
		t.Errorf("known orders = %v, want ORD-P only", known)
	}
}

// testDeliveryKeyNumbers loads a day whose deliveries name ledger keys, a
// key only the gateway has (created in the day), keys nobody has (orphans,
// one twice), no key, and, from another date's log, a ledger key again.
// Each delivery's KeyNo is its own key's number, and the keys are numbered
// as one delivery at a time would number them: the ledgers', the
// gateway's, then the orphans in the deliveries' order. The reader beside
// numbers the ledgers' keys of the day's own log before the gateway's are
// added; it must add none itself.
func testDeliveryKeyNumbers(t *testing.T, h Harness) {
	ctx := context.Background()
	db := h.open(t, time.Time{})
	from, at := Day()
	load := func(kind, path string, add func(ledger.Loader) error) recon.SourceFile {
		return LoadFile(t, db, kind, path, add)
	}
	deliveries := func(path string, keys ...string) func(ledger.Loader) error {
		return func(l ledger.Loader) error {
			for i, k := range keys {
				entity := recon.EntityPayin
				if strings.HasPrefix(k, "PO-") {
					entity = recon.EntityPayout
				}
				if k == "" {
					entity = ""
				}
				if err := l.Delivery(&recon.Delivery{Place: recon.PlaceOf(path, strconv.Itoa(i+1)), ReceivedAt: at,
					Event: "payment.success", Entity: entity, Key: k, Class: recon.StatusSuccess,
					BodySHA256: sha256.Sum256([]byte(path + k + strconv.Itoa(i))), Verified: recon.VerifyRaw}); err != nil {
					return err
				}
			}
			return nil
		}
	}
	sources := Ledgers(t, db, at)
	maps.Copy(sources, map[string]recon.SourceFile{
		"gateway": load("gateway", "gateway.jsonl", func(l ledger.Loader) error {
			for i, k := range []string{"ORD-1", "GW-ONLY"} {
				if err := l.Gateway(&recon.GatewayRecord{Entity: recon.EntityPayin, Key: k, Amount: 100, Currency: "INR",
					Status: "SUCCESS", Class: recon.StatusSuccess, CreatedAt: at, Place: recon.PlaceOf("gateway.jsonl", strconv.Itoa(i+1))}); err != nil {
					return err
				}
			}
			return nil
		}),
		"webhooks": load("webhooks", "webhooks.jsonl",
			deliveries("webhooks.jsonl", "ORPH-B", "ORD-2", "GW-ONLY", "ORPH-A", "", "ORD-1", "PO-1", "ORPH-B")),
	})
	if err := db.SetDaySources(ctx, "2026-11-24", sources); err != nil {
		t.Fatal(err)
	}
	earlier := load("webhooks", "a-webhooks.jsonl", deliveries("a-webhooks.jsonl", "ORD-2", "GW-ONLY"))
	if err := db.SetDaySources(ctx, "2026-11-23", map[string]recon.SourceFile{"webhooks": earlier}); err != nil {
		t.Fatal(err)
	}
	d := h.loadDay(t, db, recon.BusinessDay{Date: "2026-11-24", Start: from, End: from.AddDate(0, 0, 1)})
	inLog, problem := InLogOrder(d.Deliveries)
	if problem != "" {
		t.Error(problem)
	}
	var got []string
	for _, dv := range inLog {
		got = append(got, dv.Key)
		switch {
		case dv.Key == "" && dv.KeyNo != -1:
			t.Errorf("delivery at %s names no key but has number %d", dv.Place, dv.KeyNo)
		case dv.Key != "" && (dv.KeyNo < 0 || d.Keys[dv.Entity].Key(dv.KeyNo) != dv.Key):
			t.Errorf("delivery at %s of %s %s has number %d", dv.Place, dv.Entity, dv.Key, dv.KeyNo)
		}
	}
	if want := []string{"ORD-2", "GW-ONLY", "ORPH-B", "ORD-2", "GW-ONLY", "ORPH-A", "", "ORD-1", "PO-1", "ORPH-B"}; !slices.Equal(got, want) {
		t.Fatalf("deliveries %q, want %q", got, want)
	}
	payins := d.Keys[recon.EntityPayin]
	var numbered []string
	for i := range payins.Len() {
		numbered = append(numbered, payins.Key(int32(i)))
	}
	if want := []string{"ORD-1", "ORD-2", "GW-ONLY", "ORPH-B", "ORPH-A"}; !slices.Equal(numbered, want) {
		t.Errorf("pay-in keys numbered %q, want %q", numbered, want)
	}
}

// testDeliveriesGroupedByKey: a day's deliveries come grouped by key
// (recon.Day.GroupDeliveries), each key's in log order, whatever order the
// log has; a payout's and a delivery of no entity that name a pay-in's key
// string go with the pay-in's, so that matching meets every delivery of
// one reference in log order; deliveries of no key go last.
func testDeliveriesGroupedByKey(t *testing.T, h Harness) {
	ctx := context.Background()
	db := h.open(t, time.Time{})
	from, at := Day()
	type dv struct {
		entity recon.Entity
		key    string
	}
	log := []dv{{recon.EntityPayin, "ORPH-B"}, {recon.EntityPayout, "ORD-2"}, {recon.EntityPayin, "ORD-2"},
		{recon.EntityPayin, "ORD-1"}, {"", ""}, {recon.EntityPayout, "PO-1"}, {"", "ORD-1"}, {recon.EntityPayin, "ORD-2"},
		{recon.EntityPayin, "ORPH-B"}, {"", "PO-1"}, {recon.EntityPayout, "PO-2"}}
	sources := Ledgers(t, db, at)
	sources["webhooks"] = LoadFile(t, db, "webhooks", "webhooks.jsonl", func(l ledger.Loader) error {
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
	d := h.loadDay(t, db, recon.BusinessDay{Date: "2026-11-24", Start: from, End: from.AddDate(0, 0, 1)})
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
	if _, problem := InLogOrder(d.Deliveries); problem != "" {
		t.Error(problem)
	}
}

// Ledgers stores a day's two ledger files, orders ORD-1 and ORD-2 and
// payout PO-1, all at instant at, and returns them by role.
func Ledgers(t *testing.T, db ledger.Store, at recon.Instant) map[string]recon.SourceFile {
	t.Helper()
	return map[string]recon.SourceFile{
		"orders": LoadFile(t, db, "orders", "orders.csv", func(l ledger.Loader) error {
			for i, k := range []string{"ORD-1", "ORD-2"} {
				if err := l.Order(&recon.Order{OrderID: k, Amount: 100, Currency: "INR", Status: "success",
					Class: recon.StatusSuccess, CreatedAt: at, Place: recon.PlaceOf("orders.csv", strconv.Itoa(i+2))}); err != nil {
					return err
				}
			}
			return nil
		}),
		"payouts": LoadFile(t, db, "payouts", "payouts.csv", func(l ledger.Loader) error {
			return l.Payout(&recon.Payout{PayoutID: "PO-1", Amount: 100, Currency: "INR", Status: "success",
				Class: recon.StatusSuccess, RequestedAt: at, Place: recon.PlaceOf("payouts.csv", "2")})
		}),
	}
}

// InLogOrder returns a day's deliveries in log path and line order, and
// what breaks the order a store must keep (recon.Day.Deliveries): those of
// one key string in log order, whether or not it groups them by key.
func InLogOrder(ds []recon.Delivery) ([]recon.Delivery, string) {
	byPlace := func(a, b *recon.Delivery) int {
		return cmp.Or(strings.Compare(a.Place.File(), b.Place.File()), cmp.Compare(a.Place.LineNo(), b.Place.LineNo()))
	}
	last := map[string]*recon.Delivery{}
	for i := range ds {
		dv := &ds[i]
		if prev := last[dv.Key]; prev != nil && byPlace(prev, dv) > 0 {
			return nil, fmt.Sprintf("deliveries of key %q out of log order: %s before %s", dv.Key, prev.Place, dv.Place)
		}
		last[dv.Key] = dv
	}
	out := slices.Clone(ds)
	slices.SortStableFunc(out, func(a, b recon.Delivery) int { return byPlace(&a, &b) })
	return out, ""
}

// Day is the start of 2026-11-24 in IST and an instant an hour into it.
func Day() (time.Time, recon.Instant) {
	from := time.Date(2026, 11, 24, 0, 0, 0, 0, time.FixedZone("IST", 19800))
	return from, recon.InstantOf(from.Add(time.Hour))
}

// LoadFile stores a file of records added by add, its path as its hash.
func LoadFile(t *testing.T, db ledger.Store, kind, path string, add func(ledger.Loader) error) recon.SourceFile {
	t.Helper()
	f := recon.SourceFile{Kind: kind, Path: path, SHA256: path}
	if err := db.LoadFile(context.Background(), &f, add); err != nil {
		t.Fatal(err)
	}
	return f
}

// testRepeatedBodyInAnotherLog loads a day whose own log holds a delivery
// whose body another date's log holds too, under a key that is not of the
// day: that delivery is loaded (a replay across logs), and the other log's
// delivery of a body of its own is not.
func testRepeatedBodyInAnotherLog(t *testing.T, h Harness) {
	ctx := context.Background()
	db := h.open(t, time.Time{})
	from, at := Day()
	delivery := func(path string, line int, key, body string) *recon.Delivery {
		return &recon.Delivery{Place: recon.PlaceOf(path, strconv.Itoa(line)), ReceivedAt: at, Event: "payment.success",
			Entity: recon.EntityPayin, Key: key, Class: recon.StatusSuccess, BodySHA256: sha256.Sum256([]byte(body)),
			Verified: recon.VerifyRaw}
	}
	own := LoadFile(t, db, "webhooks", "webhooks.jsonl", func(l ledger.Loader) error {
		return l.Delivery(delivery("webhooks.jsonl", 1, "ORD-1", "body of ORD-1"))
	})
	if err := db.SetDaySources(ctx, "2026-11-24", map[string]recon.SourceFile{"webhooks": own}); err != nil {
		t.Fatal(err)
	}
	earlier := LoadFile(t, db, "webhooks", "a-webhooks.jsonl", func(l ledger.Loader) error {
		if err := l.Delivery(delivery("a-webhooks.jsonl", 1, "ORD-OLD", "body of ORD-1")); err != nil {
			return err
		}
		return l.Delivery(delivery("a-webhooks.jsonl", 2, "ORD-OTHER", "body of ORD-OTHER"))
	})
	if err := db.SetDaySources(ctx, "2026-11-23", map[string]recon.SourceFile{"webhooks": earlier}); err != nil {
		t.Fatal(err)
	}
	d := h.loadDay(t, db, recon.BusinessDay{Date: "2026-11-24", Start: from, End: from.AddDate(0, 0, 1)})
	var got []string
	for _, dv := range d.Deliveries {
		got = append(got, dv.Place.String()+" "+dv.Key)
	}
	if want := []string{"a-webhooks.jsonl:1 ORD-OLD", "webhooks.jsonl:1 ORD-1"}; !slices.Equal(got, want) {
		t.Errorf("deliveries %q, want %q", got, want)
	}
}
