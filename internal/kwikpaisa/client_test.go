package kwikpaisa_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kwikpaisa/recon/internal/ingest"
	"github.com/kwikpaisa/recon/internal/kwikpaisa"
	"github.com/kwikpaisa/recon/internal/recon"
	"github.com/kwikpaisa/recon/internal/sandbox"
)

const (
	testKey    = "pk_test_client"
	testSecret = "sk_test_client_secret"
	testWallet = "WAL-1"
)

var testRecords = sandbox.Records{
	Orders: map[string]json.RawMessage{
		"ORD-1":   json.RawMessage(`{"created_at":"13-05-2026 08:34 AM","currency":"INR","kwikX_order_id":52436113794234680241,"order_amount":"105.00","order_id":"ORD-1","order_status":"PAID","paid_at":"13-05-2026 08:35 AM","payment_method":"UPI","transaction_id":"KPTXN1"}`),
		"ORD-BAD": json.RawMessage(`{"created_at":"13-05-2026 08:34 AM","currency":"INR","order_amount":"105.00","order_id":"ORD-BAD","order_status":"TELEPORTED"}`),
	},
	Payouts: map[string]json.RawMessage{
		"PO-1": json.RawMessage(`{"amount":"2500.50","beneficiary_account":"000123","beneficiary_ifsc":"HDFC0000001","created_at":"13-05-2026 09:00 PM","currency":"INR","kwikx_payout_id":"KXP1","payout_order_id":"PO-1","payout_status":"SUCCESS","processed_at":"13-05-2026 09:02 PM","rrn_number":"612345678901","transfer_mode":"IMPS"}`),
	},
}

// parse reads return_data as a dump line is read.
func parse(b []byte) (*recon.GatewayRecord, error) {
	g, fe := ingest.ParseGatewayRecord(b, ingest.DefaultStatuses())
	if fe != nil {
		return nil, fe
	}
	return g, nil
}

// mustSandbox starts a sandbox on 127.0.0.1 for the test.
func mustSandbox(tb testing.TB, faults sandbox.Faults) *sandbox.Server {
	tb.Helper()
	s, err := sandbox.New(testRecords, sandbox.Options{APIKey: testKey, SecretKey: testSecret, WalletID: testWallet, Faults: faults})
	if err != nil {
		tb.Fatal(err)
	}
	if err := s.Start("127.0.0.1:0"); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// sleeps records the waits a client asked for, without waiting.
type sleeps struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return ctx.Err()
}

