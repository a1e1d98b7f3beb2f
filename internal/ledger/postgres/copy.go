package postgres

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/kwikpaisa/recon/internal/recon"
)

// copyRows packs rows for one table in COPY's binary format, to be sent
// as they are (copyIn). A day's millions of rows went through pgx's
// CopyFrom as boxed values, each encoded through a plan looked up per
// value: a tenth of a PostgreSQL run's client CPU.
type copyRows struct {
	t    *copyTable
	buf  []byte
	rows int // rows packed
	vals int // values packed of the row under way
}

// copySignature starts every binary COPY: the signature, no flags, no
// header extension.
const copySignature = "PGCOPY\n\xff\r\n\x00" + "\x00\x00\x00\x00" + "\x00\x00\x00\x00"

// newCopyRows starts the rows of t with room for size bytes: a loader's
// next batch takes the size of the one before, rather than growing to it
// again.
func newCopyRows(t *copyTable, size int) *copyRows {
	return &copyRows{t: t, buf: append(make([]byte, 0, max(size, 4<<10)), copySignature...)}
}

// row starts a row.
func (c *copyRows) row() {
	c.buf = binary.BigEndian.AppendUint16(c.buf, uint16(len(c.t.columns)))
	c.vals = 0
}

// end ends the row, which must hold a value per column.
func (c *copyRows) end() error {
	if c.vals != len(c.t.columns) {
		return fmt.Errorf("store %s rows: %d values for %d columns", c.t.name, c.vals, len(c.t.columns))
	}
	c.rows++
	return nil
}

// Int packs a bigint.
func (c *copyRows) Int(v int64) {
	c.buf = binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint32(c.buf, 8), uint64(v))
	c.vals++
}

// Bool packs a boolean.
func (c *copyRows) Bool(v bool) {
	b := byte(0)
	if v {
		b = 1
	}
	c.buf = append(binary.BigEndian.AppendUint32(c.buf, 1), b)
	c.vals++
}

// Text packs text, which holds neither NUL nor invalid UTF-8 (the server
// refuses both; a caller that may have them cleans them first).
func (c *copyRows) Text(s string) {
	c.buf = append(binary.BigEndian.AppendUint32(c.buf, uint32(len(s))), s...)
	c.vals++
}

// Line packs a place's line as text, written straight into the row.
func (c *copyRows) Line(p recon.Place) {
	c.buf = append(c.buf, 0, 0, 0, 0)
	at := len(c.buf)
	c.buf = p.AppendLine(c.buf)
	binary.BigEndian.PutUint32(c.buf[at-4:at], uint32(len(c.buf)-at))
	c.vals++
}

// Digest packs d as hex text, written straight into the row.
func (c *copyRows) Digest(d *recon.Digest) {
	c.buf = hex.AppendEncode(binary.BigEndian.AppendUint32(c.buf, uint32(2*len(d))), d[:])
	c.vals++
}

// Bytes packs a bytea; nil is NULL.
func (c *copyRows) Bytes(v []byte) {
	if v == nil {
		c.Null()
		return
	}
	c.buf = append(binary.BigEndian.AppendUint32(c.buf, uint32(len(v))), v...)
	c.vals++
}

// Null packs NULL.
func (c *copyRows) Null() {
	c.buf = binary.BigEndian.AppendUint32(c.buf, 0xffffffff)
	c.vals++
}

// finish ends the data and returns it; c is not used after.
func (c *copyRows) finish() []byte { return binary.BigEndian.AppendUint16(c.buf, 0xffff) }

// copyIn sends the rows c packed into its table on tx's connection.
func copyIn(ctx context.Context, tx pgx.Tx, c *copyRows) error {
	if _, err := tx.Conn().PgConn().CopyFrom(ctx, bytes.NewReader(c.finish()), c.t.copySQL); err != nil {
		return fmt.Errorf("store %s rows: %w", c.t.name, err)
	}
	return nil
}
