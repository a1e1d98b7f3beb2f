package sqlite

import (
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

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

// Once a run's files are loaded (DayParts), the checkpointer also empties
// the WAL (settle): the last close deletes it and syncs the database file,
// and at tier M, under strace, the deletion of the WAL grown by the webhook
// log took 0.34 s and the sync 0.23 s after the run's last line was logged,
// on its path. Emptied (truncated, the database synced) beside the parts'
// matching, the close finds little of either left.

// checkpointer runs the store's checkpoints in the background, one at a
// time: a checkpoint asked for while one runs runs after it.
type checkpointer struct {
	dsn string // read-write, like the store's own

	mu       sync.Mutex
	running  bool
	again    bool  // asked for while one ran
	settling bool  // empty the WAL after the next checkpoint (settle)
	closing  bool  // the store closes: stop waiting to empty the WAL
	err      error // the first failure
	wg       sync.WaitGroup
}

// settleRetry is how long the emptying of the WAL waits before it tries
// again while a reader still reads from it: it never waits on a reader or
// a writer, which would hold up the run.
const settleRetry = 50 * time.Millisecond

// request starts a checkpoint, or another after the one running.
func (c *checkpointer) request() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.requestLocked()
}

// settle starts a checkpoint, or another after the one running, that then
// empties the WAL as soon as no reader needs what it holds.
func (c *checkpointer) settle() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.settling = true
	c.requestLocked()
}

func (c *checkpointer) requestLocked() {
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
		if err == nil && c.settling && !c.again {
			c.mu.Unlock()
			var done bool
			done, err = c.empty()
			c.mu.Lock()
			// Not done for another checkpoint asked for: after it.
			c.settling = !done && err == nil && c.again && !c.closing
		}
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
// WAL into the database file, on a connection opened for it.
func (c *checkpointer) checkpoint() error {
	db := sql.OpenDB(connector{dsn: c.dsn, driver: &sqlite3.SQLiteDriver{}})
	defer db.Close()
	var busy, frames, copied int
	if err := db.QueryRow(`PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &copied); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

// empty truncates the WAL to nothing once every frame is in the database
// file and no reader reads from it (TRUNCATE, which syncs the file first),
// trying again every settleRetry while one does, until the store closes or
// another checkpoint is asked for. A reader begun since the last frame was
// copied reads the database file, not the WAL, and does not hold it up.
func (c *checkpointer) empty() (done bool, err error) {
	db := sql.OpenDB(connector{dsn: c.dsn, driver: &sqlite3.SQLiteDriver{}})
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`PRAGMA busy_timeout = 0`); err != nil {
		return false, fmt.Errorf("empty the WAL: %w", err)
	}
	for {
		var busy, frames, copied int
		err := db.QueryRow(`PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &frames, &copied)
		if err == nil && busy == 0 {
			return true, nil
		}
		var serr sqlite3.Error
		if err != nil && !(errors.As(err, &serr) && (serr.Code == sqlite3.ErrBusy || serr.Code == sqlite3.ErrLocked)) {
			return false, fmt.Errorf("empty the WAL: %w", err)
		}
		c.mu.Lock()
		stop := c.closing || c.again
		c.mu.Unlock()
		if stop {
			return false, nil // the close empties it, or the next checkpoint's turn
		}
		time.Sleep(settleRetry)
	}
}

// wait waits for the checkpoints asked for and returns the first failure.
func (c *checkpointer) wait() error {
	c.mu.Lock()
	c.closing = true
	c.mu.Unlock()
	c.wg.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}
