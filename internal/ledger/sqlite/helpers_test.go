package sqlite

import (
	"context"
	"path/filepath"
	"testing"
)

func mustOpen(tb testing.TB) *DB { tb.Helper(); return mustOpenWith(tb, Options{}) }

func mustOpenWith(tb testing.TB, opts Options) *DB {
	tb.Helper()
	db := openAt(tb, filepath.Join(tb.TempDir(), "recon.db"), opts)
	tb.Cleanup(func() { db.Close() })
	return db
}

// openAt opens the store at path, which the test closes itself.
func openAt(tb testing.TB, path string, opts Options) *DB {
	tb.Helper()
	db, err := OpenWith(context.Background(), path, opts)
	if err != nil {
		tb.Fatal(err)
	}
	return db
}
