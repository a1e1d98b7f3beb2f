package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/kwikpaisa/recon/internal/config"
	"github.com/kwikpaisa/recon/internal/ingest"
	"github.com/kwikpaisa/recon/internal/kwikpaisa"
	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/ledger/stores"
	"github.com/kwikpaisa/recon/internal/pipeline"
	"github.com/kwikpaisa/recon/internal/pull"
	"github.com/kwikpaisa/recon/internal/recon"
)

const pullAbout = `Runs the pull stage of a date alone: asks KwikPaisa's status API about every
ledger key of the date without a final gateway status, every open exception
of the 7 earlier dates and every key only a webhook knows, and stores each
answer (in the database, and appended to <out>/<date>/pulled.jsonl in the
gateway dump format). The date's sources must have been loaded by
'recon run' before. A pull that is stopped and started again asks only for
what it lacks. It takes the date's lock, as a run does: beside a run of the
date it refuses (or waits, with -wait), so no key is asked twice.

Credentials come from KWIKPAISA_API_KEY and KWIKPAISA_SECRET_KEY (or the
owner-only file each _FILE variable names). The base URL is api.base_url
of the configuration, or -api-url; payout calls need api.wallet_id.`

// apiFlags are the API settings a command takes besides the configuration
// file.
type apiFlags struct {
	url, wallet string
	rate        float64
	concurrency int
	timeout     time.Duration
}

func (a *apiFlags) register(fs interface {
	StringVar(*string, string, string, string)
	Float64Var(*float64, string, float64, string)
	IntVar(*int, string, int, string)
	DurationVar(*time.Duration, string, time.Duration, string)
}) {
	fs.StringVar(&a.url, "api-url", "", "KwikPaisa API base `URL` (default api.base_url, else "+kwikpaisa.LiveURL+")")
	fs.StringVar(&a.wallet, "wallet-id", "", "kwikx wallet `id` for payout status calls (default api.wallet_id)")
	fs.Float64Var(&a.rate, "api-rate", 20, "most API `requests` a second")
	fs.IntVar(&a.concurrency, "api-concurrency", 4, "most API requests in `flight` at once")
	fs.DurationVar(&a.timeout, "api-timeout", 15*time.Second, "give up one API `attempt` after this long")
}

// apiClient builds the API client from the configuration, the flags and
// the secrets; it returns nil when no credentials are set.
func apiClient(file config.API, f apiFlags) (*kwikpaisa.Client, error) {
	if f.url != "" {
		// Refused even when no call is made: a secret written into the URL
		// is one a shell history and a process list have already seen.
		if err := config.CheckBaseURL(f.url); err != nil {
			return nil, &usageError{message: "--api-url: " + err.Error(), hint: "--api-url " + kwikpaisa.LiveURL}
		}
	}
	key, err := config.Secret(config.EnvAPIKey)
	if err != nil {
		return nil, err
	}
	secret, err := config.Secret(config.EnvSecretKey)
	if err != nil {
		return nil, err
	}
	switch {
	case key == "" && secret == "":
		return nil, nil
	case key == "":
		return nil, fmt.Errorf("%s is set but %s is not", config.EnvSecretKey, config.EnvAPIKey)
	case secret == "":
		return nil, fmt.Errorf("%s is set but %s is not", config.EnvAPIKey, config.EnvSecretKey)
	}
	return kwikpaisa.New(kwikpaisa.Config{
		BaseURL: firstOf(f.url, file.BaseURL), APIKey: key, SecretKey: secret, WalletID: firstOf(f.wallet, file.WalletID),
		Rate: f.rate, Burst: 1, Concurrency: f.concurrency, Timeout: f.timeout, Parse: pull.Parser(ingest.DefaultStatuses()),
	})
}

// pullFunc is the pull stage as the pipeline runs it.
func pullFunc(c *kwikpaisa.Client, out string, concurrency int, now func() time.Time, log *slog.Logger) pipeline.PullFunc {
	return func(ctx context.Context, db ledger.Store, day recon.BusinessDay) (recon.PullStats, error) {
		return pull.Run(ctx, db, day, pull.Options{
			Client: c, Workers: concurrency, Dump: filepath.Join(out, day.Date, "pulled.jsonl"), Now: now, Log: log,
		})
	}
}

func pullCmd(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "pull", "--date YYYY-MM-DD [flags]", pullAbout)
	date := fs.String("date", "", "business `date` to pull, YYYY-MM-DD (required)")
	cfgPath := fs.String("config", "", "configuration `file` (TOML)")
	dbPath := fs.String("db", "", "the store: an SQLite `file` (default ./recon.db) or a postgres:// URL without its password (PGPASSWORD)")
	out := fs.String("out", "", "report `folder` (default ./reports)")
	verbose := fs.Bool("v", false, "log to stderr")
	wait := fs.Bool("wait", false, "when a run of the date holds its lock, wait for it instead of refusing")
	var api apiFlags
	api.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *date == "" {
		return &usageError{message: "missing --date", hint: "recon pull --date 2026-11-24"}
	}
	var file config.File
	if *cfgPath != "" {
		loaded, err := config.Load(*cfgPath)
		if err != nil {
			return err
		}
		file = *loaded
	}
	zone, err := config.LoadZone(file.Zone)
	if err != nil {
		return err
	}
	day, err := recon.ParseBusinessDay(*date, zone)
	if err != nil {
		return &usageError{message: err.Error(), hint: "dates are written 2026-11-24"}
	}
	client, err := apiClient(file.API, api)
	if err != nil {
		return err
	}
	if client == nil {
		return fmt.Errorf("no credentials: set %s and %s (or their _FILE variables)", config.EnvAPIKey, config.EnvSecretKey)
	}
	dbFile := firstOf(*dbPath, file.DB, "recon.db")
	log := newLogger(e.stderr, *verbose)
	holder := fmt.Sprintf("pid %d, recon pull", os.Getpid())
	db, err := stores.Open(ctx, dbFile, stores.Options{Now: e.now, Log: log})
	if err != nil {
		return err
	}
	defer db.Close()
	unlock, err := takeDateLock(ctx, e, db, *date, holder, *wait, log)
	if err != nil {
		return err
	}
	defer unlock()
	stats, err := pullFunc(client, firstOf(*out, file.Out, "reports"), api.concurrency, e.now, log)(ctx, db, day)
	printPull(e.stdout, stats)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return fmt.Errorf("pull stopped; run it again to ask for the keys still lacking")
		}
		return fmt.Errorf("pull gateway statuses: %w", err)
	}
	if stats.Keys == 0 {
		roles, err := db.DayRoles(ctx, *date)
		switch {
		case err != nil:
			return err
		case len(roles) == 0:
			fmt.Fprintf(e.stdout, "Nothing to pull for %s: no sources of the date are loaded; run 'recon run --date %s' first.\n", *date, *date)
		default:
			fmt.Fprintf(e.stdout, "Nothing to pull for %s: every key already has a final status or a fresh answer.\n", *date)
		}
	}
	if stats.Failures > 0 {
		fmt.Fprintf(e.stderr, "recon: warning: pull incomplete: %d key(s) got no answer after every retry; they stay UNVERIFIED\n", stats.Failures)
	}
	return nil
}

// printPull prints a pull's figures.
func printPull(w io.Writer, s recon.PullStats) {
	fmt.Fprintf(w, "  pulled    %s keys: %s requests, %s retries, %s rate-limited, %s not found, %s failed, in %s\n",
		group(s.Keys), group(s.Requests), group(s.Retries), group(s.RateLimited), group(s.NotFound), group(s.Failures), s.Elapsed.Round(time.Millisecond))
}
