package sqlite

import (
	"cmp"
	"context"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"syscall"
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

// BenchmarkLoadDumpOrder stores one gateway dump of 600,000 records in a
// new SQLite file: in key order, by creation time and in a random order,
// and reports rows per second: the three should not differ by more than
// noise. Each record was created at a minute of the day of its own, which
// its key does not tell, so a dump by key lists them at random times (as
// recon gen's day in key order does) and one by time in random key order.
func BenchmarkLoadDumpOrder(b *testing.B) {
	const n = 600_000
	at := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	minute := rand.New(rand.NewPCG(3, 4))
	gateway := make([]recon.GatewayRecord, n)
	for i := range gateway {
		gateway[i] = recon.GatewayRecord{Entity: recon.EntityPayin, Key: fmt.Sprintf("ORD2026112400%06d", i),
			Amount: recon.Amount(100000 + i), Currency: "INR", Status: "PAID", Class: recon.StatusSuccess,
			TransactionID: fmt.Sprintf("KPTXN%012d", i), Place: recon.PlaceOf("gateway.jsonl", fmt.Sprint(i+1)),
			CreatedAt: recon.InstantOf(at.Add(time.Duration(minute.IntN(1440)) * time.Minute)),
			Detail: &recon.GatewayDetail{GatewayID: fmt.Sprintf("KX%010d", i), BankReference: fmt.Sprintf("%012d", i),
				PaymentMethod: "UPI"}}
	}
	byTime := slices.Clone(gateway)
	slices.SortStableFunc(byTime, func(x, y recon.GatewayRecord) int { return cmp.Compare(x.CreatedAt, y.CreatedAt) })
	orders := append(keyAndRandom(gateway), benchOrder[recon.GatewayRecord]{"by creation time", byTime})
	benchLoadOrder(b, "gateway", orders, func(j int, g *recon.GatewayRecord) {
		// Each row's strings made in the order read, as a reader makes them:
		// shuffled rows would otherwise point all over memory.
		g.Key, g.TransactionID = strings.Clone(g.Key), strings.Clone(g.TransactionID)
		g.Detail = &recon.GatewayDetail{GatewayID: strings.Clone(g.Detail.GatewayID), BankReference: strings.Clone(g.Detail.BankReference),
			PaymentMethod: g.Detail.PaymentMethod}
	}, ledger.Loader.Gateway)
}

// BenchmarkLoadLogOrder is BenchmarkLoadDumpOrder for a webhook log of
// 600,000 deliveries (a log written as deliveries were received).
func BenchmarkLoadLogOrder(b *testing.B) {
	const n = 600_000
	log := make([]recon.Delivery, n)
	for i := range log {
		key := fmt.Sprintf("ORD2026112400%06d", i)
		log[i] = recon.Delivery{Event: "payment.success", Entity: recon.EntityPayin, Key: key, Amount: recon.Amount(100000 + i),
			HasAmount: true, Class: recon.StatusSuccess, Currency: "INR", TransactionID: fmt.Sprintf("KPTXN%012d", i),
			BodySHA256: sha256.Sum256([]byte(key)), Verified: recon.VerifyRaw, KeyNo: -1}
	}
	benchLoadOrder(b, "webhooks", keyAndRandom(log), func(j int, d *recon.Delivery) {
		d.Place = recon.PlaceOf("webhooks.jsonl", strconv.Itoa(j+1)) // lines in the order written
		d.Key, d.TransactionID = strings.Clone(d.Key), strings.Clone(d.TransactionID)
	}, ledger.Loader.Delivery)
}

// benchOrder is the rows of one file in one order, named.
type benchOrder[T any] struct {
	name string
	rows []T
}

// keyAndRandom returns rows (in key order) in that order and shuffled.
func keyAndRandom[T any](rows []T) []benchOrder[T] {
	shuffled := slices.Clone(rows)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(rows), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	return []benchOrder[T]{{"in key order", rows}, {"random", shuffled}}
}

// benchLoadOrder stores the rows of each order as one file of kind in a
// new store, each row made its j-th in the file by at, and reports rows per
// second and CPU seconds.
func benchLoadOrder[T any](b *testing.B, kind string, orders []benchOrder[T], at func(j int, row *T), add func(ledger.Loader, *T) error) {
	for _, order := range orders {
		b.Run(order.name, func(b *testing.B) {
			var cpu time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				db := mustOpen(b)
				for j := range order.rows {
					at(j, &order.rows[j])
				}
				b.StartTimer()
				before := cpuTime()
				f := &recon.SourceFile{Kind: kind, Path: kind + ".file", SHA256: kind}
				if err := db.LoadFile(context.Background(), f, func(l ledger.Loader) error {
					for j := range order.rows {
						if err := add(l, &order.rows[j]); err != nil {
							return err
						}
					}
					return nil
				}); err != nil {
					b.Fatal(err)
				}
				cpu += cpuTime() - before
			}
			b.ReportMetric(float64(len(order.rows)*b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
		})
	}
}

// cpuTime is the user and system CPU time the process has used: on a
// machine whose cores are shared, a steadier figure than the wall.
func cpuTime() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
