package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kwikpaisa/recon/internal/ingest"
	"github.com/kwikpaisa/recon/internal/ledger/sqlite"
	"github.com/kwikpaisa/recon/internal/match"
)

func mustWrite(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func runDate(t *testing.T, db, out, date string, src Sources, now time.Time) map[string]string {
	t.Helper()
	return runDateID(t, db, out, date, src, now, "")
}

// runDateID is runDate with a run id: two runs at one clock need two.
func runDateID(t *testing.T, db, out, date string, src Sources, now time.Time, runID string) map[string]string {
	t.Helper()
	zone := time.FixedZone("IST", 19800)
	res, err := Run(context.Background(), Config{
		Date: date, Zone: zone, Sources: src, DB: db, Out: out, Offline: true, RunID: runID,
		Ingest: ingest.DefaultOptions(zone), Match: match.DefaultOptions(), Now: func() time.Time { return now },
	})
	if err != nil {
		t.Fatalf("run %s: %v", date, err)
	}
	figures := map[string]string{}
	for _, m := range res.Report.Summary {
		if m.Section == "ageing" {
			figures[strings.TrimPrefix(m.Item+" ", " ")+m.Name] = m.Value
		}
	}
	return figures
}

// TestRecheckOverTwoDates runs two dates over one real SQLite file. The
// first date has a payment missing at the gateway and an amount mismatch;
// the second date's dump brings the missing record late, so the run of the
// second date re-checks the first: one exception resolved, one still open
// and a day old. A re-run of the second date counts the same.
func TestRecheckOverTwoDates(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "recon.db")
	header := "order_id,amount,currency,status,created_at,transaction_id,payment_method\n"
	gw := func(id, amount, created string) string {
		return `{"order_id":"` + id + `","order_amount":"` + amount + `","currency":"INR","order_status":"PAID","created_at":"` +
			created + `","transaction_id":"T` + id + `"}` + "\n"
	}
	day1 := Sources{
		Orders: mustWrite(t, filepath.Join(dir, "orders-23.csv"), header+
			"A,100.00,INR,success,2026-11-23 10:00:00,TA,UPI\n"+
			"B,200.00,INR,success,2026-11-23 11:00:00,TB,UPI\n"+
			"C,300.00,INR,success,2026-11-23 12:00:00,TC,UPI\n"),
		Gateway: mustWrite(t, filepath.Join(dir, "gateway-23.jsonl"),
			gw("A", "100.00", "23-11-2026 10:00 AM")+gw("C", "300.01", "23-11-2026 12:00 PM")),
	}
	day2 := Sources{
		Orders: mustWrite(t, filepath.Join(dir, "orders-24.csv"), header+"D,400.00,INR,success,2026-11-24 09:00:00,TD,UPI\n"),
		// B arrives late, in the next day's dump, created on the 23rd.
		Gateway: mustWrite(t, filepath.Join(dir, "gateway-24.jsonl"),
			gw("D", "400.00", "24-11-2026 09:00 AM")+gw("B", "200.00", "23-11-2026 11:00 AM")),
	}
	now := time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)

	first := runDate(t, db, filepath.Join(dir, "out"), "2026-11-23", day1, now)
	want1 := map[string]string{"recheck_window_days": "7", "new": "2", "still_open": "0", "resolved": "0", "oldest_open_days": "0"}
	for k, v := range want1 {
		if first[k] != v {
			t.Errorf("run of 23rd: ageing %s = %q, want %q (all: %v)", k, first[k], v, first)
		}
	}

	want2 := map[string]string{"new": "0", "still_open": "1", "resolved": "1", "oldest_open_days": "1",
		"2026-11-23 still_open": "1", "2026-11-23 resolved": "1", "2026-11-23 new": "0"}
	for run := 1; run <= 2; run++ {
		second := runDate(t, db, filepath.Join(dir, "out"), "2026-11-24", day2, now.Add(time.Duration(run)*time.Minute))
		for k, v := range want2 {
			if second[k] != v {
				t.Errorf("run %d of 24th: ageing %s = %q, want %q (all: %v)", run, k, second[k], v, second)
			}
		}
	}

	// The 24th's report carries the 23rd's open exception with its age, not
	// the resolved one.
	b, err := os.ReadFile(filepath.Join(dir, "out", "2026-11-24", "mismatches.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows := strings.Split(strings.TrimSpace(string(b)), "\n")[1:]
	if len(rows) != 1 || !strings.HasPrefix(rows[0], "AMOUNT_MISMATCH,PAYIN,C,CRITICAL,true,2026-11-23,1,300.00,300.01,0.01,") {
		t.Errorf("mismatches of the 24th:\n%s\nwant only C's amount mismatch, first seen 2026-11-23, 1 day old", strings.Join(rows, "\n"))
	}

	store, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	open, err := store.OpenDates(context.Background(), "2026-11-25", 7)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(open, ",") != "2026-11-23" {
		t.Errorf("dates with open exceptions before the 25th = %v, want [2026-11-23]", open)
	}
}

// readReports returns the CSV reports of a run's folder, by file name.
func readReports(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, name := range []string{"summary.csv", "mismatches.csv", "duplicates.csv", "missing_utr.csv", "rejects.csv"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		out[name] = string(b)
	}
	return out
}

// TestRerunSameReports: a second run of a date, same inputs and clock,
// writes byte-identical CSVs, also when the date's re-check of the day
// before raises there the same (category, reference) as the date's own
// run. Order X is in both days' ledgers at 100.00; the 23rd's dump lacks
// it (MISSING_AT_GATEWAY, open), the 24th's has it at 101.00: the 24th
// reports AMOUNT_MISMATCH X, and its re-check of the 23rd finds the same
// there. The 24th's own row is first seen on the 24th, both times.
func TestRerunSameReports(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "recon.db")
	out := filepath.Join(dir, "out")
	header := "order_id,amount,currency,status,created_at,transaction_id,payment_method\n"
	day1 := Sources{
		Orders: mustWrite(t, filepath.Join(dir, "orders-23.csv"), header+
			"X,100.00,INR,success,2026-11-23 10:00:00,TX,UPI\n"+
			"A,100.00,INR,success,2026-11-23 11:00:00,TA,UPI\n"),
		Gateway: mustWrite(t, filepath.Join(dir, "gateway-23.jsonl"),
			`{"order_id":"A","order_amount":"100.00","currency":"INR","order_status":"PAID","created_at":"23-11-2026 11:00 AM","transaction_id":"TA"}`+"\n"),
	}
	day2 := Sources{
		Orders: mustWrite(t, filepath.Join(dir, "orders-24.csv"), header+"X,100.00,INR,success,2026-11-24 10:00:00,TX,UPI\n"),
		Gateway: mustWrite(t, filepath.Join(dir, "gateway-24.jsonl"),
			`{"order_id":"X","order_amount":"101.00","currency":"INR","order_status":"PAID","created_at":"24-11-2026 10:00 AM","transaction_id":"TX"}`+"\n"),
	}
	now := time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)
	runDate(t, db, out, "2026-11-23", day1, now)

	var reports []map[string]string
	var ageing []map[string]string
	for run := 1; run <= 2; run++ {
		ageing = append(ageing, runDateID(t, db, out, "2026-11-24", day2, now, fmt.Sprintf("rerun-%d", run)))
		reports = append(reports, readReports(t, filepath.Join(out, "2026-11-24")))
	}
	for name, first := range reports[0] {
		if second := reports[1][name]; second != first {
			t.Errorf("%s differs between two runs of the 24th:\nfirst:\n%s\nsecond:\n%s", name, first, second)
		}
	}
	for k, v := range ageing[0] {
		if ageing[1][k] != v {
			t.Errorf("ageing %s = %q on the second run, %q on the first", k, ageing[1][k], v)
		}
	}
	want := "AMOUNT_MISMATCH,PAYIN,X,CRITICAL,true,2026-11-24,0,100.00,101.00,1.00,"
	if !strings.Contains(reports[1]["mismatches.csv"], "\n"+want) {
		t.Errorf("mismatches of the 24th (second run):\n%s\nwant a row starting %q", reports[1]["mismatches.csv"], want)
	}
}
