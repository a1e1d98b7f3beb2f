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
// key_hash is its entity's and key's, its key table holds exactly one
// entry per row, naming it (keytable.go), and a row is found by key
// through its key table.
func checkKeyHashes(t *testing.T, db *DB, want int) {
	t.Helper()
	ctx := context.Background()
	for _, c := range []struct{ table, keys, join, ofKey string }{
		{"deliveries", "delivery_keys", `k.key_hash = r.key_hash AND k.file_id = r.file_id AND k.line = r.line`, deliveriesOfKey},
		{"gateway_records", "gateway_keys", `k.key_hash = r.key_hash AND k.fetched_at = r.fetched_at AND k.id = r.id`, gatewayOfKey},
	} {
		var rows []struct {
			Entity, Key string
			Hash        int64 `db:"key_hash"`
		}
		if err := db.db.SelectContext(ctx, &rows, `SELECT entity, key, key_hash FROM `+c.table); err != nil {
			t.Fatal(err)
		}
		if len(rows) != want {
			t.Fatalf("%d rows in %s, want %d", len(rows), c.table, want)
		}
		for _, r := range rows {
			if w := recon.KeyHash(recon.Entity(r.Entity), r.Key); r.Hash != w {
				t.Errorf("%s %s %s: key_hash %d, want %d", c.table, r.Entity, r.Key, r.Hash, w)
			}
		}
		var entries, named int
		if err := db.db.GetContext(ctx, &entries, `SELECT count(*) FROM `+c.keys); err != nil {
			t.Fatal(err)
		}
		if err := db.db.GetContext(ctx, &named, `SELECT count(*) FROM `+c.table+` r JOIN `+c.keys+` k ON `+c.join); err != nil {
			t.Fatal(err)
		}
		if entries != want || named != want {
			t.Errorf("%s: %d entries, %d of them naming a row of %s; want %d", c.keys, entries, named, c.table, want)
		}
		var found int
		if err := db.db.GetContext(ctx, &found, `SELECT count(*) FROM (`+c.ofKey+`)`, "PAYOUT", "PO-3"); err != nil || found != 1 {
			t.Errorf("%s of PAYOUT PO-3 by its hash: %d (%v), want 1", c.table, found, err)
		}
	}
}

// TestKeyHash: each delivery and gateway record is stored with the hash of
// its entity and key (which entity "PAYIN", key "X" and entity "PAYINX",
// key "" do not share), and the queries by key look it up in the key
// tables rather than scanning the rows.
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
	const (
		byHash   = "SEARCH k USING PRIMARY KEY (key_hash=?)" // either key table, by the hash
		delivery = "SEARCH w USING PRIMARY KEY (file_id=? AND line=?)"
		gateway  = "SEARCH g USING INTEGER PRIMARY KEY (rowid=?)"
	)
	for _, c := range []struct {
		name, query string
		steps       []string
	}{
		{"deliveries joined from the ledger", deliveriesJoin(orderLedger, ""), []string{byHash, delivery}},
		{"deliveries of a key", deliveriesOfKey, []string{byHash, delivery}},
		{"gateway records joined from the ledger", hashedIDs(orderLedger, ""), []string{byHash}},
		{"gateway records of a key", gatewayOfKey, []string{byHash, gateway}},
	} {
		plan := queryPlan(t, db, c.query, "PAYIN", "ORD-2")
		for _, step := range c.steps {
			if !strings.Contains(plan, step) {
				t.Errorf("%s: plan %q lacks %q", c.name, plan, step)
			}
		}
	}
	// The latest record of each candidate key, newest entry first.
	if plan := queryPlan(t, db, pullCandidates, "2026-11-24", 0, 1, "2026-11-17", 0); !strings.Contains(plan, "SEARCH gk USING PRIMARY KEY (key_hash=?)") ||
		strings.Contains(plan, "SCAN gateway_records") {
		t.Errorf("pull candidates: plan %q does not find the gateway records through gateway_keys", plan)
	}
}

