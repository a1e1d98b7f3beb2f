package main

// Helpers of the tests that run recon as a separate process: the binary is
// built once per test binary (reconBin), and a run can be started under
// limits (a file-size limit, no permission override) through the test
// binary itself acting as a tiny exec wrapper.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kwikpaisa/recon/internal/ledger/sqlite"
	"github.com/kwikpaisa/recon/internal/synth"
)

// limitsEnv, when set, makes the test binary apply limits to itself and
// exec the command in its arguments (see execLimited).
const limitsEnv = "RECON_TEST_EXEC_LIMITS"

// checkDirEnv, when set, makes the test binary look for half-written
// reports in the folder it names, print each as "half-written: …" on
// stdout, then "checked N reports", and exit (see runInTmpfs).
const checkDirEnv = "RECON_TEST_CHECK_DIR"

func TestMain(m *testing.M) {
	if spec := os.Getenv(limitsEnv); spec != "" {
		execLimited(spec, os.Args[1:])
	}
	if dir := os.Getenv(checkDirEnv); dir != "" {
		// The date's folder, and the run folders beside it: a run that
		// failed part way leaves its files there, never in the date's.
		folders := []string{dir}
		runs, _ := os.ReadDir(dir + ".runs")
		for _, r := range runs {
			folders = append(folders, filepath.Join(dir+".runs", r.Name()))
		}
		n := 0
		for _, folder := range folders {
			entries, _ := os.ReadDir(folder)
			for _, e := range entries {
				if b, err := os.ReadFile(filepath.Join(folder, e.Name())); err == nil && !strings.HasPrefix(e.Name(), ".") {
					n++
					if problem := halfWritten(e.Name(), b); problem != "" {
						fmt.Printf("half-written: %s: %s\n", e.Name(), problem)
					}
				}
			}
		}
		fmt.Printf("checked %d reports\n", n)
		os.Exit(0)
	}
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// execLimited applies spec ("fsize=N", "nodac", comma-separated) and execs
// args. fsize sets RLIMIT_FSIZE (a disk that fills at N bytes a file) with
// SIGXFSZ ignored, so a write past it fails with EFBIG instead of killing
// the process; nodac drops CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from the
// bounding set, so that even root obeys a folder's mode (CI runs as root).
func execLimited(spec string, args []string) {
	runtime.LockOSThread() // capabilities are per thread: drop and exec on one
	for _, s := range strings.Split(spec, ",") {
		switch {
		case strings.HasPrefix(s, "fsize="):
			n, err := strconv.ParseUint(strings.TrimPrefix(s, "fsize="), 10, 64)
			if err != nil {
				fmt.Fprintln(os.Stderr, "exec wrapper:", err)
				os.Exit(125)
			}
			signal.Ignore(syscall.SIGXFSZ)
			if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: n, Max: n}); err != nil {
				fmt.Fprintln(os.Stderr, "exec wrapper:", err)
				os.Exit(125)
			}
		case s == "nodac":
			const prCapBSetDrop, capDacOverride, capDacReadSearch = 24, 1, 2
			for _, c := range []uintptr{capDacOverride, capDacReadSearch} {
				// Fails with EPERM when not root: nothing to drop then.
				_, _, _ = syscall.RawSyscall(syscall.SYS_PRCTL, prCapBSetDrop, c, 0)
			}
		}
	}
	env := make([]string, 0, len(os.Environ()))
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, limitsEnv+"=") {
			env = append(env, kv)
		}
	}
	err := syscall.Exec(args[0], args, env)
	fmt.Fprintln(os.Stderr, "exec wrapper:", err)
	os.Exit(125)
}

var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

// reconBin builds recon once for the whole test binary and returns its
// path. It is built as the tests are (with -race under make test): its
// packages then come from the build cache the test build filled, where a
// build without -race would compile SQLite's C once more (two minutes on
// a cold 2-core CI machine, against the race detector's few seconds).
//
// RECON_TEST_BIN names another binary to run instead (one built from main,
// to see a subprocess test fail before a fix).
func reconBin(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("RECON_TEST_BIN"); bin != "" {
		return bin
	}
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "recon-test-bin-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "recon")
		args := []string{"build", "-o", binPath}
		if raceBuild {
			args = append(args, "-race")
		}
		out, err := exec.Command("go", append(args, "github.com/kwikpaisa/recon/cmd/recon")...).CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// childEnv is the test's environment without any KwikPaisa secret, plus
// extra (NAME=value).
func childEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "KWIKPAISA_") && !strings.HasPrefix(kv, limitsEnv+"=") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// procResult is how a recon process ended.
type procResult struct {
	code           int
	stdout, stderr string
}

