package mem

import (
	"os"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

const (
	madvHugepage      = 14 // MADV_HUGEPAGE
	madvPopulateWrite = 23 // MADV_POPULATE_WRITE, Linux 5.14
)

// populate backs [start, start+n) now. Populate ignores its error: THP may
// be off (the pages are then small), an older kernel lacks
// MADV_POPULATE_WRITE (they then fault in).
func populate(start, n uintptr) error {
	syscall.Syscall(syscall.SYS_MADVISE, start, n, madvHugepage)
	if _, _, errno := syscall.Syscall(syscall.SYS_MADVISE, start, n, madvPopulateWrite); errno != 0 {
		return errno
	}
	return nil
}

func mapAnon(size int) ([]byte, error) {
	return syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
}

func unmap(b []byte) error { return syscall.Munmap(b) }

// Resident returns how many of the pages of b, which begins on a page, are
// in memory (mincore): for the tests of what is backed, and of a file
// mapped, what is in the page cache.
func Resident(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	page := os.Getpagesize()
	vec := make([]byte, (len(b)+page-1)/page)
	if _, _, errno := syscall.Syscall(syscall.SYS_MINCORE, uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)),
		uintptr(unsafe.Pointer(&vec[0]))); errno != 0 {
		return 0, errno
	}
	n := 0
	for _, v := range vec {
		n += int(v & 1)
	}
	return n, nil
}

// CachedPages returns how many of the pages of the file at path are in the
// page cache (Resident of the file mapped): for the tests of what a run
// leaves there.
func CachedPages(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || fi.Size() == 0 {
		return 0, err
	}
	m, err := syscall.Mmap(int(f.Fd()), 0, int(fi.Size()), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return 0, err
	}
	defer syscall.Munmap(m)
	return Resident(m)
}

// InMemoryFS reports whether dir is on a tmpfs, whose pages are the files
// themselves and never leave the page cache: the tests of what a run lets
// go of need a disk's folder.
func InMemoryFS(dir string) (bool, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return false, err
	}
	return st.Type == unix.TMPFS_MAGIC, nil
}

// DropCached asks the kernel to drop f's clean pages from its cache.
func DropCached(f *os.File) error {
	return unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED)
}
