package mem

import (
	"runtime"
	"syscall"
	"testing"
	"unsafe"
)

// TestPopulateBacksMemory checks that a fresh slice's pages are resident
// after Populate (mincore) and that Populate changes none of its values.
func TestPopulateBacksMemory(t *testing.T) {
	const n = 64 << 20 // fresh from the system: Go zeroes nothing this large
	s := make([]byte, n)
	s[n/2] = 7
	start := (uintptr(unsafe.Pointer(&s[0])) + 4095) &^ 4095
	size := (uintptr(unsafe.Pointer(&s[0])) + n - start) &^ 4095
	resident := func() int {
		from := start - uintptr(unsafe.Pointer(&s[0]))
		r, err := Resident(s[from : from+size])
		if err != nil {
			t.Fatalf("mincore: %v", err)
		}
		return r
	}
	before := resident()
	if err := populate(start, size); err == syscall.EINVAL {
		t.Skip("this kernel has no MADV_POPULATE_WRITE (Linux 5.14)")
	} else if err != nil {
		t.Fatal(err)
	}
	Populate(s) // the same, through the exported hint
	if after, all := resident(), int(size/4096); after != all {
		t.Errorf("%d of %d pages resident after Populate (%d before)", after, all, before)
	}
	for i, v := range s {
		if v != 0 && i != n/2 || i == n/2 && v != 7 {
			t.Fatalf("s[%d] = %d after Populate", i, v)
		}
	}
	Populate([]int(nil)) // no capacity: nothing to do
}

// TestOutside: a slice from Outside holds what is written to it, and is
// not in the Go heap.
func TestOutside(t *testing.T) {
	const n = 8 << 20 // int64s: 64 MiB
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s, free := Outside[int64](n)
	defer free()
	for i := range s {
		s[i] = int64(i)
	}
	runtime.ReadMemStats(&after)
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > 1<<20 {
		t.Errorf("the heap grew by %d bytes for a slice of %d outside it", grew, n*8)
	}
	for i, v := range s {
		if v != int64(i) {
			t.Fatalf("s[%d] = %d", i, v)
		}
	}
	if len(s) != n || cap(s) != n {
		t.Errorf("len %d, cap %d; want %d", len(s), cap(s), n)
	}
}
