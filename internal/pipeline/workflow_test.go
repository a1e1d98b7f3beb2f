package pipeline

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/kwikpaisa/recon/internal/ingest"
	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/ledger/sqlite"
	"github.com/kwikpaisa/recon/internal/match"
	"github.com/kwikpaisa/recon/internal/recon"
)

// TestOpenItemsFollowStates: the run of the 24th re-checks the 23rd; the
// 23rd's exception a person is investigating is an open item with its
// state and age and is carried into the 24th's reports; once the person
// resolves it, a re-run of the 24th neither lists nor carries it, and the
// summary stops counting it. The 23rd's exception the late record settled
// is resolved by the run, in the audit trail.
func TestOpenItemsFollowStates(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "recon.db")
	header := "order_id,amount,currency,status,created_at,transaction_id,payment_method\n"
	gw := func(id, amount, created string) string {
		return `{"order_id":"` + id + `","order_amount":"` + amount + `","currency":"INR","order_status":"PAID","created_at":"` +
			created + `","transaction_id":"T` + id + `"}` + "\n"
	}
	day1 := Sources{
		Orders: mustWrite(t, filepath.Join(dir, "orders-23.csv"), header+
			"B,200.00,INR,success,2026-11-23 11:00:00,TB,UPI\n"+
			"C,300.00,INR,success,2026-11-23 12:00:00,TC,UPI\n"),
		Gateway: mustWrite(t, filepath.Join(dir, "gateway-23.jsonl"), gw("C", "300.01", "23-11-2026 12:00 PM")),
	}
	day2 := Sources{
		Orders:  mustWrite(t, filepath.Join(dir, "orders-24.csv"), header+"D,400.00,INR,success,2026-11-24 09:00:00,TD,UPI\n"),
		Gateway: mustWrite(t, filepath.Join(dir, "gateway-24.jsonl"), gw("D", "400.00", "24-11-2026 09:00 AM")+gw("B", "200.00", "23-11-2026 11:00 AM")),
	}
	zone := time.FixedZone("IST", 19800)
	now := time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)
	run := func(date string, src Sources) *Result {
		t.Helper()
		now = now.Add(time.Minute) // a run id each
		res, err := Run(ctx, Config{Date: date, Zone: zone, Sources: src, DB: db, Out: filepath.Join(dir, "out"), Offline: true,
			Ingest: ingest.DefaultOptions(zone), Match: match.DefaultOptions(), Now: func() time.Time { return now }})
		if err != nil {
			t.Fatalf("run %s: %v", date, err)
		}
		return res
	}
	run("2026-11-23", day1)
	store, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	c := ledger.Key{Date: "2026-11-23", Category: recon.AmountMismatch, Entity: recon.EntityPayin, Reference: "C"}
	record := func(to recon.State, note string) {
		t.Helper()
		if _, err := store.Record(ctx, []ledger.Change{{Key: c, To: to, Note: note, Who: "asha"}}); err != nil {
			t.Fatal(err)
		}
	}
	record(recon.StateInvestigating, "")

	res := run("2026-11-24", day2)
	items := res.Report.OpenItems
	if len(items) != 1 || items[0].Reference != "C" || items[0].Date != "2026-11-23" ||
		items[0].State != recon.StateInvestigating || items[0].AgeDays != 1 {
		t.Errorf("open items = %+v, want C of the 23rd, INVESTIGATING, 1 day old", items)
	}
	if !carries(res.Report.Exceptions, "C") {
		t.Errorf("the 24th's reports do not carry C, which is still open")
	}

	record(recon.StateResolved, "refunded the paisa")
	res = run("2026-11-24", day2)
	if len(res.Report.OpenItems) != 0 || carries(res.Report.Exceptions, "C") {
		t.Errorf("after C was resolved: open items %+v, carried %v; want neither", res.Report.OpenItems, carries(res.Report.Exceptions, "C"))
	}
	for _, m := range res.Report.Summary {
		if m.Section == "category" && m.Item == string(recon.AmountMismatch) && m.Name == "count" && m.Value != "0" {
			t.Errorf("summary counts %s AMOUNT_MISMATCH, want 0: C is resolved", m.Value)
		}
	}
	trail, err := store.Audit(ctx, "2026-11-23")
	if err != nil {
		t.Fatal(err)
	}
	var byRun []string
	for _, a := range trail {
		if a.RunID != "" {
			byRun = append(byRun, a.Key.Reference+" "+string(a.To))
		}
	}
	if len(byRun) != 1 || byRun[0] != "B RESOLVED" {
		t.Errorf("the runs' audit entries = %q, want B resolved once (by the first run of the 24th)", byRun)
	}
}

func carries(exs []recon.Exception, ref string) bool {
	for _, e := range exs {
		if e.Reference == ref {
			return true
		}
	}
	return false
}
