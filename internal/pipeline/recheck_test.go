package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kwikpaisa/recon/internal/ingest"
	"github.com/kwikpaisa/recon/internal/ledger"
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
	zone := time.FixedZone("IST", 19800)
	res, err := Run(context.Background(), Config{
		Date: date, Zone: zone, Sources: src, DB: db, Out: out, Offline: true,
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

	store, err := ledger.Open(context.Background(), db)
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
