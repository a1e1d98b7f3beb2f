package postgres

import (
	"encoding/binary"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/kwikpaisa/recon/internal/ledger"
)

// rawRow reads the values of a result row, left to right, from the bytes
// the server sent. The day's load reads millions of rows: pgx's Scan, a
// plan dispatched per value and a new string for each, took most of its
// client's time. A value the row cannot read (a NULL where a number must
// be, a number of the wrong size) is kept as the row's error.
type rawRow struct {
	vals [][]byte
	bin  []bool // whether each column comes in binary, not text
	i    int
	str  *ledger.Strings
	err  error
}

// next returns the next value's bytes (nil for NULL) and whether it is
// binary.
func (r *rawRow) next() ([]byte, bool) {
	if r.i >= len(r.vals) {
		r.fail(fmt.Errorf("row of %d columns read past its end", len(r.vals)))
		return nil, false
	}
	v, bin := r.vals[r.i], r.bin[r.i]
	r.i++
	return v, bin
}

func (r *rawRow) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

// Int reads an integer (smallint, integer or bigint).
func (r *rawRow) Int() int64 {
	n, ok := r.NullInt()
	if !ok {
		r.fail(fmt.Errorf("column %d: NULL where a number must be", r.i))
	}
	return n
}

// NullInt reads an integer that may be NULL (false).
func (r *rawRow) NullInt() (int64, bool) {
	v, bin := r.next()
	switch {
	case v == nil:
		return 0, false
	case bin && len(v) == 8:
		return int64(binary.BigEndian.Uint64(v)), true
	case bin && len(v) == 4:
		return int64(int32(binary.BigEndian.Uint32(v))), true
	case bin && len(v) == 2:
		return int64(int16(binary.BigEndian.Uint16(v))), true
	case bin:
		r.fail(fmt.Errorf("column %d: a binary integer of %d bytes", r.i, len(v)))
		return 0, false
	}
	n, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil {
		r.fail(fmt.Errorf("column %d: %w", r.i, err))
	}
	return n, true
}

// Bool reads a boolean.
func (r *rawRow) Bool() bool {
	v, bin := r.next()
	if len(v) != 1 {
		r.fail(fmt.Errorf("column %d: %q is not a boolean", r.i, v))
		return false
	}
	if bin {
		return v[0] == 1
	}
	return v[0] == 't'
}

// Bytes reads text as its bytes, valid until the next row (a text value
// is the same bytes in either format).
func (r *rawRow) Bytes() []byte { v, _ := r.next(); return v }

// String reads text as a string carved from the load's blocks.
func (r *rawRow) String() string { return r.str.Keep(r.Bytes()) }

// Word reads text a column repeats, interned.
func (r *rawRow) Word() string { return r.str.Word(r.Bytes()) }

// each runs query and calls row with each result row.
func (l *dayLoad) each(query string, args []any, row func(*rawRow) error) error {
	rows, err := l.tx.Query(l.ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	r := &rawRow{str: &l.str}
	for rows.Next() {
		if r.bin == nil {
			for _, f := range rows.FieldDescriptions() {
				r.bin = append(r.bin, f.Format == pgx.BinaryFormatCode)
			}
		}
		r.vals, r.i = rows.RawValues(), 0
		if err := row(r); err != nil {
			return err
		}
		if r.err != nil {
			return r.err
		}
	}
	return rows.Err()
}
