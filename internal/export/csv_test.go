package export

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"github.com/kwikpaisa/recon/internal/recon"
)

func TestDefuse(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"PO-1", "PO-1"},
		{"1234.50", "1234.50"},
		{"-12.50", "-12.50"},
		{"+3", "+3"},
		{"-.5", "-.5"},
		{"-", "'-"},
		{"+", "'+"},
		{"-1e5", "'-1e5"},
		{"=1+1", "'=1+1"},
		{`=HYPERLINK("http://evil.example","click")`, `'=HYPERLINK("http://evil.example","click")`},
		{"+91 1234", "'+91 1234"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"a=1", "a=1"},
	}
	for _, tt := range tests {
		if got := Defuse(tt.in); got != tt.want {
			t.Errorf("Defuse(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !utf8.Valid(b) || bytes.HasPrefix(b, []byte("\xef\xbb\xbf")) {
		t.Errorf("%s is not UTF-8 without a BOM", path)
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rows
}

func TestCSVs(t *testing.T) {
	r := testReport()
	r.Exceptions[0].Detail = "Paid ₹1,00,000 twice."
	dir := mustWrite(t, r, Options{})
	tests := []struct {
		file   string
		header []string
		rows   [][]string // selected columns of every data row, in order
		cols   []int
	}{
		{"mismatches.csv", columnsFor(recon.ReportMismatches), [][]string{
			{"AMOUNT_MISMATCH", "PAYIN", "-12.50", "9999999999999.99", "0.01", "-9999999999999.98", "'@SUM(A1:A2)"},
			{"AMOUNT_MISMATCH", "PAYOUT", "PO-1", "4000.00", "3999.50", "-0.50", `'=HYPERLINK("http://evil.example","click")`},
			{"STATUS_MISMATCH", "PAYOUT", "PO-9", "1.00", "1.00", "", "Paid ₹1,00,000 twice."},
		}, []int{0, 1, 2, 7, 8, 9, 15}},
		{"duplicates.csv", columnsFor(recon.ReportDuplicates), [][]string{
			{"DUPLICATE_LEDGER_ROW", "ORD-7", "2", "o.csv:4 o.csv:5"},
		}, []int{0, 2, 15, 17}},
		{"missing_utr.csv", columnsFor(recon.ReportMissingUTR), [][]string{
			{"MISSING_UTR", "PO-3", "both"},
		}, []int{0, 2, 15}},
		{"rejects.csv", []string{"file", "line", "column", "value", "reason"}, [][]string{
			{"in/orders.csv", "3", "'=cmd|' /C calc'!A0"},
			{"in/orders.csv", "4", "-12.50"},
			{"in/payouts.xlsx", "Sheet1!5", "'+91 1234"},
		}, []int{0, 1, 3}},
		{"summary.csv", []string{"section", "item", "metric", "value"}, [][]string{
			{"input", "rows_read", "4"}, {"input", "rows_accepted", "3"}, {"input", "rows_rejected", "1"},
			{"payin", "count", "3"}, {"payin", "amount", "9999999999999.99"}, {"payin", "payment_success_rate_pct", "83.91"},
			{"category", "count", "2"}, {"category", "amount", "5499.00"}, {"category", "count", "1"}, {"category", "amount", "0.00"},
			{"overall", "match_rate_pct", "97.11"}, {"overall", "exceptions_new", "3"}, {"overall", "note", "'=1+1"},
		}, []int{0, 2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			rows := readCSV(t, filepath.Join(dir, tt.file))
			if !slices.Equal(rows[0], tt.header) {
				t.Errorf("header = %q, want %q", rows[0], tt.header)
			}
			var got [][]string
			for _, r := range rows[1:] {
				var sel []string
				for _, c := range tt.cols {
					sel = append(sel, r[c])
				}
				got = append(got, sel)
			}
			if !slices.EqualFunc(got, tt.rows, slices.Equal) {
				t.Errorf("rows =\n%q\nwant\n%q", got, tt.rows)
			}
		})
	}
}

func TestCSVsAreReproducible(t *testing.T) {
	a, b := mustWrite(t, testReport(), Options{}), mustWrite(t, testReport(), Options{})
	for _, name := range Files("2026-11-24")[:5] {
		x, _ := os.ReadFile(filepath.Join(a, name))
		y, _ := os.ReadFile(filepath.Join(b, name))
		if len(x) == 0 || !bytes.Equal(x, y) {
			t.Errorf("%s differs between two writes of the same report (or is empty)", name)
		}
	}
}

func TestWriteLeavesOnlyReports(t *testing.T) {
	dir := mustWrite(t, testReport(), Options{})
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
		if info, _ := e.Info(); info.Mode().Perm() != 0o600 {
			t.Errorf("%s mode = %v, want 0600", e.Name(), info.Mode().Perm())
		}
	}
	want := slices.Sorted(slices.Values(Files("2026-11-24")))
	if !slices.Equal(got, want) {
		t.Errorf("files = %q, want %q (no temporary files left)", got, want)
	}
}

// TestWriteRemovesLeftovers: the folder and the link a killed run left
// half-made are removed by the next Write; pulled.jsonl, which the pull
// appends beside the reports, is carried into the new set.
func TestWriteRemovesLeftovers(t *testing.T) {
	dir := mustWrite(t, testReport(), Options{})
	killed := filepath.Join(dir+".runs", "run-killed")
	if err := os.MkdirAll(killed, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{".manifest.json.tmp-622060065", "summary.csv"} {
		if err := os.WriteFile(filepath.Join(killed, name), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "pulled.jsonl"), []byte("{}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	staleLink := filepath.Join(filepath.Dir(dir), "."+filepath.Base(dir)+".link-tmp-run-killed")
	if err := os.Symlink("2026-11-24.runs/run-killed", staleLink); err != nil {
		t.Fatal(err)
	}
	if err := Write(dir, testReport(), Options{}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{killed, staleLink} {
		if _, err := os.Lstat(p); !os.IsNotExist(err) {
			t.Errorf("%s: %v, want it removed", p, err)
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, "pulled.jsonl")); err != nil || string(b) != "{}\n" {
		t.Errorf("pulled.jsonl = %q, %v; want it carried into the new set", b, err)
	}
}

// TestWriteSwitchesWholeSets: a write that fails between two files (here
// the workbook: no temporary folder to build it in, as a kill or a full
// disk would) leaves the date's folder holding the previous run's files,
// every one of them; the next run's set replaces it whole, and the
// previous sets are kept beside it, the oldest dropped beyond KeepRuns.
func TestWriteSwitchesWholeSets(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "2026-11-24")
	report := func(id string) *Report {
		r := testReport()
		r.RunID = id
		r.Exceptions = append(r.Exceptions, recon.Exception{Category: recon.MissingInLedger, Entity: recon.EntityPayin,
			Reference: "ORD-" + id, Severity: recon.SeverityHigh, Detail: "Run " + id + "."})
		return r
	}
	if err := Write(dir, report("run-a"), Options{KeepRuns: 2}); err != nil {
		t.Fatal(err)
	}
	before := readSet(t, dir)

	tmp := os.Getenv("TMPDIR")
	t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "gone"))
	if err := Write(dir, report("run-b"), Options{KeepRuns: 2}); err == nil {
		t.Fatal("Write with no temporary folder succeeded, want the workbook to fail")
	}
	if got := readSet(t, dir); !reflect.DeepEqual(got, before) {
		for name := range before {
			if got[name] != before[name] {
				t.Errorf("after a failed run %s is not the previous run's", name)
			}
		}
		t.Fatalf("files = %d, want the previous run's %d files unchanged", len(got), len(before))
	}

	os.Setenv("TMPDIR", tmp)
	for _, id := range []string{"run-c", "run-d"} {
		if err := Write(dir, report(id), Options{KeepRuns: 2}); err != nil {
			t.Fatal(err)
		}
	}
	if got := readSet(t, dir)["mismatches.csv"]; !strings.Contains(got, "ORD-run-d") || strings.Contains(got, "ORD-run-c") {
		t.Errorf("mismatches.csv after run d:\n%s\nwant run d's", got)
	}
	got, err := Runs(dir + ".runs")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"run-d", "run-c"}; !slices.Equal(got, want) {
		t.Errorf("runs kept = %q, want %q (run a beyond KeepRuns, run b never completed)", got, want)
	}
	prev := readSet(t, filepath.Join(dir+".runs", "run-c"))
	if !strings.Contains(prev["mismatches.csv"], "ORD-run-c") || len(prev) != len(Files("2026-11-24")) {
		t.Errorf("run c's set = %d files, want all %d, its own", len(prev), len(Files("2026-11-24")))
	}
}

// readSet reads every file of a report folder.
func readSet(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = string(b)
	}
	return out
}

