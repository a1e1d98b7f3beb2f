// Package mem holds the one memory hint recon gives the kernel: back a
// large slice now, with huge pages where the system allows them.
//
// A large day's load writes a gigabyte of fresh memory, and on a virtual
// machine each 4 KiB page faulting in on its first write is costly: at
// tier M (issue 8) a sixth of a re-run's CPU time went to page faults.
// Backing the day's largest slices in one call each, with 2 MiB pages,
// spares most of those faults, and the TLB misses of the random lookups
// that follow.
package mem

import "unsafe"

// Populate asks the kernel to back the memory of s, up to its capacity,
// now and with huge pages. It is a hint: where the kernel refuses it, or
// is not Linux, nothing happens and the pages fault in as they are written.
// s must be a slice the caller is about to fill.
func Populate[T any](s []T) {
	if cap(s) == 0 {
		return
	}
	var zero T
	size := uintptr(cap(s)) * unsafe.Sizeof(zero)
	const page = 4096
	start := uintptr(unsafe.Pointer(unsafe.SliceData(s[:1])))
	end := (start + size) &^ (page - 1)
	start = (start + page - 1) &^ (page - 1)
	if end > start {
		_ = populate(start, end-start)
	}
}
