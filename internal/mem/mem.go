// Package mem holds recon's requests of the kernel's memory: back a large
// slice now, with huge pages where the system allows them; a buffer
// outside the Go heap; and let a file read for the last time leave the
// page cache (Forget).
//
// A large day's load writes a gigabyte of fresh memory, and on a virtual
// machine each 4 KiB page faulting in on its first write is costly: at
// tier M (issue 8) a sixth of a re-run's CPU time went to page faults.
// Backing the day's largest slices in one call each, with 2 MiB pages,
// spares most of those faults, and the TLB misses of the random lookups
// that follow.
package mem

import (
	"os"
	"unsafe"
)

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

// Forget tells the system that the file at path, read to its end, will not
// be read again by this run, so that its pages leave the page cache before
// the store's. A run reads each input twice (hashed, then parsed), which
// the kernel takes for pages in use and keeps over pages read once: on a
// day larger than the cache, the day's spills, written once and read back
// by part, went to the disk and came back from it while read inputs stayed
// (the README's Performance section). Only clean pages go, and the file is
// read from the disk if anything reads it again: it is a hint, and an
// error (a file since removed) is of no consequence to the run.
func Forget(path string) {
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	_ = DropCached(f)
}
