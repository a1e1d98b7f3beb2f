package bench

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/kwikpaisa/recon/internal/mem"
)

// resident returns how many of the pages of the file at path are in the
// page cache.
func resident(t *testing.T, path string) int {
	t.Helper()
	n, err := mem.CachedPages(path)
	if err != nil {
		t.Fatalf("pages of %s in the cache: %v", path, err)
	}
	return n
}

// TestEvictDay: a day's files, just written and read (in the page cache),
// are out of it after evictDay, those in its folders too.
func TestEvictDay(t *testing.T) {
	dir := t.TempDir()
	tmpfs, err := mem.InMemoryFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	if tmpfs {
		t.Skipf("%s is a tmpfs, whose pages are the files themselves: set TMPDIR to a disk's folder", dir)
	}
	paths := []string{filepath.Join(dir, "orders.csv"), filepath.Join(dir, "settlements", "2026-11-24.csv")}
	if err := os.MkdirAll(filepath.Dir(paths[1]), 0o755); err != nil {
		t.Fatal(err)
	}
	data := make([]byte, 1<<20)
	for i := range data {
		data[i] = byte('a' + i%26)
	}
	for _, p := range paths {
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := os.ReadFile(p); err != nil {
			t.Fatal(err)
		}
		if n := resident(t, p); n == 0 {
			t.Fatalf("%s: no page in the cache just after it was read", p)
		}
	}
	if err := evictDay(dir); err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		if n := resident(t, p); n != 0 {
			t.Errorf("%s: %d pages still in the page cache", p, n)
		}
	}
}
