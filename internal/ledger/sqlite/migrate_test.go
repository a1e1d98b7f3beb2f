package sqlite

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/ledger/storetest"
)

// TestMigrationSaysSo: storetest.Migrations on a store whose key tables
// (015_key_tables.sql) are undone, with rows in it, as the version before
// left it.
func TestMigrationSaysSo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "recon.db")
	exec := func(db ledger.Store, q ...string) {
		for _, q := range q {
			if _, err := db.(*DB).db.ExecContext(context.Background(), q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
	storetest.Migrations(t,
		func(log *slog.Logger) (ledger.Store, error) {
			return OpenWith(context.Background(), path, Options{Log: log})
		},
		func(db ledger.Store) string {
			loadKeyed(t, db.(*DB), 5)
			exec(db, `DROP TABLE delivery_keys`,
				`DROP TABLE gateway_keys`,
				`CREATE INDEX deliveries_by_key_hash ON deliveries (key_hash)`,
				`CREATE INDEX gateway_by_key_hash ON gateway_records (key_hash, fetched_at)`,
				`DELETE FROM migrations WHERE name LIKE '%015_key_tables.sql'`)
			return "015_key_tables.sql"
		},
		func(db ledger.Store) string {
			exec(db, `INSERT INTO migrations (name) VALUES ('migration/999_later.sql')`)
			return "999_later.sql"
		})
}

// TestFailedMigrationSaysNotDone: a step that fails leaves the store as it
// was, refused with the step's error, and the log does not say the store
// is up to date.
func TestFailedMigrationSaysNotDone(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "recon.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	loadKeyed(t, db, 5)
	// 015 undone but for its first table: running it again fails there.
	for _, q := range []string{
		`DROP TABLE delivery_keys`,
		`CREATE INDEX deliveries_by_key_hash ON deliveries (key_hash)`,
		`CREATE INDEX gateway_by_key_hash ON gateway_records (key_hash, fetched_at)`,
		`DELETE FROM migrations WHERE name LIKE '%015_key_tables.sql'`,
	} {
		if _, err := db.db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	var log bytes.Buffer
	if db, err := OpenWith(ctx, path, Options{Log: slog.New(slog.NewTextHandler(&log, nil))}); err == nil {
		db.Close()
		t.Fatal("a store whose migration fails was opened")
	} else if !strings.Contains(err.Error(), "015_key_tables.sql") {
		t.Errorf("the error does not name the step: %v", err)
	}
	if !strings.Contains(log.String(), "bringing the store up to date") || strings.Contains(log.String(), `msg="store up to date"`) {
		t.Errorf("a failed migration logged:\n%s", log.String())
	}
}
