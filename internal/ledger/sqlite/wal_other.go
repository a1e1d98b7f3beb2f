//go:build !linux

package sqlite

// dropCache leaves the page cache as it is: not every system has
// posix_fadvise (macOS has none).
func dropCache(string) error { return nil }
