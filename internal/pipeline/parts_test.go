package pipeline_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kwikpaisa/recon/internal/ledger/sqlite"
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
		date := cfg.Date
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
