package kwikpaisa

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/kwikpaisa/recon/internal/recon"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)
	c := &Client{cfg: Config{Now: func() time.Time { return now }, MaxRetryAfter: time.Minute}}
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"3", 3 * time.Second},
		{" 0 ", 0},
		{"-5", 0},
		{"3600", time.Minute}, // capped
		{"Wed, 25 Nov 2026 02:00:30 GMT", 30 * time.Second},
		{"Wed, 25 Nov 2026 01:59:00 GMT", 0}, // in the past
		{"soon", 0},
	}
	for _, tt := range tests {
		if got := c.parseRetryAfter(tt.in); got != tt.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestBackoffCeiling(t *testing.T) {
	c := &Client{cfg: Config{BaseBackoff: 100 * time.Millisecond, MaxBackoff: time.Second, Jitter: func() float64 { return 0.999999 }}}
	tests := []struct {
		n    int
		want time.Duration // the ceiling, reached as jitter nears 1
	}{{1, 100 * time.Millisecond}, {2, 200 * time.Millisecond}, {4, 800 * time.Millisecond}, {5, time.Second}, {40, time.Second}, {200, time.Second}}
	for _, tt := range tests {
		got := c.backoff(tt.n)
		if got > tt.want || got < tt.want*99/100 {
			t.Errorf("backoff(%d) = %v, want just under %v", tt.n, got, tt.want)
		}
	}
}

// FuzzJudge feeds arbitrary answers to the classifier: it must never
// panic, and only a 200 with a readable record of the key asked for is a
// record.
func FuzzJudge(f *testing.F) {
	f.Add(200, []byte(`{"status":true,"code":200,"return_data":{"order_id":"A"}}`))
	f.Add(200, []byte(`{"status":false,"code":404,"message":"not found"}`))
	f.Add(200, []byte(`{"status":true,"code":200,"return_data":{"order_id":`))
	f.Add(429, []byte(``))
	f.Add(503, []byte(`<html>`))
	f.Add(200, []byte(`{"status":true,"code":1e400,"return_data":null}`))
	c := &Client{cfg: Config{Now: time.Now, MaxRetryAfter: time.Minute, Parse: func(b []byte) (*recon.GatewayRecord, error) {
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, err
		}
		k, _ := m["order_id"].(string)
		return &recon.GatewayRecord{Entity: recon.EntityPayin, Key: k, Detail: &recon.GatewayDetail{Raw: b}}, nil
	}}}
	f.Fuzz(func(t *testing.T, code int, body []byte) {
		r := c.judge(code, "", body, recon.EntityPayin, "A")
		if r.outcome == gotRecord && (r.record == nil || r.record.Key != "A") {
			t.Fatalf("judge(%d, %q) = a record %+v", code, body, r.record)
		}
		if r.outcome != gotRecord && r.err == nil && r.outcome != notFound {
			t.Fatalf("judge(%d, %q) = outcome %d without a reason", code, body, r.outcome)
		}
	})
}
