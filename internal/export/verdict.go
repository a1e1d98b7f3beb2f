package export

import (
	"slices"
	"strconv"

	"github.com/xuri/excelize/v2"

	"github.com/kwikpaisa/recon/internal/recon"
)

// The top of the Summary is the day's verdict, what a reader must see in
// ten seconds: the open exceptions by severity, the money they put at risk
// per entity, the match rate, what changed since the last run, the rows
// recon could not verify or read. Charts beside it: open exceptions by
// category in severity colours, and the last TrendDays dates. The detail
// (inputs, per-category figures…) follows below.

// seriesColour is each severity's colour in the charts.
var seriesColour = map[recon.Severity]string{
	recon.SeverityCritical: "C00000",
	recon.SeverityHigh:     "ED7D31",
	recon.SeverityMedium:   "FFC000",
	recon.SeverityLow:      "70AD47",
	recon.SeverityInfo:     "A5A5A5",
}

// entityOrder lists the entities as the verdict shows them.
var entityOrder = []recon.Entity{recon.EntityPayin, recon.EntityPayout, recon.EntityWebhook}

// verdict is the figures of the Summary's top.
type verdict struct {
	open       []recon.Exception
	bySeverity map[recon.Severity]int
	// per entity: open keys and the money at risk (a key in several
	// categories counts its largest once).
	keys   map[recon.Entity]int
	atRisk map[recon.Entity]recon.Amount
	// categories with open exceptions, in recon.Categories order, and
	// their counts by severity.
	categories []recon.Category
	byCategory map[recon.Category]map[recon.Severity]int
}

func newVerdict(r *Report) *verdict {
	v := &verdict{open: recon.OpenOnly(r.Exceptions), bySeverity: map[recon.Severity]int{},
		keys: map[recon.Entity]int{}, atRisk: map[recon.Entity]recon.Amount{},
		byCategory: map[recon.Category]map[recon.Severity]int{}}
	risk := map[[2]string]recon.Amount{}
	for i := range v.open {
		e := &v.open[i]
		v.bySeverity[e.Severity]++
		k := [2]string{string(e.Entity), e.Reference}
		if _, seen := risk[k]; !seen {
			v.keys[e.Entity]++
		}
		risk[k] = max(risk[k], e.AtRisk())
		if v.byCategory[e.Category] == nil {
			v.byCategory[e.Category] = map[recon.Severity]int{}
		}
		v.byCategory[e.Category][e.Severity]++
	}
	for k, a := range risk {
		v.atRisk[recon.Entity(k[0])] += a
	}
	for _, c := range recon.Categories {
		if v.byCategory[c] != nil {
			v.categories = append(v.categories, c)
		}
	}
	var extra []recon.Category // categories missing from the list, sorted
	for c := range v.byCategory {
		if !slices.Contains(recon.Categories, c) {
			extra = append(extra, c)
		}
	}
	slices.Sort(extra)
	v.categories = append(v.categories, extra...)
	return v
}

// metric returns a summary figure's value, or "".
func metric(r *Report, section, item, name string) string {
	for _, m := range r.Summary {
		if m.Section == section && m.Item == item && m.Name == name {
			return m.Value
		}
	}
	return ""
}

