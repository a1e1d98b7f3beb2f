package pull_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/kwikpaisa/recon/internal/ingest"
	"github.com/kwikpaisa/recon/internal/kwikpaisa"
	"github.com/kwikpaisa/recon/internal/ledger/sqlite"
	"github.com/kwikpaisa/recon/internal/match"
	"github.com/kwikpaisa/recon/internal/pipeline"
	"github.com/kwikpaisa/recon/internal/pull"
	"github.com/kwikpaisa/recon/internal/recon"
	"github.com/kwikpaisa/recon/internal/sandbox"
	"github.com/kwikpaisa/recon/internal/synth"
)

// BenchmarkPull pulls every key of a synthetic day (about 400) from a
// sandbox limited to 200 requests a second with 20 ms latency, and reports
// the pull's throughput in req/s (the target is ≥ 180, 90% of the limit)
// and its failed keys (the target is 0).
func BenchmarkPull(b *testing.B) {
	const limit = 200
	dir := b.TempDir()
	if _, err := synth.Write(dir, synth.Params{Date: fixtureDate, Orders: 300, Payouts: 100, Seed: 1,
		WebhookSecret: fixtureSecret}); err != nil {
		b.Fatal(err)
	}
	recs, _, err := sandbox.LoadRecords(filepath.Join(dir, "gateway.jsonl"))
	if err != nil {
		b.Fatal(err)
	}
	sb, err := sandbox.New(recs, sandbox.Options{APIKey: apiKey, SecretKey: apiSecret, WalletID: wallet,
		Faults: sandbox.Faults{RateLimit: limit, Burst: 10, Latency: 20 * time.Millisecond}})
	if err != nil {
		b.Fatal(err)
	}
	if err := sb.Start("127.0.0.1:0"); err != nil {
		b.Fatal(err)
	}
	defer sb.Close()
	client, err := kwikpaisa.New(kwikpaisa.Config{BaseURL: sb.URL, APIKey: apiKey, SecretKey: apiSecret, WalletID: wallet,
		Rate: limit, Burst: 1, Concurrency: 8, Parse: pull.Parser(ingest.DefaultStatuses())})
	if err != nil {
		b.Fatal(err)
	}
	day, _ := recon.ParseBusinessDay(fixtureDate, ist)

	var requests, failures, limited int
	var elapsed time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		// A fresh store holding the day's ledgers and no gateway record:
		// every key is pulled.
		opts := ingest.DefaultOptions(ist)
		cfg := pipeline.Config{Date: fixtureDate, Zone: ist, Offline: true,
			Sources: pipeline.Sources{Orders: filepath.Join(dir, "orders.csv"), Payouts: filepath.Join(dir, "payouts.csv")},
			DB:      filepath.Join(b.TempDir(), "recon.db"), Out: b.TempDir(), Ingest: opts, Match: match.DefaultOptions()}
		if _, err := pipeline.Run(context.Background(), cfg); err != nil {
			b.Fatal(err)
		}
		db, err := sqlite.Open(context.Background(), cfg.DB)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		stats, err := pull.Run(context.Background(), db, day,
			pull.Options{Client: client, Workers: 8})
		b.StopTimer()
		db.Close()
		if err != nil {
			b.Fatal(err)
		}
		requests += stats.Requests
		failures += stats.Failures
		limited += stats.RateLimited
		elapsed += stats.Elapsed
		b.StartTimer()
	}
	b.ReportMetric(float64(requests)/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(failures)/float64(b.N), "failed/op")
	b.ReportMetric(float64(limited)/float64(b.N), "429s/op")
	b.ReportMetric(float64(requests)/float64(b.N), "requests/op")
}
