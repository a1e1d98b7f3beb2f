// Package ledger owns recon's SQLite store: its schema and migrations, the
// loading of source files, and the queries a run needs. It opens SQLite on
// purpose (WAL, foreign keys, a busy timeout, immediate transactions) and
// keeps one writer.
package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/mattn/go-sqlite3"

	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/runlock"
)

//go:embed migration/*.sql
var migrations embed.FS

// DB is an open recon store.
type DB struct {
	db   *sqlx.DB
	path string
	// readDSN opens a read-only connection beside db's (beside).
	readDSN string
	// ckpt checkpoints the WAL after each file loaded (checkpoint.go).
	ckpt *checkpointer
	// Now returns the current time; tests replace it.
	Now  func() time.Time
	opts Options
	// writer is the database's writer lock, taken around every write
	// (runlock.Writer): a run waits for another's long transaction with
	// its context instead of failing after the busy timeout.
	writer *runlock.Writer
	// spills are the rows of the day being loaded in parts, by part
	// (spill.go), kept beside the store.
	spills *daySpills
}

// busyTimeout is how long SQLite waits for a writer that does not take
// the writer lock (a backup, the sqlite3 shell) before "database is
// locked". RECON_DB_BUSY_TIMEOUT (a Go duration) sets it: tests shorten
// it to show that recon's own writers wait for each other beyond it.
func busyTimeout() time.Duration {
	if d, err := time.ParseDuration(os.Getenv("RECON_DB_BUSY_TIMEOUT")); err == nil && d > 0 {
		return d
	}
	return 10 * time.Second
}

// Options tune an SQLite store; a zero field takes its default.
type Options struct {
	// Now is the store's clock (time.Now).
	Now func() time.Time
	// The page caches, in KiB, of the store's own connection (256 MiB),
	// of the read-only one LoadDay opens beside it (1 MiB), and of the
	// store's own while LoadDay runs (1 MiB). The store's cache serves the
	// ingest: a dump in fetch order, not key order, inserts into its
	// indexes at random, and a cache that holds a large day's indexes
	// spares it re-reading the pages it spilled. LoadDay shrinks it
	// before the day is assembled (tier M's peak moved by a few MiB); the
	// load reads each page about once. Tests make them small.
	StoreCacheKiB, ReaderCacheKiB, LoadCacheKiB int
	// ReadBatchBytes is the buffer a bulk query's rows are read into, a
	// batch at a time (1 MiB).
	ReadBatchBytes int
	// PartKeys is how many ledger keys a run loads and matches at a time
	// (DayParts): a larger day is loaded in parts of its keys, and the
	// run's memory is one part's. 0 is the default (DefaultPartKeys); -1
	// loads every day whole.
	PartKeys int
	// Log, when set, is told when opening brings a store that holds data
	// up to date (ledger.LogMigrations).
	Log *slog.Logger
	// KeepLogBytes is the size from which the store's close keeps its WAL
	// for the next run rather than deleting it (keepLog; 64 MiB); -1
	// deletes it whatever its size.
	KeepLogBytes int64
}

// DefaultPartKeys is Options.PartKeys's default.
const DefaultPartKeys = 500_000

func (o *Options) defaults() {
	if o.Now == nil {
		o.Now = time.Now
	}
	set := func(v *int, def int) {
		if *v <= 0 {
			*v = def
		}
	}
	set(&o.StoreCacheKiB, 262144)
	set(&o.ReaderCacheKiB, 1024)
	set(&o.LoadCacheKiB, 1024)
	set(&o.ReadBatchBytes, readBatchBytes)
	if o.KeepLogBytes == 0 {
		o.KeepLogBytes = 64 << 20
	}
	switch {
	case o.PartKeys == 0:
		o.PartKeys = DefaultPartKeys
	case o.PartKeys < 0:
		o.PartKeys = 0 // recon.DayParts: the whole day
	}
}

// Open opens (creating if needed) the store at path with the default
// options and brings its schema up to date.
func Open(ctx context.Context, path string) (*DB, error) { return OpenWith(ctx, path, Options{}) }

// OpenWith opens (creating if needed) the store at path and brings its
// schema up to date. The file is created readable by its owner only.
func OpenWith(ctx context.Context, path string, opts Options) (*DB, error) {
	opts.defaults()
	if path == "" {
		return nil, errors.New("open database: no path")
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("open database %s: %w", path, err)
		}
	}
	// Create the file ourselves so that it is 0600 from the first byte.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	f.Close()

	q := url.Values{}
	q.Set("_foreign_keys", "on")
	busy := strconv.FormatInt(busyTimeout().Milliseconds(), 10)
	q.Set("_busy_timeout", busy)
	q.Set("_txlock", "immediate")
	q.Set("_synchronous", "NORMAL")
	q.Set("_mutex", "no") // database/sql hands a connection to one goroutine at a time
	dsn := "file:" + url.PathEscape(path) + "?" + q.Encode()
	db := sqlx.NewDb(sql.OpenDB(connector{dsn: dsn, driver: &sqlite3.SQLiteDriver{ConnectHook: tune(opts.StoreCacheKiB)}}), "sqlite3")
	// One connection: SQLite has one writer, and a single connection keeps
	// every statement of a run on the same view.
	db.SetMaxOpenConns(1)
	r := url.Values{}
	r.Set("mode", "ro")
	r.Set("_mutex", "no")
	r.Set("_busy_timeout", busy)
	s := &DB{db: db, path: path, opts: opts, readDSN: "file:" + url.PathEscape(path) + "?" + r.Encode(), Now: opts.Now,
		ckpt: &checkpointer{dsn: dsn, path: path}, writer: runlock.NewWriter(path), spills: &daySpills{dir: filepath.Dir(path), kept: kept{root: path + ".parts", log: opts.Log}}}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		s.writer.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	return s, nil
}

