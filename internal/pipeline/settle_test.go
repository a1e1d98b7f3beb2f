package pipeline

import (
	"context"
	"encoding/csv"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kwikpaisa/recon/internal/config"
	"github.com/kwikpaisa/recon/internal/ingest"
	"github.com/kwikpaisa/recon/internal/ledger/sqlite"
	"github.com/kwikpaisa/recon/internal/match"
	"github.com/kwikpaisa/recon/internal/recon"
)

// settleRun runs date with the settlement reports and bank statements of
// dir's settlements/ and bank/ folders (templates ending in .*), or
// without them when settle is false.
func settleRun(t *testing.T, dir, date string, src Sources, now time.Time, settle bool) *Result {
	t.Helper()
	zone := time.FixedZone("IST", 19800)
	cfg := Config{Date: date, Zone: zone, Sources: src, DB: filepath.Join(dir, "recon.db"), Out: filepath.Join(dir, "out"),
		Offline: true, Ingest: ingest.DefaultOptions(zone), Match: match.DefaultOptions(), Now: func() time.Time { return now }}
	if settle {
		tmpl := func(folder string) func(string) (string, error) {
			return func(d string) (string, error) { return config.ExpandOne(filepath.Join(dir, folder, "{date}.*"), d) }
		}
		opts := match.DefaultSettlementOptions()
		fees, err := config.FeeSchedule(map[string]string{"default": "2.00%", "upi": "0%"})
		if err != nil {
			t.Fatal(err)
		}
		opts.Fees = fees
		cfg.Settlement = &Settlement{Report: tmpl("settlements"), Bank: tmpl("bank"), Options: opts}
	}
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("run %s: %v", date, err)
	}
	return res
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestSettlementRunAndRecheck runs two dates over one SQLite file with
// settlement reports and bank statements on disk: the run of the 24th
// reads the refund deducted in the report of the 26th (its window), finds
// the credit whose narration cuts the UTR at 12 characters, and reports
// the unpaid order as provisionally UNSETTLED. A run of the 25th without
// settlement sources keeps that exception open; a run of the 25th with a
// report that settles the order resolves it.
func TestSettlementRunAndRecheck(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"settlements", "bank"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	header := "order_id,amount,currency,status,created_at,transaction_id,payment_method\n"
	gw := func(id, amount, status string) string {
		return `{"order_id":"` + id + `","order_amount":"` + amount + `","currency":"INR","order_status":"` + status +
			`","created_at":"24-11-2026 10:00 AM","transaction_id":"T` + id + `"}` + "\n"
	}
	day := Sources{
		Orders: mustWrite(t, filepath.Join(dir, "orders-24.csv"), header+
			"A,100.00,INR,success,2026-11-24 10:00:00,TA,card\n"+
			"B,200.00,INR,refunded,2026-11-24 10:00:00,TB,card\n"+
			"C,50.00,INR,success,2026-11-24 10:00:00,TC,upi\n"),
		Gateway: mustWrite(t, filepath.Join(dir, "gateway-24.jsonl"), gw("A", "100.00", "PAID")+gw("B", "200.00", "REFUNDED")+gw("C", "50.00", "PAID")),
	}
	sh := "settlement_id,settlement_utr,settled_at,event_type,order_id,payment_method,amount,fee,tax,net_amount\n"
	mustWrite(t, filepath.Join(dir, "settlements", "2026-11-24.csv"), sh+
		"STL-1,KKBKH26328000001,2026-11-24 18:00,payment,A,card,100.00,2.00,0.36,97.64\n"+
		"STL-1,KKBKH26328000001,2026-11-24 18:00,payment,B,card,200.00,4.00,0.72,195.28\n"+
		"STL-1,KKBKH26328000001,2026-11-24 18:00,payment,Z,card,1.00,0.02,0.00,abc\n")
	mustWrite(t, filepath.Join(dir, "settlements", "2026-11-26.csv"), sh+
		"STL-2,KKBKH26330000002,2026-11-26 18:00,refund,B,,200.00,0.00,0.00,-200.00\n")
	mustWrite(t, filepath.Join(dir, "bank", "2026-11-25.csv"), "Date,Narration,Chq./Ref.No.,Withdrawal Amt.,Deposit Amt.\n"+
		"25/11/2026,NEFT CR-KWIKPAISA PAYMENTS-KKBKH2632800,,,292.92\n")
	now := time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC) // the 24th's windows are open

	res := settleRun(t, dir, "2026-11-24", day, now, true)
	rows := readCSV(t, filepath.Join(res.Dir, "settlements.csv"))
	if len(rows) != 2 || rows[1][0] != "UNSETTLED" || rows[1][2] != "C" || rows[1][4] != "true" || rows[1][8] != "50.00" {
		t.Fatalf("settlements.csv = %v, want one provisional UNSETTLED row for C of 50.00", rows)
	}
	sum := map[string]string{}
	for _, m := range res.Report.Summary {
		sum[m.Section+"/"+m.Item+"/"+m.Name] = m.Value
	}
	for k, want := range map[string]string{
		"settlements//gross": "300.00", "settlements//fees": "6.00", "settlements//gst": "1.08", "settlements//net": "292.92",
		"settlements//effective_fee_rate_pct": "2.0000", "settlements//bank_credits_matched": "1",
		"settlements//bank_credits_matched_amount": "292.92", "settlements//unsettled_payments": "1",
		"settlements//unsettled_amount": "50.00", "category/UNSETTLED/count": "1", "category/FEE_MISMATCH/count": "0",
	} {
		if sum[k] != want {
			t.Errorf("summary %s = %q, want %q", k, sum[k], want)
		}
	}
	var kinds []string
	for _, in := range res.Report.Inputs {
		kinds = append(kinds, in.Kind+":"+filepath.Base(in.Path))
	}
	if got := strings.Join(kinds, " "); got != "orders:orders-24.csv gateway:gateway-24.jsonl settlements:2026-11-24.csv settlements:2026-11-26.csv bank:2026-11-25.csv" {
		t.Errorf("inputs = %s", got)
	}
	if len(res.Report.Rejects) != 1 || res.Report.Rejects[0].Line != "4" || res.Report.Rejects[0].Column != "net_amount" {
		t.Errorf("rejects = %+v, want net_amount on line 4 of the report", res.Report.Rejects)
	}

	// The 25th without settlement sources: the 24th's UNSETTLED stays open.
	day25 := Sources{Orders: mustWrite(t, filepath.Join(dir, "orders-25.csv"), header)}
	later := time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)
	res25 := settleRun(t, dir, "2026-11-25", day25, later, false)
	if _, err := os.Stat(filepath.Join(res25.Dir, "settlements.csv")); !os.IsNotExist(err) {
		t.Errorf("a run without settlements wrote settlements.csv (%v)", err)
	}
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, "recon.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	open, err := db.OpenExceptions(context.Background(), "2026-11-24", recon.ReportSettlements)
	if err != nil || len(open) != 1 || open[0].Reference != "C" {
		t.Fatalf("open settlement exceptions of the 24th after a run without them = %+v, %v; want UNSETTLED C", open, err)
	}

	// The 25th with a report that settles C: the re-check resolves it.
	mustWrite(t, filepath.Join(dir, "settlements", "2026-11-25.csv"), sh+
		"STL-3,KKBKH26329000003,2026-11-25 18:00,payment,C,upi,50.00,0.00,0.00,50.00\n")
	settleRun(t, dir, "2026-11-25", day25, later.Add(time.Minute), true)
	open, err = db.OpenExceptions(context.Background(), "2026-11-24", recon.ReportSettlements)
	if err != nil || len(open) != 0 {
		t.Fatalf("open settlement exceptions of the 24th after C settled = %+v, %v; want none", open, err)
	}
}

