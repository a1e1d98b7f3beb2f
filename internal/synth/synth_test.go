package synth

import (
	"crypto/sha256"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var dayFiles = []string{"orders.csv", "payouts.csv", "gateway.jsonl", "webhooks.jsonl", "planted.csv"}

// TestWriteDeterministic writes the same small day twice and wants the same
// bytes in every file.
func TestWriteDeterministic(t *testing.T) {
	p := Params{Date: "2026-11-24", Orders: 2000, Payouts: 400, Seed: 42, WebhookSecret: "whsec_test",
		Plant: true, PlantRate: 0.05}
	var sums [2]map[string][32]byte
	for i := range sums {
		dir := filepath.Join(t.TempDir(), "day")
		if _, err := Write(dir, p); err != nil {
			t.Fatalf("Write: %v", err)
		}
		sums[i] = map[string][32]byte{}
		for _, name := range dayFiles {
			b, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			if len(b) == 0 {
				t.Fatalf("%s is empty", name)
			}
			sums[i][name] = sha256.Sum256(b)
		}
	}
	for _, name := range dayFiles {
		if sums[0][name] != sums[1][name] {
			t.Errorf("%s: sha256 %x then %x, want the same bytes", name, sums[0][name], sums[1][name])
		}
	}
}

// TestPlantRate checks how many sets a rate plants.
func TestPlantRate(t *testing.T) {
	tests := []struct {
		name     string
		rate     float64
		wantSets int
	}{
		{"zero rate plants one set", 0, 1},
		{"low rate plants one set", 0.0001, 1},
		{"rate plants until the fraction is reached", 0.05, 5}, // 3,000 rows × 0.05 = 150 = 5 × 30
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			planted, err := Write(t.TempDir(), Params{Date: "2026-11-24", Orders: 2500, Payouts: 500, Seed: 1,
				WebhookSecret: "s", Plant: true, PlantRate: tt.rate})
			if err != nil {
				t.Fatalf("Write: %v", err)
			}
			sets := 0
			for _, p := range planted {
				if p.Category == "WEBHOOK_ORPHAN" {
					sets++
				}
			}
			if sets != tt.wantSets {
				t.Errorf("sets=%d, want %d (%d planted)", sets, tt.wantSets, len(planted))
			}
		})
	}
}

// TestAppendJSON wants the bytes encoding/json writes without HTML escaping.
func TestAppendJSON(t *testing.T) {
	tests := []struct {
		name string
		v    any
	}{
		{"flat map", map[string]any{"b": "x", "a": "y", "order_amount": "1499.00"}},
		{"number and bool", map[string]any{"id": json.Number("52436113794234680241"), "replayed": true}},
		{"nested", map[string]any{"event": "payment.success", "data": map[string]any{"z": "1", "a": `q"uo\te`}}},
		{"string map", map[string]string{"X-Timestamp": "1", "X-Signature": "ab"}},
		{"html and control", map[string]any{"s": "<a>&\n\t\x01\u2028"}},
		{"non-ASCII", map[string]any{"s": "₹ 1,23,456.78"}},
		{"empty", map[string]any{}},
		{"other type", map[string]any{"n": 12, "t": time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)}},
	}
	var s sinks
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.appendJSON(nil, tt.v)
			if err != nil {
				t.Fatalf("appendJSON: %v", err)
			}
			want, err := marshal(tt.v)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(want) {
				t.Errorf("appendJSON=%s, want %s", got, want)
			}
		})
	}
}

// TestUTRsDoNotRepeat draws every 2-digit UTR there is: each comes once,
// where random draws would repeat one within about a dozen.
func TestUTRsDoNotRepeat(t *testing.T) {
	d := &generator{rng: rand.New(rand.NewPCG(1, 2))}
	seen := map[string]bool{}
	for range 90 { // 10 to 99: digits never starts with 0
		u := d.utr(2)
		if len(u) != 2 || seen[u] {
			t.Fatalf("UTR %q drawn again or of the wrong length (drawn before: %d)", u, len(seen))
		}
		seen[u] = true
	}
	if u := d.utr(3); len(u) != 3 {
		t.Errorf("a 3-digit UTR after the 2-digit ones: %q", u)
	}
}