// runProc runs the recon binary to its end. limits, when not empty, is a
// spec for execLimited. It is safe to call from a goroutine once
// reconBin has been called on the test's own.
func runProc(t *testing.T, env []string, limits string, args ...string) procResult {
	t.Helper()
	cmd := reconCmd(t, env, limits, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		// Errorf, not Fatalf: runProc may run on a goroutine of its own.
		t.Errorf("recon %s: %v", strings.Join(args, " "), err)
		return procResult{code: -1}
	}
	return procResult{code: cmd.ProcessState.ExitCode(), stdout: stdout.String(), stderr: stderr.String()}
}

// runInTmpfs runs recon with a tmpfs of size bytes mounted on out (in a
// user and mount namespace of its own, so it needs no privilege), then,
// inside that namespace, lists on stdout any half-written report it left
// in out/date.
func runInTmpfs(t *testing.T, env []string, out string, size int, date string, args ...string) procResult {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	script := `mount -t tmpfs -o size=$1 tmpfs "$2" || exit 125
out=$2 date=$3 self=$4; shift 4
"$@"; rc=$?
` + checkDirEnv + `="$out/$date" "$self"
exit $rc`
	cmd := exec.Command("unshare", append([]string{"--user", "--map-root-user", "--mount", "sh", "-c", script, "sh",
		strconv.Itoa(size), out, date, self, reconBin(t)}, args...)...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("unshare: %v", err)
	}
	return procResult{code: cmd.ProcessState.ExitCode(), stdout: stdout.String(), stderr: stderr.String()}
}

// reconCmd is the command that runs recon with args, through the limits
// wrapper when limits is given.
func reconCmd(t *testing.T, env []string, limits string, args ...string) *exec.Cmd {
	t.Helper()
	bin := reconBin(t)
	if limits == "" {
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		return cmd
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, append([]string{bin}, args...)...)
	cmd.Env = append(append([]string(nil), env...), limitsEnv+"="+limits)
	return cmd
}

// startLogged starts recon in the background and returns it with a
// scanner of its stderr (the log lines), read as it runs.
func startLogged(t *testing.T, env []string, args ...string) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	cmd := reconCmd(t, env, "", args...)
	cmd.Stdout = io.Discard
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stderr)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	return cmd, sc
}

// synthDay writes a generated fixture date (signed with fixtureSecret) into
// a new temporary folder and returns the folder.
func synthDay(t *testing.T, orders, payouts int) string {
	t.Helper()
	return synthDayOn(t, fixtureDate, orders, payouts)
}

// synthDayOn is synthDay for another date.
func synthDayOn(t *testing.T, date string, orders, payouts int) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := synth.Write(dir, synth.Params{Date: date, Orders: orders, Payouts: payouts, Seed: 9,
		WebhookSecret: fixtureSecret, Plant: true}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// dayRun returns the arguments of an offline run of the generated day in
// day, with its database and reports under tmp.
func dayRun(day, tmp string, extra ...string) []string {
	return dayRunOn(fixtureDate, day, tmp, extra...)
}

// dayRunOn is dayRun for another date.
func dayRunOn(date, day, tmp string, extra ...string) []string {
	return append([]string{"run", "--date", date, "--offline",
		"--orders", filepath.Join(day, "orders.csv"), "--payouts", filepath.Join(day, "payouts.csv"),
		"--gateway", filepath.Join(day, "gateway.jsonl"), "--webhooks", filepath.Join(day, "webhooks.jsonl"),
		"--db", filepath.Join(tmp, "recon.db"), "--out", filepath.Join(tmp, "out"), "--log-format", "json"}, extra...)
}

// reportSet reads the reports of a folder as comparable text: each CSV as
// its bytes, the workbook as its cell grid with the run id masked, and the
// manifest without its run id and times. pulled.jsonl, a pull's raw
// answers, is not a report.
func reportSet(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range entries {
		name, path := e.Name(), filepath.Join(dir, e.Name())
		switch {
		case name == "pulled.jsonl" || strings.HasPrefix(name, "."):
			continue
		case strings.HasSuffix(name, ".xlsx"):
			got[name] = maskRunID(string(dumpWorkbook(t, path)))
		case name == "manifest.json":
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]any
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			delete(m, "run_id")
			delete(m, "started")
			delete(m, "finished")
			b, _ = json.Marshal(m)
			got[name] = string(b)
		default:
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			got[name] = string(b)
		}
	}
	return got
}

