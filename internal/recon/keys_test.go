package recon

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestKeysNumbering adds keys past the table's first size (it grows more
// than once), as strings and as bytes, with repeats, and checks every
// number against a map: numbers in the order keys were first added, each
// key found by both Finds, and no key found that was never added.
func TestKeysNumbering(t *testing.T) {
	k := NewKeys(4)
	want := map[string]int32{}
	var order []string
	rng := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 0, 64)
	for i := range 20000 {
		var key string
		switch {
		case i%7 == 3 && len(order) > 0: // a repeat
			key = order[rng.IntN(len(order))]
		case i%5 == 0: // long keys too
			key = fmt.Sprintf("ORDER-%040d", rng.Uint64())
		default:
			key = fmt.Sprintf("ORD-%d", rng.IntN(1<<30))
		}
		var no int32
		var added bool
		if i%2 == 0 {
			no, added = k.Add(key)
		} else {
			buf = append(buf[:0], key...)
			no, added = k.AddBytes(buf)
			copy(buf, "XXXXXXXXXXXX") // the Keys must not hold the caller's bytes
		}
		w, seen := want[key]
		if !seen {
			w = int32(len(order))
			want[key] = w
			order = append(order, key)
		}
		if no != w || added == seen {
			t.Fatalf("add %d %q = %d, %v; want %d, %v", i, key, no, added, w, !seen)
		}
	}
	if k.Len() != len(order) {
		t.Fatalf("Len = %d, want %d", k.Len(), len(order))
	}
	for i, key := range order {
		if got := k.Key(int32(i)); got != key {
			t.Fatalf("Key(%d) = %q, want %q", i, got, key)
		}
		if n, ok := k.Find(key); !ok || n != int32(i) {
			t.Fatalf("Find(%q) = %d, %v; want %d", key, n, ok, i)
		}
		if n, ok := k.FindBytes([]byte(key)); !ok || n != int32(i) {
			t.Fatalf("FindBytes(%q) = %d, %v; want %d", key, n, ok, i)
		}
	}
	for _, key := range []string{"", "ORD-", "ORD--1", "XXXXXXXXXXXX"} {
		if n, ok := k.Find(key); ok {
			t.Errorf("Find(%q) = %d, true; it was never added", key, n)
		}
	}
	if !k.index.Holds(k.Len()) {
		t.Errorf("%d keys: the table is more than 3/4 full", k.Len())
	}
}
