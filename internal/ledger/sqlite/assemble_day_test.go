package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/kwikpaisa/recon/internal/ingest"
	"github.com/kwikpaisa/recon/internal/ledger/sqlite"
	"github.com/kwikpaisa/recon/internal/match"
	"github.com/kwikpaisa/recon/internal/pipeline"
	"github.com/kwikpaisa/recon/internal/recon"
	"github.com/kwikpaisa/recon/internal/synth"
)

// TestLoadDayAgreesWithAssembly runs three generated days, each reading
// its neighbours' ledgers and the next day's webhook log, with planted
// exceptions of every kind, and checks that LoadDay's fast path finds for
// the middle one the day recon.DayAssembly finds from plain queries.
func TestLoadDayAgreesWithAssembly(t *testing.T) {
	const secret = "whsec_assembly"
	ist := time.FixedZone("IST", 5*3600+1800)
	tmp := t.TempDir()
	dates := []string{"2026-11-23", "2026-11-24", "2026-11-25"}
	dirs := map[string]string{}
	for i, date := range dates {
		dirs[date] = filepath.Join(tmp, date)
		if _, err := synth.Write(dirs[date], synth.Params{Date: date, Orders: 1500, Payouts: 400, Seed: uint64(20 + i),
			WebhookSecret: secret, Plant: true, PlantRate: 0.03}); err != nil {
			t.Fatal(err)
		}
	}
	db := filepath.Join(tmp, "recon.db")
	in := func(date, name string) string { return filepath.Join(dirs[date], name) }
	for i, date := range dates {
		opts := ingest.DefaultOptions(ist)
		opts.WebhookSecrets = []string{secret}
		src := pipeline.Sources{Orders: in(date, "orders.csv"), Payouts: in(date, "payouts.csv"),
			Gateway: in(date, "gateway.jsonl"), Webhooks: in(date, "webhooks.jsonl")}
		if i > 0 {
			src.OrdersPrev, src.PayoutsPrev = in(dates[i-1], "orders.csv"), in(dates[i-1], "payouts.csv")
		}
		if i+1 < len(dates) {
			src.OrdersNext, src.PayoutsNext = in(dates[i+1], "orders.csv"), in(dates[i+1], "payouts.csv")
			src.WebhooksNext = in(dates[i+1], "webhooks.jsonl")
		}
		cfg := pipeline.Config{Date: date, Zone: ist, Sources: src, DB: db, Out: filepath.Join(tmp, "out"),
			Ingest: opts, Match: match.DefaultOptions(), Version: "test", RunID: "run-" + date,
			Now: func() time.Time { return time.Date(2026, 11, 28, 9, 0, 0, 0, ist) }}
		if _, err := pipeline.Run(context.Background(), cfg); err != nil {
			t.Fatalf("run %s: %v", date, err)
		}
	}
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
