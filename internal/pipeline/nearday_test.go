package pipeline

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRowsOfTheNextDayJudgedByTheirRun: the merchant exports the orders
// ledger by UTC day, so the file of the 24th holds 05:30 IST on the 24th to
// 05:30 IST on the 25th. The run of the 25th reads the 24th's file as its
// previous day's and judges the 00:00–05:30 IST rows of the 25th there: X,
// whose amount the gateway disagrees with, is reported on the 25th with
// its line in the 24th's file. B, re-exported identically in the 25th's
// file, is one order, not a DUPLICATE_LEDGER_ROW; Y, re-exported with
// another amount, is. The run of the 24th lists the rows of the 25th its
// file holds; re-runs give the same reports. On main, X and Y were judged
// by no run.
func TestRowsOfTheNextDayJudgedByTheirRun(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "recon.db")
	out := filepath.Join(dir, "out")
	header := "order_id,amount,currency,status,created_at,transaction_id,payment_method\n"
	orders := func(date string) string { return filepath.Join(dir, "orders-"+date+".csv") }
	gateway := func(date string) string { return filepath.Join(dir, "gateway-"+date+".jsonl") }
	gw := func(id, amount, created string) string {
		return `{"order_id":"` + id + `","order_amount":"` + amount + `","currency":"INR","order_status":"PAID","created_at":"` +
			created + `","transaction_id":"T` + id + `"}` + "\n"
	}
	mustWrite(t, orders("2026-11-24"), header+
		"A,100.00,INR,success,2026-11-24T10:00:00+05:30,TA,UPI\n"+
		"B,200.00,INR,success,2026-11-25T01:00:00+05:30,TB,UPI\n"+
		"X,300.00,INR,success,2026-11-25T03:00:00+05:30,TX,UPI\n"+
		"Y,50.00,INR,success,2026-11-25T04:00:00+05:30,TY,UPI\n")
	mustWrite(t, orders("2026-11-25"), header+
		"B,200.00,INR,success,2026-11-25T01:00:00+05:30,TB,UPI\n"+
		"Y,55.00,INR,success,2026-11-25T04:00:00+05:30,TY,UPI\n"+
		"C,400.00,INR,success,2026-11-25T09:00:00+05:30,TC,UPI\n")
	mustWrite(t, gateway("2026-11-24"), gw("A", "100.00", "24-11-2026 10:00 AM"))
	mustWrite(t, gateway("2026-11-25"), gw("B", "200.00", "25-11-2026 01:00 AM")+gw("X", "301.00", "25-11-2026 03:00 AM")+
		gw("Y", "50.00", "25-11-2026 04:00 AM")+gw("C", "400.00", "25-11-2026 09:00 AM"))
	sources := func(date, prev, next string) Sources {
		return Sources{Orders: orders(date), Gateway: gateway(date), OrdersPrev: orders(prev), OrdersNext: orders(next)}
	}
	now := time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)

	runDateID(t, db, out, "2026-11-24", sources("2026-11-24", "2026-11-23", "2026-11-25"), now, "run-24")
	summary24 := readReports(t, filepath.Join(out, "2026-11-24"))["summary.csv"]
	for _, want := range []string{
		"input," + orders("2026-11-24") + ",rows_outside_day,3\n",
		"input," + orders("2026-11-24") + ",rows_dated_2026-11-25,3\n",
		"payin,ledger,count,1\n",
	} {
		if !strings.Contains(summary24, want) {
			t.Errorf("summary of the 24th has no line %q:\n%s", want, summary24)
		}
	}

	var reports []map[string]string
	for run := 1; run <= 2; run++ {
		runDateID(t, db, out, "2026-11-25", sources("2026-11-25", "2026-11-24", "2026-11-26"), now, fmt.Sprint("run-25-", run))
		reports = append(reports, readReports(t, filepath.Join(out, "2026-11-25")))
	}
	for name, first := range reports[0] {
		if reports[1][name] != first {
			t.Errorf("%s differs between two runs of the 25th:\n%s\n---\n%s", name, first, reports[1][name])
		}
	}
	rep := reports[1]
	tests := []struct {
		name, file, line string
		want             bool
	}{
		{"X's amount mismatch, with its line in the 24th's file", "mismatches.csv",
			"AMOUNT_MISMATCH,PAYIN,X,CRITICAL,true,2026-11-25,0,300.00,301.00,1.00,success,PAID,,,,Gateway amount 301.00 differs from ledger 300.00 by 1.00.," +
				orders("2026-11-24") + ":4 " + gateway("2026-11-25") + ":2", true},
		{"Y's two differing rows, one in each file", "duplicates.csv", "DUPLICATE_LEDGER_ROW,PAYIN,Y,", true},
		{"Y's evidence names both files", "duplicates.csv", orders("2026-11-25") + ":3 " + orders("2026-11-24") + ":5", true},
		{"B, exported twice alike, is no duplicate", "duplicates.csv", ",B,", false},
		{"no key missing in the ledger", "mismatches.csv", "MISSING_IN_LEDGER", false},
		{"the 25th's ledger rows: B, Y and C of its file, X and Y of the 24th's", "summary.csv", "payin,ledger,count,5\n", true},
		{"the 24th's file brought X and Y (B is the 25th's own)", "summary.csv", "input," + orders("2026-11-24") + ",rows_of_day,2\n", true},
		{"the 24th's rejects and figures are not the 25th's inputs", "summary.csv", "input," + orders("2026-11-24") + ",rows_read", false},
	}
	for _, tt := range tests {
		if got := strings.Contains(rep[tt.file], tt.line); got != tt.want {
			t.Errorf("%s: %s contains %q = %v, want %v:\n%s", tt.name, tt.file, tt.line, got, tt.want, rep[tt.file])
		}
	}
}

