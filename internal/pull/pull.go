// Package pull is the pull stage of a run: it asks KwikPaisa's status API
// about every key of a date that lacks the gateway's final word, stores
// each answer as it arrives (SQLite, and a JSON-lines dump that replays
// offline), and says what it did.
package pull

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/kwikpaisa/recon/internal/ingest"
	"github.com/kwikpaisa/recon/internal/kwikpaisa"
	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/recon"
)

// Statuser asks the gateway for one key's record; *kwikpaisa.Client is
// one.
type Statuser interface {
	Status(ctx context.Context, entity recon.Entity, key string) (*recon.GatewayRecord, kwikpaisa.Trace, error)
}

// Options configure a pull.
type Options struct {
	Client Statuser
	// Workers is how many keys are asked for at once (default 4; the
	// client bounds its own concurrency and rate too).
	Workers int
	// RecheckDays is the re-check window: open exceptions of this many
	// earlier dates are pulled again (default 7).
	RecheckDays int
	// Fresh is how long an answer stays fresh: a key answered less than
	// Fresh ago is not asked again (default 1h).
	Fresh time.Duration
	// Dump is the JSON-lines file each record found is appended to, in
	// the gateway dump format (SPEC §2.2); "" writes none.
	Dump string
	// Now is the clock (default time.Now).
	Now func() time.Time
	Log *slog.Logger
}

// Parser returns a record reader for kwikpaisa.Config.Parse: the reader of
// gateway dump lines, so that a pulled record and a dumped one are read by
// the same code.
func Parser(statuses *ingest.StatusTable) func([]byte) (*recon.GatewayRecord, error) {
	return func(b []byte) (*recon.GatewayRecord, error) {
		g, fe := ingest.ParseGatewayRecord(b, statuses)
		if fe != nil {
			return nil, fe
		}
		return g, nil
	}
}

// Run pulls day's keys into db. It returns what it did even when it stops
// early: on ctx's cancellation, a store error, an authentication error or
// a missing wallet id (every further request would fail the same way). A key that found no
// answer after every retry is stored as failed, never as not found.
func Run(ctx context.Context, db ledger.Store, day recon.BusinessDay, opts Options) (stats recon.PullStats, err error) {
	setDefaults(&opts)
	started := opts.Now()
	defer func() { stats.Elapsed = opts.Now().Sub(started) }()

	recheckFrom := day.Start.AddDate(0, 0, -opts.RecheckDays).Format("2006-01-02")
	keys, err := db.PullCandidates(ctx, day.Date, day.Start, day.End, recheckFrom, started.Add(-opts.Fresh))
	if err != nil {
		return stats, err
	}
	stats.Keys = len(keys)
	opts.Log.Info("pull", "stage", "pull", "keys", len(keys))
	if len(keys) == 0 {
		return stats, nil
	}
	var dump *os.File
	if opts.Dump != "" {
		if err := os.MkdirAll(filepath.Dir(opts.Dump), 0o700); err != nil {
			return stats, fmt.Errorf("pull dump: %w", err)
		}
		if dump, err = os.OpenFile(opts.Dump, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600); err != nil {
			return stats, fmt.Errorf("pull dump: %w", err)
		}
		defer dump.Close()
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan ledger.PullKey)
	results := make(chan answer)
	var wg sync.WaitGroup
	for range opts.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range jobs {
				g, tr, err := opts.Client.Status(ctx, k.Entity, k.Key)
				select {
				case results <- answer{key: k, record: g, trace: tr, err: err}:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for _, k := range keys {
			select {
			case jobs <- k:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(results)
	}()

	var stop error
	for a := range results {
		if stop != nil {
			continue // drain
		}
		stats.Requests += a.trace.Requests
		stats.Retries += a.trace.Retries
		stats.RateLimited += a.trace.RateLimited
		if ctx.Err() != nil && a.err != nil {
			continue // cut short by the cancellation: the key is still lacking
		}
		res := judge(a, day.Date, opts.Now())
		switch res.Outcome {
		case recon.PullFailed:
			stats.Failures++
			opts.Log.Warn("pull failed", "stage", "pull", "entity", a.key.Entity, "key", a.key.Key, "error", res.Error)
		case recon.PullNotFound:
			stats.NotFound++
		}
		if err := save(ctx, db, dump, res); err != nil {
			stop = err
			cancel()
			continue
		}
		if errors.Is(a.err, kwikpaisa.ErrAuth) || errors.Is(a.err, kwikpaisa.ErrNoWallet) {
			stop = a.err
			cancel()
		}
	}
	if stop != nil {
		return stats, stop
	}
	return stats, ctx.Err()
}

type answer struct {
	key    ledger.PullKey
	record *recon.GatewayRecord
	trace  kwikpaisa.Trace
	err    error
}

// judge turns an answer into the outcome stored for its key.
func judge(a answer, date string, at time.Time) *ledger.PullResult {
	res := &ledger.PullResult{Entity: a.key.Entity, Key: a.key.Key, Attempts: a.trace.Requests, At: at,
		Date: date, Retries: a.trace.Retries, RateLimited: a.trace.RateLimited}
	switch {
	case a.err == nil:
		res.Outcome, res.Record = recon.PullFound, a.record
		// Evidence of a pulled record names the call, not a line: the
		// order answers arrive in varies from one pull to the next.
		call := "order/status"
		if a.key.Entity == recon.EntityPayout {
			call = "payment/status"
		}
		res.Record.Place = recon.PlaceOf("api", call)
	case errors.Is(a.err, kwikpaisa.ErrNotFound):
		res.Outcome = recon.PullNotFound
	default:
		res.Outcome, res.Error = recon.PullFailed, a.err.Error()
	}
	return res
}

// save stores one result: the dump line first, then the store, so that a
// pull killed in between asks again (a repeated dump line is harmless: the
// latest record of a key wins).
func save(ctx context.Context, db ledger.Store, dump *os.File, res *ledger.PullResult) error {
	if dump != nil && res.Record != nil && res.Record.Detail != nil {
		line := append(append([]byte(nil), res.Record.Detail.Raw...), '\n')
		if _, err := dump.Write(line); err != nil {
			return fmt.Errorf("pull dump: %w", err)
		}
	}
	// Store what arrived even if the pull is being cancelled.
	return db.SavePull(context.WithoutCancel(ctx), res)
}

func setDefaults(o *Options) {
	if o.Workers <= 0 {
		o.Workers = 4
	}
	if o.RecheckDays <= 0 {
		o.RecheckDays = 7
	}
	if o.Fresh <= 0 {
		o.Fresh = time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
}
