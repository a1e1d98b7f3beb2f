package kwikpaisa

import (
	"testing"
	"time"
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
