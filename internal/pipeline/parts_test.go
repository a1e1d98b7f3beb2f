package pipeline_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kwikpaisa/recon/internal/ingest"
	"github.com/kwikpaisa/recon/internal/ledger/sqlite"
	"github.com/kwikpaisa/recon/internal/match"
	"github.com/kwikpaisa/recon/internal/pipeline"
	"github.com/kwikpaisa/recon/internal/synth"
)

// TestDayInPartsSameReports runs three generated days, each reading its
// neighbours' ledgers and the next day's webhook log, with planted
// exceptions of every kind, on a store that loads every day whole and on
// one that loads each in parts of 200 keys (ten or so): every report of
// every day is the same, byte for byte.
func TestDayInPartsSameReports(t *testing.T) {
	const secret = "whsec_parts"
	ist := time.FixedZone("IST", 5*3600+1800)
	tmp := t.TempDir()
	dates := []string{"2026-11-23", "2026-11-24", "2026-11-25"}
	in := func(date, name string) string { return filepath.Join(tmp, date, name) }
	for i, date := range dates {
		if _, err := synth.Write(filepath.Join(tmp, date), synth.Params{Date: date, Orders: 1500, Payouts: 400, Seed: uint64(40 + i),
			WebhookSecret: secret, Plant: true, PlantRate: 0.03}); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	for _, store := range []struct {
		name     string
		partKeys int
	}{{"whole", -1}, {"parts", 200}} {
		db, err := sqlite.OpenWith(ctx, filepath.Join(tmp, store.name+".db"), sqlite.Options{PartKeys: store.partKeys})
		if err != nil {
			t.Fatal(err)
		}
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
			var shown []string
			cfg := pipeline.Config{Date: date, Zone: ist, Sources: src, Store: db, Out: filepath.Join(tmp, store.name),
				Ingest: opts, Match: match.DefaultOptions(), Version: "test", RunID: "run-" + date, Offline: true,
				Now:      func() time.Time { return time.Date(2026, 11, 28, 9, 0, 0, 0, ist) },
				Progress: func(s pipeline.Stage) { shown = append(shown, s.Name+" "+s.Part) }}
			if _, err := pipeline.Run(ctx, cfg); err != nil {
				t.Fatalf("%s store, run %s: %v", store.name, date, err)
			}
			// The display names each part, its load then its match; the
			// payouts' parts are loaded twice, for their facts first.
			loads := 0
			for i, stage := range shown {
				if part, ok := strings.CutPrefix(stage, "load "); ok && (i+1 == len(shown) || shown[i+1] != "match "+part) {
					t.Errorf("%s store, run %s: %q is not followed by its match in %q", store.name, date, stage, shown)
				}
				if strings.HasPrefix(stage, "load ") {
					loads++
				}
			}
			facts := slices.IndexFunc(shown, func(s string) bool { return strings.HasSuffix(s, ", their facts") })
			payins := slices.IndexFunc(shown, func(s string) bool { return strings.HasPrefix(s, "load pay-ins, part 1 of ") })
			if whole := store.partKeys < 0; whole && loads != 1 || !whole && (facts < 0 || payins < facts) {
				t.Errorf("%s store, run %s: the display was shown %q", store.name, date, shown)
			}
		}
		db.Close()
	}
	for _, date := range dates {
		files, err := os.ReadDir(filepath.Join(tmp, "whole", date))
		if err != nil {
			t.Fatal(err)
		}
		if len(files) < 5 {
			t.Fatalf("%s: %d reports written", date, len(files))
		}
		for _, f := range files {
			whole, err := os.ReadFile(filepath.Join(tmp, "whole", date, f.Name()))
			if err != nil {
				t.Fatal(err)
			}
			parts, err := os.ReadFile(filepath.Join(tmp, "parts", date, f.Name()))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(whole, parts) {
				t.Errorf("%s: %s differs when the day is loaded in parts", date, f.Name())
			}
		}
	}
}
