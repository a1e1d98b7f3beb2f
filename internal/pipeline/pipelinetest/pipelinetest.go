// Package pipelinetest makes the generated days that the tests of several
// packages run through the pipeline.
package pipelinetest

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/kwikpaisa/recon/internal/ingest"
	"github.com/kwikpaisa/recon/internal/match"
	"github.com/kwikpaisa/recon/internal/pipeline"
	"github.com/kwikpaisa/recon/internal/synth"
)

// Zone is the business zone of NearDays.
var Zone = time.FixedZone("IST", 5*3600+1800)

// NearDays writes three consecutive generated days (1,500 orders and 400
// payouts each, with planted exceptions of every kind) into dir, and
// returns, in date order, a run's Config for each: its files, its
// neighbours' ledgers and the next day's webhook log, offline, with a
// fixed clock and run id. The caller gives each a store (DB or Store) and
// Out.
func NearDays(tb testing.TB, dir string, seed uint64) []pipeline.Config {
	tb.Helper()
	const secret = "whsec_near_days"
	dates := []string{"2026-11-23", "2026-11-24", "2026-11-25"}
	in := func(date, name string) string { return filepath.Join(dir, date, name) }
	for i, date := range dates {
		if _, err := synth.Write(filepath.Join(dir, date), synth.Params{Date: date, Orders: 1500, Payouts: 400, Seed: seed + uint64(i),
			WebhookSecret: secret, Plant: true, PlantRate: 0.03}); err != nil {
			tb.Fatal(err)
		}
	}
	var cfgs []pipeline.Config
	for i, date := range dates {
		opts := ingest.DefaultOptions(Zone)
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
		cfgs = append(cfgs, pipeline.Config{Date: date, Zone: Zone, Sources: src, Ingest: opts, Match: match.DefaultOptions(),
			Version: "test", RunID: "run-" + date, Offline: true,
			Now: func() time.Time { return time.Date(2026, 11, 28, 9, 0, 0, 0, Zone) }})
	}
	return cfgs
}
