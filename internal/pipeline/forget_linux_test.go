package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kwikpaisa/recon/internal/ingest"
	"github.com/kwikpaisa/recon/internal/match"
	"github.com/kwikpaisa/recon/internal/mem"
)

// TestRunForgetsItsInputs: a file the run has read into the store leaves
// the page cache (mem.Forget), where it was after it was hashed and
// parsed; the day's reports are written all the same.
func TestRunForgetsItsInputs(t *testing.T) {
	ist := time.FixedZone("IST", 19800)
	dir := t.TempDir()
	tmpfs, err := mem.InMemoryFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	if tmpfs {
		t.Skipf("%s is a tmpfs, whose pages are the files themselves: set TMPDIR to a disk's folder", dir)
	}
	var b strings.Builder
	b.WriteString("order_id,amount,status,created_at\n")
	for i := range 4000 {
		fmt.Fprintf(&b, "ORD-%06d,%d.50,paid,2026-11-24 10:%02d\n", i, 100+i, i%60)
	}
	orders := filepath.Join(dir, "orders.csv")
	f, err := os.Create(orders)
	if err != nil {
		t.Fatal(err)
	}
	// Written out, so that its pages are clean: dirty pages stay cached.
	if _, err := f.WriteString(b.String()); err != nil {
		t.Fatal(err)
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := os.ReadFile(orders); err != nil {
		t.Fatal(err)
	}
	if n, err := mem.CachedPages(orders); err != nil || n == 0 {
		t.Fatalf("orders file: %d pages cached just after it was read (%v)", n, err)
	}
	now := time.Date(2026, 11, 25, 2, 0, 0, 0, ist)
	res, err := Run(context.Background(), Config{
		Date: "2026-11-24", Zone: ist, DB: filepath.Join(dir, "recon.db"), Out: filepath.Join(dir, "out"),
		Sources: Sources{Orders: orders}, Offline: true,
		Ingest: ingest.DefaultOptions(ist), Match: match.DefaultOptions(),
		Now: func() time.Time { return now },
	})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := mem.CachedPages(orders); err != nil || n != 0 {
		t.Errorf("orders file: %d pages still cached after the run (%v)", n, err)
	}
	if _, err := os.Stat(filepath.Join(res.Dir, "manifest.json")); err != nil {
		t.Errorf("the run's reports: %v", err)
	}
}
