package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kwikpaisa/recon/internal/export"
	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/recon"
)

const exceptionsAbout = `Lists the exceptions the store holds across dates, with their state,
owner and note (SPEC §8) and their age today, by date, category, entity,
reference. --open keeps OPEN and INVESTIGATING; --older-than N keeps those
first seen more than N days ago. --audit lists the audit trail instead:
every change of state, oldest first, by whom and why.

Output is CSV (default) or JSON (--format json); amounts are plain
decimals (1234.50), as in the reports.`

// exceptionFields are the columns of recon exceptions.
var exceptionFields = []string{"business_date", "category", "entity", "reference", "severity", "state", "owner",
	"note", "first_seen", "age_days", "provisional", "ledger_amount", "gateway_amount", "difference", "resolved_on",
	"detail"}

// auditFields are the columns of recon exceptions --audit.
var auditFields = []string{"id", "at", "who", "business_date", "category", "entity", "reference", "from", "to",
	"owner", "note", "run_id"}

func exceptionsCmd(ctx context.Context, e *env, args []string) error {
	var store storeFlags
	fs := newFlagSet(e, "exceptions", "[--open] [--date YYYY-MM-DD] [--category C] [--older-than DAYS] [--format csv|json] [flags]", exceptionsAbout)
	open := fs.Bool("open", false, "only OPEN and INVESTIGATING exceptions")
	date := fs.String("date", "", "only this business `date`")
	category := fs.String("category", "", "only this `category`")
	olderThan := fs.Int("older-than", 0, "only exceptions first seen more than `days` ago")
	format := fs.String("format", "csv", "output `format`: csv or json")
	audit := fs.Bool("audit", false, "list the audit trail (of --date, or all) instead of the exceptions")
	store.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *format != "csv" && *format != "json" {
		return &usageError{message: fmt.Sprintf("unknown format %q", *format), hint: "--format takes csv or json"}
	}
	if *date != "" {
		if _, err := time.Parse(time.DateOnly, *date); err != nil {
			return &usageError{message: fmt.Sprintf("--date %q is not a date", *date), hint: "dates are written 2026-11-24"}
		}
	}
	cat := recon.Category(strings.ToUpper(*category))
	if cat != "" && !slices.Contains(recon.Categories, cat) {
		return &usageError{message: fmt.Sprintf("unknown category %q", *category), hint: "categories are listed in SPEC §4, e.g. AMOUNT_MISMATCH"}
	}
	if *olderThan < 0 {
		return &usageError{message: fmt.Sprintf("--older-than %d is not a number of days", *olderThan), hint: "recon exceptions --open --older-than 3"}
	}
	db, zone, err := store.open(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close()
	var header []string
	var rows [][]string
	if *audit {
		entries, err := db.Audit(ctx, *date)
		if err != nil {
			return err
		}
		header = auditFields
		for _, a := range entries {
			rows = append(rows, []string{strconv.FormatInt(a.ID, 10), a.At, a.Who, a.Key.Date, string(a.Key.Category),
				string(a.Key.Entity), a.Key.Reference, string(a.From), string(a.To), a.Owner, a.Note, a.RunID})
		}
	} else {
		list, err := db.List(ctx, ledger.Filter{Date: *date, Category: cat, Open: *open, OlderThan: *olderThan,
			Today: e.now().In(zone).Format(time.DateOnly)})
		if err != nil {
			return err
		}
		header = exceptionFields
		for _, l := range list {
			rows = append(rows, []string{l.Date, string(l.Category), string(l.Entity), l.Reference, string(l.Severity),
				string(l.State), l.Owner, l.Note, l.FirstSeen, strconv.Itoa(l.AgeDays), strconv.FormatBool(l.Provisional),
				amountText(l.LedgerAmount), amountText(l.GatewayAmount), amountText(l.Difference), l.ResolvedOn, l.Detail})
		}
	}
	if *format == "json" {
		return writeJSONRows(e.stdout, header, rows)
	}
	w := csv.NewWriter(e.stdout)
	safe := func(cells []string) []string {
		out := make([]string, len(cells))
		for i, c := range cells {
			out[i] = export.Defuse(c)
		}
		return out
	}
	w.Write(header)
	for _, r := range rows {
		w.Write(safe(r))
	}
	w.Flush()
	return w.Error()
}

func amountText(a *recon.Amount) string {
	if a == nil {
		return ""
	}
	return a.String()
}

// writeJSONRows writes rows as a JSON array of objects keyed by header, in
// header order.
func writeJSONRows(w io.Writer, header []string, rows [][]string) error {
	out := make([]json.RawMessage, 0, len(rows))
	for _, r := range rows {
		var b strings.Builder
		b.WriteByte('{')
		for i, h := range header {
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(h)
			v, _ := json.Marshal(r[i])
			b.Write(k)
			b.WriteByte(':')
			b.Write(v)
		}
		b.WriteByte('}')
		out = append(out, json.RawMessage(b.String()))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
