package main

import (
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kwikpaisa/recon/internal/config"
	"github.com/kwikpaisa/recon/internal/ledger"
)

const runsAbout = `Lists past runs, newest first: business date, start and end (RFC 3339
in the business zone, the offset shown, as the logs write times), status,
the run's counts (records judged, matched, exceptions, unverified), its
exit status and, for a run that failed or exited non-zero, the one-line
reason. A run still in progress, or killed before it could record its end,
shows status running. Every attempt that knew its date is listed, also one
that failed before it began (a bad configuration, a missing file, a date
another run held).

-format json writes one JSON array, csv a header row and one row a run:
for scripts and spreadsheets.`

// runRow is one run as 'recon runs' writes it, in every format.
type runRow struct {
	Date       string `json:"date"`
	Started    string `json:"started"`
	Finished   string `json:"finished"`
	Status     string `json:"status"`
	Judged     string `json:"records_judged"`
	Matched    string `json:"records_matched"`
	Exceptions string `json:"exceptions"`
	Unverified string `json:"unverified"`
	Exit       string `json:"exit_code"`
	Run        string `json:"run_id"`
	Message    string `json:"message"`
}

func (r runRow) fields() []string {
	return []string{r.Date, r.Started, r.Finished, r.Status, r.Judged, r.Matched, r.Exceptions, r.Unverified, r.Exit, r.Run, r.Message}
}

var runHeader = []string{"DATE", "STARTED", "FINISHED", "STATUS", "JUDGED", "MATCHED", "EXCEPTIONS", "UNVERIFIED", "EXIT", "RUN", "MESSAGE"}

func runsCmd(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "runs", "[--config FILE] [--db FILE] [--date YYYY-MM-DD] [-n N] [--format table|json|csv]", runsAbout)
	cfgPath := fs.String("config", "", "configuration `file` (TOML), for the database and zone")
	db := fs.String("db", "", "the store: an SQLite `file` (default ./recon.db) or a postgres:// URL without its password (PGPASSWORD)")
	date := fs.String("date", "", "only runs of this business `date`")
	limit := fs.Int("n", 20, "show at most `N` runs")
	format := fs.String("format", "table", "output `format`: table, json or csv")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch *format {
	case "table", "json", "csv":
	default:
		return &usageError{message: fmt.Sprintf("unknown format %q", *format), hint: "--format takes table, json or csv"}
	}
	file := config.Default()
	if *cfgPath != "" {
		f, err := config.Load(*cfgPath)
		if err != nil {
			return err
		}
		file = f
	}
	zone, err := config.LoadZone(file.Zone)
	if err != nil {
		return err
	}
	path := firstOf(*db, file.DB, "recon.db")
	runs, err := listRuns(ctx, path, max(*limit, 1)*10+1000, newLogger(e.stderr, false))
	if err != nil {
		return err
	}
	rows := []runRow{}
	for _, r := range runs {
		if *date != "" && r.BusinessDate != *date {
			continue
		}
		if len(rows) == *limit {
			break
		}
		rows = append(rows, runRow{Date: r.BusinessDate, Started: stamp(r.StartedAt, zone), Finished: finished(r, zone), Status: r.Status,
			Judged: figure(r, "records_judged"), Matched: figure(r, "records_matched"), Exceptions: figure(r, "exceptions"),
			Unverified: figure(r, "unverified"), Exit: exitOf(r), Run: r.ID, Message: r.Message})
	}
	switch *format {
	case "json":
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	case "csv":
		return writeRunsCSV(e.stdout, rows)
	}
	w := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, joinTab(runHeader))
	for _, r := range rows {
		fmt.Fprintln(w, joinTab(r.fields()))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if len(rows) == 0 {
		fmt.Fprintf(e.stdout, "(no runs recorded in %s)\n", path)
	}
	return nil
}

func writeRunsCSV(w io.Writer, rows []runRow) error {
	cw := csv.NewWriter(w)
	header := make([]string, len(runHeader))
	for i, h := range runHeader {
		header[i] = map[string]string{"JUDGED": "records_judged", "MATCHED": "records_matched", "EXIT": "exit_code", "RUN": "run_id"}[h]
		if header[i] == "" {
			header[i] = strings.ToLower(h)
		}
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, r := range rows {
		if err := cw.Write(r.fields()); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func joinTab(fs []string) string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = cmp.Or(f, "-")
	}
	return strings.Join(out, "\t")
}

func stamp(n int64, zone *time.Location) string {
	return time.Unix(0, n).In(zone).Format(runsTimeLayout)
}

// runsTimeLayout is the logs' layout to the second: RFC 3339 in the
// business zone with its offset.
const runsTimeLayout = "2006-01-02T15:04:05Z07:00"

func finished(r ledger.Run, zone *time.Location) string {
	if r.FinishedAt == nil || *r.FinishedAt == 0 {
		return "-"
	}
	return stamp(*r.FinishedAt, zone)
}

func exitOf(r ledger.Run) string {
	if r.ExitCode == nil {
		return "-"
	}
	return fmt.Sprint(*r.ExitCode)
}

// figure reads one of the run's stored headline figures.
func figure(r ledger.Run, name string) string {
	var m map[string]string
	if json.Unmarshal([]byte(r.Summary), &m) != nil || m[name] == "" {
		return "-"
	}
	return m[name]
}
