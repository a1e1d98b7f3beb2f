package ingest

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kwikpaisa/recon/internal/kwikpaisa"
	"github.com/kwikpaisa/recon/internal/recon"
)

func TestReadGateway(t *testing.T) {
	lines := []string{
		`{"kwikX_order_id":1234567890123456789012345,"order_id":"ORD-1","order_amount":"105.00","currency":"INR","order_status":"PAID","transaction_id":98765432109876543210,"created_at":"24-11-2026 10:15 AM","paid_at":"24-11-2026 10:16 AM"}`,
		`{"order_id":"ORD-2","order_amount":"1,05","order_status":"PAID","created_at":"24-11-2026 10:15 AM"}`,
		`not json at all`,
		``,
		`{"payout_order_id":"PO-1","kwikx_payout_id":"KXP-9","amount":"10.00","payout_status":"SUCCESS","rrn_number":" 523223000001 ","transfer_mode":"imps","beneficiary_ifsc":"hdfc0000001","created_at":"2026-11-24 10:15:00","processed_at":"24-11-2026 10:20 AM"}`,
		`{"payout_order_id":"PO-2","amount":"10.00","payout_status":"LOST","created_at":"24-11-2026 10:15 AM"}`,
		`{"order_id":"ORD-3","order_amount":"1.00","order_status":"UN_PAID","created_at":"yesterday"}`,
		`{"order_id":"ORD-4","order_amount":"1.00","order_status":"EXPIRED","created_at":"24-11-2026 10:15 AM"} {"x":1}`,
	}
	path := writeFile(t, "gateway.jsonl", strings.Join(lines, "\n"))
	c, counts := mustRead(t, ReadGateway, path, testOptions())
	if counts.Read != 7 || counts.Accepted != 2 {
		t.Errorf("counts %+v, want 7 read (the blank line is no record), 2 accepted", counts)
	}
	if len(c.gateway) != 2 {
		t.Fatalf("gateway records %+v", c.gateway)
	}
	g := c.gateway[0]
	if g.Detail.GatewayID != "1234567890123456789012345" || g.TransactionID != "98765432109876543210" || g.Key != "ORD-1" ||
		g.Amount != 10500 || g.Class != recon.StatusSuccess || g.Place.Line() != "1" ||
		!g.CreatedAt.Time().Equal(time.Date(2026, 11, 24, 10, 15, 0, 0, ist)) || !g.Detail.SettledAt.Equal(time.Date(2026, 11, 24, 10, 16, 0, 0, ist)) {
		t.Errorf("pay-in record = %+v; long numeric ids must be kept digit for digit", g)
	}
	p := c.gateway[1]
	if p.Entity != recon.EntityPayout || p.Key != "PO-1" || p.UTR != "523223000001" || p.Detail.TransferMode != "IMPS" || p.BeneficiaryIFSC != "HDFC0000001" || p.Place.Line() != "5" {
		t.Errorf("payout record = %+v", p)
	}
	wantRejects := map[string]string{
		"2": "thousands separator", "3": "line is not a JSON object", "6": `status "LOST"`, "7": "date is not in a form", "8": "more than one JSON value",
	}
	for line, reason := range wantRejects {
		if r := rejectOf(c, line); r == nil || !strings.Contains(r.Reason, reason) || r.File != path {
			t.Errorf("line %s: reject %+v, want reason containing %q", line, r, reason)
		}
	}
}

// delivery builds one webhook log line.
type delivery struct {
	received string
	headers  map[string]any
	body     string
}

func (d delivery) line() string {
	b, _ := json.Marshal(map[string]any{"received_at": d.received, "headers": d.headers, "body": d.body})
	return string(b)
}

func signed(secret, body, ts string) map[string]any {
	return map[string]any{"X-Signature": kwikpaisa.Sign(secret, []byte(body), ts), "X-Timestamp": ts}
}

