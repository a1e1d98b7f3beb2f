package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/kwikpaisa/recon/internal/pipeline"
)

// display is a run's progress on a terminal: a bar per stage, drawn by
// progressbar (file, bytes read of its size, rate, time left for a
// source; elapsed time for the other stages). Each finished stage keeps
// its line, so the screen ends with what each took. Log lines written
// through it clear the bar first, so the two never mix.
type display struct {
	mu    sync.Mutex
	w     io.Writer
	what  string
	bar   *progressbar.ProgressBar
	stage pipeline.Stage
	fd    string // the /proc/self/fdinfo entry of the file read, once found
}

func (d *display) Write(b []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.bar != nil {
		_ = d.bar.Clear()
	}
	return d.w.Write(b)
}

// start draws the display until the returned stop is called.
func (d *display) start(ctx context.Context, what string) (stop func()) {
	d.mu.Lock()
	d.what = what
	d.mu.Unlock()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(150 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
			}
			d.mu.Lock()
			d.update()
			d.mu.Unlock()
		}
	}()
	return func() {
		close(done)
		wg.Wait()
		d.mu.Lock()
		d.finish()
		d.mu.Unlock()
	}
}

// begin is the pipeline's Progress hook: the stage in hand is done, s
// begins.
func (d *display) begin(s pipeline.Stage) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.finish()
	d.stage, d.fd = s, ""
	if s.Took > 0 {
		// Read while another file was shown: its line, without a bar
		// whose rate would be its size over no time.
		fmt.Fprintf(d.w, "%s: %s %s, %s rows, read in %.1f s beside %s\n", d.what, s.Name, filepath.Base(s.File),
			group(int(s.Rows.Load())), s.Took.Seconds(), filepath.Base(s.Beside))
		return
	}
	desc := d.what + ": " + s.Name
	if s.File != "" {
		desc += " " + filepath.Base(s.File)
	}
	if s.Part != "" {
		desc += " (" + s.Part + ")"
	}
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(d.w), progressbar.OptionSetDescription(desc), progressbar.OptionSetWidth(24),
		progressbar.OptionSetRenderBlankState(true), progressbar.OptionSetElapsedTime(true), progressbar.OptionShowElapsedTimeOnFinish(),
		// The display's own ticker redraws; the library's spinner
		// goroutine would write beside a log line.
		progressbar.OptionSetSpinnerChangeInterval(0),
	}
	if s.File != "" && s.Size > 0 {
		opts = append(opts, progressbar.OptionShowBytes(true), progressbar.OptionShowCount(), progressbar.OptionSetPredictTime(true))
		d.bar = progressbar.NewOptions64(s.Size, opts...)
		return
	}
	d.bar = progressbar.NewOptions64(-1, append(opts, progressbar.OptionSpinnerType(14))...)
}

// update moves the bar on: a source's bar to the file's read offset (its
// rows read where the offset cannot be had: an XLSX is read at random), a
// stage without a size by one spin.
func (d *display) update() {
	if d.bar == nil {
		return
	}
	s := d.stage
	if s.File == "" || s.Size <= 0 {
		_ = d.bar.Add(1)
		return
	}
	if s.Rows != nil {
		d.bar.Describe(fmt.Sprintf("%s: %s %s, %s rows", d.what, s.Name, filepath.Base(s.File), group(int(s.Rows.Load()))))
	}
	if pos, ok := d.offset(s.File); ok {
		_ = d.bar.Set64(min(pos, s.Size))
	}
}

// finish completes the bar of the stage in hand and leaves its line.
func (d *display) finish() {
	if d.bar == nil {
		return
	}
	if d.stage.Rows != nil {
		d.bar.Describe(fmt.Sprintf("%s: %s %s, %s rows", d.what, d.stage.Name, filepath.Base(d.stage.File), group(int(d.stage.Rows.Load()))))
	}
	_ = d.bar.Finish()
	fmt.Fprintln(d.w)
	d.bar = nil
}

// offset returns how far this process has read the file at path: the
// offset of its open descriptor, from /proc (Linux). ok is false where
// it cannot be had.
func (d *display) offset(path string) (pos int64, ok bool) {
	if d.fd == "" {
		abs, err := filepath.Abs(path)
		if err != nil {
			return 0, false
		}
		abs, _ = filepath.EvalSymlinks(abs)
		entries, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			return 0, false
		}
		for _, e := range entries {
			if target, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name())); err == nil && target == abs {
				d.fd = filepath.Join("/proc/self/fdinfo", e.Name())
				break
			}
		}
		if d.fd == "" {
			return 0, false
		}
	}
	f, err := os.Open(d.fd)
	if err != nil {
		d.fd = ""
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, found := strings.CutPrefix(sc.Text(), "pos:"); found {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}
