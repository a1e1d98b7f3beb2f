package recon

import (
	"fmt"
	"hash/maphash"
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

// TestKeysFindEach looks up keys added, keys never added and a key whose
// first slot holds another key's number under its own 32 bits of hash, in
// a count that is not a whole number of batches, and checks FindEach and
// FindEachBytes against Find key by key. The index is three quarters full,
// so many keys, added or not, find another key in their first slot.
func TestKeysFindEach(t *testing.T) {
	const n = 12000 // 3/4 of the 16384 slots NewKeys(n) makes
	k := NewKeys(n)
	rng := rand.New(rand.NewPCG(3, 4))
	var queries []string
	for i := range n {
		key := fmt.Sprintf("ORD-%d", rng.IntN(1<<30))
		k.Add(key)
		queries = append(queries, key, fmt.Sprintf("NEW-%d", i))
	}
	// A key whose first slot names key 0 under the key's own 32 bits: the
	// first impostor whose first slot is empty (a quarter of them are).
	for i := 0; ; i++ {
		impostor := fmt.Sprintf("IMPOSTOR-%d", i)
		h := maphash.String(k.seed, impostor)
		if _, empty := k.index.Home(h); empty {
			at, _ := k.index.Find(h, func(int32) bool { return false }) // the first slot
			k.index.Put(at, h, 0)
			queries = append(queries, impostor)
			break
		}
	}
	rng.Shuffle(len(queries), func(i, j int) { queries[i], queries[j] = queries[j], queries[i] })
	queries = append(queries, "", k.Key(0))
	if len(queries)%findBatch == 0 {
		queries = queries[1:] // not a whole number of batches
	}

	asBytes := make([][]byte, len(queries))
	for i, q := range queries {
		asBytes[i] = []byte(q)
	}
	got, gotBytes := make([]int32, len(queries)), make([]int32, len(queries))
	k.FindEach(queries, got)
	k.FindEachBytes(asBytes, gotBytes)
	found := 0
	for i, q := range queries {
		want, ok := k.Find(q)
		if !ok {
			want = -1
		} else {
			found++
		}
		if got[i] != want || gotBytes[i] != want {
			t.Fatalf("%q: FindEach %d, FindEachBytes %d; Find %d", q, got[i], gotBytes[i], want)
		}
	}
	if found < n/2 || found == len(queries) {
		t.Fatalf("%d of %d queries are keys: the test looks up too few of each kind", found, len(queries))
	}
}

// BenchmarkKeysFind looks up a million keys, in an order other than the
// one they were added in, one at a time and with FindEach.
func BenchmarkKeysFind(b *testing.B) {
	const n = 1_000_000
	k := NewKeys(n)
	rng := rand.New(rand.NewPCG(1, 2))
	keys := make([][]byte, n)
	for i := range keys {
		key := fmt.Sprintf("ORD-2026-%010d", rng.Uint64()%1e10)
		k.Add(key)
		keys[i] = []byte(key)
	}
	rng.Shuffle(n, func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
	b.Run("Find", func(b *testing.B) {
		for b.Loop() {
			for _, key := range keys {
				if _, ok := k.FindBytes(key); !ok {
					b.Fatalf("%s not found", key)
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/key")
	})
	b.Run("FindEach", func(b *testing.B) {
		found := make([]int32, n)
		for b.Loop() {
			k.FindEachBytes(keys, found)
		}
		for i, no := range found {
			if no < 0 {
				b.Fatalf("%s not found", keys[i])
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/key")
	})
}
