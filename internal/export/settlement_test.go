package export

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/kwikpaisa/recon/internal/recon"
)

// TestSettlementReport writes a report with and without settlements: with
// them, settlements.csv holds only the settlement categories under their
// own amount and UTR columns, the workbook has a Settlements sheet with
// amounts as numbers, and the manifest lists the file; without them,
// neither exists and a settlements.csv an earlier run left is removed.
func TestSettlementReport(t *testing.T) {
	r := testReport()
	r.Settlements = true
	r.Exceptions = append(r.Exceptions, recon.Exception{Category: recon.FeeMismatch, Entity: recon.EntitySettlement,
		Reference: "STL-1:Settlements!9", Severity: recon.SeverityHigh, FirstSeen: "2026-11-24", LedgerAmount: amt(47),
		GatewayAmount: amt(48), Difference: amt(-1), LedgerUTR: "KKBKH26328111111", Detail: "Fee 0.47.",
		Evidence: []string{"s.xlsx:Settlements!9"}})
	dir := mustWrite(t, r, Options{})
	f, err := os.Open(filepath.Join(dir, "settlements.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rows[0], ","); got != strings.Join(settlementColumns, ",") {
		t.Errorf("header = %s", got)
	}
	if len(rows) != 2 || rows[1][0] != "FEE_MISMATCH" || rows[1][7] != "0.47" || rows[1][8] != "0.48" || rows[1][9] != "-0.01" ||
		rows[1][12] != "KKBKH26328111111" {
		t.Errorf("rows = %v", rows)
	}
	for _, name := range []string{"mismatches.csv", "duplicates.csv", "missing_utr.csv"} {
		b, _ := os.ReadFile(filepath.Join(dir, name))
		if strings.Contains(string(b), "FEE_MISMATCH") {
			t.Errorf("%s holds a settlement category", name)
		}
	}
	wb := mustOpen(t, filepath.Join(dir, "recon-2026-11-24.xlsx"))
	if !slices.Contains(wb.GetSheetList(), "Settlements") {
		t.Fatalf("sheets = %v, want a Settlements sheet", wb.GetSheetList())
	}
	// The sheet puts the amounts right after the reference: E is the
	// reported amount.
	if h, _ := wb.GetCellValue("Settlements", "E1"); h != "Reported amount" {
		t.Errorf("Settlements!E1 = %q, want the header Reported amount", h)
	}
	// A settlement's difference is what was reported less what recon
	// expected, not gateway − ledger as on the other sheets.
	if h, _ := wb.GetCellValue("Settlements", "G1"); h != "Difference (reported − expected)" {
		t.Errorf("Settlements!G1 = %q, want the header Difference (reported − expected)", h)
	}
	if typ, _ := wb.GetCellType("Settlements", "E2"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("Settlements!E2 is a %v cell, want a number", typ)
	}
	if v, _ := wb.GetCellValue("Settlements", "E2", excelize.Options{RawCellValue: true}); v != "0.47" {
		t.Errorf("Settlements!E2 = %q, want the amount 0.47", v)
	}
	wb.Close()
	m, _ := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if !strings.Contains(string(m), `"settlements.csv"`) {
		t.Errorf("manifest does not list settlements.csv:\n%s", m)
	}

	r.Settlements = false
	if err := Write(dir, r, Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "settlements.csv")); !os.IsNotExist(err) {
		t.Errorf("settlements.csv of the earlier run is still there (%v)", err)
	}
	wb = mustOpen(t, filepath.Join(dir, "recon-2026-11-24.xlsx"))
	defer wb.Close()
	if slices.Contains(wb.GetSheetList(), "Settlements") {
		t.Errorf("sheets = %v, want no Settlements sheet without settlements", wb.GetSheetList())
	}
}
