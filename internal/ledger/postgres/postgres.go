// Package postgres is recon's store in a PostgreSQL database, for a team
// that shares one: every table is keyed by merchant first, source files go
// in with COPY, and a date's run lock is an advisory lock that the server
// frees when the holder's connection drops.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kwikpaisa/recon/internal/ledger"
)

//go:embed migration/*.sql
var migrations embed.FS

// Options tune a PostgreSQL store; a zero field takes its default.
type Options struct {
	// Now is the store's clock (time.Now).
	Now func() time.Time
	// Merchant is whose store this is in the database ("default").
	Merchant string
	// Log, when set, is told when opening brings a store that holds data
	// up to date (ledger.LogMigrations).
	Log *slog.Logger
}

// DB is an open PostgreSQL store of one merchant.
type DB struct {
	pool     *pgxpool.Pool
	name     string // the URL without its password
	password string // never printed: scrubbed from errors
	merchant string
	log      *slog.Logger // told of a migration (Options.Log)
	// Now returns the current time; tests replace it.
	Now func() time.Time
	// locks are the connections holding a date's lock (LockDate); Close
	// releases them, ending their sessions, so the pool can close.
	mu    sync.Mutex
	locks map[*pgxpool.Conn]bool
}

var (
	_ ledger.Store            = (*DB)(nil)
	_ ledger.LoadCollector    = (*DB)(nil)
	_ ledger.ConcurrentLoader = (*DB)(nil)
)

// Open connects to the database at rawURL (postgres://…) and brings its
// schema up to date.
func Open(ctx context.Context, rawURL string, opts Options) (*DB, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Merchant == "" {
		opts.Merchant = "default"
	}
	name, password := redact(rawURL)
	s := &DB{name: name, password: password, merchant: opts.Merchant, log: opts.Log, Now: opts.Now}
	cfg, err := pgxpool.ParseConfig(rawURL)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", name, s.scrub(err))
	}
	cfg.MaxConns = max(cfg.MaxConns, 4) // a date's lock holds one
	if s.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return nil, fmt.Errorf("open database %s: %w", name, s.scrub(err))
	}
	if err := s.migrate(ctx); err != nil {
		s.pool.Close()
		return nil, fmt.Errorf("open database %s: %w", name, s.scrub(err))
	}
	return s, nil
}

// Redact returns a PostgreSQL URL as a message may show it: its password
// masked.
func Redact(rawURL string) string {
	name, _ := redact(rawURL)
	return name
}

// redact returns the URL with its password masked, and the password.
func redact(rawURL string) (name, password string) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(a PostgreSQL URL that does not parse)", ""
	}
	if u.User != nil {
		password, _ = u.User.Password()
	}
	return u.Redacted(), password
}

// scrubbed is an error whose text had the password taken out.
type scrubbed struct {
	msg string
	err error
}

func (e *scrubbed) Error() string { return e.msg }
func (e *scrubbed) Unwrap() error { return e.err }

// scrub returns err with every appearance of the password masked: a driver
// error may quote the connection string.
func (s *DB) scrub(err error) error {
	if err == nil || s.password == "" || !strings.Contains(err.Error(), s.password) {
		return err
	}
	return &scrubbed{msg: strings.ReplaceAll(err.Error(), s.password, "xxxxx"), err: err}
}

// Name returns the database's URL without its password.
func (s *DB) Name() string { return s.name }

// Close closes the store's connections, freeing any date lock still held.
func (s *DB) Close() error {
	s.mu.Lock()
	for c := range s.locks {
		c.Release()
	}
	s.locks = nil
	s.mu.Unlock()
	s.pool.Close()
	return nil
}

// migrationLock is the advisory lock key under which a process migrates:
// two processes opening a new database at once take turns.
const migrationLock = 0x7265636f6e // "recon"

// migrate applies, in order, each embedded migration not yet recorded,
// each in its own transaction, and refuses a store a newer recon migrated
// (ledger.PendingMigrations).
func (s *DB) migrate(ctx context.Context) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrationLock); err != nil {
		return fmt.Errorf("lock for migration: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrationLock) //nolint:errcheck // the session ends with it anyway
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS recon_migrations (name TEXT PRIMARY KEY)`); err != nil {
		return fmt.Errorf("create migrations table: %w", err)
	}
	names, err := fs.Glob(migrations, "migration/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	var applied []string
	rows, err := conn.Query(ctx, `SELECT name FROM recon_migrations`)
	if err == nil {
		applied, err = pgx.CollectRows(rows, pgx.RowTo[string])
	}
	if err != nil {
		return fmt.Errorf("read the migrations applied: %w", err)
	}
	pending, err := ledger.PendingMigrations(names, applied)
	if err != nil || len(pending) == 0 {
		return err
	}
	// Under the lock, no other process migrates: what is pending stays so.
	done := ledger.LogMigrations(s.log, s.name, pending, len(applied) == 0)
	for _, name := range pending {
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			body, err := fs.ReadFile(migrations, name)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, string(body)); err != nil {
				return fmt.Errorf("migration %s: %w", name, err)
			}
			_, err = tx.Exec(ctx, `INSERT INTO recon_migrations (name) VALUES ($1)`, name)
			return err
		})
		if err != nil {
			return err
		}
	}
	done()
	return nil
}

// withTx runs fn in a transaction, committing when it returns nil.
func (s *DB) withTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	err := pgx.BeginFunc(ctx, s.pool, fn)
	return s.scrub(err)
}

// errNoRows reports whether err is a query's "no rows".
func errNoRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }
