package recon

import (
	"hash/maphash"

	"github.com/kwikpaisa/recon/internal/slots"
)

// Keys numbers the keys of one entity (order ids or payout ids) 0, 1, 2…
// in the order they are added, and holds each key's string once: the
// records of a day that name a key can share it. The store builds one per
// entity as it loads a day; matching numbers its facts with the same
// numbers instead of indexing the day's keys a second time.
//
// The index is a slots.Table: 8 bytes a key, where a map[string]int32
// took 60 MB for a day's million keys (a slot there holds the string
// header too); a probe reads a key's string only when 32 bits of its hash
// agree.
//
// A Keys is not safe for concurrent use while keys are added.
type Keys struct {
	seed  maphash.Seed
	index slots.Table
	list  []string
}

// NewKeys returns an empty Keys with room for about n keys.
func NewKeys(n int) *Keys {
	return &Keys{seed: maphash.MakeSeed(), index: slots.New(n), list: make([]string, 0, n)}
}

// Add returns the number of key and whether it was added by this call.
func (k *Keys) Add(key string) (int32, bool) {
	h := maphash.String(k.seed, key)
	at, i := find(k, h, key)
	if i >= 0 {
		return i, false
	}
	return k.insert(at, h, key), true
}

// AddBytes is Add for a key read as bytes: the string is made only when the
// key is new.
func (k *Keys) AddBytes(key []byte) (int32, bool) {
	h := maphash.Bytes(k.seed, key)
	at, i := find(k, h, key)
	if i >= 0 {
		return i, false
	}
	return k.insert(at, h, string(key)), true
}

// Find returns the number of key, or false when it was never added.
func (k *Keys) Find(key string) (int32, bool) {
	_, i := find(k, maphash.String(k.seed, key), key)
	return i, i >= 0
}

// FindBytes is Find for a key read as bytes.
func (k *Keys) FindBytes(key []byte) (int32, bool) {
	_, i := find(k, maphash.Bytes(k.seed, key), key)
	return i, i >= 0
}

// FindEach sets found[i] to the number of keys[i], or -1 when it was never
// added: Find for many keys at once; found has room for len(keys). A day's
// keys are far more than the processor's caches hold, so each Find waits on
// memory two or three times (the index's slot, the key's string, its
// bytes); FindEach does each of those steps for a batch of keys before the
// next, so the batch's reads are in flight together: 148 against 210 ns a
// key (BenchmarkKeysFind).
func (k *Keys) FindEach(keys []string, found []int32) { findEach(k, keys, found, maphash.String) }

// FindEachBytes is FindEach for keys read as bytes.
func (k *Keys) FindEachBytes(keys [][]byte, found []int32) { findEach(k, keys, found, maphash.Bytes) }

// Key returns the key numbered i.
func (k *Keys) Key(i int32) string { return k.list[i] }

// Len returns how many keys there are.
func (k *Keys) Len() int { return len(k.list) }

// find returns the number of key, whose hash is h, or -1 and the empty
// slot where it would go. A key read as bytes is compared as it is: the
// compiler makes no string of it for the comparison.
func find[K string | []byte](k *Keys, h uint64, key K) (slot int, number int32) {
	return k.index.Find(h, func(n int32) bool { return k.list[n] == string(key) })
}

// findBatch is how many keys findEach looks up together.
const findBatch = 64

func findEach[K string | []byte](k *Keys, keys []K, found []int32, hash func(maphash.Seed, K) uint64) {
	var (
		hashes [findBatch]uint64
		empty  [findBatch]bool
		held   [findBatch]string
	)
	for start := 0; start < len(keys); start += findBatch {
		part, out := keys[start:min(start+findBatch, len(keys))], found[start:]
		for i, key := range part { // the slots
			hashes[i] = hash(k.seed, key)
			out[i], empty[i] = k.index.Home(hashes[i])
		}
		for i := range part { // the strings of the keys their slots name
			if out[i] >= 0 {
				held[i] = k.list[out[i]]
			}
		}
		for i, key := range part { // their bytes
			switch {
			case out[i] >= 0 && held[i] == string(key):
			case out[i] < 0 && empty[i]:
			default: // another key's slot: probe on, one key at a time
				_, out[i] = find(k, hashes[i], key)
			}
		}
	}
}

// insert adds key, whose hash is h, at the empty slot at, growing the
// table when it would be more than 3/4 full.
func (k *Keys) insert(at int, h uint64, key string) int32 {
	n := int32(len(k.list))
	k.list = append(k.list, key)
	if !k.index.Holds(len(k.list)) {
		k.grow()
		return n
	}
	k.index.Put(at, h, n)
	return n
}

// grow makes a table for twice the keys and places every key again, the
// last one added included.
func (k *Keys) grow() {
	k.index = slots.New(2 * len(k.list))
	none := func(int32) bool { return false } // the keys are distinct
	for n, key := range k.list {
		h := maphash.String(k.seed, key)
		at, _ := k.index.Find(h, none)
		k.index.Put(at, h, int32(n))
	}
}
