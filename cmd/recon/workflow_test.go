package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/kwikpaisa/recon/internal/export"
	"github.com/kwikpaisa/recon/internal/ledger/sqlite"
)

// listed is a row of recon exceptions --format json.
type listed map[string]string

func listExceptions(t *testing.T, db string, flags ...string) []listed {
	t.Helper()
	code, stdout, stderr := runRecon(t, fixtureNow, append([]string{"exceptions", "--db", db, "--format", "json"}, flags...)...)
	if code != 0 {
		t.Fatalf("recon exceptions: exit %d\n%s", code, stderr)
	}
	var out []listed
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("recon exceptions --format json: %v\n%s", err, stdout)
	}
	return out
}

func auditTrail(t *testing.T, db string) []listed {
	t.Helper()
	return listExceptions(t, db, "--audit")
}

func find(rows []listed, category, reference string) listed {
	for _, r := range rows {
		if r["category"] == category && r["reference"] == reference {
			return r
		}
	}
	return nil
}

// TestResolveAndRerun: recon resolve records a change (a write-off needs a
// note); a re-run of the date keeps it and shows it in the workbook, while
// the open counts, --fail-on and the metrics leave it out and the CSVs stay
// byte for byte what they were.
func TestResolveAndRerun(t *testing.T) {
	inRepoRoot(t)
	t.Setenv("KWIKPAISA_WEBHOOK_SECRET", fixtureSecret)
	tmp := t.TempDir()
	db := filepath.Join(tmp, "recon.db")
	if code, _, stderr := runRecon(t, fixtureNow, fixtureRun(tmp)...); code != 0 {
		t.Fatalf("first run: exit %d\n%s", code, stderr)
	}
	dir := filepath.Join(tmp, "reports", fixtureDate)
	before := map[string][]byte{}
	for _, name := range goldenCSVs {
		before[name], _ = os.ReadFile(filepath.Join(dir, name))
	}

	resolve := func(args ...string) (int, string, string) {
		return runRecon(t, fixtureNow, append([]string{"resolve", "--db", db, "--date", fixtureDate}, args...)...)
	}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string
	}{
		{"write-off without a note", []string{"--category", "AMOUNT_MISMATCH", "--reference", "ORD-AMT-1", "--state", "WRITTEN_OFF"},
			exitUsage, "WRITTEN_OFF needs a note"},
		{"unknown state", []string{"--category", "AMOUNT_MISMATCH", "--reference", "ORD-AMT-1", "--state", "DONE"},
			exitUsage, `unknown state "DONE"`},
		{"no such exception", []string{"--category", "AMOUNT_MISMATCH", "--reference", "ORD-NOPE", "--state", "INVESTIGATING"},
			exitError, "no such exception"},
		{"write-off with a note", []string{"--category", "AMOUNT_MISMATCH", "--reference", "ORD-AMT-1", "--state", "written_off",
			"--note", "paisa rounding, accepted", "--by", "asha"}, 0, "OPEN -> WRITTEN_OFF by asha"},
		{"resolve a critical one", []string{"--category", "STATUS_MISMATCH", "--reference", "PO-REV-1", "--state", "RESOLVED",
			"--note", "re-paid", "--by", "ravi", "--owner", "ravi"}, 0, "OPEN -> RESOLVED by ravi"},
	}
	for _, tt := range tests {
		code, stdout, stderr := resolve(tt.args...)
		if code != tt.wantCode || !strings.Contains(stdout+stderr, tt.wantOut) {
			t.Errorf("%s: exit %d, output %q; want exit %d and %q", tt.name, code, stdout+stderr, tt.wantCode, tt.wantOut)
		}
	}
	if n := len(auditTrail(t, db)); n != 2 {
		t.Fatalf("%d audit entries, want the 2 accepted changes", n)
	}

	prom := filepath.Join(tmp, "recon.prom")
	code, _, stderr := runRecon(t, fixtureNow.Add(time.Hour), fixtureRun(tmp, "--fail-on", "critical", "--metrics", prom)...)
	if code != exitFailOn || !strings.Contains(stderr, "recon: 16 exception(s) at or above CRITICAL") {
		t.Errorf("re-run --fail-on critical: exit %d, stderr %s; want 3 for the 16 CRITICAL still open (of 18)", code,
			grepLines(stderr, "recon:"))
	}
	// The reports list every exception, whatever its state: their CSVs
	// are byte-identical. The summary counts the open ones.
	for _, name := range goldenCSVs {
		got, _ := os.ReadFile(filepath.Join(dir, name))
		if name == "summary.csv" {
			if !strings.Contains(string(got), "overall,,exceptions,41\n") || !strings.Contains(string(before[name]), "overall,,exceptions,43\n") {
				t.Errorf("summary.csv's exceptions: %q then %q, want 43 then 41", grepLines(string(before[name]), "overall,,exceptions"),
					grepLines(string(got), "overall,,exceptions"))
			}
			continue
		}
		if !bytes.Equal(got, before[name]) {
			t.Errorf("%s changed after a resolve and a re-run; want it byte-identical", name)
		}
	}
	if n := len(auditTrail(t, db)); n != 2 {
		t.Errorf("%d audit entries after the re-run, want the same 2", n)
	}
	prev, _ := exportRuns(t, dir)
	if len(prev) != 2 {
		t.Errorf("report sets kept = %q, want the first run's and the re-run's", prev)
	}

	f, err := excelize.OpenFile(filepath.Join(dir, "recon-"+fixtureDate+".xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("Mismatches")
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	found := 0
	for _, r := range rows[1:] {
		switch r[col["Reference"]] {
		case "ORD-AMT-1":
			found++
			if r[col["State"]] != "WRITTEN_OFF" || r[col["Note"]] != "paisa rounding, accepted" {
				t.Errorf("ORD-AMT-1 row: state %q note %q, want WRITTEN_OFF and its note", r[col["State"]], r[col["Note"]])
			}
		case "PO-REV-1":
			found++
			if r[col["State"]] != "RESOLVED" || r[col["Owner"]] != "ravi" {
				t.Errorf("PO-REV-1 row: state %q owner %q, want RESOLVED by ravi", r[col["State"]], r[col["Owner"]])
			}
		}
	}
	if found != 2 {
		t.Errorf("found %d of the 2 changed rows in Mismatches; resolved rows stay in their date's report", found)
	}
	total := findSummary(t, f, "Total")
	if total != "41" {
		t.Errorf("Summary's open total = %s, want 41 (43 less the two closed)", total)
	}
	promText, _ := os.ReadFile(prom)
	if !strings.Contains(string(promText), `recon_exceptions_by_severity{severity="CRITICAL"} 16`) {
		t.Errorf("metrics count the resolved CRITICAL:\n%s", grepLines(string(promText), "by_severity"))
	}

	open := listExceptions(t, db, "--open")
	if find(open, "AMOUNT_MISMATCH", "ORD-AMT-1") != nil || find(open, "AMOUNT_MISMATCH", "PO-AMT-1") == nil {
		t.Errorf("exceptions --open lists the written-off one or misses an open one")
	}
	all := listExceptions(t, db, "--category", "amount_mismatch")
	if r := find(all, "AMOUNT_MISMATCH", "ORD-AMT-1"); r == nil || r["state"] != "WRITTEN_OFF" || len(all) != 2 {
		t.Errorf("exceptions --category AMOUNT_MISMATCH = %v, want 2 rows, ORD-AMT-1 WRITTEN_OFF", all)
	}
	code, stdout, _ := runRecon(t, fixtureNow, "exceptions", "--db", db, "--open", "--older-than", "0", "--date", fixtureDate)
	if code != 0 || !strings.HasPrefix(stdout, "business_date,category,entity,reference,severity,state,") ||
		strings.Count(stdout, "\n") != 42 {
		t.Errorf("exceptions as CSV: exit %d, %d lines, want a header and the 41 open", code, strings.Count(stdout, "\n"))
	}
}

func exportRuns(t *testing.T, dir string) ([]string, error) {
	t.Helper()
	entries, err := os.ReadDir(dir + ".runs")
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names, err
}

func findSummary(t *testing.T, f *excelize.File, label string) string {
	t.Helper()
	rows, _ := f.GetRows("Summary")
	for _, r := range rows {
		if len(r) > 1 && r[0] == label {
			return r[1]
		}
	}
	t.Fatalf("Summary has no row %q", label)
	return ""
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// editWorkbook copies the run's workbook, sets cells of the Mismatches
// sheet (row of reference → header → value), and, when gnumeric is
// installed, has it save the file as a spreadsheet program would.
func editWorkbook(t *testing.T, src string, edits map[string]map[string]string) string {
	t.Helper()
	f, err := excelize.OpenFile(src)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("Mismatches")
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for i, r := range rows[1:] {
		for h, v := range edits[r[col["Reference"]]] {
			cell, _ := excelize.CoordinatesToCellName(col[h]+1, i+2)
			if err := f.SetCellValue("Mismatches", cell, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	out := filepath.Join(t.TempDir(), "edited.xlsx")
	if err := f.SaveAs(out); err != nil {
		t.Fatal(err)
	}
	bin, err := exec.LookPath("ssconvert")
	if err != nil {
		return out
	}
	saved := filepath.Join(t.TempDir(), "saved.xlsx")
	cmd := exec.Command(bin, "--export-type=Gnumeric_Excel:xlsx2", out, saved)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ssconvert: %v\n%s", err, b)
	}
	return saved
}

// TestNotesImport: a workbook the analyst edited is read back; every
// changed row becomes an audit entry. One bad row (unknown state, a
// resolution without a note, a key that does not exist) refuses the whole
// file with the sheet and row of each, recording nothing.
func TestNotesImport(t *testing.T) {
	inRepoRoot(t)
	t.Setenv("KWIKPAISA_WEBHOOK_SECRET", fixtureSecret)
	tmp := t.TempDir()
	db := filepath.Join(tmp, "recon.db")
	if code, _, stderr := runRecon(t, fixtureNow, fixtureRun(tmp)...); code != 0 {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	book := filepath.Join(tmp, "reports", fixtureDate, "recon-"+fixtureDate+".xlsx")
	importBook := func(path string) (int, string, string) {
		return runRecon(t, fixtureNow, "notes", "import", path, "--db", db, "--by", "asha")
	}

	bad := []struct {
		name  string
		edits map[string]map[string]string
		want  []string
	}{
		{"unknown state", map[string]map[string]string{
			"PO-AMT-1":  {"State": "INVESTIGATING", "Owner": "asha"},
			"ORD-AMT-1": {"State": "DONE"},
		}, []string{`sheet Mismatches row `, `unknown state "DONE"`}},
		{"resolved without a note", map[string]map[string]string{
			"PO-AMT-1":  {"State": "INVESTIGATING"},
			"ORD-AMT-1": {"State": "RESOLVED"},
		}, []string{"RESOLVED needs a note"}},
		{"a key that does not exist", map[string]map[string]string{
			"PO-AMT-1":  {"State": "INVESTIGATING"},
			"ORD-AMT-1": {"Reference": "ORD-GONE", "State": "INVESTIGATING"},
		}, []string{"ORD-GONE on 2026-11-24: no such exception"}},
	}
	for _, tt := range bad {
		code, _, stderr := importBook(editWorkbook(t, book, tt.edits))
		if code != exitError || !strings.Contains(stderr, "nothing recorded: 1 row(s) refused") {
			t.Errorf("%s: exit %d, stderr %q; want 1 and one row refused", tt.name, code, stderr)
		}
		for _, w := range tt.want {
			if !strings.Contains(stderr, w) {
				t.Errorf("%s: stderr %q does not say %q", tt.name, stderr, w)
			}
		}
		if n := len(auditTrail(t, db)); n != 0 {
			t.Fatalf("%s: %d entries recorded from a refused file, want none", tt.name, n)
		}
	}

	good := editWorkbook(t, book, map[string]map[string]string{
		"PO-AMT-1":  {"State": "INVESTIGATING", "Owner": "asha"},
		"ORD-AMT-1": {"State": "resolved", "Note": "refunded the customer"},
		"ORD-CUR-1": {"Note": "asked the gateway"},
	})
	code, stdout, stderr := importBook(good)
	if code != 0 || !strings.Contains(stdout, "Recorded 3 change(s)") {
		t.Fatalf("good file: exit %d, stdout %q, stderr %q; want 3 changes recorded", code, stdout, stderr)
	}
	trail := auditTrail(t, db)
	got := map[string]string{}
	for _, a := range trail {
		got[a["reference"]] = a["from"] + ">" + a["to"] + " " + a["who"] + " " + a["owner"] + " " + a["note"]
	}
	want := map[string]string{
		"PO-AMT-1":  "OPEN>INVESTIGATING asha asha ",
		"ORD-AMT-1": "OPEN>RESOLVED asha  refunded the customer",
		"ORD-CUR-1": "OPEN>OPEN asha  asked the gateway",
	}
	for ref, w := range want {
		if got[ref] != w {
			t.Errorf("audit of %s = %q, want %q", ref, got[ref], w)
		}
	}
	if len(trail) != 3 {
		t.Errorf("%d audit entries, want 3", len(trail))
	}
	// The same file again changes nothing.
	code, stdout, _ = importBook(good)
	if code != 0 || !strings.Contains(stdout, "Recorded 0 change(s)") || len(auditTrail(t, db)) != 3 {
		t.Errorf("importing the same file again: exit %d, %q; want nothing recorded", code, stdout)
	}
}

// TestTwoProcessesResolve runs two recon resolve processes on one exception
// at once: both are recorded, one after the other, each from the state the
// other left (the store serialises them).
func TestTwoProcessesResolve(t *testing.T) {
	inRepoRoot(t)
	t.Setenv("KWIKPAISA_WEBHOOK_SECRET", fixtureSecret)
	tmp := t.TempDir()
	db := filepath.Join(tmp, "recon.db")
	if code, _, stderr := runRecon(t, fixtureNow, fixtureRun(tmp)...); code != 0 {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	env := os.Environ()
	var cmds []*exec.Cmd
	var outs []*bytes.Buffer
	for i, st := range []string{"INVESTIGATING", "WRITTEN_OFF"} {
		cmd := reconCmd(t, env, "", "resolve", "--db", db, "--date", fixtureDate, "--category", "AMOUNT_MISMATCH",
			"--reference", "PO-AMT-1", "--state", st, "--note", "by process "+strconv.Itoa(i), "--by", "p"+strconv.Itoa(i))
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		cmds, outs = append(cmds, cmd), append(outs, &out)
	}
	for _, c := range cmds {
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
	}
	for i, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Errorf("process %d: %v\n%s", i, err, outs[i])
		}
	}
	trail := auditTrail(t, db)
	if len(trail) != 2 {
		t.Fatalf("%d entries, want both processes' changes", len(trail))
	}
	if trail[0]["from"] != "OPEN" || trail[1]["from"] != trail[0]["to"] {
		t.Errorf("trail %v: want the second entry to start from the state the first left", trail)
	}
}

// TestNotesChangesOneKeyTwice: a key listed twice (a carried exception is
// in its report sheet and in Open items) is changed once when one row is
// edited and the other left as stored; two rows edited differently are
// refused, naming both.
func TestNotesChangesOneKeyTwice(t *testing.T) {
	inRepoRoot(t)
	t.Setenv("KWIKPAISA_WEBHOOK_SECRET", fixtureSecret)
	tmp := t.TempDir()
	if code, _, stderr := runRecon(t, fixtureNow, fixtureRun(tmp)...); code != 0 {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	db, err := sqlite.Open(context.Background(), filepath.Join(tmp, "recon.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	row := func(sheet string, n int, state, owner, note string) export.NoteRow {
		return export.NoteRow{Sheet: sheet, Row: n, Key: [4]string{fixtureDate, "AMOUNT_MISMATCH", "PAYOUT", "PO-AMT-1"},
			State: state, Owner: owner, Note: note}
	}
	tests := []struct {
		name        string
		rows        []export.NoteRow
		wantChanges int
		wantRefused []string
	}{
		{"both as stored", []export.NoteRow{row("Mismatches", 7, "OPEN", "", ""), row("Open items", 2, "OPEN", "", "")}, 0, nil},
		{"one edited, one as stored", []export.NoteRow{row("Mismatches", 7, "OPEN", "", ""),
			row("Open items", 2, "INVESTIGATING", "asha", "")}, 1, nil},
		{"both edited alike", []export.NoteRow{row("Mismatches", 7, "INVESTIGATING", "asha", ""),
			row("Open items", 2, "INVESTIGATING", "asha", "")}, 1, nil},
		{"edited at odds", []export.NoteRow{row("Mismatches", 7, "INVESTIGATING", "asha", ""),
			row("Open items", 2, "RESOLVED", "asha", "refunded")}, 1,
			[]string{"sheet Open items row 2: gives AMOUNT_MISMATCH PO-AMT-1 other values than sheet Mismatches row 7"}},
	}
	for _, tt := range tests {
		changes, refused := notesChanges(context.Background(), db, tt.rows, "asha")
		if len(changes) != tt.wantChanges || !slices.Equal(refused, tt.wantRefused) {
			t.Errorf("%s: %d changes, refused %q; want %d and %q", tt.name, len(changes), refused, tt.wantChanges, tt.wantRefused)
		}
	}
}
