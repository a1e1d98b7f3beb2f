package recon

import "hash/maphash"

// Keys numbers the keys of one entity (order ids or payout ids) 0, 1, 2…
// in the order they are added, and holds each key's string once: the
// records of a day that name a key can share it. The store builds one per
// entity as it loads a day; matching numbers its facts with the same
// numbers instead of indexing the day's keys a second time.
//
// The index is an open-addressing table of 8-byte slots, each a key's
// number and 32 bits of its hash: a day's million keys take 16 MB where a
// map[string]int32 took 60 (a slot there holds the string header too), and
// a probe reads a key's string only when those 32 bits agree.
//
// A Keys is not safe for concurrent use while keys are added.
type Keys struct {
	seed  maphash.Seed
	slots []uint64 // 0 is empty; else the hash's high 32 bits, then 1 + the number
	list  []string
}

// NewKeys returns an empty Keys with room for about n keys.
func NewKeys(n int) *Keys {
	k := &Keys{seed: maphash.MakeSeed(), list: make([]string, 0, n)}
	k.slots = make([]uint64, slotsFor(n))
	return k
}

// slotsFor returns the table size (a power of two) that holds n keys at
// most 3/4 full.
func slotsFor(n int) int {
	size := 16
	for size/4*3 < n {
		size *= 2
	}
	return size
}

// Add returns the number of key and whether it was added by this call.
func (k *Keys) Add(key string) (int32, bool) {
	h := maphash.String(k.seed, key)
	at, i := probe(k, h, key)
	if i >= 0 {
		return i, false
	}
	return k.insert(at, h, key), true
}

// AddBytes is Add for a key read as bytes: the string is made only when the
// key is new.
func (k *Keys) AddBytes(key []byte) (int32, bool) {
	h := maphash.Bytes(k.seed, key)
	at, i := probe(k, h, key)
	if i >= 0 {
		return i, false
	}
	return k.insert(at, h, string(key)), true
}

// Find returns the number of key, or false when it was never added.
func (k *Keys) Find(key string) (int32, bool) {
	_, i := probe(k, maphash.String(k.seed, key), key)
	return i, i >= 0
}

// FindBytes is Find for a key read as bytes.
func (k *Keys) FindBytes(key []byte) (int32, bool) {
	_, i := probe(k, maphash.Bytes(k.seed, key), key)
	return i, i >= 0
}

// Key returns the key numbered i.
func (k *Keys) Key(i int32) string { return k.list[i] }

// Len returns how many keys there are.
func (k *Keys) Len() int { return len(k.list) }

// probe returns the number of key, whose hash is h, or -1 and the empty
// slot where it would go. A key read as bytes is compared as it is: the
// compiler makes no string of it for the comparison.
func probe[K string | []byte](k *Keys, h uint64, key K) (slot int, number int32) {
	mask := len(k.slots) - 1
	tag := h >> 32
	for i := int(h) & mask; ; i = (i + 1) & mask {
		s := k.slots[i]
		if s == 0 {
			return i, -1
		}
		if s>>32 == tag && k.list[uint32(s)-1] == string(key) {
			return i, int32(uint32(s) - 1)
		}
	}
}

// insert adds key, whose hash is h, at the empty slot at, growing the
// table when it would be more than 3/4 full.
func (k *Keys) insert(at int, h uint64, key string) int32 {
	n := int32(len(k.list))
	k.list = append(k.list, key)
	if len(k.list) > len(k.slots)/4*3 {
		k.grow()
		return n
	}
	k.slots[at] = h>>32<<32 | uint64(n+1)
	return n
}

// grow doubles the table and places every key again, the last one added
// included.
func (k *Keys) grow() {
	k.slots = make([]uint64, 2*len(k.slots))
	mask := len(k.slots) - 1
	for n, key := range k.list {
		h := maphash.String(k.seed, key)
		i := int(h) & mask
		for k.slots[i] != 0 {
			i = (i + 1) & mask
		}
		k.slots[i] = h>>32<<32 | uint64(n+1)
	}
}
