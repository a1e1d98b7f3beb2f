package main

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestOlderStoreSaysSo: a store an older recon wrote (here, the fixture
// day's store with its last migration undone) is brought up to date by the
// first command that opens it, which says so on stderr before it starts;
// a store a newer recon migrated is refused by every command with the
// reason, and exits 1.
func TestOlderStoreSaysSo(t *testing.T) {
	inRepoRoot(t)
	t.Setenv("KWIKPAISA_WEBHOOK_SECRET", fixtureSecret)
	tmp := t.TempDir()
	path := filepath.Join(tmp, "recon.db")
	now := fixtureNow
	recon := func(args ...string) (int, string, string) {
		now = now.Add(time.Minute) // each run its own id
		return runRecon(t, now, args...)
	}
	if code, _, stderr := recon(fixtureRun(tmp, "--log-format", "json")...); code != 0 {
		t.Fatalf("first run: exit %d, stderr %s", code, stderr)
	}
	undo := func(q ...string) {
		t.Helper()
		db, err := sql.Open("sqlite3", "file:"+path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		for _, q := range q {
			if _, err := db.Exec(q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
	older := []string{
		`DROP TABLE delivery_keys`,
		`DROP TABLE gateway_keys`,
		`CREATE INDEX deliveries_by_key_hash ON deliveries (key_hash)`,
		`CREATE INDEX gateway_by_key_hash ON gateway_records (key_hash, fetched_at)`,
		`DELETE FROM migrations WHERE name LIKE '%015_key_tables.sql'`,
	}
	for _, args := range [][]string{
		{"runs", "--db", path},
		fixtureRun(tmp, "--log-format", "json"),
		{"exceptions", "--db", path, "--date", fixtureDate},
	} {
		undo(older...)
		code, _, stderr := recon(args...)
		if code != 0 {
			t.Errorf("recon %s on an older store: exit %d, stderr %s", args[0], code, stderr)
		}
		if !strings.Contains(stderr, "bringing the store up to date") || !strings.Contains(stderr, "015_key_tables.sql") || !strings.Contains(stderr, path) {
			t.Errorf("recon %s on an older store did not say it brought %s up to date with 015_key_tables.sql; stderr:\n%s", args[0], path, stderr)
		}
		code, _, stderr = recon(args...)
		if strings.Contains(stderr, "bringing the store up to date") {
			t.Errorf("recon %s (exit %d) on a store up to date said it brought it up to date:\n%s", args[0], code, stderr)
		}
	}

	undo(`INSERT INTO migrations (name) VALUES ('migration/999_later.sql')`)
	for _, args := range [][]string{{"runs", "--db", path}, fixtureRun(tmp), {"exceptions", "--db", path, "--date", fixtureDate}} {
		code, _, stderr := recon(args...)
		if code != 1 || !strings.Contains(stderr, "a newer version of recon brought this store up to date") || !strings.Contains(stderr, "999_later.sql") {
			t.Errorf("recon %s on a store a newer recon migrated: exit %d (want 1), stderr:\n%s", args[0], code, stderr)
		}
	}
}
