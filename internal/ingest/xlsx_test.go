package ingest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/kwikpaisa/recon/internal/recon"
)

// num is a number cell, its value written into the sheet exactly as given.
type num string

// dateNum is a number cell with a date-time format, as Excel stores a date.
type dateNum string

type sheetSpec struct {
	name string
	rows [][]any // rows[i] is sheet row i+1; nil cells are left empty
}

// writeWorkbook writes an XLSX with excelize and returns its path.
func writeWorkbook(t testing.TB, name string, sheets ...sheetSpec) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 22})
	if err != nil {
		t.Fatal(err)
	}
	for i, sh := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", sh.name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(sh.name); err != nil {
			t.Fatal(err)
		}
		for r, cells := range sh.rows {
			for c, v := range cells {
				ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
				switch v := v.(type) {
				case nil:
				case string:
					err = f.SetCellStr(sh.name, ref, v)
				case num:
					err = f.SetCellDefault(sh.name, ref, string(v))
				case dateNum:
					if err = f.SetCellDefault(sh.name, ref, string(v)); err == nil {
						err = f.SetCellStyle(sh.name, ref, ref, dateStyle)
					}
				default:
					err = f.SetCellValue(sh.name, ref, v)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	p := filepath.Join(t.TempDir(), name)
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	return p
}

var payoutHeader = []any{"Payout ID", "Payout Amount", "Payout Status", "Mode", "Account No", "IFSC Code", "UTR Number", "Payout Date"}

func TestReadPayoutsXLSX(t *testing.T) {
	path := writeWorkbook(t, "payouts.xlsx", sheetSpec{name: "Payouts", rows: [][]any{
		nil, // row 1 empty: the header is the first non-empty row
		payoutHeader,
		{"PO-001", num("1500.5"), "Processed", "imps", "001234567890", "hdfc0001234", num("523223123456"), dateNum("46350.4375")},
		{"PO-002", num("105.00000000000001"), "processed", "IMPS", nil, nil, "x", "24/11/2026 10:15"},
		{"PO-003", num("1.05E+2"), "queued", "NEFT", nil, nil, "5.23223E+11", "2026-11-24 11:00"},
		{"PO-004", "₹ 1,23,456.78", "success", "NEFT", nil, nil, num("1.2345678901234568E+18"), num("46350.5")},
		{"PO-005", num("10"), "success", "RTGS", nil, nil, "1234567890123456789", "2026-11-24"},
		{num("100234"), num("10"), "failed", "UPI", nil, nil, "NA", "2026-11-24"},
		{num("1.00234E+17"), num("10"), "failed", "UPI", nil, nil, nil, "2026-11-24"},
		nil,
		{"PO-008", num("10"), "on hold", "UPI", nil, nil, nil, "24-11-2026 09:05 PM"},
		{"PO-009", num("-10"), "success", "UPI", nil, nil, nil, "2026-11-24"},
		{"PO-010", num("10"), "success", "UPI", num("1234567890123456789"), nil, nil, "2026-11-24"},
		// Excel writes a typed amount as the shortest text of its double
		// (17 significant digits); a formula's result keeps real decimals.
		{"PO-011", num("19.989999999999998"), "success", "UPI", nil, nil, nil, "2026-11-24"},
		{"PO-012", num("68.400000000000006"), "success", "UPI", nil, nil, nil, "2026-11-24"},
		{"PO-013", num("542348.18000000005"), "success", "UPI", num("1234567890"), nil, nil, "2026-11-24"},
		{"PO-014", num("97622.672400000003"), "success", "UPI", nil, nil, nil, "2026-11-24"},
		{"PO-015", num("1179.9882"), "success", "UPI", nil, nil, nil, "2026-11-24"},
		{"PO-016", num("0.29999999999999999"), "success", "UPI", nil, nil, nil, "2026-11-24"},
	}})
	c, counts := mustRead(t, ReadPayouts, path, testOptions())
	if counts.Read != 16 || counts.Accepted != 11 || counts.Rejected != 5 {
		t.Errorf("counts %+v, want 16 read, 11 accepted, 5 rejected", counts)
	}
	type want struct {
		id, utr, line string
		amount        recon.Amount
		corrupted     bool
		at            time.Time
	}
	wants := []want{
		{"PO-001", "523223123456", "Payouts!3", 150050, false, time.Date(2026, 11, 24, 10, 30, 0, 0, ist)},
		{"PO-003", "", "Payouts!5", 10500, true, time.Date(2026, 11, 24, 11, 0, 0, 0, ist)},
		{"PO-004", "", "Payouts!6", 12345678, true, time.Date(2026, 11, 24, 12, 0, 0, 0, ist)},
		{"PO-005", "1234567890123456789", "Payouts!7", 1000, false, time.Date(2026, 11, 24, 0, 0, 0, 0, ist)},
		{"100234", "", "Payouts!8", 1000, false, time.Date(2026, 11, 24, 0, 0, 0, 0, ist)},
		{"PO-008", "", "Payouts!11", 1000, false, time.Date(2026, 11, 24, 21, 5, 0, 0, ist)},
		{"PO-002", "X", "Payouts!4", 10500, false, time.Date(2026, 11, 24, 10, 15, 0, 0, ist)},
		{"PO-011", "", "Payouts!14", 1999, false, time.Date(2026, 11, 24, 0, 0, 0, 0, ist)},
		{"PO-012", "", "Payouts!15", 6840, false, time.Date(2026, 11, 24, 0, 0, 0, 0, ist)},
		{"PO-013", "", "Payouts!16", 54234818, false, time.Date(2026, 11, 24, 0, 0, 0, 0, ist)},
		{"PO-016", "", "Payouts!19", 30, false, time.Date(2026, 11, 24, 0, 0, 0, 0, ist)},
	}
	got := map[string]recon.Payout{}
	for _, p := range c.payouts {
		got[p.PayoutID] = p
	}
	for _, w := range wants {
		p, ok := got[w.id]
		if !ok {
			t.Errorf("payout %s not accepted", w.id)
			continue
		}
		if p.UTR != w.utr || p.UTRCorrupted != w.corrupted || p.Place.Line() != w.line || p.Amount != w.amount || !p.RequestedAt.Time().Equal(w.at) {
			t.Errorf("payout %s = utr %q corrupted %v line %s amount %v at %v; want %q %v %s %v %v",
				w.id, p.UTR, p.UTRCorrupted, p.Place.Line(), p.Amount, p.RequestedAt, w.utr, w.corrupted, w.line, w.amount, w.at)
		}
	}
	if p := got["PO-001"]; p.BeneficiaryAccount != "001234567890" || p.BeneficiaryIFSC != "HDFC0001234" || p.TransferMode != "IMPS" {
		t.Errorf("PO-001 beneficiary = %q %q %q", p.BeneficiaryAccount, p.BeneficiaryIFSC, p.TransferMode)
	}
	if p := got["PO-003"]; p.UTRRaw != "5.23223E+11" {
		t.Errorf("PO-003 UTRRaw = %q, want the cell as read", p.UTRRaw)
	}
	rejects := []struct{ line, column, value, reason string }{
		{"Payouts!17", "amount", "97622.672400000003", "amount cell holds 97622.6724 as the spreadsheet shows it"},
		{"Payouts!18", "amount", "1179.9882", "=ROUND"},
		{"Payouts!9", "payout_order_id", "1.00234E+17", "format the column as text"},
		{"Payouts!12", "amount", "-10", "negative"},
		{"Payouts!13", "beneficiary_account", "1234567890123456789", "may have rounded"},
	}
	for _, w := range rejects {
		r := rejectOf(c, w.line)
		if r == nil {
			t.Errorf("no reject at %s; rejects %+v", w.line, c.rejects)
			continue
		}
		if r.File != path || r.Column != w.column || r.Value != w.value || !strings.Contains(r.Reason, w.reason) {
			t.Errorf("reject at %s = %+v; want column %s value %q reason containing %q", w.line, *r, w.column, w.value, w.reason)
		}
	}
}

func TestReadOrdersXLSXStreamWriter(t *testing.T) {
	// A workbook written by excelize's StreamWriter keeps its strings
	// inline rather than in the shared-string table.
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	rows := [][]any{
		{"Order No", "Amount (INR)", "Payment Status", "Order Date", "Txn ID"},
		{"00042", 105.5, "Captured", 46350.4375, 9876543210123},
		{"ORD-b", "1,000", "user dropped", "24-11-2026 10:15 AM", ""},
	}
	for i, r := range rows {
		ref, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(ref, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "orders.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	c, _ := mustRead(t, ReadOrders, path, testOptions())
	if len(c.orders) != 2 {
		t.Fatalf("read %d orders, want 2; rejects %+v", len(c.orders), c.rejects)
	}
	o := c.orders[0]
	if o.OrderID != "00042" || o.Amount != 10550 || o.Class != recon.StatusSuccess || o.TransactionID != "9876543210123" ||
		!o.CreatedAt.Time().Equal(time.Date(2026, 11, 24, 10, 30, 0, 0, ist)) || o.Place.Line() != "Sheet1!2" {
		t.Errorf("order = %+v", o)
	}
	if o := c.orders[1]; o.OrderID != "ORD-b" || o.Amount != 100000 || o.Class != recon.StatusNotPaid {
		t.Errorf("order = %+v", o)
	}
}

func TestReadXLSXSheetChoice(t *testing.T) {
	path := writeWorkbook(t, "book.xlsx",
		sheetSpec{name: "Notes", rows: [][]any{{"exported by the bank portal"}}},
		sheetSpec{name: "Payouts", rows: [][]any{payoutHeader, {"PO-1", num("10"), "success", "IMPS", nil, nil, nil, "2026-11-24"}}},
	)
	opts := testOptions()
	opts.Sheet = "payouts" // case does not matter when no sheet has the exact name
	c, _ := mustRead(t, ReadPayouts, path, opts)
	if len(c.payouts) != 1 || c.payouts[0].Place.Line() != "Payouts!2" {
		t.Errorf("payouts %+v, want PO-1 at Payouts!2", c.payouts)
	}

	_, err := ReadPayouts(context.Background(), path, testOptions(), Sink{})
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "payout_order_id, amount, status, requested_at") {
		t.Errorf("first sheet without the columns: error %v, want one naming the file and every missing column", err)
	}
	opts.Sheet = "Summary"
	_, err = ReadPayouts(context.Background(), path, opts, Sink{})
	if err == nil || !strings.Contains(err.Error(), `no sheet "Summary" (it has "Notes", "Payouts")`) {
		t.Errorf("unknown sheet: error %v", err)
	}
}

func TestReadXLSXDamaged(t *testing.T) {
	good := writeWorkbook(t, "good.xlsx", sheetSpec{name: "Payouts", rows: [][]any{payoutHeader}})
	b, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	for _, cut := range []int{len(b) / 2, len(b) - 30, 10} {
		path := writeFile(t, "payouts.xlsx", string(b[:cut]))
		_, err := ReadPayouts(context.Background(), path, testOptions(), Sink{})
		if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "XLSX") {
			t.Errorf("truncated to %d bytes: error %v, want one naming the file as a damaged XLSX", cut, err)
		}
	}
}

// TestSniffByContent: an XLSX named .csv is read as XLSX, a CSV named
// .xlsx as CSV.
func TestSniffByContent(t *testing.T) {
	xlsx := writeWorkbook(t, "book.xlsx", sheetSpec{name: "P", rows: [][]any{payoutHeader, {"PO-1", num("10"), "success", "IMPS", nil, nil, nil, "2026-11-24"}}})
	b, _ := os.ReadFile(xlsx)
	asCSV := writeFile(t, "payouts.csv", string(b))
	c, _ := mustRead(t, ReadPayouts, asCSV, testOptions())
	if len(c.payouts) != 1 || c.payouts[0].Place.Line() != "P!2" {
		t.Errorf("XLSX named .csv: payouts %+v", c.payouts)
	}
	asXLSX := writeFile(t, "payouts.xlsx", "payout id,amount,status,date\nPO-1,10,success,2026-11-24\n")
	c, _ = mustRead(t, ReadPayouts, asXLSX, testOptions())
	if len(c.payouts) != 1 || c.payouts[0].Place.Line() != "2" {
		t.Errorf("CSV named .xlsx: payouts %+v", c.payouts)
	}
}

func TestPlainNumber(t *testing.T) {
	tests := []struct{ in, want string }{
		{"105", "105"}, {"105.50", "105.5"}, {"1.05E+2", "105"}, {"1.055E+2", "105.5"},
		{"5E-3", "0.005"}, {"1E+3", "1000"}, {"-1.5", "-1.5"}, {"0.1", "0.1"}, {".5", "0.5"},
	}
	for _, tt := range tests {
		if got, ok := plainNumber(tt.in); !ok || got != tt.want {
			t.Errorf("plainNumber(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
	for _, bad := range []string{"", "abc", "1E+99", "1.2.3", "+5", "E5"} {
		if got, ok := plainNumber(bad); ok {
			t.Errorf("plainNumber(%q) = %q, want refused", bad, got)
		}
	}
}

// TestReadXLSX1904 reads a workbook that counts serial dates from 1904
// (older Mac Excel): the same serial is 1462 days later.
func TestReadXLSX1904(t *testing.T) {
	f := excelize.NewFile()
	yes := true
	if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}); err != nil {
		t.Fatal(err)
	}
	for i, v := range []string{"Payout ID", "Amount", "Status", "Date"} {
		ref, _ := excelize.CoordinatesToCellName(i+1, 1)
		f.SetCellStr("Sheet1", ref, v)
	}
	f.SetCellStr("Sheet1", "A2", "PO-1")
	f.SetCellDefault("Sheet1", "B2", "10")
	f.SetCellStr("Sheet1", "C2", "success")
	f.SetCellDefault("Sheet1", "D2", "44888.4375") // 46350.4375 - 1462
	path := filepath.Join(t.TempDir(), "payouts.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	c, _ := mustRead(t, ReadPayouts, path, testOptions())
	want := time.Date(2026, 11, 24, 10, 30, 0, 0, ist)
	if len(c.payouts) != 1 || !c.payouts[0].RequestedAt.Time().Equal(want) {
		t.Errorf("payouts %+v, want requested at %v", c.payouts, want)
	}
}

// TestReadXLSXHostile: a damaged or hostile sheet is an error naming the
// file, never a panic or an unbounded allocation.
func TestReadXLSXHostile(t *testing.T) {
	head := `<worksheet><sheetData><row r="1"><c t="inlineStr"><is><t>Payout ID</t></is></c><c t="inlineStr"><is><t>Amount</t></is></c>` +
		`<c t="inlineStr"><is><t>Status</t></is></c><c t="inlineStr"><is><t>Date</t></is></c></row>`
	tests := []struct{ name, sheet, sst, want string }{
		{"huge cell", head + `<row r="2"><c t="inlineStr"><is><t>` + strings.Repeat("x", maxCellText+1) + `</t></is></c></row></sheetData></worksheet>`, "", "more than 131068 characters"},
		{"column past XFD", head + `<row r="2"><c r="XFE2"><v>1</v></c></row></sheetData></worksheet>`, "", "past the last column"},
		{"row past the last", `<worksheet><sheetData><row r="1048577"><c><v>1</v></c></row></sheetData></worksheet>`, "", `row number "1048577"`},
		{"missing shared string", `<worksheet><sheetData><row><c t="s"><v>7</v></c></row></sheetData></worksheet>`, `<sst><si><t>a</t></si></sst>`, `shared string "7" does not exist`},
		{"cells out of order", `<worksheet><sheetData><row><c r="B1"><v>1</v></c><c r="A1"><v>2</v></c></row></sheetData></worksheet>`, "", "appears twice or out of order"},
		{"truncated XML", head + `<row r="2"><c><v>1`, "", "damaged near row"},
		{"entity", `<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><worksheet><sheetData><row><c t="inlineStr"><is><t>&a;</t></is></c></row></sheetData></worksheet>`, "", "damaged"},
	}
	for _, tt := range tests {
		path := writeFile(t, "payouts.xlsx", string(xlsxPackage(t, tt.sheet, tt.sst)))
		_, err := ReadPayouts(context.Background(), path, testOptions(), Sink{})
		if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one naming the file and containing %q", tt.name, err, tt.want)
		}
	}
}

// TestReadXLSXFirstVisibleSheet: a workbook whose first sheet is hidden
// (a lookup table, an export's scratch) is read from the first sheet a
// person sees, whether the hidden one is hidden or veryHidden.
func TestReadXLSXFirstVisibleSheet(t *testing.T) {
	for _, veryHidden := range []bool{false, true} {
		path := writeWorkbook(t, "payouts.xlsx",
			sheetSpec{name: "Scratch", rows: [][]any{payoutHeader, {"PO-HIDDEN", num("99"), "success", "IMPS", nil, nil, nil, "2026-11-24"}}},
			sheetSpec{name: "Payouts", rows: [][]any{payoutHeader, {"PO-1", num("10"), "success", "IMPS", nil, nil, nil, "2026-11-24"}}},
		)
		f, err := excelize.OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		f.SetActiveSheet(1)
		if err := f.SetSheetVisible("Scratch", false, veryHidden); err != nil {
			t.Fatal(err)
		}
		if err := f.Save(); err != nil {
			t.Fatal(err)
		}
		f.Close()
		c, _ := mustRead(t, ReadPayouts, path, testOptions())
		if len(c.payouts) != 1 || c.payouts[0].PayoutID != "PO-1" || c.payouts[0].Place.Line() != "Payouts!2" {
			t.Errorf("veryHidden=%v: payouts %+v, want PO-1 from the visible sheet Payouts", veryHidden, c.payouts)
		}
	}
}