// TestSettlementWindowWithoutFiles runs a day whose settlement and bank
// templates name no existing file: the run completes, its log warns about
// each, and its settlement report lists the paid order as unsettled.
func TestSettlementWindowWithoutFiles(t *testing.T) {
	dir := t.TempDir()
	zone := time.FixedZone("IST", 19800)
	var logBuf strings.Builder
	tmpl := func(d string) (string, error) { return config.ExpandOne(filepath.Join(dir, "none", "{date}.*"), d) }
	cfg := Config{Date: "2026-11-24", Zone: zone, DB: filepath.Join(dir, "recon.db"), Out: filepath.Join(dir, "out"), Offline: true,
		Sources: Sources{Orders: mustWrite(t, filepath.Join(dir, "orders.csv"),
			"order_id,amount,currency,status,created_at\nA,100.00,INR,success,2026-11-24 10:00:00\n")},
		Ingest: ingest.DefaultOptions(zone), Match: match.DefaultOptions(),
		Settlement: &Settlement{Report: tmpl, Bank: tmpl, Options: match.DefaultSettlementOptions()},
		Now:        func() time.Time { return time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) },
		Log:        slog.New(slog.NewTextHandler(&logBuf, nil)),
	}
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"settlements", "bank"} {
		if !strings.Contains(logBuf.String(), "no "+kind+" file exists for any date of the window") {
			t.Errorf("log does not warn that no %s file exists:\n%s", kind, logBuf.String())
		}
	}
	rows := readCSV(t, filepath.Join(res.Dir, "settlements.csv"))
	if len(rows) != 2 || rows[1][0] != "UNSETTLED" || rows[1][4] != "false" {
		t.Errorf("settlements.csv = %v, want A UNSETTLED, not provisional a week later", rows)
	}
}
