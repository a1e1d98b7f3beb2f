package ingest

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kwikpaisa/recon/internal/recon"
)

// gatewayDump writes n valid gateway lines, with a blank line and a
// malformed one planted, so batches, line numbers and rejects are
// exercised across batch boundaries.
func gatewayDump(t *testing.T, n int) string {
	t.Helper()
	var b strings.Builder
	for i := 1; i <= n; i++ {
		switch i {
		case 700:
			b.WriteString("\n") // blank: skipped, but it keeps its line number
		case 1500:
			b.WriteString("{not json\n")
		default:
			fmt.Fprintf(&b, `{"order_id":"ORD-%d","order_amount":"%d.00","currency":"INR","order_status":"PAID","created_at":"24-11-2026 10:15 AM"}`+"\n", i, i)
		}
	}
	return writeFile(t, "gateway.jsonl", b.String())
}

// TestParseLinesOrder: records and rejects reach the sink in file order
// with their own line numbers, whatever worker parsed them.
func TestParseLinesOrder(t *testing.T) {
	const n = 5000 // about ten batches
	c, counts := mustRead(t, ReadGateway, gatewayDump(t, n), testOptions())
	if counts.Read != n-1 || counts.Rejected != 1 {
		t.Fatalf("counts %+v, want %d read (one blank line), 1 rejected", counts, n-1)
	}
	if len(c.rejects) != 1 || c.rejects[0].Line != "1500" {
		t.Errorf("rejects %+v, want line 1500", c.rejects)
	}
	want := 1
	for _, g := range c.gateway {
		if want == 700 || want == 1500 {
			want++
		}
		if g.Place.Line() != fmt.Sprint(want) || g.Key != fmt.Sprintf("ORD-%d", want) {
			t.Fatalf("record %s at line %s, want ORD-%d at line %d", g.Key, g.Place.Line(), want, want)
		}
		want++
	}
}

// TestParseLinesStop: a sink error or a cancelled context stops the read
// at once with that error, and leaves no goroutine behind.
func TestParseLinesStop(t *testing.T) {
	path := gatewayDump(t, 20000)
	errSink := errors.New("disk full")
	tests := []struct {
		name    string
		sink    func(cancel context.CancelFunc) Sink
		wantErr error
		maxSeen int
	}{
		{"sink error", func(context.CancelFunc) Sink {
			seen := 0
			return Sink{Gateway: func(*recon.GatewayRecord) error {
				if seen++; seen == 100 {
					return errSink
				}
				return nil
			}}
		}, errSink, 100},
		{"cancelled", func(cancel context.CancelFunc) Sink {
			seen := 0
			return Sink{Gateway: func(*recon.GatewayRecord) error {
				if seen++; seen == 100 {
					cancel()
				}
				return nil
			}}
		}, context.Canceled, 100 + batchLines},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := runtime.NumGoroutine()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			counts, err := ReadGateway(ctx, path, testOptions(), tt.sink(cancel))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if counts.Accepted > tt.maxSeen {
				t.Errorf("accepted %d records after the stop, want at most %d", counts.Accepted, tt.maxSeen)
			}
			waitGoroutines(t, before)
		})
	}
}

// TestReadLedgerStop: the same for a CSV ledger's reading goroutine.
func TestReadLedgerStop(t *testing.T) {
	var b strings.Builder
	b.WriteString("order_id,amount,status,created_at\n")
	for i := 1; i <= 20000; i++ {
		fmt.Fprintf(&b, "ORD-%d,%d.00,paid,2026-11-24 10:15\n", i, i)
	}
	path := writeFile(t, "orders.csv", b.String())
	before := runtime.NumGoroutine()
	errSink := errors.New("disk full")
	seen := 0
	counts, err := ReadOrders(context.Background(), path, testOptions(), Sink{Order: func(*recon.Order) error {
		if seen++; seen == 300 {
			return errSink
		}
		return nil
	}})
	if !errors.Is(err, errSink) || seen != 300 || counts.Accepted != 300 {
		t.Fatalf("err = %v after %d records (counts %+v), want %v after 300", err, seen, counts, errSink)
	}
	waitGoroutines(t, before)
}

// waitGoroutines polls until the goroutine count is back to before.
func waitGoroutines(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines left running, want %d:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		}
		runtime.Gosched()
	}
}

// TestReadersParseAhead: while the sink holds its first record (the store
// writing a batch), a JSON-lines reader and a ledger reader each go on
// parsing, its read-ahead of rows, so the store finds them parsed when it
// comes back.
func TestReadersParseAhead(t *testing.T) {
	const n = 2 * ledgerReadAhead
	var dump, ledger strings.Builder
	ledger.WriteString("order_id,amount,status,created_at\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&dump, "{\"n\":%d}\n", i)
		fmt.Fprintf(&ledger, "ORD-%d,%d.00,paid,2026-11-24 10:15\n", i, i)
	}
	var parsed atomic.Int64
	// hold waits, as the sink of the first record, until the reader has
	// parsed ahead rows (or a minute has gone: then it did not).
	hold := func(first bool, ahead int64) error {
		if !first {
			return nil
		}
		for deadline := time.Now().Add(time.Minute); parsed.Load() < ahead; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				return fmt.Errorf("reader parsed %d rows ahead of its sink, want %d", parsed.Load(), ahead)
			}
		}
		return nil
	}
	t.Run("jsonl", func(t *testing.T) {
		parsed.Store(0)
		var counts Counts
		emitted := 0
		err := parseLines(context.Background(), writeFile(t, "dump.jsonl", dump.String()), &counts, nil,
			func([]byte) (int, *fieldError) { parsed.Add(1); return 0, nil },
			func(int, int) error { emitted++; return hold(emitted == 1, linesReadAhead) })
		if err != nil || emitted != n {
			t.Fatalf("%d of %d lines emitted: %v", emitted, n, err)
		}
	})
	t.Run("ledger", func(t *testing.T) {
		parsed.Store(0)
		opts := testOptions()
		emitted := 0
		counts, err := readLedger(context.Background(), writeFile(t, "orders.csv", ledger.String()), orderFields, nil, &opts, false,
			func(*row, columns) (int, *fieldError) { parsed.Add(1); return 0, nil }, nil,
			func(int) error { emitted++; return hold(emitted == 1, ledgerReadAhead) }, nil)
		if err != nil || emitted != n || counts.Accepted != n {
			t.Fatalf("%d of %d rows emitted (counts %+v): %v", emitted, n, counts, err)
		}
	})
}
