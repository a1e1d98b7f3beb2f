package synth

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestTimeOrder generates one day in key order and in time order, the
// latter with runs small enough to be spilled and merged: the time-ordered
// files hold the same lines, the dump in the order of created_at with
// pay-ins and payouts interleaved, the log in the order of received_at,
// and no run file is left behind.
func TestTimeOrder(t *testing.T) {
	dir := t.TempDir()
	p := Params{Date: "2026-11-24", Orders: 3000, Payouts: 600, Seed: 5, WebhookSecret: "s", Plant: true, KeyOrder: true}
	if _, err := Write(filepath.Join(dir, "key"), p); err != nil {
		t.Fatal(err)
	}
	p.KeyOrder, p.runBytes = false, 64<<10
	timed := filepath.Join(dir, "time")
	if _, err := Write(timed, p); err != nil {
		t.Fatal(err)
	}
	lines := func(d, name string) [][]byte {
		b, err := os.ReadFile(filepath.Join(d, name))
		if err != nil {
			t.Fatal(err)
		}
		return bytes.SplitAfter(b, []byte("\n"))
	}
	for _, tt := range []struct {
		name string
		at   func(t *testing.T, line []byte) time.Time
	}{
		{"gateway.jsonl", func(t *testing.T, line []byte) time.Time {
			var r struct {
				Created string `json:"created_at"`
			}
			if err := json.Unmarshal(line, &r); err != nil {
				t.Fatal(err)
			}
			at, err := time.ParseInLocation(gatewayLayout, r.Created, ist)
			if err != nil {
				return time.Time{} // a planted record: placed beside the one before
			}
			return at
		}},
		{"webhooks.jsonl", func(t *testing.T, line []byte) time.Time {
			var r struct {
				Received time.Time `json:"received_at"`
			}
			if err := json.Unmarshal(line, &r); err != nil {
				t.Fatal(err)
			}
			return r.Received
		}},
	} {
		key, got := lines(filepath.Join(dir, "key"), tt.name), lines(timed, tt.name)
		if len(got) < 1000 {
			t.Fatalf("%s: %d lines", tt.name, len(got))
		}
		if slices.EqualFunc(key, got, bytes.Equal) {
			t.Errorf("%s: the same order in both", tt.name)
		}
		sortedKey, sortedGot := slices.Clone(key), slices.Clone(got)
		slices.SortFunc(sortedKey, bytes.Compare)
		slices.SortFunc(sortedGot, bytes.Compare)
		if !slices.EqualFunc(sortedKey, sortedGot, bytes.Equal) {
			t.Errorf("%s: the lines differ, not only their order", tt.name)
		}
		var last time.Time
		back := 0
		for i, l := range got {
			if len(l) == 0 {
				continue
			}
			at := tt.at(t, l)
			if at.IsZero() {
				continue
			}
			if at.Before(last) {
				back++
				if back <= 3 {
					t.Errorf("%s line %d: %s after %s", tt.name, i+1, at, last)
				}
			}
			last = at
		}
	}
	// Pay-ins and payouts interleave in the dump.
	var kinds []bool
	for _, l := range lines(timed, "gateway.jsonl") {
		if len(l) > 0 {
			kinds = append(kinds, bytes.Contains(l, []byte(`"payout_order_id"`)) || bytes.Contains(l, []byte(`"transfer_mode"`)))
		}
	}
	switches := 0
	for i := 1; i < len(kinds); i++ {
		if kinds[i] != kinds[i-1] {
			switches++
		}
	}
	if switches < 100 {
		t.Errorf("pay-ins and payouts switch %d times in the dump, want them interleaved", switches)
	}
	if runs, _ := filepath.Glob(filepath.Join(timed, ".run-*")); len(runs) > 0 {
		t.Errorf("run files left behind: %v", runs)
	}
}
