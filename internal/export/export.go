// Package export writes a run's reports: the CSV files, the XLSX workbook
// and the manifest of SPEC §5. A run's files are written as one set into a
// folder of their own and the date's folder is then switched to it in one
// rename, so a reader never sees half a report nor two runs' files mixed;
// the sets of earlier runs are kept beside it. The same report always
// gives the same CSV and workbook bytes (the manifest, which records
// times, aside).
//
// The workbook opens on the Summary: the day's verdict first (verdict.go),
// then the figures as numbers (counts, rupee amounts, percentages) and
// charts. Then one sheet per report and the Open items (sheets.go),
// streamed so that a million rows cost a few chunk buffers and an index
// per row: readable wrapped headers, frozen, autofilter, columns sized to
// their contents, amounts as numbers whose stored text is the exact
// decimal, ids and UTRs as text, dates as dates, severity filled, printed
// one page wide.
package export

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"time"

	"github.com/kwikpaisa/recon/internal/recon"
)

// Report is everything a run writes.
type Report struct {
	Date       string
	RunID      string
	Version    string
	Started    time.Time
	Finished   time.Time
	ExitStatus int
	Inputs     []recon.SourceFile
	Summary    []Metric
	Exceptions []recon.Exception // sorted by category, entity, reference
	Rejects    []recon.Reject    // in input order
	// Settlements says the run checked settlements (SPEC §7): it writes
	// settlements.csv and a Settlements sheet.
	Settlements bool
	// OpenItems are the exceptions of earlier dates still open after the
	// run's re-check (the "Open items" sheet).
	OpenItems []recon.Exception
	// Trend is the last TrendDays business dates' totals, oldest first.
	Trend []TrendPoint
}

// TrendDays is how many business dates the Summary's trend shows.
const TrendDays = 14

// TrendPoint is one date of the trend.
type TrendPoint struct {
	Date       string
	Exceptions int
	AtRisk     recon.Amount
}

// Metric is one row of the summary.
type Metric struct {
	Section string // inputs, payin, payout, category, webhooks, pulls, overall
	Item    string // a file, a status class, a category…
	Name    string // rows_read, count, amount…
	Value   string // exact text: 12, 1234.50, 97.11 (percent), a path…
	// Kind says what Value is, so the workbook writes it as a number of
	// the right format; MetricAuto infers it from Name and Value.
	Kind MetricKind
}

// Options tune the writers.
type Options struct {
	// MaxSheetRows is the most data rows a sheet holds before it continues
	// in "Name (2)"; 0 means Excel's limit less the header.
	MaxSheetRows int
	// KeepRuns is how many report sets of a date to keep, the new one
	// included; 0 means KeepRuns.
	KeepRuns int
}

// Files are the names of the files Write writes, in the order it writes
// them. A report with settlements adds settlements.csv after
// missing_utr.csv (ReportFiles).
func Files(date string) []string {
	return []string{"summary.csv", "mismatches.csv", "duplicates.csv", "missing_utr.csv", "rejects.csv",
		"recon-" + date + ".xlsx", "manifest.json"}
}

// ReportFiles are the names of the files Write writes for r.
func ReportFiles(r *Report) []string {
	files := Files(r.Date)
	if !r.Settlements {
		return files
	}
	return append(files[:4:4], append([]string{"settlements.csv"}, files[4:]...)...)
}

// KeepRuns is how many report sets of a date Write keeps when Options
// says nothing: the current one and the runs before it.
const KeepRuns = 5

// Write writes every report of r as one set into a new run folder,
// <dir>.runs/<run id>/, then makes dir (a symbolic link) point at it in one
// rename: a reader of dir sees the whole previous set or the whole new one,
// never a mix, even when the run is killed between two files. The sets of
// the previous runs stay beside it (the last Options.KeepRuns); a folder a
// killed run left half-written is removed. The manifest is written last:
// its presence says the others are complete.
func Write(dir string, r *Report, opts Options) error {
	runs := dir + ".runs"
	if err := os.MkdirAll(runs, 0o700); err != nil {
		return fmt.Errorf("create report folder: %w", err)
	}
	target, err := newRunFolder(runs, r.RunID)
	if err != nil {
		return fmt.Errorf("create report folder: %w", err)
	}
	r = sorted(r)
	steps := []struct {
		name  string
		write func(io.Writer) error
	}{
		{"summary.csv", func(w io.Writer) error { return writeSummaryCSV(w, r) }},
		{"mismatches.csv", func(w io.Writer) error { return writeExceptionsCSV(w, r.Exceptions, recon.ReportMismatches) }},
		{"duplicates.csv", func(w io.Writer) error { return writeExceptionsCSV(w, r.Exceptions, recon.ReportDuplicates) }},
		{"missing_utr.csv", func(w io.Writer) error { return writeExceptionsCSV(w, r.Exceptions, recon.ReportMissingUTR) }},
		{"settlements.csv", func(w io.Writer) error { return writeExceptionsCSV(w, r.Exceptions, recon.ReportSettlements) }},
		{"rejects.csv", func(w io.Writer) error { return writeRejectsCSV(w, r.Rejects) }},
		{"recon-" + r.Date + ".xlsx", func(w io.Writer) error { return writeWorkbook(w, r, opts) }},
		{"manifest.json", func(w io.Writer) error { return writeManifest(w, r) }},
	}
	for _, st := range steps {
		if st.name == "settlements.csv" && !r.Settlements {
			continue // a run without settlement sources writes none
		}
		if err := WriteFileAtomic(filepath.Join(target, st.name), st.write); err != nil {
			return fmt.Errorf("write %s: %w", st.name, err)
		}
	}
	if err := switchTo(dir, target); err != nil {
		return fmt.Errorf("switch %s to the new reports: %w", dir, err)
	}
	keep := opts.KeepRuns
	if keep <= 0 {
		keep = KeepRuns
	}
	pruneRuns(runs, target, keep)
	return nil
}

