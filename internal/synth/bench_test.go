package synth

import (
	"testing"
)

// BenchmarkWrite writes a 10,000-order day with planted sets; rows/s is
// what generating tier M costs per row.
func BenchmarkWrite(b *testing.B) {
	p := Params{Date: "2026-11-24", Orders: 10_000, Payouts: 2_000, Seed: 1, WebhookSecret: "whsec_bench",
		Plant: true, PlantRate: 0.005}
	dir := b.TempDir()
	for b.Loop() {
		if _, err := Write(dir, p); err != nil {
			b.Fatalf("Write: %v", err)
		}
	}
	b.ReportMetric(float64(b.N*(p.Orders+p.Payouts))/b.Elapsed().Seconds(), "rows/s")
}
