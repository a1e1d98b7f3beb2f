package ledger

import (
	"strings"
	"testing"
	"unsafe"
)

func TestStrings(t *testing.T) {
	var s Strings
	buf := []byte("INR")
	a, b := s.Word(buf), s.Word([]byte("INR"))
	if a != "INR" || unsafe.StringData(a) != unsafe.StringData(b) {
		t.Errorf("Word gave %q and %q, not one string", a, b)
	}
	buf[0] = 'X' // a word does not share the caller's bytes
	if a != "INR" {
		t.Errorf("word changed with its bytes: %q", a)
	}
	src := []byte("ORD-1")
	k := s.Keep(src)
	src[0] = 'X'
	if k != "ORD-1" {
		t.Errorf("Keep gave %q after its bytes changed", k)
	}
	// Many strings: each intact though they share blocks, and one longer
	// than a block's rest starts a new one.
	var kept []string
	for i := range 5000 {
		kept = append(kept, s.Keep([]byte(strings.Repeat(string(rune('a'+i%26)), 1+i%40))))
	}
	for i, k := range kept {
		if want := strings.Repeat(string(rune('a'+i%26)), 1+i%40); k != want {
			t.Fatalf("string %d = %q, want %q", i, k, want)
		}
	}
	if s.Keep(nil) != "" {
		t.Error("Keep(nil) is not empty")
	}
	long := strings.Repeat("x", 600)
	if s.Keep([]byte(long)) != long {
		t.Error("a long string came back changed")
	}
}
