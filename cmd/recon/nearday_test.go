package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRunJudgesRowsOfItsDateInThePreviousFile runs `recon run --config`
// with {date} templates on a ledger exported by UTC day: the 24th's file
// holds an order of 03:00 IST on the 25th whose amount the gateway
// disagrees with. The run of the 25th reads the 24th's file as the
// previous date's and reports the mismatch with its line there; on main
// no run reported it.
func TestRunJudgesRowsOfItsDateInThePreviousFile(t *testing.T) {
	tmp := t.TempDir()
	header := "order_id,amount,currency,status,created_at,transaction_id,payment_method\n"
	for name, content := range map[string]string{
		"orders-2026-11-24.csv": header + "A,100.00,INR,success,2026-11-24 10:00,TA,UPI\n" +
			"X,300.00,INR,success,2026-11-25 03:00,TX,UPI\n",
		"orders-2026-11-25.csv": header + "C,400.00,INR,success,2026-11-25 09:00,TC,UPI\n",
		"gateway-2026-11-25.jsonl": `{"order_id":"X","order_amount":"301.00","currency":"INR","order_status":"PAID","created_at":"25-11-2026 03:00 AM","transaction_id":"TX"}` + "\n" +
			`{"order_id":"C","order_amount":"400.00","currency":"INR","order_status":"PAID","created_at":"25-11-2026 09:00 AM","transaction_id":"TC"}` + "\n",
		"recon.toml": "zone = \"Asia/Kolkata\"\ndb = \"recon.db\"\nout = \"reports\"\n[sources]\n" +
			"orders = \"orders-{date}.csv\"\ngateway = \"gateway-{date}.jsonl\"\n",
	} {
		writeTestFile(t, filepath.Join(tmp, name), content)
	}
	code, _, stderr := runRecon(t, time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC), "run", "--config",
		filepath.Join(tmp, "recon.toml"), "--date", "2026-11-25", "--offline")
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	b, err := os.ReadFile(filepath.Join(tmp, "reports", "2026-11-25", "mismatches.csv"))
	if err != nil {
		t.Fatal(err)
	}
	want := "AMOUNT_MISMATCH,PAYIN,X,"
	evidence := "orders-2026-11-24.csv:3 "
	var row string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, want) {
			row = l
		}
	}
	if row == "" || !strings.Contains(row, evidence) {
		t.Errorf("mismatches of the 25th:\n%s\nwant a row %q… with evidence %q", b, want, evidence)
	}
}
