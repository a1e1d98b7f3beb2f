package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/kwikpaisa/recon/internal/config"
	"github.com/kwikpaisa/recon/internal/synth"
)

const genAbout = `Writes a synthetic business day (orders.csv, payouts.csv, gateway.jsonl,
webhooks.jsonl and planted.csv, the list of planted exceptions) into a folder.
The same flags always write the same bytes. The webhook log is signed with
KWIKPAISA_WEBHOOK_SECRET. Used for the fixture day and the benchmarks.

--tier S (100,000 orders, 20,000 payouts) or M (1,000,000 orders, 200,000
payouts) sets the size of the day and a plant rate of 0.005; --orders,
--payouts and --plant-rate given with it override it. Rows are written as
they are made: memory does not grow with the day.

The gateway dump comes as a gateway exports it, by the time each record
was created, pay-ins and payouts interleaved, and the webhook log by the
time each delivery was received: not in the order of the keys. --key-order
writes both in key order instead.

--settle-dir adds the settlement side (docs/settlements.md): settlement
reports of the date and the next two (XLSX, CSV), bank statements of the
date and the next three (CSV, CAMT.053, MT940, XLSX), the fees charged by
synth.Fees, and a planted case of every settlement category. Without it
the day is exactly what it was.`

func genCmd(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "gen", "--out DIR [flags]", genAbout)
	out := fs.String("out", "", "`folder` to write the day into (required)")
	date := fs.String("date", "2026-11-24", "business `date`")
	tier := fs.String("tier", "", "benchmark `tier`: S, M, M3 or L (100,000 to 10,000,000 orders)")
	orders := fs.Int("orders", 300, "ordinary `orders`, besides the planted ones")
	payouts := fs.Int("payouts", 150, "ordinary `payouts`, besides the planted ones")
	seed := fs.Uint64("seed", 1, "random `seed`")
	plant := fs.Bool("plant", true, "plant exceptions: one case of each, or as many as --plant-rate says")
	settle := fs.String("settle-dir", "", "also write settlement reports and bank statements (all four forms) under `folder`/settlements and folder/bank, with their planted exceptions")
	keyOrder := fs.Bool("key-order", false, "write the gateway dump and the webhook log in key order, not by time")
	rate := fs.Float64("plant-rate", 0, "plant sets of exceptions until they are about this `fraction` of the rows (0: one set)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return &usageError{message: "missing --out", hint: "recon gen --out /tmp/day"}
	}
	if *rate < 0 || *rate > 1 {
		return &usageError{message: fmt.Sprintf("--plant-rate %g is not a fraction", *rate), hint: "--plant-rate 0.005"}
	}
	p := synth.Params{Date: *date, Orders: *orders, Payouts: *payouts, Seed: *seed, Plant: *plant, PlantRate: *rate, SettleDir: *settle,
		KeyOrder: *keyOrder}
	if *tier != "" {
		t, err := synth.TierOf(*tier)
		if err != nil {
			return &usageError{message: err.Error(), hint: "recon gen --out /tmp/day --tier S"}
		}
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		if !set["orders"] {
			p.Orders = t.Orders
		}
		if !set["payouts"] {
			p.Payouts = t.Payouts
		}
		if !set["plant-rate"] {
			p.PlantRate = t.PlantRate
		}
	}
	secret, err := config.Secret(config.EnvWebhookSecret)
	if err != nil {
		return err
	}
	if secret == "" {
		return fmt.Errorf("%s is not set: the webhook log must be signed", config.EnvWebhookSecret)
	}
	p.WebhookSecret = secret
	planted, err := synth.Write(*out, p)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Wrote %s: %d orders, %d payouts, %d planted exceptions.\n", *out, p.Orders, p.Payouts, len(planted))
	return nil
}
