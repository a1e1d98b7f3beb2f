package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"sync"

	"github.com/mattn/go-sqlite3"
)

// The store's own connection does not checkpoint by itself (tune sets
// wal_autocheckpoint to 0). SQLite would copy a file's committed pages
// from the WAL into the database inside the commit that crossed its
// threshold, on the run's path (at tier M under strace: 0.5 s after the
// orders file, 1.7 s after the gateway dump, 2.5 s after the webhook log),
// writing the file's pages a second time and waiting for the disk. A
// checkpointer does it on a connection of its own, beside what the run
// does next (reading the next file leaves a core partly idle). It never
// blocks the writer or a reader (PASSIVE), commits stay atomic and
// durable as before (the WAL holds them), Close waits for it, and SQLite's
// last close checkpoints whatever is left.
//
// SQLite syncs the database file at the end of a checkpoint only when no
// commit came while it copied. The run's first writes after the last file
// loaded come during that file's checkpoint, so its pages (the webhook
// log's, the largest) stayed dirty until the store's last close synced
// them, as the process's last step (README, Performance, 2026-12-05 after
// closing). The checkpointer syncs the file itself after each checkpoint,
// beside the run.

// checkpointer runs the store's checkpoints in the background, one at a
// time: a checkpoint asked for while one runs runs after it.
type checkpointer struct {
	dsn  string // read-write, like the store's own
	path string // the database file

	mu      sync.Mutex
	running bool
	again   bool  // asked for while one ran
	err     error // the first failure
	wg      sync.WaitGroup
}

// request starts a checkpoint, or another after the one running.
func (c *checkpointer) request() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running {
		c.again = true
		return
	}
	c.running = true
	c.wg.Add(1)
	go c.run()
}

func (c *checkpointer) run() {
	defer c.wg.Done()
	for {
		err := c.checkpoint()
		c.mu.Lock()
		if err != nil && c.err == nil {
			c.err = err
		}
		if !c.again {
			c.running = false
			c.mu.Unlock()
			return
		}
		c.again = false
		c.mu.Unlock()
	}
}

// checkpoint copies every committed page no reader still needs from the
// WAL into the database file, on a connection opened for it, and syncs
// the file.
func (c *checkpointer) checkpoint() error {
	db := c.open()
	defer db.Close()
	var busy, frames, copied int
	if err := db.QueryRow(`PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &copied); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if copied == 0 {
		return nil
	}
	f, err := os.Open(c.path)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("checkpoint: sync %s: %w", c.path, err)
	}
	return nil
}

// settle waits for the checkpoints asked for, then copies what is left
// of the WAL into the database with a RESTART checkpoint that waits for no
// other connection, so that the readers after it read the database file
// alone and the next commit begins the log again, and gives the log's
// pages in the page cache back to the system (dropCache). A large day's
// parts read the day from the store once more and write it to their
// spills. A reader that begins before the log is all copied reads the
// day's pages from the log, one that begins after from the database: both
// were kept in the page cache, with the spills beside them, more than the
// system had for a day of 10M orders, whose pages it then read back from
// the disk (README, Performance, 2026-12-05 late night). When another
// connection reads the log or holds the write lock, the log and its pages
// stay.
func (c *checkpointer) settle(ctx context.Context) error {
	if err := c.wait(); err != nil {
		return err
	}
	db := c.open()
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA busy_timeout = 0`); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	done, _, err := checkpointLog(ctx, conn, "RESTART")
	if err != nil || !done {
		return err
	}
	return dropCache(c.path + "-wal")
}

// open opens the database for one checkpoint, on a connection of its own,
// read-write like the store's.
func (c *checkpointer) open() *sql.DB {
	return sql.OpenDB(connector{dsn: c.dsn, driver: &sqlite3.SQLiteDriver{}})
}

// wait waits for the checkpoints asked for and returns the first failure.
func (c *checkpointer) wait() error {
	c.wg.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}
