// Command reconbench measures recon on a generated benchmark day (issue 8):
// wall time, CPU, peak RSS and per-stage figures of a first run and of a
// re-run of the same day, against the targets. `make bench` runs it after
// building bin/recon.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/kwikpaisa/recon/internal/bench"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("reconbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg bench.Config
	fs.StringVar(&cfg.Recon, "recon", "bin/recon", "the recon `binary` to measure")
	fs.StringVar(&cfg.Tier, "tier", "S", "benchmark `tier`: S (100,000 orders), M (1,000,000), M3 (3,000,000) or L (10,000,000)")
	fs.Uint64Var(&cfg.Seed, "seed", 1, "random `seed` of the generated day")
	fs.StringVar(&cfg.Date, "date", "2026-11-24", "business `date` of the generated day")
	fs.StringVar(&cfg.Cache, "cache", "bench/data", "`folder` of the generated days and the last figures")
	fs.BoolVar(&cfg.Keep, "keep", false, "keep the runs' database, reports and logs")
	fs.BoolVar(&cfg.NoRerun, "no-rerun", false, "skip the second run on the same database")
	fs.BoolVar(&cfg.Settlements, "settlements", false, "bench a day with settlement reports and bank statements, run with them")
	fs.BoolVar(&cfg.KeyOrder, "key-order", false, "bench the day with its gateway dump and webhook log in key order, not by time as real exports come")
	fs.StringVar(&cfg.Postgres, "postgres", "", "run on a database created for the bench on this PostgreSQL server `URL` (the password in PGPASSWORD), not an SQLite file")
	fs.StringVar(&cfg.DuckDB, "duckdb", "", "run the DuckDB baseline `binary` (make bin/duckrecon) on the same day after recon's first run, and compare")
	fs.IntVar(&cfg.Rounds, "rounds", 1, "measure the first run (and the DuckDB baseline after it) this many `times`, each on a fresh store, and report the median round")
	fs.BoolVar(&cfg.Paired, "paired", false, "in each round, run the tier below (M3 for L) and, for a day by time, the same day in key order beside the first run, and judge the growth and the input order by the median of the rounds' ratios")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if cfg.Rounds < 1 {
		fmt.Fprintf(stderr, "reconbench: --rounds %d: give 1 or more\n", cfg.Rounds)
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "reconbench: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if err := bench.Bench(ctx, cfg, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "reconbench: %v\n", err)
		return 1
	}
	return 0
}
