package export

import (
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kwikpaisa/recon/internal/recon"
)

// bigReport has n exception rows, spread over the three exception
// reports, with values shaped like a real day's.
func bigReport(n int) *Report {
	r := testReport()
	r.Exceptions = make([]recon.Exception, 0, n)
	cats := []recon.Category{recon.AmountMismatch, recon.StatusMismatch, recon.MissingInLedger, recon.DuplicatePayout, recon.MissingUTR}
	for i := range n {
		ref := "PO-" + strconv.Itoa(10_000_000+i)
		led, gw := int64(100+i%9_999_999), int64(100+i%9_999_999+i%7)
		r.Exceptions = append(r.Exceptions, recon.Exception{
			Category: cats[i%len(cats)], Entity: recon.EntityPayout, Reference: ref, Severity: recon.SeverityCritical,
			Provisional: i%2 == 0, FirstSeen: "2026-11-24", LedgerAmount: amt(led), GatewayAmount: amt(gw),
			Difference: amt(gw - led), LedgerStatus: "success", GatewayStatus: "SUCCESS",
			LedgerUTR: strconv.Itoa(600_000_000_000 + i), GatewayUTR: strconv.Itoa(600_000_000_000 + i),
			Count: 2, MissingIn: "gateway",
			Detail:   "Gateway amount differs from the ledger amount for " + ref + ".",
			Evidence: []string{"fixtures/day/payouts.csv:" + strconv.Itoa(i+2), "fixtures/day/gateway.jsonl:" + strconv.Itoa(i+1)},
		})
	}
	sortExceptions(r.Exceptions)
	return r
}

func sortExceptions(exs []recon.Exception) {
	r := sorted(&Report{Exceptions: exs})
	copy(exs, r.Exceptions)
}

// heap returns the bytes held by heap objects, live or not yet swept, and
// the live heap as the last garbage collection measured it.
func heap() (objects, live uint64) {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64(), s[1].Value.Uint64()
}

// peakHeap runs fn and returns the highest heap sizes seen while it ran,
// sampled every 5 ms: objects includes garbage awaiting collection (it
// follows GOGC), live is what the program kept.
func peakHeap(fn func()) (peakObjects, peakLive uint64) {
	var (
		mu   sync.Mutex
		done = make(chan struct{})
		wg   sync.WaitGroup
	)
	sample := func() {
		o, l := heap()
		mu.Lock()
		peakObjects, peakLive = max(peakObjects, o), max(peakLive, l)
		mu.Unlock()
	}
	sample()
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				sample()
			}
		}
	}()
	fn()
	close(done)
	wg.Wait()
	sample()
	return peakObjects, peakLive
}

// BenchmarkWrite writes 100,000 and 1,000,000 exception rows as CSV and
// XLSX and reports: the heap the report itself holds (report-heap-MB), the
// most the writer added to the live heap (write-live-MB: bounded, it does
// not grow with the rows), the peak heap including garbage awaiting
// collection (peak-heap-MB, which follows GOGC), the process's maximum
// resident set and the file sizes. Run with
// go test -run '^$' -bench Write -benchtime 1x ./internal/export
func BenchmarkWrite(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run("rows="+strconv.Itoa(n), func(b *testing.B) { benchmarkWrite(b, n) })
	}
}

func benchmarkWrite(b *testing.B, n int) {
	r := bigReport(n)
	runtime.GC()
	runtime.GC()
	_, base := heap()
	dir := filepath.Join(b.TempDir(), r.Date)
	var peakObjects, peakLive uint64
	b.ResetTimer()
	for b.Loop() {
		o, l := peakHeap(func() {
			if err := Write(dir, r, Options{}); err != nil {
				b.Fatal(err)
			}
		})
		peakObjects, peakLive = max(peakObjects, o), max(peakLive, l)
	}
	b.StopTimer()
	mb := func(n uint64) float64 { return float64(n) / (1 << 20) }
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		b.ReportMetric(float64(ru.Maxrss)/1024, "maxrss-MB")
	}
	b.ReportMetric(mb(base), "report-heap-MB")
	b.ReportMetric(mb(peakLive-min(peakLive, base)), "write-live-MB")
	b.ReportMetric(mb(peakObjects), "peak-heap-MB")
	if st, err := os.Stat(filepath.Join(dir, "recon-"+r.Date+".xlsx")); err == nil {
		b.ReportMetric(mb(uint64(st.Size())), "xlsx-MB")
	}
	if st, err := os.Stat(filepath.Join(dir, "mismatches.csv")); err == nil {
		b.ReportMetric(mb(uint64(st.Size())), "mismatches-csv-MB")
	}
	runtime.KeepAlive(r)
}
