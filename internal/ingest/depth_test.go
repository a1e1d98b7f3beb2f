package ingest

import (
	"strings"
	"testing"
)

// depthByByte is checkDepth as it was first written, a byte at a time: the
// reference the fast version must agree with.
func depthByByte(data []byte) bool {
	depth, inString, escaped := 0, false, false
	for _, c := range data {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			if depth > maxDepth {
				return false
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return true
}

func TestCheckDepth(t *testing.T) {
	deep := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	tests := []struct {
		in string
		ok bool
	}{
		{deep(64), true},
		{deep(65), false},
		{`{"a":"` + strings.Repeat("[", 100) + `"}`, true},                          // brackets inside a string
		{`{"a":"x\"` + strings.Repeat("[", 100) + `"}`, true},                       // an escaped quote keeps the string open
		{`{"a":"x\\"` + strings.Repeat("[", 100) + `}`, false},                      // an escaped backslash does not
		{`{"a":"x\\\"` + strings.Repeat("[", 100) + `"}`, true},                     // three backslashes: the quote is escaped
		{`{"a":"x\\\\"` + strings.Repeat("[", 65) + strings.Repeat("]", 65), false}, // four: it is not
		{`{"a":"` + strings.Repeat(`\\`, 1000) + `"}` + deep(65), false},
		{`"unterminated ` + strings.Repeat("[", 100), true},
		{`"`, true},
		{`\"` + deep(65), true}, // a quote after a backslash outside a string opens one
		{``, true},
	}
	for _, tt := range tests {
		if got := checkDepth([]byte(tt.in)) == nil; got != tt.ok || depthByByte([]byte(tt.in)) != tt.ok {
			t.Errorf("checkDepth(%.40q…) ok = %v, reference %v; want %v", tt.in, got, depthByByte([]byte(tt.in)), tt.ok)
		}
	}
}

// FuzzCheckDepth: the fast checkDepth agrees with the byte-at-a-time one.
func FuzzCheckDepth(f *testing.F) {
	for _, s := range []string{`{"a":"b\"[[["}`, `[[["\\"]]]`, `"\\\"`, strings.Repeat("[", 70)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if got, want := checkDepth(data) == nil, depthByByte(data); got != want {
			t.Fatalf("checkDepth(%q) ok = %v, byte-at-a-time %v", data, got, want)
		}
	})
}