// newRunFolder creates runs/<id>, or runs/<id>-2… when a run of that id
// wrote there already (a clock that does not move, in tests).
func newRunFolder(runs, id string) (string, error) {
	if id == "" {
		id = "run"
	}
	for n := 1; ; n++ {
		name := id
		if n > 1 {
			name = fmt.Sprintf("%s-%d", id, n)
		}
		p := filepath.Join(runs, name)
		err := os.Mkdir(p, 0o700)
		if !os.IsExist(err) {
			return p, err
		}
	}
}

// switchTo makes dir a symbolic link to target. The files that live beside
// the reports rather than in a set (pulled.jsonl, appended by the pull
// before the export) are copied into target first. A dir that is still a
// plain folder (reports of an older recon, or a pull's first file) is
// moved into the runs folder as one more earlier set.
func switchTo(dir, target string) error {
	if err := carry(dir, target, "pulled.jsonl"); err != nil {
		return err
	}
	if fi, err := os.Lstat(dir); err == nil && fi.IsDir() {
		old, err := newRunFolder(filepath.Dir(target), "earlier")
		if err != nil {
			return err
		}
		if err := os.Remove(old); err != nil {
			return err
		}
		if err := os.Rename(dir, old); err != nil {
			return err
		}
	}
	rel, err := filepath.Rel(filepath.Dir(dir), target)
	if err != nil {
		return err
	}
	// A link a killed run made but never renamed is not in use (the run
	// lock): remove it, and any other.
	prefix := filepath.Join(filepath.Dir(dir), "."+filepath.Base(dir)+".link-tmp-")
	if stale, err := filepath.Glob(prefix + "*"); err == nil {
		for _, p := range stale {
			os.Remove(p)
		}
	}
	tmp := prefix + filepath.Base(target)
	if err := os.Symlink(rel, tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.Remove(tmp)
		return err
	}
	return syncDir(filepath.Dir(dir))
}

// carry copies dir/name into target when it exists.
func carry(dir, target, name string) error {
	src, err := os.Open(filepath.Join(dir, name))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	defer src.Close()
	return WriteFileAtomic(filepath.Join(target, name), func(w io.Writer) error {
		_, err := io.Copy(w, src)
		return err
	})
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// pruneRuns removes from runs the sets beyond the newest keep (current
// always kept) and every folder without a manifest: a run killed while
// writing. Two runs of a date never write at once (the run lock), so no
// other folder is in use.
func pruneRuns(runs, current string, keep int) {
	sets, err := Runs(runs)
	if err != nil {
		return
	}
	kept := 1
	for _, s := range sets {
		p := filepath.Join(runs, s)
		if p == current {
			continue
		}
		if _, err := os.Stat(filepath.Join(p, "manifest.json")); err == nil && kept < keep {
			kept++
			continue
		}
		os.RemoveAll(p)
	}
}

// Runs lists the report sets in a date's runs folder (<out>/<date>.runs),
// newest first.
func Runs(runs string) ([]string, error) {
	entries, err := os.ReadDir(runs)
	if err != nil {
		return nil, err
	}
	type set struct {
		name string
		mod  time.Time
	}
	var sets []set
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		sets = append(sets, set{e.Name(), info.ModTime()})
	}
	sort.Slice(sets, func(i, j int) bool {
		if !sets[i].mod.Equal(sets[j].mod) {
			return sets[i].mod.After(sets[j].mod)
		}
		return sets[i].name > sets[j].name
	})
	out := make([]string, len(sets))
	for i, s := range sets {
		out[i] = s.name
	}
	return out, nil
}

// sorted returns r with its exceptions in report order (category, entity,
// reference), copying them only when they are not already in it.
func sorted(r *Report) *Report {
	less := func(i, j int) bool { return r.Exceptions[i].Less(&r.Exceptions[j]) }
	if sort.SliceIsSorted(r.Exceptions, less) {
		return r
	}
	c := *r
	c.Exceptions = slices.Clone(r.Exceptions)
	sort.SliceStable(c.Exceptions, func(i, j int) bool { return c.Exceptions[i].Less(&c.Exceptions[j]) })
	return &c
}

// WriteFileAtomic writes a file through a temporary file in the same folder,
// synced and renamed over path, readable by its owner only.
func WriteFileAtomic(path string, write func(io.Writer) error) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = f.Chmod(0o600); err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<16)
	if err = write(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