// TestPayoutsOfTheNextDayJudgedByTheirRun is the same for the payouts
// ledger: a payout of 02:00 IST on the 25th in the 24th's UTC-day file,
// which the gateway says failed, is a STATUS_MISMATCH of the 25th.
func TestPayoutsOfTheNextDayJudgedByTheirRun(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "recon.db")
	out := filepath.Join(dir, "out")
	header := "payout_order_id,amount,currency,status,utr,requested_at\n"
	payouts := func(date string) string { return filepath.Join(dir, "payouts-"+date+".csv") }
	mustWrite(t, payouts("2026-11-24"), header+
		"P1,100.00,INR,processed,UTR1,2026-11-24T10:00:00+05:30\n"+
		"P2,200.00,INR,processed,UTR2,2026-11-25T02:00:00+05:30\n")
	mustWrite(t, payouts("2026-11-25"), header+"P3,300.00,INR,processed,UTR3,2026-11-25T09:00:00+05:30\n")
	gw := mustWrite(t, filepath.Join(dir, "gateway-25.jsonl"),
		`{"payout_order_id":"P2","amount":"200.00","currency":"INR","payout_status":"FAILED","created_at":"25-11-2026 02:00 AM"}`+"\n"+
			`{"payout_order_id":"P3","amount":"300.00","currency":"INR","payout_status":"SUCCESS","utr":"UTR3","created_at":"25-11-2026 09:00 AM"}`+"\n")
	now := time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)
	runDateID(t, db, out, "2026-11-25", Sources{Payouts: payouts("2026-11-25"), Gateway: gw,
		PayoutsPrev: payouts("2026-11-24"), PayoutsNext: payouts("2026-11-26")}, now, "run-25")
	rep := readReports(t, filepath.Join(out, "2026-11-25"))
	want := "STATUS_MISMATCH,PAYOUT,P2,"
	if !strings.Contains(rep["mismatches.csv"], "\n"+want) || !strings.Contains(rep["mismatches.csv"], payouts("2026-11-24")+":3") {
		t.Errorf("mismatches of the 25th:\n%s\nwant %q… with evidence %s:3", rep["mismatches.csv"], want, payouts("2026-11-24"))
	}
	if strings.Contains(rep["mismatches.csv"], "P1") {
		t.Errorf("P1, of the 24th, is judged on the 25th:\n%s", rep["mismatches.csv"])
	}
	if want := "input," + payouts("2026-11-24") + ",rows_of_day,1\n"; !strings.Contains(rep["summary.csv"], want) {
		t.Errorf("summary of the 25th has no line %q:\n%s", want, rep["summary.csv"])
	}
}
