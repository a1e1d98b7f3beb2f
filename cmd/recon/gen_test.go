package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGenFixtureDay regenerates the fixture day as `make fixtures` does and
// wants the committed bytes: the golden reports were made from them. The
// fixture day is in key order, which a person checking a golden row by its
// line follows more easily; the generated days of the tests and the bench
// come by time.
func TestGenFixtureDay(t *testing.T) {
	inRepoRoot(t)
	t.Setenv("KWIKPAISA_WEBHOOK_SECRET", fixtureSecret)
	root := t.TempDir()
	out := filepath.Join(root, fixtureDate)
	if code, _, stderr := runRecon(t, fixtureNow, "gen", "--out", out, "--date", fixtureDate, "--settle-dir", root,
		"--key-order"); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	var names []string
	for _, name := range []string{"orders.csv", "payouts.csv", "gateway.jsonl", "webhooks.jsonl", "planted.csv"} {
		names = append(names, filepath.Join(fixtureDate, name))
	}
	for _, sub := range []string{"settlements", "bank"} {
		entries, err := os.ReadDir(filepath.Join("fixtures", "day", sub))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			names = append(names, filepath.Join(sub, e.Name()))
		}
	}
	for _, name := range names {
		got, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join("fixtures", "day", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: regenerated %d bytes differ from the fixture's %d", name, len(got), len(want))
		}
	}
}

func TestGenFlags(t *testing.T) {
	t.Setenv("KWIKPAISA_WEBHOOK_SECRET", fixtureSecret)
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{"tier with an explicit size", []string{"--tier", "s", "--orders", "200", "--payouts", "50"}, 0,
			"200 orders, 50 payouts, 30 planted exceptions", ""},
		// Tier S plants at 0.5%: two sets of 30 for 10,000 orders, where the
		// same size without --tier plants one.
		{"tier's plant rate", []string{"--tier", "S", "--orders", "10000", "--payouts", "2000"}, 0,
			"10000 orders, 2000 payouts, 60 planted exceptions", ""},
		{"explicit plant rate", []string{"--orders", "1000", "--payouts", "200", "--plant-rate", "0.1"}, 0,
			"1000 orders, 200 payouts, 120 planted exceptions", ""},
		{"unknown tier", []string{"--tier", "XL"}, 2, "", `unknown tier "XL"`},
		{"rate not a fraction", []string{"--plant-rate", "2"}, 2, "", "--plant-rate 2 is not a fraction"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"gen", "--out", t.TempDir()}, tt.args...)
			code, stdout, stderr := runRecon(t, fixtureNow, args...)
			if code != tt.wantCode || !strings.Contains(stdout, tt.wantStdout) || !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("exit %d, stdout %q, stderr %q; want %d, %q, %q", code, stdout, stderr, tt.wantCode,
					tt.wantStdout, tt.wantStderr)
			}
		})
	}
}
