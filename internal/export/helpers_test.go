package export

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/kwikpaisa/recon/internal/recon"
)

func amt(paise int64) *recon.Amount {
	a := recon.Amount(paise)
	return &a
}

// testReport is a small report with the values that trip spreadsheets up:
// long numeric UTRs, negative amounts, formulas in text fields.
func testReport() *Report {
	return &Report{
		Date: "2026-11-24", RunID: "run-test", Version: "v-test", ExitStatus: 0,
		Started:  time.Date(2026, 11, 24, 20, 30, 0, 0, time.UTC),
		Finished: time.Date(2026, 11, 24, 20, 30, 5, 0, time.UTC),
		Inputs: []recon.SourceFile{
			{Kind: "orders", Path: "in/orders.csv", SHA256: "ab12", Size: 100, Read: 4, Accepted: 3, Rejected: 1},
			{Kind: "payouts", Path: "in/payouts.xlsx", SHA256: "cd34", Size: 200, Read: 3, Accepted: 3},
		},
		Summary: []Metric{
			{Section: "input", Item: "in/orders.csv", Name: "rows_read", Value: "4"},
			{Section: "input", Item: "in/orders.csv", Name: "rows_accepted", Value: "3"},
			{Section: "input", Item: "in/orders.csv", Name: "rows_rejected", Value: "1"},
			{Section: "payin", Item: "ledger", Name: "count", Value: "3"},
			{Section: "payin", Item: "ledger", Name: "amount", Value: "9999999999999.99"},
			{Section: "payin", Item: "gateway", Name: "payment_success_rate_pct", Value: "83.91"},
			{Section: "category", Item: "AMOUNT_MISMATCH", Name: "count", Value: "2"},
			{Section: "category", Item: "AMOUNT_MISMATCH", Name: "amount", Value: "5499.00"},
			{Section: "category", Item: "MISSING_UTR", Name: "count", Value: "1"},
			{Section: "category", Item: "MISSING_UTR", Name: "amount", Value: "0.00"},
			{Section: "overall", Name: "match_rate_pct", Value: "97.11"},
			{Section: "overall", Name: "exceptions_new", Value: "3", Kind: MetricCount},
			{Section: "overall", Name: "note", Value: "=1+1"},
		},
		Exceptions: []recon.Exception{
			{Category: recon.StatusMismatch, Entity: recon.EntityPayout, Reference: "PO-9", Severity: recon.SeverityInfo,
				FirstSeen: "2026-11-20", AgeDays: 4, LedgerAmount: amt(100), GatewayAmount: amt(100),
				LedgerStatus: "pending", GatewayStatus: "FAILED", Detail: "Status differs.", Evidence: []string{"p.csv:9"},
				Date: "2026-11-20", State: recon.StateInvestigating, Owner: "asha", Note: "asked the bank"},
			{Category: recon.AmountMismatch, Entity: recon.EntityPayout, Reference: "PO-1", Severity: recon.SeverityCritical,
				Provisional: true, FirstSeen: "2026-11-24", LedgerAmount: amt(400000), GatewayAmount: amt(399950),
				Difference: amt(-50), Date: "2026-11-24", LedgerUTR: "643402087507", GatewayUTR: "0012345678901234567",
				Detail: "=HYPERLINK(\"http://evil.example\",\"click\")", Evidence: []string{"p.csv:2", "g.jsonl:7"}},
			{Category: recon.AmountMismatch, Entity: recon.EntityPayin, Reference: "-12.50", Severity: recon.SeverityCritical,
				FirstSeen: "2026-11-24", LedgerAmount: amt(999999999999999), GatewayAmount: amt(1),
				Difference: amt(-999999999999998), Detail: "@SUM(A1:A2)", Evidence: []string{"o.csv:3"}},
			{Category: recon.DuplicateLedgerRow, Entity: recon.EntityPayin, Reference: "ORD-7", Severity: recon.SeverityMedium,
				FirstSeen: "2026-11-24", LedgerAmount: amt(232500), Count: 2, Detail: "Two rows.", Evidence: []string{"o.csv:4", "o.csv:5"}},
			{Category: recon.MissingUTR, Entity: recon.EntityPayout, Reference: "PO-3", Severity: recon.SeverityMedium,
				FirstSeen: "2026-11-24", GatewayAmount: amt(210000), MissingIn: "both", Detail: "No UTR.", Evidence: []string{"g.jsonl:1"}},
		},
		OpenItems: []recon.Exception{
			{Category: recon.StatusMismatch, Entity: recon.EntityPayout, Reference: "PO-9", Severity: recon.SeverityInfo,
				FirstSeen: "2026-11-20", AgeDays: 4, LedgerAmount: amt(100), GatewayAmount: amt(100),
				LedgerStatus: "pending", GatewayStatus: "FAILED", Detail: "Status differs.", Evidence: []string{"p.csv:9"},
				Date: "2026-11-20", State: recon.StateInvestigating, Owner: "asha", Note: "asked the bank"},
			{Category: recon.MissingInLedger, Entity: recon.EntityPayin, Reference: "ORD-OLD", Severity: recon.SeverityHigh,
				FirstSeen: "2026-11-18", AgeDays: 6, GatewayAmount: amt(50000), Detail: "Not in the ledger.",
				Evidence: []string{"g.jsonl:3"}, Date: "2026-11-18"},
		},
		Trend: []TrendPoint{{"2026-11-20", 3, 5000}, {"2026-11-21", 7, 250000}, {"2026-11-24", 5, 1234567}},
		Rejects: []recon.Reject{
			{File: "in/orders.csv", Line: "3", Column: "amount", Value: "=cmd|' /C calc'!A0", Reason: "amount is not a number"},
			{File: "in/orders.csv", Line: "4", Column: "amount", Value: "-12.50", Reason: "amount is negative"},
			{File: "in/payouts.xlsx", Line: "Sheet1!5", Column: "amount", Value: "+91 1234", Reason: "amount is not a number"},
		},
	}
}

// mustWrite writes r into a fresh folder and returns it.
func mustWrite(tb testing.TB, r *Report, opts Options) string {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), r.Date)
	if err := Write(dir, r, opts); err != nil {
		tb.Fatalf("Write: %v", err)
	}
	return dir
}

func mustOpen(tb testing.TB, path string) *excelize.File {
	tb.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		tb.Fatalf("open %s: %v", path, err)
	}
	tb.Cleanup(func() { f.Close() })
	return f
}

// findRow returns the 1-based row of sheet whose first cell is label.
func findRow(tb testing.TB, f *excelize.File, sheet, label string) int {
	tb.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		tb.Fatal(err)
	}
	for i, r := range rows {
		if len(r) > 0 && r[0] == label {
			return i + 1
		}
	}
	tb.Fatalf("sheet %s has no row %q", sheet, label)
	return 0
}

// numFmt returns the number format of a cell: the custom format or the
// built-in id.
func numFmt(tb testing.TB, f *excelize.File, sheet, cell string) (string, int) {
	tb.Helper()
	id, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		tb.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		tb.Fatal(err)
	}
	custom := ""
	if st.CustomNumFmt != nil {
		custom = *st.CustomNumFmt
	}
	return custom, st.NumFmt
}

// column returns the index of the header in a sheet's first row.
func column(tb testing.TB, header []string, name string) int {
	tb.Helper()
	for i, h := range header {
		if h == name {
			return i
		}
	}
	tb.Fatalf("no column %q in %q", name, header)
	return -1
}
