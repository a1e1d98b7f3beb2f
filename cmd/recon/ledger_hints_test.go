package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLedgerHintsOnTheMessyDay: a run tells the user, in words they can
// act on, that rows were rejected (how many, from which file, where the
// report is) and that a ledger's ids came from numeric cells; the re-run
// of the unchanged day says so again.
func TestLedgerHintsOnTheMessyDay(t *testing.T) {
	inRepoRoot(t)
	t.Setenv("KWIKPAISA_WEBHOOK_SECRET", fixtureSecret)
	tmp := t.TempDir()
	args := []string{"run", "--config", "fixtures/messy/recon.toml", "--date", messyDate, "--offline",
		"--db", filepath.Join(tmp, "recon.db"), "--out", filepath.Join(tmp, "reports")}
	rejected := "  rejected  3 rows (2 from fixtures/messy/2026-11-25/orders.csv, 1 from fixtures/messy/2026-11-25/payouts.xlsx): " +
		"each with its line and reason in " + filepath.Join(tmp, "reports", messyDate, "rejects.csv") + "\n"
	numeric := "recon: warning: fixtures/messy/2026-11-25/payouts.xlsx: payout_order_id of 1 rows comes from numeric cells, " +
		"where a spreadsheet drops leading zeros (0012 becomes 12) and ids are matched exactly: format the column as Text " +
		"in the sheet and export again\n"
	for i, run := range []string{"first run", "re-run of the unchanged day"} {
		code, stdout, stderr := runRecon(t, fixtureNow.AddDate(0, 0, 1).Add(time.Duration(i)*time.Hour), args...)
		if code != 0 {
			t.Fatalf("%s: exit %d\n%s", run, code, stderr)
		}
		if !strings.Contains(stdout, rejected) {
			t.Errorf("%s: stdout lacks the rejected rows line %q:\n%s", run, rejected, stdout)
		}
		if strings.Count(stderr, numeric) != 1 {
			t.Errorf("%s: stderr says %d times %q, want once:\n%s", run, strings.Count(stderr, numeric), numeric, stderr)
		}
		if strings.Contains(stderr, "orders.csv: order_id") {
			t.Errorf("%s: a CSV's ids are text, yet stderr warns about them:\n%s", run, stderr)
		}
	}
}
