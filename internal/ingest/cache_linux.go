package ingest

import (
	"os"

	"golang.org/x/sys/unix"
)

// DropCached asks the kernel to drop f's clean pages from its cache.
func DropCached(f *os.File) error {
	return unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED)
}
