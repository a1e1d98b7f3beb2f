package export

import (
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/kwikpaisa/recon/internal/recon"
)

// excelMaxRows is Excel's row limit per sheet, header included.
const excelMaxRows = 1_048_576

// Sheet names, in workbook order.
const (
	sheetSummary    = "Summary"
	sheetMismatches = "Mismatches"
	sheetDuplicates = "Duplicates"
	sheetMissingUTR = "Missing UTR"
	sheetRejects    = "Rejects"
)

// cellKind says how a column's cells are written.
type cellKind int

const (
	kindText   cellKind = iota // text cell, defused
	kindAmount                 // numeric cell, two-decimal format
	kindInt                    // integer cell
)

// styles are the workbook's cell styles.
type styles struct {
	header, amount int
}

func newStyles(f *excelize.File) (*styles, error) {
	var s styles
	var err error
	if s.header, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}}); err != nil {
		return nil, err
	}
	if s.amount, err = f.NewStyle(&excelize.Style{NumFmt: 4}); err != nil { // #,##0.00
		return nil, err
	}
	return &s, nil
}

// table is one report as the workbook writes it.
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
	tables := []table{summaryTable(r)}
	for _, rep := range []struct {
		sheet string
		rep   recon.Report
	}{{sheetMismatches, recon.ReportMismatches}, {sheetDuplicates, recon.ReportDuplicates}, {sheetMissingUTR, recon.ReportMissingUTR}} {
		tables = append(tables, exceptionTable(rep.sheet, r.Exceptions, rep.rep))
	}
	tables = append(tables, rejectTable(r.Rejects))
	for i, t := range tables {
		if err := writeTable(f, st, t, maxRows, i == 0); err != nil {
			return fmt.Errorf("sheet %s: %w", t.sheet, err)
		}
	}
	f.SetActiveSheet(0)
	return f.Write(w)
}

func summaryTable(r *Report) table {
	return table{
		sheet: sheetSummary, columns: summaryColumns, kinds: []cellKind{kindText, kindText, kindText, kindText},
		rows: func(yield func([]string) error) error {
			for _, m := range r.Summary {
				if err := yield([]string{m.Section, m.Item, m.Name, m.Value}); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

func exceptionTable(sheet string, exs []recon.Exception, rep recon.Report) table {
	cols := columnsFor(rep)
	kinds := make([]cellKind, len(cols))
	for i, c := range cols {
		switch c {
		case "ledger_amount", "gateway_amount", "difference":
			kinds[i] = kindAmount
		case "age_days", "count":
			kinds[i] = kindInt
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
	return table{sheet: sheetRejects, columns: rejectColumns, kinds: make([]cellKind, len(rejectColumns)),
		rows: func(yield func([]string) error) error {
			for i := range rejects {
				if err := yield(rejectRow(&rejects[i])); err != nil {
					return err
				}
			}
			return nil
		}}
}

// sheetWriter streams one table into as many sheets as its rows need.
type sheetWriter struct {
	f       *excelize.File
	st      *styles
	t       table
	maxRows int
	part    int
	sw      *excelize.StreamWriter
	row     int // rows written to the current sheet, header included
	widths  []int
}

func writeTable(f *excelize.File, st *styles, t table, maxRows int, first bool) error {
	w := &sheetWriter{f: f, st: st, t: t, maxRows: maxRows}
	if err := w.open(first); err != nil {
		return err
	}
	if err := t.rows(func(cells []string) error {
		if w.row > w.maxRows {
			if err := w.close(); err != nil {
				return err
			}
			if err := w.open(false); err != nil {
				return err
			}
		}
		return w.write(cells)
	}); err != nil {
		return err
	}
	return w.close()
}

func (w *sheetWriter) name() string {
	if w.part <= 1 {
		return w.t.sheet
	}
	return fmt.Sprintf("%s (%d)", w.t.sheet, w.part)
}

func (w *sheetWriter) open(first bool) error {
	w.part++
	name := w.name()
	if first {
		if err := w.f.SetSheetName("Sheet1", name); err != nil {
			return err
		}
	} else if _, err := w.f.NewSheet(name); err != nil {
		return err
	}
	sw, err := w.f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	w.sw, w.row = sw, 0
	w.widths = make([]int, len(w.t.columns))
	// Widths must be set before the first row: take them from the headers
	// and a sensible minimum per kind; the rows cannot be seen in advance
	// when streaming.
	for i, c := range w.t.columns {
		width := max(utf8.RuneCountInString(c)+2, 10)
		switch c {
		case "detail", "reason":
			width = 70
		case "evidence", "file":
			width = 40
		case "reference", "ledger_utr", "gateway_utr", "value", "item":
			width = 24
		}
		if err := sw.SetColWidth(i+1, i+1, float64(width)); err != nil {
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
		switch {
		case s == "":
			vals[i] = nil
		case w.t.kinds[i] == kindAmount:
			// The decimal text is exact; a float64 holds any two-decimal
			// amount below 10^13 exactly enough that excelize writes the
			// same digits back into the cell.
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return fmt.Errorf("amount %q: %w", s, err)
			}
			vals[i] = excelize.Cell{StyleID: w.st.amount, Value: v}
		case w.t.kinds[i] == kindInt:
			n, err := strconv.Atoi(s)
			if err != nil {
				return err
			}
			vals[i] = n
		default:
			vals[i] = Defuse(s)
		}
	}
	w.row++
	cell, err := excelize.CoordinatesToCellName(1, w.row)
	if err != nil {
		return err
	}
	return w.sw.SetRow(cell, vals)
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
