package ledger

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/mattn/go-sqlite3"
)

// TestBulkRoundTrip stores rows of every value kind through a bulkWriter,
// more than one flush's worth, and reads them back through bulkQuery and
// through database/sql: both must see exactly what went in.
func TestBulkRoundTrip(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	if _, err := db.db.ExecContext(ctx, `CREATE TABLE t (i INTEGER PRIMARY KEY, s TEXT, b BLOB, n INTEGER, f INTEGER)`); err != nil {
		t.Fatal(err)
	}
	conn, err := db.db.Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	tx, err := conn.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
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
	if err := w.flush(); err != nil {
		t.Fatal(err)
	}
	w.close()
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}

	var got int
	err = bulkQuery(ctx, conn, `SELECT i, s, b, n, f FROM t WHERE i >= ? AND s <> ? AND s <> ? ORDER BY i`,
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
	err = w.flush()
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
