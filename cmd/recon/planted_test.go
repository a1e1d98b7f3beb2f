package main

import (
	"path/filepath"
	"sort"
	"strings"
	"testing"
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
	dir := filepath.Join(tmp, fixtureDate)
	fixture := filepath.Join("fixtures", "day", fixtureDate)

	var want, wantRejects []string
	for _, r := range readCSV(t, filepath.Join(fixture, "planted.csv"))[1:] {
		if r[0] == "REJECT" {
			file := map[string]string{"PAYIN": "orders.csv", "PAYOUT": "payouts.csv"}[r[1]]
			path := filepath.ToSlash(filepath.Join(fixture, file))
			wantRejects = append(wantRejects, path+":"+lineOf(t, path, r[2]))
			continue
		}
		want = append(want, r[0]+" "+r[1]+" "+r[2])
	}
	sort.Strings(want)

	var got []string
	for _, name := range []string{"mismatches.csv", "duplicates.csv", "missing_utr.csv"} {
		for _, r := range readCSV(t, filepath.Join(dir, name))[1:] {
			got = append(got, r[0]+" "+r[1]+" "+r[2])
		}
	}
	sort.Strings(got)
	if g, w := strings.Join(got, "\n"), strings.Join(want, "\n"); g != w {
		t.Errorf("reported exceptions:\n%s\n\nwant exactly the planted ones:\n%s", g, w)
	}

	rejected := map[string]bool{}
	for _, r := range readCSV(t, filepath.Join(dir, "rejects.csv"))[1:] {
		rejected[r[0]+":"+r[1]] = true
	}
	for _, w := range wantRejects {
		if !rejected[w] {
			t.Errorf("rejects.csv has no row for %s; it has %v", w, rejected)
		}
	}
}
