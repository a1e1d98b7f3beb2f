package main

// Tests of a night that goes wrong while nobody watches: each way must be
// loud (exit status, one line that names the cause), recorded (recon runs)
// and seen by monitoring (the metrics file).

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/kwikpaisa/recon/internal/runlock"
	"github.com/kwikpaisa/recon/internal/synth"
)

// plainDay writes a generated day with nothing planted (so no row of it
// falls on another date) and returns its folder.
func plainDay(t *testing.T, date string, orders, payouts int) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := synth.Write(dir, synth.Params{Date: date, Orders: orders, Payouts: payouts, Seed: 9, WebhookSecret: fixtureSecret}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// runsJSON lists the runs of db through the real binary's --format json.
func runsJSON(t *testing.T, db string) []runRow {
	t.Helper()
	p := runProc(t, childEnv(), "", "runs", "--db", db, "--format", "json")
	if p.code != 0 {
		t.Fatalf("recon runs --format json: exit %d\n%s", p.code, p.stderr)
	}
	var rows []runRow
	if err := json.Unmarshal([]byte(p.stdout), &rows); err != nil {
		t.Fatalf("recon runs --format json printed %q: %v", p.stdout, err)
	}
	return rows
}

// gauges reads a metrics file's unlabelled gauges.
func gauges(t *testing.T, path string) map[string]float64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("metrics file: %v", err)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("metrics file %s does not parse: %v", path, err)
	}
	out := map[string]float64{}
	for name, f := range fams {
		if ms := f.GetMetric(); len(ms) == 1 && len(ms[0].GetLabel()) == 0 {
			out[name] = ms[0].GetGauge().GetValue()
		}
	}
	return out
}

// TestFailedNightIsRecorded makes a run fail each way a night fails: each
// exits 1 with one message naming the cause, is listed by recon runs as
// failed with that reason and exit 1, and rewrites the metrics file with
// recon_run_success 0 and when it failed. A database that cannot be
// opened cannot hold the record; the metrics file still says the night
// failed.
func TestFailedNightIsRecorded(t *testing.T) {
	t.Parallel()
	day := plainDay(t, fixtureDate, 200, 50)
	hooked := childEnv("KWIKPAISA_WEBHOOK_SECRET=" + fixtureSecret)
	tests := []struct {
		name string
		env  []string
		// setup returns the run's arguments besides --date, --db and
		// --metrics; db is the database the run is given.
		setup    func(t *testing.T, tmp, db string) []string
		want     string // in the message and the recorded reason
		recorded bool   // the database can hold the record
	}{
		{"missing file", hooked, func(t *testing.T, tmp, db string) []string {
			return []string{"--offline", "--orders", filepath.Join(tmp, "orders-missing.csv")}
		}, "orders-missing.csv", true},
		{"webhook secret unset", childEnv(), func(t *testing.T, tmp, db string) []string {
			return []string{"--offline", "--orders", filepath.Join(day, "orders.csv"), "--webhooks", filepath.Join(day, "webhooks.jsonl")}
		}, "KWIKPAISA_WEBHOOK_SECRET is not set", true},
		{"no credentials", hooked, func(t *testing.T, tmp, db string) []string {
			return []string{"--orders", filepath.Join(day, "orders.csv")}
		}, "no KwikPaisa credentials", true},
		{"date locked", hooked, func(t *testing.T, tmp, db string) []string {
			l, err := runlock.TryAcquire(db, fixtureDate, "pid 4242, run run-other")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { l.Release() })
			return []string{"--offline", "--orders", filepath.Join(day, "orders.csv")}
		}, "refusing to run: date " + fixtureDate + " is being reconciled by pid 4242", true},
		{"bad configuration", hooked, func(t *testing.T, tmp, db string) []string {
			cfg := filepath.Join(tmp, "recon.toml")
			if err := os.WriteFile(cfg, []byte("[match]\ntolerance = \"lots\"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			return []string{"--offline", "--config", cfg, "--orders", filepath.Join(day, "orders.csv")}
		}, "match.tolerance", true},
		{"database cannot be opened", hooked, func(t *testing.T, tmp, db string) []string {
			return []string{"--offline", "--orders", filepath.Join(day, "orders.csv")}
		}, "not a directory", false},
	}
	reconBin(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tmp := t.TempDir()
			db := filepath.Join(tmp, "recon.db")
			if !tt.recorded {
				// A file where the database's folder should be.
				if err := os.WriteFile(filepath.Join(tmp, "file"), nil, 0o600); err != nil {
					t.Fatal(err)
				}
				db = filepath.Join(tmp, "file", "recon.db")
			}
			prom := filepath.Join(tmp, "recon.prom")
			args := append([]string{"run", "--date", fixtureDate, "--db", db, "--metrics", prom, "--out", filepath.Join(tmp, "out"),
				"--log-format", "json"}, tt.setup(t, tmp, db)...)
			before := time.Now().Unix()
			p := runProc(t, tt.env, "", args...)
			msgs := errorLines(p.stderr)
			if p.code != exitError || len(msgs) != 1 || !strings.Contains(msgs[0], tt.want) {
				t.Errorf("exit %d, messages %q; want exit 1 and one message saying %q\nstderr:\n%s", p.code, msgs, tt.want, p.stderr)
			}
			g := gauges(t, prom)
			if g["recon_run_success"] != 0 || g["recon_run_exit_code"] != exitError || g["recon_run_timestamp_seconds"] < float64(before) {
				t.Errorf("metrics: recon_run_success=%v recon_run_exit_code=%v recon_run_timestamp_seconds=%v; want 0, 1 and the time it failed (>= %d)",
					g["recon_run_success"], g["recon_run_exit_code"], g["recon_run_timestamp_seconds"], before)
			}
			if !tt.recorded {
				return
			}
			runs := runsJSON(t, db)
			if len(runs) != 1 || runs[0].Date != fixtureDate || runs[0].Status != "failed" || runs[0].Exit != "1" || !strings.Contains(runs[0].Message, tt.want) {
				t.Errorf("recon runs: %+v; want one failed run of %s, exit 1, saying %q", runs, fixtureDate, tt.want)
			}
		})
	}
}

