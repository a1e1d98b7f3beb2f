package bench

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fakeRecon is a recon that generates a day of one planted exception per
// tier and reports exactly it, and logs the tier of each run to runs.
const fakeRecon = `#!/bin/sh
cmd=$1; shift
while [ $# -gt 0 ]; do
	case "$1" in
	--out) out=$2 ;;
	--tier) tier=$2 ;;
	--date) date=$2 ;;
	--orders) orders=$2 ;;
	esac
	shift
done
case "$cmd" in
gen)
	mkdir -p "$out"
	printf 'category,entity,reference,note\nAMOUNT_MISMATCH,PAYIN,ORD-%s,x\n' "$tier" >"$out/planted.csv"
	for f in orders.csv payouts.csv gateway.jsonl webhooks.jsonl; do : >"$out/$f"; done
	;;
run)
	day=$(dirname "$orders")
	echo "$(basename "$day")" >>"$RUNS"
	mkdir -p "$out/$date"
	cp "$day/planted.csv" "$out/$date/mismatches.csv"
	printf 'category,entity,reference\n' >"$out/$date/duplicates.csv"
	printf 'category,entity,reference\n' >"$out/$date/missing_utr.csv"
	;;
esac
`

// TestBenchPaired: a paired bench runs the tier below and the same day in
// key order, each on its own day, in every round, first in odd rounds and
// second in even ones, judges the growth and the input order by the
// rounds' ratios, and keeps the three days' walls; each round re-runs its
// own store (the days beside are not re-run).
func TestBenchPaired(t *testing.T) {
	dir := t.TempDir()
	recon := filepath.Join(dir, "recon")
	if err := os.WriteFile(recon, []byte(fakeRecon), 0o755); err != nil {
		t.Fatal(err)
	}
	runs := filepath.Join(dir, "runs")
	t.Setenv("RUNS", runs)
	cache := filepath.Join(dir, "cache")
	var out strings.Builder
	cfg := Config{Recon: recon, Tier: "L", Seed: 1, Date: "2026-11-24", Cache: cache, Rounds: 3, Paired: true}
	if err := Bench(context.Background(), cfg, &out, io.Discard); err != nil {
		t.Fatalf("Bench: %v", err)
	}
	b, err := os.ReadFile(runs)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Fields(string(b))
	want := []string{"M3-1-timed", "L-1", "L-1-timed", "L-1-timed", "L-1-timed", "L-1-timed", "M3-1-timed", "L-1",
		"M3-1-timed", "L-1", "L-1-timed", "L-1-timed"}
	if !slices.Equal(got, want) {
		t.Errorf("runs %v, want %v", got, want)
	}
	hasLines(t, out.String(), "rounds, first run; re-run (share of the first); in key order beside it (ratio); tier M3 beside it (ratio):",
		"exceptions: 1 reported, 1 planted: exactly the planted ones")
	for _, w := range []string{"tier L / tier M3 (median of 3 paired rounds)", "by time / in key order (median of 3 paired rounds)"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("no %q in:\n%s", w, out.String())
		}
	}
	var walls map[string]struct{ Value float64 }
	if b, err = os.ReadFile(filepath.Join(cache, wallsFile)); err == nil {
		err = json.Unmarshal(b, &walls)
	}
	if err != nil || walls["L"].Value <= 0 || walls["M3"].Value <= 0 || walls["L/key"].Value <= 0 {
		t.Errorf("walls %v (%v): want the last walls of the three days", walls, err)
	}

	// Tier S in key order has nothing to pair with.
	cfg.Tier, cfg.KeyOrder = "S", true
	if err := Bench(context.Background(), cfg, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "--paired: tier S") {
		t.Errorf("paired tier S in key order: %v, want an error naming --paired", err)
	}
}
