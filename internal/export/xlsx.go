package export

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
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
	sheetOpenItems   = "Open items"
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
	kindWrap                     // text cell, wrapped
)

// Number formats. Amounts show the rupee sign and Indian grouping
// (₹76,08,241.77); the cell stays a number. The locale tag [$-4009]
// (English, India) is what makes LibreOffice group 2-2-3; Excel groups by
// the computer's region settings.
const (
	fmtAmount  = `[$-4009]"₹"#,##,##0.00`
	fmtPercent = 10 // 0.00%
	fmtDate    = "yyyy-mm-dd"
)

// styles are the workbook's cell styles.
type styles struct {
	header, amount, date, percent, title, section, label, wrap, count int
	text, integer                                                     int // top-aligned: a row's cells read from its top
	severity                                                          map[recon.Severity]int
}

// severityFill is the fill (and font colour) of each severity: red for
// money at stake, fading to grey for information.
// severities lists the severities, most urgent first.
var severities = []recon.Severity{recon.SeverityCritical, recon.SeverityHigh, recon.SeverityMedium,
	recon.SeverityLow, recon.SeverityInfo}

var severityFill = map[recon.Severity][2]string{
	recon.SeverityCritical: {"FFC7CE", "9C0006"},
	recon.SeverityHigh:     {"FCE4D6", "833C0B"},
	recon.SeverityMedium:   {"FFEB9C", "7F6000"},
	recon.SeverityLow:      {"E2EFDA", "375623"},
	recon.SeverityInfo:     {"EDEDED", "404040"},
}

// top aligns a cell's content with the top of its row: a row that wrapped
// text makes tall reads from its first line.
var top = &excelize.Alignment{Vertical: "top"}

func newStyles(f *excelize.File) (*styles, error) {
	amountFmt, dateFmt := fmtAmount, fmtDate
	s := styles{severity: map[recon.Severity]int{}}
	defs := []struct {
		id    *int
		style *excelize.Style
	}{
		{&s.header, &excelize.Style{Font: &excelize.Font{Bold: true},
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
			Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}}},
		{&s.wrap, &excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}}},
		{&s.count, &excelize.Style{NumFmt: 1}}, // 0
		{&s.amount, &excelize.Style{CustomNumFmt: &amountFmt, Alignment: top}},
		{&s.date, &excelize.Style{CustomNumFmt: &dateFmt, Alignment: top}},
		{&s.text, &excelize.Style{Alignment: top}},
		{&s.integer, &excelize.Style{NumFmt: 1, Alignment: top}},
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
	for _, sev := range severities { // in order: style ids are part of the bytes
		c := severityFill[sev]
		id, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: c[1]}, Alignment: top,
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
	columns []string // machine names: sheetHeaders gives the headers, kindOf the kinds
	folded  map[string]bool
	rows    func(yield func([]string) error) error
}

func (t table) kind(i int) cellKind { return kindOf(t.columns[i]) }

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
		tables = append(tables, exceptionSheet(rep.sheet, r.Exceptions, rep.rep))
	}
	if r.Settlements {
		tables = append(tables, exceptionSheet(sheetSettlements, r.Exceptions, recon.ReportSettlements))
	}
	tables = append(tables, openItemsSheet(r.OpenItems), rejectTable(r.Rejects))
	for _, t := range tables {
		if err := writeTable(f, st, t, maxRows); err != nil {
			return fmt.Errorf("sheet %s: %w", t.sheet, err)
		}
	}
	// The Summary sheet (the new file's first) is active already:
	// SetActiveSheet would read every streamed sheet back into memory.
	// File.Write assembles the whole zip in a bytes.Buffer before copying
	// it out: a million-row workbook would sit in memory twice. A zip
	// writer of our own sends the archive to a temporary file instead,
	// leaving excelize's buffer empty (refuseWrites proves that it stays
	// so); spoolZip then copies it to w in canonical order.
	return spoolZip(w, func(tmp io.Writer) error {
		f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(tmp) })
		return f.Write(refuseWrites{})
	})
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

