// Package mem holds recon's two requests of the kernel's memory: back a
// large slice now, with huge pages where the system allows them; and a
// buffer outside the Go heap.
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

// Outside returns a slice of n zero values of T in memory of its own, not
// the Go heap, and the function that gives the memory back (after which s
// must not be used). The collector neither scans it nor counts it: a
// buffer that lives through a stage run at a high GOGC would otherwise let
// the heap grow to several times its size before the next collection. Its
// pages are backed as they are first written. T must hold no pointers.
// Where the kernel refuses, or on another system, s is an ordinary slice.
func Outside[T any](n int) (s []T, free func()) {
	var zero T
	if size := n * int(unsafe.Sizeof(zero)); size > 0 {
		if b, err := mapAnon(size); err == nil {
			return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), n), func() { _ = unmap(b) }
		}
	}
	return make([]T, n), func() {}
}
