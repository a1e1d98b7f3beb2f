package storetest

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/recon"
)

// testNeighbourRowsOfTheDay stores two dates' order files as a UTC-day
// export cuts them and records the 24th's as the 25th's previous-date
// file: the 25th's load holds the 24th's row of 01:00 IST on the 25th
// (not its row of the 24th), and a pull of the 25th asks for its key.
func testNeighbourRowsOfTheDay(t *testing.T, h Harness) {
	ctx := context.Background()
	db := h.open(t, time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC))
	ist := time.FixedZone("IST", 19800)
	store := func(path string, rows map[string]time.Time) recon.SourceFile {
		t.Helper()
		f := recon.SourceFile{Kind: "orders", Path: path, SHA256: path}
		err := db.LoadFile(ctx, &f, func(l ledger.Loader) error {
			line := 2
			for _, id := range []string{"A", "B", "C"} {
				at, ok := rows[id]
				if !ok {
					continue
				}
				if err := l.Order(&recon.Order{OrderID: id, Amount: 100_00, Currency: "INR", Status: "pending",
					Class: recon.StatusPending, CreatedAt: recon.InstantOf(at), Place: recon.PlaceOf(path, strconv.Itoa(line))}); err != nil {
					return err
				}
				line++
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	f24 := store("orders-24.csv", map[string]time.Time{
		"A": time.Date(2026, 11, 24, 10, 0, 0, 0, ist), "B": time.Date(2026, 11, 25, 1, 0, 0, 0, ist)})
	f25 := store("orders-25.csv", map[string]time.Time{"C": time.Date(2026, 11, 25, 9, 0, 0, 0, ist)})
	if err := db.SetDaySources(ctx, "2026-11-25", map[string]recon.SourceFile{"orders": f25, "orders_prev": f24}); err != nil {
		t.Fatal(err)
	}
	from, to := time.Date(2026, 11, 25, 0, 0, 0, 0, ist), time.Date(2026, 11, 26, 0, 0, 0, 0, ist)
	d := h.loadDay(t, db, recon.BusinessDay{Date: "2026-11-25", Start: from, End: to})
	var got []string
	for _, o := range d.Orders {
		got = append(got, o.OrderID+"@"+o.Place.String())
	}
	if want := "[C@orders-25.csv:2 B@orders-24.csv:3]"; fmt.Sprint(got) != want {
		t.Errorf("orders of the 25th = %v, want %s", got, want)
	}
	if fmt.Sprint(d.FromNear) != "map[orders-24.csv:1]" || len(d.OutOfDay) != 0 {
		t.Errorf("FromNear %v, OutOfDay %v; want one row from orders-24.csv and none outside the day", d.FromNear, d.OutOfDay)
	}
	keys, err := db.PullCandidates(ctx, "2026-11-25", from, to, "2026-11-18", from)
	if err != nil {
		t.Fatal(err)
	}
	got = nil
	for _, k := range keys {
		got = append(got, k.Key+":"+k.Why)
	}
	if want := "[B:day C:day]"; fmt.Sprint(got) != want {
		t.Errorf("pull candidates of the 25th = %v, want %s", got, want)
	}
}
