package runlock

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// holdIn starts a second process that holds the date's lock of db (as
// spelled) until the returned func is called.
func holdIn(t *testing.T, db, date string) (release func()) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "RUNLOCK_HOLD="+db+"|"+date)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	release = func() { stdin.Close(); cmd.Wait() }
	if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || strings.TrimSpace(line) != "held" {
		release()
		t.Fatalf("helper said %q, %v; want held", line, err)
	}
	return release
}

// TestSymlinkedDatabaseOneLock spells one database four ways (its path, a
// symlink to it, a symlink to its folder, a relative path through the
// link), and a symlink to a database not created yet: a second process
// holding the date under one spelling makes a try under every other
// refused, where the lock was keyed by the path as spelled and two runs
// of one date ran at once.
func TestSymlinkedDatabaseOneLock(t *testing.T) {
	tmp := t.TempDir()
	data := filepath.Join(tmp, "data")
	if err := os.Mkdir(data, 0o700); err != nil {
		t.Fatal(err)
	}
	real := filepath.Join(data, "recon.db")
	if err := os.WriteFile(real, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(tmp, "recon.db")
	if err := os.Symlink("data/recon.db", link); err != nil {
		t.Fatal(err)
	}
	dirLink := filepath.Join(tmp, "current")
	if err := os.Symlink(data, dirLink); err != nil {
		t.Fatal(err)
	}
	future := filepath.Join(data, "new.db") // not created yet
	futureLink := filepath.Join(tmp, "new.db")
	if err := os.Symlink(future, futureLink); err != nil {
		t.Fatal(err)
	}
	t.Chdir(tmp)

	tests := []struct {
		name       string
		hold, try  string
		sameAsHeld bool
	}{
		{"held by the link, tried by the file", link, real, true},
		{"held by the file, tried by the link", real, link, true},
		{"held through a linked folder", filepath.Join(dirLink, "recon.db"), real, true},
		{"tried by a relative path", real, "recon.db", true},
		{"a link to a database not yet created", futureLink, future, true},
		{"another database in the folder", real, future, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			release := holdIn(t, tt.hold, "2026-11-24")
			defer release()
			l, err := TryAcquire(tt.try, "2026-11-24", "me")
			var held *HeldError
			switch {
			case tt.sameAsHeld && !errors.As(err, &held):
				l.Release()
				t.Errorf("held as %s, tried as %s: err=%v, want it refused (one database)", tt.hold, tt.try, err)
			case !tt.sameAsHeld && err != nil:
				t.Errorf("held as %s, tried as %s: err=%v, want the lock (another database)", tt.hold, tt.try, err)
			case l != nil:
				l.Release()
			}
		})
	}
}

// TestWriterExclusive takes the writer lock of one database through two
// spellings: the second waits until the first is given up, and a wait
// ends with its context.
func TestWriterExclusive(t *testing.T) {
	tmp := t.TempDir()
	real := filepath.Join(tmp, "recon.db")
	link := filepath.Join(tmp, "link.db")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	a, b := NewWriter(real), NewWriter(link)
	defer a.Close()
	defer b.Close()
	if a.Path() != b.Path() {
		t.Fatalf("writer locks %s and %s, want one", a.Path(), b.Path())
	}
	unlockA, err := a.Lock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := b.Lock(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second writer while the first holds it: err=%v, want it to wait until its context ends", err)
	}
	got := make(chan error, 1)
	go func() {
		unlock, err := b.Lock(context.Background())
		if err == nil {
			unlock()
		}
		got <- err
	}()
	unlockA()
	if err := <-got; err != nil {
		t.Fatalf("second writer after the first gave it up: %v", err)
	}
}