func rejectTable(rejects []recon.Reject) table {
	return table{sheet: sheetRejects, columns: rejectColumns,
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
	minWidth  = 8
	maxWidth  = 48
	wrapWidth = 32 // detail, what to do, reason: wrapped
)

// wrapWidths narrow some wrapped columns further: a sheet one page wide
// prints larger the narrower it is.
var wrapWidths = map[string]int{"category": 16, "what_to_do": 28, "note": 16, "evidence": 24, "reason": 40}

// columnWidths sizes each column to its widest cell as displayed, header
// included, within sensible bounds.
func columnWidths(t table) ([]float64, error) {
	widest := make([]int, len(t.columns))
	for i, c := range t.columns {
		// Headers wrap: their longest word, bold, and room for the filter
		// button.
		for _, w := range strings.Fields(sheetHeaders[c]) {
			n := utf8.RuneCountInString(w)
			widest[i] = max(widest[i], n+n/5+2)
		}
	}
	err := t.rows(func(cells []string) error {
		for i, s := range cells {
			if n := cellWidth(displayWidth(s, t.kind(i)), t.kind(i)); n > widest[i] {
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
		if t.kind(i) == kindWrap {
			limit = wrapWidth
			if w, ok := wrapWidths[t.columns[i]]; ok {
				limit = w
			}
		}
		out[i] = float64(min(max(n, minWidth), limit))
	}
	return out, nil
}

// cellWidth is the column width that shows a cell of n characters: a
// width counts digits of the default font; letters run wider.
func cellWidth(n int, k cellKind) int {
	switch k {
	case kindAmount, kindInt, kindDate, kindLine:
		return n + 1
	}
	return n + n/8 + 1
}

// fitWidth is the column width that shows n characters: a width counts
// digits of the default font, and letters, bold headers and other fonts
// run wider, so it adds a quarter and a margin.
func fitWidth(n int) int { return n + n/4 + 2 }

// displayWidth is how many characters a cell shows.
func displayWidth(s string, k cellKind) int {
	n := utf8.RuneCountInString(s)
	switch k {
	case kindAmount: // ₹ and the Indian separators: 12,34,567
		n++
		if ip, _, _ := cutDot(s); len(ip) > 3 {
			n += 1 + (len(ip)-4)/2
		}
	case kindDate:
		n = 10
	case kindText, kindWrap:
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
	// Print set-up and header comments go in before the stream writer,
	// which carries them into the sheet it writes.
	if err := printSetup(w.f, name, len(w.t.columns)); err != nil {
		return err
	}
	for i, c := range w.t.columns {
		text, ok := headerComments[c]
		if !ok {
			continue
		}
		cell, err := excelize.CoordinatesToCellName(i+1, 1)
		if err != nil {
			return err
		}
		if err := w.f.AddComment(name, excelize.Comment{Cell: cell, Author: "recon", Text: text}); err != nil {
			return err
		}
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
		if w.t.folded[w.t.columns[i]] {
			// Folded away (one click on the outline's + shows it): the
			// sheet prints on fewer, larger pages.
			if err := sw.SetColOutlineLevel(i+1, 1); err != nil {
				return err
			}
			if err := sw.SetColVisible(i+1, i+1, false); err != nil {
				return err
			}
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	header := make([]any, len(w.t.columns))
	for i, c := range w.t.columns {
		header[i] = excelize.Cell{StyleID: w.st.header, Value: sheetHeaders[c]}
	}
	w.row = 1
	headers := make([]string, len(w.t.columns))
	for i, c := range w.t.columns {
		headers[i] = sheetHeaders[c]
	}
	return sw.SetRow("A1", header, excelize.RowOpts{Height: w.height(headers, true)})
}

func (w *sheetWriter) write(cells []string) error {
	vals := make([]any, len(cells))
	for i, s := range cells {
		v, err := w.cell(s, w.t.kind(i))
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
	if h := w.height(cells, false); h > 0 {
		return w.sw.SetRow(cell, vals, excelize.RowOpts{Height: h})
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
		return excelize.Cell{StyleID: w.st.integer, Value: n}, nil
	case kindLine:
		if n, err := strconv.ParseInt(s, 10, 64); err == nil && isInteger(s) {
			return excelize.Cell{StyleID: w.st.integer, Value: n}, nil
		}
	case kindDate:
		if d, err := time.Parse("2006-01-02", s); err == nil {
			return excelize.Cell{StyleID: w.st.date, Value: d}, nil
		}
	case kindSeverity:
		if id, ok := w.st.severity[recon.Severity(s)]; ok {
			return excelize.Cell{StyleID: id, Value: s}, nil
		}
	case kindWrap:
		return excelize.Cell{StyleID: w.st.wrap, Value: Defuse(s)}, nil
	}
	return excelize.Cell{StyleID: w.st.text, Value: Defuse(s)}, nil
}

// lineHeight is a line of wrapped text, in points.
const lineHeight = 15

// maxRowHeight is the tallest row Excel and excelize allow, in points; a
// cell of more lines keeps them all and scrolls.
const maxRowHeight = 409

// height is the height of a row whose wrapped cells (every cell of a
// header) need more than one line, or 0: spreadsheets do not grow a
// written row to its wrapped text on their own.
func (w *sheetWriter) height(cells []string, header bool) float64 {
	lines := 1
	for i, s := range cells {
		if !header && w.t.kind(i) != kindWrap || s == "" {
			continue
		}
		lines = max(lines, wrappedLines(s, int(w.widths[i])))
	}
	if lines == 1 {
		return 0
	}
	return min(float64(lines*lineHeight), maxRowHeight)
}

// wrappedLines is how many lines s takes in a column width characters
// wide, breaking at spaces.
func wrappedLines(s string, width int) int {
	width = max(width-1, 1)
	lines, used := 1, 0
	for _, word := range strings.Fields(s) {
		n := utf8.RuneCountInString(word)
		switch {
		case used == 0:
			used = n
		case used+1+n <= width:
			used += 1 + n
		default:
			lines++
			used = n
		}
		for used > width { // a word longer than the column breaks anywhere
			lines++
			used -= width
		}
	}
	return lines
}

// printSetup makes a sheet print as pages a person can read: landscape
// A4, one page wide, as many tall as it takes, the header row on each.
func printSetup(f *excelize.File, sheet string, columns int) error {
	fit, one, tall, landscape, a4 := true, 1, 0, "landscape", 9
	if err := f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	// Narrow margins (inches): a page one sheet wide prints larger.
	side, edge := 0.3, 0.5
	if err := f.SetPageMargins(sheet, &excelize.PageLayoutMarginsOptions{Left: &side, Right: &side, Top: &edge,
		Bottom: &edge}); err != nil {
		return err
	}
	if err := f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Orientation: &landscape, Size: &a4,
		FitToWidth: &one, FitToHeight: &tall}); err != nil {
		return err
	}
	return f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", Scope: sheet,
		RefersTo: "'" + sheet + "'!$1:$1"})
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
