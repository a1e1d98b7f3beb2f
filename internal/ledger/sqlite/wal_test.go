package sqlite

import (
	"context"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// scratch writes n rows of about a page each to a table of the test's own,
// in one transaction.
func scratch(t *testing.T, db *DB, n int) {
	t.Helper()
	if _, err := db.exec(context.Background(), `CREATE TABLE IF NOT EXISTS scratch (b BLOB)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.exec(context.Background(), `INSERT INTO scratch (b)
		WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) SELECT randomblob(60000) FROM n`, n); err != nil {
		t.Fatal(err)
	}
}

// readScratch opens another handle of the store at path with opts,
// begins a transaction on it with begin (BEGIN, or BEGIN IMMEDIATE to hold
// the write lock) and reads the scratch table, which must hold want rows.
// The transaction lasts until end, or the test's end; the handle until
// the test's end, unless the test closes it.
func readScratch(t *testing.T, path string, opts Options, begin string, want int) (other *DB, end func() error) {
	t.Helper()
	ctx := context.Background()
	other = openAt(t, path, opts)
	t.Cleanup(func() { other.Close() })
	conn, err := other.db.Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, err := conn.ExecContext(ctx, begin); err != nil {
		t.Fatal(err)
	}
	end = sync.OnceValue(func() error {
		_, err := conn.ExecContext(ctx, `ROLLBACK`)
		conn.Close()
		return err
	})
	t.Cleanup(func() { end() })
	var n int
	if err := conn.GetContext(ctx, &n, `SELECT count(*) FROM scratch`); err != nil || n != want {
		t.Fatalf("%s: another handle read %d rows of scratch, want %d: %v", begin, n, want, err)
	}
	return other, end
}

// scratchRows counts the rows of the scratch table of the store at path,
// opened again, and checks the store's integrity.
func scratchRows(t *testing.T, path string) int {
	t.Helper()
	db := openAt(t, path, Options{KeepLogBytes: -1})
	defer db.Close()
	if v, err := db.IntegrityCheck(context.Background()); err != nil || v != "ok" {
		t.Fatalf("integrity_check: %q, %v", v, err)
	}
	var n int
	if err := db.db.Get(&n, `SELECT count(*) FROM scratch`); err != nil {
		t.Fatal(err)
	}
	return n
}

// walFrames reads the WAL at path: its size, its salts, which SQLite
// changes each time it begins the log again, and how many frames from the
// first carry them, which SQLite's recovery reads as the log (the frames
// after a log begun again are stale).
func walFrames(t *testing.T, path string) (size int64, salts string, live int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("the WAL: %v", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	hdr := make([]byte, 32)
	if _, err := io.ReadFull(f, hdr); err != nil {
		t.Fatalf("the WAL's header: %v", err)
	}
	page := int64(binary.BigEndian.Uint32(hdr[8:]))
	salts = string(hdr[16:24])
	frame := make([]byte, 24)
	for off := int64(32); off+24+page <= fi.Size(); off += 24 + page {
		if _, err := f.ReadAt(frame, off); err != nil {
			t.Fatal(err)
		}
		if string(frame[8:16]) != salts {
			break
		}
		live++
	}
	return fi.Size(), salts, live
}

// TestCloseKeepsLargeLog: a store whose WAL has grown to KeepLogBytes
// keeps the file at its size when it closes, with every frame copied into
// the database and the log begun again with one frame, so that opening it
// recovers one frame; opened again and closed, it is kept as it is. Below
// the size, the WAL is deleted as before.
func TestCloseKeepsLargeLog(t *testing.T) {
	for _, keep := range []int64{-1, 1} {
		path := filepath.Join(t.TempDir(), "recon.db")
		db := openAt(t, path, Options{KeepLogBytes: keep})
		scratch(t, db, 40)
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		if keep < 0 {
			if _, err := os.Stat(path + "-wal"); !os.IsNotExist(err) {
				t.Errorf("KeepLogBytes -1: the WAL is still there (%v)", err)
			}
		} else {
			size, salts, live := walFrames(t, path+"-wal")
			if live != 1 || size < 40*60000 {
				t.Errorf("kept WAL: %d bytes, %d live frames; want the day's size and 1", size, live)
			}
			// Opened and closed with nothing written, the store writes
			// nothing of its own: the log is kept as it was, not begun again.
			if err := openAt(t, path, Options{KeepLogBytes: keep}).Close(); err != nil {
				t.Fatal(err)
			}
			if _, again, live := walFrames(t, path+"-wal"); live != 1 || again != salts {
				t.Errorf("opened and closed: %d live frames, log begun again: %v; want 1, false", live, again != salts)
			}
		}
		if n := scratchRows(t, path); n != 40 {
			t.Errorf("KeepLogBytes %d: opened again, %d rows, want 40", keep, n)
		}
	}
}

// TestCloseBesideAnother: a store closing while another handle of it
// reads, or holds the write lock, does not wait for it (the busy timeout is
// long), and leaves the WAL to it; the other's close, the last, keeps it.
func TestCloseBesideAnother(t *testing.T) {
	t.Setenv("RECON_DB_BUSY_TIMEOUT", "1h") // waiting would hang the test
	for _, begin := range []string{"BEGIN", "BEGIN IMMEDIATE"} {
		path := filepath.Join(t.TempDir(), "recon.db")
		db := openAt(t, path, Options{KeepLogBytes: 1})
		scratch(t, db, 20)
		other, end := readScratch(t, path, Options{KeepLogBytes: 1}, begin, 20)
		if err := db.Close(); err != nil {
			t.Fatalf("closing beside %s: %v", begin, err)
		}
		if err := end(); err != nil {
			t.Fatal(err)
		}
		if err := other.Close(); err != nil {
			t.Fatal(err)
		}
		if _, _, live := walFrames(t, path+"-wal"); live != 1 {
			t.Errorf("%s: the last close kept a WAL of %d live frames, want 1", begin, live)
		}
		if n := scratchRows(t, path); n != 20 {
			t.Errorf("%s: opened again, %d rows, want 20", begin, n)
		}
	}
}
