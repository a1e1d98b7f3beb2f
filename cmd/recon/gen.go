package main

import (
	"context"
	"fmt"

	"github.com/kwikpaisa/recon/internal/config"
	"github.com/kwikpaisa/recon/internal/synth"
)

const genAbout = `Writes a synthetic business day (orders.csv, payouts.csv, gateway.jsonl,
webhooks.jsonl and planted.csv, the list of planted exceptions) into a folder.
The same flags always write the same bytes. The webhook log is signed with
KWIKPAISA_WEBHOOK_SECRET. Used for the fixture day and the benchmarks.`

func genCmd(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "gen", "--out DIR [flags]", genAbout)
	out := fs.String("out", "", "`folder` to write the day into (required)")
	date := fs.String("date", "2026-11-24", "business `date`")
	orders := fs.Int("orders", 300, "ordinary `orders`, besides the planted ones")
	payouts := fs.Int("payouts", 150, "ordinary `payouts`, besides the planted ones")
	seed := fs.Uint64("seed", 1, "random `seed`")
	plant := fs.Bool("plant", true, "plant one case of every exception")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return &usageError{message: "missing --out", hint: "recon gen --out /tmp/day"}
	}
	secret, err := config.Secret(config.EnvWebhookSecret)
	if err != nil {
		return err
	}
	if secret == "" {
		return fmt.Errorf("%s is not set: the webhook log must be signed", config.EnvWebhookSecret)
	}
	planted, err := synth.Write(*out, synth.Params{Date: *date, Orders: *orders, Payouts: *payouts, Seed: *seed,
		WebhookSecret: secret, Plant: *plant})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Wrote %s: %d orders, %d payouts, %d planted exceptions.\n", *out, *orders, *payouts, len(planted))
	return nil
}
