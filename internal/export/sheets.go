package export

import (
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/kwikpaisa/recon/internal/recon"
)

// The report sheets are for people: readable headers, the most urgent row
// first, what to do in plain words, and the workflow columns (state, owner,
// note) that `recon notes import` reads back. The CSV files keep SPEC §5's
// machine names, order and sorting.

// sheetHeaders are the workbook's headers of the report columns.
var sheetHeaders = map[string]string{
	"business_date":      "Business date",
	"category":           "Category",
	"entity":             "Entity",
	"reference":          "Reference",
	"severity":           "Severity",
	"provisional":        "Provisional",
	"first_seen":         "First seen",
	"age_days":           "Age (days)",
	"ledger_amount":      "Ledger amount",
	"gateway_amount":     "Gateway amount",
	"difference":         "Difference (gateway − ledger)",
	"ledger_status":      "Ledger status",
	"gateway_status":     "Gateway status",
	"webhook_status":     "Webhook status",
	"ledger_utr":         "Ledger UTR",
	"gateway_utr":        "Gateway UTR",
	"reported_amount":    "Reported amount",
	"settled_difference": "Difference (reported − expected)",
	"expected_amount":    "Expected amount",
	"settlement_utr":     "Settlement UTR",
	"bank_reference":     "Bank reference",
	"missing_in":         "UTR missing in",
	"count":              "Count",
	"detail":             "Detail",
	"what_to_do":         "What to do",
	"state":              "State",
	"owner":              "Owner",
	"note":               "Note",
	"evidence":           "Evidence",
	"file":               "File",
	"line":               "Line",
	"column":             "Column",
	"value":              "Value",
	"reason":             "Reason",
}

// headerComments explain a header in its cell comment.
var headerComments = map[string]string{
	"provisional": "yes: the gateway's status is not final yet (pending), or can still change (a refund or a " +
		"reversal inside the late-change window). Check again tomorrow before acting on the money; " +
		"recon re-checks it on its own.",
	"state": "OPEN, INVESTIGATING, RESOLVED (handled outside recon) or WRITTEN_OFF (difference accepted). " +
		"Edit it here, then run: recon notes import <this file>. RESOLVED and WRITTEN_OFF need a note.",
	"owner": "Who is working on it. Read back by recon notes import.",
	"note":  "What was done. Required for RESOLVED and WRITTEN_OFF. Read back by recon notes import.",
}

// sheetColumnsFor returns a report sheet's columns: what matters first,
// then the workflow, evidence last.
func sheetColumnsFor(rep recon.Report) []string {
	if rep == recon.ReportSettlements {
		// The amounts and UTRs named as settlements.csv names them.
		return []string{"severity", "category", "entity", "reference", "reported_amount", "expected_amount",
			"settled_difference", "ledger_status", "gateway_status", "settlement_utr", "bank_reference", "count",
			"business_date", "first_seen", "age_days", "provisional", "detail", "what_to_do",
			"state", "owner", "note", "evidence"}
	}
	cols := []string{"severity", "category", "entity", "reference", "ledger_amount", "gateway_amount", "difference",
		"ledger_status", "gateway_status", "webhook_status", "ledger_utr", "gateway_utr"}
	switch rep {
	case recon.ReportDuplicates:
		cols = append(cols, "count")
	case recon.ReportMissingUTR:
		cols = append(cols, "missing_in")
	}
	return append(cols, "business_date", "first_seen", "age_days", "provisional", "detail", "what_to_do",
		"state", "owner", "note", "evidence")
}

// foldedColumns are the report sheets' columns folded away behind the
// outline's +: rarely needed to act on a row (the age says how old it
// is), and the sheet prints larger without them.
var foldedColumns = map[string]bool{"business_date": true, "first_seen": true, "webhook_status": true}

// openItemColumns are the Open items sheet's columns.
var openItemColumns = []string{"business_date", "first_seen", "age_days", "state", "owner", "note", "severity",
	"category", "entity", "reference", "ledger_amount", "gateway_amount", "difference", "detail", "what_to_do",
	"evidence"}

// sheetValue is an exception's value in a workbook column.
func sheetValue(e *recon.Exception, col string) string {
	switch col {
	case "business_date":
		return e.Date
	case "category":
		// Spaced, so that a long one wraps: ReadNotes reads it back.
		return strings.ReplaceAll(string(e.Category), "_", " ")
	case "entity":
		return string(e.Entity)
	case "reference":
		return e.Reference
	case "severity":
		return string(e.Severity)
	case "provisional":
		if e.Provisional {
			return "yes"
		}
		return ""
	case "first_seen":
		return e.FirstSeen
	case "age_days":
		return strconv.Itoa(e.AgeDays)
	case "ledger_amount", "reported_amount":
		return amount(e.LedgerAmount)
	case "gateway_amount", "expected_amount":
		return amount(e.GatewayAmount)
	case "difference", "settled_difference":
		return amount(e.Difference)
	case "ledger_status":
		return e.LedgerStatus
	case "gateway_status":
		return e.GatewayStatus
	case "webhook_status":
		return e.WebhookStatus
	case "ledger_utr", "settlement_utr":
		return e.LedgerUTR
	case "gateway_utr", "bank_reference":
		return e.GatewayUTR
	case "missing_in":
		return e.MissingIn
	case "count":
		return strconv.Itoa(e.Count)
	case "detail":
		return e.Detail
	case "what_to_do":
		return e.Category.WhatToDo()
	case "state":
		if e.State == "" {
			return string(recon.StateOpen)
		}
		return string(e.State)
	case "owner":
		return e.Owner
	case "note":
		return e.Note
	case "evidence":
		return evidenceText(e.Evidence)
	}
	panic("export: no workbook column " + col)
}

