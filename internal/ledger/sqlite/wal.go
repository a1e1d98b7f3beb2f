package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"

	"github.com/mattn/go-sqlite3"
)

// A day's writes grow the WAL to about the size of the day, and the
// store's last close deleted it, the process's last step, waiting for the
// file system to free the file's blocks (README, Performance, 2026-12-05
// after closing). A store whose WAL has grown to opts.KeepLogBytes keeps
// the file instead (keepLog): every frame is copied into the database
// first and the log begun again with one frame, so the next connection
// recovers one frame, not the file, and the next run writes into blocks
// the file already has. The file keeps the size of the largest day; once
// no recon has the store open, deleting it loses nothing.

// keepLog readies the WAL to be kept by the store's last close, if it is
// large: it copies every frame into the database and begins the log again
// with one frame (SQLite begins it again at the first commit after a
// checkpoint that copied everything, when no reader is in the log), then
// tells the connection's close to keep the file. A log that holds one
// frame, as opened after a close that kept it, is kept as it is: a store
// only read gets no write of recon's (SQLite's close copies that frame
// into the database again, the same bytes). It waits for no other connection: one that
// reads the log, or writes, leaves the file to be deleted as before.
func (s *DB) keepLog() error {
	if s.opts.KeepLogBytes <= 0 {
		return nil
	}
	if fi, err := os.Stat(s.path + "-wal"); err != nil || fi.Size() < s.opts.KeepLogBytes {
		return nil
	}
	ctx := context.Background()
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA busy_timeout = 0`); err != nil {
		return err
	}
	checkpoint := func(mode string) (bool, int, error) { return checkpointLog(ctx, conn, mode) }
	done, frames, err := checkpoint("PASSIVE")
	if err != nil || !done {
		return err
	}
	if frames > 1 {
		if done, _, err := checkpoint("RESTART"); err != nil || !done {
			return err
		}
		// The smallest write: the header's user_version, as it is.
		var v int64
		if err := conn.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v); err != nil {
			return err
		}
		if _, err := conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, v)); err != nil {
			if isBusy(err) {
				return nil
			}
			return err
		}
		if done, frames, err = checkpoint("PASSIVE"); err != nil || !done || frames != 1 {
			return err // a reader kept the log from beginning again
		}
	}
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*sqlite3.SQLiteConn)
		if !ok {
			return fmt.Errorf("keep the WAL: connection is a %T", dc)
		}
		return c.SetFileControlInt("main", sqlite3.SQLITE_FCNTL_PERSIST_WAL, 1)
	})
}

// checkpointLog runs a checkpoint of mode on conn and reports whether it
// copied every frame of the log, and how many there are.
func checkpointLog(ctx context.Context, conn *sql.Conn, mode string) (done bool, frames int, err error) {
	var busy, copied int
	err = conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(`+mode+`)`).Scan(&busy, &frames, &copied)
	return err == nil && busy == 0 && copied == frames, frames, err
}

// isBusy reports whether err is SQLite's "database is locked".
func isBusy(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.Code == sqlite3.ErrBusy
}
