package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/mattn/go-sqlite3"

	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/recon"
)

// tableTx creates a table on db with create and returns a connection
// inside a transaction; the test's end rolls it back, unless committed,
// and closes the connection.
func tableTx(t *testing.T, db *sqlx.DB, create string) (*sqlx.Conn, *sqlx.Tx) {
	t.Helper()
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, create); err != nil {
		t.Fatal(err)
	}
	conn, err := db.Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	tx, err := conn.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tx.Rollback() })
	return conn, tx
}

// TestBulkRoundTrip stores rows of every value kind through a bulkWriter,
// more than one flush's worth, and reads them back through bulkQuery and
// through database/sql: both must see exactly what went in.
func TestBulkRoundTrip(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	conn, tx := tableTx(t, db.db, `CREATE TABLE t (i INTEGER PRIMARY KEY, s TEXT, b BLOB, n INTEGER, f INTEGER)`)
	const rows = 40000 // about 2 MiB packed: the writer flushes on its own
	w := newBulkWriter(ctx, conn)
	text := func(i int) string { return fmt.Sprintf("ключ-%d-\x00-%s", i, string(rune('a'+i%26))) }
	for i := range rows {
		var n any
		if i%3 == 0 {
			n = int64(-i) << 20
		}
		if err := w.add(`INSERT INTO t (i, s, b, n, f) VALUES (?, ?, ?, ?, ?)`, i, text(i), []byte{byte(i), 0, byte(i >> 8)}, n, i%2 == 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.finish(); err != nil {
		t.Fatal(err)
	}
	w.close()
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}

	var got int
	err := bulkQuery(ctx, conn, readBatchBytes, `SELECT i, s, b, n, f FROM t WHERE i >= ? AND s <> ? AND s <> ? ORDER BY i`,
		// Text arguments, the empty one too: bound as NULL, "s <> ?" would
		// let no row through.
		[]any{int64(0), "", text(rows)}, func(v *rowValues) error {
			i := int(v.Int())
			if i != got {
				return fmt.Errorf("row %d: i = %d", got, i)
			}
			if s := v.String(); s != text(i) {
				return fmt.Errorf("row %d: s = %q, want %q", i, s, text(i))
			}
			if b := v.Bytes(); string(b) != string([]byte{byte(i), 0, byte(i >> 8)}) {
				return fmt.Errorf("row %d: b = %v", i, b)
			}
			null := v.IsNull()
			n := v.Int()
			if want := int64(-i) << 20; i%3 == 0 && (null || n != want) || i%3 != 0 && !null {
				return fmt.Errorf("row %d: n = %d (null %v)", i, n, null)
			}
			// f is left unread: the next row must still start in its place.
			got++
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if got != rows {
		t.Fatalf("read %d rows, want %d", got, rows)
	}
	conn.Close() // the store's one connection, for database/sql again
	var s string
	var f int
	if err := db.db.QueryRowContext(ctx, `SELECT s, f FROM t WHERE i = 7`).Scan(&s, &f); err != nil || s != text(7) || f != 0 {
		t.Fatalf("database/sql reads %q, %d, %v; want %q, 0", s, f, err, text(7))
	}
}

// TestBulkReadKinds: a row packed by recon_bulk_read keeps each value's
// kind: an integer, a real (as SQLite writes it as text), text and blobs,
// empty ones too, and NULL.
func TestBulkReadKinds(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	conn, err := db.db.Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rows := 0
	err = bulkQuery(ctx, conn, readBatchBytes, `SELECT -7, 1.5, 'ab', '', x'00ff', x'', NULL`, nil, func(v *rowValues) error {
		rows++
		got := fmt.Sprintf("%d", v.Int())
		for range 5 {
			tag, b := v.next()
			got += fmt.Sprintf(" %d:%q", tag, b)
		}
		null := v.IsNull()
		if tag, _ := v.next(); !null || tag != tagNull {
			return fmt.Errorf("last value: tag %d, want NULL", tag)
		}
		want := fmt.Sprintf("-7 %d:%q %d:%q %d:%q %d:%q %d:%q", tagText, "1.5", tagText, "ab", tagText, "", tagBlob, "\x00\xff", tagBlob, "")
		if got != want {
			return fmt.Errorf("read %s, want %s", got, want)
		}
		return nil
	})
	if err != nil || rows != 1 {
		t.Fatalf("%d rows: %v", rows, err)
	}
}

// TestBulkFlushBesidePacking: a flush returns while SQLite stores its
// rows, so that the next rows are packed meanwhile, and the rows go in in
// the order queued; finish returns once every row is stored.
func TestBulkFlushBesidePacking(t *testing.T) {
	ctx := context.Background()
	flushed := make(chan struct{})
	var storedFirst atomic.Bool // SQLite stored the first row before flush returned
	entered := make(chan struct{}, 1)
	drv := &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		return c.RegisterFunc("hold", func(i int64) int64 {
			if i == 0 {
				entered <- struct{}{}
				select {
				case <-flushed:
				case <-time.After(5 * time.Second): // flush waits for this row: let it go, and fail below
					storedFirst.Store(true)
				}
			}
			return i
		}, false)
	}}
	db := sqlx.NewDb(sql.OpenDB(connector{dsn: filepath.Join(t.TempDir(), "t.db"), driver: drv}), "sqlite3")
	defer db.Close()
	conn, tx := tableTx(t, db, `CREATE TABLE t (n INTEGER PRIMARY KEY AUTOINCREMENT, i INTEGER)`)
	const insert = `INSERT INTO t (i) VALUES (hold(?))`
	w := newBulkWriter(ctx, conn)
	defer w.close()
	if err := w.add(insert, 0); err != nil {
		t.Fatal(err)
	}
	if err := w.flush(); err != nil {
		t.Fatal(err)
	}
	close(flushed)
	<-entered
	if storedFirst.Load() {
		t.Fatal("flush returned once SQLite had stored its rows, not while it stored them")
	}
	for i := 1; i <= 40000; i++ { // more than a flush's worth, queued beside the first
		if err := w.add(insert, i); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.finish(); err != nil {
		t.Fatal(err)
	}
	var n, bad int
	if err := tx.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE i <> n - 1) FROM t`).Scan(&n, &bad); err != nil {
		t.Fatal(err)
	}
	if n != 40001 || bad != 0 {
		t.Errorf("%d rows stored, %d out of the order queued; want 40001, 0", n, bad)
	}
}

// TestBulkErrors: a failing row is the driver's sqlite3.Error, with
// SQLite's message, and a value of a kind SQLite cannot store is refused
// before anything is sent.
func TestBulkErrors(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	if _, err := db.db.ExecContext(ctx, `CREATE TABLE u (k TEXT PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	conn, err := db.db.Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	w := newBulkWriter(ctx, conn)
	defer w.close()
	for _, k := range []string{"a", "b", "a"} {
		if err := w.add(`INSERT INTO u (k) VALUES (?)`, k); err != nil {
			t.Fatal(err)
		}
	}
	err = w.finish()
	var se sqlite3.Error
	if !errors.As(err, &se) || se.Code != sqlite3.ErrConstraint || err.Error() != "UNIQUE constraint failed: u.k: constraint failed" {
		t.Errorf("duplicate key: %v (%#v), want a UNIQUE constraint sqlite3.Error", err, se)
	}
	if err := w.add(`INSERT INTO u (k) VALUES (?)`, 1.5); err == nil {
		t.Error("a float64 value was accepted")
	}
	if err := w.add(`INSERT INTO u (k) VALUES (?)`, "x", "y"); err == nil {
		t.Error("two values for one column were accepted")
	}
}

// TestNewDatabasePageSize: a new store has 64 KiB pages and WAL.
func TestNewDatabasePageSize(t *testing.T) {
	db := mustOpen(t)
	var size int
	var mode string
	if err := db.db.Get(&size, `PRAGMA page_size`); err != nil {
		t.Fatal(err)
	}
	if err := db.db.Get(&mode, `PRAGMA journal_mode`); err != nil {
		t.Fatal(err)
	}
	if size != 65536 || mode != "wal" {
		t.Errorf("page_size %d, journal_mode %s; want 65536, wal", size, mode)
	}
}

// TestPageCacheBounded stores and reads back far more than the page cache
// holds, on a database of 64 KiB pages, and checks that neither the store's
// connection nor the reader beside it holds more cache than asked for.
// SQLite sizes a cache asked for in KiB with the page size the connection
// has at that moment: asked for before the file's page size is read, the
// bound is sixteen times too large (cacheSize).
func TestPageCacheBounded(t *testing.T) {
	const bound = 1024 * 1024 * 5 / 4 // the pages asked for and their headers
	ctx := context.Background()
	db := mustOpenWith(t, Options{StoreCacheKiB: 1024, ReaderCacheKiB: 1024, LoadCacheKiB: 128})
	at := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	f := &recon.SourceFile{Kind: "webhooks", Path: "webhooks.jsonl", SHA256: "w"}
	const n = 30000 // about 6 MB of rows and index
	if err := db.LoadFile(ctx, f, func(l ledger.Loader) error {
		for i := range n {
			d := recon.Delivery{Place: recon.PlaceOf(f.Path, fmt.Sprint(i+1)), ReceivedAt: recon.InstantOf(at),
				Timestamp: at.Unix(), Event: "payment.success", Entity: recon.EntityPayin,
				Key: fmt.Sprintf("ORD2026112400%06d", i), Class: recon.StatusSuccess, Currency: "INR",
				TransactionID: fmt.Sprintf("KPTXN%012d", i), BodySHA256: sha256.Sum256(fmt.Appendf(nil, "body %d", i)), Verified: recon.VerifyRaw}
			if err := l.Delivery(&d); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	conn, err := db.db.Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	used, err := cacheUsed(ctx, conn)
	conn.Close()
	if err != nil || used > bound || used < bound/2 {
		t.Errorf("store's connection: %d bytes of page cache after storing %d rows (%v); want at most %d, and the cache used", used, n, err, bound)
	}
	var read int
	err = db.beside(ctx, func(c *sqlx.Conn) error {
		if err := bulkQuery(ctx, c, readBatchBytes, `SELECT key, body_sha256 FROM deliveries ORDER BY key`, nil, func(v *rowValues) error {
			read++
			return nil
		}); err != nil {
			return err
		}
		used, err = cacheUsed(ctx, c)
		return err
	})
	if err != nil || read != n || used > bound || used < bound/2 {
		t.Errorf("reader: %d bytes of page cache after reading %d of %d rows (%v); want at most %d, and the cache used", used, read, n, err, bound)
	}

	// A day's load reads through Options.LoadCacheKiB on the store's connection,
	// which keeps no more of what the stores before it cached.
	if err := db.SetDaySources(ctx, "2026-11-24", map[string]recon.SourceFile{"webhooks": *f}); err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	day, err := db.LoadDay(ctx, recon.BusinessDay{Date: "2026-11-24", Start: from, End: from.AddDate(0, 0, 1)})
	if err != nil || len(day.Deliveries) != n {
		t.Fatalf("LoadDay: %d deliveries (%v); want %d", len(day.Deliveries), err, n)
	}
	if conn, err = db.db.Connx(ctx); err != nil {
		t.Fatal(err)
	}
	used, err = cacheUsed(ctx, conn)
	conn.Close()
	if loadBound := 128 * 1024 * 5 / 4; err != nil || used > loadBound {
		t.Errorf("store's connection: %d bytes of page cache after loading the day (%v); want at most %d", used, err, loadBound)
	}
}

// TestNoMemoryStatistics: SQLite keeps no statistics of its memory (a
// mutex on every allocation) in a store that has stored and read rows.
func TestNoMemoryStatistics(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	f := &recon.SourceFile{Kind: "orders", Path: "orders.csv", SHA256: "o"}
	if err := db.LoadFile(ctx, f, func(l ledger.Loader) error {
		for i := range 1000 {
			o := recon.Order{Place: recon.PlaceOf(f.Path, fmt.Sprint(i+2)), OrderID: fmt.Sprintf("ORD%06d", i),
				Amount: 100, Currency: "INR", Status: "paid", Class: recon.StatusSuccess}
			if err := l.Order(&o); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.db.GetContext(ctx, &n, `SELECT count(*) FROM orders`); err != nil || n != 1000 {
		t.Fatalf("%d orders stored (%v), want 1000", n, err)
	}
	if used := memoryUsed(); used != 0 {
		t.Errorf("SQLite counts %d bytes allocated: its memory statistics are on", used)
	}
}
