package sqlite

import (
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/ledger/storetest"
	"github.com/kwikpaisa/recon/internal/recon"
)

// TestGatewayLoadOrder checks that the day's Gateway lists the pay-ins'
// records, then the payouts', however many of each the load found: within
// the parts gatewayLoad sized, or outgrowing either.
func TestGatewayLoadOrder(t *testing.T) {
	for _, tc := range []struct {
		name              string
		payins, payouts   int
		gateway, ord, pay int // accepted rows of the day's files
	}{
		{"within", 6, 3, 10, 4, 3},
		{"payouts outgrow", 2, 9, 10, 4, 3},
		{"pay-ins outgrow", 12, 3, 10, 4, 3},
		{"both outgrow", 12, 9, 10, 4, 3},
		{"none", 0, 0, 10, 4, 3},
		// No file of the date sized it: records of other dates' dumps or
		// of pulls only.
		{"nothing sized", 3, 2, 0, 0, 0},
		{"nothing sized, pay-ins only", 3, 0, 0, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc := &dayScope{
				roles:    map[string]int64{"gateway": 1, "orders": 2, "payouts": 3},
				accepted: map[int64]int{1: tc.gateway, 2: tc.ord, 3: tc.pay},
				keys:     map[recon.Entity]*scopeKeys{recon.EntityPayin: newScopeKeys(0), recon.EntityPayout: newScopeKeys(0)},
			}
			gl := sc.gatewayLoad()
			var want []string
			for i := range tc.payins {
				k := fmt.Sprintf("ORD-%d", i)
				gl.payins.recs = append(gl.payins.recs, recon.GatewayRecord{Entity: recon.EntityPayin, Key: k})
				want = append(want, k)
			}
			for i := range tc.payouts {
				k := fmt.Sprintf("PO-%d", i)
				gl.payouts.recs = append(gl.payouts.recs, recon.GatewayRecord{Entity: recon.EntityPayout, Key: k})
				want = append(want, k)
			}
			got := gl.gateway()
			var keys []string
			for _, g := range got {
				keys = append(keys, g.Key)
			}
			if !slices.Equal(keys, want) {
				t.Errorf("Gateway = %v, want %v", keys, want)
			}
		})
	}
}

