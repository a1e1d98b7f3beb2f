package main

import (
	"path/filepath"
	"testing"

	"github.com/kwikpaisa/recon/internal/bench"
	"github.com/kwikpaisa/recon/internal/synth"
)

// TestPlantedExceptions checks the fixture day against what its generator
// planted (planted.csv): every planted exception is reported, once, in its
// report; every planted reject is in rejects.csv; and nothing else is
// reported — the near misses (an amount equal to the paisa, a payout 16
// minutes later, a retry after a failure, SUCCESS→REFUNDED, a gateway record
// of the previous day, a UTC ledger time, a key matched across midnight, a
// canonically signed webhook) produce no row.
func TestPlantedExceptions(t *testing.T) {
	inRepoRoot(t)
	t.Setenv("KWIKPAISA_WEBHOOK_SECRET", fixtureSecret)
	tmp := t.TempDir()
	if code, _, stderr := runRecon(t, fixtureNow, "run", "--config", "fixtures/recon.toml", "--date", fixtureDate,
		"--offline", "--db", filepath.Join(tmp, "recon.db"), "--out", tmp); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	checkPlanted(t, filepath.Join("fixtures", "day", fixtureDate), filepath.Join(tmp, fixtureDate))
}

// TestPlantedAtRate generates a day with many planted sets (as the
// benchmark tiers do, at a higher rate) and checks, category by category,
// that the run reports exactly what was planted: no set makes an exception
// of another, and no planted case is lost among the ordinary rows.
func TestPlantedAtRate(t *testing.T) {
	t.Setenv("KWIKPAISA_WEBHOOK_SECRET", fixtureSecret)
	tmp := t.TempDir()
	day := filepath.Join(tmp, "day")
	planted, err := synth.Write(day, synth.Params{Date: fixtureDate, Orders: 5000, Payouts: 1000, Seed: 8,
		WebhookSecret: fixtureSecret, Plant: true, PlantRate: 0.02})
	if err != nil {
		t.Fatalf("synth.Write: %v", err)
	}
	sets := map[string]int{}
	for _, p := range planted {
		sets[p.Category]++
	}
	if got := sets["WEBHOOK_ORPHAN"]; got < 3 {
		t.Fatalf("planted %d sets, want at least 3 (planted %v)", got, sets)
	}
	if code, _, stderr := runRecon(t, fixtureNow, dayRun(day, tmp)...); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	checkPlanted(t, day, filepath.Join(tmp, "out", fixtureDate))
}

// checkPlanted compares the reports in dir with planted.csv of the day in
// day, category by category: every planted exception reported once, nothing
// else reported, every planted reject in rejects.csv.
func checkPlanted(t *testing.T, day, dir string) {
	t.Helper()
	c, err := bench.CheckPlanted(day, dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range c.Differences {
		t.Errorf("%s: %d planted, %d reported; planted and not reported: %v; reported and not planted: %v; "+
			"reported more than once: %v", d.Category, d.Planted, d.Reported, d.Missed, d.Unplanted, d.Repeated)
	}

	var wantRejects []string
	for _, r := range readCSV(t, filepath.Join(day, "planted.csv"))[1:] {
		if r[0] == "REJECT" {
			file := map[string]string{"PAYIN": "orders.csv", "PAYOUT": "payouts.csv"}[r[1]]
			path := filepath.ToSlash(filepath.Join(day, file))
			wantRejects = append(wantRejects, path+":"+lineOf(t, path, r[2]+","))
		}
	}
	rejected := map[string]bool{}
	for _, r := range readCSV(t, filepath.Join(dir, "rejects.csv"))[1:] {
		rejected[r[0]+":"+r[1]] = true
	}
	for _, w := range wantRejects {
		if !rejected[w] {
			t.Errorf("rejects.csv has no row for %s; it has %d rows", w, len(rejected))
		}
	}
}
