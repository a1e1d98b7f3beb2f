package sqlite

// Bulk statements (cgo.go runs them): rows packed into one buffer, many
// to a cgo call, and the rows a bulk query returns, read back from one.

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/recon"
)

// bulkFlushBytes is how much a bulkWriter packs before it hands the rows
// to SQLite: large enough that a cgo call carries thousands of rows, small
// enough to stay in the CPU's cache.
const bulkFlushBytes = 1 << 20

// bulkWriter queues rows of INSERT statements, packed, and stores them on
// conn in batches. Rows of one statement go in in the order queued. A
// batch is stored on a goroutine of its own while the next is packed
// (flush): packing a file's rows and SQLite's inserting them were one
// after the other on the goroutine that reads the file in order, the
// ingest's one serial path; conn is the flush's until finish or close.
type bulkWriter struct {
	ctx      context.Context
	conn     *sqlx.Conn
	pending  map[string]*bulkRows // by statement
	queued   int                  // bytes packed in all of pending
	cur      bulkRow              // the row being packed
	inFlight chan error           // the result of the flush being stored; nil when none is
}

func newBulkWriter(ctx context.Context, conn *sqlx.Conn) *bulkWriter {
	return &bulkWriter{ctx: ctx, conn: conn, pending: map[string]*bulkRows{}}
}

// add queues one row of query with args: int64, int, bool, string, []byte
// or nil values. The stores of the day's many rows pack theirs through row
// instead, boxing nothing.
func (w *bulkWriter) add(query string, args ...any) error {
	b := w.row(query, len(args))
	for _, a := range args {
		switch v := a.(type) {
		case nil:
			b.Null()
		case int64:
			b.Int(v)
		case int:
			b.Int(int64(v))
		case bool:
			b.Bool(v)
		case string:
			b.Text(v)
		case []byte:
			b.Bytes(v)
		default:
			b.drop()
			return fmt.Errorf("bulk statement: cannot store a %T", a)
		}
	}
	return w.end(b)
}

// bulkRow packs one row's values after the queued rows of its statement;
// bulkWriter.end queues it.
type bulkRow struct {
	r     *bulkRows
	start int // where the row begins in r.buf
	n     int // values packed
}

// row starts a row of query, a statement of cols values. The row is the
// writer's own, valid until end.
func (w *bulkWriter) row(query string, cols int) *bulkRow {
	r := w.pending[query]
	if r == nil {
		r = &bulkRows{query: query, cols: cols}
		w.pending[query] = r
	}
	w.cur = bulkRow{r: r, start: len(r.buf)}
	return &w.cur
}

func (b *bulkRow) Int(v int64) {
	b.r.buf = binary.LittleEndian.AppendUint64(append(b.r.buf, tagInt), uint64(v))
	b.n++
}

func (b *bulkRow) Bool(v bool) {
	var i int64
	if v {
		i = 1
	}
	b.Int(i)
}

func (b *bulkRow) Text(s string) {
	b.r.buf = append(binary.LittleEndian.AppendUint32(append(b.r.buf, tagText), uint32(len(s))), s...)
	b.n++
}

// Line packs a place's line as text, written straight into the row.
func (b *bulkRow) Line(p recon.Place) {
	b.r.buf = append(b.r.buf, tagText, 0, 0, 0, 0)
	at := len(b.r.buf)
	b.r.buf = p.AppendLine(b.r.buf)
	binary.LittleEndian.PutUint32(b.r.buf[at-4:at], uint32(len(b.r.buf)-at))
	b.n++
}

// Digest packs d as hex text.
func (b *bulkRow) Digest(d *recon.Digest) {
	b.r.buf = hex.AppendEncode(binary.LittleEndian.AppendUint32(append(b.r.buf, tagText), uint32(2*len(d))), d[:])
	b.n++
}

// Bytes packs a blob; nil is NULL.
func (b *bulkRow) Bytes(v []byte) {
	if v == nil {
		b.Null()
		return
	}
	b.r.buf = append(binary.LittleEndian.AppendUint32(append(b.r.buf, tagBlob), uint32(len(v))), v...)
	b.n++
}

func (b *bulkRow) Null() {
	b.r.buf = append(b.r.buf, tagNull)
	b.n++
}

// drop takes the row's values back out.
func (b *bulkRow) drop() { b.r.buf = b.r.buf[:b.start] }

// end queues the row b, flushing when enough is queued; a row without one
// value per column is dropped with an error.
func (w *bulkWriter) end(b *bulkRow) error {
	if b.n != b.r.cols {
		b.drop()
		return fmt.Errorf("bulk statement: %d values for %d columns", b.n, b.r.cols)
	}
	w.queued += len(b.r.buf) - b.start
	if w.queued < bulkFlushBytes {
		return nil
	}
	return w.flush()
}

// argRow lists one row's values as database/sql arguments (a pulled
// gateway record's).
type argRow []any

func (a *argRow) Int(v int64)            { *a = append(*a, v) }
func (a *argRow) Bool(v bool)            { *a = append(*a, v) }
func (a *argRow) Text(s string)          { *a = append(*a, s) }
func (a *argRow) Line(p recon.Place)     { *a = append(*a, p.Line()) }
func (a *argRow) Digest(d *recon.Digest) { *a = append(*a, d.String()) }
func (a *argRow) Null()                  { *a = append(*a, nil) }
func (a *argRow) Bytes(v []byte) {
	if v == nil {
		a.Null()
		return
	}
	*a = append(*a, v)
}

// rowValues reads the values of one packed row, left to right.
type rowValues struct {
	buf []byte         // the rows still to read
	col int            // values read of the current row
	n   int            // values per row
	str ledger.Strings // what String carves its strings from
}

// next returns the next value's tag and bytes (the int64's 8 bytes for an
// integer).
func (v *rowValues) next() (byte, []byte) {
	tag := v.buf[0]
	switch tag {
	case tagNull:
		v.buf = v.buf[1:]
		v.col++
		return tag, nil
	case tagInt:
		b := v.buf[1:9]
		v.buf = v.buf[9:]
		v.col++
		return tag, b
	default:
		n := binary.LittleEndian.Uint32(v.buf[1:5])
		b := v.buf[5 : 5+n]
		v.buf = v.buf[5+n:]
		v.col++
		return tag, b
	}
}

// Int returns the next value as an integer (NULL is 0).
func (v *rowValues) Int() int64 {
	tag, b := v.next()
	if tag != tagInt {
		return 0
	}
	return int64(binary.LittleEndian.Uint64(b))
}

// peekInt returns the next value as Int would, without reading it.
func (v *rowValues) peekInt() int64 {
	if v.buf[0] != tagInt {
		return 0
	}
	return int64(binary.LittleEndian.Uint64(v.buf[1:9]))
}

// IsNull says whether the next value is NULL, without reading it.
func (v *rowValues) IsNull() bool { return v.buf[0] == tagNull }

// Bytes returns the next value's text or blob bytes, valid during the row
// callback (nil for NULL or an integer).
func (v *rowValues) Bytes() []byte {
	tag, b := v.next()
	if tag == tagText || tag == tagBlob {
		return b
	}
	return nil
}

// String returns the next value as a new string, carved from the query's
// shared blocks (ledger.Strings).
func (v *rowValues) String() string { return v.keep(v.Bytes()) }

// keep returns b, a value of the current row, as a string carved from the
// query's blocks as String does.
func (v *rowValues) keep(b []byte) string { return v.str.Keep(b) }

// skipRest moves past the values of the row the callback did not read.
func (v *rowValues) skipRest() {
	for v.col < v.n {
		v.next()
	}
}
