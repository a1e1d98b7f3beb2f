// Package export writes a run's reports: the CSV files, the XLSX workbook
// and the manifest of SPEC §5. Every file is written to a temporary file in
// the target folder and renamed into place, so a reader never sees half a
// report; the same report always gives the same CSV bytes and the same
// workbook cells (the manifest, which records times, aside).
//
// The workbook opens on a one-page Summary (figures as numbers: counts,
// two-decimal amounts, percentages; a chart of exceptions by category),
// then one sheet per report, streamed so that a million rows cost a few
// chunk buffers, not the rows: bold frozen header, autofilter, columns
// sized to their contents, amounts as numbers whose stored text is the
// exact decimal, ids and UTRs as text, dates as dates, severity filled.
package export

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
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

// Write writes every report of r into dir (created 0700 if needed). The
// manifest is written last: its presence says the others are complete.
func Write(dir string, r *Report, opts Options) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create report folder: %w", err)
	}
	removeLeftovers(dir, r.Date)
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
			// A run without settlements leaves no settlements.csv of an
			// earlier run with them beside its reports.
			if err := os.Remove(filepath.Join(dir, st.name)); err != nil && !os.IsNotExist(err) {
				return fmt.Errorf("remove %s: %w", st.name, err)
			}
			continue
		}
		if err := WriteFileAtomic(filepath.Join(dir, st.name), st.write); err != nil {
			return fmt.Errorf("write %s: %w", st.name, err)
		}
	}
	return nil
}

// removeLeftovers deletes the temporary files of a run that was killed
// while writing into dir (".summary.csv.tmp-…"): no reader takes them for
// reports, but they would pile up. Two runs of a date never write at once
// (the run lock), so none of them is in use.
func removeLeftovers(dir, date string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		for _, name := range append(Files(date), "settlements.csv") {
			if strings.HasPrefix(e.Name(), "."+name+".tmp-") {
				os.Remove(filepath.Join(dir, e.Name()))
			}
		}
	}
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
