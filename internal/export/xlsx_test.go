package export

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/kwikpaisa/recon/internal/recon"
)

func workbookPath(dir string) string { return filepath.Join(dir, "recon-2026-11-24.xlsx") }

// mismatchHeaders are the Mismatches sheet's headers, in order.
var mismatchHeaders = []string{"Severity", "Category", "Entity", "Reference", "Ledger amount", "Gateway amount",
	"Difference (gateway − ledger)", "Ledger status", "Gateway status", "Webhook status", "Ledger UTR", "Gateway UTR",
	"Business date", "First seen", "Age (days)", "Provisional", "Detail", "What to do", "State", "Owner", "Note",
	"Evidence"}

func TestWorkbookLayout(t *testing.T) {
	f := mustOpen(t, workbookPath(mustWrite(t, testReport(), Options{})))
	want := []string{"Summary", "Mismatches", "Duplicates", "Missing UTR", "Open items", "Rejects"}
	if got := f.GetSheetList(); !reflect.DeepEqual(got, want) {
		t.Fatalf("sheets = %q, want %q", got, want)
	}
	if got := f.GetActiveSheetIndex(); got != 0 {
		t.Errorf("active sheet = %d, want 0 (Summary)", got)
	}
	withExtra := func(extra string) []string {
		h := slices.Clone(mismatchHeaders)
		return slices.Insert(h, 12, extra)
	}
	tests := []struct {
		sheet     string
		headers   []string
		wantRange string // the table that carries the autofilter
	}{
		{"Mismatches", mismatchHeaders, "A1:V4"},
		{"Duplicates", withExtra("Count"), "A1:W2"},
		{"Missing UTR", withExtra("UTR missing in"), "A1:W2"},
		{"Open items", []string{"Business date", "First seen", "Age (days)", "State", "Owner", "Note", "Severity",
			"Category", "Entity", "Reference", "Ledger amount", "Gateway amount", "Difference (gateway − ledger)",
			"Detail", "What to do", "Evidence"}, "A1:P3"},
		{"Rejects", []string{"File", "Line", "Column", "Value", "Reason"}, "A1:E4"},
	}
	for _, tt := range tests {
		t.Run(tt.sheet, func(t *testing.T) {
			rows, err := f.GetRows(tt.sheet)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(rows[0], tt.headers) {
				t.Errorf("headers = %q, want %q", rows[0], tt.headers)
			}
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
			if err != nil || st.Font == nil || !st.Font.Bold || st.Alignment == nil || !st.Alignment.WrapText {
				t.Errorf("header A1 style = %+v (%v), want bold and wrapped", st, err)
			}
			checkPrint(t, f, tt.sheet)
		})
	}
}

// checkPrint fails unless sheet prints landscape on A4, one page wide,
// the header row on every page.
func checkPrint(t *testing.T, f *excelize.File, sheet string) {
	t.Helper()
	props, _ := f.GetSheetProps(sheet)
	layout, _ := f.GetPageLayout(sheet)
	if props.FitToPage == nil || !*props.FitToPage || layout.Orientation == nil || *layout.Orientation != "landscape" ||
		layout.FitToWidth == nil || *layout.FitToWidth != 1 || layout.FitToHeight == nil || *layout.FitToHeight != 0 ||
		layout.Size == nil || *layout.Size != 9 {
		t.Errorf("%s page setup: fit %v, layout %+v, want landscape A4, one page wide, as many tall as needed", sheet,
			props.FitToPage, layout)
	}
	titles := ""
	for _, dn := range f.GetDefinedName() {
		if dn.Name == "_xlnm.Print_Titles" && dn.Scope == sheet {
			titles = dn.RefersTo
		}
	}
	if want := "'" + sheet + "'!$1:$1"; titles != want {
		t.Errorf("%s print titles = %q, want %q (the header row on every page)", sheet, titles, want)
	}
}

