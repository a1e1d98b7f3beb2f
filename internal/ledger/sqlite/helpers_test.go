package sqlite

import (
	"context"
	"path/filepath"
	"testing"
)

func mustOpen(tb testing.TB) *DB { tb.Helper(); return mustOpenWith(tb, Options{}) }

func mustOpenWith(tb testing.TB, opts Options) *DB {
	tb.Helper()
	db, err := OpenWith(context.Background(), filepath.Join(tb.TempDir(), "recon.db"), opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}
