package bench

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kwikpaisa/recon/internal/ledger/postgres"
	"github.com/kwikpaisa/recon/internal/synth"
)

// WebhookSecret signs the bench days' webhook logs; it is a test value,
// not a KwikPaisa secret.
const WebhookSecret = "whsec_bench_2026"

// Config says what to bench.
type Config struct {
	Recon string // the recon binary
	Tier  string // S or M
	Seed  uint64
	Date  string // the business date of the generated day
	Cache string // the folder of the generated days and the last figures
	Keep  bool   // keep the run's database, reports and logs
	// NoRerun skips the second run (a tier M run takes minutes while the
	// engine is slow).
	NoRerun bool
	// Settlements benches a day with settlement reports and bank
	// statements (recon gen --settle-dir) and runs it with them: a day of
	// its own in the cache, its wall time kept as "<tier>+settlements".
	Settlements bool
	// KeyOrder benches the day with its gateway dump and webhook log in key
	// order (recon gen --key-order), not by time as real exports come: a
	// day of its own in the cache, its wall time kept as "<tier>/key".
	KeyOrder bool
	// Postgres, a PostgreSQL server's URL, runs the day on a database
	// created on it for the bench (and dropped after) instead of an SQLite
	// file; its wall time is kept as "<tier>@postgres".
	Postgres string
	// DuckDB, the path of the DuckDB baseline (bench/duckdb), runs it on
	// the same day right after recon's first run, for the ratio of the
	// two (issue 20).
	DuckDB string
	// Rounds is how many times the first run is measured, each on a fresh
	// store and followed by the baseline's run when there is one (0 or 1:
	// once). Two runs of the same binary on this kind of machine differ by
	// up to a quarter, more than the targets' margins; the median round
	// (the slower middle one of an even count) gives the figures, its
	// first run the ones kept for the ratios of tiers, the median of the
	// rounds' own ratios the one against the baseline, and the highest
	// peak of all the peak. Only the last round's store is kept (--keep)
	// and run again.
	Rounds int
	// Paired runs, in each round, the tier below (the one its growth is
	// judged against: M3 for L) on its own day beside this tier's first
	// run and, for a day by time, the same day in key order, so that each
	// ratio is of runs in one spell of the machine, and reported as the
	// median of the rounds' own ratios. Kept apart, a bench of each day's
	// last run compares runs minutes or days apart, and this machine's
	// slow spells last minutes.
	Paired bool
}

