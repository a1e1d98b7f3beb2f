package export

import (
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kwikpaisa/recon/internal/recon"
)

// ssconvert finds gnumeric's converter. A machine without it skips the
// tests that need it, except in CI (CI=true), where .ci/run installs it
// and its absence is a failure.
func ssconvert(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("ssconvert")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("ssconvert (gnumeric) is not installed and CI=true: .ci/run installs it")
		}
		t.Skip("ssconvert (gnumeric) is not installed; apt-get install gnumeric")
	}
	return bin
}

// convert has gnumeric open the workbook and write every sheet as CSV,
// either as the cells show (format=preserve) or as their raw values. It
// returns the sheets by "<index>-<name>".
func convert(t *testing.T, bin, book string, shown bool) map[string][][]string {
	t.Helper()
	out := t.TempDir()
	args := []string{"-S", "--export-type=Gnumeric_stf:stf_assistant"}
	if shown {
		args = append(args, "--export-options=format=preserve")
	}
	cmd := exec.Command(bin, append(args, book, filepath.Join(out, "%n-%s.csv"))...)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "LANG=C.UTF-8", "LC_ALL=C.UTF-8")
	if output, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ssconvert: %v\n%s", err, output)
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	sheets := map[string][][]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(out, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(strings.NewReader(string(b)))
		r.FieldsPerRecord = -1
		rows, err := r.ReadAll()
		if err != nil {
			t.Fatalf("%s: %v\n%s", e.Name(), err, b)
		}
		sheets[strings.TrimSuffix(e.Name(), ".csv")] = rows
	}
	return sheets
}

// TestSpreadsheetReadsWorkbook opens the workbook with a real spreadsheet
// program (gnumeric) and checks what it reads.
func TestSpreadsheetReadsWorkbook(t *testing.T) {
	bin := ssconvert(t)
	book := workbookPath(mustWrite(t, testReport(), Options{}))
	shown := convert(t, bin, book, true)
	raw := convert(t, bin, book, false)

	names := slices.Sorted(func(yield func(string) bool) {
		for k := range shown {
			if !yield(k) {
				return
			}
		}
	})
	want := []string{"0-Summary", "1-Mismatches", "2-Duplicates", "3-Missing UTR", "4-Open items", "5-Rejects"}
	if !slices.Equal(names, want) {
		t.Fatalf("sheets = %q, want %q", names, want)
	}

	cell := func(sheets map[string][][]string, sheet string, row, col int) string {
		rows := sheets[sheet]
		if row >= len(rows) || col >= len(rows[row]) {
			return "<none>"
		}
		return rows[row][col]
	}
	// rowOf finds the row whose first cell is label.
	rowOf := func(sheets map[string][][]string, sheet, label string) int {
		for i, r := range sheets[sheet] {
			if len(r) > 0 && r[0] == label {
				return i
			}
		}
		t.Fatalf("%s has no row %q", sheet, label)
		return 0
	}
	m := "1-Mismatches"
	tests := []struct {
		name     string
		sheets   map[string][][]string
		sheet    string
		row, col int
		want     string
	}{
		{"header", shown, m, 0, 3, "Reference"},
		{"reference that looks like a number stays as written", shown, m, 1, 3, "-12.50"},
		// Gnumeric shows the rupee sign but groups by three whatever the
		// format's locale; LibreOffice groups 2-2-3 (TestLibreOfficeShows…).
		{"largest amount in rupees", shown, m, 1, 4, "₹9,999,999,999,999.99"},
		{"largest amount, exact value", raw, m, 1, 4, "9999999999999.99"},
		{"negative difference, formatted", shown, m, 1, 6, "-₹9,999,999,999,999.98"},
		{"amount is a number (raw 4000, not the text 4000.00)", raw, m, 2, 4, "4000"},
		{"amount formatted with two decimals", shown, m, 2, 4, "₹4,000.00"},
		{"small negative difference", shown, m, 2, 6, "-₹0.50"},
		{"small negative difference, value", raw, m, 2, 6, "-0.5"},
		{"date cell", shown, m, 2, 12, "2026-11-24"},
		{"12-digit UTR stays text", raw, m, 2, 10, "643402087507"},
		{"19-digit UTR with leading zeros stays text", raw, m, 2, 11, "0012345678901234567"},
		{"formula is not evaluated", raw, m, 2, 16, `'=HYPERLINK("http://evil.example","click")`},
		{"@ formula is not evaluated", raw, m, 1, 16, "'@SUM(A1:A2)"},
		{"severity", shown, m, 3, 0, "INFO"},
		{"state", shown, m, 3, 18, "INVESTIGATING"},
		{"owner", shown, m, 3, 19, "asha"},
		{"note", shown, m, 3, 20, "asked the bank"},
		{"what to do", shown, m, 1, 17, recon.AmountMismatch.WhatToDo()},
		{"duplicate count", raw, "2-Duplicates", 1, 12, "2"},
		{"open item, oldest first", shown, "4-Open items", 1, 9, "ORD-OLD"},
		{"open item's age", raw, "4-Open items", 1, 2, "6"},
		{"reject value formula", raw, "5-Rejects", 1, 3, "'=cmd|' /C calc'!A0"},
		{"reject value negative number", raw, "5-Rejects", 2, 3, "-12.50"},
		{"summary open critical", shown, "0-Summary", rowOf(shown, "0-Summary", "CRITICAL"), 1, "2"},
		{"summary payout at risk", shown, "0-Summary", rowOf(shown, "0-Summary", "PAYOUT"), 2, "₹2,101.50"},
		{"summary match rate", shown, "0-Summary", rowOf(shown, "0-Summary", "Match rate"), 1, "97.11%"},
		{"summary category amount", shown, "0-Summary", rowOf(shown, "0-Summary", "AMOUNT_MISMATCH"), 2, "₹5,499.00"},
		{"summary note not evaluated", raw, "0-Summary", rowOf(raw, "0-Summary", "Note"), 1, "'=1+1"},
	}
	for _, tt := range tests {
		// Gnumeric shows a minus as U+2212 in a UTF-8 locale.
		if got := strings.ReplaceAll(cell(tt.sheets, tt.sheet, tt.row, tt.col), "\u2212", "-"); got != tt.want {
			t.Errorf("%s: %s row %d col %d = %q, want %q", tt.name, tt.sheet, tt.row+1, tt.col+1, got, tt.want)
		}
	}
}

