package sqlite

// Bulk statements: the rows of a large file go into SQLite, and a day's rows
// come out of it, through one cgo call per batch of rows instead of one
// call per value. Through database/sql and the driver, a row of 16 values
// costs 17 cgo calls, an interface per value and a copy of every string
// before SQLite does any work; here Go packs the values of many rows into
// one buffer and C binds and steps them (or steps and packs them) in a loop.
//
// The statements run on the sqlite3 handle of a database/sql connection
// (the store's own, or the read-only one LoadDay opens beside it), inside
// Conn.Raw, so they share the connection's transaction and never race with
// database/sql. go-sqlite3 does not export the handle; handle reads it by
// reflection and fails loudly (every test that stores a file) should a new
// driver version rename it.

/*
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// The few SQLite functions used here, as sqlite3.h declares them; they
// link against the SQLite that github.com/mattn/go-sqlite3 compiles in.
typedef struct sqlite3 sqlite3;
typedef struct sqlite3_stmt sqlite3_stmt;
int sqlite3_prepare_v2(sqlite3*, const char*, int, sqlite3_stmt**, const char**);
int sqlite3_bind_parameter_count(sqlite3_stmt*);
int sqlite3_bind_int64(sqlite3_stmt*, int, int64_t);
int sqlite3_bind_text(sqlite3_stmt*, int, const char*, int, void(*)(void*));
int sqlite3_bind_blob(sqlite3_stmt*, int, const void*, int, void(*)(void*));
int sqlite3_bind_null(sqlite3_stmt*, int);
int sqlite3_step(sqlite3_stmt*);
int sqlite3_reset(sqlite3_stmt*);
int sqlite3_clear_bindings(sqlite3_stmt*);
int sqlite3_finalize(sqlite3_stmt*);
int sqlite3_column_count(sqlite3_stmt*);
typedef struct sqlite3_value sqlite3_value;
sqlite3_value *sqlite3_column_value(sqlite3_stmt*, int);
int sqlite3_value_type(sqlite3_value*);
int64_t sqlite3_value_int64(sqlite3_value*);
const unsigned char *sqlite3_value_text(sqlite3_value*);
const void *sqlite3_value_blob(sqlite3_value*);
int sqlite3_value_bytes(sqlite3_value*);
int sqlite3_extended_errcode(sqlite3*);
const char *sqlite3_errmsg(sqlite3*);
int sqlite3_db_status(sqlite3*, int, int*, int*, int);

// recon_cache_used returns the bytes of page cache the connection holds
// (SQLITE_DBSTATUS_CACHE_USED).
static int recon_cache_used(sqlite3 *h) {
	int cur = 0, high = 0;
	sqlite3_db_status(h, 1, &cur, &high, 0);
	return cur;
}

int sqlite3_config(int, ...);
int sqlite3_status64(int, int64_t*, int64_t*, int);

// recon_no_memstatus turns SQLite's memory statistics off
// (SQLITE_CONFIG_MEMSTATUS), which only works before SQLite initializes:
// it returns SQLite's code.
static int recon_no_memstatus(void) { return sqlite3_config(9, 0); }

// recon_memory_used returns the bytes SQLite counts as allocated
// (SQLITE_STATUS_MEMORY_USED): 0 while its statistics are off.
static int64_t recon_memory_used(void) {
	int64_t cur = 0, high = 0;
	sqlite3_status64(0, &cur, &high, 0);
	return cur;
}

enum { TAG_NULL = 0, TAG_INT = 1, TAG_TEXT = 2, TAG_BLOB = 3 };

// recon_bind_text_copy binds n bytes at p as text that SQLite copies
// (SQLITE_TRANSIENT), so p need only live for the call; "" stays text.
static int recon_bind_text_copy(sqlite3_stmt *st, int i, const char *p, int n) {
	return sqlite3_bind_text(st, i, n == 0 ? "" : p, n, (void (*)(void *))-1);
}
enum { RC_ROW = 100, RC_DONE = 101 };

// recon_trim hands the C heap's free pages back to the system: SQLite's
// page caches are malloc'd, and glibc keeps what they free.
#ifdef __GLIBC__
#include <malloc.h>
static void recon_trim(void) { malloc_trim(0); }
#else
static void recon_trim(void) {}
#endif

// recon_bulk_insert binds and steps the rows packed in buf, each of cols
// values: a tag byte, then an int64 (little-endian) or a uint32 length and
// the bytes. SQLite reads the bytes in place (SQLITE_STATIC): buf outlives
// each step. It returns RC_DONE when every row went in, or SQLite's code
// with *failed set to the row that failed.
static int recon_bulk_insert(sqlite3_stmt *st, const unsigned char *buf, size_t n, int cols, int *failed) {
	const unsigned char *p = buf, *end = buf + n;
	int row = 0;
	while (p < end) {
		for (int c = 1; c <= cols; c++) {
			unsigned char tag = *p++;
			int rc;
			if (tag == TAG_NULL) {
				rc = sqlite3_bind_null(st, c);
			} else if (tag == TAG_INT) {
				int64_t v;
				memcpy(&v, p, 8);
				p += 8;
				rc = sqlite3_bind_int64(st, c, v);
			} else {
				uint32_t len;
				memcpy(&len, p, 4);
				p += 4;
				if (tag == TAG_TEXT) {
					rc = sqlite3_bind_text(st, c, (const char *)p, (int)len, (void (*)(void *))0);
				} else {
					rc = sqlite3_bind_blob(st, c, p, (int)len, (void (*)(void *))0);
				}
				p += len;
			}
			if (rc != 0) {
				*failed = row;
				sqlite3_reset(st);
				return rc;
			}
		}
		int rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != RC_DONE) {
			*failed = row;
			return rc;
		}
		row++;
	}
	sqlite3_clear_bindings(st);
	return RC_DONE;
}

// recon_bulk_read packs the rows of st into buf (cap bytes) in the format
// recon_bulk_insert reads, until the next row does not fit or the rows end.
// *pending says a stepped row is waiting to be packed (the caller keeps it
// between calls). It returns RC_ROW when rows remain, RC_DONE when none do,
// or SQLite's code; *used and *rows say what was packed. A single row
// larger than cap returns RC_ROW with *rows 0: the caller grows buf.
static int recon_bulk_read(sqlite3_stmt *st, unsigned char *buf, size_t cap, int *pending, size_t *used, int *rows) {
	int cols = sqlite3_column_count(st);
	size_t n = 0;
	*rows = 0;
	for (;;) {
		if (!*pending) {
			int rc = sqlite3_step(st);
			if (rc != RC_ROW) {
				*used = n;
				return rc;
			}
			*pending = 1;
		}
		// Pack the row in one pass; if it does not fit, drop what was
		// written of it and leave it pending for the next call.
		// Each column's value is taken once (sqlite3_column_value) and read
		// with the sqlite3_value_* calls: the sqlite3_column_* ones find the
		// column again on each call, three calls a column. The value is
		// read on the statement's own thread, before the next step.
		unsigned char *p = buf + n, *end = buf + cap;
		for (int c = 0; c < cols; c++) {
			sqlite3_value *v = sqlite3_column_value(st, c);
			int t = sqlite3_value_type(v);
			if (t == 5) { // NULL
				if (p + 1 > end) goto full;
				*p++ = TAG_NULL;
			} else if (t == 1) { // INTEGER
				if (p + 9 > end) goto full;
				int64_t i = sqlite3_value_int64(v);
				*p++ = TAG_INT;
				memcpy(p, &i, 8);
				p += 8;
			} else { // TEXT, BLOB (and REAL, as text)
				const void *src = t == 4 ? sqlite3_value_blob(v) : (const void *)sqlite3_value_text(v);
				uint32_t len = (uint32_t)sqlite3_value_bytes(v);
				if (p + 5 + len > end) goto full;
				*p++ = t == 4 ? TAG_BLOB : TAG_TEXT;
				memcpy(p, &len, 4);
				p += 4;
				if (len > 0) {
					memcpy(p, src, len);
				}
				p += len;
			}
		}
		n = (size_t)(p - buf);
		*pending = 0;
		(*rows)++;
		continue;
	full:
		*used = n;
		return RC_ROW;
	}
}
*/
import "C"

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unsafe"

	"github.com/jmoiron/sqlx"
	"github.com/mattn/go-sqlite3"
)

