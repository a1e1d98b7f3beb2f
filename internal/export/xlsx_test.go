package export

import (
	"archive/zip"
	"bytes"
	"io"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func workbookPath(dir string) string { return filepath.Join(dir, "recon-2026-11-24.xlsx") }

func TestWorkbookLayout(t *testing.T) {
	f := mustOpen(t, workbookPath(mustWrite(t, testReport(), Options{})))
	want := []string{"Summary", "Mismatches", "Duplicates", "Missing UTR", "Rejects"}
	if got := f.GetSheetList(); !reflect.DeepEqual(got, want) {
		t.Fatalf("sheets = %q, want %q", got, want)
	}
	if got := f.GetActiveSheetIndex(); got != 0 {
		t.Errorf("active sheet = %d, want 0 (Summary)", got)
	}
	tests := []struct {
		sheet     string
		wantRange string // the table that carries the autofilter
	}{
		{"Mismatches", "A1:Q4"},
		{"Duplicates", "A1:R2"},
		{"Missing UTR", "A1:R2"},
		{"Rejects", "A1:E4"},
	}
	for _, tt := range tests {
		t.Run(tt.sheet, func(t *testing.T) {
			p, err := f.GetPanes(tt.sheet)
			if err != nil {
				t.Fatal(err)
			}
			if !p.Freeze || p.YSplit != 1 || p.XSplit != 0 || p.TopLeftCell != "A2" {
				t.Errorf("panes = %+v, want the header row frozen", p)
			}
			tables, err := f.GetTables(tt.sheet)
			if err != nil {
				t.Fatal(err)
			}
			if len(tables) != 1 || tables[0].Range != tt.wantRange {
				t.Errorf("tables = %+v, want one over %s", tables, tt.wantRange)
			}
			id, _ := f.GetCellStyle(tt.sheet, "A1")
			st, err := f.GetStyle(id)
			if err != nil || st.Font == nil || !st.Font.Bold {
				t.Errorf("header A1 style = %+v (%v), want bold", st, err)
			}
		})
	}
}

func TestWorkbookColumnWidths(t *testing.T) {
	r := testReport()
	long := strings.Repeat("x", 200)
	r.Exceptions[0].Detail = long
	f := mustOpen(t, workbookPath(mustWrite(t, r, Options{})))
	tests := []struct {
		col      string
		min, max float64
	}{
		{"A", float64(len("AMOUNT_MISMATCH")), maxWidth}, // category
		{"B", minWidth, 12},                                                                 // entity: short
		{"N", float64(len("643402087507")), maxWidth},                                       // ledger_utr
		{"O", float64(len("0012345678901234567")), maxWidth},                                // gateway_utr
		{"J", float64(len("-9,999,999,999,999.98")), maxWidth},                              // difference as displayed
		{"P", float64(len("'=HYPERLINK(\"http://evil.example\",\"click\")")), maxTextWidth}, // detail: capped
	}
	for _, tt := range tests {
		got, err := f.GetColWidth("Mismatches", tt.col)
		if err != nil {
			t.Fatal(err)
		}
		if got < tt.min || got > tt.max {
			t.Errorf("width of column %s = %v, want within [%v, %v]", tt.col, got, tt.min, tt.max)
		}
	}
	if got, _ := f.GetColWidth("Mismatches", "P"); got != maxTextWidth {
		t.Errorf("width of detail with a 200-character cell = %v, want the cap %d", got, maxTextWidth)
	}
}

// excelSerial is the serial number a spreadsheet stores for a date.
func excelSerial(date string) string {
	d, _ := time.Parse("2006-01-02", date)
	return strconv.Itoa(int(d.Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24))
}

func TestWorkbookCells(t *testing.T) {
	f := mustOpen(t, workbookPath(mustWrite(t, testReport(), Options{})))
	// Mismatches rows, sorted: 2 AMOUNT_MISMATCH PAYIN -12.50, 3
	// AMOUNT_MISMATCH PAYOUT PO-1, 4 STATUS_MISMATCH PAYOUT PO-9.
	const text, number = "text", "number"
	tests := []struct {
		sheet, cell string
		kind        string
		raw         string // the value stored in the cell
		shown       string // the value as formatted
		format      string // custom number format, if any
	}{
		{"Mismatches", "C2", text, "-12.50", "-12.50", ""},
		{"Mismatches", "H2", number, "9999999999999.99", "9,999,999,999,999.99", fmtAmount},
		{"Mismatches", "I2", number, "0.01", "0.01", fmtAmount},
		{"Mismatches", "J2", number, "-9999999999999.98", "-9,999,999,999,999.98", fmtAmount},
		{"Mismatches", "Q2", text, "o.csv:3", "o.csv:3", ""},
		{"Mismatches", "P2", text, "'@SUM(A1:A2)", "'@SUM(A1:A2)", ""},
		{"Mismatches", "E3", text, "true", "true", ""},
		{"Mismatches", "F3", number, excelSerial("2026-11-24"), "2026-11-24", fmtDate},
		{"Mismatches", "G3", number, "0", "0", ""},
		{"Mismatches", "H3", number, "4000", "4,000.00", fmtAmount},
		{"Mismatches", "J3", number, "-0.5", "-0.50", fmtAmount},
		{"Mismatches", "N3", text, "643402087507", "643402087507", ""},
		{"Mismatches", "O3", text, "0012345678901234567", "0012345678901234567", ""},
		{"Mismatches", "P3", text, `'=HYPERLINK("http://evil.example","click")`, `'=HYPERLINK("http://evil.example","click")`, ""},
		{"Mismatches", "F4", number, excelSerial("2026-11-20"), "2026-11-20", fmtDate},
		{"Mismatches", "G4", number, "4", "4", ""},
		{"Duplicates", "P2", number, "2", "2", ""},
		{"Missing UTR", "P2", text, "both", "both", ""},
		{"Rejects", "D2", text, "'=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0", ""},
		{"Rejects", "D3", text, "-12.50", "-12.50", ""},
		{"Rejects", "D4", text, "'+91 1234", "'+91 1234", ""},
		{"Rejects", "B4", text, "Sheet1!5", "Sheet1!5", ""},
		{"Rejects", "B2", number, "3", "3", ""},
	}
	for _, tt := range tests {
		t.Run(tt.sheet+"!"+tt.cell, func(t *testing.T) {
			typ, err := f.GetCellType(tt.sheet, tt.cell)
			if err != nil {
				t.Fatal(err)
			}
			gotKind := number
			if typ == excelize.CellTypeInlineString || typ == excelize.CellTypeSharedString {
				gotKind = text
			}
			if gotKind != tt.kind {
				t.Errorf("type = %v (%s), want %s", typ, gotKind, tt.kind)
			}
			raw, _ := f.GetCellValue(tt.sheet, tt.cell, excelize.Options{RawCellValue: true})
			if raw != tt.raw {
				t.Errorf("raw value = %q, want %q", raw, tt.raw)
			}
			shown, _ := f.GetCellValue(tt.sheet, tt.cell)
			if shown != tt.shown {
				t.Errorf("shown value = %q, want %q", shown, tt.shown)
			}
			if custom, _ := numFmt(t, f, tt.sheet, tt.cell); custom != tt.format {
				t.Errorf("number format = %q, want %q", custom, tt.format)
			}
			if formula, _ := f.GetCellFormula(tt.sheet, tt.cell); formula != "" {
				t.Errorf("formula = %q, want none", formula)
			}
		})
	}
}

func TestWorkbookSeverityFill(t *testing.T) {
	f := mustOpen(t, workbookPath(mustWrite(t, testReport(), Options{})))
	tests := []struct{ cell, severity, fill string }{
		{"D2", "CRITICAL", "FFC7CE"},
		{"D4", "INFO", "EDEDED"},
	}
	for _, tt := range tests {
		v, _ := f.GetCellValue("Mismatches", tt.cell)
		id, _ := f.GetCellStyle("Mismatches", tt.cell)
		st, err := f.GetStyle(id)
		if err != nil {
			t.Fatal(err)
		}
		if v != tt.severity || len(st.Fill.Color) != 1 || st.Fill.Color[0] != tt.fill {
			t.Errorf("%s = %q filled %v, want %q filled %s", tt.cell, v, st.Fill.Color, tt.severity, tt.fill)
		}
	}
}

func TestSummarySheet(t *testing.T) {
	dir := mustWrite(t, testReport(), Options{})
	f := mustOpen(t, workbookPath(dir))
	const s = "Summary"
	cell := func(label string, col string) string { return col + strconv.Itoa(findRow(t, f, s, label)) }
	tests := []struct {
		cell         string
		raw, shown   string
		customFormat string
		builtin      int
	}{
		{cell("Business date", "B"), excelSerial("2026-11-24"), "2026-11-24", fmtDate, 0},
		{cell("Run id", "B"), "run-test", "run-test", "", 0},
		{cell("in/orders.csv", "B"), "4", "4", "", 0},
		{cell("in/orders.csv", "D"), "1", "1", "", 0},
		{cell("ledger", "C"), "9999999999999.99", "9,999,999,999,999.99", fmtAmount, 0},
		{cell("gateway", "D"), "0.8391", "83.91%", "", fmtPercent},
		{cell("AMOUNT_MISMATCH", "B"), "2", "2", "", 0},
		{cell("AMOUNT_MISMATCH", "C"), "5499", "5,499.00", fmtAmount, 0},
		{cell("Match rate", "B"), "0.9711", "97.11%", "", fmtPercent},
		{cell("Exceptions new", "B"), "3", "3", "", 0},
		{cell("Note", "B"), "'=1+1", "'=1+1", "", 0},
	}
	for _, tt := range tests {
		raw, _ := f.GetCellValue(s, tt.cell, excelize.Options{RawCellValue: true})
		shown, _ := f.GetCellValue(s, tt.cell)
		custom, builtin := numFmt(t, f, s, tt.cell)
		if raw != tt.raw || shown != tt.shown || custom != tt.customFormat || builtin != tt.builtin {
			t.Errorf("%s = raw %q shown %q format %q/%d, want raw %q shown %q format %q/%d",
				tt.cell, raw, shown, custom, builtin, tt.raw, tt.shown, tt.customFormat, tt.builtin)
		}
	}

	// It prints on one landscape page.
	props, _ := f.GetSheetProps(s)
	layout, _ := f.GetPageLayout(s)
	if props.FitToPage == nil || !*props.FitToPage || layout.Orientation == nil || *layout.Orientation != "landscape" ||
		layout.FitToWidth == nil || *layout.FitToWidth != 1 || layout.FitToHeight == nil || *layout.FitToHeight != 1 {
		t.Errorf("page setup: fit %v, layout %+v, want one landscape page", props.FitToPage, layout)
	}

	// The chart of exceptions by category plots the category counts.
	zr, err := zip.OpenReader(workbookPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var chart string
	for _, zf := range zr.File {
		if zf.Name == "xl/charts/chart1.xml" {
			rc, _ := zf.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			chart = strings.ReplaceAll(string(b), "&#39;", "'")
		}
	}
	first, last := findRow(t, f, s, "AMOUNT_MISMATCH"), findRow(t, f, s, "MISSING_UTR")
	for _, ref := range []string{
		"'Summary'!$A$" + strconv.Itoa(first) + ":$A$" + strconv.Itoa(last),
		"'Summary'!$B$" + strconv.Itoa(first) + ":$B$" + strconv.Itoa(last),
		"Exceptions by category",
		"<tx><strRef><f>'Summary'!$B$" + strconv.Itoa(first-1) + "</f>", // the series is named by the Count header
	} {
		if !strings.Contains(chart, ref) {
			t.Errorf("xl/charts/chart1.xml does not contain %q:\n%s", ref, chart)
		}
	}
}

func TestSheetSplit(t *testing.T) {
	f := mustOpen(t, workbookPath(mustWrite(t, testReport(), Options{MaxSheetRows: 2})))
	want := []string{"Summary", "Mismatches", "Mismatches (2)", "Duplicates", "Missing UTR", "Rejects", "Rejects (2)"}
	if got := f.GetSheetList(); !reflect.DeepEqual(got, want) {
		t.Fatalf("sheets = %q, want %q", got, want)
	}
	tests := []struct {
		sheet string
		refs  []string // column C (reference) or A (file) below the header
		table string
	}{
		{"Mismatches", []string{"-12.50", "PO-1"}, "A1:Q3"},
		{"Mismatches (2)", []string{"PO-9"}, "A1:Q2"},
		{"Rejects", []string{"3", "4"}, "A1:E3"},
		{"Rejects (2)", []string{"Sheet1!5"}, "A1:E2"},
	}
	for _, tt := range tests {
		rows, err := f.GetRows(tt.sheet)
		if err != nil {
			t.Fatal(err)
		}
		col := 2 // reference
		if strings.HasPrefix(tt.sheet, "Rejects") {
			col = 1 // line
		}
		var got []string
		for _, r := range rows[1:] {
			got = append(got, r[col])
		}
		if rows[0][0] == "" || !slices.Equal(got, tt.refs) {
			t.Errorf("%s: header %q, rows %q, want a header and rows %q", tt.sheet, rows[0], got, tt.refs)
		}
		p, _ := f.GetPanes(tt.sheet)
		tables, _ := f.GetTables(tt.sheet)
		if !p.Freeze || len(tables) != 1 || tables[0].Range != tt.table {
			t.Errorf("%s: panes %+v, tables %+v, want frozen and one table over %s", tt.sheet, p, tables, tt.table)
		}
	}
}

// grid reads every sheet of a workbook as raw and as shown cell values.
func grid(t *testing.T, path string) map[string][][]string {
	t.Helper()
	f := mustOpen(t, path)
	out := map[string][][]string{}
	for i, s := range f.GetSheetList() {
		shown, err := f.GetRows(s)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := f.GetRows(s, excelize.Options{RawCellValue: true})
		out[strconv.Itoa(i)+" "+s] = append(shown, raw...)
	}
	return out
}

func TestWorkbookIsReproducible(t *testing.T) {
	a := grid(t, workbookPath(mustWrite(t, testReport(), Options{})))
	b := grid(t, workbookPath(mustWrite(t, testReport(), Options{})))
	if len(a) != 5 || !reflect.DeepEqual(a, b) {
		t.Errorf("two workbooks of the same report differ:\n%q\n%q", a, b)
	}
}

func TestEmptyReport(t *testing.T) {
	r := &Report{Date: "2026-11-24", RunID: "run-empty"}
	dir := mustWrite(t, r, Options{})
	f := mustOpen(t, workbookPath(dir))
	want := []string{"Summary", "Mismatches", "Duplicates", "Missing UTR", "Rejects"}
	if got := f.GetSheetList(); !reflect.DeepEqual(got, want) {
		t.Fatalf("sheets = %q, want %q", got, want)
	}
	for _, s := range want[1:] {
		rows, _ := f.GetRows(s)
		tables, _ := f.GetTables(s)
		if len(rows) != 1 || len(tables) != 1 {
			t.Errorf("%s: %d rows, %d tables, want the header row and one table", s, len(rows), len(tables))
		}
	}
	if v, _ := f.GetCellValue("Summary", "B4"); v != "run-empty" {
		t.Errorf("Summary B4 = %q, want the run id", v)
	}
}

// TestWorkbookBytesReproducible writes the same report twice: the two
// workbooks are the same bytes, not only the same cells (excelize orders
// parts and content types by Go maps, which canonicalZip undoes).
func TestWorkbookBytesReproducible(t *testing.T) {
	var first []byte
	for i := range 8 { // map order varies run to run: several tries
		var b bytes.Buffer
		if err := writeWorkbook(&b, testReport(), Options{}); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = b.Bytes()
			continue
		}
		if !bytes.Equal(b.Bytes(), first) {
			t.Fatalf("workbook %d differs from the first: %d bytes, want %d identical bytes", i+1, b.Len(), len(first))
		}
	}
}
