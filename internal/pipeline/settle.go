package pipeline

import (
	"context"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/kwikpaisa/recon/internal/ingest"
	"github.com/kwikpaisa/recon/internal/match"
	"github.com/kwikpaisa/recon/internal/recon"
)

// Settlement is a run's settlement sources and checks (SPEC §7).
type Settlement struct {
	// Report returns the settlement report of a date, "" when none exists
	// for it. Bank does the same for the bank statement; nil when no bank
	// statement is configured.
	Report func(date string) (string, error)
	Bank   func(date string) (string, error)
	// Options are the windows, the gateway pattern and the fee schedule;
	// the run sets the zone, the clock and whether a statement was given.
	Options match.SettlementOptions
}

// settledDay is what the settlement checks of one date found.
type settledDay struct {
	exceptions []recon.Exception
	figures    match.SettlementFigures
	inputs     []recon.SourceFile
	rejects    []recon.Reject
}

// settleWindow lists the dates whose files a run for day reads: the
// settlement reports of the bank window's days before day (to know which
// settlement claims a credit booked on day) through day + window, and the
// bank statements of those days through the last day a credit of a
// settlement of day + window may arrive.
func settleWindow(day recon.BusinessDay, opts match.SettlementOptions) (reports, statements []string) {
	w, bw := wholeDays(opts.Window), wholeDays(opts.BankWindow)
	for i := -bw; i <= w+bw; i++ {
		date := day.Start.AddDate(0, 0, i).Format(time.DateOnly)
		if i <= w {
			reports = append(reports, date)
		}
		statements = append(statements, date)
	}
	return reports, statements
}

// reportRows estimates the rows of a settlement report from its size, on
// the high side (settleRowBytes): counting them would read the report once
// more before its parse. A compressed XLSX report is estimated low, which
// costs only the growth of what its rows are appended to.
func reportRows(path string) int {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return int(fi.Size() / settleRowBytes)
}

// settleShareRows is about how many settlement rows a share of a part
// holds (settleStep.read); tests make it small. settleRowBytes is the bytes
// of a report's CSV row taken to estimate its rows, on the low side (the
// generated tier M's are 135), so that a share holds no more than that.
var settleShareRows = 100_000

const settleRowBytes = 110

func wholeDays(d time.Duration) int { return int(d / (24 * time.Hour)) }

// settleStep is the settlement checks of one date of a run, beside its
// match (matchDay): it reads the settlement reports and bank statements of
// the date's window before the day's first part (begin; for a day matched
// whole, once it is matched), each row once: its settlement's figures, and
// the row set aside with its order's share. Each part's pay-ins are then
// judged with their orders' rows (part), and finish judges the settlements
// against the bank credits.
type settleStep struct {
	r         *run
	day       recon.BusinessDay
	withFiles bool
	out       *settledDay
	s         *match.Settling
	rows      *settleRows
	// took is the time the step took inside the match, which the match's
	// stage leaves out.
	took time.Duration
}

// newSettle begins the settlement checks of day, nil when the run has no
// settlement files. withFiles also hashes the files for the summary and
// the manifest.
func (r *run) newSettle(day recon.BusinessDay, withFiles bool) *settleStep {
	st := r.cfg.Settlement
	if st == nil {
		return nil
	}
	opts := st.Options
	opts.Zone = day.Start.Location()
	opts.Now = r.started
	opts.Bank = st.Bank != nil
	return &settleStep{r: r, day: day, withFiles: withFiles, out: &settledDay{}, s: match.NewSettling(day.Date, opts)}
}

// part judges the pay-ins of one part of the day (the whole day's, for
// recon.Part{}) with the settlement rows of their orders; the first reads
// the files, for the day's split into p.Of parts.
func (st *settleStep) part(ctx context.Context, p recon.Part, payins *match.Payins) error {
	t := time.Now()
	defer func() { st.took += time.Since(t) }()
	restore := collectAt(settleGC)
	defer restore()
	if st.rows == nil {
		if err := st.read(ctx, max(1, p.Of)); err != nil {
			return err
		}
	}
	if st.rows.parts != max(1, p.Of) {
		return fmt.Errorf("settle %s: part %d of %d of the pay-ins, of a day read for %d", st.day.Date, p.No+1, p.Of, st.rows.parts)
	}
	// Which of the part's orders settled on the day, and not paid in it, a
	// ledger or gateway record of any date knows.
	known := func(ids []string) (map[string]bool, error) { return st.r.db.KnownOrders(ctx, ids) }
	for j, share := range payins.Split(st.rows.sub) {
		rows, err := st.rows.share(p.No*st.rows.sub + j)
		if err != nil {
			return err
		}
		if err := st.s.Part(share, rows, known); err != nil {
			return err
		}
	}
	return nil
}