// SQLite keeps statistics of its memory by default, taking a global mutex
// on every allocation and free; recon reads none of them. Off, a tier M
// run takes less CPU (the README's Performance section has the figures).
// The setting is SQLite's and process-wide; it only takes before SQLite
// initializes, which go-sqlite3 leaves to the first connection opened, so
// it is made here, before any. Should another package have opened one
// first, SQLite says so (SQLITE_MISUSE) and keeps counting: slower, not
// wrong.
func init() { C.recon_no_memstatus() }

// memoryUsed returns the bytes SQLite counts as allocated: 0 while its
// statistics are off (tests check that they are).
func memoryUsed() int64 { return int64(C.recon_memory_used()) }

// handle returns the sqlite3 handle of a go-sqlite3 connection (handle.go).
func handle(dc any) (*C.sqlite3, error) {
	p, err := handlePointer(dc)
	return (*C.sqlite3)(p), err
}

const (
	tagNull = C.TAG_NULL
	tagInt  = C.TAG_INT
	tagText = C.TAG_TEXT
	tagBlob = C.TAG_BLOB
)

// cacheUsed returns the bytes of page cache a connection holds; tests
// check the cache sizes with it (cgo cannot live in a test file).
func cacheUsed(ctx context.Context, conn *sqlx.Conn) (int, error) {
	var n int
	err := conn.Raw(func(dc any) error {
		h, err := handle(dc)
		if err != nil {
			return err
		}
		n = int(C.recon_cache_used(h))
		return nil
	})
	return n, err
}

