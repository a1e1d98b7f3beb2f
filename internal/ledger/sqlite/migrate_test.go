package sqlite

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
)

// TestMigrationSaysSo: opening a store that holds data and lacks a
// migration says so before it runs it and how long it took after; a new
// store and a store up to date say nothing; a store a newer recon migrated
// is refused, named, and left as it was.
func TestMigrationSaysSo(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "recon.db")
	var log bytes.Buffer
	open := func() (*DB, error) {
		log.Reset()
		return OpenWith(ctx, path, Options{Log: slog.New(slog.NewTextHandler(&log, nil))})
	}
	db, err := open()
	if err != nil {
		t.Fatal(err)
	}
	if log.Len() != 0 {
		t.Errorf("a new store's migrations were logged:\n%s", log.String())
	}
	loadKeyed(t, db, 5)
	for _, q := range []string{
		`DROP TABLE delivery_keys`,
		`DROP TABLE gateway_keys`,
		`CREATE INDEX deliveries_by_key_hash ON deliveries (key_hash)`,
		`CREATE INDEX gateway_by_key_hash ON gateway_records (key_hash, fetched_at)`,
		`DELETE FROM migrations WHERE name LIKE '%015_key_tables.sql'`,
	} {
		if _, err := db.db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()

	if db, err = open(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "level=WARN") || !strings.Contains(lines[0], "bringing the store up to date") ||
		!strings.Contains(lines[0], "migrations=[015_key_tables.sql]") || !strings.Contains(lines[0], "store="+path) ||
		!strings.Contains(lines[1], `msg="store up to date"`) || !strings.Contains(lines[1], "elapsed_ms=") {
		t.Errorf("opening a store that lacks 015_key_tables.sql logged:\n%s", log.String())
	}
	checkKeyHashes(t, db, 5)
	db.Close()

	if db, err = open(); err != nil {
		t.Fatal(err)
	}
	if log.Len() != 0 {
		t.Errorf("a store up to date logged:\n%s", log.String())
	}
	if _, err := db.db.ExecContext(ctx, `INSERT INTO migrations (name) VALUES ('migration/999_later.sql')`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	if db, err := open(); err == nil {
		db.Close()
		t.Fatal("a store a newer recon migrated (999_later.sql) was opened")
	} else if msg := err.Error(); !strings.Contains(msg, path) || !strings.Contains(msg, "999_later.sql") || !strings.Contains(msg, "a newer version of recon") {
		t.Errorf("the refusal does not name the store, the migration and why: %v", err)
	}
	if log.Len() != 0 {
		t.Errorf("a refused store logged a migration:\n%s", log.String())
	}
}
