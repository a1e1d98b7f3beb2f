package bench

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestWrite(t *testing.T) {
	first := Run{Usage: Usage{Wall: 2500 * time.Millisecond, User: 3 * time.Second, Sys: 500 * time.Millisecond,
		MaxRSS: 200 << 20}, Stages: []Stage{
		{"ingest_orders", 100000, 500 * time.Millisecond},
		{"match", 120000, 1500 * time.Millisecond},
	}}
	rerun := &Run{Usage: Usage{Wall: 1 * time.Second, User: time.Second, MaxRSS: 100 << 20}, Stages: []Stage{
		{"ingest_orders", 100000, 10 * time.Millisecond},
		{"match", 120000, 900 * time.Millisecond},
		{"recheck", 5, 20 * time.Millisecond},
	}}
	tests := []struct {
		name string
		r    Result
		want string
	}{
		{"tier S with stages, M not known", Result{Tier: "S", Orders: 100000, Payouts: 20000, Seed: 1, Data: "bench/data/S-1",
			First: first, Rerun: rerun, Check: Check{Planted: 540, Reported: 540},
			Walls: map[string]time.Duration{"S": 2500 * time.Millisecond}}, `recon bench: tier S (100,000 orders, 20,000 payouts, seed 1) on SQLite
day bench/data/S-1 (gateway dump and webhook log by time, as exported): cached (delete the folder to regenerate)

                         figure                    target
first run
  wall                   2.50 s                    ≤ 3.00 s  ok
  CPU user+sys           3.50 s (3.00 s + 0.50 s)
  peak RSS               200.0 MiB
re-run, nothing changed
  wall                   1.00 s
  CPU user+sys           1.00 s
  peak RSS               100.0 MiB
  re-run / first         40.0 %                    ≤ 25.0 %  MISSED
tier M / tier S          -                         ≤ 11      needs a run of both tiers by this build (make bench TIER=M)

exceptions: 540 reported, 540 planted: exactly the planted ones

  stage             rows    time   rows/s  re-run
  ingest_orders  100,000  0.50 s  200,000  0.01 s
  match          120,000  1.50 s   80,000  0.90 s
  recheck              5       -        -  0.02 s
`},
		{"tier M without stages or re-run, both tiers known, wrong exceptions", Result{Tier: "M", Orders: 1000000, Payouts: 200000,
			Seed: 2, Data: "d", Gen: &Usage{Wall: 16 * time.Second, User: 12 * time.Second, MaxRSS: 36 << 20},
			First: Run{Usage: Usage{Wall: 30 * time.Second, MaxRSS: 2 << 30}},
			Check: Check{Planted: 10, Reported: 11, Differences: []Difference{
				{Category: "DUPLICATE_UTR", Planted: 2, Reported: 3, Unplanted: []string{"PAYOUT PO1"}}}},
			Walls: map[string]time.Duration{"S": 2 * time.Second, "M": 30 * time.Second, "M3": 96 * time.Second}}, `recon bench: tier M (1,000,000 orders, 200,000 payouts, seed 2) on SQLite
day d (gateway dump and webhook log by time, as exported): generated in 16.00 s wall, 12.00 s CPU, 36.0 MiB peak RSS

                              figure                    target
first run
  wall                        30.00 s                   ≤ 20.00 s     MISSED
  CPU user+sys                0.00 s (0.00 s + 0.00 s)
  peak RSS                    2048.0 MiB                ≤ 1024.0 MiB  MISSED
re-run                        skipped
tier M / tier S (last runs)   15.0                      ≤ 11          MISSED
tier M3 / tier M (last runs)  3.2                       ≤ 3.3         ok

exceptions: 11 report rows, 10 planted: NOT the planted ones
  category       planted  reported  missed  unplanted  repeated  example
  DUPLICATE_UTR  2        3         0       1          0         PAYOUT PO1

per-stage figures: none (the run's log has no "stage done" lines)
`},
		{"tier S on PostgreSQL, slower than twice SQLite", Result{Tier: "S", Orders: 100000, Payouts: 20000, Seed: 1,
			Store: "PostgreSQL (127.0.0.1:5432)", Data: "d", First: Run{Usage: Usage{Wall: 5 * time.Second}},
			Check: Check{Planted: 5, Reported: 5},
			Walls: map[string]time.Duration{"S": 2 * time.Second, "S@postgres": 5 * time.Second}}, `recon bench: tier S (100,000 orders, 20,000 payouts, seed 1) on PostgreSQL (127.0.0.1:5432)
day d (gateway dump and webhook log by time, as exported): cached (delete the folder to regenerate)

                                         figure                    target
first run
  wall                                   5.00 s
  CPU user+sys                           0.00 s (0.00 s + 0.00 s)
  peak RSS                               0.0 MiB
re-run                                   skipped
PostgreSQL / SQLite, tier S (last runs)  2.50                      ≤ 2     MISSED

exceptions: 5 reported, 5 planted: exactly the planted ones

per-stage figures: none (the run's log has no "stage done" lines)
`},
		{"tier M with settlements: faster than the bound, heavier than the day without", Result{Tier: "M", Orders: 1000000,
			Payouts: 200000, Seed: 1, Data: "d", First: Run{Usage: Usage{Wall: 22 * time.Second, MaxRSS: 980 << 20}},
			Check: Check{Planted: 5, Reported: 5},
			Walls: map[string]time.Duration{"S": 2 * time.Second, "M": 20 * time.Second, "M+settlements": 22 * time.Second},
			Peaks: map[string]float64{"M": 970 << 20, "M+settlements": 980 << 20}}, `recon bench: tier M (1,000,000 orders, 200,000 payouts, seed 1) on SQLite
day d (gateway dump and webhook log by time, as exported): cached (delete the folder to regenerate)

                                        figure                    target
first run
  wall                                  22.00 s                   ≤ 20.00 s     MISSED
  CPU user+sys                          0.00 s (0.00 s + 0.00 s)
  peak RSS                              980.0 MiB                 ≤ 1024.0 MiB  ok
re-run                                  skipped
tier M / tier S (last runs)             10.0                      ≤ 11          ok
tier M3 / tier M                        -                         ≤ 3.3         needs a run of both tiers by this build (make bench TIER=M3)
with settlements / without (last runs)  1.10                      ≤ 1.20        ok
  peak RSS, with / without              1.01                      ≤ 1.00        MISSED

exceptions: 5 reported, 5 planted: exactly the planted ones

per-stage figures: none (the run's log has no "stage done" lines)
`},
		{"tier M in key order beside the day by time", Result{Tier: "M", Orders: 1000000, Payouts: 200000, Seed: 1,
			KeyOrder: true, Data: "d", First: Run{Usage: Usage{Wall: 21 * time.Second, MaxRSS: 960 << 20}},
			Check: Check{Planted: 5, Reported: 5},
			Walls: map[string]time.Duration{"S": 2 * time.Second, "M": 33 * time.Second, "M/key": 21 * time.Second}}, `recon bench: tier M (1,000,000 orders, 200,000 payouts, seed 1) on SQLite
day d (gateway dump and webhook log in key order): cached (delete the folder to regenerate)

                                    figure                    target
first run
  wall                              21.00 s                   ≤ 20.00 s     MISSED
  CPU user+sys                      0.00 s (0.00 s + 0.00 s)
  peak RSS                          960.0 MiB                 ≤ 1024.0 MiB  ok
re-run                              skipped
tier M / tier S (last runs)         16.5                      ≤ 11          MISSED
tier M3 / tier M                    -                         ≤ 3.3         needs a run of both tiers by this build (make bench TIER=M3)
by time / in key order (last runs)  1.57                      ≤ 1.10        MISSED

exceptions: 5 reported, 5 planted: exactly the planted ones

per-stage figures: none (the run's log has no "stage done" lines)
`},
		{"tier L: ten thirds of M3 in more than 3.67 times its wall, and its peak", Result{Tier: "L", Orders: 10000000,
			Payouts: 2000000, Seed: 1, Data: "d", First: Run{Usage: Usage{Wall: 400 * time.Second, MaxRSS: 9 << 30}},
			Check: Check{Planted: 5, Reported: 5},
			Walls: map[string]time.Duration{"M3": 100 * time.Second, "L": 400 * time.Second}}, `recon bench: tier L (10,000,000 orders, 2,000,000 payouts, seed 1) on SQLite
day d (gateway dump and webhook log by time, as exported): cached (delete the folder to regenerate)

                              figure                    target
first run
  wall                        400.00 s
  CPU user+sys                0.00 s (0.00 s + 0.00 s)
  peak RSS                    9216.0 MiB                ≤ 1024.0 MiB  MISSED
re-run                        skipped
tier L / tier M3 (last runs)  4.0                       ≤ 3.67        MISSED

exceptions: 5 reported, 5 planted: exactly the planted ones

per-stage figures: none (the run's log has no "stage done" lines)
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			if err := Write(&b, tt.r); err != nil {
				t.Fatalf("Write: %v", err)
			}
			if got := b.String(); got != tt.want {
				t.Errorf("Write printed:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestGroup(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{{0, "0"}, {999, "999"}, {1000, "1,000"}, {1234567, "1,234,567"}, {-12345, "-12,345"}}
	for _, tt := range tests {
		if got := group(tt.n); got != tt.want {
			t.Errorf("group(%d)=%q, want %q", tt.n, got, tt.want)
		}
	}
}

// TestWriteDuckDB: the DuckDB baseline's run is printed beside recon's,
// with recon's first run as a multiple of it against issue 20's bound,
// and no ratio at all when the baseline did not report exactly the
// planted exceptions (a fast wrong answer is no measure).
func TestWriteDuckDB(t *testing.T) {
	base := Result{Tier: "M", Orders: 1000000, Payouts: 200000, Seed: 1, Data: "d",
		First: Run{Usage: Usage{Wall: 12 * time.Second}}, Check: Check{Planted: 5400, Reported: 5400}}
	for _, c := range []struct {
		name     string
		baseline Baseline
		want     []string
	}{
		{"ahead", Baseline{Usage: Usage{Wall: 16 * time.Second, User: 20 * time.Second, MaxRSS: 2 << 30},
			Check: Check{Planted: 5400, Reported: 5400}}, []string{
			"  wall                               16.00 s",
			"  peak RSS                           2048.0 MiB",
			"recon / DuckDB, first run            0.75                      ≤ 0.80        ok",
			"DuckDB baseline's exceptions: 5,400 reported, 5,400 planted: exactly the planted ones",
		}},
		{"behind", Baseline{Usage: Usage{Wall: 10 * time.Second}, Check: Check{Planted: 5400, Reported: 5400}}, []string{
			"recon / DuckDB, first run            1.20                      ≤ 0.80        MISSED",
		}},
		{"wrong exceptions", Baseline{Usage: Usage{Wall: 8 * time.Second}, Check: Check{Planted: 5400, Reported: 5399,
			Differences: []Difference{{Category: "DUPLICATE_UTR", Planted: 400, Reported: 399, Missed: []string{"PAYOUT PO1"}}}}},
			[]string{
				"recon / DuckDB                       -                         ≤ 0.80        not compared: the baseline's reports are not the planted exceptions",
				"DuckDB baseline's exceptions: 5,399 report rows, 5,400 planted: NOT the planted ones",
			}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := base
			r.DuckDB = &c.baseline
			text, _ := written(t, r)
			hasLines(t, text, c.want...)
			if c.name == "wrong exceptions" && strings.Contains(text, "recon / DuckDB, first run") {
				t.Errorf("a ratio against a baseline that found the wrong exceptions:\n%s", text)
			}
		})
	}
}

// TestRounds: a bench of several rounds reports the median round's first
// run with the highest peak of any, the median of the rounds' own ratios
// against the baseline (not a ratio of two medians from different
// rounds), each round's walls, and a round's wrong answer even when the
// median round's was right.
func TestRounds(t *testing.T) {
	exact := Check{Planted: 5400, Reported: 5400}
	wrong := Check{Planted: 5400, Reported: 5401, Differences: []Difference{{Category: "ORPHAN_PAYMENT", Planted: 100,
		Reported: 101, Unplanted: []string{"PAYIN ORD9"}}}}
	round := func(first, duck time.Duration, peak int64, c Check) Round {
		return Round{First: Run{Usage: Usage{Wall: first, MaxRSS: peak}}, Check: c,
			DuckDB: &Baseline{Usage: Usage{Wall: duck}, Check: exact}}
	}
	r := Result{Tier: "M", Orders: 1000000, Payouts: 200000, Seed: 1, Data: "d", Rounds: []Round{
		round(20*time.Second, 19*time.Second, 300<<20, exact),
		round(15*time.Second, 21*time.Second, 400<<20, wrong),
		round(17*time.Second, 22*time.Second, 350<<20, exact),
	}}
	r.pickMedian()
	if r.First.Wall != 17*time.Second || r.First.MaxRSS != 400<<20 {
		t.Errorf("first run %v, peak %d MiB; want the median round's 17 s with the highest peak, 400 MiB", r.First.Wall, r.First.MaxRSS>>20)
	}
	if r.Check.Exact() {
		t.Errorf("check %+v: the second round's wrong answer is lost", r.Check)
	}
	if r.DuckDB == nil || r.DuckDB.Wall != 21*time.Second {
		t.Fatalf("baseline %+v, want its median run, 21 s", r.DuckDB)
	}
	// The rounds' ratios are 1.05, 0.71 and 0.77; the two medians' would be 0.81.
	if got := r.duckDBRatio(); got < 0.772 || got > 0.773 {
		t.Errorf("ratio %.4f, want the median of the rounds' own, 17/22 = 0.7727", got)
	}
	text, _ := written(t, r)
	hasLines(t, text,
		"recon / DuckDB, first run (median of 3 rounds) 0.77 ≤ 0.80 ok",
		"rounds, first run / DuckDB (ratio):",
		"1: 20.00 s / 19.00 s (1.05)",
		"2: 15.00 s / 21.00 s (0.71), NOT the planted exceptions",
		"exceptions: 5,401 report rows, 5,400 planted: NOT the planted ones",
	)

	// Of an even count, the slower of the two rounds in the middle, and the
	// greater of the two ratios in the middle.
	r = Result{Rounds: []Round{round(10*time.Second, 20*time.Second, 0, exact), round(13*time.Second, 10*time.Second, 0, exact),
		round(12*time.Second, 16*time.Second, 0, exact), round(11*time.Second, 20*time.Second, 0, exact)}}
	r.pickMedian()
	if r.First.Wall != 12*time.Second {
		t.Errorf("of 10, 11, 12 and 13 s: %v, want 12 s", r.First.Wall)
	}
	// Ratios 0.50, 1.30, 0.75, 0.55: the greater middle one, 0.75.
	if got := r.duckDBRatio(); got != 0.75 {
		t.Errorf("of the ratios 0.50, 0.55, 0.75 and 1.30: %.4f, want 0.75", got)
	}
	for i := range r.Rounds {
		r.Rounds[i].DuckDB = nil
	}
	r.pickMedian()
	if r.DuckDB != nil {
		t.Errorf("rounds without a baseline: baseline %v, want none", r.DuckDB)
	}
}

// TestPairedRounds: a paired bench judges a tier's growth by the median of
// the rounds' own ratios against the tier below (not the ratio of the two
// medians, nor of the last runs kept), lists each round's pair, and makes
// no ratio of a round whose lower tier reported the wrong exceptions.
func TestPairedRounds(t *testing.T) {
	exact := Check{Planted: 54000, Reported: 54000}
	round := func(l, m3 time.Duration, c Check) Round {
		return Round{First: Run{Usage: Usage{Wall: l}}, Check: exact, Lower: &Paired{Tier: "M3", Run: Run{Usage: Usage{Wall: m3}}, Check: c}}
	}
	r := Result{Tier: "L", Orders: 10000000, Payouts: 2000000, Seed: 1, Data: "d", Rounds: []Round{
		round(230*time.Second, 60*time.Second, exact), // 3.83
		round(170*time.Second, 54*time.Second, exact), // 3.15
		round(190*time.Second, 49*time.Second, exact), // 3.88
	}, Walls: map[string]time.Duration{"L": 176 * time.Second, "M3": 40 * time.Second}}
	r.pickMedian()
	// The medians' ratio would be 190 / 54 = 3.52, the last runs' 4.4.
	if got := r.besideRatio(false); got < 3.833 || got > 3.834 {
		t.Errorf("growth %.4f, want the median of the rounds' own, 230/60 = 3.833", got)
	}
	if got := r.besideMedian(false).Wall; got != 54*time.Second {
		t.Errorf("tier M3's median %v, want 54 s", got)
	}
	text := func(r Result) string { s, _ := written(t, r); return s }
	hasLines(t, text(r),
		"tier L / tier M3 (median of 3 paired rounds) 3.83 ≤ 3.67 MISSED",
		"rounds, first run; tier M3 beside it (ratio):",
		"1: 230.00 s; 60.00 s (3.83)",
		"3: 190.00 s; 49.00 s (3.88)",
	)
	r.Rounds[0] = round(200*time.Second, 60*time.Second, exact) // 3.33: linear
	hasLines(t, text(r), "tier L / tier M3 (median of 3 paired rounds) 3.33 ≤ 3.67 ok")

	r.Rounds[1] = round(170*time.Second, 54*time.Second, Check{Planted: 54000, Reported: 53999})
	hasLines(t, text(r),
		"tier L / tier M3 (median of 3 paired rounds) - ≤ 3.67 not compared: a run of tier M3 did not report its planted exceptions",
		"2: 170.00 s; 54.00 s (3.15), tier M3 NOT its planted exceptions",
	)
}

// TestRerunRounds: with rounds, the re-run's share of the first run is the
// median of the rounds' own shares, each a re-run of its round's store,
// not the median round's nor the ratio of two medians.
func TestRerunRounds(t *testing.T) {
	exact := Check{Planted: 5400, Reported: 5400}
	round := func(first, rerun time.Duration) Round {
		return Round{First: Run{Usage: Usage{Wall: first}}, Check: exact, Rerun: &Run{Usage: Usage{Wall: rerun}}}
	}
	r := Result{Tier: "M", Orders: 1000000, Payouts: 200000, Seed: 1, Data: "d", Rounds: []Round{
		round(10*time.Second, 1*time.Second), round(12*time.Second, 6*time.Second), round(14*time.Second, 3*time.Second),
	}}
	r.pickMedian()
	if r.Rerun == nil || r.Rerun.Wall != 6*time.Second {
		t.Fatalf("re-run %+v, want the median round's, 6 s", r.Rerun)
	}
	// The shares are 10 %, 50 % and 21.4 %; the median round's is 50 %, the
	// medians' 3 / 12 = 25 %.
	if got := r.rerunShare(); got < 0.2142 || got > 0.2143 {
		t.Errorf("share %.4f, want the median of the rounds' own, 3/14 = 0.2143", got)
	}
	text, _ := written(t, r)
	hasLines(t, text,
		"re-run / first (median of 3 rounds) 21.4 % ≤ 25.0 % ok",
		"rounds, first run; re-run (share of the first):",
		"2: 12.00 s; re-run 6.00 s (50.0 %)",
	)
}

// written returns what Write prints of r, and its lines each with its runs
// of spaces as one: the columns' widths are Write's.
func written(t *testing.T, r Result) (string, []string) {
	t.Helper()
	var b strings.Builder
	if err := Write(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.String(), spaced(b.String())
}

// spaced returns the lines of text, each with its runs of spaces as one.
func spaced(text string) []string {
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		lines = append(lines, strings.Join(strings.Fields(l), " "))
	}
	return lines
}

// hasLines fails t for each line of want (its runs of spaces as one) that
// text does not hold.
func hasLines(t *testing.T, text string, want ...string) {
	t.Helper()
	lines := spaced(text)
	for _, w := range want {
		if !slices.Contains(lines, strings.Join(strings.Fields(w), " ")) {
			t.Errorf("no line %q in:\n%s", w, text)
		}
	}
}

// TestPairedKeyOrder: a paired bench of a day by time judges input order by
// the median of the rounds' own ratios against the same day in key order,
// not by the last runs kept, and makes no ratio when a run in key order
// reported the wrong exceptions.
func TestPairedKeyOrder(t *testing.T) {
	exact := Check{Planted: 54000, Reported: 54000}
	round := func(timed, keyed time.Duration, c Check) Round {
		return Round{First: Run{Usage: Usage{Wall: timed}}, Check: exact,
			Keyed: &Paired{Tier: "L", Run: Run{Usage: Usage{Wall: keyed}}, Check: c}}
	}
	r := Result{Tier: "L", Orders: 10000000, Payouts: 2000000, Seed: 1, Data: "d", Rounds: []Round{
		round(170*time.Second, 160*time.Second, exact), // 1.06
		round(165*time.Second, 170*time.Second, exact), // 0.97
		round(190*time.Second, 150*time.Second, exact), // 1.27
	}, Walls: map[string]time.Duration{"L": 190 * time.Second, "L/key": 150 * time.Second}}
	r.pickMedian()
	text, got := written(t, r)
	hasLines(t, text,
		"by time / in key order (median of 3 paired rounds) 1.06 ≤ 1.10 ok",
		"rounds, first run; in key order beside it (ratio):",
		"3: 190.00 s; 150.00 s (1.27)",
	)
	if slices.ContainsFunc(got, func(l string) bool { return strings.Contains(l, "last runs") }) {
		t.Errorf("a ratio of the last runs beside the paired one:\n%s", text)
	}
	r.Rounds[2].Keyed.Check = Check{Planted: 54000, Reported: 1}
	text, _ = written(t, r)
	hasLines(t, text, "by time / in key order (median of 3 paired rounds) - ≤ 1.10 not compared: a run in key order did not report its planted exceptions")
}

// TestGrowthBounds: each tier's bound against the one below is a tenth over
// linear in their orders: issue 8's 11 for M against S and issue 20's 3.3
// for M3 against M, and so 3.67, not 3.3, for L against M3, whose orders
// are ten thirds of M3's.
func TestGrowthBounds(t *testing.T) {
	want := map[string]float64{"M": 11, "M3": 3.3, "L": 3.67}
	for _, g := range growth {
		if g.bound != want[g.upper] {
			t.Errorf("tier %s / tier %s bound %v, want %v", g.upper, g.lower, g.bound, want[g.upper])
		}
	}
	if len(growth) != len(want) {
		t.Errorf("%d growth bounds, want %d", len(growth), len(want))
	}
}
