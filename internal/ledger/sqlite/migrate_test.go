package sqlite

import (
	"context"
	"log/slog"
	"path/filepath"
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
