package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

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