// writeVerdict writes the verdict from the sheet's current row on.
func (s *summarySheet) writeVerdict(r *Report) error {
	v := newVerdict(r)
	st := s.st
	total := recon.Amount(0)
	for _, a := range v.atRisk {
		total += a
	}

	s.row += 2
	if err := s.put(1, "Open exceptions", st.section); err != nil {
		return err
	}
	s.row++
	if err := s.putRow(st.header, "Severity", "Open"); err != nil {
		return err
	}
	for _, sev := range severities {
		s.row++
		if err := s.putValue(1, string(sev), st.severity[sev], len(sev)); err != nil {
			return err
		}
		if err := s.putValue(2, v.bySeverity[sev], st.count, 4); err != nil {
			return err
		}
	}
	s.row++
	if err := s.put(1, "Total", st.label); err != nil {
		return err
	}
	if err := s.putValue(2, len(v.open), st.count, 4); err != nil {
		return err
	}

	s.row += 2
	if err := s.put(1, "Money at risk", st.section); err != nil {
		return err
	}
	s.row++
	if err := s.putRow(st.header, "Entity", "Open", "At risk"); err != nil {
		return err
	}
	for _, en := range entityOrder {
		if en == recon.EntityWebhook && v.keys[en] == 0 {
			continue // webhooks move no money of their own
		}
		s.row++
		if err := s.put(1, string(en), 0); err != nil {
			return err
		}
		if err := s.putValue(2, v.keys[en], st.count, 4); err != nil {
			return err
		}
		if err := s.putAmount(3, v.atRisk[en]); err != nil {
			return err
		}
	}
	s.row++
	if err := s.put(1, "Total", st.label); err != nil {
		return err
	}
	if err := s.putAmount(3, total); err != nil {
		return err
	}

	s.row += 2
	if err := s.put(1, "The day", st.section); err != nil {
		return err
	}
	day := []struct {
		label string
		m     *Metric
	}{
		{"Match rate", &Metric{Name: "match_rate_pct", Value: metric(r, "overall", "", "match_rate_pct")}},
		{"New since the last run", &Metric{Name: "new", Value: metric(r, "ageing", "", "new"), Kind: MetricCount}},
		{"Still open", &Metric{Name: "still_open", Value: metric(r, "ageing", "", "still_open"), Kind: MetricCount}},
		{"Resolved since the last run", &Metric{Name: "resolved", Value: metric(r, "ageing", "", "resolved"), Kind: MetricCount}},
		{"Unverified (gateway did not answer)", &Metric{Name: "unverified", Value: metric(r, "overall", "", "unverified"), Kind: MetricCount}},
		{"Rejected input rows", &Metric{Name: "rejected", Value: strconv.Itoa(len(r.Rejects)), Kind: MetricCount}},
	}
	for _, d := range day {
		s.row++
		if err := s.put(1, d.label, st.label); err != nil {
			return err
		}
		if d.m.Value == "" {
			d.m.Value = "0"
		}
		if err := s.putMetric(2, d.m); err != nil {
			return err
		}
	}
	s.verdict = v
	return nil
}

// putRow writes texts into the row's first columns, in style.
func (s *summarySheet) putRow(style int, texts ...string) error {
	for i, t := range texts {
		if err := s.put(i+1, t, style); err != nil {
			return err
		}
	}
	return nil
}

// putAmount writes an amount as a ₹ number cell.
func (s *summarySheet) putAmount(col int, a recon.Amount) error {
	text := a.String()
	f, ok := exactFloat(text)
	if !ok {
		return s.put(col, text, 0)
	}
	return s.putValue(col, f, s.st.amount, displayWidth(text, kindAmount))
}

// writeChartData writes, below the detail, the tables the charts draw:
// open exceptions by category and severity, and the trend.
func (s *summarySheet) writeChartData(r *Report) error {
	v := s.verdict
	st := s.st
	if len(v.categories) > 0 {
		s.row += 2
		if err := s.put(1, "Open exceptions by category and severity", st.section); err != nil {
			return err
		}
		s.row++
		s.catHeader = s.row
		if err := s.put(1, "Category", st.header); err != nil {
			return err
		}
		for j, sev := range severities {
			if err := s.put(j+2, string(sev), st.header); err != nil {
				return err
			}
		}
		for _, c := range v.categories {
			s.row++
			if err := s.put(1, string(c), 0); err != nil {
				return err
			}
			for j, sev := range severities {
				if err := s.putValue(j+2, v.byCategory[c][sev], st.count, 4); err != nil {
					return err
				}
			}
		}
		s.catFirst, s.catLast = s.catHeader+1, s.row
	}
	if len(r.Trend) > 0 {
		s.row += 2
		if err := s.put(1, "Last "+strconv.Itoa(TrendDays)+" business days", st.section); err != nil {
			return err
		}
		s.row++
		if err := s.putRow(st.header, "Date", "Exceptions", "At risk"); err != nil {
			return err
		}
		s.trendFirst = s.row + 1
		for _, p := range r.Trend {
			s.row++
			// The date as text: the chart's axis then lists the business
			// days run, not every calendar day between them.
			if err := s.put(1, p.Date, 0); err != nil {
				return err
			}
			if err := s.putValue(2, p.Exceptions, st.count, 4); err != nil {
				return err
			}
			if err := s.putAmount(3, p.AtRisk); err != nil {
				return err
			}
		}
		s.trendLast = s.row
	}
	return nil
}

