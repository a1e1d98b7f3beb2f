package runlock

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMain lets the test binary act as a second process holding a lock.
func TestMain(m *testing.M) {
	if spec := os.Getenv("RUNLOCK_HOLD"); spec != "" {
		db, date, _ := strings.Cut(spec, "|")
		l, err := TryAcquire(db, date, fmt.Sprintf("pid %d (helper)", os.Getpid()))
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Println("held")
		_, _ = io.Copy(io.Discard, os.Stdin) // hold until the parent closes stdin
		_ = l.Release()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestSameDateRefusedOtherDateProceeds(t *testing.T) {
	db := filepath.Join(t.TempDir(), "recon.db")
	a, err := TryAcquire(db, "2026-11-24", "pid 1 run A")
	if err != nil {
		t.Fatalf("first lock: %v", err)
	}
	_, err = TryAcquire(db, "2026-11-24", "pid 2 run B")
	var held *HeldError
	if !errors.As(err, &held) || !errors.Is(err, ErrLocked) {
		t.Fatalf("second lock of the same date: err=%v, want a HeldError", err)
	}
	if got, want := held.Holder, "pid 1 run A"; got != want {
		t.Errorf("Holder=%q, want %q", got, want)
	}
	other, err := TryAcquire(db, "2026-11-25", "pid 3 run C")
	if err != nil {
		t.Fatalf("lock of another date: %v, want it to proceed", err)
	}
	if err := other.Release(); err != nil {
		t.Fatal(err)
	}
	if err := a.Release(); err != nil {
		t.Fatal(err)
	}
	b, err := TryAcquire(db, "2026-11-24", "pid 2 run B")
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	b.Release()
}

// TestWaitAcrossProcesses holds the lock in a second process: a try is
// refused naming the holder, a wait gets the lock once the holder exits.
func TestWaitAcrossProcesses(t *testing.T) {
	db := filepath.Join(t.TempDir(), "recon.db")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "RUNLOCK_HOLD="+db+"|2026-11-24")
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
	defer cmd.Wait()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "held" {
		stdin.Close()
		t.Fatalf("helper said %q, %v; want held", line, err)
	}

	_, err = TryAcquire(db, "2026-11-24", "me")
	var held *HeldError
	if !errors.As(err, &held) || !strings.Contains(held.Error(), fmt.Sprintf("pid %d (helper)", cmd.Process.Pid)) {
		stdin.Close()
		t.Fatalf("try while another process holds the date: %v, want it refused naming pid %d", err, cmd.Process.Pid)
	}

	waited := make(chan *HeldError, 1)
	got := make(chan error, 1)
	go func() {
		l, err := Acquire(context.Background(), db, "2026-11-24", "me", time.Millisecond, func(h *HeldError) { waited <- h })
		if err == nil {
			err = l.Release()
		}
		got <- err
	}()
	<-waited // it is waiting: let the holder go
	stdin.Close()
	if err := <-got; err != nil {
		t.Fatalf("Acquire after the holder exited: %v", err)
	}
}

func TestAcquireCancelled(t *testing.T) {
	db := filepath.Join(t.TempDir(), "recon.db")
	a, err := TryAcquire(db, "2026-11-24", "A")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Release()
	ctx, cancel := context.WithCancel(context.Background())
	_, err = Acquire(ctx, db, "2026-11-24", "B", time.Millisecond, func(*HeldError) { cancel() })
	if !errors.Is(err, context.Canceled) || !errors.Is(err, ErrLocked) {
		t.Fatalf("err=%v, want cancelled while locked", err)
	}
}