// TestWorkbookRowOrder: the report sheets list the most severe first, then
// the most money at risk; the CSV keeps SPEC §5's order.
func TestWorkbookRowOrder(t *testing.T) {
	r := testReport()
	r.Exceptions = append(r.Exceptions,
		recon.Exception{Category: recon.MissingInLedger, Entity: recon.EntityPayin, Reference: "A-SMALL",
			Severity: recon.SeverityHigh, GatewayAmount: amt(100)},
		recon.Exception{Category: recon.AmountMismatch, Entity: recon.EntityPayin, Reference: "B-BIG",
			Severity: recon.SeverityHigh, LedgerAmount: amt(100), GatewayAmount: amt(900100), Difference: amt(900000)})
	dir := mustWrite(t, r, Options{})
	f := mustOpen(t, workbookPath(dir))
	rows, _ := f.GetRows("Mismatches")
	var got []string
	for _, row := range rows[1:] {
		got = append(got, row[3])
	}
	if want := []string{"-12.50", "PO-1", "B-BIG", "A-SMALL", "PO-9"}; !slices.Equal(got, want) {
		t.Errorf("Mismatches rows = %q, want %q (severity, then money at risk)", got, want)
	}
	var csvRefs []string
	for _, row := range readCSV(t, filepath.Join(dir, "mismatches.csv"))[1:] {
		csvRefs = append(csvRefs, row[2])
	}
	if want := []string{"-12.50", "B-BIG", "PO-1", "A-SMALL", "PO-9"}; !slices.Equal(csvRefs, want) {
		t.Errorf("mismatches.csv rows = %q, want %q (category, entity, reference)", csvRefs, want)
	}
}

