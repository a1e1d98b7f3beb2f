package sqlite

import (
	"context"
	"crypto/sha256"
	"fmt"
	"hash/fnv"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/recon"
)

// keyHash is recon_key_hash written in Go, to pin down its definition.
func keyHash(entity, key string) int64 {
	h := fnv.New64a()
	h.Write([]byte(entity + "\xff" + key))
	return int64(h.Sum64())
}

// loadDeliveries stores a webhook log of n deliveries, keys ORD-0… and
// PO-0… alternating.
func loadDeliveries(t *testing.T, db *DB, path string, n int) {
	t.Helper()
	err := db.LoadFile(context.Background(), &recon.SourceFile{Kind: "webhooks", Path: path, SHA256: path}, func(l ledger.Loader) error {
		for i := range n {
			entity, key := recon.EntityPayin, fmt.Sprintf("ORD-%d", i)
			if i%2 == 1 {
				entity, key = recon.EntityPayout, fmt.Sprintf("PO-%d", i)
			}
			err := l.Delivery(&recon.Delivery{Place: recon.PlaceOf(path, strconv.Itoa(i+1)), Event: "e", Entity: entity,
				Key: key, Class: recon.StatusSuccess, BodySHA256: sha256.Sum256([]byte(key)), Verified: recon.VerifyRaw})
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

// checkKeyHashes fails unless every stored delivery's key_hash is its
// entity's and key's, and the deliveries are found by key through the
// hash index.
func checkKeyHashes(t *testing.T, db *DB, want int) {
	t.Helper()
	ctx := context.Background()
	var rows []struct {
		Entity, Key string
		Hash        int64 `db:"key_hash"`
	}
	if err := db.db.SelectContext(ctx, &rows, `SELECT entity, key, key_hash FROM deliveries`); err != nil {
		t.Fatal(err)
	}
	if len(rows) != want {
		t.Fatalf("%d deliveries stored, want %d", len(rows), want)
	}
	for _, r := range rows {
		if w := keyHash(r.Entity, r.Key); r.Hash != w {
			t.Errorf("delivery %s %s: key_hash %d, want %d", r.Entity, r.Key, r.Hash, w)
		}
	}
	var found int
	err := db.db.GetContext(ctx, &found, `SELECT count(*) FROM deliveries
		WHERE key_hash = recon_key_hash('PAYOUT', 'PO-3') AND entity = 'PAYOUT' AND key = 'PO-3'`)
	if err != nil || found != 1 {
		t.Errorf("deliveries of PAYOUT PO-3 by its hash: %d (%v), want 1", found, err)
	}
}

// TestDeliveryKeyHash: each delivery is stored with the hash of its entity
// and key (which entity "PAYIN", key "X" and entity "PAYINX", key "" do not
// share), and the day's queries of deliveries by key look it up in the
// hash index rather than scanning the log.
func TestDeliveryKeyHash(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	loadDeliveries(t, db, "webhooks.jsonl", 40)
	checkKeyHashes(t, db, 40)
	var a, b int64
	if err := db.db.QueryRowxContext(ctx, `SELECT recon_key_hash('PAYIN', 'X'), recon_key_hash('PAYINX', '')`).Scan(&a, &b); err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Errorf("recon_key_hash('PAYIN', 'X') = recon_key_hash('PAYINX', '') = %d: entity and key run together", a)
	}
	queries := map[string]string{
		"join from the ledger": `SELECT w.line FROM orders l CROSS JOIN deliveries w
			ON w.key_hash = recon_key_hash('PAYIN', l.order_id) AND w.entity = 'PAYIN' AND w.key = l.order_id WHERE l.file_id = 1`,
		"a key the gateway created": `SELECT w.line FROM deliveries w
			WHERE w.key_hash = recon_key_hash(?1, ?2) AND w.entity = ?1 AND w.key = ?2 AND w.file_id IN (1)`,
	}
	for name, q := range queries {
		if s := queryPlan(t, db, q, "PAYIN", "ORD-2"); !strings.Contains(s, "deliveries_by_key_hash") {
			t.Errorf("%s: plan %q does not use deliveries_by_key_hash", name, s)
		}
	}
}

// TestMigrateDeliveryKeyHash: a store written before the hash index gets
// every stored delivery's hash when it is opened.
func TestMigrateDeliveryKeyHash(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "recon.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	loadDeliveries(t, db, "webhooks.jsonl", 25)
	// Back to the schema before the migration.
	for _, q := range []string{
		`DROP INDEX deliveries_by_key_hash`,
		`ALTER TABLE deliveries DROP COLUMN key_hash`,
		`CREATE INDEX deliveries_by_key ON deliveries (entity, key)`,
		`DELETE FROM migrations WHERE name LIKE '%014_delivery_key_hash.sql'`,
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
