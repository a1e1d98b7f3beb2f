package ingest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kwikpaisa/recon/internal/kwikpaisa"
	"github.com/kwikpaisa/recon/internal/recon"
)

// TestForgedWebhookBodiesNeverVerify takes genuine deliveries, signed over
// bodies in canonical form (so that the raw and the canonical signature
// are one), and re-sends each with the genuine headers and a body an
// attacker edited so that canonicalisation (which keeps the last copy of
// a repeated key) gives back the signed bytes while the body reader
// (which keeps the first) reads something else. None may verify by either
// method, be evidence or name a key; each says its body is not strict JSON.
func TestForgedWebhookBodiesNeverVerify(t *testing.T) {
	const ts = "1763959502"
	recv := time.Unix(1763959502, 0).In(ist).Format(time.RFC3339)
	failed := `{"data":{"amount":"100.00","currency":"INR","order_id":"ORD-7","transaction_id":"TXN-7"},"event":"payment.failed"}`
	success := `{"data":{"amount":"100.00","currency":"INR","order_id":"ORD-8","transaction_id":"TXN-8"},"event":"payment.success"}`
	opts := testOptions()

	genuine := func(t *testing.T, body string) map[string]any {
		t.Helper()
		canon, err := kwikpaisa.CanonicalJSON([]byte(body))
		if err != nil || string(canon) != body {
			t.Fatalf("fixture body is not canonical: %s, %v", canon, err)
		}
		d, fe := ParseDelivery([]byte(delivery{recv, signed("whsec_test", body, ts), body}.line()), &opts)
		if fe != nil || !d.Evidence() {
			t.Fatalf("the genuine delivery is not evidence: %+v, %v", d, fe)
		}
		return signed("whsec_test", body, ts)
	}
	tests := []struct {
		name, signedBody, forged, why string
	}{
		{name: "event prepended", signedBody: failed,
			forged: `{"event":"payment.success",` + failed[1:], why: `duplicate object member name "event"`},
		{name: "data repeated moves it to another order", signedBody: success,
			forged: `{"data":{"amount":"100.00","currency":"INR","order_id":"ORD-9","transaction_id":"TXN-8"},` + success[1:],
			why:    `duplicate object member name "data"`},
		{name: "transaction_id repeated", signedBody: success,
			forged: strings.Replace(success, `{"data":{`, `{"data":{"transaction_id":"TXN-EVIL",`, 1),
			why:    `duplicate object member name "transaction_id" within "/data"`},
		{name: "event spelled with an escape", signedBody: failed,
			forged: `{"ev\u0065nt":"payment.success",` + failed[1:], why: `duplicate object member name "event"`},
		{name: "key spelled with an escape", signedBody: success,
			forged: strings.Replace(success, `{"data":{`, `{"data":{"order\u005fid":"ORD-9",`, 1),
			why:    `duplicate object member name "order_id" within "/data"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			headers := genuine(t, tt.signedBody)
			canon, err := kwikpaisa.CanonicalJSON([]byte(tt.forged))
			if err == nil {
				t.Errorf("CanonicalJSON(forged) = %s, want an error: no canonical form of an ambiguous body", canon)
			}
			d, fe := ParseDelivery([]byte(delivery{recv, headers, tt.forged}.line()), &opts)
			if fe != nil {
				t.Fatalf("forged delivery rejected as a line (%v); want it stored and reported", fe)
			}
			if d.Verified != recon.VerifyNone || d.Evidence() || d.Key != "" || d.Event != "" {
				t.Errorf("forged delivery: verified %q evidence %v key %q event %q; want not verified, no evidence, no key, no event",
					d.Verified, d.Evidence(), d.Key, d.Event)
			}
			if want := recon.NotStrictJSON + ": " + tt.why; d.Problem != want {
				t.Errorf("problem %q, want %q", d.Problem, want)
			}
		})
	}

	// A body the holder of the secret signed raw, but that is not strict
	// JSON, is not verified either: KwikPaisa's reader and recon's might
	// not agree on what it says.
	for _, tt := range []struct{ name, body, why string }{
		{name: "lone high surrogate", body: `{"data":{"amount":"1.00","note":"\ud800","order_id":"ORD-7"},"event":"payment.success"}`,
			why: `invalid surrogate pair`},
		{name: "lone low surrogate", body: `{"data":{"amount":"1.00","note":"\udc00x","order_id":"ORD-7"},"event":"payment.success"}`,
			why: `invalid surrogate pair`},
		{name: "repeated key signed raw", body: `{"data":{"amount":"1.00","order_id":"ORD-7","order_id":"ORD-9"},"event":"payment.success"}`,
			why: `duplicate object member name "order_id" within "/data"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, fe := ParseDelivery([]byte(delivery{recv, signed("whsec_test", tt.body, ts), tt.body}.line()), &opts)
			if fe != nil {
				t.Fatalf("rejected as a line (%v); want it stored and reported", fe)
			}
			if d.Verified != recon.VerifyNone || d.Evidence() || !strings.Contains(d.Problem, tt.why) || !strings.HasPrefix(d.Problem, recon.NotStrictJSON) {
				t.Errorf("verified %q evidence %v problem %q; want not verified, no evidence, a problem saying %q",
					d.Verified, d.Evidence(), d.Problem, tt.why)
			}
		})
	}

	// Invalid UTF-8 cannot sit in a JSON string escaped; a log line that
	// carries it raw is not strict JSON and is rejected whole, with why.
	t.Run("invalid UTF-8", func(t *testing.T) {
		body := "{\"data\":{\"amount\":\"1.00\",\"note\":\"\xff\",\"order_id\":\"ORD-7\"},\"event\":\"payment.success\"}"
		sig := kwikpaisa.Sign("whsec_test", []byte(body), ts)
		line := fmt.Sprintf(`{"received_at":%q,"headers":{"X-Signature":%q,"X-Timestamp":%q},"body":"%s"}`,
			recv, sig, ts, strings.ReplaceAll(body, `"`, `\"`))
		path := writeFile(t, "webhooks.jsonl", line+"\n")
		c, counts := mustRead(t, ReadWebhooks, path, opts)
		if counts.Read != 1 || counts.Rejected != 1 || len(c.deliveries) != 0 {
			t.Fatalf("counts %+v, %d deliveries; want the line rejected", counts, len(c.deliveries))
		}
		if r := rejectOf(c, "1"); r == nil || !strings.Contains(r.Reason, "invalid UTF-8") {
			t.Errorf("reject %+v, want a reason saying invalid UTF-8", r)
		}
	})
}

