package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/recon"
)

// TestNameDatabase checks that an SQLite error, however wrapped, names the
// database file once, and that other errors are left as they are.
func TestNameDatabase(t *testing.T) {
	full := fmt.Errorf("store rows of gateway.jsonl: %w", sqlite3.Error{Code: sqlite3.ErrFull})
	if err := NameDatabase(full, "/var/recon/recon.db"); err.Error() != "database /var/recon/recon.db: "+full.Error() || !errors.Is(err, full) {
		t.Errorf("disk full: %v", err)
	}
	named := fmt.Errorf("open /var/recon/recon.db: %w", sqlite3.Error{Code: sqlite3.ErrCantOpen})
	if err := NameDatabase(named, "/var/recon/recon.db"); err != named {
		t.Errorf("already named: %v", err)
	}
	other := errors.New("read orders.csv: line 3: bad amount")
	if err := NameDatabase(other, "/var/recon/recon.db"); err != other {
		t.Errorf("not SQLite's: %v", err)
	}
	if err := NameDatabase(nil, "/var/recon/recon.db"); err != nil {
		t.Errorf("nil: %v", err)
	}
}

// TestLoadFileCheckpointsBeside: the store's own connection leaves the
// WAL alone (wal_autocheckpoint 0), and a loaded file's pages reach the
// database file through the checkpointer, which Close waits for.
func TestLoadFileCheckpointsBeside(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "recon.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var auto int
	if err := db.db.GetContext(ctx, &auto, `PRAGMA wal_autocheckpoint`); err != nil || auto != 0 {
		t.Fatalf("wal_autocheckpoint = %d (%v), want 0", auto, err)
	}
	size := func() int64 {
		t.Helper()
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	before := size() // the migrations' pages are still in the WAL: nothing asked for a checkpoint
	f := &recon.SourceFile{Kind: "orders", Path: "orders.csv", SHA256: "o"}
	err = db.LoadFile(ctx, f, func(l ledger.Loader) error {
		for i := range 5000 {
			if err := l.Order(&recon.Order{OrderID: fmt.Sprintf("ORD-%06d", i), Amount: 100, Currency: "INR", Status: "paid",
				Class: recon.StatusSuccess, Place: recon.PlaceOf("orders.csv", strconv.Itoa(i+2))}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.ckpt.wait(); err != nil {
		t.Fatal(err)
	}
	if after := size(); after < before+4*65536 {
		t.Errorf("database file %d bytes after the load's checkpoint, %d before: the pages stayed in the WAL", after, before)
	}
}

// TestDayPartsEmptiesTheWAL: once a run's files are loaded (DayParts), the
// checkpointer empties the WAL the loads grew while the store is still
// open, so that its close does not delete and sync it on the run's path;
// it waits on no reader that still reads from the WAL, nor holds up a
// writer while it waits.
func TestDayPartsEmptiesTheWAL(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "recon.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	walSize := func() int64 {
		t.Helper()
		fi, err := os.Stat(path + "-wal")
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	// A reader from before the load: the frames it does not see cannot be
	// copied into the database file while it reads.
	other, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	reader, err := other.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := reader.QueryRowContext(ctx, `SELECT count(*) FROM orders`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	f := &recon.SourceFile{Kind: "orders", Path: "orders.csv", SHA256: "o"}
	err = db.LoadFile(ctx, f, func(l ledger.Loader) error {
		for i := range 5000 {
			if err := l.Order(&recon.Order{OrderID: fmt.Sprintf("ORD-%06d", i), Amount: 100, Currency: "INR", Status: "paid",
				Class: recon.StatusSuccess, Place: recon.PlaceOf("orders.csv", strconv.Itoa(i+2))}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	day, err := recon.ParseBusinessDay("2026-11-24", time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.DayParts(ctx, day); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * settleRetry)
	if walSize() == 0 {
		t.Fatal("the WAL was emptied under a reader that still reads from it")
	}
	wctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if _, err := db.exec(wctx, `CREATE TABLE scratch (x)`); err != nil {
		t.Fatalf("a write while the WAL waits to be emptied: %v", err)
	}
	if err := reader.Rollback(); err != nil {
		t.Fatal(err)
	}
	for start := time.Now(); walSize() > 0; time.Sleep(settleRetry) {
		if time.Since(start) > 10*time.Second {
			t.Fatalf("the WAL still holds %d bytes 10 s after its last reader ended", walSize())
		}
	}
	if err := db.db.GetContext(ctx, &n, `SELECT count(*) FROM orders`); err != nil || n != 5000 {
		t.Fatalf("%d orders after the WAL was emptied (%v), want 5000", n, err)
	}
}
