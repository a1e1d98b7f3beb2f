package bench

import (
	"context"
	"fmt"
	"io"
	"os/exec"
	"syscall"
	"time"
)

// Usage is what one child process cost.
type Usage struct {
	Wall      time.Duration
	User, Sys time.Duration
	MaxRSS    int64 // bytes
}

// CPU is user plus system time.
func (u Usage) CPU() time.Duration { return u.User + u.Sys }

// Command is a child process to measure.
type Command struct {
	Path string
	Args []string
	Env  []string // the whole environment of the child
	// Stderr receives the child's standard error (nil: discarded); its
	// standard output is discarded.
	Stderr io.Writer
}

// Measure runs c and returns its wall time and rusage. A child that exits
// non-zero is an error that carries its usage too.
func Measure(ctx context.Context, c Command) (Usage, error) {
	cmd := exec.CommandContext(ctx, c.Path, c.Args...)
	cmd.Env, cmd.Stderr = c.Env, c.Stderr
	begun := time.Now()
	err := cmd.Run()
	u := Usage{Wall: time.Since(begun)}
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			u.User = time.Duration(ru.Utime.Nano())
			u.Sys = time.Duration(ru.Stime.Nano())
			u.MaxRSS = int64(ru.Maxrss) * 1024 // KiB on Linux
		}
	}
	if err != nil {
		return u, fmt.Errorf("run %s: %w", c.Path, err)
	}
	return u, nil
}
