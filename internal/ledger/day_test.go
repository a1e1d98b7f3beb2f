package ledger

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/kwikpaisa/recon/internal/recon"
)

// TestLoadDayBoundsAndKnownKeys stores a day's orders and webhook log in a
// real SQLite file and checks which rows the day holds: a ledger time
// written in UTC belongs to its IST date, a row of the next IST date is
// outside the day but its key is still known to the day's webhooks, and a
// key nobody knows is not.
func TestLoadDayBoundsAndKnownKeys(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	db.Now = func() time.Time { return time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC) }
	ist := time.FixedZone("IST", 19800)
	from := time.Date(2026, 11, 24, 0, 0, 0, 0, ist)

	orders := recon.SourceFile{Kind: "orders", Path: "orders.csv", SHA256: "o"}
	err := db.LoadFile(ctx, &orders, func(l *Loader) error {
		for i, o := range []struct {
			id string
			at time.Time
		}{
			{"UTC-IN-DAY", time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC)},    // 01:30 IST on the 24th
			{"NEXT-DAY", time.Date(2026, 11, 24, 19, 0, 0, 0, time.UTC)},      // 00:30 IST on the 25th
			{"LAST-SECOND", time.Date(2026, 11, 24, 18, 29, 59, 0, time.UTC)}, // 23:59:59 IST on the 24th
		} {
			if err := l.Order(&recon.Order{OrderID: o.id, Amount: 100_00, Currency: "INR", Status: "success",
				Class: recon.StatusSuccess, CreatedAt: o.at, Place: recon.Place{File: "orders.csv", Line: strconv.Itoa(i + 2)}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	hooks := recon.SourceFile{Kind: "webhooks", Path: "webhooks.jsonl", SHA256: "w"}
	err = db.LoadFile(ctx, &hooks, func(l *Loader) error {
		for i, key := range []string{"NEXT-DAY", "NOBODY"} {
			if err := l.Delivery(&recon.Delivery{Place: recon.Place{File: "webhooks.jsonl", Line: strconv.Itoa(i + 1)},
				ReceivedAt: from.Add(time.Hour), Timestamp: from.Add(time.Hour).Unix(), Event: "payment.success",
				Entity: recon.EntityPayin, Key: key, Class: recon.StatusSuccess, BodySHA256: key, Verified: recon.VerifyRaw}); err != nil {
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

	d, err := db.LoadDay(ctx, "2026-11-24", from, from.AddDate(0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
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
