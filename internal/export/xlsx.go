package export

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/kwikpaisa/recon/internal/recon"
)

// excelMaxRows is Excel's row limit per sheet, header included.
const excelMaxRows = 1_048_576

// Sheet names, in workbook order.
const (
	sheetSummary     = "Summary"
	sheetMismatches  = "Mismatches"
	sheetDuplicates  = "Duplicates"
	sheetMissingUTR  = "Missing UTR"
	sheetSettlements = "Settlements"
	sheetRejects     = "Rejects"
)

// cellKind says how a column's cells are written.
type cellKind int

const (
	kindText     cellKind = iota // text cell, defused
	kindAmount                   // numeric cell, two-decimal format
	kindInt                      // integer cell
	kindDate                     // date cell, YYYY-MM-DD
	kindSeverity                 // text cell filled by severity
	kindLine                     // integer cell when a line number, else text (Sheet!row)
)

// Number formats.
const (
	fmtAmount  = "#,##0.00"
	fmtPercent = 10 // 0.00%
	fmtDate    = "yyyy-mm-dd"
)

// styles are the workbook's cell styles.
type styles struct {
	header, amount, date, percent, title, section, label int
	severity                                             map[recon.Severity]int
}

// severityFill is the fill (and font colour) of each severity: red for
// money at stake, fading to grey for information.
var severityFill = map[recon.Severity][2]string{
	recon.SeverityCritical: {"FFC7CE", "9C0006"},
	recon.SeverityHigh:     {"FCE4D6", "833C0B"},
	recon.SeverityMedium:   {"FFEB9C", "7F6000"},
	recon.SeverityLow:      {"E2EFDA", "375623"},
	recon.SeverityInfo:     {"EDEDED", "404040"},
}

func newStyles(f *excelize.File) (*styles, error) {
	amountFmt, dateFmt := fmtAmount, fmtDate
	s := styles{severity: map[recon.Severity]int{}}
	defs := []struct {
		id    *int
		style *excelize.Style
	}{
		{&s.header, &excelize.Style{Font: &excelize.Font{Bold: true},
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}}},
		{&s.amount, &excelize.Style{CustomNumFmt: &amountFmt}},
		{&s.date, &excelize.Style{CustomNumFmt: &dateFmt}},
		{&s.percent, &excelize.Style{NumFmt: fmtPercent}},
		{&s.title, &excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}}},
		{&s.section, &excelize.Style{Font: &excelize.Font{Bold: true, Size: 12},
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}}},
		{&s.label, &excelize.Style{Font: &excelize.Font{Bold: true}}},
	}
	for _, d := range defs {
		id, err := f.NewStyle(d.style)
		if err != nil {
			return nil, err
		}
		*d.id = id
	}
	for sev, c := range severityFill {
		id, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: c[1]},
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{c[0]}}})
		if err != nil {
			return nil, err
		}
		s.severity[sev] = id
	}
	return &s, nil
}

// table is one report as the workbook writes it. rows may be called more
// than once: once to size the columns, once to write.
type table struct {
	sheet   string
	columns []string
	kinds   []cellKind
	rows    func(yield func([]string) error) error
}

