package recon

import (
	"hash/fnv"
	"math"
	"math/bits"
)

// A Part is one share of a day's keys that a run loads and matches alone,
// so that the run holds one part's records at a time and not the whole
// day's: the keys of one entity whose KeyHash falls in the No-th of Of
// equal ranges of the hash. Every category but two judges one key's
// records only, and a key's ledger rows, gateway records and deliveries
// all fall in its part. DUPLICATE_PAYOUT and DUPLICATE_UTR compare payouts
// across keys: when the payouts are split, a run reads their parts twice,
// first for the compact facts those checks compare (match.Facts.AddDay).
//
// The zero Part is the whole day.
type Part struct {
	Entity Entity // PAYIN or PAYOUT; "" for the whole day
	No, Of int
}

// Whole reports whether p is the whole day.
func (p Part) Whole() bool { return p.Entity == "" }

// HashRange returns the key hashes of p's keys, lo to hi inclusive; the
// whole range for the whole day.
func (p Part) HashRange() (lo, hi int64) {
	if p.Whole() || p.Of <= 1 {
		return math.MinInt64, math.MaxInt64
	}
	// Part i holds the unsigned hashes from floor(i·2⁶⁴/Of); flipping the
	// top bit maps them, in order, onto the signed hashes a store keeps.
	ulo, uhi := partBound(p.No, p.Of), uint64(math.MaxUint64)
	if p.No+1 < p.Of {
		uhi = partBound(p.No+1, p.Of) - 1
	}
	return int64(ulo ^ 1<<63), int64(uhi ^ 1<<63)
}

// partBound is the first unsigned hash of part i of of: floor(i·2⁶⁴/of).
func partBound(i, of int) uint64 {
	q, _ := bits.Div64(uint64(i), 0, uint64(of))
	return q
}

// PartNo returns the number of the part of of whose HashRange holds hash:
// the one part of a split that a key of that hash belongs to.
func PartNo(hash int64, of int) int {
	if of <= 1 {
		return 0
	}
	u := uint64(hash) ^ 1<<63
	// floor(u·of/2⁶⁴) is the part or the one before it: the bounds are
	// rounded down.
	i, _ := bits.Mul64(u, uint64(of))
	if n := int(i) + 1; n < of && partBound(n, of) <= u {
		return n
	}
	return int(i)
}

// Has reports whether the key of a ledger row or a gateway record of
// entity is p's.
func (p Part) Has(entity Entity, key string) bool {
	if p.Whole() {
		return true
	}
	if entity != p.Entity {
		return false
	}
	lo, hi := p.HashRange()
	h := KeyHash(entity, key)
	return lo <= h && h <= hi
}

// HasDelivery reports whether a delivery is p's: that of its key, or, for
// a delivery that names no pay-in or payout key, the first payouts part's
// (one part, so that a body delivered twice is judged once).
func (p Part) HasDelivery(entity Entity, key string) bool {
	if key == "" || (entity != EntityPayin && entity != EntityPayout) {
		return p.Whole() || p.Entity == EntityPayout && p.No == 0
	}
	return p.Has(entity, key)
}

// KeyHash is the 64-bit FNV-1a of entity, a 0xff byte (never in UTF-8, so
// no two pairs run together) and key: the hash the stores index keys by
// and split a day into parts by.
func KeyHash(entity Entity, key string) int64 {
	h := fnv.New64a()
	h.Write([]byte(entity))
	h.Write([]byte{0xff})
	h.Write([]byte(key))
	return int64(h.Sum64())
}

// DayParts splits a day of the given ledger rows into parts of at most
// about partKeys keys: the pay-ins in as many parts as that takes, then
// the payouts in parts of half as many, as a payout part is read beside
// the facts of every payout before it (match.Facts.AddDay). A day of at
// most partKeys rows, or any day when partKeys is 0, is one part, the
// whole day.
func DayParts(orders, payouts, partKeys int) []Part {
	if partKeys <= 0 || orders+payouts <= partKeys {
		return []Part{{}}
	}
	var parts []Part
	for _, e := range []struct {
		entity Entity
		rows   int
		keys   int
	}{{EntityPayin, orders, partKeys}, {EntityPayout, payouts, max(1, partKeys/2)}} {
		n := max(1, (e.rows+e.keys-1)/e.keys)
		for i := range n {
			parts = append(parts, Part{Entity: e.entity, No: i, Of: n})
		}
	}
	return parts
}
