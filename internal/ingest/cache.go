package ingest

import "os"

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
