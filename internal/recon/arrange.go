package recon

import (
	"cmp"
	"slices"
)

// Arrange sorts s in place by cmp, which must not find two elements equal,
// moving each element once: a day's records are large, and sorting them
// directly swaps each many times. A slice already in order is only read.
func Arrange[T any](s []T, cmp func(a, b *T) int) {
	sorted := true
	for i := 1; i < len(s) && sorted; i++ {
		sorted = cmp(&s[i-1], &s[i]) < 0
	}
	if sorted {
		return
	}
	perm := make([]int32, len(s)) // perm[i]: the element that goes at i
	for i := range perm {
		perm[i] = int32(i)
	}
	slices.SortFunc(perm, func(a, b int32) int { return cmp(&s[a], &s[b]) })
	permute(s, perm)
}

// ArrangeByNumber is Arrange by a number of each element, distinct and in
// [0, n): a key's number in the day's Keys. It places the elements by
// their numbers, reading each once in order, where a sort's comparisons
// read them at random, each many times: for a day's gateway records read
// in the order a dump was exported, the sort was a third of the load's
// difference from the same dump in key order. Should two elements share a
// number, or one lie outside [0, n), it arranges as Arrange by number.
func ArrangeByNumber[T any](s []T, n int, no func(*T) int32) {
	at := make([]int32, n) // at[k]: 1 + the index of the element numbered k
	sorted, prev := true, int32(-1)
	for i := range s {
		k := no(&s[i])
		if k < 0 || int(k) >= n || at[k] != 0 {
			Arrange(s, func(a, b *T) int { return cmp.Compare(no(a), no(b)) })
			return
		}
		sorted, prev = sorted && prev < k, k
		at[k] = int32(i) + 1
	}
	if sorted {
		return
	}
	perm := make([]int32, 0, len(s))
	for _, i := range at {
		if i != 0 {
			perm = append(perm, i-1)
		}
	}
	permute(s, perm)
}

// arrangeByGroup places the elements of s by group, groups in [0, n), each
// group's elements in the order they had: a stable counting sort, each
// element moved once. group is called once per element. A slice already
// grouped in order is only read.
func arrangeByGroup[T any](s []T, n int, group func(*T) int32) {
	of := make([]int32, len(s))
	at := make([]int32, n+1) // at[g+1]: how many in group g, then where group g begins
	grouped, prev := true, int32(0)
	for i := range s {
		g := group(&s[i])
		of[i] = g
		at[g+1]++
		grouped, prev = grouped && prev <= g, g
	}
	if grouped {
		return
	}
	for g := 1; g <= n; g++ {
		at[g] += at[g-1]
	}
	perm := make([]int32, len(s)) // perm[j]: the element that goes at j
	for i, g := range of {
		perm[at[g]] = int32(i)
		at[g]++
	}
	permute(s, perm)
}

// GroupDeliveries places the day's deliveries by key, each key's in the
// order they had (log path and line), those of a key Keys does not hold or
// of none last: a log comes by time, and matching reads each key's
// deliveries beside its other records, so in log order they lay at random
// in memory (the README's Performance section, 2026-12-06 (night), has the
// cost). Every delivery naming one key string, a pay-in's, a payout's or
// one that names no entity, goes to the same place: matching's rows about
// the log are by key string, and it meets those of one reference in log
// order still. A day without Keys is left as it is.
func (d *Day) GroupDeliveries() {
	payins, payouts := d.Keys[EntityPayin], d.Keys[EntityPayout]
	if payins == nil || payouts == nil {
		return
	}
	np, nq := int32(payins.Len()), int32(payouts.Len())
	arrangeByGroup(d.Deliveries, int(np+nq+1), func(dv *Delivery) int32 {
		if dv.Key == "" {
			return np + nq
		}
		if dv.Entity == EntityPayin && dv.KeyNo >= 0 {
			return dv.KeyNo
		}
		if no, ok := payins.Find(dv.Key); ok {
			return no
		}
		if dv.Entity == EntityPayout && dv.KeyNo >= 0 {
			return np + dv.KeyNo
		}
		if no, ok := payouts.Find(dv.Key); ok {
			return np + no
		}
		return np + nq
	})
}

// permute moves s[perm[i]] to i for each i, each element once: each cycle
// of the permutation moves its elements one step, the first through tmp.
func permute[T any](s []T, perm []int32) {
	for i := range perm {
		if perm[i] == int32(i) {
			continue
		}
		tmp, j := s[i], i
		for {
			k := int(perm[j])
			perm[j] = int32(j)
			if k == i {
				s[j] = tmp
				break
			}
			s[j] = s[k]
			j = k
		}
	}
}