func writeWorkbook(w io.Writer, r *Report, opts Options) error {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	maxRows := opts.MaxSheetRows
	if maxRows <= 0 || maxRows > excelMaxRows-1 {
		maxRows = excelMaxRows - 1
	}
	if err := writeSummarySheet(f, st, r); err != nil {
		return fmt.Errorf("sheet %s: %w", sheetSummary, err)
	}
	var tables []table
	for _, rep := range []struct {
		sheet string
		rep   recon.Report
	}{{sheetMismatches, recon.ReportMismatches}, {sheetDuplicates, recon.ReportDuplicates}, {sheetMissingUTR, recon.ReportMissingUTR}} {
		tables = append(tables, exceptionTable(rep.sheet, r.Exceptions, rep.rep))
	}
	if r.Settlements {
		tables = append(tables, exceptionTable(sheetSettlements, r.Exceptions, recon.ReportSettlements))
	}
	tables = append(tables, rejectTable(r.Rejects))
	for _, t := range tables {
		if err := writeTable(f, st, t, maxRows); err != nil {
			return fmt.Errorf("sheet %s: %w", t.sheet, err)
		}
	}
	// The Summary sheet (the new file's first) is active already:
	// SetActiveSheet would read every streamed sheet back into memory.
	// File.Write assembles the whole zip in a bytes.Buffer before copying
	// it out: a million-row workbook would sit in memory twice. A zip
	// writer of our own sends the archive straight to w instead, leaving
	// excelize's buffer empty; refuseWrites proves that it stays so.
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(w) })
	return f.Write(refuseWrites{})
}

// refuseWrites fails any write: excelize must have written the workbook
// through the zip writer, not its buffer.
type refuseWrites struct{}

func (refuseWrites) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return 0, errors.New("excelize wrote the workbook through its buffer, not the zip writer")
}

func exceptionTable(sheet string, exs []recon.Exception, rep recon.Report) table {
	cols := columnsFor(rep)
	kinds := make([]cellKind, len(cols))
	for i, c := range cols {
		switch c {
		case "ledger_amount", "gateway_amount", "difference", "reported_amount", "expected_amount":
			kinds[i] = kindAmount
		case "age_days", "count":
			kinds[i] = kindInt
		case "first_seen":
			kinds[i] = kindDate
		case "severity":
			kinds[i] = kindSeverity
		}
	}
	return table{sheet: sheet, columns: cols, kinds: kinds, rows: func(yield func([]string) error) error {
		for i := range exs {
			if exs[i].Category.Report() != rep {
				continue
			}
			if err := yield(exceptionRow(&exs[i], rep)); err != nil {
				return err
			}
		}
		return nil
	}}
}

func rejectTable(rejects []recon.Reject) table {
	kinds := make([]cellKind, len(rejectColumns))
	kinds[slices.Index(rejectColumns, "line")] = kindLine
	return table{sheet: sheetRejects, columns: rejectColumns, kinds: kinds,
		rows: func(yield func([]string) error) error {
			for i := range rejects {
				if err := yield(rejectRow(&rejects[i])); err != nil {
					return err
				}
			}
			return nil
		}}
}

// Column widths, in characters.
const (
	minWidth     = 8
	maxWidth     = 48
	maxTextWidth = 90 // detail, evidence, reason: long sentences
)

