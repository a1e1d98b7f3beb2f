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

// TestLoadFileForeignKeys: a file's load runs with SQLite's foreign-key
// checks off on its connection (withLoadTx), and the connection has them
// back on once the load has committed or failed. Files loaded again with
// other rows leave no row whose file is gone, and a file's source_files
// row deleted afterwards still takes its rows with it (the cascade needs
// the checks on).
func TestLoadFileForeignKeys(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	checks := func(q interface {
		QueryRowContext(context.Context, string, ...any) *sql.Row
	}) int {
		t.Helper()
		var on int
		if err := q.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&on); err != nil {
			t.Fatal(err)
		}
		return on
	}
	load := func(kind, path string, n int, fail error) error {
		f := &recon.SourceFile{Kind: kind, Path: path, SHA256: fmt.Sprint(kind, n)}
		return db.LoadFile(ctx, f, func(l ledger.Loader) error {
			if on := checks(l.(*loader).w.conn); on != 0 {
				t.Errorf("%s: foreign_keys %d during the load, want 0", path, on)
			}
			for i := range n {
				key, place := fmt.Sprintf("K%d", i), recon.PlaceOf(path, strconv.Itoa(i+2))
				var err error
				switch kind {
				case "orders":
					err = l.Order(&recon.Order{OrderID: key, Amount: 100, Currency: "INR", Status: "paid", Place: place})
				case "payouts":
					err = l.Payout(&recon.Payout{PayoutID: key, Amount: 100, Currency: "INR", Status: "SUCCESS", Place: place})
				case "gateway":
					err = l.Gateway(&recon.GatewayRecord{Entity: recon.EntityPayin, Key: key, Amount: 100, Currency: "INR",
						Status: "PAID", Class: recon.StatusSuccess, Place: place})
				case "webhooks":
					err = l.Delivery(&recon.Delivery{Entity: recon.EntityPayin, Key: key, Event: "payment.success",
						Class: recon.StatusSuccess, Currency: "INR", Verified: recon.VerifyRaw, Place: place, KeyNo: -1})
				}
				if err == nil {
					err = l.Reject(&recon.Reject{File: path, Line: strconv.Itoa(i + 100), Reason: "bad"})
				}
				if err != nil {
					return err
				}
			}
			return fail
		})
	}
	count := func(table string) int {
		t.Helper()
		var n int
		if err := db.db.GetContext(ctx, &n, `SELECT count(*) FROM `+table); err != nil {
			t.Fatal(err)
		}
		return n
	}
	tables := map[string]string{"orders": "orders", "payouts": "payouts", "gateway": "gateway_records", "webhooks": "deliveries"}
	for _, kind := range []string{"orders", "payouts", "gateway", "webhooks"} {
		if err := load(kind, kind+".txt", 3, nil); err != nil {
			t.Fatal(err)
		}
		if on := checks(db.db); on != 1 {
			t.Fatalf("%s: foreign_keys %d after the load, want 1", kind, on)
		}
		if err := load(kind, kind+".txt", 2, nil); err != nil { // loaded again, changed
			t.Fatal(err)
		}
		boom := errors.New("boom")
		if err := load(kind, kind+".txt", 5, boom); !errors.Is(err, boom) {
			t.Fatalf("%s: a failed load returned %v", kind, err)
		}
		if on := checks(db.db); on != 1 {
			t.Fatalf("%s: foreign_keys %d after a failed load, want 1", kind, on)
		}
		if n := count(tables[kind]); n != 2 {
			t.Errorf("%s: %d rows stored, want the 2 of the second load", kind, n)
		}
	}
	if n := count("rejects"); n != 8 {
		t.Errorf("%d rejects stored, want the 2 of each file's second load", n)
	}
	var orphans int
	if err := db.db.GetContext(ctx, &orphans, `SELECT count(*) FROM pragma_foreign_key_check`); err != nil {
		t.Fatal(err)
	}
	if orphans != 0 {
		t.Errorf("%d rows name a file that is not stored", orphans)
	}
	if _, err := db.db.ExecContext(ctx, `DELETE FROM source_files WHERE kind = 'webhooks'`); err != nil {
		t.Fatal(err)
	}
	if n := count("deliveries"); n != 0 {
		t.Errorf("%d deliveries left after their file was deleted, want 0", n)
	}
}