func TestManifest(t *testing.T) {
	r := testReport()
	r.ExitStatus = 1
	b, err := os.ReadFile(filepath.Join(mustWrite(t, r, Options{}), "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	want := manifest{
		RunID: "run-test", Date: "2026-11-24", Started: "2026-11-24T20:30:00Z", Finished: "2026-11-24T20:30:05Z",
		Version: "v-test", ExitStatus: 1,
		Inputs: []manifestInput{
			{Kind: "orders", Path: "in/orders.csv", SHA256: "ab12", Size: 100, RowsRead: 4, RowsAccepted: 3, RowsRejected: 1},
			{Kind: "payouts", Path: "in/payouts.xlsx", SHA256: "cd34", Size: 200, RowsRead: 3, RowsAccepted: 3},
		},
		Files: Files("2026-11-24")[:6],
	}
	gotJSON, _ := json.Marshal(m)
	wantJSON, _ := json.Marshal(want)
	if !bytes.Equal(gotJSON, wantJSON) {
		t.Errorf("manifest = %s, want %s", gotJSON, wantJSON)
	}
}

// TestExactFloat checks that every amount up to ₹10^13 is written as a
// float whose shortest form, the text excelize puts in the cell, is the
// amount's exact decimal.
func TestExactFloat(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	check := func(paise int64) {
		s := recon.Amount(paise).String()
		f, ok := exactFloat(s)
		if !ok {
			t.Fatalf("exactFloat(%q) = not exact, want exact", s)
		}
		got := decimal.RequireFromString(strconv.FormatFloat(f, 'f', -1, 64))
		if !got.Equal(decimal.RequireFromString(s)) {
			t.Fatalf("exactFloat(%q) writes %s", s, got)
		}
	}
	edges := []int64{0, 1, -1, 5, 10, 99, 101, 999_999_999_999_999, -999_999_999_999_999, 1_000_000_000_000_000,
		-1_000_000_000_000_000, 123_456_789_012_345, 10_000_000_000_001, 900_719_925_474_099}
	for _, p := range edges {
		check(p)
	}
	for range 1_000_000 {
		// Spread over magnitudes up to recon.MaxAmount (10^15 paise).
		digits := 1 + rng.IntN(15)
		p := rng.Int64N(pow10(digits))
		if rng.IntN(2) == 0 {
			p = -p
		}
		check(p)
	}
	// More than 15 significant digits: no float is exact, so the cell is
	// written as text.
	for _, s := range []string{"19999999999999.99", "-12345678901234.56", "0.1234567890123456"} {
		if f, ok := exactFloat(s); ok {
			t.Errorf("exactFloat(%q) = %v, exact; want not exact", s, f)
		}
	}
}

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}