// TestNonStrictLinesRejected: a gateway dump line or a stored delivery
// line with a key repeated (also under an escape) is rejected with its
// line and why, not read one way here and another way by the sandbox, the
// canonicaliser or the merchant's own tools.
func TestNonStrictLinesRejected(t *testing.T) {
	good := `{"order_id":"ORD-1","order_amount":"105.00","currency":"INR","order_status":"PAID","created_at":"24-11-2026 10:15 AM"}`
	tests := []struct {
		name, file, line, reason string
		read                     readFunc
	}{
		{name: "gateway order_id repeated", file: "gateway.jsonl", read: ReadGateway,
			line:   `{"order_id":"ORD-2","order_amount":"105.00","order_status":"PAID","created_at":"24-11-2026 10:15 AM","order_id":"ORD-3"}`,
			reason: `not strict JSON: duplicate object member name "order_id"`},
		{name: "gateway status repeated under an escape", file: "gateway.jsonl", read: ReadGateway,
			line:   `{"order_id":"ORD-2","order_amount":"105.00","order_status":"PAID","created_at":"24-11-2026 10:15 AM","order_st\u0061tus":"FAILED"}`,
			reason: `not strict JSON: duplicate object member name "order_status"`},
		{name: "gateway lone surrogate", file: "gateway.jsonl", read: ReadGateway,
			line:   `{"order_id":"ORD-2\udc00","order_amount":"105.00","order_status":"PAID","created_at":"24-11-2026 10:15 AM"}`,
			reason: `not strict JSON: invalid surrogate pair`},
		{name: "delivery body repeated", file: "webhooks.jsonl", read: ReadWebhooks,
			line:   `{"received_at":"2026-11-24T10:15:02+05:30","headers":{},"body":"{}","body":"{\"event\":\"payment.success\"}"}`,
			reason: `not strict JSON: duplicate object member name "body"`},
		{name: "delivery header repeated", file: "webhooks.jsonl", read: ReadWebhooks,
			line:   `{"received_at":"2026-11-24T10:15:02+05:30","headers":{"X-Timestamp":"1","X-Timestamp":"2"},"body":"{}"}`,
			reason: `not strict JSON: duplicate object member name "X-Timestamp" within "/headers"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			content := tt.line + "\n"
			if tt.file == "gateway.jsonl" {
				content += good + "\n"
			}
			path := writeFile(t, tt.file, content)
			c, counts := mustRead(t, tt.read, path, testOptions())
			if r := rejectOf(c, "1"); r == nil || !strings.Contains(r.Reason, tt.reason) || r.File != path {
				t.Errorf("line 1: reject %+v, want %s:1 with a reason containing %q", r, path, tt.reason)
			}
			if counts.Rejected != 1 || len(c.deliveries) != 0 {
				t.Errorf("counts %+v, %d deliveries; want line 1 rejected and nothing of it stored", counts, len(c.deliveries))
			}
			if tt.file == "gateway.jsonl" && (len(c.gateway) != 1 || c.gateway[0].Key != "ORD-1") {
				t.Errorf("gateway records %+v, want only line 2's ORD-1", c.gateway)
			}
		})
	}
}

// TestIdentifiersAreStringsOrNumbers: `"order_id": true` is no key "true";
// a boolean, object or array where an identifier belongs rejects a dump
// line, and leaves an unverified delivery keyless with the reason (a
// verified one is rejected: its body cannot be read). Numbers are kept
// digit for digit.
func TestIdentifiersAreStringsOrNumbers(t *testing.T) {
	gw := func(id string) string {
		return `{"order_id":` + id + `,"order_amount":"1.00","order_status":"PAID","created_at":"24-11-2026 10:15 AM"}`
	}
	tests := []struct {
		name, line, wantKey, reason string
	}{
		{name: "true", line: gw("true"), reason: "order_id is a JSON true; an identifier is a string or a number"},
		{name: "false", line: gw("false"), reason: "order_id is a JSON false"},
		{name: "object", line: gw(`{"id":"ORD-1"}`), reason: "order_id is a JSON object"},
		{name: "array", line: gw(`["ORD-1"]`), reason: "order_id is a JSON array"},
		{name: "transaction id true", line: `{"order_id":"ORD-1","order_amount":"1.00","order_status":"PAID","transaction_id":true,"created_at":"24-11-2026 10:15 AM"}`,
			reason: "transaction_id is a JSON true"},
		{name: "payout utr object", line: `{"payout_order_id":"PO-1","amount":"1.00","payout_status":"SUCCESS","utr":{},"created_at":"24-11-2026 10:15 AM"}`,
			reason: "utr is a JSON object"},
		{name: "long number", line: gw("12345678901234567890123"), wantKey: "12345678901234567890123"},
		{name: "string", line: gw(`"ORD-1"`), wantKey: "ORD-1"},
	}
	for _, tt := range tests {
		t.Run("gateway "+tt.name, func(t *testing.T) {
			c, _ := mustRead(t, ReadGateway, writeFile(t, "gateway.jsonl", tt.line+"\n"), testOptions())
			if tt.reason == "" {
				if len(c.gateway) != 1 || c.gateway[0].Key != tt.wantKey {
					t.Fatalf("records %+v, rejects %+v; want key %q", c.gateway, c.rejects, tt.wantKey)
				}
				return
			}
			if r := rejectOf(c, "1"); r == nil || !strings.Contains(r.Reason, tt.reason) || len(c.gateway) != 0 {
				t.Errorf("reject %+v, records %+v; want line 1 rejected saying %q", r, c.gateway, tt.reason)
			}
		})
	}

	const ts = "1763959502"
	recv := time.Unix(1763959502, 0).In(ist).Format(time.RFC3339)
	opts := testOptions()
	body := `{"data":{"amount":"1.00","order_id":true},"event":"payment.success"}`
	t.Run("webhook unverified", func(t *testing.T) {
		d, fe := ParseDelivery([]byte(delivery{recv, signed("whsec_other", body, ts), body}.line()), &opts)
		if fe != nil || d.Key != "" || d.Evidence() || !strings.Contains(d.Problem, "order_id is a JSON true") {
			t.Errorf("delivery %+v, %v; want stored keyless, its problem saying order_id is a JSON true", d, fe)
		}
	})
	t.Run("webhook verified", func(t *testing.T) {
		d, fe := ParseDelivery([]byte(delivery{recv, signed("whsec_test", body, ts), body}.line()), &opts)
		if fe == nil || !strings.Contains(fe.reason, "order_id is a JSON true") {
			t.Errorf("delivery %+v, %v; want the line rejected saying order_id is a JSON true", d, fe)
		}
	})
}
