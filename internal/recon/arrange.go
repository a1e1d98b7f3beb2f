package recon

import "slices"

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
	// Each cycle of the permutation moves its elements one step, the first
	// through tmp.
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
