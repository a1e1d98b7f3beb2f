// Package metrics writes what a run measured as a Prometheus text-format
// file for node_exporter's textfile collector: the figures KwikPaisa's
// production checklist says to watch (API failures, payment success rate,
// payouts by status, webhook failures, retries, exceptions by category),
// with the run's duration and the time of the last successful run.
//
// Every value describes the last run, so every metric is a gauge. The file
// is written with the client library into a private registry, atomically.
package metrics

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/shopspring/decimal"

	"github.com/kwikpaisa/recon/internal/export"
	"github.com/kwikpaisa/recon/internal/recon"
)

// Run is what one run measured. Summary and Exceptions are empty when the
// run failed before matching.
type Run struct {
	Date        string
	Version     string
	Succeeded   bool
	ExitCode    int
	Duration    time.Duration
	Finished    time.Time
	LastSuccess time.Time // zero: no run has succeeded yet
	Pull        recon.PullStats
	Summary     []export.Metric
	Exceptions  []recon.Exception
	Rejected    int
}

var severities = []recon.Severity{recon.SeverityCritical, recon.SeverityHigh, recon.SeverityMedium, recon.SeverityLow, recon.SeverityInfo}

// Registry returns a private registry holding the run's metrics.
func Registry(r Run) (*prometheus.Registry, error) {
	reg := prometheus.NewRegistry()
	gauge := func(name, help string, v float64) {
		g := prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "recon", Name: name, Help: help})
		g.Set(v)
		reg.MustRegister(g)
	}
	vec := func(name, help string, labels ...string) *prometheus.GaugeVec {
		g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "recon", Name: name, Help: help}, labels)
		reg.MustRegister(g)
		return g
	}

	info := vec("run_info", "The last run: its business date and recon's version (always 1).", "date", "version")
	info.WithLabelValues(r.Date, r.Version).Set(1)
	gauge("run_success", "1 when the last run completed, 0 when it failed.", b2f(r.Succeeded))
	gauge("run_exit_code", "Exit status of the last run.", float64(r.ExitCode))
	gauge("run_duration_seconds", "How long the last run took.", r.Duration.Seconds())
	gauge("run_timestamp_seconds", "When the last run ended (unix seconds).", unix(r.Finished))
	gauge("last_success_timestamp_seconds", "When a run last completed (unix seconds; 0 for never).", unix(r.LastSuccess))

	gauge("api_requests", "Status requests sent to the gateway in the last run.", float64(r.Pull.Requests))
	gauge("api_failures", "Keys whose status pull failed after every retry in the last run.", float64(r.Pull.Failures))
	gauge("api_retry_attempts", "Retried gateway requests in the last run.", float64(r.Pull.Retries))
	gauge("api_rate_limited", "429 answers from the gateway in the last run.", float64(r.Pull.RateLimited))

	sum := index(r.Summary)
	gauge("payment_success_ratio", "Successful pay-ins among the gateway's pay-in records of the day (0 to 1).",
		pct(sum[key("payin", "gateway", "payment_success_rate_pct")]))
	gauge("payout_success_ratio", "Successful payouts among the gateway's payout records of the day (0 to 1).",
		pct(sum[key("payout", "gateway", "payout_success_rate_pct")]))
	records := vec("gateway_records", "Gateway records of the day by entity and status class (payouts by processing status).", "entity", "status")
	for _, m := range r.Summary {
		if (m.Section == "payin" || m.Section == "payout") && strings.HasPrefix(m.Item, "gateway ") && m.Name == "count" {
			records.WithLabelValues(m.Section, strings.TrimPrefix(m.Item, "gateway ")).Set(num(m.Value))
		}
	}

	webhooks := vec("webhook_deliveries", "Webhook deliveries of the day's log by result.", "result")
	failures := vec("webhook_failures", "Webhook delivery failures: invalid signature, stale (replayed), missing for a settled record.", "reason")
	for _, m := range r.Summary {
		if m.Section == "webhooks" {
			webhooks.WithLabelValues(m.Name).Set(num(m.Value))
			if m.Name == "invalid" || m.Name == "stale" {
				failures.WithLabelValues(m.Name).Set(num(m.Value))
			}
		}
	}

	byCat := map[recon.Category]int{}
	bySev := map[recon.Severity]int{}
	for _, e := range r.Exceptions {
		byCat[e.Category]++
		bySev[e.Severity]++
	}
	failures.WithLabelValues("missing").Set(float64(byCat[recon.WebhookMissing]))
	if r.Succeeded {
		failures.WithLabelValues("invalid").Add(0)
		failures.WithLabelValues("stale").Add(0)
	}
	exceptions := vec("exceptions", "Exceptions of the last run by category: mismatches, duplicates and missing UTRs.", "report", "category")
	_, settled := sum[key("settlements", "", "unsettled_amount")]
	for _, c := range recon.Categories {
		if c.Report() == recon.ReportSettlements && !settled {
			continue // a run without settlements writes what it wrote before
		}
		exceptions.WithLabelValues(string(c.Report()), string(c)).Set(float64(byCat[c]))
	}
	if settled {
		gauge("unsettled_amount_rupees", "Amount of the day's successful pay-ins with no settlement yet (rupees).",
			num(sum[key("settlements", "", "unsettled_amount")]))
		gauge("unsettled_payments", "The day's successful pay-ins with no settlement yet.",
			num(sum[key("settlements", "", "unsettled_payments")]))
		gauge("fee_mismatches", "Settlement rows whose fee differs from the fee schedule.", float64(byCat[recon.FeeMismatch]))
	}
	severity := vec("exceptions_by_severity", "Exceptions of the last run by severity.", "severity")
	for _, s := range severities {
		severity.WithLabelValues(string(s)).Set(float64(bySev[s]))
	}
	gauge("rows_rejected", "Input rows rejected in the last run.", float64(r.Rejected))
	return reg, nil
}

// Write writes the run's metrics to path atomically (a temporary file in
// the same folder, then a rename), as the textfile collector needs.
func Write(path string, r Run) error {
	reg, err := Registry(r)
	if err != nil {
		return err
	}
	if err := prometheus.WriteToTextfile(path, reg); err != nil {
		return fmt.Errorf("write metrics %s: %w", path, err)
	}
	return nil
}

func key(section, item, name string) string { return section + "\x00" + item + "\x00" + name }

func index(ms []export.Metric) map[string]string {
	out := make(map[string]string, len(ms))
	for _, m := range ms {
		out[key(m.Section, m.Item, m.Name)] = m.Value
	}
	return out
}

// num reads a summary figure; a metric is a float by Prometheus's nature
// (never an amount of money here: counts and rates only).
func num(s string) float64 {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0
	}
	return v
}

// pct turns a percentage figure ("66.67") into a ratio. The division is
// done in decimal, then rounded once to the nearest float, which prints
// as 0.6667: 66.67/100 in floats is 0.6667000000000001.
func pct(s string) float64 {
	d, err := decimal.NewFromString(s)
	if err != nil {
		return 0
	}
	return d.Shift(-2).InexactFloat64()
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func unix(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.UnixNano()) / 1e9
}
