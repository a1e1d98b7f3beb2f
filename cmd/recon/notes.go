package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/kwikpaisa/recon/internal/export"
	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/recon"
)

const notesAbout = `recon notes import FILE.xlsx reads back a report workbook a person edited:
the State, Owner and Note columns of its report sheets (and Open items).
Each row whose state, owner or note differs from the store's is recorded
as an audit entry (SPEC §8), by --by or the OS user.

The file is applied whole or not at all: a row whose exception no longer
exists, an unknown state, RESOLVED or WRITTEN_OFF without a note, or two
rows giving one exception different values, is refused with its sheet
and row, and then nothing from the file is recorded.`

func notesCmd(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "import" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
			fmt.Fprintf(e.stdout, "Usage: recon notes import FILE.xlsx [flags]\n\n%s\n\nRun 'recon notes import -h' for its flags.\n", notesAbout)
			return nil
		}
		return &usageError{message: "recon notes takes the subcommand import", hint: "recon notes import reports/2026-11-24/recon-2026-11-24.xlsx"}
	}
	var store storeFlags
	fs := newFlagSet(e, "notes import", "FILE.xlsx [flags]", notesAbout)
	by := fs.String("by", "", "who records the changes (`name`; default: the OS user)")
	store.register(fs)
	// The file comes first, or last after the flags.
	rest := args[1:]
	var file string
	switch n := len(rest); {
	case n > 0 && !strings.HasPrefix(rest[0], "-"):
		file, rest = rest[0], rest[1:]
	case n > 0 && strings.HasSuffix(strings.ToLower(rest[n-1]), ".xlsx"):
		file, rest = rest[n-1], rest[:n-1]
	}
	if err := parseFlags(fs, rest); err != nil {
		return err
	}
	if file == "" {
		return &usageError{message: "missing the workbook to import", hint: "recon notes import reports/2026-11-24/recon-2026-11-24.xlsx"}
	}
	rows, err := export.ReadNotes(file)
	if err != nil {
		return err
	}
	db, _, err := store.open(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close()
	changes, refused := notesChanges(ctx, db, rows, who(*by))
	if len(refused) > 0 {
		return fmt.Errorf("%s: nothing recorded: %d row(s) refused:\n  %s", file, len(refused), strings.Join(refused, "\n  "))
	}
	entries, err := db.Record(ctx, changes)
	if err != nil {
		return fmt.Errorf("%s: nothing recorded: %w", file, err)
	}
	fmt.Fprintf(e.stdout, "Recorded %d change(s) from %s (%d row(s) read, the others unchanged).\n", len(entries), file, len(rows))
	for _, a := range entries {
		fmt.Fprintf(e.stdout, "  %s: %s -> %s by %s\n", a.Key, a.From, a.To, a.Who)
	}
	return nil
}

// notesChanges turns a workbook's rows into changes, or says why each bad
// row is refused ("sheet Mismatches row 5: …").
func notesChanges(ctx context.Context, db ledger.Store, rows []export.NoteRow, by string) ([]ledger.Change, []string) {
	var refused []string
	type seen struct {
		at     string
		change ledger.Change
	}
	byKey := map[ledger.Key]seen{}
	var changes []ledger.Change
	for _, r := range rows {
		at := fmt.Sprintf("sheet %s row %d", r.Sheet, r.Row)
		st, ok := recon.ParseState(r.State)
		if !ok {
			refused = append(refused, fmt.Sprintf("%s: unknown state %q (OPEN, INVESTIGATING, RESOLVED or WRITTEN_OFF)", at, r.State))
			continue
		}
		if st.NeedsNote() && r.Note == "" {
			refused = append(refused, fmt.Sprintf("%s: %s needs a note saying what was done", at, st))
			continue
		}
		k := ledger.Key{Date: r.Key[0], Category: recon.Category(r.Key[1]), Entity: recon.Entity(r.Key[2]), Reference: r.Key[3]}
		if k.Entity == "" {
			refused = append(refused, fmt.Sprintf("%s: no entity: was the Entity cell cleared?", at))
			continue
		}
		cur, err := db.Current(ctx, k)
		if err != nil {
			if errors.Is(err, ledger.ErrNoException) {
				refused = append(refused, fmt.Sprintf("%s: %s %s %s on %s: no such exception in the store (a newer run replaced it?)",
					at, k.Category, k.Entity, k.Reference, k.Date))
			} else {
				refused = append(refused, fmt.Sprintf("%s: %v", at, err))
			}
			continue
		}
		owner := r.Owner
		if cur.State == st && cur.Owner == owner && cur.Note == r.Note {
			continue // as stored: a carried row also listed in Open items, say
		}
		c := ledger.Change{Key: k, To: st, Owner: &owner, Note: r.Note, Who: by}
		if prev, ok := byKey[k]; ok {
			if prev.change.To != c.To || *prev.change.Owner != owner || prev.change.Note != c.Note {
				refused = append(refused, fmt.Sprintf("%s: gives %s %s other values than %s", at, k.Category, k.Reference, prev.at))
			}
			continue
		}
		byKey[k] = seen{at, c}
		changes = append(changes, c)
	}
	return changes, refused
}