// maskRunID blanks the Summary sheet's "Run id" value, the one cell that
// differs between two runs of the same inputs.
func maskRunID(grid string) string {
	lines := strings.Split(grid, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "Run id\t") {
			lines[i] = "Run id\t<masked>"
		}
	}
	return strings.Join(lines, "\n")
}

// compareReports fails the test for every report of got that differs from
// want, and for a report missing from either.
func compareReports(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	var names []string
	for n := range want {
		names = append(names, n)
	}
	for n := range got {
		if _, ok := want[n]; !ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		g, gok := got[n]
		w, wok := want[n]
		switch {
		case !gok:
			t.Errorf("%s: %s missing", what, n)
		case !wok:
			t.Errorf("%s: %s written, the uninterrupted run has none", what, n)
		case g != w:
			t.Errorf("%s: %s differs from the uninterrupted run's:\n%s", what, n, diffLines(w, g))
		}
	}
}

// integrityOK fails the test unless PRAGMA integrity_check says ok.
func integrityOK(t *testing.T, db string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatalf("open %s: %v", db, err)
	}
	defer d.Close()
	v, err := d.IntegrityCheck(ctx)
	if err != nil || v != "ok" {
		t.Errorf("integrity_check of %s = %q, %v; want ok", db, v, err)
	}
}

// errorLines returns recon's own messages on stderr (lines "recon: …"),
// leaving out the log lines.
func errorLines(stderr string) []string {
	var out []string
	for _, l := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(l, "recon: ") {
			out = append(out, l)
		}
	}
	return out
}

// pause stops a started recon (SIGSTOP) where it stands, so that a lock it
// holds stays held however fast it would have ended, and returns the
// function that lets it go on (once; the test's end calls it too).
func pause(t *testing.T, cmd *exec.Cmd) (resume func()) {
	t.Helper()
	if err := cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	resume = func() {
		once.Do(func() {
			if err := cmd.Process.Signal(syscall.SIGCONT); err != nil && !errors.Is(err, os.ErrProcessDone) {
				t.Error(err)
			}
		})
	}
	t.Cleanup(resume)
	return resume
}

// lineWatch reads the stderr lines of a started recon on a goroutine of
// its own, so that a test can wait for one line while the run goes on.
type lineWatch struct {
	cmd   *exec.Cmd
	lines chan string
	seen  []string
}

func watchLines(cmd *exec.Cmd, sc *bufio.Scanner) *lineWatch {
	w := &lineWatch{cmd: cmd, lines: make(chan string)}
	go func() {
		defer close(w.lines)
		for sc.Scan() {
			w.lines <- sc.Text()
		}
	}()
	return w
}

// until reads lines until one contains s, and says whether one did before
// the run ended. The two minutes are not a measure of speed: they only end
// a test whose run waits without a word.
func (w *lineWatch) until(t *testing.T, s string) bool {
	t.Helper()
	deadline := time.After(2 * time.Minute)
	for {
		select {
		case l, ok := <-w.lines:
			if !ok {
				return false
			}
			w.seen = append(w.seen, l)
			if strings.Contains(l, s) {
				return true
			}
		case <-deadline:
			t.Errorf("no line %q in two minutes", s)
			return false
		}
	}
}

// end reads the rest of the lines and waits for the run to end.
func (w *lineWatch) end() procResult {
	for l := range w.lines {
		w.seen = append(w.seen, l)
	}
	_ = w.cmd.Wait()
	return procResult{code: w.cmd.ProcessState.ExitCode(), stderr: strings.Join(w.seen, "\n") + "\n"}
}
