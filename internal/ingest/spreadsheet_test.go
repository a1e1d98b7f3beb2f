package ingest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/kwikpaisa/recon/internal/recon"
)

// TestReadWorkbookASpreadsheetWrote has a real spreadsheet program
// (gnumeric's ssconvert, which CI installs) turn a typed ledger into XLSX,
// with its own number cells, and reads it back: every amount, id, UTR and
// date as the person typed it.
func TestReadWorkbookASpreadsheetWrote(t *testing.T) {
	bin, err := exec.LookPath("ssconvert")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("ssconvert (gnumeric) is not installed and CI=true: .ci/run installs it")
		}
		t.Skip("ssconvert (gnumeric) is not installed; apt-get install gnumeric")
	}
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "typed.csv")
	typed := "Payout ID,Payout Amount,Payout Status,Account No,UTR Number,Payout Date\n" +
		"PO-1,19.99,processed,1234567890,523223456789,24/11/2026 10:15\n" +
		"PO-2,68.4,processed,001234567890,612345678901,24-Nov-2026\n" +
		"PO-3,542348.18,processed,,,2026-11-24 11:00\n" +
		"PO-4,0.3,processed,,,24.11.2026\n"
	if err := os.WriteFile(csvPath, []byte(typed), 0o600); err != nil {
		t.Fatal(err)
	}
	xlsx := filepath.Join(dir, "payouts.xlsx")
	if out, err := exec.Command(bin, "--export-type=Gnumeric_Excel:xlsx2", csvPath, xlsx).CombinedOutput(); err != nil {
		t.Fatalf("ssconvert: %v\n%s", err, out)
	}
	c, counts := mustRead(t, ReadPayouts, xlsx, testOptions())
	if counts.Rejected != 0 || counts.Accepted != 4 {
		t.Fatalf("counts %+v, rejects %+v; want 4 accepted", counts, c.rejects)
	}
	want := map[string]struct {
		amount  recon.Amount
		account string
		utr     string
	}{
		"PO-1": {1999, "1234567890", "523223456789"},
		"PO-2": {6840, "1234567890", "612345678901"}, // the program made the account a number
		"PO-3": {54234818, "", ""},
		"PO-4": {30, "", ""},
	}
	for _, p := range c.payouts {
		w, ok := want[p.PayoutID]
		if !ok || p.Amount != w.amount || p.BeneficiaryAccount != w.account || p.UTR != w.utr || p.UTRCorrupted {
			t.Errorf("%s = amount %v account %q utr %q corrupted %v; want %+v", p.PayoutID, p.Amount, p.BeneficiaryAccount, p.UTR, p.UTRCorrupted, w)
		}
	}
}