// trimC returns the memory SQLite has freed (a page cache shrunk, a
// connection closed) to the system, where glibc would keep it.
func trimC() { C.recon_trim() }

// sqliteError turns SQLite's code and message on h into the error the
// driver would have returned, so callers that look for a sqlite3.Error
// (disk full, I/O error) find one.
func sqliteError(h *C.sqlite3, rc C.int) error {
	ext := int(C.sqlite3_extended_errcode(h))
	if ext&0xff != int(rc)&0xff {
		ext = int(rc)
	}
	se := sqlite3.Error{Code: sqlite3.ErrNo(ext & 0xff), ExtendedCode: sqlite3.ErrNoExtended(ext)}
	if msg := C.GoString(C.sqlite3_errmsg(h)); msg != "" && msg != se.Error() {
		return fmt.Errorf("%s: %w", msg, se)
	}
	return se
}

func prepare(h *C.sqlite3, query string) (*C.sqlite3_stmt, error) {
	cq := C.CString(query)
	defer C.free(unsafe.Pointer(cq))
	var st *C.sqlite3_stmt
	if rc := C.sqlite3_prepare_v2(h, cq, -1, &st, nil); rc != 0 {
		return nil, fmt.Errorf("prepare: %w", sqliteError(h, rc))
	}
	return st, nil
}

// bulkRows are the queued rows of one statement.
type bulkRows struct {
	query string
	cols  int    // values per row
	buf   []byte // the rows being queued
	// stored holds the rows of the flush in flight; once it is done, the
	// buffer the next flush's rows are queued into.
	stored []byte
	st     *C.sqlite3_stmt // prepared at the first flush, and the flushes' alone
}

// flush hands every queued row to SQLite, statement by statement in a
// fixed order, and returns as the rows are being stored: the next rows are
// queued meanwhile. It waits first for the flush before it, whose error
// it returns; finish waits for the last.
func (w *bulkWriter) flush() error {
	if err := w.wait(); err != nil {
		return err
	}
	if w.queued == 0 {
		return nil
	}
	if err := w.ctx.Err(); err != nil {
		return err
	}
	batch := make([]*bulkRows, 0, len(w.pending))
	for _, r := range w.pending {
		if len(r.buf) > 0 {
			batch = append(batch, r)
			r.buf, r.stored = r.stored[:0], r.buf
		}
	}
	slices.SortFunc(batch, func(a, b *bulkRows) int { return strings.Compare(a.query, b.query) })
	w.queued = 0
	done := make(chan error, 1)
	w.inFlight = done
	go func() {
		done <- w.conn.Raw(func(dc any) error {
			h, err := handle(dc)
			if err != nil {
				return err
			}
			for _, r := range batch {
				if r.st == nil {
					if r.st, err = prepare(h, r.query); err != nil {
						return err
					}
					if got := int(C.sqlite3_bind_parameter_count(r.st)); got != r.cols {
						return fmt.Errorf("bulk statement: %d values for %d parameters", r.cols, got)
					}
				}
				var failed C.int
				rc := C.recon_bulk_insert(r.st, (*C.uchar)(unsafe.Pointer(&r.stored[0])), C.size_t(len(r.stored)), C.int(r.cols), &failed)
				if rc != C.RC_DONE {
					return sqliteError(h, rc)
				}
			}
			return nil
		})
	}()
	return nil
}