func TestReadWebhooks(t *testing.T) {
	const ts = "1763959502" // 2025-11-24 04:45:02 UTC
	recv := time.Unix(1763959502, 0).In(ist).Format("2006-01-02T15:04:05.000-07:00")
	body := func(event, key, extra string) string {
		field := "order_id"
		if strings.HasPrefix(event, "payout") {
			field = "payout_order_id"
		}
		return fmt.Sprintf(`{"event":%q,"data":{%q:%q,"currency":"INR"%s}}`, event, field, key, extra)
	}
	b1 := body("payment.success", "ORD-1", `,"amount":"105.00","transaction_id":"TXN-1"`)
	b2 := body("payment.success", "ORD-2", `,"order_amount":"1,050.00"`)
	b3 := body("payout.success", "PO-1", `,"amount":"10.00","utr":"523223000001"`)
	b4 := body("payout.reversed", "PO-2", `,"amount":"10.00"`)
	canonBody := `{ "event": "payment.failed", "data": { "order_id": "ORD-3", "amount": "1.00" } }`
	canon, _ := kwikpaisa.CanonicalJSON([]byte(canonBody))
	lowerHeaders := map[string]any{"x-signature": kwikpaisa.Sign("whsec_old", []byte(b2), ts), "X-TIMESTAMP": ts}
	listHeaders := map[string]any{"X-Signature": []string{kwikpaisa.Sign("whsec_test", []byte(b4), ts)}, "X-Timestamp": []string{ts}}
	staleRecv := time.Unix(1763959502+301, 0).UTC().Format(time.RFC3339)
	edgeRecv := time.Unix(1763959502-300, 0).UTC().Format(time.RFC3339)
	lines := []string{
		delivery{recv, signed("whsec_test", b1, ts), b1}.line(), // 1 raw, first secret
		delivery{recv, lowerHeaders, b2}.line(),                 // 2 raw, rotated secret, lower-case headers
		delivery{recv, map[string]any{"X-Signature": kwikpaisa.Sign("whsec_test", canon, ts), "X-Timestamp": ts}, canonBody}.line(), // 3 canonical
		delivery{recv, signed("whsec_wrong", b3, ts), b3}.line(),                                                                    // 4 bad signature
		delivery{recv, map[string]any{"X-Timestamp": ts}, b3}.line(),                                                                // 5 no signature
		delivery{staleRecv, signed("whsec_test", b3, ts), b3}.line(),                                                                // 6 stale: 301 s late
		delivery{edgeRecv, signed("whsec_test", b3, ts), b3}.line(),                                                                 // 7 fresh: exactly 300 s
		delivery{recv, listHeaders, b4}.line(),                                                                                      // 8 headers stored as lists
		delivery{recv, signed("whsec_test", b1, ts), b1}.line(),                                                                     // 9 the same body again
		`{"received_at":"2026-11-24T10:15:02+05:30","headers":{}}`,                                                                  // 10 no body
		`{"received_at":"someday","headers":{},"body":"{}"}`,                                                                        // 11 bad received_at
		delivery{recv, signed("whsec_test", "{not json", ts), "{not json"}.line(),                                                   // 12 signed, not JSON: never verified
		delivery{recv, signed("whsec_wrong", "{not json", ts), "{not json"}.line(),                                                  // 13 unverified, unreadable body
		delivery{recv, map[string]any{"X-Signature": "zz", "X-Timestamp": "soon"}, b1}.line(),                                       // 14 bad timestamp
	}
	opts := testOptions()
	opts.WebhookSecrets = []string{"whsec_test", "whsec_old"}
	path := writeFile(t, "webhooks.jsonl", strings.Join(lines, "\n")+"\n")
	c, counts := mustRead(t, ReadWebhooks, path, opts)
	if counts.Read != 14 || counts.Rejected != 2 {
		t.Errorf("counts %+v, want 14 read, 2 rejected", counts)
	}
	byLine := map[string]recon.Delivery{}
	for _, d := range c.deliveries {
		byLine[d.Place.Line()] = d
	}
	tests := []struct {
		line     string
		verified recon.VerifyMethod
		stale    bool
		evidence bool
		key      string
		class    recon.StatusClass
	}{
		{"1", recon.VerifyRaw, false, true, "ORD-1", recon.StatusSuccess},
		{"2", recon.VerifyRaw, false, true, "ORD-2", recon.StatusSuccess},
		{"3", recon.VerifyCanonical, false, true, "ORD-3", recon.StatusNotPaid},
		{"4", recon.VerifyNone, false, false, "PO-1", recon.StatusSuccess},
		{"5", recon.VerifyNone, false, false, "PO-1", recon.StatusSuccess},
		{"6", recon.VerifyRaw, true, false, "PO-1", recon.StatusSuccess},
		{"7", recon.VerifyRaw, false, true, "PO-1", recon.StatusSuccess},
		{"8", recon.VerifyRaw, false, true, "PO-2", recon.StatusReversed},
		{"9", recon.VerifyRaw, false, true, "ORD-1", recon.StatusSuccess},
		{"12", recon.VerifyNone, false, false, "", recon.StatusNone},
		{"13", recon.VerifyNone, false, false, "", recon.StatusNone},
		{"14", recon.VerifyNone, true, false, "ORD-1", recon.StatusSuccess},
	}
	for _, tt := range tests {
		d, ok := byLine[tt.line]
		if !ok {
			t.Errorf("line %s: delivery not stored (reject %+v)", tt.line, rejectOf(c, tt.line))
			continue
		}
		if d.Verified != tt.verified || d.Stale != tt.stale || d.Evidence() != tt.evidence || d.Key != tt.key || d.Class != tt.class {
			t.Errorf("line %s: verified %q stale %v evidence %v key %q class %s; want %q %v %v %q %s",
				tt.line, d.Verified, d.Stale, d.Evidence(), d.Key, d.Class, tt.verified, tt.stale, tt.evidence, tt.key, tt.class)
		}
	}
	if d := byLine["2"]; !d.HasAmount || d.Amount != 105000 {
		t.Errorf("order_amount fallback: amount %v (has %v), want 1050.00", d.Amount, d.HasAmount)
	}
	if d := byLine["1"]; d.TransactionID != "TXN-1" || d.Amount != 10500 || d.Timestamp != 1763959502 {
		t.Errorf("line 1 = %+v", d)
	}
	if d := byLine["7"]; d.UTR != "523223000001" {
		t.Errorf("line 7 utr = %q", d.UTR)
	}
	if byLine["1"].BodySHA256 != byLine["9"].BodySHA256 || byLine["1"].BodySHA256 == byLine["2"].BodySHA256 {
		t.Error("a byte-identical body must have the same digest, a different body a different one")
	}
	for _, line := range []string{"12", "13"} {
		if d := byLine[line]; !strings.HasPrefix(d.Problem, recon.NotStrictJSON) {
			t.Errorf("line %s: problem %q, want one saying %q", line, d.Problem, recon.NotStrictJSON)
		}
	}
	for line, reason := range map[string]string{"10": "no body", "11": "date is not in a form"} {
		if r := rejectOf(c, line); r == nil || !strings.Contains(r.Reason, reason) {
			t.Errorf("line %s: reject %+v, want reason containing %q", line, r, reason)
		}
	}
	for _, r := range c.rejects {
		for _, s := range opts.WebhookSecrets {
			if strings.Contains(r.Reason+r.Value, s) {
				t.Errorf("reject %+v shows a secret", r)
			}
		}
	}
}

