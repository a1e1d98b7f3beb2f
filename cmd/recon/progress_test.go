package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/kwikpaisa/recon/internal/pipeline"
)

// TestProgressOnTerminal runs the real binary with its stderr on a
// pseudo-terminal, as a person at a shell sees it: each source gets a bar
// naming the file, with bytes read of its size, the rate and (once done)
// 100%; then the load, match and export stages, each labelled while it
// runs (the load is never shown as match).
func TestProgressOnTerminal(t *testing.T) {
	t.Parallel()
	day := plainDay(t, fixtureDate, 3000, 300)
	tmp := t.TempDir()
	cmd := exec.Command(reconBin(t), dayRun(day, tmp)[:len(dayRun(day, tmp))-2]...) // without --log-format json
	cmd.Env = childEnv("KWIKPAISA_WEBHOOK_SECRET=" + fixtureSecret)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	term, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer term.Close()
	if err := pty.Setsize(term, &pty.Winsize{Rows: 40, Cols: 160}); err != nil {
		t.Fatal(err)
	}
	cmd.Stderr, cmd.Stdin = tty, tty
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close() // the child holds its own copy; EOF comes when it exits
	var screen bytes.Buffer
	if _, err := io.Copy(&screen, term); err != nil && !errors.Is(err, syscall.EIO) {
		t.Fatalf("read the terminal: %v", err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("run on a terminal: %v\n%s", err, screen.String())
	}
	out := screen.String()
	var wantInOrder []string
	for _, f := range []string{"orders.csv", "payouts.csv", "gateway.jsonl", "webhooks.jsonl"} {
		wantInOrder = append(wantInOrder, "reconciling "+fixtureDate+": ingest "+f)
	}
	wantInOrder = append(wantInOrder, "reconciling "+fixtureDate+": load", "reconciling "+fixtureDate+": match", "reconciling "+fixtureDate+": export")
	at := 0
	for _, w := range wantInOrder {
		i := strings.Index(out[at:], w)
		if i < 0 {
			t.Fatalf("the terminal does not show %q after what came before; it shows:\n%s", w, out)
		}
		at += i
	}
	// A source's finished bar: the file, its rows, 100%, bytes of the
	// size and the rate.
	done := regexp.MustCompile(`ingest orders\.csv, 3,000 rows 100% \|█+\| \(\d+(\.\d+)?( ?[kM]?B)?/\d+(\.\d+)? ?[kM]?B, \d+(\.\d+)? ?[kM]?B/s\)`)
	if !done.MatchString(out) {
		t.Errorf("no finished bar for orders.csv with its size and rate (%s) in:\n%s", done, out)
	}
	if !strings.Contains(stdout.String(), "Reports: ") {
		t.Errorf("stdout: %q", stdout.String())
	}
}

// TestStageLinesOffTerminal runs the real binary with its stderr a pipe,
// as cron does: no bar and no control characters, and one log line as
// each stage begins, the load's before the match's.
func TestStageLinesOffTerminal(t *testing.T) {
	t.Parallel()
	day := plainDay(t, fixtureDate, 300, 30)
	tmp := t.TempDir()
	p := runProc(t, childEnv("KWIKPAISA_WEBHOOK_SECRET="+fixtureSecret), "", dayRun(day, tmp)...)
	if p.code != 0 {
		t.Fatalf("exit %d\n%s", p.code, p.stderr)
	}
	if strings.ContainsAny(p.stderr, "\r\x1b") {
		t.Errorf("stderr off a terminal holds control characters:\n%q", p.stderr)
	}
	var begun []string
	for _, l := range strings.Split(strings.TrimSpace(p.stderr), "\n") {
		var rec struct{ Msg, Stage string }
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("a log line off a terminal is not JSON: %q", l)
		}
		switch rec.Msg {
		case "loading the day", "matching", "writing reports", "pulling gateway statuses":
			begun = append(begun, rec.Stage)
		}
	}
	if got, want := strings.Join(begun, " "), "load match export"; got != want {
		t.Errorf("stages begun, as logged: %q, want %q", got, want)
	}
}

// TestDevNullIsNoTerminal: stderr sent to /dev/null, a character device,
// is not a terminal, so it gets JSON lines and no bars.
func TestDevNullIsNoTerminal(t *testing.T) {
	f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	if isTerminal(f) {
		t.Errorf("isTerminal(%s) = true, want false", os.DevNull)
	}
}

// TestProgressOfAFileReadBeside: a file read while another was shown gets
// one line, done, with its rows and time and the file it was read beside,
// and no bar (whose rate would be its size over no time).
func TestProgressOfAFileReadBeside(t *testing.T) {
	var buf bytes.Buffer
	d := &display{w: &buf, what: "reconciling " + fixtureDate}
	rows := new(atomic.Int64)
	rows.Store(3000)
	d.begin(pipeline.Stage{Name: "ingest", File: "/in/orders.csv", Size: 1 << 20, Rows: rows,
		Took: 1500 * time.Millisecond, Beside: "/in/gateway.jsonl"})
	d.begin(pipeline.Stage{Name: "load"})
	want := "reconciling " + fixtureDate + ": ingest orders.csv, 3,000 rows, read in 1.5 s beside gateway.jsonl\n"
	if got := buf.String(); !strings.HasPrefix(got, want) || strings.Contains(got, "B/s") {
		t.Errorf("the terminal shows:\n%q\nwant it to begin %q, with no rate", got, want)
	}
}

// TestProgressOfADayInParts: the load and the match of a day matched in
// parts say which part they are of.
func TestProgressOfADayInParts(t *testing.T) {
	var buf bytes.Buffer
	d := &display{w: &buf, what: "reconciling " + fixtureDate}
	d.begin(pipeline.Stage{Name: "load", Part: "pay-ins, part 1 of 2"})
	d.begin(pipeline.Stage{Name: "match", Part: "pay-ins, part 1 of 2"})
	d.begin(pipeline.Stage{Name: "export"})
	d.finish()
	for _, want := range []string{"reconciling " + fixtureDate + ": load (pay-ins, part 1 of 2)",
		"reconciling " + fixtureDate + ": match (pay-ins, part 1 of 2)"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("the terminal does not show %q; it shows:\n%s", want, buf.String())
		}
	}
}
