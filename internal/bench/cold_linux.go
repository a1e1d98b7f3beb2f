package bench

import (
	"os"

	"golang.org/x/sys/unix"

	"github.com/kwikpaisa/recon/internal/mem"
)

// evict asks the kernel to drop f's pages from its cache. It drops only
// clean pages: a day just generated is written out first.
func evict(f *os.File) error {
	if err := unix.Fdatasync(int(f.Fd())); err != nil {
		return err
	}
	return mem.DropCached(f)
}
