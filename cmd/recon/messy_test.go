package main

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

const messyDate = "2026-11-25"

// TestGoldenMessyDay runs the whole pipeline on the messy fixture day (a
// semicolon CSV with a BOM, CRLF, header aliases, Indian grouping and mixed
// date forms; an XLSX payout ledger with number cells, serial dates and a
// destroyed UTR). It must find exactly the planted exceptions, no false
// one, account for every row, and write the golden reports.
func TestGoldenMessyDay(t *testing.T) {
	forEachStore(t, func(t *testing.T, db string) {
		inRepoRoot(t)
		t.Setenv("KWIKPAISA_WEBHOOK_SECRET", fixtureSecret)
		tmp := t.TempDir()
		code, _, stderr := runRecon(t, fixtureNow.AddDate(0, 0, 1), "run", "--config", "fixtures/messy/recon.toml",
			"--date", messyDate, "--offline", "--db", db, "--out", filepath.Join(tmp, "reports"))
		if code != 0 {
			t.Fatalf("exit %d, want 0; stderr:\n%s", code, stderr)
		}
		dir := filepath.Join(tmp, "reports", messyDate)
		fixture := filepath.Join("fixtures", "messy", messyDate)

		var got []string
		for _, name := range []string{"mismatches.csv", "duplicates.csv", "missing_utr.csv"} {
			for _, r := range readCSV(t, filepath.Join(dir, name))[1:] {
				got = append(got, strings.Join(r[:3], ","))
			}
		}
		var want []string
		for _, r := range readCSV(t, filepath.Join(fixture, "planted.csv"))[1:] {
			want = append(want, strings.Join(r[:3], ","))
		}
		sort.Strings(got)
		sort.Strings(want)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("exceptions:\n%s\nwant exactly the planted ones:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}

		// Every file: rows read = accepted + rejected, and the rejects are the
		// planted ones with their places.
		counts := map[string]map[string]string{}
		for _, r := range readCSV(t, filepath.Join(dir, "summary.csv"))[1:] {
			if r[0] == "input" {
				if counts[r[1]] == nil {
					counts[r[1]] = map[string]string{}
				}
				counts[r[1]][r[2]] = r[3]
			}
		}
		wantCounts := map[string][3]string{
			"orders.csv":     {"10", "8", "2"},
			"payouts.xlsx":   {"8", "7", "1"},
			"gateway.jsonl":  {"15", "15", "0"},
			"webhooks.jsonl": {"15", "15", "0"},
		}
		for name, w := range wantCounts {
			c := counts[filepath.Join(fixture, name)]
			if g := [3]string{c["rows_read"], c["rows_accepted"], c["rows_rejected"]}; g != w {
				t.Errorf("%s: read, accepted, rejected = %v, want %v", name, g, w)
			}
		}
		var places []string
		for _, r := range readCSV(t, filepath.Join(dir, "rejects.csv"))[1:] {
			places = append(places, filepath.Base(r[0])+":"+r[1]+":"+r[2])
		}
		if got, want := strings.Join(places, " "), "orders.csv:11:amount orders.csv:12:created_at payouts.xlsx:Payouts!10:amount"; got != want {
			t.Errorf("rejects at %s, want %s", got, want)
		}

		expected := filepath.Join(fixture, "expected")
		for _, name := range goldenCSVs {
			b, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join(expected, name), b)
		}
		golden(t, filepath.Join(expected, "recon-"+messyDate+".xlsx.txt"), dumpWorkbook(t, filepath.Join(dir, "recon-"+messyDate+".xlsx")))
		// A run without settlement sources writes no settlement report.
		if _, err := os.Stat(filepath.Join(dir, "settlements.csv")); !os.IsNotExist(err) {
			t.Errorf("settlements.csv written by a run without settlement sources (%v)", err)
		}
	})
}
