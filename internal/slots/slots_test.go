package slots

import "testing"

// TestFindPut stores items whose hashes collide wholly, in part (same
// slot, other tag) and not at all, and finds each by its own number: the
// user's same is asked only of numbers whose 32 bits of hash agree.
func TestFindPut(t *testing.T) {
	hashes := []uint64{
		0xAAAA_0000_0000_0005, 0xAAAA_0000_0000_0005, // the same hash twice
		0xBBBB_0000_0000_0005, // the same slot, another tag
		0xAAAA_0000_0000_0006, // the next slot, the first's tag
		0x1234_5678_9ABC_DEF0,
	}
	x := New(len(hashes))
	for i, h := range hashes {
		at, n := x.Find(h, func(n int32) bool {
			if hashes[n]>>32 != h>>32 {
				t.Errorf("item %d: asked about item %d, whose tag differs", i, n)
			}
			return false // every item is new
		})
		if n != -1 {
			t.Fatalf("item %d: found %d before it was put", i, n)
		}
		x.Put(at, h, int32(i))
	}
	for i, h := range hashes {
		_, n := x.Find(h, func(n int32) bool { return n == int32(i) })
		if n != int32(i) {
			t.Errorf("item %d: Find gave %d", i, n)
		}
	}
	// Home: the first slot only. Item 0 is in its own; item 2 shares it
	// under another tag; nothing was put at 0x…0009.
	if n, empty := x.Home(hashes[0]); n != 0 || empty {
		t.Errorf("Home of item 0's hash = %d, %v; want 0, false", n, empty)
	}
	if n, empty := x.Home(hashes[2]); n != -1 || empty {
		t.Errorf("Home of item 2's hash = %d, %v; want -1, false (item 0's slot, another tag)", n, empty)
	}
	if n, empty := x.Home(0xAAAA_0000_0000_0009); n != -1 || !empty {
		t.Errorf("Home of an empty slot = %d, %v; want -1, true", n, empty)
	}
	if !x.Holds(len(hashes)) || x.Holds(len(x.slots)) {
		t.Errorf("a table of %d slots: Holds(%d) %v, Holds(%d) %v", len(x.slots), len(hashes), x.Holds(len(hashes)), len(x.slots), x.Holds(len(x.slots)))
	}
}