// TestChangedDumpReplacesItsRecords loads two gateway dumps and a pulled
// record, then loads each dump again changed: each time exactly the dump's
// own records are replaced, found by the ids they took (or, for a dump
// loaded before those ids were kept, by its file); a dump left with no
// record keeps an empty range of ids.
func TestChangedDumpReplacesItsRecords(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	at := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	dump := func(path, sum string, keys ...string) {
		t.Helper()
		f := &recon.SourceFile{Kind: "gateway", Path: path, SHA256: sum}
		err := db.LoadFile(ctx, f, func(l ledger.Loader) error {
			for i, k := range keys {
				g := recon.GatewayRecord{Entity: recon.EntityPayin, Key: k, Amount: 100, Currency: "INR", Status: "PAID",
					Class: recon.StatusSuccess, CreatedAt: recon.InstantOf(at), Place: recon.PlaceOf(path, strconv.Itoa(i+1))}
				if err := l.Gateway(&g); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	stored := func() []string {
		t.Helper()
		var keys []string
		if err := db.db.SelectContext(ctx, &keys, `SELECT key FROM gateway_records ORDER BY key`); err != nil {
			t.Fatal(err)
		}
		return keys
	}
	dump("a.jsonl", "a1", "A1", "A2", "A3")
	pulled := &recon.GatewayRecord{Entity: recon.EntityPayin, Key: "P1", Amount: 100, Currency: "INR", Status: "PAID",
		Class: recon.StatusSuccess, CreatedAt: recon.InstantOf(at), Place: recon.PlaceOf("api", "order/status")}
	if err := db.SavePull(ctx, &ledger.PullResult{Entity: recon.EntityPayin, Key: "P1", Outcome: recon.PullFound, Record: pulled, At: at}); err != nil {
		t.Fatal(err)
	}
	dump("b.jsonl", "b1", "B1", "B2")
	dump("a.jsonl", "a2", "A4", "A5")
	if got, want := stored(), []string{"A4", "A5", "B1", "B2", "P1"}; !slices.Equal(got, want) {
		t.Fatalf("after a.jsonl changed: %v, want %v", got, want)
	}
	// A dump loaded before its ids were kept is found by its file.
	if _, err := db.db.ExecContext(ctx, `UPDATE source_files SET first_gateway_id = NULL, last_gateway_id = NULL
		WHERE path = 'b.jsonl'`); err != nil {
		t.Fatal(err)
	}
	dump("b.jsonl", "b2", "B3")
	dump("a.jsonl", "a3")
	if got, want := stored(), []string{"B3", "P1"}; !slices.Equal(got, want) {
		t.Fatalf("after both changed: %v, want %v", got, want)
	}
	// A file that stored no gateway record keeps an empty range of ids, not
	// NULL: loading it again must not scan every record for its own.
	var first, last sql.NullInt64
	if err := db.db.QueryRowContext(ctx, `SELECT first_gateway_id, last_gateway_id FROM source_files WHERE path = 'a.jsonl'`).Scan(&first, &last); err != nil ||
		!first.Valid || !last.Valid || first.Int64 != last.Int64+1 {
		t.Errorf("a.jsonl, now empty: ids %v-%v (%v); want an empty range", first, last, err)
	}
}

// TestCreatedInDay stores a dump of more gateway records than several key
// batches hold, of both entities: records of the ledgers' keys and of keys
// no ledger has, created in the day or not, some keys twice. createdInDay
// must return each gateway-only key created in the day once, and mark
// created exactly the ledger keys with a record created in the day. The
// query's rows are read a few at a time, so a batch outlives the bytes of
// its first rows.
func TestCreatedInDay(t *testing.T) {
	ctx := context.Background()
	db := mustOpenWith(t, Options{ReadBatchBytes: 512})
	ist := time.FixedZone("IST", 19800)
	from := time.Date(2026, 11, 24, 0, 0, 0, 0, ist)
	// The instants at the day's edges, in the hours it shares with the
	// days beside it (IST is UTC+5:30; the index counts UTC hours).
	ins := []time.Time{from.Add(10 * time.Hour), from, from.AddDate(0, 0, 1).Add(-time.Nanosecond)}
	outs := []time.Time{from.Add(-time.Hour), from.Add(-time.Nanosecond), from.Add(-20 * time.Minute),
		from.AddDate(0, 0, 1), from.AddDate(0, 0, 1).Add(20 * time.Minute)}

	type rec struct {
		entity recon.Entity
		key    string
		at     time.Time
	}
	var recs []rec
	inLedger := map[recon.Entity][]string{}
	wantCreated := map[string]bool{} // ledger keys created in the day
	var wantOnly []string            // gateway-only keys created in the day, sorted below
	for _, e := range []struct {
		entity recon.Entity
		prefix string
		n      int
	}{{recon.EntityPayin, "ORD", 700}, {recon.EntityPayout, "PO", 300}} {
		for i := range e.n {
			key := fmt.Sprintf("%s-%d", e.prefix, i)
			inLedger[e.entity] = append(inLedger[e.entity], key)
			switch {
			case i%10 == 3: // created another day
				recs = append(recs, rec{e.entity, key, outs[i%len(outs)]})
			case i%10 == 7: // no record at all
			default:
				recs = append(recs, rec{e.entity, key, ins[i%len(ins)]})
				wantCreated[string(e.entity)+" "+key] = true
				if i%4 == 0 { // a second record of the key
					recs = append(recs, rec{e.entity, key, ins[0].Add(time.Minute)})
				}
			}
		}
		for i := range e.n / 5 {
			key := fmt.Sprintf("GW-%s-%d", e.prefix, i)
			if i%3 == 0 {
				recs = append(recs, rec{e.entity, key, outs[i%len(outs)]}) // not created in the day
				continue
			}
			recs = append(recs, rec{e.entity, key, ins[i%len(ins)]}, rec{e.entity, key, ins[0].Add(time.Second)})
			wantOnly = append(wantOnly, string(e.entity)+" "+key)
		}
	}
	// The dump lists the records in another order than the ledgers.
	slices.Reverse(recs)
	f := &recon.SourceFile{Kind: "gateway", Path: "gateway.jsonl", SHA256: "g"}
	err := db.LoadFile(ctx, f, func(l ledger.Loader) error {
		for i, r := range recs {
			g := recon.GatewayRecord{Entity: r.entity, Key: r.key, Amount: 100, Currency: "INR", Status: "PAID",
				Class: recon.StatusSuccess, CreatedAt: recon.InstantOf(r.at), Place: recon.PlaceOf("gateway.jsonl", strconv.Itoa(i+1))}
			if err := l.Gateway(&g); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.withConnTx(ctx, func(tx *sqlx.Tx, conn *sqlx.Conn) error {
		sc, err := db.dayScope(ctx, tx, "2026-11-24", recon.Part{}, from, from.AddDate(0, 0, 1))
		if err != nil {
			return err
		}
		for entity, keys := range inLedger {
			for _, k := range keys {
				sk, _, _ := sc.keys[entity].addString(k)
				sk.ledger = true
			}
		}
		created, err := createdInDay(ctx, conn, sc)
		if err != nil {
			return err
		}
		var only []string
		for _, k := range created {
			only = append(only, string(k.entity)+" "+k.ref)
		}
		slices.Sort(only)
		slices.Sort(wantOnly)
		if !slices.Equal(only, wantOnly) {
			t.Errorf("gateway-only keys created in the day:\n got %v\nwant %v", only, wantOnly)
		}
		for entity, keys := range inLedger {
			for _, k := range keys {
				sk, _, _ := sc.keys[entity].get([]byte(k))
				if want := wantCreated[string(entity)+" "+k]; sk.created != want {
					t.Errorf("%s %s: created %v, want %v", entity, k, sk.created, want)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) < 3*keyBatchSize {
		t.Fatalf("%d records: fewer than three batches", len(recs))
	}
}

// TestLoadDayNamesCorruptRows stores a day of one order, one payout, one
// gateway record of each and one delivery, then breaks a stored word in
// each table in turn: the load fails naming the date, what it was loading
// and the row, whichever of its two connections read it.
// orderFile stores an orders.csv of one order, ORD-1, created at at.
func orderFile(t *testing.T, db *DB, at recon.Instant) recon.SourceFile {
	return storetest.LoadFile(t, db, "orders", "orders.csv", func(l ledger.Loader) error {
		return l.Order(&recon.Order{OrderID: "ORD-1", Amount: 100, Currency: "INR", Status: "success",
			Class: recon.StatusSuccess, CreatedAt: at, Place: recon.PlaceOf("orders.csv", "2")})
	})
}

func TestLoadDayNamesCorruptRows(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	from, at := storetest.Day()
	load := func(kind, path string, add func(ledger.Loader) error) recon.SourceFile {
		return storetest.LoadFile(t, db, kind, path, add)
	}
	sources := map[string]recon.SourceFile{
		"orders": orderFile(t, db, at),
		"payouts": load("payouts", "payouts.csv", func(l ledger.Loader) error {
			return l.Payout(&recon.Payout{PayoutID: "PO-1", Amount: 100, Currency: "INR", Status: "success",
				Class: recon.StatusSuccess, RequestedAt: at, Place: recon.PlaceOf("payouts.csv", "2")})
		}),
		"gateway": load("gateway", "gateway.jsonl", func(l ledger.Loader) error {
			for i, e := range []recon.Entity{recon.EntityPayin, recon.EntityPayout} {
				key := map[recon.Entity]string{recon.EntityPayin: "ORD-1", recon.EntityPayout: "PO-1"}[e]
				if err := l.Gateway(&recon.GatewayRecord{Entity: e, Key: key, Amount: 100, Currency: "INR", Status: "SUCCESS",
					Class: recon.StatusSuccess, CreatedAt: at, Place: recon.PlaceOf("gateway.jsonl", strconv.Itoa(i+1))}); err != nil {
					return err
				}
			}
			return nil
		}),
		"webhooks": load("webhooks", "webhooks.jsonl", func(l ledger.Loader) error {
			return l.Delivery(&recon.Delivery{Place: recon.PlaceOf("webhooks.jsonl", "1"), ReceivedAt: at, Event: "payment.success",
				Entity: recon.EntityPayin, Key: "ORD-1", Class: recon.StatusSuccess, BodySHA256: sha256.Sum256([]byte("b")), Verified: recon.VerifyRaw})
		}),
	}
	if err := db.SetDaySources(ctx, "2026-11-24", sources); err != nil {
		t.Fatal(err)
	}
	if _, err := db.LoadDay(ctx, recon.BusinessDay{Date: "2026-11-24", Start: from, End: from.AddDate(0, 0, 1)}); err != nil {
		t.Fatalf("the day before any is broken: %v", err)
	}
	for _, tc := range []struct{ table, where, want string }{
		{"orders", "", `load orders of 2026-11-24: order ORD-1: stored status class "bogus"`},
		{"payouts", "", `load payouts of 2026-11-24: payout PO-1: stored status class "bogus"`},
		{"gateway_records", "entity = 'PAYIN'", `load gateway records of 2026-11-24: gateway record of PAYIN ORD-1: stored status class "bogus"`},
		{"gateway_records", "entity = 'PAYOUT'", `load gateway records of 2026-11-24: gateway record of PAYOUT PO-1: stored status class "bogus"`},
		{"deliveries", "", `load deliveries of 2026-11-24: delivery at webhooks.jsonl:1: stored status class "bogus"`},
	} {
		where := " WHERE " + cmp.Or(tc.where, "1")
		var was string
		if err := db.db.GetContext(ctx, &was, `SELECT class FROM `+tc.table+where); err != nil {
			t.Fatal(err)
		}
		if _, err := db.db.ExecContext(ctx, `UPDATE `+tc.table+` SET class = 'bogus'`+where); err != nil {
			t.Fatal(err)
		}
		_, err := db.LoadDay(ctx, recon.BusinessDay{Date: "2026-11-24", Start: from, End: from.AddDate(0, 0, 1)})
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s%s broken: error %v, want it to start %s", tc.table, where, err, tc.want)
		}
		if _, err := db.db.ExecContext(ctx, `UPDATE `+tc.table+` SET class = ?`+where, was); err != nil {
			t.Fatal(err)
		}
	}
}
