package export

import (
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// The Summary sheet is small, so it is written cell by cell rather than
// streamed: that lets it carry a chart, which a stream writer cannot.

// sectionTitles name the summary's sections as a reader sees them.
var sectionTitles = map[string]string{
	"input":    "Inputs",
	"payin":    "Pay-ins",
	"payout":   "Payouts",
	"category": "Exceptions by category",
	"webhooks": "Webhooks",
	"pulls":    "Gateway status pulls",
	// Settlements (SPEC §7.4): the figures of the settlements settled on
	// the day, and those whose bank credit matched by amount and date.
	"settlements":       "Settlements",
	"matched_by_amount": "Bank credits matched by amount and date, not UTR",
	"overall":           "Overall",
}

// itemHeaders head the first column of a section laid out as a table.
var itemHeaders = map[string]string{
	"input":    "File",
	"payin":    "Source",
	"payout":   "Source",
	"category": "Category",
	// One row per settlement, even when there is one.
	"matched_by_amount": "Settlement",
}

// section is the metrics of one section, in the order they came.
type section struct {
	name    string
	items   []string
	names   []string
	metrics map[[2]string]*Metric // item, name
}

// sections groups the summary by section, keeping first-seen order of
// sections, items and metric names.
func sections(ms []Metric) []*section {
	var out []*section
	bySection := map[string]*section{}
	for i := range ms {
		m := &ms[i]
		s := bySection[m.Section]
		if s == nil {
			s = &section{name: m.Section, metrics: map[[2]string]*Metric{}}
			bySection[m.Section] = s
			out = append(out, s)
		}
		if !contains(s.items, m.Item) {
			s.items = append(s.items, m.Item)
		}
		if !contains(s.names, m.Name) {
			s.names = append(s.names, m.Name)
		}
		s.metrics[[2]string{m.Item, m.Name}] = m
	}
	return out
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// humanize turns a metric or section name into a label: rows_read → Rows
// read, match_rate_pct → Match rate.
func humanize(name string) string {
	name = strings.TrimSuffix(name, "_pct")
	name = strings.ReplaceAll(name, "_", " ")
	if name == "" {
		return name
	}
	r, n := utf8.DecodeRuneInString(name)
	return strings.ToUpper(string(r)) + name[n:]
}

// summarySheet writes the Summary sheet row by row.
type summarySheet struct {
	f      *excelize.File
	st     *styles
	row    int
	widths map[int]int
	// verdict's figures, and where the charts' data sits.
	verdict               *verdict
	catHeader, catFirst   int
	catLast               int
	trendFirst, trendLast int
}

func writeSummarySheet(f *excelize.File, st *styles, r *Report) error {
	if err := f.SetSheetName("Sheet1", sheetSummary); err != nil {
		return err
	}
	s := &summarySheet{f: f, st: st, row: 1, widths: map[int]int{}}
	if err := s.put(1, "Reconciliation report "+r.Date, st.title); err != nil {
		return err
	}
	if err := s.writeVerdict(r); err != nil {
		return err
	}
	s.row += 2
	if err := s.put(1, "Run", st.section); err != nil {
		return err
	}
	head := [][2]string{{"Business date", r.Date}, {"Run id", r.RunID}, {"Version", r.Version}}
	for _, h := range head {
		s.row++
		if err := s.put(1, h[0], st.label); err != nil {
			return err
		}
		var err error
		if d, perr := time.Parse("2006-01-02", h[1]); h[0] == "Business date" && perr == nil {
			err = s.putValue(2, d, st.date, 10)
		} else {
			err = s.put(2, h[1], 0)
		}
		if err != nil {
			return err
		}
	}
	// The run id may spill into the empty cells to its right; it does not
	// widen the figures' columns.
	delete(s.widths, 2)
	for _, sec := range sections(r.Summary) {
		s.row += 2
		if err := s.writeSection(sec); err != nil {
			return err
		}
	}
	if err := s.writeChartData(r); err != nil {
		return err
	}
	for _, col := range slices.Sorted(maps.Keys(s.widths)) {
		w := s.widths[col]
		name, err := excelize.ColumnNumberToName(col)
		if err != nil {
			return err
		}
		limit := maxWidth
		if col == 1 {
			limit = 60
		}
		if err := f.SetColWidth(sheetSummary, name, name, float64(min(max(fitWidth(w), 12), limit))); err != nil {
			return err
		}
	}
	if err := s.addCharts(chartColumn); err != nil {
		return err
	}
	return printSetup(f, sheetSummary, len(s.widths))
}

func (s *summarySheet) writeSection(sec *section) error {
	title := sectionTitles[sec.name]
	if title == "" {
		title = humanize(sec.name)
	}
	if err := s.put(1, title, s.st.section); err != nil {
		return err
	}
	if _, table := itemHeaders[sec.name]; !table && len(sec.items) == 1 {
		// One item: a list of label and value, the item (a log file, say)
		// named above it when there is one.
		item := sec.items[0]
		if item != "" {
			s.row++
			if err := s.put(1, item, 0); err != nil {
				return err
			}
		}
		for _, n := range sec.names {
			s.row++
			if err := s.put(1, humanize(n), s.st.label); err != nil {
				return err
			}
			if err := s.putMetric(2, sec.metrics[[2]string{item, n}]); err != nil {
				return err
			}
		}
		return nil
	}
	// Several items: a table, one row per item, one column per metric.
	s.row++
	header := itemHeaders[sec.name]
	if header == "" {
		header = "Item"
	}
	if err := s.put(1, header, s.st.header); err != nil {
		return err
	}
	for j, n := range sec.names {
		if err := s.put(j+2, humanize(n), s.st.header); err != nil {
			return err
		}
	}
	for _, item := range sec.items {
		s.row++
		if err := s.put(1, item, 0); err != nil {
			return err
		}
		for j, n := range sec.names {
			if err := s.putMetric(j+2, sec.metrics[[2]string{item, n}]); err != nil {
				return err
			}
		}
	}
	return nil
}

// chartColumn is where the charts sit: right of the verdict's three
// columns, beside it.
const chartColumn = 7

// putMetric writes a metric's value as a number of its kind: counts as
// integers, amounts with two decimals, percentages as percent cells.
func (s *summarySheet) putMetric(col int, m *Metric) error {
	if m == nil {
		return nil
	}
	switch m.kind() {
	case MetricCount:
		if f, ok := exactFloat(m.Value); ok && isInteger(m.Value) {
			return s.putValue(col, int64(f), 0, len(m.Value))
		}
	case MetricAmount:
		if f, ok := exactFloat(m.Value); ok {
			return s.putValue(col, f, s.st.amount, displayWidth(m.Value, kindAmount))
		}
	case MetricPercent:
		if f, ok := percentFraction(m.Value); ok {
			return s.putValue(col, f, s.st.percent, len(m.Value)+1)
		}
	}
	return s.put(col, m.Value, 0)
}

// put writes a text cell, defused.
func (s *summarySheet) put(col int, text string, style int) error {
	text = Defuse(text)
	return s.putValue(col, text, style, utf8.RuneCountInString(text))
}

func (s *summarySheet) putValue(col int, v any, style, width int) error {
	cell, err := excelize.CoordinatesToCellName(col, s.row)
	if err != nil {
		return err
	}
	if err := s.f.SetCellValue(sheetSummary, cell, v); err != nil {
		return err
	}
	if style != 0 {
		if err := s.f.SetCellStyle(sheetSummary, cell, cell, style); err != nil {
			return err
		}
	}
	if col != 1 || style != s.st.title && style != s.st.section {
		s.widths[col] = max(s.widths[col], width)
	}
	return nil
}