// TestSpreadsheetRequiredInCI runs the spreadsheet test in a child process
// that cannot find ssconvert: with CI=true it must fail, without it skip.
func TestSpreadsheetRequiredInCI(t *testing.T) {
	tests := []struct {
		ci       string
		wantFail bool
		wantOut  string
	}{
		{"true", true, "ssconvert (gnumeric) is not installed and CI=true"},
		{"", false, "--- SKIP: TestSpreadsheetReadsWorkbook"},
	}
	for _, tt := range tests {
		cmd := exec.Command(os.Args[0], "-test.run=^TestSpreadsheetReadsWorkbook$", "-test.v", "-test.count=1")
		cmd.Env = append(os.Environ(), "PATH="+t.TempDir(), "CI="+tt.ci)
		out, err := cmd.CombinedOutput()
		if failed := err != nil; failed != tt.wantFail || !strings.Contains(string(out), tt.wantOut) {
			t.Errorf("CI=%q: failed=%v, want %v; output:\n%s\nwant it to contain %q", tt.ci, failed, tt.wantFail, out, tt.wantOut)
		}
	}
}

// TestLibreOfficeShowsIndianGrouping has LibreOffice, when installed, open
// the workbook and write the Mismatches sheet as shown: amounts in rupees
// with the Indian grouping (lakh, crore), the cells still numbers.
func TestLibreOfficeShowsIndianGrouping(t *testing.T) {
	bin, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("LibreOffice (soffice) is not installed")
	}
	r := testReport()
	po1 := &r.Exceptions[1] // row 3 of Mismatches
	po1.LedgerAmount, po1.GatewayAmount, po1.Difference = amt(760824177), amt(123456789012), amt(-400)
	book := workbookPath(mustWrite(t, r, Options{}))
	out := t.TempDir()
	// 44,34,76: comma, quote, UTF-8; the ninth token (true) writes cells
	// as shown; -1 on the twelfth writes the second sheet (Mismatches).
	cmd := exec.Command(bin, "--headless", "-env:UserInstallation=file://"+t.TempDir(), "--convert-to",
		"csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,2", "--outdir", out, book)
	if output, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, output)
	}
	matches, _ := filepath.Glob(filepath.Join(out, "*.csv"))
	if len(matches) != 1 {
		t.Fatalf("soffice wrote %q, want one CSV", matches)
	}
	f, err := os.Open(matches[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		row, col int
		want     string
	}{
		{"header", 0, 4, "Ledger amount"},
		{"lakhs", 2, 4, "₹76,08,241.77"},
		{"crores", 2, 5, "₹1,23,45,67,890.12"},
		{"negative", 2, 6, "-₹4.00"},
		{"paise", 1, 5, "₹0.01"},
	}
	for _, tt := range tests {
		got := "<none>"
		if tt.row < len(rows) && tt.col < len(rows[tt.row]) {
			got = rows[tt.row][tt.col]
		}
		if got != tt.want {
			t.Errorf("%s: row %d col %d = %q, want %q", tt.name, tt.row+1, tt.col+1, got, tt.want)
		}
	}
}
