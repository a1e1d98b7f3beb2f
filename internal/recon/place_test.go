package recon

import (
	"strconv"
	"testing"
)

// TestPlaceLines checks that a place gives back the file and the line it
// was made of, whatever the line: a number, a sheet's row, the API's call,
// or lines that only look like numbers.
func TestPlaceLines(t *testing.T) {
	for _, tc := range []struct {
		file, line string
		lineNo     int
		str        string
	}{
		{"orders.csv", "12", 12, "orders.csv:12"},
		{"orders.xlsx", "Sheet1!2", 0, "orders.xlsx:Sheet1!2"},
		{"orders.xlsx", "Sheet 2!41", 0, "orders.xlsx:Sheet 2!41"},
		{"api", "order/status", 0, "api:order/status"},
		{"api", "v3/status1", 0, "api:v3/status1"},
		{"gateway.jsonl", "", 0, "gateway.jsonl"},
		{"odd.csv", "0", 0, "odd.csv:0"},
		{"odd.csv", "007", 0, "odd.csv:007"},
		{"odd.csv", "99999999999", 0, "odd.csv:99999999999"},
		{"", "", 0, ""},
	} {
		p := PlaceOf(tc.file, tc.line)
		if p.File() != tc.file || p.Line() != tc.line || p.LineNo() != tc.lineNo || p.String() != tc.str {
			t.Errorf("PlaceOf(%q, %q): file %q line %q number %d string %q; want %q %q %d %q",
				tc.file, tc.line, p.File(), p.Line(), p.LineNo(), p.String(), tc.file, tc.line, tc.lineNo, tc.str)
		}
		if got := string(p.AppendLine([]byte("x"))); got != "x"+tc.line {
			t.Errorf("PlaceOf(%q, %q).AppendLine = %q", tc.file, tc.line, got)
		}
	}
	src := SourceOf("webhooks.jsonl", "")
	for _, n := range []int{1, 9, 10, 1_458_580} {
		if p, q := src.At(n), PlaceOf("webhooks.jsonl", strconv.Itoa(n)); p != q || p.LineNo() != n {
			t.Errorf("At(%d) = %v, PlaceOf = %v; want the same place, line %d", n, p, q, n)
		}
	}
	if p := (Place{}); p.File() != "" || p.Line() != "" || p.String() != "" || p != PlaceOf("", "") {
		t.Errorf("the zero Place is %q %q %q; want no place, as PlaceOf(\"\", \"\")", p.File(), p.Line(), p)
	}
	if SourceOf("a.csv", "") == SourceOf("b.csv", "") || SourceOf("a.xlsx", "S!") != SourceOf("a.xlsx", "S!") {
		t.Error("a source is one per file and prefix")
	}
}
