package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kwikpaisa/recon/internal/kwikpaisa"
)

// TestForgedOrStaleWebhooksAreNoEvidence runs a day whose gateway says
// four orders were paid, with a webhook log that tries to pass bad
// deliveries as evidence: a valid signature with a stale timestamp (A), a
// signature made with a rotated-out secret (B, claiming the order
// failed), a fresh delivery replayed later (C), a signature of the wrong
// length (D). None clears WEBHOOK_MISSING or makes a WEBHOOK_CONFLICT;
// each is reported for what it is.
func TestForgedOrStaleWebhooksAreNoEvidence(t *testing.T) {
	const current, rotatedOut = "whsec_current_2026", "whsec_rotated_out_2025"
	t.Setenv("KWIKPAISA_WEBHOOK_SECRET", current)
	tmp := t.TempDir()
	ist := time.FixedZone("IST", 19800)
	paidAt := time.Date(2026, 11, 24, 10, 0, 0, 0, ist)

	var orders, gateway strings.Builder
	orders.WriteString("order_id,amount,currency,status,created_at,transaction_id\n")
	for _, id := range []string{"A", "B", "C", "D"} {
		fmt.Fprintf(&orders, "%s,100.00,INR,paid,2026-11-24 10:00:00,T-%s\n", id, id)
		fmt.Fprintf(&gateway, `{"order_id":"%s","order_amount":"100.00","currency":"INR","order_status":"PAID","transaction_id":"T-%s","created_at":"24-11-2026 10:00 AM","paid_at":"24-11-2026 10:00 AM"}`+"\n", id, id)
	}
	body := func(id, event string) string {
		return fmt.Sprintf(`{"data":{"amount":"100.00","currency":"INR","order_id":"%s","status":"PAID","transaction_id":"T-%s"},"event":"%s"}`, id, id, event)
	}
	cBody := body("C", "payment.processing")
	var hooks strings.Builder
	for _, h := range []struct {
		secret, body string
		sent, recv   time.Time
		sig          func(string) string
	}{
		{secret: current, body: body("A", "payment.success"), sent: paidAt, recv: paidAt.Add(time.Hour)},     // stale
		{secret: rotatedOut, body: body("B", "payment.failed"), sent: paidAt, recv: paidAt.Add(time.Second)}, // forged
		{secret: current, body: cBody, sent: paidAt, recv: paidAt.Add(time.Second)},                          // genuine, not final
		{secret: current, body: cBody, sent: paidAt, recv: paidAt.Add(2 * time.Hour)},                        // C replayed
		{secret: current, body: body("D", "payment.success"), sent: paidAt, recv: paidAt, sig: func(s string) string { // cut short
			return s[:40]
		}},
	} {
		ts := fmt.Sprint(h.sent.Unix())
		sig := kwikpaisa.Sign(h.secret, []byte(h.body), ts)
		if h.sig != nil {
			sig = h.sig(sig)
		}
		line, _ := json.Marshal(map[string]any{"received_at": h.recv.Format(time.RFC3339Nano),
			"headers": map[string]string{"X-Signature": sig, "X-Timestamp": ts}, "body": h.body})
		hooks.Write(append(line, '\n'))
	}
	files := map[string]string{"orders.csv": orders.String(), "gateway.jsonl": gateway.String(), "webhooks.jsonl": hooks.String()}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(tmp, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	code, _, stderr := runRecon(t, fixtureNow, "run", "--date", fixtureDate, "--offline",
		"--orders", filepath.Join(tmp, "orders.csv"), "--gateway", filepath.Join(tmp, "gateway.jsonl"),
		"--webhooks", filepath.Join(tmp, "webhooks.jsonl"), "--db", filepath.Join(tmp, "recon.db"), "--out", filepath.Join(tmp, "out"))
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var got []string
	for _, name := range []string{"mismatches.csv", "duplicates.csv"} {
		rows := readCSV(t, filepath.Join(tmp, "out", fixtureDate, name))
		for _, r := range rows[1:] {
			got = append(got, r[0]+" "+r[2])
		}
	}
	sort.Strings(got)
	want := []string{
		"DUPLICATE_WEBHOOK C",
		"WEBHOOK_MISSING A", "WEBHOOK_MISSING B", "WEBHOOK_MISSING C", "WEBHOOK_MISSING D",
		"WEBHOOK_REPLAYED A", "WEBHOOK_REPLAYED C",
		"WEBHOOK_SIGNATURE_INVALID B", "WEBHOOK_SIGNATURE_INVALID D",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("exceptions (category reference):\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