func TestWorkbookColumnWidths(t *testing.T) {
	r := testReport()
	long := strings.Repeat("word ", 40)
	r.Exceptions[0].Detail = long
	f := mustOpen(t, workbookPath(mustWrite(t, r, Options{})))
	tests := []struct {
		col      string
		min, max float64
	}{
		{"B", float64(len("AMOUNT_MISMATCH")), maxWidth}, // category
		{"C", minWidth, 12},                                                        // entity: short
		{"K", float64(len("643402087507")), maxWidth},                              // ledger UTR
		{"L", float64(len("0012345678901234567")), maxWidth},                       // gateway UTR
		{"G", float64(utf8.RuneCountInString("-₹9,99,99,99,99,999.98")), maxWidth}, // difference as displayed
		{"Q", wrapWidth, wrapWidth},                                                // detail: wrapped at the cap
		{"U", float64(len("asked the")), float64(wrapWidths["note"])},              // note
		{"V", float64(len("p.csv:2")), float64(wrapWidths["evidence"])},            // evidence
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
	// The long detail wraps: its row is as tall as its lines.
	ref := findRowByCol(t, f, "Mismatches", 3, r.Exceptions[0].Reference)
	h, _ := f.GetRowHeight("Mismatches", ref)
	if want := float64(wrappedLines(long, wrapWidth) * lineHeight); h != want || h < 3*lineHeight {
		t.Errorf("row %d height = %v, want %v (the detail's lines)", ref, h, want)
	}
	// Business date, first seen and webhook status are folded away.
	for _, col := range []string{"J", "M", "N"} {
		if v, _ := f.GetColVisible("Mismatches", col); v {
			t.Errorf("column %s visible, want it folded", col)
		}
	}
}

// findRowByCol returns the 1-based row of sheet whose cell in column col
// (0-based) is value.
func findRowByCol(tb testing.TB, f *excelize.File, sheet string, col int, value string) int {
	tb.Helper()
	rows, _ := f.GetRows(sheet)
	for i, r := range rows {
		if col < len(r) && r[col] == value {
			return i + 1
		}
	}
	tb.Fatalf("%s: no row with %q in column %d", sheet, value, col+1)
	return 0
}

// TestWrappedLines: the row height's estimate of a wrapped cell's lines.
func TestWrappedLines(t *testing.T) {
	tests := []struct {
		name  string
		s     string
		width int
		want  int
	}{
		{"fits", "one two", 10, 1},
		{"breaks at the space", "one two three", 10, 2},
		{"exactly full", "abcdefghi", 10, 1},
		{"one letter over", "abcdefghij", 10, 2},
		{"long word breaks anywhere", strings.Repeat("x", 25), 10, 3},
		{"empty", "", 10, 1},
	}
	for _, tt := range tests {
		if got := wrappedLines(tt.s, tt.width); got != tt.want {
			t.Errorf("%s: wrappedLines(%q, %d) = %d, want %d", tt.name, tt.s, tt.width, got, tt.want)
		}
	}
}

// TestHeaderComments: provisional, state, owner and note explain
// themselves in their header's comment.
func TestHeaderComments(t *testing.T) {
	f := mustOpen(t, workbookPath(mustWrite(t, testReport(), Options{})))
	comments, err := f.GetComments("Mismatches")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range comments {
		got[c.Cell] = c.Text
		for _, p := range c.Paragraph {
			got[c.Cell] += p.Text
		}
	}
	for cell, want := range map[string]string{"P1": "not final", "S1": "recon notes import", "U1": "Required for RESOLVED"} {
		if !strings.Contains(got[cell], want) {
			t.Errorf("comment on %s = %q, want it to say %q", cell, got[cell], want)
		}
	}
}

// excelSerial is the serial number a spreadsheet stores for a date.
func excelSerial(date string) string {
	d, _ := time.Parse("2006-01-02", date)
	return strconv.Itoa(int(d.Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24))
}

func TestWorkbookCells(t *testing.T) {
	f := mustOpen(t, workbookPath(mustWrite(t, testReport(), Options{})))
	// Mismatches rows, most severe first: 2 CRITICAL AMOUNT_MISMATCH PAYIN
	// -12.50, 3 CRITICAL AMOUNT_MISMATCH PAYOUT PO-1, 4 INFO PO-9.
	const text, number = "text", "number"
	tests := []struct {
		sheet, cell string
		kind        string
		raw         string // the value stored in the cell
		shown       string // the value as formatted
		format      string // custom number format, if any
	}{
		{"Mismatches", "B2", text, "AMOUNT MISMATCH", "AMOUNT MISMATCH", ""}, // spaced, to wrap
		{"Mismatches", "D2", text, "-12.50", "-12.50", ""},
		{"Mismatches", "E2", number, "9999999999999.99", "₹9,999,999,999,999.99", fmtAmount},
		{"Mismatches", "F2", number, "0.01", "₹0.01", fmtAmount},
		{"Mismatches", "G2", number, "-9999999999999.98", "-₹9,999,999,999,999.98", fmtAmount},
		{"Mismatches", "V2", text, "o.csv:3", "o.csv:3", ""},
		{"Mismatches", "Q2", text, "'@SUM(A1:A2)", "'@SUM(A1:A2)", ""},
		{"Mismatches", "R2", text, recon.AmountMismatch.WhatToDo(), recon.AmountMismatch.WhatToDo(), ""},
		{"Mismatches", "S2", text, "OPEN", "OPEN", ""},
		{"Mismatches", "P3", text, "yes", "yes", ""},
		{"Mismatches", "M3", number, excelSerial("2026-11-24"), "2026-11-24", fmtDate},
		{"Mismatches", "N3", number, excelSerial("2026-11-24"), "2026-11-24", fmtDate},
		{"Mismatches", "O3", number, "0", "0", ""},
		{"Mismatches", "E3", number, "4000", "₹4,000.00", fmtAmount},
		{"Mismatches", "G3", number, "-0.5", "-₹0.50", fmtAmount},
		{"Mismatches", "K3", text, "643402087507", "643402087507", ""},
		{"Mismatches", "L3", text, "0012345678901234567", "0012345678901234567", ""},
		{"Mismatches", "Q3", text, `'=HYPERLINK("http://evil.example","click")`, `'=HYPERLINK("http://evil.example","click")`, ""},
		{"Mismatches", "M4", number, excelSerial("2026-11-20"), "2026-11-20", fmtDate},
		{"Mismatches", "O4", number, "4", "4", ""},
		{"Mismatches", "S4", text, "INVESTIGATING", "INVESTIGATING", ""},
		{"Mismatches", "T4", text, "asha", "asha", ""},
		{"Mismatches", "U4", text, "asked the bank", "asked the bank", ""},
		{"Duplicates", "M2", number, "2", "2", ""},
		{"Missing UTR", "M2", text, "both", "both", ""},
		{"Open items", "A2", number, excelSerial("2026-11-18"), "2026-11-18", fmtDate},
		{"Open items", "C2", number, "6", "6", ""},
		{"Open items", "D2", text, "OPEN", "OPEN", ""},
		{"Open items", "J2", text, "ORD-OLD", "ORD-OLD", ""},
		{"Open items", "L2", number, "500", "₹500.00", fmtAmount},
		{"Open items", "D3", text, "INVESTIGATING", "INVESTIGATING", ""},
		{"Open items", "J3", text, "PO-9", "PO-9", ""},
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
			if custom, _ := numFmt(t, f, tt.sheet, tt.cell); custom != tt.format {
				t.Errorf("number format = %q, want %q", custom, tt.format)
			}
			if tt.format == fmtAmount {
				return // excelize cannot render the locale's grouping: see TestSpreadsheetReadsWorkbook
			}
			shown, _ := f.GetCellValue(tt.sheet, tt.cell)
			if shown != tt.shown {
				t.Errorf("shown value = %q, want %q", shown, tt.shown)
			}
		})
	}
}

