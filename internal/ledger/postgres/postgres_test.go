package postgres

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/ledger/postgres/pgtest"
	"github.com/kwikpaisa/recon/internal/ledger/storetest"
	"github.com/kwikpaisa/recon/internal/recon"
)

func mustOpen(t *testing.T, url string, now func() time.Time) *DB {
	t.Helper()
	db, err := Open(context.Background(), url, Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestStore runs the conformance suite against PostgreSQL, each case on a
// fresh database.
func TestStore(t *testing.T) {
	pgtest.Server(t)
	storetest.Run(t, storetest.Harness{
		Open: func(t *testing.T, now func() time.Time) ledger.Store { return mustOpen(t, pgtest.Fresh(t), now) },
	})
}

// TestPasswordNeverShown opens URLs that fail in different ways, each with
// a password, and checks that no error names it.
func TestPasswordNeverShown(t *testing.T) {
	const secret = "sekrit-XYZ"
	for _, u := range []string{
		"postgres://recon:" + secret + "@127.0.0.1:1/recon",         // nothing listens
		"postgres://recon:" + secret + "@127.0.0.1:notaport/recon",  // does not parse
		"postgres://recon:" + secret + "@127.0.0.1/recon?sslmode=x", // a bad setting
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err := Open(ctx, u, Options{})
		cancel()
		if err == nil {
			t.Fatalf("Open(%s) succeeded", Redact(u))
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("the error names the password: %v", err)
		}
		if !strings.Contains(err.Error(), "127.0.0.1") {
			t.Errorf("the error does not name the server: %v", err)
		}
	}
	if got := Redact("postgres://recon:" + secret + "@db.example:5432/recon"); strings.Contains(got, secret) ||
		!strings.Contains(got, "db.example:5432/recon") {
		t.Errorf("Redact = %q", got)
	}
}

// TestDateLock: a date's lock is one holder's across processes (two
// stores on one database); another date proceeds; the lock is free again
// once released, or once its holder's connections close, as when the
// process is killed.
func TestDateLock(t *testing.T) {
	url := pgtest.Fresh(t)
	ctx := context.Background()
	a, b := mustOpen(t, url, nil), mustOpen(t, url, nil)
	unlock, err := a.LockDate(ctx, "2026-11-24", "pid 1, run A", false, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.LockDate(ctx, "2026-11-24", "pid 2, run B", false, nil)
	var held *ledger.LockedError
	if !errors.As(err, &held) || held.Holder != "pid 1, run A" || !errors.Is(err, ledger.ErrDateLocked) {
		t.Fatalf("second lock of the date: %v, want a LockedError naming pid 1, run A", err)
	}
	other, err := b.LockDate(ctx, "2026-11-25", "pid 2, run B", false, nil)
	if err != nil {
		t.Fatalf("another date: %v", err)
	}
	if err := other(); err != nil {
		t.Fatal(err)
	}

	// A waiting locker is told once, then gets the lock when it is freed.
	told := make(chan *ledger.LockedError, 4)
	got := make(chan error, 1)
	go func() {
		unlockB, err := b.LockDate(ctx, "2026-11-24", "pid 2, run B", true, func(h *ledger.LockedError) { told <- h })
		if err == nil {
			err = unlockB()
		}
		got <- err
	}()
	if h := <-told; h.Holder != "pid 1, run A" {
		t.Errorf("the waiter was told of %q", h.Holder)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Fatalf("waiting lock: %v", err)
	}
	if len(told) != 0 {
		t.Errorf("the waiter was told %d more times", len(told))
	}

	// A holder whose connection drops (a killed process) frees the date:
	// the server ends the lock's session as it would a dead client's.
	c := mustOpen(t, url, nil)
	if _, err := c.LockDate(ctx, "2026-11-26", "pid 3", false, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := b.LockDate(ctx, "2026-11-26", "pid 2", false, nil); !errors.Is(err, ledger.ErrDateLocked) {
		t.Fatalf("lock held by pid 3: %v", err)
	}
	if _, err := b.pool.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()`); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		unlockB, err := b.LockDate(ctx, "2026-11-26", "pid 2", false, nil)
		if err == nil {
			unlockB()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the date stayed locked after its holder's connections closed: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestLoadFileLeavesPlannerFigures: once a file is stored, the planner
// knows how many rows its tables hold. Without it the day's load is
// planned for empty tables, and a day of a hundred thousand orders took
// over half an hour to load instead of seconds. The file is a few of the
// loader's batches long, so that batches are copied while the next is
// read, and every row must arrive.
func TestLoadFileLeavesPlannerFigures(t *testing.T) {
	pgtest.Server(t)
	db := mustOpen(t, pgtest.Fresh(t), nil)
	const n = 2*copyBatch + 2500
	start, _ := storetest.Day()
	storetest.LoadFile(t, db, "orders", "orders.csv", func(l ledger.Loader) error {
		for i := 0; i < n; i++ {
			if err := l.Order(&recon.Order{OrderID: "ORD" + strconv.Itoa(i), Amount: 100, Currency: "INR", Status: "success",
				Class: recon.StatusSuccess, CreatedAt: recon.InstantOf(start.Add(time.Duration(i) * time.Second)),
				Place: recon.PlaceOf("orders.csv", strconv.Itoa(i+2))}); err != nil {
				return err
			}
		}
		return nil
	})
	var tuples float64
	if err := db.pool.QueryRow(context.Background(), `SELECT reltuples FROM pg_class WHERE relname = 'orders'
		AND relnamespace = 'public'::regnamespace`).Scan(&tuples); err != nil {
		t.Fatal(err)
	}
	if tuples != n {
		t.Errorf("the planner reckons orders holds %v rows after a file of %d was stored", tuples, n)
	}
	var rows, seqs int
	if err := db.pool.QueryRow(context.Background(), `SELECT count(*), count(DISTINCT seq) FROM orders`).Scan(&rows,
		&seqs); err != nil {
		t.Fatal(err)
	}
	if rows != n || seqs != n {
		t.Errorf("orders holds %d rows of %d distinct seq, want %d of each", rows, seqs, n)
	}
}

// TestLoadDayNamesABadClass: a stored row whose status class recon does
// not know fails the load with the row named, for each table the load
// reads (the name is only made for the row that fails).
func TestLoadDayNamesABadClass(t *testing.T) {
	from, at := storetest.Day()
	day := recon.BusinessDay{Date: "2026-11-24", Start: from, End: from.AddDate(0, 0, 1)}
	for _, tt := range []struct{ table, want string }{
		{"orders", `order ORD-2: stored status class "bogus"`},
		{"payouts", `payout PO-1: stored status class "bogus"`},
		{"gateway_records", `gateway record of PAYIN ORD-2: stored status class "bogus"`},
		{"deliveries", `delivery at webhooks.jsonl:2: stored status class "bogus"`},
	} {
		t.Run(tt.table, func(t *testing.T) {
			ctx := context.Background()
			db := mustOpen(t, pgtest.Fresh(t), nil)
			roles := map[string]recon.SourceFile{
				"orders": storetest.LoadFile(t, db, "orders", "orders.csv", func(l ledger.Loader) error {
					for i, k := range []string{"ORD-1", "ORD-2"} {
						if err := l.Order(&recon.Order{OrderID: k, Amount: 100, Currency: "INR", Status: "PAID",
							Class: recon.StatusSuccess, CreatedAt: at, Place: recon.PlaceOf("orders.csv", strconv.Itoa(i+2))}); err != nil {
							return err
						}
					}
					return nil
				}),
				"payouts": storetest.LoadFile(t, db, "payouts", "payouts.csv", func(l ledger.Loader) error {
					return l.Payout(&recon.Payout{PayoutID: "PO-1", Amount: 100, Currency: "INR", Status: "success",
						Class: recon.StatusSuccess, RequestedAt: at, Place: recon.PlaceOf("payouts.csv", "2")})
				}),
				"gateway": storetest.LoadFile(t, db, "gateway", "gateway.jsonl", func(l ledger.Loader) error {
					for i, k := range []string{"ORD-1", "ORD-2"} {
						if err := l.Gateway(&recon.GatewayRecord{Entity: recon.EntityPayin, Key: k, Amount: 100, Currency: "INR",
							Status: "PAID", Class: recon.StatusSuccess, CreatedAt: at, Place: recon.PlaceOf("gateway.jsonl", strconv.Itoa(i+1))}); err != nil {
							return err
						}
					}
					return nil
				}),
				"webhooks": storetest.LoadFile(t, db, "webhooks", "webhooks.jsonl", func(l ledger.Loader) error {
					for i, k := range []string{"ORD-1", "ORD-2"} {
						if err := l.Delivery(&recon.Delivery{Place: recon.PlaceOf("webhooks.jsonl", strconv.Itoa(i+1)),
							ReceivedAt: at, Event: "payment.success", Entity: recon.EntityPayin, Key: k,
							Class: recon.StatusSuccess, Verified: recon.VerifyRaw}); err != nil {
							return err
						}
					}
					return nil
				}),
			}
			if err := db.SetDaySources(ctx, day.Date, roles); err != nil {
				t.Fatal(err)
			}
			if _, err := db.LoadDay(ctx, day); err != nil {
				t.Fatalf("the day before its row was spoilt: %v", err)
			}
			key := map[string]string{"orders": "order_id = 'ORD-2'", "payouts": "payout_order_id = 'PO-1'",
				"gateway_records": "key = 'ORD-2'", "deliveries": "line = 2"}[tt.table]
			if _, err := db.pool.Exec(ctx, `UPDATE `+tt.table+` SET class = 'bogus' WHERE `+key); err != nil {
				t.Fatal(err)
			}
			_, err := db.LoadDay(ctx, day)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("LoadDay: %v, want an error saying %s", err, tt.want)
			}
		})
	}
}

// TestMigrationSaysSo: storetest.Migrations on a store whose
// 002_bulk_rows.sql is undone, as the version before left it.
func TestMigrationSaysSo(t *testing.T) {
	ctx := context.Background()
	url := pgtest.Fresh(t)
	exec := func(db ledger.Store, q string) {
		if _, err := db.(*DB).pool.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	storetest.Migrations(t,
		func(log *slog.Logger) (ledger.Store, error) { return Open(ctx, url, Options{Log: log}) },
		func(db ledger.Store) string {
			back := `DELETE FROM recon_migrations WHERE name LIKE '%002_bulk_rows.sql';
				CREATE INDEX deliveries_by_body ON deliveries (merchant_id, body_sha256);`
			for _, table := range []string{"orders", "payouts", "gateway_records", "deliveries", "rejects"} {
				back += `ALTER TABLE ` + table + ` ADD CONSTRAINT ` + table + `_merchant_id_file_id_fkey
					FOREIGN KEY (merchant_id, file_id) REFERENCES source_files (merchant_id, id) ON DELETE CASCADE;`
			}
			exec(db, back)
			return "002_bulk_rows.sql"
		},
		func(db ledger.Store) string {
			exec(db, `INSERT INTO recon_migrations (name) VALUES ('migration/999_later.sql')`)
			return "999_later.sql"
		})
}
