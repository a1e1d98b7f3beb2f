package sqlite

import (
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/ledger/storetest"
	"github.com/kwikpaisa/recon/internal/recon"
)

// assembleDay loads a day the plain way: rows streamed by ordinary queries
// into recon.DayAssembly, which decides what the day is, as every store
// beside SQLite's fast path does. mustLoadDay checks that LoadDay's fast
// path, which decides the same things inside its own decoder, agrees.
func assembleDay(ctx context.Context, s *DB, date string, from, to time.Time) (*recon.Day, error) {
	a := recon.NewDayAssembly(recon.BusinessDay{Date: date, Start: from, End: to})
	var files []recon.AssemblyFile
	if err := s.db.SelectContext(ctx, &files, `SELECT id, path, rows_accepted AS accepted FROM source_files`); err != nil {
		return nil, err
	}
	var sources []recon.AssemblySource
	if err := s.db.SelectContext(ctx, &sources, `SELECT business_date AS date, role, file_id AS fileid FROM day_sources`); err != nil {
		return nil, err
	}
	a.Sources(files, sources)
	paths := map[int64]string{}
	for _, f := range files {
		paths[f.ID] = f.Path
	}
	place := func(file int64, line string) recon.Place { return ledger.NewPlacer(paths[file]).At([]byte(line)) }
	for _, f := range a.LedgerFiles("orders") {
		rows, err := s.db.QueryContext(ctx, `SELECT line, order_id, amount, currency, status, class, created_at,
			transaction_id, payment_method FROM orders WHERE file_id = ? ORDER BY seq`, f.ID)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var o recon.Order
			var line, class string
			if err := rows.Scan(&line, &o.OrderID, &o.Amount, &o.Currency, &o.Status, &class, &o.CreatedAt,
				&o.TransactionID, &o.PaymentMethod); err != nil {
				return nil, err
			}
			o.Class, _ = recon.ParseStatusClass(class)
			o.Place = place(f.ID, line)
			a.Order(o, f)
		}
		if err := closeRows(rows); err != nil {
			return nil, err
		}
	}
	for _, f := range a.LedgerFiles("payouts") {
		rows, err := s.db.QueryContext(ctx, `SELECT line, payout_order_id, amount, currency, status, class,
			transfer_mode, beneficiary_account, beneficiary_ifsc, beneficiary_vpa, utr, utr_corrupted, utr_raw,
			requested_at FROM payouts WHERE file_id = ? ORDER BY seq`, f.ID)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var p recon.Payout
			var line, class string
			if err := rows.Scan(&line, &p.PayoutID, &p.Amount, &p.Currency, &p.Status, &class, &p.TransferMode,
				&p.BeneficiaryAccount, &p.BeneficiaryIFSC, &p.BeneficiaryVPA, &p.UTR, &p.UTRCorrupted, &p.UTRRaw,
				&p.RequestedAt); err != nil {
				return nil, err
			}
			p.Class, _ = recon.ParseStatusClass(class)
			p.Place = place(f.ID, line)
			a.Payout(p, f)
		}
		if err := closeRows(rows); err != nil {
			return nil, err
		}
	}
	rows, err := s.db.QueryContext(ctx, `SELECT entity, key FROM gateway_records WHERE created_at >= ? AND created_at < ?
		ORDER BY created_at, entity, key`, ledger.Nanos(from), ledger.Nanos(to))
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var entity, key string
		if err := rows.Scan(&entity, &key); err != nil {
			return nil, err
		}
		a.CreatedInDay(recon.Entity(entity), key)
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	dayKeys := map[recon.DayKey]bool{}
	for _, k := range a.GatewayOnly() {
		dayKeys[k] = true
	}
	ledgerKeys := func(entity recon.Entity) map[string]bool {
		out := map[string]bool{}
		table, key, at := "orders", "order_id", "created_at"
		kind := "orders"
		if entity == recon.EntityPayout {
			table, key, at, kind = "payouts", "payout_order_id", "requested_at", "payouts"
		}
		for _, f := range a.LedgerFiles(kind) {
			var keys []string
			q, args := `SELECT `+key+` FROM `+table+` WHERE file_id = ?`, []any{f.ID}
			if !f.Own {
				q, args = q+` AND `+at+` >= ? AND `+at+` < ?`, append(args, ledger.Nanos(from), ledger.Nanos(to))
			}
			if err := s.db.SelectContext(ctx, &keys, q, args...); err != nil {
				panic(err)
			}
			for _, k := range keys {
				out[k] = true
			}
		}
		return out
	}
	for _, e := range []recon.Entity{recon.EntityPayin, recon.EntityPayout} {
		for k := range ledgerKeys(e) {
			dayKeys[recon.DayKey{Entity: e, Key: k}] = true
		}
	}
	rows, err = s.db.QueryContext(ctx, `SELECT id, coalesce(file_id, 0), line, entity, key, amount, currency, status,
		class, transaction_id, utr, beneficiary_account, beneficiary_ifsc, beneficiary_vpa, created_at, fetched_at
		FROM gateway_records ORDER BY id DESC`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var g recon.GatewayRecord
		var id, file, fetched int64
		var line, entity, class string
		if err := rows.Scan(&id, &file, &line, &entity, &g.Key, &g.Amount, &g.Currency, &g.Status, &class,
			&g.TransactionID, &g.UTR, &g.BeneficiaryAccount, &g.BeneficiaryIFSC, &g.BeneficiaryVPA, &g.CreatedAt,
			&fetched); err != nil {
			return nil, err
		}
		g.Entity = recon.Entity(entity)
		if !dayKeys[recon.DayKey{Entity: g.Entity, Key: g.Key}] {
			continue
		}
		g.Class, _ = recon.ParseStatusClass(class)
		if file == 0 {
			g.Place = recon.PlaceOf("api", line)
		} else {
			g.Place = place(file, line)
		}
		if err := a.Gateway(g, file, id, fetched); err != nil {
			return nil, err
		}
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	for _, k := range a.ElsewhereCandidates() {
		var n int
		err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM orders o JOIN day_sources ds ON ds.file_id = o.file_id
			WHERE ? = 'PAYIN' AND o.order_id = ? AND ds.role IN ('orders', 'orders_prev', 'orders_next')`, string(k.Entity), k.Key)
		if err != nil {
			return nil, err
		}
		var m int
		err = s.db.GetContext(ctx, &m, `SELECT count(*) FROM payouts p JOIN day_sources ds ON ds.file_id = p.file_id
			WHERE ? = 'PAYOUT' AND p.payout_order_id = ? AND ds.role IN ('payouts', 'payouts_prev', 'payouts_next')`, string(k.Entity), k.Key)
		if err != nil {
			return nil, err
		}
		if n+m > 0 {
			a.SetElsewhere(k)
		}
	}
	own := map[int64]bool{}
	ownBodies := map[string]bool{}
	readLog := func(file int64, keep func(recon.Delivery, string) bool, isOwn bool) error {
		rows, err := s.db.QueryContext(ctx, `SELECT line, received_at, timestamp, event, entity, key, class, amount,
			currency, transaction_id, utr, body_sha256, verified, stale, problem FROM deliveries WHERE file_id = ? ORDER BY line DESC`, file)
		if err != nil {
			return err
		}
		for rows.Next() {
			var dv recon.Delivery
			var line int
			var entity, class, sum, verified string
			var amount sql.NullInt64
			if err := rows.Scan(&line, &dv.ReceivedAt, &dv.Timestamp, &dv.Event, &entity, &dv.Key, &class, &amount,
				&dv.Currency, &dv.TransactionID, &dv.UTR, &sum, &verified, &dv.Stale, &dv.Problem); err != nil {
				return err
			}
			dv.Entity = recon.Entity(entity)
			dv.Class, _ = recon.ParseStatusClass(class)
			dv.HasAmount, dv.Amount = amount.Valid, recon.Amount(amount.Int64)
			if _, err := hex.Decode(dv.BodySHA256[:], []byte(sum)); err != nil {
				return err
			}
			dv.Verified, _ = recon.ParseVerifyMethod(verified)
			dv.Place = recon.SourceOf(paths[file], "").At(line)
			if keep(dv, sum) {
				a.Delivery(dv, isOwn)
			}
		}
		return closeRows(rows)
	}
	for _, id := range a.OwnLogs() {
		own[id] = true
		if err := readLog(id, func(_ recon.Delivery, sum string) bool { ownBodies[sum] = true; return true }, true); err != nil {
			return nil, err
		}
	}
	for _, id := range a.OtherLogs() {
		err := readLog(id, func(dv recon.Delivery, sum string) bool {
			return dayKeys[recon.DayKey{Entity: dv.Entity, Key: dv.Key}] || ownBodies[sum]
		}, false)
		if err != nil {
			return nil, err
		}
	}
	for _, k := range a.KnownCandidates() {
		var n int
		err := s.db.GetContext(ctx, &n, `SELECT
			(SELECT count(*) FROM orders o JOIN day_sources d2 ON d2.file_id = o.file_id
				WHERE ? = 'PAYIN' AND o.order_id = ? AND d2.role IN ('orders', 'orders_prev', 'orders_next'))
			+ (SELECT count(*) FROM payouts p JOIN day_sources d2 ON d2.file_id = p.file_id
				WHERE ? = 'PAYOUT' AND p.payout_order_id = ? AND d2.role IN ('payouts', 'payouts_prev', 'payouts_next'))
			+ (SELECT count(*) FROM gateway_records g WHERE g.entity = ? AND g.key = ?
				AND (g.file_id IS NULL OR g.file_id IN (SELECT file_id FROM day_sources)))`,
			string(k.Entity), k.Key, string(k.Entity), k.Key, string(k.Entity), k.Key)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			a.SetKnown(k)
		}
	}
	var pulls []struct{ Entity, Key, Outcome string }
	if err := s.db.SelectContext(ctx, &pulls, `SELECT entity, key, outcome FROM pulls`); err != nil {
		return nil, err
	}
	for _, p := range pulls {
		a.Pull(recon.Entity(p.Entity), p.Key, recon.PullOutcome(p.Outcome))
	}
	return a.Day(), nil
}

func closeRows(rows *sql.Rows) error {
	if err := rows.Err(); err != nil {
		rows.Close()
		return err
	}
	return rows.Close()
}

// dayDiff names the first part of two days that differs, or "".
func dayDiff(a, b *recon.Day) string {
	keys := func(d *recon.Day) map[recon.Entity][]string {
		out := map[recon.Entity][]string{}
		for e, k := range d.Keys {
			for i := 0; i < k.Len(); i++ {
				out[e] = append(out[e], k.Key(int32(i)))
			}
		}
		return out
	}
	empty := func(v any) bool { return reflect.ValueOf(v).Len() == 0 }
	parts := []struct {
		name string
		x, y any
	}{
		{"Orders", a.Orders, b.Orders}, {"Payouts", a.Payouts, b.Payouts}, {"Gateway", a.Gateway, b.Gateway},
		{"Deliveries", a.Deliveries, b.Deliveries}, {"OutOfDay", a.OutOfDay, b.OutOfDay},
		{"OutsideDates", a.OutsideDates, b.OutsideDates}, {"FromNear", a.FromNear, b.FromNear},
		{"LedgerElsewhere", a.LedgerElsewhere, b.LedgerElsewhere}, {"KnownKeys", a.KnownKeys, b.KnownKeys},
		{"Pulls", a.Pulls, b.Pulls}, {"DayLog", a.DayLog, b.DayLog}, {"Keys", keys(a), keys(b)},
	}
	for _, p := range parts {
		if p.name != "DayLog" && empty(p.x) && empty(p.y) {
			continue
		}
		if !reflect.DeepEqual(p.x, p.y) {
			return fmt.Sprintf("%s:\n fast  %+v\n plain %+v", p.name, p.x, p.y)
		}
	}
	return ""
}

// TestStore runs the conformance suite against SQLite, checking every day
// it loads against recon.DayAssembly.
func TestStore(t *testing.T) {
	storetest.Run(t, storetest.Harness{
		Open: func(t *testing.T, now func() time.Time) ledger.Store {
			return mustOpenWith(t, Options{Now: now})
		},
		CheckDay: func(t *testing.T, s ledger.Store, day recon.BusinessDay, got *recon.Day) {
			t.Helper()
			plain, err := assembleDay(context.Background(), s.(*DB), day.Date, day.Start, day.End)
			if err != nil {
				t.Fatalf("assembleDay: %v", err)
			}
			if diff := dayDiff(got, plain); diff != "" {
				t.Fatalf("LoadDay and recon.DayAssembly disagree on %s: %s", day.Date, diff)
			}
		},
	})
}
