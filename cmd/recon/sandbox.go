package main

import (
	"context"
	"fmt"
	"os"
	"strconv"

	"github.com/kwikpaisa/recon/internal/config"
	"github.com/kwikpaisa/recon/internal/sandbox"
)

const sandboxAbout = `Serves KwikPaisa's two v3 status calls on loopback (127.0.0.1) from a
gateway dump, until interrupted, so that 'recon run' and 'recon pull' can be
tried without a KwikPaisa account. Requests must carry KWIKPAISA_API_KEY (a
pk_test_ key) and be signed with KWIKPAISA_SECRET_KEY, with a timestamp
within 5 minutes; a key the dump lacks is answered 404.

Faults of a bad night can be injected: a rate limit answered 429 with
Retry-After, shares of 5xx, hanging requests, broken bodies and dropped
connections, 401s for an expired timestamp (drawn from -seed, so a seed
repeats its faults), a 429 storm, and latency.`

func sandboxCmd(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "sandbox", "[flags]", sandboxAbout)
	gateway := fs.String("gateway", "fixtures/day/2026-11-24/gateway.jsonl", "gateway dump `file` to serve (JSON lines)")
	port := fs.Int("port", 0, "loopback `port` to listen on (0: a free one)")
	urlFile := fs.String("url-file", "", "write the base URL to this `file` once listening (for scripts)")
	wallet := fs.String("wallet-id", "", "the only kwikx wallet `id` payout calls may name (default: any)")
	var f sandbox.Faults
	fs.Float64Var(&f.RateLimit, "rate", 0, "answer 429 beyond this many `requests` a second (0: no limit)")
	fs.IntVar(&f.Burst, "burst", 10, "`requests` allowed at once within the rate limit")
	fs.IntVar(&f.Storm, "storm", 0, "answer 429 to the first `n` requests")
	fs.IntVar(&f.RetryAfter, "retry-after", 1, "Retry-After `seconds` of a storm's 429s")
	fs.Float64Var(&f.ServerErrors, "errors", 0, "`share` of requests answered 5xx (0..1)")
	fs.Float64Var(&f.Timeouts, "timeouts", 0, "`share` of requests that hang until the client gives up")
	fs.Float64Var(&f.Malformed, "malformed", 0, "`share` of requests answered with a broken body")
	fs.Float64Var(&f.Drops, "drops", 0, "`share` of requests whose connection is closed without an answer")
	fs.Float64Var(&f.Expired, "expired", 0, "`share` of keys whose first request is answered 401 timestamp expired")
	fs.DurationVar(&f.Latency, "latency", 0, "`delay` before every answer")
	fs.Uint64Var(&f.Seed, "seed", 1, "`seed` of the fault draws")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	key, err := config.Secret(config.EnvAPIKey)
	if err != nil {
		return err
	}
	secret, err := config.Secret(config.EnvSecretKey)
	if err != nil {
		return err
	}
	if key == "" || secret == "" {
		return &usageError{message: fmt.Sprintf("%s and %s must be set: the sandbox checks them", config.EnvAPIKey, config.EnvSecretKey),
			hint: "KWIKPAISA_API_KEY=pk_test_demo KWIKPAISA_SECRET_KEY=sk_test_demo recon sandbox"}
	}
	recs, skipped, err := sandbox.LoadRecords(*gateway)
	if err != nil {
		return err
	}
	srv, err := sandbox.New(recs, sandbox.Options{APIKey: key, SecretKey: secret, WalletID: *wallet, Faults: f})
	if err != nil {
		return &usageError{message: err.Error(), hint: "run 'recon sandbox -h' for its flags"}
	}
	if err := srv.Start("127.0.0.1:" + strconv.Itoa(*port)); err != nil {
		return err
	}
	defer srv.Close()
	if *urlFile != "" {
		if err := os.WriteFile(*urlFile, []byte(srv.URL+"\n"), 0o600); err != nil {
			return fmt.Errorf("write %s: %w", *urlFile, err)
		}
	}
	fmt.Fprintf(e.stdout, "Sandbox serving %d orders and %d payouts from %s at %s (%d unreadable lines skipped). Ctrl-C stops it.\n",
		len(recs.Orders), len(recs.Payouts), *gateway, srv.URL, skipped)
	<-ctx.Done()
	_ = srv.Close()
	fmt.Fprintf(e.stdout, "Sandbox stopped after %d requests.\n", srv.Requests())
	return nil
}