func mustClient(tb testing.TB, url string, mod func(*kwikpaisa.Config)) (*kwikpaisa.Client, *sleeps) {
	tb.Helper()
	sl := &sleeps{}
	cfg := kwikpaisa.Config{
		BaseURL: url, APIKey: testKey, SecretKey: testSecret, WalletID: testWallet,
		Rate: 1000, Burst: 10, Concurrency: 4, MaxAttempts: 4, Timeout: 2 * time.Second,
		BaseBackoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond,
		Sleep: sl.sleep, Parse: parse,
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := kwikpaisa.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return c, sl
}

func TestStatusFound(t *testing.T) {
	sb := mustSandbox(t, sandbox.Faults{})
	c, _ := mustClient(t, sb.URL, nil)
	ctx := context.Background()

	g, tr, err := c.OrderStatus(ctx, "ORD-1")
	if err != nil {
		t.Fatalf("OrderStatus: %v", err)
	}
	wantAt := time.Date(2026, 5, 13, 3, 4, 0, 0, time.UTC) // 08:34 IST
	if g.Amount != 10500 || g.Class != recon.StatusSuccess || !g.CreatedAt.Time().Equal(wantAt) || tr.Requests != 1 {
		t.Errorf("got amount %v class %s created %v requests %d; want 105.00 SUCCESS %v 1", g.Amount, g.Class, g.CreatedAt, tr.Requests, wantAt)
	}
	if g.Detail.GatewayID != "52436113794234680241" {
		t.Errorf("GatewayID = %q, want the 20-digit number exactly", g.Detail.GatewayID)
	}
	if string(g.Detail.Raw) != string(testRecords.Orders["ORD-1"]) {
		t.Errorf("Raw = %s, want the return_data bytes as sent", g.Detail.Raw)
	}

	p, _, err := c.PayoutStatus(ctx, "PO-1")
	if err != nil {
		t.Fatalf("PayoutStatus: %v", err)
	}
	if p.UTR != "612345678901" || p.Amount != 250050 || p.Entity != recon.EntityPayout {
		t.Errorf("payout UTR %q amount %v entity %s; want rrn_number 612345678901, 2500.50, PAYOUT", p.UTR, p.Amount, p.Entity)
	}
}

// recorder keeps the headers of the last request a client sent.
type recorder struct {
	mu   sync.Mutex
	last http.Header
	body string
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	b, _ := req.GetBody()
	var sb strings.Builder
	buf := make([]byte, 512)
	for {
		n, err := b.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			break
		}
	}
	r.mu.Lock()
	r.last, r.body = req.Header.Clone(), sb.String()
	r.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

// TestRequestHeaders pins the exact headers and body of a payout status
// request at a fixed clock: a fixed vector computed outside Go.
func TestRequestHeaders(t *testing.T) {
	sb := mustSandbox(t, sandbox.Faults{})
	rec := &recorder{}
	c, _ := mustClient(t, sb.URL, func(cfg *kwikpaisa.Config) {
		cfg.SecretKey = "sk_test_vector"
		cfg.HTTPClient = &http.Client{Transport: rec}
		cfg.Now = func() time.Time { return time.Unix(1763959502, 0) }
	})
	_, _, err := c.PayoutStatus(context.Background(), "PO-1")
	if !errors.Is(err, kwikpaisa.ErrAuth) { // the sandbox has another secret and a real clock
		t.Fatalf("err = %v, want ErrAuth", err)
	}
	want := map[string]string{
		"Content-Type": "application/json",
		"Accept":       "application/json",
		"X-Api-Key":    testKey,
		"X-Timestamp":  "1763959502",
		// python3: hmac.new(b"sk_test_vector", body + b"1763959502", sha256)
		"X-Signature": "ab7493a95c626b718d02e14c4f1535b6de86f4e10ae794f72c51450f1bdf4c6c",
	}
	for k, v := range want {
		if got := rec.last.Get(k); got != v {
			t.Errorf("header %s = %q, want %q", k, got, v)
		}
	}
	if wantBody := `{"debit_account_type":"kwikx_wallet","kwikx_wallet_id":"WAL-1","payout_order_id":"PO-1"}`; rec.body != wantBody {
		t.Errorf("body = %s, want %s", rec.body, wantBody)
	}
}

func TestStatusErrors(t *testing.T) {
	tests := []struct {
		name         string
		faults       sandbox.Faults
		mod          func(*kwikpaisa.Config)
		key          string
		wantErr      error // nil: the record is found
		wantRequests int
		wantLimited  int
	}{
		{name: "404 not found", key: "ORD-NONE", wantErr: kwikpaisa.ErrNotFound, wantRequests: 1},
		{name: "401 wrong secret: one retry then an auth error", key: "ORD-1",
			mod: func(c *kwikpaisa.Config) { c.SecretKey = "sk_test_wrong" }, wantErr: kwikpaisa.ErrAuth, wantRequests: 2},
		{name: "401 wrong key", key: "ORD-1",
			mod: func(c *kwikpaisa.Config) { c.APIKey = "pk_test_wrong" }, wantErr: kwikpaisa.ErrAuth, wantRequests: 2},
		{name: "401 expired timestamp, then a fresh one", key: "ORD-1", mod: func(c *kwikpaisa.Config) {
			var mu sync.Mutex
			calls := 0
			c.Now = func() time.Time {
				mu.Lock()
				defer mu.Unlock()
				calls++
				if calls == 1 {
					return time.Now().Add(-time.Hour)
				}
				return time.Now()
			}
		}, wantRequests: 2},
		{name: "5xx recovers", key: "ORD-1", faults: sandbox.Faults{ServerErrors: 1, FaultyRequests: 2}, wantRequests: 3},
		{name: "5xx forever: bounded attempts", key: "ORD-1", faults: sandbox.Faults{Down: map[string]bool{"ORD-1": true}},
			wantErr: kwikpaisa.ErrUnavailable, wantRequests: 4},
		{name: "timeout recovers", key: "ORD-1", faults: sandbox.Faults{Timeouts: 1, FaultyRequests: 1},
			mod: func(c *kwikpaisa.Config) { c.Timeout = 100 * time.Millisecond }, wantRequests: 2},
		{name: "timeouts forever", key: "PO-1", faults: sandbox.Faults{Timeouts: 1},
			mod: func(c *kwikpaisa.Config) { c.Timeout = 50 * time.Millisecond }, wantErr: kwikpaisa.ErrUnavailable, wantRequests: 4},
		{name: "malformed body recovers", key: "ORD-1", faults: sandbox.Faults{Malformed: 1, FaultyRequests: 1}, wantRequests: 2},
		{name: "dropped connection recovers", key: "PO-1", faults: sandbox.Faults{Drops: 1, FaultyRequests: 2}, wantRequests: 3},
		{name: "409 recovers", key: "ORD-1", faults: sandbox.Faults{Conflicts: 1, FaultyRequests: 1}, wantRequests: 2},
		{name: "409 forever", key: "ORD-1", faults: sandbox.Faults{Conflicts: 1}, wantErr: kwikpaisa.ErrConflict, wantRequests: 4},
		{name: "429 storm honoured", key: "ORD-1", faults: sandbox.Faults{Storm: 3, RetryAfter: 2}, wantRequests: 4, wantLimited: 3},
		{name: "429 beyond the budget", key: "ORD-1", faults: sandbox.Faults{Storm: 100},
			mod: func(c *kwikpaisa.Config) { c.MaxRateLimited = 5 }, wantErr: kwikpaisa.ErrUnavailable, wantRequests: 6, wantLimited: 6},
		{name: "unreadable record is not retried", key: "ORD-BAD", wantErr: kwikpaisa.ErrBadRecord, wantRequests: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sb := mustSandbox(t, tt.faults)
			c, sl := mustClient(t, sb.URL, tt.mod)
			entity := recon.EntityPayin
			if strings.HasPrefix(tt.key, "PO-") {
				entity = recon.EntityPayout
			}
			g, tr, err := c.Status(context.Background(), entity, tt.key)
			if tt.wantErr == nil && (err != nil || g == nil || g.Key != tt.key) {
				t.Fatalf("Status(%s) = %v, %v; want the record", tt.key, g, err)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("Status(%s) err = %v, want %v", tt.key, err, tt.wantErr)
			}
			if tr.Requests != tt.wantRequests || sb.Requests() != tt.wantRequests {
				t.Errorf("requests: client counted %d, sandbox received %d; want %d", tr.Requests, sb.Requests(), tt.wantRequests)
			}
			if tr.Retries != tt.wantRequests-1 {
				t.Errorf("Retries = %d, want %d", tr.Retries, tt.wantRequests-1)
			}
			if tr.RateLimited != tt.wantLimited {
				t.Errorf("RateLimited = %d, want %d", tr.RateLimited, tt.wantLimited)
			}
			if tt.faults.Storm > 0 && tt.faults.RetryAfter > 0 {
				for _, w := range sl.waits {
					if w != time.Duration(tt.faults.RetryAfter)*time.Second {
						t.Errorf("waited %v after a 429, want Retry-After %ds", w, tt.faults.RetryAfter)
					}
				}
			}
			if err != nil && (strings.Contains(err.Error(), testSecret) || strings.Contains(err.Error(), "sk_test_wrong")) {
				t.Errorf("error %q contains a secret", err)
			}
		})
	}
}

