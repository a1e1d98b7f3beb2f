// Package runlock keeps two runs of one business date from interleaving,
// across processes: a run holds an exclusive flock(2) on a lock file next
// to the database, one file per date. A run of another date takes another
// file and proceeds. The kernel drops the lock when its holder exits, even
// on a crash, so a lock is never left stale.
package runlock

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// ErrLocked is returned by TryAcquire when another run holds the date.
var ErrLocked = errors.New("locked")

// HeldError says which run holds a date's lock.
type HeldError struct {
	Date   string
	Path   string
	Holder string // what the holder wrote: pid, run and start time
}

func (e *HeldError) Error() string {
	h := e.Holder
	if h == "" {
		h = "another process"
	}
	return fmt.Sprintf("date %s is being reconciled by %s (lock %s)", e.Date, h, e.Path)
}

func (e *HeldError) Unwrap() error { return ErrLocked }

// Lock is a held date lock.
type Lock struct {
	f    *os.File
	path string
}

// Path returns the lock file for a date of the database at db:
// "<db>.<date>.lock", next to the database file itself: db is resolved
// (Resolve), so that two spellings of one database, a symlink among them,
// take one lock.
func Path(db, date string) string {
	db = Resolve(db)
	return filepath.Join(filepath.Dir(db), filepath.Base(db)+"."+date+".lock")
}

// Resolve returns the absolute path of the file db names once every
// symlink on the way is followed, also when the file does not exist yet
// (a symlink may point at the database a first run will create). A path
// it cannot resolve is returned absolute as it is.
func Resolve(db string) string {
	p, err := filepath.Abs(db)
	if err != nil {
		return db
	}
	for range 40 { // as the kernel's limit on symlinks in a path
		dir, err := filepath.EvalSymlinks(filepath.Dir(p))
		if err != nil {
			return p // the folder does not exist yet: nothing to follow
		}
		p = filepath.Join(dir, filepath.Base(p))
		target, err := os.Readlink(p)
		if err != nil {
			return p // not a symlink, or nothing there yet
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(dir, target)
		}
		p = filepath.Clean(target)
	}
	return p
}

// TryAcquire takes the date's lock or fails at once with a *HeldError.
// holder is written into the lock file for the next run's message.
func TryAcquire(db, date, holder string) (*Lock, error) {
	path := Path(db, date)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		b, _ := os.ReadFile(path)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, &HeldError{Date: date, Path: path, Holder: strings.TrimSpace(string(b))}
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(holder+"\n"), 0)
	}
	return &Lock{f: f, path: path}, nil
}

// Acquire takes the date's lock, waiting for the run that holds it until
// ctx ends. onWait is called once, with the holder, when it has to wait.
// It polls every interval (a blocking flock cannot be cancelled).
func Acquire(ctx context.Context, db, date, holder string, interval time.Duration, onWait func(*HeldError)) (*Lock, error) {
	if interval <= 0 {
		interval = 200 * time.Millisecond
	}
	told := false
	for {
		l, err := TryAcquire(db, date, holder)
		var held *HeldError
		if !errors.As(err, &held) {
			return l, err
		}
		if !told && onWait != nil {
			onWait(held)
			told = true
		}
		t := time.NewTimer(interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("wait for %w: %w", held, ctx.Err())
		case <-t.C:
		}
	}
}

// Release gives the lock up. The file stays: removing it would let two
// runs lock two different files of the same name.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	_ = l.f.Truncate(0)
	err := l.f.Close() // closing the descriptor drops the flock
	l.f = nil
	return err
}
