package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/kwikpaisa/recon/internal/export"
)

// killPoint is when a crash test kills recon: at the nth log line that
// contains line (after a delay, when one is given), or a fixed delay after
// the start.
type killPoint struct {
	name  string
	line  string
	nth   int
	after time.Duration
	// mayFinish: the stage is short enough (the export: tens of
	// milliseconds) that on a loaded machine the run may end before the
	// kill lands; the re-run is checked all the same.
	mayFinish bool
}

// TestCrashAndRerun kills `recon run` with SIGKILL at each stage (while
// each source is ingested, matching, exporting) and at fixed delays, then
// runs it again to completion: the reports equal those of an uninterrupted
// run, the database passes integrity_check, and a reader polling the
// report folder throughout never sees a half-written report.
func TestCrashAndRerun(t *testing.T) {
	t.Parallel()
	// Large enough that a run lasts well past the fixed kill points: a day
	// of 1,000 orders once ended within 100 ms beside the other packages.
	day := synthDay(t, 4000, 800)
	env := childEnv("KWIKPAISA_WEBHOOK_SECRET=" + fixtureSecret)

	ref := t.TempDir()
	if p := runProc(t, env, "", dayRun(day, ref)...); p.code != 0 {
		t.Fatalf("uninterrupted run: exit %d\n%s", p.code, p.stderr)
	}
	want := reportSet(t, filepath.Join(ref, "out", fixtureDate))

	// The log says when each source has been loaded (so the next one is
	// being read), and when matching and the export start.
	points := []killPoint{
		{name: "20 ms after the start", after: 20 * time.Millisecond},
		{name: "100 ms after the start", after: 100 * time.Millisecond},
		{name: "while reading payouts", line: `"stage":"ingest"`, nth: 1},
		{name: "while reading the gateway dump", line: `"stage":"ingest"`, nth: 2},
		{name: "while reading the webhook log", line: `"stage":"ingest"`, nth: 3},
		{name: "after the last source", line: `"stage":"ingest"`, nth: 4},
		{name: "matching", line: `"stage":"match"`, nth: 1},
		{name: "exporting", line: `"stage":"export"`, nth: 1, mayFinish: true},
	}
	for _, kp := range points {
		t.Run(kp.name, func(t *testing.T) {
			t.Parallel()
			tmp := t.TempDir()
			dir := filepath.Join(tmp, "out", fixtureDate)
			stop := pollReports(t, dir)
			killed := killRun(t, env, dayRun(day, tmp), kp)
			wholeSetOrNone(t, dir)
			p := runProc(t, env, "", dayRun(day, tmp)...)
			stop()
			switch {
			case !killed && kp.mayFinish:
				t.Logf("the run ended before the kill %s", kp.name)
			case !killed:
				t.Errorf("the run ended before the kill %s", kp.name)
			}
			if p.code != 0 {
				t.Fatalf("re-run after the kill: exit %d\n%s", p.code, p.stderr)
			}
			compareReports(t, "re-run after a kill "+kp.name, reportSet(t, dir), want)
			noLeftovers(t, dir)
			integrityOK(t, filepath.Join(tmp, "recon.db"))
		})
	}
}

// TestCrashDuringPull kills `recon run` while it pulls statuses from the
// sandbox (as the pull starts, and a little and a while into it), then
// runs it again: the reports equal an uninterrupted pull's (the pull
// figures aside: a resumed pull asks only for what it lacks), the database
// passes integrity_check, and every line of pulled.jsonl is whole.
func TestCrashDuringPull(t *testing.T) {
	t.Parallel()
	day := synthDay(t, 1000, 300)
	url := startSecSandbox(t, day)
	env := childEnv("KWIKPAISA_WEBHOOK_SECRET="+fixtureSecret, "KWIKPAISA_API_KEY="+secAPIKey, "KWIKPAISA_SECRET_KEY="+secSecretKey)
	args := func(tmp string) []string {
		return []string{"run", "--date", fixtureDate,
			"--orders", filepath.Join(day, "orders.csv"), "--payouts", filepath.Join(day, "payouts.csv"),
			"--webhooks", filepath.Join(day, "webhooks.jsonl"), "--api-url", url, "--wallet-id", secWallet,
			// 1,300 keys at 1,000 req/s: the pull lasts over 1.3 s, so every
			// kill point below lands inside it, however fast the machine.
			"--api-rate", "1000", "--api-concurrency", "8",
			"--db", filepath.Join(tmp, "recon.db"), "--out", filepath.Join(tmp, "out"), "--log-format", "json"}
	}
	ref := t.TempDir()
	if p := runProc(t, env, "", args(ref)...); p.code != 0 {
		t.Fatalf("uninterrupted run: exit %d\n%s", p.code, p.stderr)
	}
	want := withoutPullFigures(reportSet(t, filepath.Join(ref, "out", fixtureDate)))
	for _, kp := range []killPoint{
		{name: "as the pull starts", line: `"stage":"pull"`, nth: 1},
		{name: "early in the pull", line: `"stage":"pull"`, nth: 1, after: 150 * time.Millisecond},
		{name: "late in the pull", line: `"stage":"pull"`, nth: 1, after: 500 * time.Millisecond},
	} {
		t.Run(kp.name, func(t *testing.T) {
			t.Parallel()
			tmp := t.TempDir()
			dir := filepath.Join(tmp, "out", fixtureDate)
			stop := pollReports(t, dir)
			killed := killRun(t, env, args(tmp), kp)
			p := runProc(t, env, "", args(tmp)...)
			stop()
			if !killed {
				t.Errorf("the run ended before the kill %s", kp.name)
			}
			if p.code != 0 {
				t.Fatalf("re-run after the kill: exit %d\n%s", p.code, p.stderr)
			}
			compareReports(t, "re-run after a kill "+kp.name, withoutPullFigures(reportSet(t, dir)), want)
			noLeftovers(t, dir)
			integrityOK(t, filepath.Join(tmp, "recon.db"))
			b, err := os.ReadFile(filepath.Join(dir, "pulled.jsonl"))
			if err != nil {
				t.Fatal(err)
			}
			for i, l := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
				if !json.Valid([]byte(l)) {
					t.Errorf("pulled.jsonl line %d is not whole: %q", i+1, l)
				}
			}
		})
	}
}