// TestBackoffFullJitter checks the waits between 5xx retries: each drawn
// under an exponentially growing ceiling.
func TestBackoffFullJitter(t *testing.T) {
	sb := mustSandbox(t, sandbox.Faults{Down: map[string]bool{"ORD-1": true}})
	c, sl := mustClient(t, sb.URL, func(cfg *kwikpaisa.Config) {
		cfg.MaxAttempts = 6
		cfg.BaseBackoff, cfg.MaxBackoff = 100*time.Millisecond, 500*time.Millisecond
		cfg.Jitter = func() float64 { return 0.5 }
	})
	_, _, err := c.OrderStatus(context.Background(), "ORD-1")
	if !errors.Is(err, kwikpaisa.ErrUnavailable) {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}
	want := []time.Duration{50, 100, 200, 250, 250}
	if len(sl.waits) != len(want) {
		t.Fatalf("waits = %v, want %d of them", sl.waits, len(want))
	}
	for i, w := range want {
		if sl.waits[i] != w*time.Millisecond {
			t.Errorf("wait %d = %v, want %v", i+1, sl.waits[i], w*time.Millisecond)
		}
	}
}

// TestCancel checks that a call in flight stops when its context is
// cancelled, and that a cancelled context sends nothing.
func TestCancel(t *testing.T) {
	sb := mustSandbox(t, sandbox.Faults{Timeouts: 1, Hang: time.Minute})
	c, _ := mustClient(t, sb.URL, func(cfg *kwikpaisa.Config) { cfg.Timeout = time.Minute })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, _, err := c.OrderStatus(ctx, "ORD-1")
		done <- err
	}()
	deadline := time.Now().Add(5 * time.Second)
	for sb.Requests() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	before := sb.Requests()
	if _, _, err := c.OrderStatus(ctx, "ORD-1"); !errors.Is(err, context.Canceled) {
		t.Errorf("on a cancelled context: err = %v, want context.Canceled", err)
	}
	if sb.Requests() != before {
		t.Errorf("a cancelled context sent %d request(s)", sb.Requests()-before)
	}
}

