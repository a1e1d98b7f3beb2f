package sqlite_test

import (
	"context"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kwikpaisa/recon/internal/ledger/sqlite"
	"github.com/kwikpaisa/recon/internal/match"
	"github.com/kwikpaisa/recon/internal/pipeline"
	"github.com/kwikpaisa/recon/internal/pipeline/pipelinetest"
	"github.com/kwikpaisa/recon/internal/recon"
)

// TestLoadDayAgreesWithAssembly runs three generated days, each reading
// its neighbours' ledgers and the next day's webhook log, with planted
// exceptions of every kind, and checks that LoadDay's fast path finds for
// the middle one the day recon.DayAssembly finds from plain queries.
func TestLoadDayAgreesWithAssembly(t *testing.T) {
	db, ist, dates := threeDays(t)
	s, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, date := range dates {
		day, err := recon.ParseBusinessDay(date, ist)
		if err != nil {
			t.Fatal(err)
		}
		fast, err := s.LoadDay(context.Background(), day)
		if err != nil {
			t.Fatal(err)
		}
		plain, err := sqlite.AssembleDay(context.Background(), s, date, day.Start, day.End)
		if err != nil {
			t.Fatal(err)
		}
		if len(fast.Orders) == 0 || len(fast.Gateway) == 0 || len(fast.Deliveries) == 0 {
			t.Fatalf("%s: an empty day (%d orders, %d records, %d deliveries)", date, len(fast.Orders), len(fast.Gateway), len(fast.Deliveries))
		}
		if diff := sqlite.DayDiff(fast, plain); diff != "" {
			t.Fatalf("%s: LoadDay and recon.DayAssembly disagree on %s", date, diff)
		}
	}
}

// threeDays stores three generated days, each reading its neighbours'
// ledgers and the next day's webhook log, with planted exceptions of every
// kind, run one after the other; it returns the store's path, the zone and
// the dates.
func threeDays(t *testing.T) (path string, zone *time.Location, dates []string) {
	t.Helper()
	tmp := t.TempDir()
	path = filepath.Join(tmp, "recon.db")
	for _, cfg := range pipelinetest.NearDays(t, tmp, 20) {
		cfg.DB, cfg.Out, cfg.Offline = path, filepath.Join(tmp, "out"), false
		if _, err := pipeline.Run(context.Background(), cfg); err != nil {
			t.Fatalf("run %s: %v", cfg.Date, err)
		}
		dates = append(dates, cfg.Date)
	}
	return path, pipelinetest.Zone, dates
}

// TestLoadDayInParts loads each of three generated days in parts, in
// both orders, and checks that every record of a part is of its keys, that the parts
// together are the whole day, and that matching them one at a time finds
// what matching the whole day finds.
func TestLoadDayInParts(t *testing.T) {
	path, ist, dates := threeDays(t)
	ctx := context.Background()
	for _, partKeys := range []int{700, 150} {
		s, err := sqlite.OpenWith(ctx, path, sqlite.Options{PartKeys: partKeys})
		if err != nil {
			t.Fatal(err)
		}
		for _, date := range dates {
			day, err := recon.ParseBusinessDay(date, ist)
			if err != nil {
				t.Fatal(err)
			}
			whole, err := s.LoadDay(ctx, day)
			if err != nil {
				t.Fatal(err)
			}
			parts, err := s.DayParts(ctx, day)
			if err != nil {
				t.Fatal(err)
			}
			if least := 1500/partKeys + 400/partKeys; len(parts) < least || parts[len(parts)-1].Entity != recon.EntityPayout {
				t.Fatalf("%s in parts of %d keys: %+v, want at least %d parts, the payouts last", date, partKeys, parts, least)
			}
			opts := match.DefaultOptions()
			opts.Authoritative, opts.WebhookLog, opts.Now = true, true, time.Date(2026, 11, 28, 9, 0, 0, 0, ist)
			// The parts are loaded last to first, and then matched first to
			// last: the day's sources are spilled by whichever part is
			// loaded first, and read back by the others.
			// A part of another split finds no spills of its own.
			if _, err := s.LoadDayPart(ctx, day, recon.Part{Entity: recon.EntityPayin, No: 0, Of: len(parts) + 3}); err == nil ||
				!strings.Contains(err.Error(), "not one of the day's split") {
				t.Fatalf("%s: a part of another split: %v, want it refused", date, err)
			}
			union := &recon.Day{RowCounts: recon.NewRowCounts()}
			for i, p := range slices.Backward(parts) {
				d, err := s.LoadDayPart(ctx, day, p)
				if err != nil {
					t.Fatal(err)
				}
				// The first part loaded, a payouts part, spills every
				// source of the day at once, the pay-ins' too.
				if spilled := sqlite.SpilledSources(s); i == len(parts)-1 && (len(spilled) < 6 ||
					!slices.ContainsFunc(spilled, func(n string) bool { return strings.HasPrefix(n, "orders ledger ") }) ||
					!slices.Contains(spilled, "gateway records of the orders ledger")) {
					t.Fatalf("%s: after the first part's load, the spills of %q, want every source of the day's", date, spilled)
				}
				if bad := outsidePart(d, p); bad != "" {
					t.Fatalf("%s, part %+v holds %s", date, p, bad)
				}
				addDay(union, d)
			}
			if diff := recordsDiff(union, whole); diff != "" {
				t.Fatalf("%s in parts of %d keys: the parts together differ from the day on %s", date, partKeys, diff)
			}
			got, err := match.ReconcileParts(parts, func(p recon.Part, _ bool) (*recon.Day, error) { return s.LoadDayPart(ctx, day, p) }, opts, nil)
			if err != nil {
				t.Fatal(err)
			}
			want := match.Reconcile(whole, opts)
			want.Keys = nil
			if len(want.Exceptions) == 0 {
				t.Fatalf("%s: no exception found in a day with planted ones", date)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s in parts of %d keys: matched in parts, %d exceptions, %v matched of %v; whole, %d, %v of %v",
					date, partKeys, len(got.Exceptions), got.Matched, got.Judged, len(want.Exceptions), want.Matched, want.Judged)
				for i := range min(len(got.Exceptions), len(want.Exceptions)) {
					if !reflect.DeepEqual(got.Exceptions[i], want.Exceptions[i]) {
						t.Fatalf("first difference: %+v\nwhole: %+v", got.Exceptions[i], want.Exceptions[i])
					}
				}
			}
		}
		s.Close()
	}
}