// TestNoCredentials runs a night that was asked to verify against the
// gateway (no --offline) with no credentials set, as a crontab sourcing
// an env file written without 'export' does: without a dump it fails
// naming both variables and --offline; with a dump it completes from the
// dump alone and says so in one line.
func TestNoCredentials(t *testing.T) {
	t.Parallel()
	day := plainDay(t, fixtureDate, 200, 50)
	env := childEnv("KWIKPAISA_WEBHOOK_SECRET=" + fixtureSecret)
	tmp := t.TempDir()
	base := []string{"run", "--date", fixtureDate, "--db", filepath.Join(tmp, "recon.db"), "--out", filepath.Join(tmp, "out"),
		"--orders", filepath.Join(day, "orders.csv"), "--log-format", "json"}

	p := runProc(t, env, "", base...)
	msgs := errorLines(p.stderr)
	if p.code != exitError || len(msgs) != 1 || !strings.Contains(msgs[0], "KWIKPAISA_API_KEY") ||
		!strings.Contains(msgs[0], "KWIKPAISA_SECRET_KEY") || !strings.Contains(msgs[0], "--offline") {
		t.Errorf("no dump: exit %d, messages %q; want exit 1 naming KWIKPAISA_API_KEY, KWIKPAISA_SECRET_KEY and --offline\n%s", p.code, msgs, p.stderr)
	}

	p = runProc(t, env, "", append(base, "--gateway", filepath.Join(day, "gateway.jsonl"))...)
	msgs = errorLines(p.stderr)
	want := "recon: warning: ran from the gateway dump alone: KWIKPAISA_API_KEY and KWIKPAISA_SECRET_KEY are not set"
	if p.code != 0 || len(msgs) != 1 || !strings.HasPrefix(msgs[0], want) {
		t.Errorf("with a dump: exit %d, messages %q; want exit 0 and one line %q…\n%s", p.code, msgs, want, p.stderr)
	}
}