// TestKeyTablesReplaced: a file loaded again takes its old rows' key
// entries out with them, and leaves another file's.
func TestKeyTablesReplaced(t *testing.T) {
	db := mustOpen(t)
	loadKeyed(t, db, 40)
	ctx := context.Background()
	other := &recon.SourceFile{Kind: "gateway", Path: "other.jsonl", SHA256: "o"}
	if err := db.LoadFile(ctx, other, func(l ledger.Loader) error {
		return l.Gateway(&recon.GatewayRecord{Entity: recon.EntityPayin, Key: "ORD-0", Amount: 1, Currency: "INR",
			Status: "PAID", Class: recon.StatusSuccess, Place: recon.PlaceOf("other.jsonl", "1")})
	}); err != nil {
		t.Fatal(err)
	}
	loadKeyed(t, db, 40) // the same paths, new content: replaced
	var n int
	if err := db.db.GetContext(ctx, &n, `SELECT count(*) FROM (`+gatewayOfKey+`)`, "PAYIN", "ORD-0"); err != nil || n != 2 {
		t.Errorf("gateway records of ORD-0 by key: %d (%v), want 2: the replaced dump's and the other's", n, err)
	}
	// Without the other dump's record, what is left is loadKeyed's alone.
	for _, q := range []string{
		`DELETE FROM gateway_keys WHERE id IN (SELECT id FROM gateway_records WHERE file_id = (SELECT id FROM source_files WHERE path = 'other.jsonl'))`,
		`DELETE FROM gateway_records WHERE file_id = (SELECT id FROM source_files WHERE path = 'other.jsonl')`,
	} {
		if _, err := db.db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	checkKeyHashes(t, db, 40)
}

// reopenAfter stores loadKeyed's 25 rows in a new store, runs back, the
// statements that take it back to an earlier schema, and opens it again,
// bringing it up to date.
func reopenAfter(t *testing.T, back ...string) *DB {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "recon.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	loadKeyed(t, db, 25)
	for _, q := range back {
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
	t.Cleanup(func() { db.Close() })
	return db
}

// TestMigrateKeyHash: a store written before the hash indexes gets every
// stored delivery's and gateway record's hash, and its key tables, when it
// is opened.
func TestMigrateKeyHash(t *testing.T) {
	db := reopenAfter(t,
		`DROP TABLE delivery_keys`,
		`DROP TABLE gateway_keys`,
		`ALTER TABLE deliveries DROP COLUMN key_hash`,
		`CREATE INDEX deliveries_by_key ON deliveries (entity, key)`,
		`ALTER TABLE gateway_records DROP COLUMN key_hash`,
		`CREATE INDEX gateway_by_key ON gateway_records (entity, key, fetched_at)`,
		`DELETE FROM migrations WHERE name LIKE '%014_key_hash.sql' OR name LIKE '%015_key_tables.sql'`)
	checkKeyHashes(t, db, 25)
}

// TestMigrateKeyTables: a store whose key indexes SQLite kept gets its key
// tables when it is opened, and the indexes go.
func TestMigrateKeyTables(t *testing.T) {
	db := reopenAfter(t,
		`DROP TABLE delivery_keys`,
		`DROP TABLE gateway_keys`,
		`CREATE INDEX deliveries_by_key_hash ON deliveries (key_hash)`,
		`CREATE INDEX gateway_by_key_hash ON gateway_records (key_hash, fetched_at)`,
		`DELETE FROM migrations WHERE name LIKE '%015_key_tables.sql'`)
	checkKeyHashes(t, db, 25)
	var n int
	err := db.db.GetContext(context.Background(), &n, `SELECT count(*) FROM sqlite_schema WHERE name IN ('deliveries_by_key_hash', 'gateway_by_key_hash')`)
	if err != nil || n != 0 {
		t.Errorf("%d key_hash indexes left (%v), want none", n, err)
	}
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
	for _, q := range []string{
		`UPDATE gateway_keys SET key_hash = ?1 WHERE id = (SELECT id FROM gateway_records WHERE key = 'ORD-OTHER')`,
		`UPDATE gateway_records SET key_hash = ?1 WHERE key = 'ORD-OTHER'`,
	} {
		if _, err := db.db.ExecContext(ctx, q, recon.KeyHash(recon.EntityPayin, "ORD-1")); err != nil {
			t.Fatal(err)
		}
	}
	d, err := db.LoadDay(ctx, recon.BusinessDay{Date: "2026-11-24", Start: from, End: from.AddDate(0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Gateway) != 1 || d.Gateway[0].Key != "ORD-1" || d.Gateway[0].Place.LineNo() != 1 {
		t.Errorf("gateway records of the day: %+v, want ORD-1's, line 1", d.Gateway)
	}
}