// connector opens connections to one SQLite file through a driver of our
// own, so that each connection is tuned (tune) without registering a
// driver name for the whole process.
type connector struct {
	dsn    string
	driver *sqlite3.SQLiteDriver
}

func (c connector) Connect(context.Context) (driver.Conn, error) { return c.driver.Open(c.dsn) }
func (c connector) Driver() driver.Driver                        { return c.driver }

// tune returns the connect hook of the store's own connection: it sets the
// pragmas the DSN cannot. A new database gets 64 KiB pages (before WAL mode
// writes its first page; an existing one keeps its size): a large day's
// commit writes a sixteenth as many WAL frames as with 4 KiB pages, and its
// scans read a sixteenth as many pages. Sorts and temporary indexes stay in
// memory. (No memory map: its pages would count in the run's resident
// memory, which must stay bounded for a large day.)
func tune(cacheKiB int) func(*sqlite3.SQLiteConn) error {
	return func(c *sqlite3.SQLiteConn) error {
		if err := registerKeyHash(c); err != nil {
			return err
		}
		return pragmas(c, "PRAGMA page_size = 65536", "PRAGMA journal_mode = WAL", "PRAGMA temp_store = MEMORY",
			"PRAGMA wal_autocheckpoint = 0", cacheSize(cacheKiB))
	}
}

// cacheSize returns the pragma that bounds a connection's page cache to kib
// KiB. It must run once the connection has read the file's page size:
// SQLite turns a size in KiB into a count of pages with the page size the
// connection has when the size is set (4 KiB before the file is read), and
// keeps that count when it learns the file's size, so a cache asked for
// before that holds sixteen times the memory in 64 KiB pages (a tier M run
// reached 830 MB of SQLite memory with 256 MiB asked for).
func cacheSize(kib int) string { return fmt.Sprintf("PRAGMA cache_size = -%d", kib) }

func pragmas(c *sqlite3.SQLiteConn, ps ...string) error {
	for _, p := range ps {
		if _, err := c.Exec(p, nil); err != nil {
			return err
		}
	}
	return nil
}

// beside runs fn with a second, read-only connection to the store, inside
// a read transaction. The caller holds a write transaction on the store's
// own connection and has read through it, so no other writer can commit:
// both connections see the same state, and the two can read at once on two
// cores (WAL lets a reader run beside a writer).
func (s *DB) beside(ctx context.Context, fn func(conn *sqlx.Conn) error) error {
	// schema_version reads the file's header, and with it its page size,
	// before the cache is sized (cacheSize), whatever the driver has run.
	hook := func(c *sqlite3.SQLiteConn) error {
		if err := registerKeyHash(c); err != nil {
			return err
		}
		return pragmas(c, "PRAGMA schema_version", cacheSize(s.opts.ReaderCacheKiB))
	}
	rdb := sqlx.NewDb(sql.OpenDB(connector{dsn: s.readDSN, driver: &sqlite3.SQLiteDriver{ConnectHook: hook}}), "sqlite3")
	defer rdb.Close()
	rdb.SetMaxOpenConns(1)
	conn, err := rdb.Connx(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	tx, err := conn.BeginTxx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(conn)
}

// NameDatabase makes an SQLite error (disk full, I/O error, locked) name
// the database file it is about, unless it does already; other errors
// are returned as they are.
func NameDatabase(err error, path string) error {
	var se sqlite3.Error
	if err == nil || !errors.As(err, &se) || strings.Contains(err.Error(), path) {
		return err
	}
	return fmt.Errorf("database %s: %w", path, err)
}

// Close closes the store.
func (s *DB) Close() error {
	s.spills.release()
	err := s.ckpt.wait()
	if err == nil {
		err = s.keepLog()
	}
	if cerr := s.db.Close(); err == nil {
		err = cerr
	}
	if cerr := s.writer.Close(); err == nil {
		err = cerr
	}
	return err
}

// exec runs one writing statement outside a transaction, under the writer
// lock.
func (s *DB) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	unlock, err := s.writer.Lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	return s.db.ExecContext(ctx, query, args...)
}

// Path returns the file the store lives in.
func (s *DB) Path() string { return s.path }