// TestConcurrencyBound sends many calls at once and checks the sandbox
// never saw more in flight than the bound.
func TestConcurrencyBound(t *testing.T) {
	sb := mustSandbox(t, sandbox.Faults{Latency: 5 * time.Millisecond})
	c, _ := mustClient(t, sb.URL, func(cfg *kwikpaisa.Config) { cfg.Concurrency = 3 })
	var wg sync.WaitGroup
	for range 24 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, _, err := c.OrderStatus(context.Background(), "ORD-1"); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got := sb.MaxInFlight(); got > 3 || got < 1 {
		t.Errorf("MaxInFlight = %d, want 1..3", got)
	}
	if sb.Requests() != 24 {
		t.Errorf("Requests = %d, want 24", sb.Requests())
	}
}

func TestNewRefuses(t *testing.T) {
	tests := []struct {
		name, url, key, want string
	}{
		{"http off loopback", "http://api.example.com", "pk_test_x", "must be https"},
		{"test key on live", kwikpaisa.LiveURL, "pk_test_x", "needs a pk_live_ key"},
		{"live key on sandbox", kwikpaisa.SandboxURL, "pk_live_x", "refusing to send a pk_live_ key"},
		{"live key on loopback", "http://127.0.0.1:8080", "pk_live_x", "refusing to send a pk_live_ key"},
		{"not a URL", "api.kwikpaisa.com", "pk_live_x", "not an absolute URL"},
		{"user in URL", "https://u:p@api.example.com", "pk_live_x", "must not carry credentials or a query"},
		{"key in the query", "https://api.example.com/?api_key=sk_supersecret", "pk_live_x", "must not carry credentials or a query"},
		{"user without a scheme", "sk_supersecret:x@api.example.com", "pk_live_x", "is not a"},
		{"key in the query without a scheme", "api.example.com?api_key=sk_supersecret", "pk_live_x", "must not carry credentials or a query"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := kwikpaisa.New(kwikpaisa.Config{BaseURL: tt.url, APIKey: tt.key, SecretKey: "sk_supersecret", Parse: parse})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New(%s, %s) err = %v, want %q", tt.url, tt.key, err, tt.want)
			}
			if strings.Contains(err.Error(), tt.key) || strings.Contains(err.Error(), "sk_supersecret") || strings.Contains(err.Error(), ":p@") {
				t.Errorf("error %q names a secret", err)
			}
		})
	}
	for _, ok := range []struct{ url, key string }{
		{kwikpaisa.LiveURL, "pk_live_x"}, {kwikpaisa.SandboxURL, "pk_test_x"}, {"http://127.0.0.1:9", "pk_test_x"}, {"http://localhost:9", "pk_test_x"},
	} {
		if _, err := kwikpaisa.New(kwikpaisa.Config{BaseURL: ok.url, APIKey: ok.key, SecretKey: "s", Parse: parse}); err != nil {
			t.Errorf("New(%s, %s): %v", ok.url, ok.key, err)
		}
	}
}
