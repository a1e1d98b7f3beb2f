// Package stores opens the store a database name selects: a PostgreSQL
// URL (postgres:// or postgresql://) opens the postgres adapter, anything
// else is the path of an SQLite file.
package stores

import (
	"context"
	"strings"
	"time"

	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/ledger/sqlite"
)

// Open opens the store db names and brings its schema up to date. now is
// the store's clock (nil is the wall clock).
func Open(ctx context.Context, db string, now func() time.Time) (ledger.Store, error) {
	s, err := sqlite.OpenWith(ctx, db, sqlite.Options{Now: now})
	if err != nil {
		return nil, err // not a typed nil in the interface
	}
	return s, nil
}

// NameDatabase makes an error of the database db (disk full, I/O error,
// locked) name it, unless it does already.
func NameDatabase(err error, db string) error { return sqlite.NameDatabase(err, db) }

// IsURL says whether db is a database server's URL rather than a file.
func IsURL(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}