// migrate applies, in order, each embedded migration not yet recorded, each
// in its own transaction, and refuses a store a newer recon migrated
// (ledger.PendingMigrations). A store that has them all is only read: opening
// it does not wait for another process's write (a run refused by the
// date's lock learns so at once, not after the holder's transaction).
func (s *DB) migrate(ctx context.Context) error {
	names, err := fs.Glob(migrations, "migration/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	var applied []string
	if err := s.db.SelectContext(ctx, &applied, `SELECT name FROM migrations`); err != nil {
		applied = nil // a new store: no table yet
	}
	pending, err := ledger.PendingMigrations(names, applied)
	if err != nil || len(pending) == 0 {
		return err
	}
	if _, err := s.exec(ctx, `CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY)`); err != nil {
		return fmt.Errorf("create migrations table: %w", err)
	}
	done := ledger.LogMigrations(s.opts.Log, s.path, pending, len(applied) == 0)
	for _, name := range pending {
		if err := s.withTx(ctx, func(tx *sqlx.Tx) error {
			var n int
			if err := tx.GetContext(ctx, &n, `SELECT count(*) FROM migrations WHERE name = ?`, name); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			body, err := fs.ReadFile(migrations, name)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return fmt.Errorf("migration %s: %w", name, err)
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO migrations (name) VALUES (?)`, name)
			return err
		}); err != nil {
			return err
		}
	}
	done()
	return nil
}

// withTx runs fn in an immediate transaction, committing when it returns
// nil.
func (s *DB) withTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	return s.withConnTx(ctx, func(tx *sqlx.Tx, _ *sqlx.Conn) error { return fn(tx) })
}

// withConnTx is withTx for a caller that also runs bulk statements (bulk.go)
// inside the transaction: fn gets the transaction's connection too.
func (s *DB) withConnTx(ctx context.Context, fn func(tx *sqlx.Tx, conn *sqlx.Conn) error) error {
	return s.writeTx(ctx, true, fn)
}

// withLoadTx is withConnTx for a file's load (loadFile), with SQLite's
// foreign-key checks off on its connection until it ends. With them on,
// SQLite looks up a stored row's file in source_files for every row (the
// README's Performance section has the cost). A load's rows all
// name its own file, whose source_files row the same transaction inserts
// or finds, and a file replaced has its old rows deleted by name
// (loadFile), not by the cascade the checks would run: nothing the
// checks could refuse is written, and nothing they would delete is left.
func (s *DB) withLoadTx(ctx context.Context, fn func(tx *sqlx.Tx, conn *sqlx.Conn) error) error {
	return s.writeTx(ctx, false, fn)
}

// writeTx runs fn in an immediate transaction on one connection, under the
// writer lock, committing when it returns nil; foreignKeys false turns
// SQLite's foreign-key checks off on the connection for the transaction
// (withLoadTx). A connection whose checks could not be turned back on is
// closed rather than given to the next statement.
func (s *DB) writeTx(ctx context.Context, foreignKeys bool, fn func(tx *sqlx.Tx, conn *sqlx.Conn) error) (err error) {
	unlock, err := s.writer.Lock(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer unlock()
	conn, err := s.db.Connx(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer conn.Close()
	if !foreignKeys {
		// The pragma does nothing inside a transaction: it is set before
		// BEGIN and set back after the commit or the rollback.
		if _, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
			return fmt.Errorf("begin: %w", err)
		}
		defer func() {
			if _, onErr := conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA foreign_keys = ON`); onErr != nil {
				_ = conn.Raw(func(any) error { return driver.ErrBadConn })
				if err == nil {
					err = fmt.Errorf("foreign-key checks back on: %w", onErr)
				}
			}
		}()
	}
	tx, err := conn.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx, conn); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// IntegrityCheck runs PRAGMA integrity_check and returns its verdict ("ok").
func (s *DB) IntegrityCheck(ctx context.Context) (string, error) {
	var v string
	err := s.db.GetContext(ctx, &v, `PRAGMA integrity_check`)
	return v, err
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

var _ ledger.Store = (*DB)(nil)

// LockDate takes the date's lock file next to the database (runlock): the
// kernel frees it when the process dies.
func (s *DB) LockDate(ctx context.Context, date, holder string, wait bool, waiting func(*ledger.LockedError)) (func() error, error) {
	locked := func(h *runlock.HeldError) *ledger.LockedError {
		return &ledger.LockedError{Date: h.Date, Holder: h.Holder, Where: h.Path}
	}
	var l *runlock.Lock
	var err error
	if wait {
		l, err = runlock.Acquire(ctx, s.path, date, holder, 0, func(h *runlock.HeldError) {
			if waiting != nil {
				waiting(locked(h))
			}
		})
	} else {
		l, err = runlock.TryAcquire(s.path, date, holder)
	}
	var held *runlock.HeldError
	if errors.As(err, &held) {
		return nil, locked(held)
	}
	if err != nil {
		return nil, err
	}
	return l.Release, nil
}

// Name returns the database file's path.
func (s *DB) Name() string { return s.path }