// TestWebhookConflictingHeaders: a delivery carrying two different
// signatures (headers differing only in case) is not verified, whatever the
// order the stored headers are read in.
func TestWebhookConflictingHeaders(t *testing.T) {
	const ts = "1763959502"
	b := `{"event":"payment.success","data":{"order_id":"A"}}`
	line := fmt.Sprintf(`{"received_at":"2025-11-24T10:15:02+05:30","headers":{"X-Signature":%q,"x-signature":"00","X-Timestamp":%q},"body":%q}`,
		kwikpaisa.Sign("whsec_test", []byte(b), ts), ts, b)
	opts := testOptions()
	for i := 0; i < 20; i++ {
		d, fe := ParseDelivery([]byte(line), &opts)
		if fe != nil || d.Verified != recon.VerifyNone {
			t.Fatalf("conflicting signatures: %+v, %v; want stored, not verified", d, fe)
		}
	}
}

// TestWebhookWithoutHeaders: a delivery stored without its headers (none,
// null or empty), written plain or not, is kept unverified and stale, its
// body read.
func TestWebhookWithoutHeaders(t *testing.T) {
	body := `{"event":"payment.success","data":{"order_id":"A"}}`
	opts := testOptions()
	for _, headers := range []string{``, `"headers":null,`, `"headers":{},`, ` "headers" : { } ,`} {
		line := fmt.Sprintf(`{"received_at":"2025-11-24T10:15:02+05:30",%s"body":%q}`, headers, body)
		d, fe := ParseDelivery([]byte(line), &opts)
		if fe != nil || d.Verified != recon.VerifyNone || !d.Stale || d.Key != "A" {
			t.Errorf("%s: %+v, %v; want stored unverified and stale, key A", line, d, fe)
		}
	}
}

