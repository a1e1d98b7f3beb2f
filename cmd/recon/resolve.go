package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/user"
	"slices"
	"strings"
	"time"

	"github.com/kwikpaisa/recon/internal/config"
	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/ledger/stores"
	"github.com/kwikpaisa/recon/internal/recon"
)

const resolveAbout = `Records what a person did about one exception (SPEC §8): its new state,
OPEN, INVESTIGATING, RESOLVED (handled outside recon) or WRITTEN_OFF (the
difference accepted), with a note, which RESOLVED and WRITTEN_OFF need.
The change is appended to the store's audit trail with the time, who made
it (--by, else the OS user), the state before and after, and the note;
nothing in that trail is ever changed or deleted.

An exception is its business date, category, entity and reference; give
--entity when the reference is reported for more than one entity. A
manual state holds while the exception is reported; when later data
settles it the run resolves it, and if it comes back, it re-opens.`

// storeFlags are the flags that find the store: --config and --db.
type storeFlags struct{ config, db string }

func (s *storeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&s.config, "config", "", "configuration `file` (TOML), for the database and zone")
	fs.StringVar(&s.db, "db", "", "the store: an SQLite `file` (default ./recon.db) or a postgres:// URL without its password (PGPASSWORD)")
}

// open opens the store a run wrote: a path with no database is an error,
// not a new empty store.
func (s *storeFlags) open(ctx context.Context, e *env) (ledger.Store, *time.Location, error) {
	file := config.Default()
	if s.config != "" {
		f, err := config.Load(s.config)
		if err != nil {
			return nil, nil, err
		}
		file = f
	}
	zone, err := config.LoadZone(file.Zone)
	if err != nil {
		return nil, nil, err
	}
	path := firstOf(s.db, file.DB, "recon.db")
	if _, err := os.Stat(path); err != nil && !stores.IsURL(path) {
		return nil, nil, fmt.Errorf("no database at %s: run 'recon run' first, or give --db or --config", path)
	}
	db, err := stores.Open(ctx, path, stores.Options{Now: e.now, Log: newLogger(e.stderr, false)})
	if err != nil {
		return nil, nil, err
	}
	return db, zone, nil
}

// who is the name an audit entry records: --by, else the OS user.
func who(by string) string {
	if by = strings.TrimSpace(by); by != "" {
		return by
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return "unknown"
}

func resolveCmd(ctx context.Context, e *env, args []string) error {
	var store storeFlags
	fs := newFlagSet(e, "resolve", "--date YYYY-MM-DD --category C --reference R --state S [--note TEXT] [flags]", resolveAbout)
	date := fs.String("date", "", "business `date` of the exception, YYYY-MM-DD (required)")
	category := fs.String("category", "", "the exception's `category`, e.g. AMOUNT_MISMATCH (required)")
	entity := fs.String("entity", "", "the exception's `entity`: PAYIN, PAYOUT or WEBHOOK (when the reference is ambiguous)")
	reference := fs.String("reference", "", "the exception's `reference`: order id, payout id or line:N (required)")
	state := fs.String("state", "", "new `state`: OPEN, INVESTIGATING, RESOLVED or WRITTEN_OFF (required)")
	note := fs.String("note", "", "what was done (`text`); required for RESOLVED and WRITTEN_OFF")
	owner := fs.String("owner", "", "who owns the exception from now (`name`; default: unchanged)")
	by := fs.String("by", "", "who records the change (`name`; default: the OS user)")
	store.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	example := "recon resolve --date 2026-11-24 --category AMOUNT_MISMATCH --reference PO-1 --state RESOLVED --note \"refunded ₹50\""
	for _, req := range []struct{ name, value string }{{"date", *date}, {"category", *category}, {"reference", *reference}, {"state", *state}} {
		if req.value == "" {
			return &usageError{message: "missing --" + req.name, hint: example}
		}
	}
	if _, err := time.Parse(time.DateOnly, *date); err != nil {
		return &usageError{message: fmt.Sprintf("--date %q is not a date", *date), hint: "dates are written 2026-11-24"}
	}
	st, ok := recon.ParseState(*state)
	if !ok {
		return &usageError{message: fmt.Sprintf("unknown state %q", *state), hint: "--state takes OPEN, INVESTIGATING, RESOLVED or WRITTEN_OFF"}
	}
	if st.NeedsNote() && strings.TrimSpace(*note) == "" {
		return &usageError{message: fmt.Sprintf("%s needs a note saying what was done", st), hint: example}
	}
	cat := recon.Category(strings.ToUpper(*category))
	if !slices.Contains(recon.Categories, cat) {
		return &usageError{message: fmt.Sprintf("unknown category %q", *category), hint: "categories are listed in SPEC §4, e.g. AMOUNT_MISMATCH"}
	}

	db, _, err := store.open(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close()
	key, err := db.FindKey(ctx, ledger.Key{Date: *date, Category: cat, Entity: recon.Entity(strings.ToUpper(*entity)), Reference: *reference})
	var amb *ledger.AmbiguousError
	switch {
	case errors.As(err, &amb):
		return &usageError{message: amb.Error(), hint: "say which with --entity " + string(amb.Entities[0])}
	case errors.Is(err, ledger.ErrNoException):
		return fmt.Errorf("%w; list the date's exceptions with: recon exceptions --date %s", err, *date)
	case err != nil:
		return err
	}
	ch := ledger.Change{Key: key, To: st, Note: *note, Who: who(*by)}
	if *owner != "" {
		ch.Owner = owner
	}
	entries, err := db.Record(ctx, []ledger.Change{ch})
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		fmt.Fprintf(e.stdout, "Nothing to record: %s is already %s with that owner and note.\n", key, st)
		return nil
	}
	a := entries[0]
	fmt.Fprintf(e.stdout, "Recorded: %s: %s -> %s by %s.\n", key, a.From, a.To, a.Who)
	return nil
}
