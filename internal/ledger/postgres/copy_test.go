package postgres

import (
	"encoding/binary"
	"strings"
	"testing"
)

// TestCopyRows checks the binary COPY layout of one row and that a row
// without a value per column is refused before it reaches the server.
func TestCopyRows(t *testing.T) {
	c := newCopyRows(newCopyTable(0, "t", "a", "b", "c", "d"), 0)
	c.row()
	c.Int(-2)
	c.Text("é")
	c.Null()
	c.Bool(true)
	if err := c.end(); err != nil {
		t.Fatal(err)
	}
	got := c.finish()
	want := []byte(copySignature)
	want = binary.BigEndian.AppendUint16(want, 4)
	want = append(binary.BigEndian.AppendUint32(want, 8), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe)
	want = append(binary.BigEndian.AppendUint32(want, 2), "é"...)
	want = binary.BigEndian.AppendUint32(want, 0xffffffff)
	want = append(binary.BigEndian.AppendUint32(want, 1), 1)
	want = binary.BigEndian.AppendUint16(want, 0xffff)
	if string(got) != string(want) {
		t.Errorf("packed\n% x\nwant\n% x", got, want)
	}
	short := newCopyRows(newCopyTable(0, "t", "a", "b"), 0)
	short.row()
	short.Int(1)
	if err := short.end(); err == nil || !strings.Contains(err.Error(), "1 values for 2 columns") {
		t.Errorf("a short row: %v", err)
	}
}

// TestLoaderTables: each table's slot is its place among loaderTables, and
// its COPY statement names its columns in order.
func TestLoaderTables(t *testing.T) {
	for i, tb := range loaderTables {
		if tb.slot != i {
			t.Errorf("%s has slot %d, at %d in loaderTables", tb.name, tb.slot, i)
		}
	}
	if got, want := rejectsTable.copySQL, `COPY "rejects" ("merchant_id", "file_id", "seq", "line", "field", "value", "reason") FROM STDIN (FORMAT binary)`; got != want {
		t.Errorf("COPY statement %s, want %s", got, want)
	}
}
