package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/kwikpaisa/recon/internal/config"
	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/ledger/stores"
	"github.com/kwikpaisa/recon/internal/pipeline"
)

// The checks that fail, or warn about, a run the pipeline completed: a
// night can complete and still be wrong in a way one line can name.

// summaryFigure reads one integer figure of the run's summary (0 when it
// is absent).
func summaryFigure(res *pipeline.Result, section, item, name string) int {
	for _, m := range res.Report.Summary {
		if m.Section == section && m.Item == item && m.Name == name {
			n, _ := strconv.Atoi(m.Value)
			return n
		}
	}
	return 0
}

// checkWebhookSecret fails a run whose day's webhook log has deliveries of
// which none verifies under any configured secret: the secret is wrong or
// was rotated far more often than every delivery of a day is forged.
// Deliveries that verified but are stale do verify; only signature
// failures are counted.
func checkWebhookSecret(res *pipeline.Result, secrets int) error {
	for _, m := range res.Report.Summary {
		if m.Section != "webhooks" || m.Name != "deliveries" {
			continue
		}
		log := m.Item
		deliveries := summaryFigure(res, "webhooks", log, "deliveries")
		invalid := summaryFigure(res, "webhooks", log, "invalid")
		verified := summaryFigure(res, "webhooks", log, "verified") + summaryFigure(res, "webhooks", log, "stale")
		if deliveries > 0 && invalid > 0 && verified == 0 {
			return fmt.Errorf("no delivery of %s verifies: %s of %s fail the signature under the %d configured webhook secret(s); %s is likely wrong or was rotated: set it to the secret in the KwikPaisa dashboard (old and new comma-separated during a rotation) and run the date again",
				log, group(invalid), group(deliveries), secrets, config.EnvWebhookSecret)
		}
	}
	return nil
}

// ledgersOfOtherDays names each ledger that has accepted rows of which
// none falls in the run's day, with the dates they do fall on: most often
// the file of another day given by mistake, which would otherwise pass as
// an empty, clean night.
func ledgersOfOtherDays(ctx context.Context, cfg *pipeline.Config, res *pipeline.Result) ([]string, error) {
	var msgs []string
	var db ledger.Store
	defer func() {
		if db != nil {
			db.Close()
		}
	}()
	own := map[string]string{"orders": cfg.Sources.Orders, "payouts": cfg.Sources.Payouts}
	for _, in := range res.Report.Inputs {
		// Only the day's own ledgers: a neighbouring day's file read for
		// its rows of this day (SPEC §1) is mostly of its own day.
		if p, ok := own[in.Kind]; !ok || p == "" || in.Path != p {
			continue
		}
		outside := summaryFigure(res, "input", in.Path, "rows_outside_day")
		if in.Accepted == 0 || outside < in.Accepted {
			continue
		}
		if db == nil {
			var err error
			if db, err = stores.Open(ctx, cfg.DB, stores.Options{}); err != nil {
				return msgs, err
			}
		}
		dates, err := db.LedgerDates(ctx, in.Kind, in.Path, cfg.Zone)
		if err != nil {
			return msgs, err
		}
		var on []string
		for i, d := range dates {
			if i == 5 {
				on = append(on, fmt.Sprintf("and %d more date(s)", len(dates)-i))
				break
			}
			on = append(on, fmt.Sprintf("%s (%s)", d.Date, group(d.Rows)))
		}
		msgs = append(msgs, fmt.Sprintf("none of the %s rows of %s is dated %s: they fall on %s; is it the file of another day?",
			group(in.Accepted), in.Path, cfg.Date, strings.Join(on, ", ")))
	}
	return msgs, nil
}