// evidenceText writes places that share a folder once with the folder
// ("data/2026-11-24/ orders.csv:3 gateway.jsonl:7"): the same places, in
// fewer lines of a wrapped cell.
func evidenceText(places []string) string {
	if len(places) < 2 {
		return strings.Join(places, " ")
	}
	dir, _ := path.Split(filepath.ToSlash(places[0]))
	bases := make([]string, len(places))
	for i, p := range places {
		d, base := path.Split(filepath.ToSlash(p))
		if d != dir || dir == "" {
			return strings.Join(places, " ")
		}
		bases[i] = base
	}
	return dir + " " + strings.Join(bases, " ")
}

// kindOf says how a workbook column's cells are written.
func kindOf(col string) cellKind {
	switch col {
	case "ledger_amount", "gateway_amount", "difference", "reported_amount", "expected_amount", "settled_difference":
		return kindAmount
	case "age_days", "count":
		return kindInt
	case "first_seen", "business_date":
		return kindDate
	case "severity":
		return kindSeverity
	case "line":
		return kindLine
	case "detail", "what_to_do", "note", "evidence", "reason", "category":
		return kindWrap
	}
	return kindText
}

// bySeverity returns the indices of the exceptions keep selects, the most
// severe first, then the most money at risk, then in report order.
func bySeverity(exs []recon.Exception, keep func(*recon.Exception) bool) []int {
	var idx []int
	for i := range exs {
		if keep(&exs[i]) {
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		x, y := &exs[a], &exs[b]
		if d := y.Severity.Rank() - x.Severity.Rank(); d != 0 {
			return d
		}
		if rx, ry := x.AtRisk(), y.AtRisk(); rx != ry {
			if rx > ry {
				return -1
			}
			return 1
		}
		switch {
		case x.Less(y):
			return -1
		case y.Less(x):
			return 1
		}
		return strings.Compare(x.Date, y.Date)
	})
	return idx
}

// exceptionSheet is the table of one report's sheet.
func exceptionSheet(sheet string, exs []recon.Exception, rep recon.Report) table {
	idx := bySeverity(exs, func(e *recon.Exception) bool { return e.Category.Report() == rep })
	t := rowsTable(sheet, sheetColumnsFor(rep), exs, idx)
	t.folded = foldedColumns
	return t
}

// openItemsSheet lists the exceptions of earlier dates still open, oldest
// first.
func openItemsSheet(exs []recon.Exception) table {
	idx := bySeverity(exs, func(*recon.Exception) bool { return true })
	slices.SortStableFunc(idx, func(a, b int) int {
		if c := strings.Compare(exs[a].FirstSeen, exs[b].FirstSeen); c != 0 {
			return c
		}
		return strings.Compare(exs[a].Date, exs[b].Date)
	})
	return rowsTable(sheetOpenItems, openItemColumns, exs, idx)
}

func rowsTable(sheet string, cols []string, exs []recon.Exception, idx []int) table {
	return table{sheet: sheet, columns: cols, rows: func(yield func([]string) error) error {
		row := make([]string, len(cols))
		for _, i := range idx {
			for j, c := range cols {
				row[j] = sheetValue(&exs[i], c)
			}
			if err := yield(row); err != nil {
				return err
			}
		}
		return nil
	}}
}

// NoteRow is one row of a workbook's report sheets as `recon notes import`
// reads it back.
type NoteRow struct {
	Sheet string
	Row   int // 1-based, as the spreadsheet numbers it
	Key   [4]string
	State string
	Owner string
	Note  string
}

// noteColumns are the columns ReadNotes needs, by header.
var noteColumns = []string{"business_date", "category", "entity", "reference", "state", "owner", "note"}

// ReadNotes reads the key, state, owner and note of every row of the
// report sheets (and the Open items sheet) of a workbook recon wrote and a
// person edited. A sheet with none of these headers (the Summary, Rejects)
// is skipped; one with some but not all is an error.
func ReadNotes(path string) ([]NoteRow, error) {
	f, err := excelize.OpenFile(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	var out []NoteRow
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			return nil, fmt.Errorf("%s: sheet %s: %w", path, sheet, err)
		}
		if len(rows) == 0 {
			continue
		}
		at := map[string]int{}
		for j, h := range rows[0] {
			for _, c := range noteColumns {
				if strings.TrimSpace(h) == sheetHeaders[c] {
					at[c] = j
				}
			}
		}
		if len(at) == 0 {
			continue
		}
		if len(at) < len(noteColumns) {
			var missing []string
			for _, c := range noteColumns {
				if _, ok := at[c]; !ok {
					missing = append(missing, sheetHeaders[c])
				}
			}
			return nil, fmt.Errorf("%s: sheet %s: no column %s in row 1: was it renamed or deleted?", path, sheet,
				strings.Join(missing, ", "))
		}
		cell := func(r []string, c string) string {
			if j := at[c]; j < len(r) {
				return strings.TrimSpace(r[j])
			}
			return ""
		}
		for i, r := range rows[1:] {
			nr := NoteRow{Sheet: sheet, Row: i + 2,
				Key:   [4]string{cell(r, "business_date"), cell(r, "category"), cell(r, "entity"), cell(r, "reference")},
				State: cell(r, "state"), Owner: cell(r, "owner"), Note: cell(r, "note")}
			if nr.Key == [4]string{} && nr.State == "" && nr.Owner == "" && nr.Note == "" {
				continue // an empty row
			}
			nr.Key[1] = strings.ReplaceAll(strings.ToUpper(nr.Key[1]), " ", "_")
			nr.Key[3] = strings.TrimPrefix(nr.Key[3], "'") // Defuse's apostrophe
			out = append(out, nr)
		}
	}
	return out, nil
}
