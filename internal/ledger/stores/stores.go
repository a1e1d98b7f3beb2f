// Package stores opens the store a database name selects: a PostgreSQL
// URL (postgres:// or postgresql://) opens the postgres adapter, anything
// else is the path of an SQLite file.
package stores

import (
	"context"
	"log/slog"
	"time"

	"github.com/kwikpaisa/recon/internal/config"
	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/ledger/postgres"
	"github.com/kwikpaisa/recon/internal/ledger/sqlite"
)

// Options are what opening a store takes beyond its name; a zero field
// takes its default.
type Options struct {
	// Now is the store's clock (the wall clock).
	Now func() time.Time
	// Log, when set, is told when opening brings a store that holds data
	// up to date (ledger.LogMigrations).
	Log *slog.Logger
}

// Open opens the store db names and brings its schema up to date.
func Open(ctx context.Context, db string, opts Options) (ledger.Store, error) {
	if IsURL(db) {
		s, err := postgres.Open(ctx, db, postgres.Options{Now: opts.Now, Log: opts.Log})
		if err != nil {
			return nil, err // not a typed nil in the interface
		}
		return s, nil
	}
	s, err := sqlite.OpenWith(ctx, db, sqlite.Options{Now: opts.Now, Log: opts.Log})
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