// Bench generates the tier's day unless it is cached, runs recon on it
// twice (the second run on the same database: nothing changed), and
// writes the figures to w. Progress goes to progress.
func Bench(ctx context.Context, cfg Config, w, progress io.Writer) error {
	tier, err := synth.TierOf(cfg.Tier)
	if err != nil {
		return err
	}
	// The build that runs, named before it does: the figures are its.
	build, err := buildOf(cfg.Recon)
	if err != nil {
		return err
	}
	r := Result{Tier: tier.Name, Orders: tier.Orders, Payouts: tier.Payouts, Seed: cfg.Seed, KeyOrder: cfg.KeyOrder}
	var wallKey string
	r.Data, wallKey = dayOf(cfg, tier.Name)
	if r.Gen, err = ensureDay(ctx, cfg, tier, r.Data, progress); err != nil {
		return err
	}
	var beside []*pairedTier
	if cfg.Paired {
		if beside, err = besideDays(ctx, cfg, tier.Name, progress); err != nil {
			return err
		}
	}
	tmp, err := os.MkdirTemp("", "reconbench-")
	if err != nil {
		return fmt.Errorf("create temp folder: %w", err)
	}
	if cfg.Keep {
		fmt.Fprintf(progress, "keeping the last run's database, reports and logs in %s\n", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	r.Store = "SQLite"
	if cfg.Postgres != "" {
		r.Store, wallKey = "PostgreSQL "+postgres.Redact(cfg.Postgres), wallKey+"@postgres"
		for _, p := range beside {
			p.wallKey += "@postgres"
		}
	}
	rounds := max(1, cfg.Rounds)
	for k := range rounds {
		// A round's store and reports go once the next round begins: at
		// tier L a store is 8 GB.
		dir := tmp
		if rounds > 1 {
			dir = filepath.Join(tmp, fmt.Sprintf("round-%d", k+1))
			fmt.Fprintf(progress, "round %d of %d\n", k+1, rounds)
		}
		// The days beside run first in odd rounds and second in even ones,
		// so that a machine slowing or speeding through the rounds does
		// not favour either.
		var lower, keyed *Paired
		if k%2 == 0 {
			if lower, keyed, err = measureBeside(ctx, cfg, beside, dir, progress); err != nil {
				return err
			}
		}
		args, drop, err := roundArgs(ctx, cfg, r.Data, dir)
		if err != nil {
			return err
		}
		round, err := measureRound(ctx, cfg, r.Data, dir, args, progress)
		if err == nil && k%2 == 1 {
			lower, keyed, err = measureBeside(ctx, cfg, beside, dir, progress)
		}
		round.Lower, round.Keyed = lower, keyed
		if drop != nil {
			drop()
		}
		if err != nil {
			return err
		}
		r.Rounds = append(r.Rounds, round)
		if k+1 < rounds {
			if err := os.RemoveAll(dir); err != nil {
				return err
			}
		}
	}
	r.pickMedian()
	walls, err := saveLast(cfg.Cache, wallsFile, wallKey, r.First.Wall.Seconds(), build)
	if err != nil {
		return err
	}
	for _, p := range beside {
		// The median run of a day beside is its last by this build too.
		if walls, err = saveLast(cfg.Cache, wallsFile, p.wallKey, r.besideMedian(p.keyOrder).Wall.Seconds(), build); err != nil {
			return err
		}
	}
	r.Walls = map[string]time.Duration{}
	for k, s := range walls {
		r.Walls[k] = time.Duration(s * float64(time.Second))
	}
	if r.Peaks, err = saveLast(cfg.Cache, peaksFile, wallKey, float64(r.First.MaxRSS), build); err != nil {
		return err
	}
	return Write(w, r)
}

// dayOf returns the folder of a tier's day as cfg asks for it (by time or
// in key order, with settlements or not) and the key of its wall time
// among the last runs.
func dayOf(cfg Config, tier string) (dir, wallKey string) {
	dir, wallKey = filepath.Join(cfg.Cache, fmt.Sprintf("%s-%d-timed", tier, cfg.Seed)), tier
	if cfg.KeyOrder {
		// The days of earlier benches, all in key order, keep their folders.
		dir = filepath.Join(cfg.Cache, fmt.Sprintf("%s-%d", tier, cfg.Seed))
		wallKey += KeyOrderSuffix
	}
	if cfg.Settlements {
		dir += "-settled"
		wallKey += "+settlements"
	}
	return dir, wallKey
}

// pairedTier is a day a paired bench runs beside the one it measures
// (Config.Paired): the tier below's, or the same tier's in key order.
type pairedTier struct {
	name, data, wallKey string
	keyOrder            bool
}

// besideDays returns the days a paired bench of tier runs beside it: the
// tier its growth is judged against, and for a day by time, the same day
// in key order; each generated unless it is cached.
func besideDays(ctx context.Context, cfg Config, tier string, progress io.Writer) ([]*pairedTier, error) {
	var days []*pairedTier
	add := func(name string, keyOrder bool) error {
		t, err := synth.TierOf(name)
		if err != nil {
			return err
		}
		c := cfg
		c.KeyOrder = c.KeyOrder || keyOrder
		p := &pairedTier{name: t.Name, keyOrder: keyOrder}
		p.data, p.wallKey = dayOf(c, t.Name)
		days = append(days, p)
		_, err = ensureDay(ctx, c, t, p.data, progress)
		return err
	}
	if i := slices.IndexFunc(growth, func(g tierGrowth) bool { return g.upper == tier }); i >= 0 {
		if err := add(growth[i].lower, false); err != nil {
			return nil, err
		}
	}
	if !cfg.KeyOrder {
		if err := add(tier, true); err != nil {
			return nil, err
		}
	}
	if len(days) == 0 {
		return nil, fmt.Errorf("--paired: tier %s in key order has no tier below it and no other order to pair with", tier)
	}
	return days, nil
}

// measureBeside measures the first run of each day beside, each in a
// folder of its own under dir, which goes once it is measured, and checks
// its reports: the tier below's and the same tier's in key order, nil for
// one not beside.
func measureBeside(ctx context.Context, cfg Config, beside []*pairedTier, dir string, progress io.Writer) (lower, keyed *Paired, err error) {
	cfg.DuckDB, cfg.NoRerun = "", true // the baseline and the re-run are of the day measured
	for _, p := range beside {
		c := cfg
		c.KeyOrder = c.KeyOrder || p.keyOrder
		name, sub := "tier "+p.name, "tier-"+p.name
		if p.keyOrder {
			name, sub = "the day in key order", "key-order"
		}
		d := filepath.Join(dir, sub)
		args, drop, err := roundArgs(ctx, c, p.data, d)
		if err != nil {
			return nil, nil, err
		}
		fmt.Fprintf(progress, "%s beside it: ", name)
		round, err := measureRound(ctx, c, p.data, d, args, progress)
		if drop != nil {
			drop()
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		if err := os.RemoveAll(d); err != nil {
			return nil, nil, err
		}
		run := &Paired{Tier: p.name, Run: round.First, Check: round.Check}
		if p.keyOrder {
			keyed = run
		} else {
			lower = run
		}
	}
	return lower, keyed, nil
}

// roundArgs makes a fresh store for a round's first run, its folder dir
// and, with cfg.Postgres, a database created on that server (drop drops
// it), and returns the arguments of the runs on it.
func roundArgs(ctx context.Context, cfg Config, data, dir string) (args []string, drop func(), err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("create temp folder: %w", err)
	}
	db := filepath.Join(dir, "recon.db")
	if cfg.Postgres != "" {
		if db, drop, err = freshDatabase(ctx, cfg.Postgres); err != nil {
			return nil, nil, err
		}
	}
	args = []string{"run", "--offline", "--date", cfg.Date,
		"--orders", filepath.Join(data, "orders.csv"), "--payouts", filepath.Join(data, "payouts.csv"),
		"--gateway", filepath.Join(data, "gateway.jsonl"), "--webhooks", filepath.Join(data, "webhooks.jsonl"),
		"--db", db, "--out", filepath.Join(dir, "reports"), "--log-format", "json"}
	if cfg.Settlements {
		conf, err := settlementConfig(dir, data)
		if err != nil {
			if drop != nil {
				drop()
			}
			return nil, nil, err
		}
		args = append(args, "--config", conf)
	}
	return args, drop, nil
}

// measureRound measures recon's first run with args, read cold, checks its
// reports and, unless cfg says not to, measures the re-run of the same day
// on the same store, then the baseline's run when cfg asks for one.
func measureRound(ctx context.Context, cfg Config, data, dir string, args []string, progress io.Writer) (Round, error) {
	var round Round
	fmt.Fprintf(progress, "first-run: %s %s\n", cfg.Recon, strings.Join(args, " "))
	if err := evictDay(data); err != nil {
		return round, err
	}
	var err error
	if round.First, err = measureRun(ctx, cfg.Recon, args, filepath.Join(dir, "first-run")); err != nil {
		return round, err
	}
	if round.Check, err = CheckPlanted(data, filepath.Join(dir, "reports", cfg.Date)); err != nil {
		return round, err
	}
	if !cfg.NoRerun {
		// The re-run of each round, on the round's own store, so that its
		// share of the first run is of two runs in one spell.
		fmt.Fprintf(progress, "re-run: %s %s\n", cfg.Recon, strings.Join(args, " "))
		if err := evictDay(data); err != nil {
			return round, err
		}
		rerun, err := measureRun(ctx, cfg.Recon, args, filepath.Join(dir, "re-run"))
		if err != nil {
			return round, err
		}
		round.Rerun = &rerun
	}
	if cfg.DuckDB != "" {
		if round.DuckDB, err = measureBaseline(ctx, cfg, data, filepath.Join(dir, "duckdb"), progress); err != nil {
			return round, err
		}
	}
	return round, nil
}

// ensureDay generates the tier's day into dir unless it is there, and
// returns what generating cost (nil: cached). The day is written to a
// sibling folder and renamed, so an interrupted generation leaves no half
// day behind.
func ensureDay(ctx context.Context, cfg Config, tier synth.Tier, dir string, progress io.Writer) (*Usage, error) {
	if _, err := os.Stat(dir); err == nil {
		return nil, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("stat %s: %w", dir, err)
	}
	part := dir + ".partial"
	if err := os.RemoveAll(part); err != nil {
		return nil, fmt.Errorf("remove %s: %w", part, err)
	}
	args := []string{"gen", "--out", part, "--date", cfg.Date, "--tier", tier.Name, "--seed", fmt.Sprint(cfg.Seed)}
	if cfg.Settlements {
		args = append(args, "--settle-dir", part)
	}
	if cfg.KeyOrder {
		args = append(args, "--key-order")
	}
	fmt.Fprintf(progress, "generating tier %s: %s %s\n", tier.Name, cfg.Recon, strings.Join(args, " "))
	u, err := Measure(ctx, Command{Path: cfg.Recon, Args: args, Env: childEnv(), Stderr: progress})
	if err != nil {
		return nil, fmt.Errorf("generate tier %s: %w", tier.Name, err)
	}
	if err := os.Rename(part, dir); err != nil {
		return nil, fmt.Errorf("generate tier %s: %w", tier.Name, err)
	}
	return &u, nil
}

// settlementConfig writes, into dir, the configuration that gives a run
// the settlement reports and bank statements of the day in data, with the
// generator's fee schedule; the flags give the rest.
func settlementConfig(dir, data string) (string, error) {
	abs, err := filepath.Abs(data)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "[sources]\nsettlements = %q\nbank = %q\n[fees]\n", filepath.Join(abs, "settlements", "{date}.*"),
		filepath.Join(abs, "bank", "{date}.*"))
	for _, k := range []string{"default", "upi", "card", "netbanking", "gst_rate"} {
		fmt.Fprintf(&b, "%s = %q\n", k, synth.Fees[k])
	}
	path := filepath.Join(dir, "settlements.toml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return path, nil
}

// measureRun runs recon with args, its log going to base.log, and returns
// its usage and the stages of its log.
func measureRun(ctx context.Context, recon string, args []string, base string) (Run, error) {
	logFile, err := os.Create(base + ".log")
	if err != nil {
		return Run{}, fmt.Errorf("create run log: %w", err)
	}
	defer logFile.Close()
	u, err := Measure(ctx, Command{Path: recon, Args: args, Env: childEnv(), Stderr: logFile})
	if err != nil {
		return Run{}, fmt.Errorf("%w; its log:\n%s", err, tail(logFile.Name(), 20))
	}
	if _, err := logFile.Seek(0, io.SeekStart); err != nil {
		return Run{}, fmt.Errorf("read run log: %w", err)
	}
	stages, err := ParseStages(logFile)
	if err != nil {
		return Run{}, fmt.Errorf("%s: %w", logFile.Name(), err)
	}
	return Run{Usage: u, Stages: stages}, nil
}

// measureBaseline runs the DuckDB baseline on the day in data, its reports
// into out, and checks them against the planted exceptions as recon's are.
func measureBaseline(ctx context.Context, cfg Config, data, out string, progress io.Writer) (*Baseline, error) {
	args := []string{"--day", data, "--date", cfg.Date, "--out", out}
	fmt.Fprintf(progress, "baseline: %s %s\n", cfg.DuckDB, strings.Join(args, " "))
	if err := evictDay(data); err != nil {
		return nil, err
	}
	var stderr bytes.Buffer
	u, err := Measure(ctx, Command{Path: cfg.DuckDB, Args: args, Env: childEnv(), Stderr: &stderr})
	if err != nil {
		return nil, fmt.Errorf("DuckDB baseline: %w\n%s", err, stderr.String())
	}
	check, err := CheckPlanted(data, out)
	if err != nil {
		return nil, fmt.Errorf("DuckDB baseline: %w", err)
	}
	return &Baseline{Usage: u, Check: check}, nil
}

// childEnv is the environment of the children: this one, without any
// KwikPaisa setting, and with the bench days' webhook secret.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "KWIKPAISA_") {
			env = append(env, kv)
		}
	}
	return append(env, "KWIKPAISA_WEBHOOK_SECRET="+WebhookSecret)
}

