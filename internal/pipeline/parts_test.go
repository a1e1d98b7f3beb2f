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

	"github.com/kwikpaisa/recon/internal/config"
	"github.com/kwikpaisa/recon/internal/ingest"
	"github.com/kwikpaisa/recon/internal/ledger/sqlite"
	"github.com/kwikpaisa/recon/internal/match"
	"github.com/kwikpaisa/recon/internal/pipeline"
	"github.com/kwikpaisa/recon/internal/pipeline/pipelinetest"
)

// TestDayInPartsSameReports runs three generated days, each reading its
// neighbours' ledgers and the next day's webhook log, with planted
// exceptions of every kind, on a store that loads every day whole and on
// one that loads each in parts of 200 keys (ten or so): every report of
// every day is the same, byte for byte.
func TestDayInPartsSameReports(t *testing.T) {
	tmp := t.TempDir()
	days := pipelinetest.NearDays(t, tmp, 40)
	ctx := context.Background()
	for _, store := range []struct {
		name     string
		partKeys int
	}{{"whole", -1}, {"parts", 200}} {
		db, err := sqlite.OpenWith(ctx, filepath.Join(tmp, store.name+".db"), sqlite.Options{PartKeys: store.partKeys})
		if err != nil {
			t.Fatal(err)
		}
		for _, cfg := range days {
			date := cfg.Date
			var shown []string
			cfg.Store, cfg.Out = db, filepath.Join(tmp, store.name)
			cfg.Progress = func(s pipeline.Stage) { shown = append(shown, s.Name+" "+s.Part) }
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
	for _, cfg := range days {
		sameReports(t, tmp, cfg.Date)
	}
}

// sameReports checks that the reports of date in tmp's folders whole and
// parts (or other) are the same, byte for byte.
func sameReports(t *testing.T, tmp, date string, other ...string) {
	t.Helper()
	folder := "parts"
	if len(other) > 0 {
		folder = other[0]
	}
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
		parts, err := os.ReadFile(filepath.Join(tmp, folder, date, f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(whole, parts) {
			t.Errorf("%s: %s differs when the day is loaded in %s", date, f.Name(), folder)
		}
	}
}

// TestSettledDayInPartsSameReports runs the fixture day with its settlement
// reports and bank statements on a store that loads it whole and on one
// that loads it in parts of 60 keys: the settlement checks read the day's
// pay-ins gathered part by part, and every report is the same, byte for
// byte.
func TestSettledDayInPartsSameReports(t *testing.T) {
	const date = "2026-11-24"
	t.Setenv("KWIKPAISA_WEBHOOK_SECRET", "whsec_fixture_2026")
	fixtures, err := filepath.Abs("../../fixtures/day")
	if err != nil {
		t.Fatal(err)
	}
	zone, err := time.LoadLocation("Asia/Kolkata")
	if err != nil {
		t.Fatal(err)
	}
	fees, err := config.FeeSchedule(map[string]string{"default": "2.00%", "upi": "0%", "card": "1.90%", "netbanking": "1.75% + 3.00"})
	if err != nil {
		t.Fatal(err)
	}
	settle := match.DefaultSettlementOptions()
	settle.Fees = fees
	tmpl := func(folder string) func(string) (string, error) {
		return func(d string) (string, error) {
			return config.ExpandOne(filepath.Join(fixtures, folder, "{date}.*"), d)
		}
	}
	tmp := t.TempDir()
	now := time.Date(2026, 11, 25, 2, 0, 0, 0, zone)
	for _, store := range []struct {
		name      string
		partKeys  int
		shareRows int
	}{{"whole", -1, 0}, {"parts", 60, 0}, {"shares", 60, 5}} {
		if store.shareRows > 0 {
			pipeline.SetSettleShareRows(t.Cleanup, store.shareRows)
		}
		db, err := sqlite.OpenWith(context.Background(), filepath.Join(tmp, store.name+".db"), sqlite.Options{PartKeys: store.partKeys})
		if err != nil {
			t.Fatal(err)
		}
		day := filepath.Join(fixtures, date)
		var shown []string
		cfg := pipeline.Config{Date: date, Zone: zone, RunID: "run-fixed", Store: db, Out: filepath.Join(tmp, store.name), Offline: true,
			Sources: pipeline.Sources{Orders: filepath.Join(day, "orders.csv"), Payouts: filepath.Join(day, "payouts.csv"),
				Gateway: filepath.Join(day, "gateway.jsonl"), Webhooks: filepath.Join(day, "webhooks.jsonl")},
			Ingest: ingest.DefaultOptions(zone), Match: match.DefaultOptions(), Now: func() time.Time { return now },
			Settlement: &pipeline.Settlement{Report: tmpl("settlements"), Bank: tmpl("bank"), Options: settle},
			Progress:   func(s pipeline.Stage) { shown = append(shown, s.Name+" "+s.Part) }}
		if _, err := pipeline.Run(context.Background(), cfg); err != nil {
			t.Fatalf("%s store: %v", store.name, err)
		}
		db.Close()
		parted := slices.ContainsFunc(shown, func(s string) bool { return strings.HasPrefix(s, "match pay-ins, part 3 of ") })
		if parted != (store.partKeys > 0) {
			t.Errorf("%s store: the display was shown %q", store.name, shown)
		}
	}
	settled, err := os.ReadFile(filepath.Join(tmp, "whole", date, "settlements.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if rows := bytes.Count(settled, []byte("\n")); rows < 10 {
		t.Fatalf("settlements.csv of the whole day has %d lines; the fixture day plants more", rows)
	}
	sameReports(t, tmp, date)
	sameReports(t, tmp, date, "shares")
}
