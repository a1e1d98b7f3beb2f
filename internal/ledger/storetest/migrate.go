package storetest

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/kwikpaisa/recon/internal/ledger"
)

// Migrations checks what opening a store says of its schema: a new store
// and a store up to date say nothing; a store as an older recon left it
// is brought up to date, saying so first and how long it took after; a
// store a newer recon migrated is refused, saying why. open opens the same
// database each time, logging to log; older undoes the store's last
// migration, as the version before left the store, and newer records one
// this version does not know; each returns the migration's file name.
func Migrations(t *testing.T, open func(log *slog.Logger) (ledger.Store, error), older, newer func(ledger.Store) string) {
	t.Helper()
	var log bytes.Buffer
	reopen := func() ledger.Store {
		t.Helper()
		log.Reset()
		db, err := open(slog.New(slog.NewTextHandler(&log, nil)))
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	db := reopen()
	if log.Len() != 0 {
		t.Errorf("a new store's migrations were logged:\n%s", log.String())
	}
	last := older(db)
	db.Close()

	db = reopen()
	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "level=WARN") || !strings.Contains(lines[0], "bringing the store up to date") ||
		!strings.Contains(lines[0], "migrations=["+last+"]") || !strings.Contains(lines[0], "store="+db.Name()) ||
		!strings.Contains(lines[1], `msg="store up to date"`) || !strings.Contains(lines[1], "elapsed_ms=") {
		t.Errorf("opening a store that lacks %s logged:\n%s", last, log.String())
	}
	db.Close()

	db = reopen()
	if log.Len() != 0 {
		t.Errorf("a store up to date logged:\n%s", log.String())
	}
	later := newer(db)
	db.Close()

	log.Reset()
	if db, err := open(slog.New(slog.NewTextHandler(&log, nil))); err == nil {
		db.Close()
		t.Fatalf("a store a newer recon migrated (%s) was opened", later)
	} else if msg := err.Error(); !strings.Contains(msg, later) || !strings.Contains(msg, "a newer version of recon") {
		t.Errorf("the refusal does not name the migration and why: %v", err)
	}
	if log.Len() != 0 {
		t.Errorf("a refused store logged a migration:\n%s", log.String())
	}
}