// columnWidths sizes each column to its widest cell as displayed, header
// included, within sensible bounds.
func columnWidths(t table) ([]float64, error) {
	widest := make([]int, len(t.columns))
	for i, c := range t.columns {
		widest[i] = utf8.RuneCountInString(c) + 2 // room for the filter button
	}
	err := t.rows(func(cells []string) error {
		for i, s := range cells {
			if n := displayWidth(s, t.kinds[i]); n > widest[i] {
				widest[i] = n
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(widest))
	for i, n := range widest {
		limit := maxWidth
		switch t.columns[i] {
		case "detail", "evidence", "reason":
			limit = maxTextWidth
		}
		out[i] = float64(min(max(fitWidth(n), minWidth), limit))
	}
	return out, nil
}

// fitWidth is the column width that shows n characters: a width counts
// digits of the default font, and letters, bold headers and other fonts
// run wider, so it adds a quarter and a margin.
func fitWidth(n int) int { return n + n/4 + 2 }

// displayWidth is how many characters a cell shows.
func displayWidth(s string, k cellKind) int {
	n := utf8.RuneCountInString(s)
	switch k {
	case kindAmount: // thousands separators
		if ip, _, _ := cutDot(s); len(ip) > 3 {
			n += (len(ip) - 1) / 3
		}
	case kindDate:
		n = 10
	case kindText:
		n = utf8.RuneCountInString(Defuse(s))
	}
	return n
}

func cutDot(s string) (string, string, bool) {
	if len(s) > 0 && s[0] == '-' {
		s = s[1:]
	}
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// sheetWriter streams one table into as many sheets as its rows need.
type sheetWriter struct {
	f       *excelize.File
	st      *styles
	t       table
	widths  []float64
	maxRows int
	part    int
	sw      *excelize.StreamWriter
	row     int // rows written to the current sheet, header included
}

func writeTable(f *excelize.File, st *styles, t table, maxRows int) error {
	widths, err := columnWidths(t)
	if err != nil {
		return err
	}
	w := &sheetWriter{f: f, st: st, t: t, widths: widths, maxRows: maxRows}
	if err := w.open(); err != nil {
		return err
	}
	if err := t.rows(func(cells []string) error {
		if w.row > w.maxRows {
			if err := w.close(); err != nil {
				return err
			}
			if err := w.open(); err != nil {
				return err
			}
		}
		return w.write(cells)
	}); err != nil {
		return err
	}
	return w.close()
}

// sheetName is the name of part n (1-based) of a report: Mismatches,
// Mismatches (2), …
func sheetName(base string, part int) string {
	if part <= 1 {
		return base
	}
	return fmt.Sprintf("%s (%d)", base, part)
}

func (w *sheetWriter) open() error {
	w.part++
	name := sheetName(w.t.sheet, w.part)
	if _, err := w.f.NewSheet(name); err != nil {
		return err
	}
	sw, err := w.f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	w.sw = sw
	for i, width := range w.widths {
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	header := make([]any, len(w.t.columns))
	for i, c := range w.t.columns {
		header[i] = excelize.Cell{StyleID: w.st.header, Value: c}
	}
	w.row = 1
	return sw.SetRow("A1", header)
}

func (w *sheetWriter) write(cells []string) error {
	vals := make([]any, len(cells))
	for i, s := range cells {
		v, err := w.cell(s, w.t.kinds[i])
		if err != nil {
			return fmt.Errorf("column %s: %w", w.t.columns[i], err)
		}
		vals[i] = v
	}
	w.row++
	cell, err := excelize.CoordinatesToCellName(1, w.row)
	if err != nil {
		return err
	}
	return w.sw.SetRow(cell, vals)
}

// cell turns one report value into the cell the stream writer writes.
func (w *sheetWriter) cell(s string, k cellKind) (any, error) {
	if s == "" {
		return nil, nil
	}
	switch k {
	case kindAmount:
		// Written as the float whose shortest form is exactly s (see
		// exactFloat); an amount that has none stays text, never altered.
		if v, ok := exactFloat(s); ok {
			return excelize.Cell{StyleID: w.st.amount, Value: v}, nil
		}
	case kindInt:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("not an integer: %q", s)
		}
		return n, nil
	case kindLine:
		if n, err := strconv.ParseInt(s, 10, 64); err == nil && isInteger(s) {
			return n, nil
		}
	case kindDate:
		if d, err := time.Parse("2006-01-02", s); err == nil {
			return excelize.Cell{StyleID: w.st.date, Value: d}, nil
		}
	case kindSeverity:
		if id, ok := w.st.severity[recon.Severity(s)]; ok {
			return excelize.Cell{StyleID: id, Value: s}, nil
		}
	}
	return Defuse(s), nil
}

func (w *sheetWriter) close() error {
	last, err := excelize.CoordinatesToCellName(len(w.t.columns), max(w.row, 2))
	if err != nil {
		return err
	}
	// A table gives the sheet its autofilter; the stream writer has no
	// other way to add one.
	stripes := false
	if err := w.sw.AddTable(&excelize.Table{Range: "A1:" + last, ShowRowStripes: &stripes}); err != nil {
		return err
	}
	return w.sw.Flush()
}