// tail returns the last n lines of a file, for an error message.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

// The files of the last first run's wall time (in seconds) and peak RSS
// (in bytes) of each tier and input order, in the cache folder, each with
// the build of recon that ran it. (Up to 2026-12-04 last-walls.json kept
// the walls of days in key order under the tier's name alone, which now
// names the day by time: it is not read. Up to 2026-12-05 walls.json and
// peaks.json kept bare figures, of no known build.)
const (
	wallsFile = "walls.json"
	peaksFile = "peaks.json"
)

// last is a tier's latest figure and the build of recon that ran it (a
// hash of the binary; "" when not recorded).
type last struct {
	Value float64 `json:"value"`
	Build string  `json:"build"`
}

// UnmarshalJSON reads a figure written before builds were recorded, a
// bare number, as one of no build.
func (l *last) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, &l.Value); err == nil {
		l.Build = ""
		return nil
	}
	type plain last
	return json.Unmarshal(b, (*plain)(l))
}

// saveLast records a tier's latest figure, of build, in one of those files
// and returns every tier's figure of the same build: a ratio of two tiers
// measured by two builds would say nothing of either.
func saveLast(cache, file, tier string, v float64, build string) (map[string]float64, error) {
	path := filepath.Join(cache, file)
	all := map[string]last{}
	if b, err := os.ReadFile(path); err == nil {
		if err := json.Unmarshal(b, &all); err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	all[tier] = last{Value: v, Build: build}
	b, err := json.MarshalIndent(all, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.WriteFile(path+".tmp", append(b, '\n'), 0o644); err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(path+".tmp", path); err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	same := map[string]float64{}
	for k, l := range all {
		if l.Build == build {
			same[k] = l.Value
		}
	}
	return same, nil
}

// buildOf names the build of the recon binary at path (or found on PATH,
// as a run finds it): a hash of its bytes, so that a rebuilt binary of
// other code is another build.
func buildOf(path string) (string, error) {
	found, err := exec.LookPath(path)
	if err != nil {
		return "", fmt.Errorf("--recon: %w", err)
	}
	f, err := os.Open(found)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// freshDatabase creates a database for one bench on the server at server
// and returns its URL and a func that drops it.
func freshDatabase(ctx context.Context, server string) (string, func(), error) {
	u, err := url.Parse(server)
	if err != nil {
		return "", nil, fmt.Errorf("--postgres: not a URL")
	}
	name := fmt.Sprintf("reconbench_%d", time.Now().UnixNano())
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		return "", nil, fmt.Errorf("connect to %s: %w", postgres.Redact(server), err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE DATABASE `+name); err != nil {
		return "", nil, fmt.Errorf("create a bench database on %s: %w", postgres.Redact(server), err)
	}
	drop := func() {
		ctx := context.Background()
		if conn, err := pgx.Connect(ctx, server); err == nil {
			_, _ = conn.Exec(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
			conn.Close(ctx)
		}
	}
	u.Path = "/" + name
	return u.String(), drop, nil
}