func TestWorkbookSeverityFill(t *testing.T) {
	f := mustOpen(t, workbookPath(mustWrite(t, testReport(), Options{})))
	tests := []struct{ cell, severity, fill string }{
		{"A2", "CRITICAL", "FFC7CE"},
		{"A4", "INFO", "EDEDED"},
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

// TestSummarySheet reads back the Summary: the verdict on top (open
// exceptions by severity, money at risk per entity, the day's figures),
// then the run and the detail; its charts.
func TestSummarySheet(t *testing.T) {
	r := testReport()
	// A written-off exception stays in its sheet but is not open.
	r.Exceptions = append(r.Exceptions, recon.Exception{Category: recon.MissingInLedger, Entity: recon.EntityPayin,
		Reference: "ORD-W", Severity: recon.SeverityHigh, GatewayAmount: amt(700), State: recon.StateWrittenOff,
		Note: "accepted"})
	r.Summary = append(r.Summary, Metric{Section: "ageing", Name: "new", Value: "3"},
		Metric{Section: "ageing", Name: "still_open", Value: "1"}, Metric{Section: "ageing", Name: "resolved", Value: "2"},
		Metric{Section: "overall", Name: "unverified", Value: "0"})
	dir := mustWrite(t, r, Options{})
	f := mustOpen(t, workbookPath(dir))
	const s = "Summary"
	row := func(label string) string { return strconv.Itoa(findRow(t, f, s, label)) }
	if got := findRow(t, f, s, "Open exceptions"); got != 3 {
		t.Errorf("the verdict starts on row %d, want 3: the first thing on the page", got)
	}
	if a, b := findRow(t, f, s, "Money at risk"), findRow(t, f, s, "Inputs"); a > b {
		t.Errorf("Money at risk on row %d, after the inputs on row %d; want the verdict first", a, b)
	}
	tests := []struct {
		cell         string
		raw          string
		customFormat string
		builtin      int
	}{
		{"B" + row("CRITICAL"), "2", "", 1},
		{"B" + row("HIGH"), "0", "", 1}, // the written-off one is not open
		{"B" + row("MEDIUM"), "2", "", 1},
		{"B" + row("INFO"), "1", "", 1},
		{"B" + row("Total"), "5", "", 1},
		{"B" + row("PAYIN"), "2", "", 1},
		{"C" + row("PAYOUT"), "2101.5", fmtAmount, 0}, // PO-1's 0.50, PO-3's 2,100, PO-9's 1.00
		{"B" + row("New since the last run"), "3", "", 0},
		{"B" + row("Still open"), "1", "", 0},
		{"B" + row("Resolved since the last run"), "2", "", 0},
		{"B" + row("Rejected input rows"), "3", "", 0},
		{"B" + row("Unverified (gateway did not answer)"), "0", "", 0},
		{"B" + row("Business date"), excelSerial("2026-11-24"), fmtDate, 0},
		{"B" + row("Run id"), "run-test", "", 0},
		{"B" + row("in/orders.csv"), "4", "", 0},
		{"D" + row("in/orders.csv"), "1", "", 0},
		{"C" + row("ledger"), "9999999999999.99", fmtAmount, 0},
		{"D" + row("gateway"), "0.8391", "", fmtPercent},
		{"B" + row("Exceptions new"), "3", "", 0},
		{"B" + row("Note"), "'=1+1", "", 0},
	}
	for _, tt := range tests {
		raw, _ := f.GetCellValue(s, tt.cell, excelize.Options{RawCellValue: true})
		custom, builtin := numFmt(t, f, s, tt.cell)
		if raw != tt.raw || custom != tt.customFormat || builtin != tt.builtin {
			t.Errorf("%s = raw %q format %q/%d, want raw %q format %q/%d",
				tt.cell, raw, custom, builtin, tt.raw, tt.customFormat, tt.builtin)
		}
	}
	if v, _ := f.GetCellValue(s, "B"+strconv.Itoa(findRow(t, f, s, "Match rate"))); v != "97.11%" {
		t.Errorf("match rate = %q, want 97.11%%", v)
	}
	checkPrint(t, f, s)

	charts := chartsOf(t, workbookPath(dir))
	if len(charts) != 2 {
		t.Fatalf("%d charts, want 2 (categories, trend)", len(charts))
	}
	// The category chart: one series per severity in its colour, stacked,
	// an integer axis in steps of 1.
	header := findRow(t, f, s, "Open exceptions by category and severity") + 1
	h := strconv.Itoa(header)
	first, last := strconv.Itoa(header+1), strconv.Itoa(header+4) // four categories have open exceptions
	cat := charts[0]
	for _, want := range []string{
		"Open exceptions by category",
		"<cat><strRef><f>'Summary'!$A$" + first + ":$A$" + last + "</f>",
		"<tx><strRef><f>'Summary'!$B$" + h + ":$B$" + h + "</f>", // CRITICAL
		`<grouping val="stacked">`, `<majorUnit val="1">`, `<numFmt formatCode="0"`,
		`<a:srgbClr val="C00000">`, `<a:srgbClr val="ED7D31">`, `<a:srgbClr val="FFC000">`,
	} {
		if !strings.Contains(cat, want) {
			t.Errorf("the category chart does not contain %q", want)
		}
	}
	if v, _ := f.GetCellValue(s, "A"+last); v != "MISSING_UTR" {
		t.Errorf("the chart's last category = %q, want MISSING_UTR", v)
	}
	if n := strings.Count(cat, "<ser>"); n != len(severities) {
		t.Errorf("the category chart has %d series, want one per severity (%d)", n, len(severities))
	}
	trendFirst := findRow(t, f, s, "Last 14 business days") + 2
	for _, want := range []string{
		"'Summary'!$B$" + strconv.Itoa(trendFirst) + ":$B$" + strconv.Itoa(trendFirst+2),
		"'Summary'!$C$" + strconv.Itoa(trendFirst) + ":$C$" + strconv.Itoa(trendFirst+2),
		"<lineChart>", "<barChart>", `<axPos val="r">`,
	} {
		if !strings.Contains(charts[1], want) {
			t.Errorf("the trend chart does not contain %q", want)
		}
	}
}

// chartsOf returns the charts' XML of a workbook, in part order.
func chartsOf(t *testing.T, path string) []string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var out []string
	for _, zf := range zr.File {
		if strings.HasPrefix(zf.Name, "xl/charts/chart") {
			rc, _ := zf.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			out = append(out, strings.ReplaceAll(string(b), "&#39;", "'"))
		}
	}
	return out
}

func TestSheetSplit(t *testing.T) {
	f := mustOpen(t, workbookPath(mustWrite(t, testReport(), Options{MaxSheetRows: 2})))
	want := []string{"Summary", "Mismatches", "Mismatches (2)", "Duplicates", "Missing UTR", "Open items", "Rejects", "Rejects (2)"}
	if got := f.GetSheetList(); !reflect.DeepEqual(got, want) {
		t.Fatalf("sheets = %q, want %q", got, want)
	}
	tests := []struct {
		sheet string
		refs  []string // column C (reference) or A (file) below the header
		table string
	}{
		{"Mismatches", []string{"-12.50", "PO-1"}, "A1:V3"},
		{"Mismatches (2)", []string{"PO-9"}, "A1:V2"},
		{"Rejects", []string{"3", "4"}, "A1:E3"},
		{"Rejects (2)", []string{"Sheet1!5"}, "A1:E2"},
	}
	for _, tt := range tests {
		rows, err := f.GetRows(tt.sheet)
		if err != nil {
			t.Fatal(err)
		}
		col := 3 // reference
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
	if len(a) != 6 || !reflect.DeepEqual(a, b) {
		t.Errorf("two workbooks of the same report differ:\n%q\n%q", a, b)
	}
}

func TestEmptyReport(t *testing.T) {
	r := &Report{Date: "2026-11-24", RunID: "run-empty"}
	dir := mustWrite(t, r, Options{})
	f := mustOpen(t, workbookPath(dir))
	want := []string{"Summary", "Mismatches", "Duplicates", "Missing UTR", "Open items", "Rejects"}
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
	if v, _ := f.GetCellValue("Summary", "B"+strconv.Itoa(findRow(t, f, "Summary", "Run id"))); v != "run-empty" {
		t.Errorf("Summary's run id = %q, want run-empty", v)
	}
	if v, _ := f.GetCellValue("Summary", "B"+strconv.Itoa(findRow(t, f, "Summary", "Total"))); v != "0" {
		t.Errorf("Summary's open total = %q, want 0", v)
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

func TestEvidenceText(t *testing.T) {
	tests := []struct {
		name   string
		places []string
		want   string
	}{
		{"one place", []string{"in/2026-11-24/orders.csv:3"}, "in/2026-11-24/orders.csv:3"},
		{"one folder", []string{"in/2026-11-24/orders.csv:3", "in/2026-11-24/gateway.jsonl:7"}, "in/2026-11-24/ orders.csv:3 gateway.jsonl:7"},
		{"two folders", []string{"in/a/orders.csv:3", "in/b/gateway.jsonl:7"}, "in/a/orders.csv:3 in/b/gateway.jsonl:7"},
		{"no folder", []string{"orders.csv:3", "orders.csv:4"}, "orders.csv:3 orders.csv:4"},
		{"a webhook line", []string{"line:7"}, "line:7"},
	}
	for _, tt := range tests {
		if got := evidenceText(tt.places); got != tt.want {
			t.Errorf("%s: evidenceText(%q) = %q, want %q", tt.name, tt.places, got, tt.want)
		}
	}
}

// TestTallRowCapped: a duplicate of many rows lists every place in its
// evidence; the workbook keeps it all in the cell and caps the row at the
// tallest a spreadsheet allows (409 points) instead of failing the run.
func TestTallRowCapped(t *testing.T) {
	r := testReport()
	var places []string
	for i := 0; i < 60; i++ {
		places = append(places, fmt.Sprintf("in/webhooks.jsonl:%d", 10+i))
	}
	r.Exceptions = append(r.Exceptions, recon.Exception{Category: recon.DuplicateWebhook, Entity: recon.EntityPayin,
		Reference: "ORD-MANY", Severity: recon.SeverityLow, Count: len(places), Evidence: places})
	dir := mustWrite(t, r, Options{})
	f := mustOpen(t, workbookPath(dir))
	rows, err := f.GetRows("Duplicates")
	if err != nil {
		t.Fatal(err)
	}
	for i, row := range rows {
		if len(row) > 3 && row[3] == "ORD-MANY" {
			h, err := f.GetRowHeight("Duplicates", i+1)
			if err != nil || h > maxRowHeight || h < 300 {
				t.Errorf("row height %v (%v), want at most %v and tall", h, err, maxRowHeight)
			}
			if !strings.Contains(strings.Join(row, " "), "webhooks.jsonl:69") {
				t.Errorf("the row lost evidence: %q", row)
			}
			return
		}
	}
	t.Fatalf("no row of ORD-MANY in Duplicates: %q", rows)
}
