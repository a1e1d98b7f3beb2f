package metrics

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/kwikpaisa/recon/internal/export"
	"github.com/kwikpaisa/recon/internal/recon"
)

// TestWriteParses writes a run's metrics and reads them back with the
// Prometheus text parser.
func TestWriteParses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "recon.prom")
	finished := time.Date(2026, 11, 24, 20, 35, 0, 0, time.UTC)
	run := Run{
		Date: "2026-11-24", Version: "test", Succeeded: true, Duration: 90 * time.Second,
		Finished: finished, LastSuccess: finished,
		Pull: recon.PullStats{Requests: 120, Retries: 7, RateLimited: 2, Failures: 3},
		Summary: []export.Metric{
			{Section: "payin", Item: "gateway", Name: "payment_success_rate_pct", Value: "97.50"},
			{Section: "payout", Item: "gateway SUCCESS", Name: "count", Value: "140"},
			{Section: "payout", Item: "gateway FAILED", Name: "count", Value: "6"},
			{Section: "webhooks", Item: "webhooks.jsonl", Name: "invalid", Value: "2"},
			{Section: "webhooks", Item: "webhooks.jsonl", Name: "stale", Value: "1"},
		},
		Exceptions: []recon.Exception{
			{Category: recon.AmountMismatch, Severity: recon.SeverityCritical},
			{Category: recon.AmountMismatch, Severity: recon.SeverityCritical},
			{Category: recon.DuplicatePayout, Severity: recon.SeverityCritical},
			{Category: recon.WebhookMissing, Severity: recon.SeverityLow},
		},
	}
	if err := Write(path, run); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(f)
	if err != nil {
		t.Fatalf("the metrics file does not parse: %v", err)
	}
	tests := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"recon_run_success", nil, 1},
		{"recon_run_duration_seconds", nil, 90},
		{"recon_last_success_timestamp_seconds", nil, float64(finished.Unix())},
		{"recon_api_failures", nil, 3},
		{"recon_api_retry_attempts", nil, 7},
		{"recon_payment_success_ratio", nil, 0.975},
		{"recon_gateway_records", map[string]string{"entity": "payout", "status": "SUCCESS"}, 140},
		{"recon_gateway_records", map[string]string{"entity": "payout", "status": "FAILED"}, 6},
		{"recon_webhook_failures", map[string]string{"reason": "invalid"}, 2},
		{"recon_webhook_failures", map[string]string{"reason": "stale"}, 1},
		{"recon_webhook_failures", map[string]string{"reason": "missing"}, 1},
		{"recon_exceptions", map[string]string{"report": "mismatches", "category": "AMOUNT_MISMATCH"}, 2},
		{"recon_exceptions", map[string]string{"report": "duplicates", "category": "DUPLICATE_PAYOUT"}, 1},
		{"recon_exceptions", map[string]string{"report": "duplicates", "category": "DUPLICATE_UTR"}, 0},
		{"recon_exceptions_by_severity", map[string]string{"severity": "CRITICAL"}, 3},
		{"recon_run_info", map[string]string{"date": "2026-11-24", "version": "test"}, 1},
	}
	for _, tt := range tests {
		got, ok := value(families[tt.name], tt.labels)
		if !ok {
			t.Errorf("%s%v is missing", tt.name, tt.labels)
			continue
		}
		if got != tt.want {
			t.Errorf("%s%v = %v, want %v", tt.name, tt.labels, got, tt.want)
		}
	}
}

func value(mf *dto.MetricFamily, labels map[string]string) (float64, bool) {
	if mf == nil {
		return 0, false
	}
next:
	for _, m := range mf.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range labels {
			if have[k] != v {
				continue next
			}
		}
		return m.GetGauge().GetValue(), true
	}
	return 0, false
}

// TestRatiosExact writes success rates as the summary gives them (exact
// percentages with two decimals): each ratio in the file is the exact
// decimal, never 0.6667000000000001.
func TestRatiosExact(t *testing.T) {
	tests := []struct {
		pct, want string
	}{
		{"66.67", "0.6667"}, {"97.50", "0.975"}, {"100.00", "1"}, {"0.00", "0"}, {"14.29", "0.1429"}, {"57.14", "0.5714"}, {"28.57", "0.2857"},
	}
	for _, tt := range tests {
		t.Run(tt.pct, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "recon.prom")
			run := Run{Date: "2026-11-24", Version: "test", Succeeded: true, Summary: []export.Metric{
				{Section: "payin", Item: "gateway", Name: "payment_success_rate_pct", Value: tt.pct},
			}}
			if err := Write(path, run); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			want := "\nrecon_payment_success_ratio " + tt.want + "\n"
			if !strings.Contains(string(b), want) {
				i := strings.Index(string(b), "\nrecon_payment_success_ratio ")
				t.Errorf("%s%%: the file says %q, want %q", tt.pct, strings.SplitN(string(b[i+1:]), "\n", 2)[0], strings.TrimSpace(want))
			}
		})
	}
}

// TestSettlementMetrics checks the unsettled amount and fee mismatches of
// a run with settlements, and that a run without them has none of their
// series.
func TestSettlementMetrics(t *testing.T) {
	base := Run{Date: "2026-11-24", Version: "test", Succeeded: true,
		Exceptions: []recon.Exception{
			{Category: recon.FeeMismatch, Severity: recon.SeverityHigh},
			{Category: recon.FeeMismatch, Severity: recon.SeverityHigh},
			{Category: recon.Unsettled, Severity: recon.SeverityHigh},
		}}
	settled := base
	settled.Summary = []export.Metric{
		{Section: "settlements", Name: "unsettled_amount", Value: "1234.50"},
		{Section: "settlements", Name: "unsettled_payments", Value: "3"},
	}
	tests := []struct {
		name   string
		run    Run
		metric string
		labels map[string]string
		want   float64
		absent bool
	}{
		{"unsettled amount", settled, "recon_unsettled_amount_rupees", nil, 1234.5, false},
		{"unsettled payments", settled, "recon_unsettled_payments", nil, 3, false},
		{"fee mismatches", settled, "recon_fee_mismatches", nil, 2, false},
		{"settlement category", settled, "recon_exceptions", map[string]string{"category": "BANK_CREDIT_MISSING"}, 0, false},
		{"no settlements: no unsettled amount", base, "recon_unsettled_amount_rupees", nil, 0, true},
		{"no settlements: no settlement category", base, "recon_exceptions", map[string]string{"category": "UNSETTLED"}, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg, err := Registry(tt.run)
			if err != nil {
				t.Fatal(err)
			}
			mfs, err := reg.Gather()
			if err != nil {
				t.Fatal(err)
			}
			var mf *dto.MetricFamily
			for _, f := range mfs {
				if f.GetName() == tt.metric {
					mf = f
				}
			}
			got, ok := value(mf, tt.labels)
			if ok == tt.absent || got != tt.want {
				t.Fatalf("%s%v = %v (present %v), want %v (present %v)", tt.metric, tt.labels, got, ok, tt.want, !tt.absent)
			}
		})
	}
}
