package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
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

// lines counts the line ends of a file: about the rows of a CSV report,
// whose read takes a small part of the time parsing them does. An XLSX
// file (compressed) or a file that cannot be read gives 0: its rows then
// grow the slice as they come, and reading the file says what is wrong.
func lines(path string) int {
	if strings.EqualFold(filepath.Ext(path), ".xlsx") {
		return 0
	}
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	n, buf := 0, make([]byte, 256<<10)
	for {
		k, err := f.Read(buf)
		n += bytes.Count(buf[:k], []byte{'\n'})
		if err != nil {
			return n
		}
	}
}

func wholeDays(d time.Duration) int { return int(d / (24 * time.Hour)) }

// settle runs the settlement checks of a day whose pay-ins are p: it reads
// the settlement reports and bank statements of its window, asks the store
// which settled orders it knows, and matches. withFiles also hashes the
// files for the summary and the manifest.
func (r *run) settle(ctx context.Context, p *match.Payins, day recon.BusinessDay, withFiles bool) (*settledDay, error) {
	restore := collectAt(settleGC)
	defer restore()
	out, in, err := r.readSettlements(ctx, day, withFiles)
	if err != nil {
		return nil, err
	}
	return r.judgeSettlements(ctx, p, day, out, in)
}

// readSettlements reads the settlement reports and bank statements of
// day's window, each that exists.
func (r *run) readSettlements(ctx context.Context, day recon.BusinessDay, withFiles bool) (*settledDay, *match.SettlementInput, error) {
	st := r.cfg.Settlement
	reports, statements := settleWindow(day, st.Options)
	out := &settledDay{}
	in := &match.SettlementInput{}
	seen := map[string]bool{}
	read := func(kind string, find func(string) (string, error), dates []string) error {
		if find == nil {
			return nil
		}
		found := 0
		defer func() {
			if found == 0 && withFiles {
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
			if kind == "settlements" {
				// Room for the report's rows at once: grown by appending, the
				// rows of a large report were copied over and over (a third of
				// the time its read took at tier M).
				in.Rows = slices.Grow(in.Rows, lines(path))
			}
			var f recon.SourceFile
			sink := ingest.Sink{
				Settlement: func(s *recon.SettlementRow) error { in.Rows = append(in.Rows, *s); return nil },
				BankEntry:  func(e *recon.BankEntry) error { in.Bank = append(in.Bank, *e); return nil },
				Reject:     func(rj *recon.Reject) error { out.rejects = append(out.rejects, *rj); return nil },
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
			if withFiles {
				sum, size, _, err := ingest.Digest(path)
				if err != nil {
					return fmt.Errorf("read %s %s: %w", kind, path, err)
				}
				f = recon.SourceFile{Kind: kind, Path: path, SHA256: sum, Size: size, Read: counts.Read, Accepted: counts.Accepted, Rejected: counts.Rejected}
				out.inputs = append(out.inputs, f)
				r.stageDone("ingest_"+kind, counts.Read, t)
			}
		}
		return nil
	}
	if err := read("settlements", st.Report, reports); err != nil {
		return nil, nil, err
	}
	if err := read("bank", st.Bank, statements); err != nil {
		return nil, nil, err
	}
	return out, in, nil
}

// judgeSettlements asks the store which of the orders settled on day it
// knows, and matches.
func (r *run) judgeSettlements(ctx context.Context, p *match.Payins, day recon.BusinessDay, out *settledDay, in *match.SettlementInput) (*settledDay, error) {
	st := r.cfg.Settlement
	// The orders settled on the day: which of them a ledger or gateway of
	// any date knows.
	var ids []string
	idSeen := map[string]bool{}
	for i := range in.Rows {
		row := &in.Rows[i]
		if row.Type == recon.EventPayment && !idSeen[row.OrderID] && row.SettledAt >= recon.InstantOf(day.Start) && row.SettledAt < recon.InstantOf(day.End) {
			idSeen[row.OrderID] = true
			ids = append(ids, row.OrderID)
		}
	}
	sort.Strings(ids)
	known, err := r.db.KnownOrders(ctx, ids)
	if err != nil {
		return nil, err
	}
	in.Known = known
	opts := st.Options
	opts.Zone = day.Start.Location()
	opts.Now = r.started
	opts.Bank = st.Bank != nil
	out.exceptions, out.figures = match.Settle(p, in, opts)
	return out, nil
}