// outsidePart names a record of d that is not of part p's keys, or "".
func outsidePart(d *recon.Day, p recon.Part) string {
	for _, o := range d.Orders {
		if !p.Has(recon.EntityPayin, o.OrderID) {
			return "order " + o.OrderID
		}
	}
	for _, po := range d.Payouts {
		if !p.Has(recon.EntityPayout, po.PayoutID) {
			return "payout " + po.PayoutID
		}
	}
	for _, g := range d.Gateway {
		if !p.Has(g.Entity, g.Key) {
			return "gateway record " + g.Key
		}
	}
	for _, dv := range d.Deliveries {
		if !p.HasDelivery(dv.Entity, dv.Key) {
			return "delivery " + dv.Place.String()
		}
	}
	return ""
}

// addDay adds the records and counts of a part to union.
func addDay(union, d *recon.Day) {
	union.Orders = append(union.Orders, d.Orders...)
	union.Payouts = append(union.Payouts, d.Payouts...)
	union.Gateway = append(union.Gateway, d.Gateway...)
	union.Deliveries = append(union.Deliveries, d.Deliveries...)
	union.RowCounts.Add(d.RowCounts)
	union.DayLog = d.DayLog
}

// recordsDiff names what differs between two days' records and counts, in
// any order and whatever their keys' numbers, or "".
func recordsDiff(a, b *recon.Day) string {
	norm := func(d *recon.Day) []any {
		os, ps, gs, ds := slices.Clone(d.Orders), slices.Clone(d.Payouts), slices.Clone(d.Gateway), slices.Clone(d.Deliveries)
		for i := range os {
			os[i].KeyNo = 0
		}
		for i := range ps {
			ps[i].KeyNo = 0
		}
		for i := range gs {
			gs[i].KeyNo = 0
		}
		for i := range ds {
			ds[i].KeyNo = 0
		}
		byPlace := func(x, y recon.Place) int { return strings.Compare(x.String(), y.String()) }
		slices.SortFunc(os, func(x, y recon.Order) int { return byPlace(x.Place, y.Place) })
		slices.SortFunc(ps, func(x, y recon.Payout) int { return byPlace(x.Place, y.Place) })
		slices.SortFunc(gs, func(x, y recon.GatewayRecord) int { return byPlace(x.Place, y.Place) })
		slices.SortFunc(ds, func(x, y recon.Delivery) int { return byPlace(x.Place, y.Place) })
		return []any{os, ps, gs, ds, d.OutOfDay, d.OutsideDates, d.FromNear, d.DayLog}
	}
	names := []string{"Orders", "Payouts", "Gateway", "Deliveries", "OutOfDay", "OutsideDates", "FromNear", "DayLog"}
	x, y := norm(a), norm(b)
	for i := range x {
		if !reflect.DeepEqual(x[i], y[i]) {
			return names[i]
		}
	}
	return ""
}
