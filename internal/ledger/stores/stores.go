// Package stores opens the store a database name selects: a PostgreSQL
// URL (postgres:// or postgresql://) opens the postgres adapter, anything
// else is the path of an SQLite file.
package stores

import (
	"context"
	"time"

	"github.com/kwikpaisa/recon/internal/config"
	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/ledger/postgres"
	"github.com/kwikpaisa/recon/internal/ledger/sqlite"
)

// Open opens the store db names and brings its schema up to date. now is
// the store's clock (nil is the wall clock).
func Open(ctx context.Context, db string, now func() time.Time) (ledger.Store, error) {
	if IsURL(db) {
		s, err := postgres.Open(ctx, db, postgres.Options{Now: now})
		if err != nil {
			return nil, err // not a typed nil in the interface
		}
		return s, nil
	}
	s, err := sqlite.OpenWith(ctx, db, sqlite.Options{Now: now})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// NameDatabase makes an error of the database db (disk full, I/O error,
// locked) name it, unless it does already. A server's errors name it
// already, without its password.
func NameDatabase(err error, db string) error {
	if IsURL(db) {
		return err
	}
	return sqlite.NameDatabase(err, db)
}

// IsURL says whether db is a database server's URL rather than a file.
func IsURL(db string) bool {
	return config.IsDatabaseURL(db)
}

// Printable is db as a message may show it: a URL without its password.
func Printable(db string) string {
	if IsURL(db) {
		return postgres.Redact(db)
	}
	return db
}
