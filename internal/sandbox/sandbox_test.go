package sandbox

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kwikpaisa/recon/internal/kwikpaisa"
)

const (
	key    = "pk_test_sandbox"
	secret = "sk_test_sandbox"
)

var now = time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)

func mustStart(t *testing.T, opts Options) *Server {
	t.Helper()
	recs := Records{
		Orders:  map[string]json.RawMessage{"ORD-1": json.RawMessage(`{"order_id":"ORD-1","order_status":"PAID"}`)},
		Payouts: map[string]json.RawMessage{"PO-1": json.RawMessage(`{"payout_order_id":"PO-1","payout_status":"SUCCESS"}`)},
	}
	opts.APIKey, opts.SecretKey = key, secret
	if opts.Now == nil {
		opts.Now = func() time.Time { return now }
	}
	s, err := New(recs, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// request sends one request; mod may change it before it is sent.
func request(t *testing.T, s *Server, path, body string, at time.Time, mod func(*http.Request)) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	ts := strconv.FormatInt(at.Unix(), 10)
	canon, _ := kwikpaisa.CanonicalJSON([]byte(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-API-KEY", key)
	req.Header.Set("X-TIMESTAMP", ts)
	req.Header.Set("X-SIGNATURE", kwikpaisa.Sign(secret, canon, ts))
	if mod != nil {
		mod(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error(), nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func TestAuthAndLookup(t *testing.T) {
	s := mustStart(t, Options{WalletID: "W1"})
	order := `{"order_id": "ORD-1"}`
	payout := `{"payout_order_id":"PO-1","kwikx_wallet_id":"W1","debit_account_type":"kwikx_wallet"}`
	tests := []struct {
		name, path, body string
		at               time.Time
		mod              func(*http.Request)
		want             int
		wantBody         string
	}{
		{"order found, body not canonical as sent", kwikpaisa.OrderStatusPath, order, now, nil, 200, `"return_data":{"order_id":"ORD-1"`},
		{"payout found", kwikpaisa.PayoutStatusPath, payout, now, nil, 200, `"payout_status":"SUCCESS"`},
		{"unknown order", kwikpaisa.OrderStatusPath, `{"order_id":"ORD-2"}`, now, nil, 404, `"status":false`},
		{"timestamp 4 minutes off", kwikpaisa.OrderStatusPath, order, now.Add(-4 * time.Minute), nil, 200, ""},
		{"timestamp 6 minutes off", kwikpaisa.OrderStatusPath, order, now.Add(-6 * time.Minute), nil, 401, "timestamp expired"},
		{"timestamp in the future", kwikpaisa.OrderStatusPath, order, now.Add(6 * time.Minute), nil, 401, "timestamp expired"},
		{"wrong key", kwikpaisa.OrderStatusPath, order, now, func(r *http.Request) { r.Header.Set("X-API-KEY", "pk_test_other") }, 401, "invalid API key"},
		{"bad signature", kwikpaisa.OrderStatusPath, order, now, func(r *http.Request) { r.Header.Set("X-SIGNATURE", strings.Repeat("0", 64)) }, 401, "invalid signature"},
		{"no content type", kwikpaisa.OrderStatusPath, order, now, func(r *http.Request) { r.Header.Del("Content-Type") }, 400, "Content-Type"},
		{"other wallet", kwikpaisa.PayoutStatusPath, strings.Replace(payout, "W1", "W2", 1), now, nil, 400, "kwikx_wallet_id"},
		{"unknown endpoint", "/api/v3/other", order, now, nil, 404, "404 page not found"},
		{"wrong base path", "/v2" + kwikpaisa.OrderStatusPath, order, now, nil, 404, "404 page not found"},
		{"key repeated in the request", kwikpaisa.OrderStatusPath, `{"order_id":"ORD-2","order_id":"ORD-1"}`, now, nil, 401, "invalid signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body, _ := request(t, s, tt.path, tt.body, tt.at, tt.mod)
			if code != tt.want || !strings.Contains(body, tt.wantBody) {
				t.Errorf("got %d %s; want %d with %q", code, body, tt.want, tt.wantBody)
			}
		})
	}
}

func TestRateLimit(t *testing.T) {
	s := mustStart(t, Options{Faults: Faults{RateLimit: 0.01, Burst: 1}})
	if code, body, _ := request(t, s, kwikpaisa.OrderStatusPath, `{"order_id":"ORD-1"}`, now, nil); code != 200 {
		t.Fatalf("first request: %d %s, want 200", code, body)
	}
	code, _, h := request(t, s, kwikpaisa.OrderStatusPath, `{"order_id":"ORD-1"}`, now, nil)
	if ra, _ := strconv.Atoi(h.Get("Retry-After")); code != 429 || ra < 1 {
		t.Errorf("second request: %d Retry-After %q; want 429 with Retry-After ≥ 1", code, h.Get("Retry-After"))
	}
}

// TestFaultsRepeat checks that a seed repeats its faults and another seed
// draws others.
func TestFaultsRepeat(t *testing.T) {
	draws := func(seed uint64) string {
		s := mustStart(t, Options{Faults: Faults{ServerErrors: 0.3, Malformed: 0.2, Conflicts: 0.2, Seed: seed}})
		var b strings.Builder
		for range 30 {
			code, body, _ := request(t, s, kwikpaisa.OrderStatusPath, `{"order_id":"ORD-1"}`, now, nil)
			if code == 200 && !json.Valid([]byte(body)) {
				code = -1 // a broken body
			}
			b.WriteString(strconv.Itoa(code) + " ")
		}
		return b.String()
	}
	a, b, c := draws(1), draws(1), draws(2)
	if a != b {
		t.Errorf("seed 1 drew\n%s\nthen\n%s", a, b)
	}
	if a == c {
		t.Errorf("seeds 1 and 2 drew the same faults: %s", a)
	}
	for _, want := range []string{"200 ", "-1 ", "409 "} {
		if !strings.Contains(a, want) {
			t.Errorf("30 draws %s have no %q", a, want)
		}
	}
}

// TestExpiredFault: a key drawn for the fault has its first request
// answered 401 "timestamp expired" and the next one answered.
func TestExpiredFault(t *testing.T) {
	s := mustStart(t, Options{Faults: Faults{Expired: 1}})
	var got []string
	for range 2 {
		code, body, _ := request(t, s, kwikpaisa.OrderStatusPath, `{"order_id":"ORD-1"}`, now, nil)
		got = append(got, strconv.Itoa(code)+" "+strconv.FormatBool(strings.Contains(body, "timestamp expired")))
	}
	if want := []string{"401 true", "200 false"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("answers %q, want %q", got, want)
	}
}

func TestStartRefusesNonLoopback(t *testing.T) {
	s, err := New(Records{}, Options{APIKey: key, SecretKey: secret})
	if err != nil {
		t.Fatal(err)
	}
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0"} {
		if err := s.Start(addr); err == nil {
			s.Close()
			t.Errorf("Start(%q) listened; want a refusal", addr)
		}
	}
	if _, err := New(Records{}, Options{APIKey: "pk_live_x", SecretKey: secret}); err == nil {
		t.Error("New accepted a pk_live_ key")
	}
}

func TestLoadRecords(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gateway.jsonl")
	dump := `{"order_id":"ORD-1","order_status":"PENDING"}
{"payout_order_id":12345,"payout_status":"SUCCESS"}
not json

{"order_id":"ORD-1","order_status":"PAID"}
{"nothing":"here"}
{"order_id":"ORD-8","order_status":"PAID","order_id":"ORD-9"}
{"order_id":"ORD-7","order_status":"PAID","order_st\u0061tus":"FAILED"}
`
	if err := os.WriteFile(path, []byte(dump), 0o600); err != nil {
		t.Fatal(err)
	}
	recs, skipped, err := LoadRecords(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(recs.Orders["ORD-1"]); got != `{"order_id":"ORD-1","order_status":"PAID"}` {
		t.Errorf("ORD-1 = %s, want the later line", got)
	}
	if !bytes.Contains(recs.Payouts["12345"], []byte(`"payout_order_id":12345`)) {
		t.Errorf("payout 12345 (a JSON number) not loaded: %v", recs.Payouts)
	}
	for _, k := range []string{"ORD-7", "ORD-8", "ORD-9"} {
		if recs.Orders[k] != nil {
			t.Errorf("%s served from a line with a repeated key: %s", k, recs.Orders[k])
		}
	}
	if skipped != 4 {
		t.Errorf("skipped = %d, want 4", skipped)
	}
}
