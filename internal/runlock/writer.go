package runlock

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// Writer is a database's writer lock, "<db>.write.lock" next to it: recon
// takes it around each of its write transactions, so that a write of one
// run waits for another run's (of any date, in any process) as long as
// that takes, with its context, where SQLite would give up with
// "database is locked" after its busy timeout. A large day's load is one
// transaction of many seconds; two dates' runs on one database must both
// complete. A writer that is not recon (a backup tool, the sqlite3 shell)
// does not take it and is still waited for only up to the busy timeout.
type Writer struct {
	path string
	// sem makes the lock exclusive within the process too: flock locks
	// belong to an open file, which every goroutine of a DB shares.
	sem chan struct{}
	f   *os.File // opened by the first Lock
}

// NewWriter returns the writer lock of the database at db.
func NewWriter(db string) *Writer {
	db = Resolve(db)
	return &Writer{path: filepath.Join(filepath.Dir(db), filepath.Base(db)+".write.lock"), sem: make(chan struct{}, 1)}
}

// Path returns the lock's file.
func (w *Writer) Path() string { return w.path }

// Lock takes the writer lock, waiting until ctx ends; unlock gives it up.
// It polls (a blocking flock cannot be cancelled), from every millisecond
// up to every 50 ms: a wait is for another run's transaction.
func (w *Writer) Lock(ctx context.Context) (unlock func(), err error) {
	select {
	case w.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("wait for the database's writer lock %s: %w", w.path, ctx.Err())
	}
	if w.f == nil {
		f, err := os.OpenFile(w.path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			<-w.sem
			return nil, fmt.Errorf("writer lock %s: %w", w.path, err)
		}
		w.f = f
	}
	fd := int(w.f.Fd())
	for wait := time.Millisecond; ; wait = min(2*wait, 50*time.Millisecond) {
		err := syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if err != syscall.EWOULDBLOCK && err != syscall.EINTR {
			<-w.sem
			return nil, fmt.Errorf("writer lock %s: %w", w.path, err)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			<-w.sem
			return nil, fmt.Errorf("wait for the database's writer lock %s: %w", w.path, ctx.Err())
		case <-t.C:
		}
	}
	return func() {
		_ = syscall.Flock(fd, syscall.LOCK_UN)
		<-w.sem
	}, nil
}

// Close closes the lock's file; the lock must not be held.
func (w *Writer) Close() error {
	if w.f == nil {
		return nil
	}
	err := w.f.Close()
	w.f = nil
	return err
}
