// Package slots is an open-addressing index of 8-byte slots, for the day's
// millions of keys and webhook bodies where a Go map costs three to four
// times the memory. Each slot holds the high 32 bits of an item's hash and
// 1 + the item's number; the items live with the index's user, which says,
// when the 32 bits agree, whether a number is the item sought. The table
// is a power of two, at most 3/4 full, probed linearly from the hash's low
// bits.
package slots

// Table is the index. Its zero value is not usable: make one with New.
type Table struct{ slots []uint64 }

// New returns a table with room for n items.
func New(n int) Table {
	size := 16
	for size/4*3 < n {
		size *= 2
	}
	return Table{slots: make([]uint64, size)}
}

// Find returns the number stored for hash h that same says is the item
// sought, or -1 and the empty slot where that item would go.
func (t Table) Find(h uint64, same func(n int32) bool) (slot int, n int32) {
	mask := len(t.slots) - 1
	tag := h >> 32
	for i := int(h) & mask; ; i = (i + 1) & mask {
		s := t.slots[i]
		if s == 0 {
			return i, -1
		}
		if s>>32 == tag && same(int32(uint32(s)-1)) {
			return i, int32(uint32(s) - 1)
		}
	}
}

// Home is Find's first step alone, for a user that looks up many items at
// once and lets their memory reads overlap: what h's first slot holds. It
// returns the number stored there when the slot's 32 bits are h's (the user
// still says whether it is the item sought), or -1 and whether the slot is
// empty. An empty first slot means no item of hash h is stored; any other
// answer that is not the item needs Find.
func (t Table) Home(h uint64) (n int32, empty bool) {
	s := t.slots[int(h)&(len(t.slots)-1)]
	if s != 0 && s>>32 == h>>32 {
		return int32(uint32(s) - 1), false
	}
	return -1, s == 0
}

// Put stores number n, of an item with hash h, at slot: the empty slot
// Find returned for it.
func (t Table) Put(slot int, h uint64, n int32) { t.slots[slot] = h>>32<<32 | uint64(n+1) }

// Holds says whether the table holds n items within its 3/4.
func (t Table) Holds(n int) bool { return n <= len(t.slots)/4*3 }