// wait waits for the flush in flight, if any, and returns its error.
func (w *bulkWriter) wait() error {
	if w.inFlight == nil {
		return nil
	}
	err := <-w.inFlight
	w.inFlight = nil
	return err
}

// finish stores every queued row and returns once SQLite has them all:
// conn is the caller's again.
func (w *bulkWriter) finish() error {
	if err := w.flush(); err != nil {
		return err
	}
	return w.wait()
}

// close waits for the flush in flight and finalizes the statements. The
// writer's unflushed rows are dropped.
func (w *bulkWriter) close() {
	_ = w.wait()
	_ = w.conn.Raw(func(any) error {
		for _, r := range w.pending {
			if r.st != nil {
				C.sqlite3_finalize(r.st)
				r.st = nil
			}
		}
		return nil
	})
}

// readBatchBytes is the size of the buffer a bulk query's rows are read
// into, a batch at a time (Options.ReadBatchBytes); it grows for a row
// larger than itself.
const readBatchBytes = 1 << 20

// bulkQuery runs query with args on conn and calls row for each result
// row, in order, with a reader of its values. The values' bytes are valid
// only during the call.
func bulkQuery(ctx context.Context, conn *sqlx.Conn, size int, query string, args []any, row func(*rowValues) error) error {
	return bulkQueryEach(ctx, conn, size, query, [][]any{args}, row)
}

// bulkQueryEach prepares query once and runs it with each set of args in
// turn, calling row for every result row of every run.
func bulkQueryEach(ctx context.Context, conn *sqlx.Conn, size int, query string, argSets [][]any, row func(*rowValues) error) error {
	return conn.Raw(func(dc any) error {
		h, err := handle(dc)
		if err != nil {
			return err
		}
		st, err := prepare(h, query)
		if err != nil {
			return err
		}
		defer C.sqlite3_finalize(st)
		buf := make([]byte, size)
		v := &rowValues{n: int(C.sqlite3_column_count(st))}
		for _, args := range argSets {
			C.sqlite3_reset(st)
			if err := bindArgs(h, st, args); err != nil {
				return err
			}
			var pending C.int
			for {
				if err := ctx.Err(); err != nil {
					return err
				}
				var used C.size_t
				var rows C.int
				rc := C.recon_bulk_read(st, (*C.uchar)(unsafe.Pointer(&buf[0])), C.size_t(len(buf)), &pending, &used, &rows)
				if rc != C.RC_ROW && rc != C.RC_DONE {
					return sqliteError(h, rc)
				}
				if rc == C.RC_ROW && rows == 0 {
					buf = make([]byte, 2*len(buf))
					continue
				}
				v.buf = buf[:used]
				for range int(rows) {
					v.col = 0
					if err := row(v); err != nil {
						return err
					}
					v.skipRest()
				}
				if rc == C.RC_DONE {
					break
				}
			}
		}
		return nil
	})
}

// bindArgs binds a query's parameters: int64, int, string or nil.
func bindArgs(h *C.sqlite3, st *C.sqlite3_stmt, args []any) error {
	if got := int(C.sqlite3_bind_parameter_count(st)); got != len(args) {
		return fmt.Errorf("bulk query: %d arguments for %d parameters", len(args), got)
	}
	for i, a := range args {
		var rc C.int
		switch v := a.(type) {
		case nil:
			rc = C.sqlite3_bind_null(st, C.int(i+1))
		case int64:
			rc = C.sqlite3_bind_int64(st, C.int(i+1), C.int64_t(v))
		case int:
			rc = C.sqlite3_bind_int64(st, C.int(i+1), C.int64_t(v))
		case string:
			rc = C.recon_bind_text_copy(st, C.int(i+1), (*C.char)(unsafe.Pointer(unsafe.StringData(v))), C.int(len(v)))
		default:
			return fmt.Errorf("bulk query: cannot bind a %T", a)
		}
		if rc != 0 {
			return sqliteError(h, rc)
		}
	}
	return nil
}