// TestReadHostileJSONLines: lines a parser could choke on are rejected
// with a reason and their line number, and the lines after them load.
func TestReadHostileJSONLines(t *testing.T) {
	good := `{"order_id":"ORD-1","order_amount":"105.00","currency":"INR","order_status":"PAID","created_at":"24-11-2026 10:15 AM"}`
	tests := []struct {
		name, line, reason string
	}{
		{"deep arrays", strings.Repeat("[", 1<<20), "nested more than 64 levels"},
		{"deep objects", strings.Repeat(`{"a":`, 100000), "nested more than 64 levels"},
		{"NaN amount", `{"order_id":"ORD-2","order_amount":NaN}`, "line is not a JSON object"},
		{"bad escape", `{"order_id":"ORD-\q"}`, "line is not a JSON object"},
		{"two values", good + " " + good, "more than one JSON value"},
		{"not an object", `["ORD-1"]`, "not a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "gateway.jsonl", tt.line+"\n"+good+"\n")
			c, counts := mustRead(t, ReadGateway, path, testOptions())
			if counts.Read != 2 || counts.Accepted != 1 || counts.Rejected != 1 {
				t.Fatalf("counts %+v, want 2 read, 1 accepted, 1 rejected", counts)
			}
			if r := rejectOf(c, "1"); r == nil || !strings.Contains(r.Reason, tt.reason) {
				t.Errorf("line 1: reject %+v, want reason containing %q", r, tt.reason)
			}
			if len(c.gateway) != 1 || c.gateway[0].Place.Line() != "2" {
				t.Errorf("gateway records %+v, want line 2 loaded", c.gateway)
			}
		})
	}

	t.Run("webhook headers not an object", func(t *testing.T) {
		path := writeFile(t, "webhooks.jsonl", `{"received_at":"2026-11-24T10:15:02+05:30","headers":"X-Signature: ab","body":"{}"}`+"\n"+
			strings.Repeat("[", 1<<20)+"\n")
		c, counts := mustRead(t, ReadWebhooks, path, testOptions())
		if counts.Read != 2 || counts.Rejected != 2 {
			t.Fatalf("counts %+v, want 2 read, 2 rejected", counts)
		}
		for line, reason := range map[string]string{"1": "headers is not an object", "2": "nested more than 64 levels"} {
			if r := rejectOf(c, line); r == nil || !strings.Contains(r.Reason, reason) {
				t.Errorf("line %s: reject %+v, want reason containing %q", line, r, reason)
			}
		}
	})
}
