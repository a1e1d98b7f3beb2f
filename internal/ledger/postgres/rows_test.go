package postgres

import (
	"encoding/binary"
	"strings"
	"testing"

	"github.com/kwikpaisa/recon/internal/ledger"
)

// TestRawRow reads each kind of value the load reads, in both wire
// formats, and fails on what a row cannot hold.
func TestRawRow(t *testing.T) {
	be := func(n int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(n)) }
	r := &rawRow{str: &ledger.Strings{},
		vals: [][]byte{be(-42), []byte("1234567"), nil, nil, {1}, []byte("f"), []byte("INR"), []byte("ORD-1")},
		bin:  []bool{true, false, true, false, true, false, false, false}}
	if got := r.Int(); got != -42 {
		t.Errorf("binary bigint = %d", got)
	}
	if got := r.Int(); got != 1234567 {
		t.Errorf("text bigint = %d", got)
	}
	for _, format := range []string{"binary", "text"} {
		if n, ok := r.NullInt(); ok || n != 0 {
			t.Errorf("%s NULL read as %d, %v", format, n, ok)
		}
	}
	if !r.Bool() || r.Bool() {
		t.Error("booleans read wrong")
	}
	if r.Word() != "INR" || r.String() != "ORD-1" {
		t.Error("text read wrong")
	}
	// integer and smallint, as a count column comes
	small := &rawRow{vals: [][]byte{binary.BigEndian.AppendUint32(nil, uint32(70000)), {0xff, 0xfe}}, bin: []bool{true, true}}
	if a, b := small.Int(), small.Int(); a != 70000 || b != -2 || small.err != nil {
		t.Errorf("integer, smallint = %d, %d (%v)", a, b, small.err)
	}
	if r.err != nil {
		t.Fatalf("a good row failed: %v", r.err)
	}
	r.Bytes() // past the end
	if r.err == nil || !strings.Contains(r.err.Error(), "past its end") {
		t.Errorf("reading past the row: %v", r.err)
	}
	for _, bad := range []struct {
		val []byte
		bin bool
		why string
	}{{nil, true, "NULL where a number"}, {[]byte{1, 2, 3}, true, "3 bytes"}, {[]byte("12x"), false, "invalid syntax"}} {
		r := &rawRow{vals: [][]byte{bad.val}, bin: []bool{bad.bin}}
		r.Int()
		if r.err == nil || !strings.Contains(r.err.Error(), bad.why) {
			t.Errorf("Int of %q: error %v, want one saying %q", bad.val, r.err, bad.why)
		}
	}
}
