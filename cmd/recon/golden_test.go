package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/kwikpaisa/recon/internal/ledger/postgres/pgtest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const (
	fixtureDate   = "2026-11-24"
	fixtureSecret = "whsec_fixture_2026"
)

// fixtureNow is when the fixture day is reconciled: 02:00 IST the next day.
var fixtureNow = time.Date(2026, 11, 25, 2, 0, 0, 0, time.FixedZone("IST", 19800))

// runRecon runs recon in-process with a fixed clock and returns its exit
// status, stdout and stderr.
func runRecon(t *testing.T, now time.Time, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, now: func() time.Time { return now }}
	code := run(context.Background(), e, args)
	return code, stdout.String(), stderr.String()
}

// inRepoRoot makes the test run from the repository root, so that report
// paths read as a user running the README's command sees them.
func inRepoRoot(t *testing.T) {
	t.Helper()
	t.Chdir("../..")
}

var goldenCSVs = []string{"summary.csv", "mismatches.csv", "duplicates.csv", "missing_utr.csv", "rejects.csv"}

// fixtureCSVs are the fixture day's reports: it has settlement reports and
// bank statements (fixtures/day/settlements, fixtures/day/bank).
var fixtureCSVs = append(goldenCSVs[:len(goldenCSVs):len(goldenCSVs)], "settlements.csv")

// TestGoldenFixtureDay runs the whole pipeline on the fixture day and
// compares every report with its golden file; go test -update rewrites them.
func TestGoldenFixtureDay(t *testing.T) {
	forEachStore(t, func(t *testing.T, db string) {
		inRepoRoot(t)
		t.Setenv("KWIKPAISA_WEBHOOK_SECRET", fixtureSecret)
		tmp := t.TempDir()
		code, stdout, stderr := runRecon(t, fixtureNow, "run", "--config", "fixtures/recon.toml", "--date", fixtureDate,
			"--offline", "--db", db, "--out", filepath.Join(tmp, "reports"))
		if code != 0 {
			t.Fatalf("exit %d, want 0; stderr:\n%s", code, stderr)
		}
		dir := filepath.Join(tmp, "reports", fixtureDate)
		if !strings.Contains(stdout, "Reports: "+dir) {
			t.Errorf("stdout does not say where the reports are:\n%s", stdout)
		}
		expected := filepath.Join("fixtures", "day", fixtureDate, "expected")
		for _, name := range fixtureCSVs {
			got, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join(expected, name), got)
		}
		golden(t, filepath.Join(expected, "recon-"+fixtureDate+".xlsx.txt"), dumpWorkbook(t, filepath.Join(dir, "recon-"+fixtureDate+".xlsx")))
	})
}

// TestRunTwiceIdentical runs the fixture day twice into two report folders
// over one database: the second run reads nothing again (the files are
// unchanged) and writes byte-identical CSVs.
func TestRunTwiceIdentical(t *testing.T) {
	inRepoRoot(t)
	t.Setenv("KWIKPAISA_WEBHOOK_SECRET", fixtureSecret)
	tmp := t.TempDir()
	db := filepath.Join(tmp, "recon.db")
	for i, out := range []string{"a", "b"} {
		code, _, stderr := runRecon(t, fixtureNow.Add(time.Duration(i)*time.Minute), "run", "--config", "fixtures/recon.toml",
			"--date", fixtureDate, "--offline", "--db", db, "--out", filepath.Join(tmp, out))
		if code != 0 {
			t.Fatalf("run %d: exit %d; stderr:\n%s", i+1, code, stderr)
		}
	}
	for _, name := range fixtureCSVs {
		a, _ := os.ReadFile(filepath.Join(tmp, "a", fixtureDate, name))
		b, _ := os.ReadFile(filepath.Join(tmp, "b", fixtureDate, name))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s differs between two runs of the same inputs (or is empty)", name)
		}
	}
}

// TestRejectedRowOnlyInRejects checks that the fixture row with an
// unreadable amount is reported in rejects.csv with its place, value and
// reason, and nowhere else.
func TestRejectedRowOnlyInRejects(t *testing.T) {
	inRepoRoot(t)
	t.Setenv("KWIKPAISA_WEBHOOK_SECRET", fixtureSecret)
	tmp := t.TempDir()
	if code, _, stderr := runRecon(t, fixtureNow, "run", "--config", "fixtures/recon.toml", "--date", fixtureDate,
		"--offline", "--db", filepath.Join(tmp, "recon.db"), "--out", tmp); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	dir := filepath.Join(tmp, fixtureDate)
	rejects := readCSV(t, filepath.Join(dir, "rejects.csv"))
	want := []string{"fixtures/day/2026-11-24/orders.csv", lineOf(t, "fixtures/day/2026-11-24/orders.csv", "ORD-BAD-AMT"),
		"amount", "12,50", "amount has a thousands separator in the wrong place (a decimal comma?)"}
	found := false
	for _, r := range rejects[1:] {
		if strings.Join(r, "|") == strings.Join(want, "|") {
			found = true
		}
	}
	if !found {
		t.Errorf("rejects.csv has no row %q; it has %q", want, rejects[1:])
	}
	for _, name := range []string{"mismatches.csv", "duplicates.csv", "missing_utr.csv"} {
		b, _ := os.ReadFile(filepath.Join(dir, name))
		if bytes.Contains(b, []byte("ORD-BAD-AMT")) {
			t.Errorf("%s mentions the rejected row ORD-BAD-AMT", name)
		}
	}
}

// lineOf returns the 1-based line of the first line of path containing s.
func lineOf(t *testing.T, path, s string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, s) {
			return strconv.Itoa(i + 1)
		}
	}
	t.Fatalf("%s has no line with %q", path, s)
	return ""
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rows
}

// golden compares got with the golden file at path, or rewrites it with
// -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/recon -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n%s", path, diffLines(string(want), string(got)))
	}
}

// diffLines shows the first lines that differ.
func diffLines(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 10; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			b.WriteString("line " + strconv.Itoa(i+1) + ":\n  want " + wl + "\n  got  " + gl + "\n")
			shown++
		}
	}
	return b.String()
}

// dumpWorkbook writes a workbook's sheets as text: sheet names in order and
// every cell as the spreadsheet shows it, tab-separated.
func dumpWorkbook(t *testing.T, path string) []byte {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer f.Close()
	var b strings.Builder
	for _, sheet := range f.GetSheetList() {
		b.WriteString("== " + sheet + "\n")
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			b.WriteString(strings.Join(r, "\t") + "\n")
		}
	}
	return []byte(b.String())
}

// forEachStore runs fn once per store recon runs on, each a subtest with a
// fresh database: an SQLite file, and a PostgreSQL database on the test
// server (pgtest: skipped without one, failed under CI=true). Both must
// write the same reports, byte for byte.
func forEachStore(t *testing.T, fn func(t *testing.T, db string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, filepath.Join(t.TempDir(), "recon.db")) })
	t.Run("postgres", func(t *testing.T) { fn(t, pgtest.Fresh(t)) })
}
