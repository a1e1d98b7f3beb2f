package main

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/kwikpaisa/recon/internal/config"
	"github.com/kwikpaisa/recon/internal/ledger"
)

const runsAbout = `Lists past runs, newest first: business date, start and end (in the
business zone), status, the run's counts (records judged, matched,
exceptions, unverified) and its exit status. A run still in progress, or
killed before it could record its end, shows status running.`

func runsCmd(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "runs", "[--config FILE] [--db FILE] [--date YYYY-MM-DD] [-n N]", runsAbout)
	cfgPath := fs.String("config", "", "configuration `file` (TOML), for the database and zone")
	db := fs.String("db", "", "SQLite database `file` (default ./recon.db)")
	date := fs.String("date", "", "only runs of this business `date`")
	limit := fs.Int("n", 20, "show at most `N` runs")
	if err := parseFlags(fs, args); err != nil {
		return err
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
	runs, err := listRuns(ctx, path, max(*limit, 1)*10+1000)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "DATE\tSTARTED\tFINISHED\tSTATUS\tJUDGED\tMATCHED\tEXCEPTIONS\tUNVERIFIED\tEXIT\tRUN")
	shown := 0
	for _, r := range runs {
		if *date != "" && r.BusinessDate != *date {
			continue
		}
		if shown == *limit {
			break
		}
		shown++
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.BusinessDate, stamp(r.StartedAt, zone), finished(r, zone), r.Status,
			figure(r, "records_judged"), figure(r, "records_matched"), figure(r, "exceptions"), figure(r, "unverified"), exitOf(r), r.ID)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if shown == 0 {
		fmt.Fprintf(e.stdout, "(no runs recorded in %s)\n", path)
	}
	return nil
}

func stamp(n int64, zone *time.Location) string {
	return time.Unix(0, n).In(zone).Format("2006-01-02 15:04:05")
}

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