// TestWrongWebhookSecret runs a day whose webhook log was signed with
// another secret than the one configured: the run fails (exit 1) with one
// line that names the likely cause and the count, instead of reporting
// every delivery as a forgery and exiting 0.
func TestWrongWebhookSecret(t *testing.T) {
	t.Parallel()
	day := plainDay(t, fixtureDate, 200, 50)
	b, err := os.ReadFile(filepath.Join(day, "webhooks.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	deliveries := bytes.Count(b, []byte("\n"))
	tmp := t.TempDir()
	db := filepath.Join(tmp, "recon.db")
	prom := filepath.Join(tmp, "recon.prom")
	p := runProc(t, childEnv("KWIKPAISA_WEBHOOK_SECRET=whsec_rotated_away"), "", dayRun(day, tmp, "--metrics", prom)...)
	msgs := errorLines(p.stderr)
	want := "recon: no delivery of " + filepath.Join(day, "webhooks.jsonl") + " verifies: " + group(deliveries) + " of " + group(deliveries) +
		" fail the signature under the 1 configured webhook secret(s); KWIKPAISA_WEBHOOK_SECRET is likely wrong or was rotated"
	if p.code != exitError || len(msgs) != 1 || !strings.HasPrefix(msgs[0], want) {
		t.Errorf("exit %d, messages %q; want exit 1 and one line %q…\n%s", p.code, msgs, want, p.stderr)
	}
	if g := gauges(t, prom); g["recon_run_success"] != 0 {
		t.Errorf("recon_run_success=%v, want 0", g["recon_run_success"])
	}
	if runs := runsJSON(t, db); len(runs) != 1 || runs[0].Status != "failed" || runs[0].Exit != "1" || !strings.Contains(runs[0].Message, "likely wrong or was rotated") {
		t.Errorf("recon runs: %+v; want the run failed with exit 1 and the cause", runs)
	}

	// One delivery that verifies is enough: a rotation's old and new
	// secrets together verify the log, and the run completes.
	p = runProc(t, childEnv("KWIKPAISA_WEBHOOK_SECRET=whsec_rotated_away,"+fixtureSecret), "", dayRun(day, t.TempDir())...)
	if p.code != 0 {
		t.Errorf("with the right secret among the configured: exit %d\n%s", p.code, p.stderr)
	}
}

// TestLedgerOfAnotherDay gives the 24th's files to a run of the 25th: the
// run says on stderr that none of each ledger's rows is of the day and
// which dates they fall on; with --fail-on HIGH it exits 3.
func TestLedgerOfAnotherDay(t *testing.T) {
	t.Parallel()
	day := plainDay(t, fixtureDate, 200, 50)
	env := childEnv("KWIKPAISA_WEBHOOK_SECRET=" + fixtureSecret)
	tmp := t.TempDir()
	p := runProc(t, env, "", dayRunOn("2026-11-25", day, tmp)...)
	msgs := errorLines(p.stderr)
	orders := "recon: warning: none of the 200 rows of " + filepath.Join(day, "orders.csv") + " is dated 2026-11-25: they fall on 2026-11-24 (200)"
	payouts := "recon: warning: none of the 50 rows of " + filepath.Join(day, "payouts.csv") + " is dated 2026-11-25: they fall on 2026-11-24 (50)"
	if p.code != 0 || len(msgs) != 2 || !strings.HasPrefix(msgs[0], orders) || !strings.HasPrefix(msgs[1], payouts) {
		t.Errorf("exit %d, messages %q; want exit 0 and\n%s…\n%s…\n%s", p.code, msgs, orders, payouts, p.stderr)
	}
	p = runProc(t, env, "", dayRunOn("2026-11-25", day, tmp, "--fail-on", "HIGH")...)
	if p.code != exitFailOn {
		t.Errorf("--fail-on HIGH: exit %d, want %d\n%s", p.code, exitFailOn, p.stderr)
	}
	p = runProc(t, env, "", dayRunOn("2026-11-25", day, tmp, "--fail-on", "CRITICAL")...)
	if p.code != 0 {
		t.Errorf("--fail-on CRITICAL: exit %d, want 0 (another day's file counts as HIGH)\n%s", p.code, p.stderr)
	}
}

// TestRunsFormats lists a run in the three formats: the table, JSON and
// CSV carry the same run; its times, like the log's, are in the business
// zone with the offset shown.
func TestRunsFormats(t *testing.T) {
	t.Parallel()
	day := plainDay(t, fixtureDate, 1500, 50)
	tmp := t.TempDir()
	db := filepath.Join(tmp, "recon.db")
	p := runProc(t, childEnv("KWIKPAISA_WEBHOOK_SECRET="+fixtureSecret), "", dayRun(day, tmp)...)
	if p.code != 0 {
		t.Fatalf("run: exit %d\n%s", p.code, p.stderr)
	}
	var first struct {
		Time string `json:"time"`
	}
	if err := json.Unmarshal([]byte(strings.SplitN(p.stderr, "\n", 2)[0]), &first); err != nil || !strings.HasSuffix(first.Time, "+05:30") {
		t.Errorf("the first log line's time is %q (%v), want IST with its offset (…+05:30)", first.Time, err)
	}
	// Counts in stdout are grouped the Indian way.
	if want := "rows of orders.csv"; !strings.Contains(p.stdout, "1,500 rows read, 1,500 accepted") {
		t.Errorf("stdout does not group 1500 as 1,500 (%s):\n%s", want, p.stdout)
	}

	rows := runsJSON(t, db)
	if len(rows) != 1 || rows[0].Date != fixtureDate || rows[0].Status != "completed" || rows[0].Exit != "0" ||
		!strings.HasSuffix(rows[0].Started, "+05:30") || rows[0].Judged == "-" {
		t.Fatalf("recon runs --format json: %+v; want one completed run of %s, exit 0, started …+05:30", rows, fixtureDate)
	}
	c := runProc(t, childEnv(), "", "runs", "--db", db, "--format", "csv")
	recs, err := csv.NewReader(strings.NewReader(c.stdout)).ReadAll()
	if c.code != 0 || err != nil || len(recs) != 2 {
		t.Fatalf("recon runs --format csv: exit %d, %v, %q", c.code, err, c.stdout)
	}
	wantHeader := "date,started,finished,status,records_judged,records_matched,exceptions,unverified,exit_code,run_id,message"
	if got := strings.Join(recs[0], ","); got != wantHeader {
		t.Errorf("csv header %q, want %q", got, wantHeader)
	}
	if got, want := recs[1], rows[0].fields(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("csv row %q, json row %q: want the same run", got, want)
	}
	if tab := runProc(t, childEnv(), "", "runs", "--db", db); !strings.Contains(tab.stdout, rows[0].Started) || !strings.Contains(tab.stdout, rows[0].Run) {
		t.Errorf("recon runs table does not show the run's start %s:\n%s", rows[0].Started, tab.stdout)
	}
	if bad := runProc(t, childEnv(), "", "runs", "--db", db, "--format", "yaml"); bad.code != exitUsage {
		t.Errorf("--format yaml: exit %d, want %d", bad.code, exitUsage)
	}
}

// TestGroup writes counts with Indian digit grouping.
func TestGroup(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{
		{0, "0"}, {999, "999"}, {1000, "1,000"}, {99999, "99,999"}, {100000, "1,00,000"},
		{1004000, "10,04,000"}, {12345678, "1,23,45,678"}, {-1234, "-1,234"},
	}
	for _, tt := range tests {
		if got := group(tt.n); got != tt.want {
			t.Errorf("group(%d)=%q, want %q", tt.n, got, tt.want)
		}
	}
}

// TestStdoutOrder runs a day with a pull from a local sandbox: stdout
// says what was read, matched, found and pulled, and ends with where the
// reports are, in that order every time.
func TestStdoutOrder(t *testing.T) {
	t.Parallel()
	day := plainDay(t, fixtureDate, 100, 20)
	url := startSecSandbox(t, day)
	tmp := t.TempDir()
	env := childEnv("KWIKPAISA_WEBHOOK_SECRET="+fixtureSecret, "KWIKPAISA_API_KEY="+secAPIKey, "KWIKPAISA_SECRET_KEY="+secSecretKey)
	p := runProc(t, env, "", "run", "--date", fixtureDate, "--orders", filepath.Join(day, "orders.csv"), "--payouts", filepath.Join(day, "payouts.csv"),
		"--webhooks", filepath.Join(day, "webhooks.jsonl"), "--api-url", url, "--wallet-id", secWallet,
		"--db", filepath.Join(tmp, "recon.db"), "--out", filepath.Join(tmp, "out"), "--log-format", "json")
	if p.code != 0 {
		t.Fatalf("run: exit %d\n%s", p.code, p.stderr)
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSuffix(p.stdout, "\n"), "\n") {
		word, _, _ := strings.Cut(strings.TrimSpace(l), " ")
		got = append(got, word)
	}
	want := []string{"Reconciled", "orders", "payouts", "webhooks", "matched", "found", "pulled", "Reports:"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("stdout lines begin %q, want %q:\n%s", got, want, p.stdout)
	}
}

// TestBadConfigurationRecordedWhereItSays runs a night whose
// configuration has a mistake and names its own database and metrics
// file (the flags name neither, as in the shipped crontab line): the
// failed attempt is recorded in that database and the metrics file says
// it failed.
func TestBadConfigurationRecordedWhereItSays(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	cfg := filepath.Join(tmp, "recon.toml")
	body := "db = \"data/recon.db\"\nmetrics = \"recon.prom\"\n[sources]\norders = \"day/{date}/orders.csv\"\n[match]\ntolerance = \"lots\"\n"
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	p := runProc(t, childEnv(), "", "run", "--config", cfg, "--date", fixtureDate, "--offline", "--log-format", "json")
	if p.code != exitError {
		t.Fatalf("exit %d, want 1\n%s", p.code, p.stderr)
	}
	if g := gauges(t, filepath.Join(tmp, "recon.prom")); g["recon_run_success"] != 0 || g["recon_run_exit_code"] != exitError {
		t.Errorf("metrics: recon_run_success=%v recon_run_exit_code=%v, want 0 and 1", g["recon_run_success"], g["recon_run_exit_code"])
	}
	runs := runsJSON(t, filepath.Join(tmp, "data", "recon.db"))
	if len(runs) != 1 || runs[0].Status != "failed" || !strings.Contains(runs[0].Message, "match.tolerance") {
		t.Errorf("recon runs: %+v; want the failed attempt, naming match.tolerance", runs)
	}
}