// begin reads the settlement files for a day split into parts, before
// the first is loaded: the rows wait for their part on disk, and the read's
// garbage is collected with little of the day live.
func (st *settleStep) begin(ctx context.Context, parts []recon.Part) error {
	if st == nil || st.rows != nil {
		return nil
	}
	t := time.Now()
	defer func() { st.took += time.Since(t) }()
	restore := collectAt(settleGC)
	defer restore()
	for _, p := range parts {
		if p.Entity == recon.EntityPayin {
			return st.read(ctx, p.Of)
		}
	}
	return nil
}

// finish judges the settlements settled on the day against the bank
// credits, and returns what the checks found.
func (st *settleStep) finish(ctx context.Context) (*settledDay, error) {
	if st.rows == nil { // a day of no parts: none matched
		if err := st.read(ctx, 1); err != nil {
			return nil, err
		}
	}
	st.out.exceptions, st.out.figures = st.s.Finish()
	return st.out, nil
}

// close lets go of the rows set aside; st may be nil.
func (st *settleStep) close() {
	if st != nil && st.rows != nil {
		st.rows.close()
	}
}

// read reads the settlement reports and bank statements of the day's
// window, each that exists, setting the rows aside by the day's parts.
func (st *settleStep) read(ctx context.Context, parts int) error {
	r, cfg := st.r, st.r.cfg.Settlement
	reports, statements := settleWindow(st.day, cfg.Options)
	// A part of a day split in parts is judged in shares of its orders
	// with the rows of each, so that the checks of a share hold a few of
	// its rows: a part of ten million orders' day has some 430,000 in
	// its window.
	sub := 1
	if parts > 1 {
		n := 0
		for _, date := range reports {
			if path, err := cfg.Report(date); err == nil && path != "" {
				n += reportRows(path)
			}
		}
		sub = min(64, max(1, (n/parts+settleShareRows-1)/settleShareRows))
	}
	rows, err := newSettleRows(parts, sub)
	if err != nil {
		return err
	}
	st.rows = rows
	seen := map[string]bool{}
	read := func(kind string, find func(string) (string, error), dates []string) error {
		if find == nil {
			return nil
		}
		found := 0
		defer func() {
			if found == 0 && st.withFiles {
				// A template that names no file of the window reads as a
				// day with nothing settled: say so rather than stay quiet.
				r.log.Warn("no "+kind+" file exists for any date of the window", "stage", "settle", "kind", kind,
					"from", dates[0], "to", dates[len(dates)-1])
			}
		}()
		for _, date := range dates {
			path, err := find(date)
			if err != nil {
				return fmt.Errorf("%s of %s: %w", kind, date, err)
			}
			if path == "" || seen[path] {
				continue
			}
			if _, err := os.Stat(path); os.IsNotExist(err) {
				continue // each that exists (SPEC §7)
			}
			seen[path] = true
			found++
			t := time.Now()
			if kind == "settlements" && rows.shares == 1 {
				// Room for the report's rows at once: grown by appending, the
				// rows of a large report were copied over and over (a third of
				// the time its read took at tier M).
				rows.mem = slices.Grow(rows.mem, reportRows(path))
			}
			sink := ingest.Sink{
				Settlement: func(s *recon.SettlementRow) error { st.s.Row(s); return rows.add(s) },
				BankEntry:  func(e *recon.BankEntry) error { st.s.Bank(e); return nil },
				Reject:     func(rj *recon.Reject) error { st.out.rejects = append(st.out.rejects, *rj); return nil },
			}
			readFile := ingest.ReadSettlements
			if kind == "bank" {
				readFile = ingest.ReadBank
			}
			opts := r.cfg.Ingest
			opts.Sheet = "" // the ledgers' sheet; a report's or statement's is its first
			counts, err := readFile(ctx, path, opts, sink)
			if err != nil {
				return fmt.Errorf("read %s %s: %w", kind, path, err)
			}
			if st.withFiles {
				sum, size, _, err := ingest.Digest(path)
				if err != nil {
					return fmt.Errorf("read %s %s: %w", kind, path, err)
				}
				st.out.inputs = append(st.out.inputs, recon.SourceFile{Kind: kind, Path: path, SHA256: sum, Size: size,
					Read: counts.Read, Accepted: counts.Accepted, Rejected: counts.Rejected})
				r.stageDone("ingest_"+kind, counts.Read, t)
			}
		}
		return nil
	}
	if err := read("settlements", cfg.Report, reports); err != nil {
		return err
	}
	if err := read("bank", cfg.Bank, statements); err != nil {
		return err
	}
	return rows.done()
}
