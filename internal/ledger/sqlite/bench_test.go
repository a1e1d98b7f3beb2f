package sqlite

import (
	"context"
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/recon"
)

// BenchmarkLoadFile stores a gateway dump and a webhook log of 10,000
// records each through LoadFile, as ingest does, into a real SQLite file;
// it reports stored rows per second.
func BenchmarkLoadFile(b *testing.B) {
	const n = 10000
	at := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	gateway := make([]recon.GatewayRecord, n)
	deliveries := make([]recon.Delivery, n)
	for i := range n {
		key := fmt.Sprintf("ORD2026112400%06d", i)
		gateway[i] = recon.GatewayRecord{Entity: recon.EntityPayin, Key: key,
			Amount: recon.Amount(100000 + i), Currency: "INR", Status: "PAID", Class: recon.StatusSuccess,
			TransactionID: fmt.Sprintf("KPTXN%012d", i), CreatedAt: recon.InstantOf(at.Add(time.Duration(i) * time.Second)),
			Place: recon.PlaceOf("gateway.jsonl", fmt.Sprint(i+1)),
			Detail: &recon.GatewayDetail{GatewayID: fmt.Sprintf("KX%010d", i), BankReference: fmt.Sprintf("%012d", i),
				PaymentMethod: "UPI", SettledAt: at.Add(time.Duration(i+90) * time.Second)}}
		deliveries[i] = recon.Delivery{Place: recon.PlaceOf("webhooks.jsonl", fmt.Sprint(i+1)),
			ReceivedAt: recon.InstantOf(at.Add(time.Duration(i+95) * time.Second)), Timestamp: at.Unix() + int64(i+95), Event: "payment.success",
			Entity: recon.EntityPayin, Key: key, Class: recon.StatusSuccess, Amount: recon.Amount(100000 + i), HasAmount: true,
			Currency: "INR", TransactionID: gateway[i].TransactionID, BodySHA256: sha256.Sum256([]byte(key)), Verified: recon.VerifyRaw}
	}
	ctx := context.Background()
	db := mustOpen(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// A new path each time: a first load, not a replacement.
		g := &recon.SourceFile{Kind: "gateway", Path: fmt.Sprintf("gateway-%d.jsonl", i), SHA256: "g"}
		if err := db.LoadFile(ctx, g, func(l ledger.Loader) error {
			for j := range gateway {
				if err := l.Gateway(&gateway[j]); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
		w := &recon.SourceFile{Kind: "webhooks", Path: fmt.Sprintf("webhooks-%d.jsonl", i), SHA256: "w"}
		if err := db.LoadFile(ctx, w, func(l ledger.Loader) error {
			for j := range deliveries {
				if err := l.Delivery(&deliveries[j]); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(2*n*b.N)/b.Elapsed().Seconds(), "rows/s")
}