// addCharts draws the charts to the right of the verdict.
func (s *summarySheet) addCharts(anchorCol int) error {
	ref := func(col, first, last int) string {
		a, _ := excelize.CoordinatesToCellName(col, first, true)
		b, _ := excelize.CoordinatesToCellName(col, last, true)
		return "'" + sheetSummary + "'!" + a + ":" + b
	}
	anchor := func(row int) string {
		c, _ := excelize.CoordinatesToCellName(anchorCol, row)
		return c
	}
	black := excelize.Font{Color: "000000"}
	integers := excelize.ChartNumFmt{CustomNumFmt: "0"}
	height := 0
	if s.catFirst > 0 {
		var series []excelize.ChartSeries
		for j, sev := range severities {
			series = append(series, excelize.ChartSeries{
				Name:       ref(j+2, s.catHeader, s.catHeader),
				Categories: ref(1, s.catFirst, s.catLast),
				Values:     ref(j+2, s.catFirst, s.catLast),
				Fill:       excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{seriesColour[sev]}},
			})
		}
		height = min(120+18*(s.catLast-s.catFirst+1), 480)
		if err := s.f.AddChart(sheetSummary, anchor(2), &excelize.Chart{
			Type:      excelize.BarStacked,
			Series:    series,
			Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "Open exceptions by category"}}},
			Legend:    excelize.ChartLegend{Position: "bottom"},
			Dimension: excelize.ChartDimension{Width: 560, Height: uint(height)},
			YAxis:     excelize.ChartAxis{MajorGridLines: true, MajorUnit: 1, NumFmt: integers, Font: black},
			XAxis:     excelize.ChartAxis{ReverseOrder: true, Font: black},
		}); err != nil {
			return err
		}
	}
	if s.trendFirst > 0 {
		// One chart, two scales: the count as columns, the money as a
		// line on the right-hand axis.
		dates := ref(1, s.trendFirst, s.trendLast)
		days := strconv.Itoa(TrendDays)
		// Below the first chart: a row is 17 to 20 pixels high, as the
		// program draws it; count 17 so that the charts never overlap.
		if err := s.f.AddChart(sheetSummary, anchor(2+(height+16)/17+2), &excelize.Chart{
			Type: excelize.Col,
			Series: []excelize.ChartSeries{{Name: ref(2, s.trendFirst-1, s.trendFirst-1), Categories: dates,
				Values: ref(2, s.trendFirst, s.trendLast),
				Fill:   excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"4472C4"}}}},
			Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "Last " + days + " business days: exceptions and money at risk"}}},
			Legend:    excelize.ChartLegend{Position: "bottom"},
			Dimension: excelize.ChartDimension{Width: 560, Height: 300},
			YAxis:     excelize.ChartAxis{MajorGridLines: true, NumFmt: integers, Font: black},
			XAxis:     excelize.ChartAxis{Font: black},
		}, &excelize.Chart{
			Type: excelize.Line,
			Series: []excelize.ChartSeries{{Name: ref(3, s.trendFirst-1, s.trendFirst-1), Categories: dates,
				Values: ref(3, s.trendFirst, s.trendLast),
				Line:   excelize.LineOptions{Width: 2}, Marker: excelize.ChartMarker{Symbol: "circle"}}},
			YAxis: excelize.ChartAxis{Secondary: true, NumFmt: excelize.ChartNumFmt{CustomNumFmt: fmtAmount}, Font: black},
		}); err != nil {
			return err
		}
	}
	return nil
}
