package bench

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// evictDay drops the files of the day in dir (settlement reports and
// statements included) from the system's page cache, so that every run a
// bench measures, recon's or DuckDB's, of any tier, reads its inputs from
// the disk: as the night's job reads files fetched hours before. Left to
// chance, a run reads them from memory when the run before it read the
// same day, and from the disk after a larger tier's run let them go: at
// tier L that alone was 15 s of CPU (the README's Performance section).
func evictDay(dir string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := evict(f); err != nil {
			return fmt.Errorf("drop %s from the page cache: %w", path, err)
		}
		return nil
	})
}