// TestWorkbookAmountsExact writes many amounts through the real writer and
// reads the text of each cell back.
func TestWorkbookAmountsExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	r := testReport()
	r.Exceptions = nil
	var want []string
	for i := range 5_000 {
		p := rng.Int64N(pow10(1 + rng.IntN(15)))
		if i%3 == 0 {
			p = -p
		}
		want = append(want, recon.Amount(p).String())
		r.Exceptions = append(r.Exceptions, recon.Exception{Category: recon.AmountMismatch, Entity: recon.EntityPayin,
			Reference: "R" + strconv.Itoa(100000+i), Difference: amt(p)})
	}
	f := mustOpen(t, workbookPath(mustWrite(t, r, Options{})))
	rows, err := f.GetRows("Mismatches", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	ref, diff := column(t, rows[0], "Reference"), column(t, rows[0], "Difference (gateway − ledger)")
	diffCol, _ := excelize.ColumnNumberToName(diff + 1)
	for i, row := range rows[1:] {
		n, _ := strconv.Atoi(strings.TrimPrefix(row[ref], "R"))
		w := want[n-100000]
		if got := row[diff]; !decimal.RequireFromString(got).Equal(decimal.RequireFromString(w)) {
			t.Fatalf("row %d (%s): difference cell holds %q, want %s", i+2, row[ref], got, w)
		}
		if i >= 50 {
			continue
		}
		if typ, _ := f.GetCellType("Mismatches", diffCol+strconv.Itoa(i+2)); typ == excelize.CellTypeInlineString {
			t.Fatalf("row %d: difference %s written as text", i+2, w)
		}
	}
	if len(rows) != len(want)+1 {
		t.Errorf("%d rows, want %d and the header", len(rows)-1, len(want))
	}
}
