package export

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"github.com/kwikpaisa/recon/internal/recon"
)

// exceptionColumns are the columns of every exception report (SPEC §5);
// duplicates add count and the missing-UTR report adds missing_in.
var exceptionColumns = []string{"category", "entity", "reference", "severity", "provisional", "first_seen", "age_days",
	"ledger_amount", "gateway_amount", "difference", "ledger_status", "gateway_status", "webhook_status",
	"ledger_utr", "gateway_utr"}

// settlementColumns are the columns of settlements.csv: the exception
// columns, with the amounts named for what they are in a settlement check
// (reported by the settlement report or the bank, expected by recon;
// difference = reported − expected) and the UTRs as the settlement's and
// the bank's.
var settlementColumns = []string{"category", "entity", "reference", "severity", "provisional", "first_seen", "age_days",
	"reported_amount", "expected_amount", "difference", "ledger_status", "gateway_status", "settlement_utr", "bank_reference",
	"count", "detail", "evidence"}

// columnsFor returns the columns of a report.
func columnsFor(rep recon.Report) []string {
	if rep == recon.ReportSettlements {
		return settlementColumns
	}
	cols := append([]string(nil), exceptionColumns...)
	switch rep {
	case recon.ReportDuplicates:
		cols = append(cols, "count")
	case recon.ReportMissingUTR:
		cols = append(cols, "missing_in")
	}
	return append(cols, "detail", "evidence")
}

// exceptionRow returns an exception's cells in columnsFor order.
func exceptionRow(e *recon.Exception, rep recon.Report) []string {
	if rep == recon.ReportSettlements {
		return []string{string(e.Category), string(e.Entity), e.Reference, string(e.Severity),
			strconv.FormatBool(e.Provisional), e.FirstSeen, strconv.Itoa(e.AgeDays),
			amount(e.LedgerAmount), amount(e.GatewayAmount), amount(e.Difference),
			e.LedgerStatus, e.GatewayStatus, e.LedgerUTR, e.GatewayUTR, strconv.Itoa(e.Count), e.Detail, strings.Join(e.Evidence, " ")}
	}
	row := []string{string(e.Category), string(e.Entity), e.Reference, string(e.Severity),
		strconv.FormatBool(e.Provisional), e.FirstSeen, strconv.Itoa(e.AgeDays),
		amount(e.LedgerAmount), amount(e.GatewayAmount), amount(e.Difference),
		e.LedgerStatus, e.GatewayStatus, e.WebhookStatus, e.LedgerUTR, e.GatewayUTR}
	switch rep {
	case recon.ReportDuplicates:
		row = append(row, strconv.Itoa(e.Count))
	case recon.ReportMissingUTR:
		row = append(row, e.MissingIn)
	}
	return append(row, e.Detail, strings.Join(e.Evidence, " "))
}

var rejectColumns = []string{"file", "line", "column", "value", "reason"}

func rejectRow(r *recon.Reject) []string {
	return []string{r.File, r.Line, r.Column, r.Value, r.Reason}
}

var summaryColumns = []string{"section", "item", "metric", "value"}

func amount(a *recon.Amount) string {
	if a == nil {
		return ""
	}
	return a.String()
}

// csvWriter writes rows with every cell made safe for a spreadsheet.
type csvWriter struct{ w *csv.Writer }

func newCSV(w io.Writer) *csvWriter { return &csvWriter{csv.NewWriter(w)} }

func (c *csvWriter) write(cells []string) error {
	safe := make([]string, len(cells))
	for i, s := range cells {
		safe[i] = Defuse(s)
	}
	return c.w.Write(safe)
}

func (c *csvWriter) flush() error { c.w.Flush(); return c.w.Error() }

func writeExceptionsCSV(w io.Writer, exs []recon.Exception, rep recon.Report) error {
	c := newCSV(w)
	if err := c.write(columnsFor(rep)); err != nil {
		return err
	}
	for i := range exs {
		if exs[i].Category.Report() != rep {
			continue
		}
		if err := c.write(exceptionRow(&exs[i], rep)); err != nil {
			return err
		}
	}
	return c.flush()
}

func writeRejectsCSV(w io.Writer, rejects []recon.Reject) error {
	c := newCSV(w)
	if err := c.write(rejectColumns); err != nil {
		return err
	}
	for i := range rejects {
		if err := c.write(rejectRow(&rejects[i])); err != nil {
			return err
		}
	}
	return c.flush()
}

func writeSummaryCSV(w io.Writer, r *Report) error {
	c := newCSV(w)
	if err := c.write(summaryColumns); err != nil {
		return err
	}
	for _, m := range r.Summary {
		if err := c.write([]string{m.Section, m.Item, m.Name, m.Value}); err != nil {
			return err
		}
	}
	return c.flush()
}

// Defuse makes a cell safe to open in a spreadsheet: a value that begins
// with =, +, -, @, a tab or a carriage return and is not a number gets a
// leading apostrophe, so no spreadsheet evaluates it as a formula.
func Defuse(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if isPlainNumber(s) {
			return s
		}
		return "'" + s
	}
	return s
}

// isPlainNumber matches an optionally signed decimal: -12.50, +3.
func isPlainNumber(s string) bool {
	if s[0] == '-' || s[0] == '+' {
		s = s[1:]
	}
	ip, fp, _ := strings.Cut(s, ".")
	if ip == "" && fp == "" {
		return false
	}
	for _, part := range []string{ip, fp} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return false
			}
		}
	}
	return true
}