// noLeftovers fails the test if dir holds a temporary file (a killed run's
// half-written report) after a completed run.
func noLeftovers(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("%s left in %s after the re-run", e.Name(), dir)
		}
	}
}

// wholeSetOrNone fails the test unless the report folder a killed run
// left holds no reports or every one of them: a run's files are switched in
// as a set, never some of them.
func wholeSetOrNone(t *testing.T, dir string) {
	t.Helper()
	var have, missing []string
	for _, name := range export.Files(fixtureDate) {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			have = append(have, name)
		} else {
			missing = append(missing, name)
		}
	}
	if len(have) > 0 && len(missing) > 0 {
		t.Errorf("after the kill %s holds %q but not %q: part of a set", dir, have, missing)
	}
}

// withoutPullFigures drops the pull's figures (keys, requests, retries…)
// from summary.csv and from the workbook's Summary sheet.
func withoutPullFigures(reports map[string]string) map[string]string {
	out := map[string]string{}
	for name, text := range reports {
		var keep []string
		inPulls := false
		for _, l := range strings.Split(text, "\n") {
			switch {
			case strings.HasPrefix(l, "pulls,"):
				continue
			case l == "Gateway status pulls":
				inPulls = true
			case l == "":
				inPulls = false
			}
			if !inPulls {
				keep = append(keep, l)
			}
		}
		out[name] = strings.Join(keep, "\n")
	}
	return out
}

// killRun starts recon and kills it with SIGKILL at kp. It says whether
// the kill ended the run.
func killRun(t *testing.T, env, args []string, kp killPoint) bool {
	t.Helper()
	cmd, sc := startLogged(t, env, args...)
	kill := func() { _ = cmd.Process.Signal(syscall.SIGKILL) }
	if kp.line == "" {
		timer := time.AfterFunc(kp.after, kill)
		defer timer.Stop()
	}
	seen := 0
	for sc.Scan() {
		if kp.line == "" || !strings.Contains(sc.Text(), kp.line) {
			continue
		}
		if seen++; seen != kp.nth {
			continue
		}
		if kp.after == 0 {
			kill()
			continue
		}
		timer := time.AfterFunc(kp.after, kill)
		defer timer.Stop()
	}
	_ = cmd.Wait()
	ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
}

// pollReports reads every report in dir over and over until stop is
// called, and fails the test if it ever finds one half written: a CSV
// that does not end in a newline or does not parse, a workbook that does
// not open, a manifest that is not JSON. Temporary files (".name.tmp-…")
// and pulled.jsonl (appended as answers arrive) are not reports.
func pollReports(t *testing.T, dir string) (stop func()) {
	t.Helper()
	done := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	var bad []string
	reads := 0
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			final := false
			select {
			case <-done:
				final = true // one last look at what the runs left
			default:
			}
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				name := e.Name()
				if strings.HasPrefix(name, ".") || name == "pulled.jsonl" {
					continue
				}
				b, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil {
					continue // renamed over between the listing and the read
				}
				reads++
				if problem := halfWritten(name, b); problem != "" {
					mu.Lock()
					bad = append(bad, name+": "+problem)
					mu.Unlock()
				}
			}
			if final {
				return
			}
			select {
			case <-done:
			case <-tick.C:
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
		for _, b := range bad {
			t.Errorf("a reader saw a half-written report: %s", b)
		}
		if reads == 0 {
			t.Errorf("the poller never read a report in %s", dir)
		}
	}
}

// halfWritten says what is wrong with a report's bytes, or "".
func halfWritten(name string, b []byte) string {
	switch {
	case strings.HasSuffix(name, ".csv"):
		if len(b) == 0 || b[len(b)-1] != '\n' {
			return fmt.Sprintf("%d bytes, not ending in a newline", len(b))
		}
		rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil || len(rows) == 0 {
			return fmt.Sprintf("does not parse: %v", err)
		}
	case strings.HasSuffix(name, ".xlsx"):
		f, err := excelize.OpenReader(bytes.NewReader(b))
		if err != nil {
			return fmt.Sprintf("does not open: %v", err)
		}
		defer f.Close()
		if _, err := f.GetRows("Summary"); err != nil {
			return fmt.Sprintf("Summary sheet unreadable: %v", err)
		}
	case strings.HasSuffix(name, ".json"):
		if !json.Valid(b) {
			return "not JSON"
		}
	}
	return ""
}
