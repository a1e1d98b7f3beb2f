package sqlite

import (
	"context"
	"crypto/sha256"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/ledger/storetest"
	"github.com/kwikpaisa/recon/internal/recon"
)

// loadKeyed stores a webhook log and a gateway dump of n rows each, keys
// ORD-0… and PO-0… alternating.
func loadKeyed(t *testing.T, db *DB, n int) {
	t.Helper()
	key := func(i int) (recon.Entity, string) {
		if i%2 == 1 {
			return recon.EntityPayout, fmt.Sprintf("PO-%d", i)
		}
		return recon.EntityPayin, fmt.Sprintf("ORD-%d", i)
	}
	ctx := context.Background()
	err := db.LoadFile(ctx, &recon.SourceFile{Kind: "webhooks", Path: "webhooks.jsonl", SHA256: "w"}, func(l ledger.Loader) error {
		for i := range n {
			entity, k := key(i)
			err := l.Delivery(&recon.Delivery{Place: recon.PlaceOf("webhooks.jsonl", strconv.Itoa(i+1)), Event: "e", Entity: entity,
				Key: k, Class: recon.StatusSuccess, BodySHA256: sha256.Sum256([]byte(k)), Verified: recon.VerifyRaw})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.LoadFile(ctx, &recon.SourceFile{Kind: "gateway", Path: "gateway.jsonl", SHA256: "g"}, func(l ledger.Loader) error {
		for i := range n {
			entity, k := key(i)
			err := l.Gateway(&recon.GatewayRecord{Entity: entity, Key: k, Amount: 100, Currency: "INR", Status: "PAID",
				Class: recon.StatusSuccess, Place: recon.PlaceOf("gateway.jsonl", strconv.Itoa(i+1)), Detail: &recon.GatewayDetail{}})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// checkKeyHashes fails unless every stored delivery's and gateway record's
// key_hash is its entity's and key's, and each is found by key through
// the hash index.
func checkKeyHashes(t *testing.T, db *DB, want int) {
	t.Helper()
	ctx := context.Background()
	for _, table := range []string{"deliveries", "gateway_records"} {
		var rows []struct {
			Entity, Key string
			Hash        int64 `db:"key_hash"`
		}
		if err := db.db.SelectContext(ctx, &rows, `SELECT entity, key, key_hash FROM `+table); err != nil {
			t.Fatal(err)
		}
		if len(rows) != want {
			t.Fatalf("%d rows in %s, want %d", len(rows), table, want)
		}
		for _, r := range rows {
			if w := recon.KeyHash(recon.Entity(r.Entity), r.Key); r.Hash != w {
				t.Errorf("%s %s %s: key_hash %d, want %d", table, r.Entity, r.Key, r.Hash, w)
			}
		}
		var found int
		err := db.db.GetContext(ctx, &found, `SELECT count(*) FROM `+table+`
			WHERE key_hash = recon_key_hash('PAYOUT', 'PO-3') AND entity = 'PAYOUT' AND key = 'PO-3'`)
		if err != nil || found != 1 {
			t.Errorf("%s of PAYOUT PO-3 by its hash: %d (%v), want 1", table, found, err)
		}
	}
}

// TestKeyHash: each delivery and gateway record is stored with the hash of
// its entity and key (which entity "PAYIN", key "X" and entity "PAYINX",
// key "" do not share), and the queries by key look it up in the hash
// indexes rather than scanning the table.
func TestKeyHash(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	loadKeyed(t, db, 40)
	checkKeyHashes(t, db, 40)
	var a, b int64
	if err := db.db.QueryRowxContext(ctx, `SELECT recon_key_hash('PAYIN', 'X'), recon_key_hash('PAYINX', '')`).Scan(&a, &b); err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Errorf("recon_key_hash('PAYIN', 'X') = recon_key_hash('PAYINX', '') = %d: entity and key run together", a)
	}
	for _, c := range []struct{ name, index, query string }{
		{"deliveries joined from the ledger", "deliveries_by_key_hash", joinQuery(orderLedger, deliveryColumns, "deliveries w", "w", "")},
		{"deliveries of a key", "deliveries_by_key_hash", deliveriesOfKey},
		// From the index alone: reading each row to compare its key read the
		// table at random (8 s of system time at tier M by time).
		{"gateway records joined from the ledger", "COVERING INDEX gateway_by_key_hash", hashedIDs(orderLedger, "gateway_records", "")},
		{"gateway records of a key", "gateway_by_key_hash", gatewayOfKey},
	} {
		if plan := queryPlan(t, db, c.query, "PAYIN", "ORD-2"); !strings.Contains(plan, c.index) {
			t.Errorf("%s: plan %q does not use %s", c.name, plan, c.index)
		}
	}
}

// TestMigrateKeyHash: a store written before the hash indexes gets every
// stored delivery's and gateway record's hash when it is opened.
func TestMigrateKeyHash(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "recon.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	loadKeyed(t, db, 25)
	// Back to the schema before the migration.
	for _, q := range []string{
		`DROP INDEX deliveries_by_key_hash`,
		`ALTER TABLE deliveries DROP COLUMN key_hash`,
		`CREATE INDEX deliveries_by_key ON deliveries (entity, key)`,
		`DROP INDEX gateway_by_key_hash`,
		`ALTER TABLE gateway_records DROP COLUMN key_hash`,
		`CREATE INDEX gateway_by_key ON gateway_records (entity, key, fetched_at)`,
		`DELETE FROM migrations WHERE name LIKE '%014_key_hash.sql'`,
	} {
		if _, err := db.db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	checkKeyHashes(t, db, 25)
}

// TestLoadDaySharedHash: a gateway record whose key shares its hash with a
// ledger key's (made here by writing the hash; FNV-1a's collisions are
// rare, not impossible) is not loaded as that key's, and does not break
// the day.
func TestLoadDaySharedHash(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	from, at := storetest.Day()
	sources := map[string]recon.SourceFile{
		"orders": orderFile(t, db, at),
		"gateway": storetest.LoadFile(t, db, "gateway", "gateway.jsonl", func(l ledger.Loader) error {
			for i, key := range []string{"ORD-1", "ORD-OTHER"} {
				if err := l.Gateway(&recon.GatewayRecord{Entity: recon.EntityPayin, Key: key, Amount: 100, Currency: "INR",
					Status: "SUCCESS", Class: recon.StatusSuccess, Place: recon.PlaceOf("gateway.jsonl", strconv.Itoa(i+1))}); err != nil {
					return err
				}
			}
			return nil
		}),
	}
	if err := db.SetDaySources(ctx, "2026-11-24", sources); err != nil {
		t.Fatal(err)
	}
	if _, err := db.db.ExecContext(ctx, `UPDATE gateway_records SET key_hash = ? WHERE key = 'ORD-OTHER'`, recon.KeyHash(recon.EntityPayin, "ORD-1")); err != nil {
		t.Fatal(err)
	}
	d, err := db.LoadDay(ctx, recon.BusinessDay{Date: "2026-11-24", Start: from, End: from.AddDate(0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Gateway) != 1 || d.Gateway[0].Key != "ORD-1" || d.Gateway[0].Place.LineNo() != 1 {
		t.Errorf("gateway records of the day: %+v, want ORD-1's, line 1", d.Gateway)
	}
}
