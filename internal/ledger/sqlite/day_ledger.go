package sqlite

import (
	"context"
	"fmt"
	"slices"

	"github.com/jmoiron/sqlx"

	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/mem"
	"github.com/kwikpaisa/recon/internal/recon"
)

func (s *DB) loadOrders(ctx context.Context, d *recon.Day, sc *dayScope) error {
	files := sc.ledgerFiles("orders")
	if len(files) == 0 {
		return nil
	}
	d.Orders = make([]recon.Order, 0, sc.split(sc.accepted[files[0].id]))
	mem.Populate(d.Orders)
	keys := sc.keys[recon.EntityPayin]
	in := sc.intern
	for _, f := range files {
		places := ledger.NewPlacer(sc.paths[f.id])
		err := sc.ledgerFileRows(ctx, sc.conn, f, orderLedger, func(v *rowValues) error {
			var o recon.Order
			var k *scopeKey
			line := v.Bytes()
			k, o.KeyNo, o.OrderID = keys.add(v.Bytes())
			o.Amount = recon.Amount(v.Int())
			k.ledger = true
			currency, status, word := v.Bytes(), v.Bytes(), v.Bytes()
			created := v.Int()
			if created < sc.lo || created >= sc.hi {
				d.OutOfDay["orders"]++
				outside := d.OutsideDates["orders"]
				if outside == nil {
					outside = map[string]int{}
					d.OutsideDates["orders"] = outside
				}
				outside[sc.dateOf(created)]++
				return nil
			}
			k.inDay = true
			class, err := storedClass(word)
			if err != nil {
				return fmt.Errorf("order %s: %w", o.OrderID, err)
			}
			o.Currency, o.Status, o.Class = in.Word(currency), in.Word(status), class
			o.TransactionID, o.PaymentMethod = v.String(), in.Word(v.Bytes())
			o.CreatedAt, o.Place = recon.Instant(created), places.At(line)
			d.Orders = append(d.Orders, o)
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// loadPayouts reads the payouts ledgers' rows of the day into d.Payouts on
// conn, interning with in; it returns how many rows of the date's own file
// are outside the day, by date.
func loadPayouts(ctx context.Context, conn *sqlx.Conn, d *recon.Day, sc *dayScope, in *ledger.Strings) (outOfDay int, outside map[string]int, err error) {
	files := sc.ledgerFiles("payouts")
	if len(files) == 0 {
		return 0, nil, nil
	}
	d.Payouts = make([]recon.Payout, 0, sc.split(sc.accepted[files[0].id]))
	keys := sc.keys[recon.EntityPayout]
	for _, f := range files {
		places := ledger.NewPlacer(sc.paths[f.id])
		err = sc.ledgerFileRows(ctx, conn, f, payoutLedger, func(v *rowValues) error {
			var p recon.Payout
			var k *scopeKey
			line := v.Bytes()
			k, p.KeyNo, p.PayoutID = keys.add(v.Bytes())
			p.Amount = recon.Amount(v.Int())
			p.Currency, p.Status = in.Word(v.Bytes()), in.Word(v.Bytes())
			class, err := storedClass(v.Bytes())
			if err != nil {
				return fmt.Errorf("payout %s: %w", p.PayoutID, err)
			}
			p.Class = class
			p.TransferMode, p.BeneficiaryAccount, p.BeneficiaryIFSC = in.Word(v.Bytes()), v.String(), in.Word(v.Bytes())
			p.BeneficiaryVPA, p.UTR, p.UTRCorrupted, p.UTRRaw = v.String(), v.String(), v.Int() != 0, v.String()
			requested := v.Int()
			k.ledger = true
			if requested < sc.lo || requested >= sc.hi {
				outOfDay++
				if outside == nil {
					outside = map[string]int{}
				}
				outside[sc.dateOf(requested)]++
				return nil
			}
			k.inDay = true
			p.RequestedAt, p.Place = recon.Instant(requested), places.At(line)
			d.Payouts = append(d.Payouts, p)
			return nil
		})
		if err != nil {
			return outOfDay, outside, err
		}
	}
	return outOfDay, outside, nil
}

// loadLedgerElsewhere finds, among the keys the gateway created in the day
// that have no ledger row in the day, those with a ledger row of another
// date in a ledger file some date reads (the date's own file too): that
// row's own date's run judges them, they are not missing in the ledger.
func (s *DB) loadLedgerElsewhere(ctx context.Context, tx *sqlx.Tx, d *recon.Day, sc *dayScope) error {
	queries := map[recon.Entity]string{
		recon.EntityPayin: `SELECT EXISTS (SELECT 1 FROM orders o JOIN day_sources ds ON ds.file_id = o.file_id
			WHERE o.order_id = ? AND ds.role IN ('orders', 'orders_prev', 'orders_next'))`,
		recon.EntityPayout: `SELECT EXISTS (SELECT 1 FROM payouts p JOIN day_sources ds ON ds.file_id = p.file_id
			WHERE p.payout_order_id = ? AND ds.role IN ('payouts', 'payouts_prev', 'payouts_next'))`,
	}
	for _, entity := range []recon.Entity{recon.EntityPayin, recon.EntityPayout} {
		var keys []string
		sk := sc.keys[entity]
		for i := range sk.keys {
			if f := &sk.keys[i]; f.created && !f.inDay {
				keys = append(keys, sk.index.Key(int32(i)))
			}
		}
		if len(keys) == 0 {
			continue
		}
		st, err := tx.PrepareContext(ctx, queries[entity])
		if err != nil {
			return err
		}
		for _, k := range keys {
			var found bool
			if err := st.QueryRowContext(ctx, k).Scan(&found); err != nil {
				st.Close()
				return err
			}
			if found {
				d.LedgerElsewhere[entity][k] = true
			}
		}
		st.Close()
	}
	return nil
}

func (s *DB) loadPulls(ctx context.Context, d *recon.Day, sc *dayScope) error {
	cond, args := sc.hashedCond()
	return bulkQuery(ctx, sc.conn, sc.readSize, `SELECT entity, key, outcome FROM pulls WHERE true`+cond, args, func(v *rowValues) error {
		if m := d.Pulls[recon.Entity(sc.intern.Word(v.Bytes()))]; m != nil {
			m[v.String()] = recon.PullOutcome(sc.intern.Word(v.Bytes()))
		}
		return nil
	})
}

// loadKnownKeys finds the keys of the day's own-log deliveries that a
// ledger of any date (inside its day or not) or a live gateway record
// knows, beyond the day's ledger rows and gateway records: a delivery for
// such a key is not an orphan. Only keys neither the date's ledger files
// nor the loaded gateway records hold are looked up.
func (s *DB) loadKnownKeys(ctx context.Context, tx *sqlx.Tx, d *recon.Day, sc *dayScope) error {
	own, ok := sc.roles["webhooks"]
	if !ok {
		return nil
	}
	ownPath := sc.paths[own]
	var lookup []dayKey
	asked := map[dayKey]bool{}
	for i := range d.Deliveries {
		dv := &d.Deliveries[i]
		if dv.Place.File() != ownPath || dv.Key == "" || d.KnownKeys[dv.Entity] == nil {
			continue
		}
		var k *scopeKey
		if dv.KeyNo >= 0 {
			k = &sc.keys[dv.Entity].keys[dv.KeyNo]
		}
		switch {
		case k != nil && (k.inDay || k.loaded >= 0):
			// Matching knows it already.
		case k != nil && k.ledger:
			d.KnownKeys[dv.Entity][dv.Key] = true
		default:
			k := dayKey{entity: dv.Entity, ref: dv.Key}
			if !asked[k] {
				asked[k] = true
				lookup = append(lookup, k)
			}
		}
	}
	if len(lookup) == 0 {
		return nil
	}
	st, err := tx.PrepareContext(ctx, `SELECT
		EXISTS (SELECT 1 FROM orders o JOIN day_sources d2 ON d2.file_id = o.file_id
			WHERE ?1 = 'PAYIN' AND o.order_id = ?2 AND d2.role IN ('orders', 'orders_prev', 'orders_next'))
		OR EXISTS (SELECT 1 FROM payouts p JOIN day_sources d2 ON d2.file_id = p.file_id
			WHERE ?1 = 'PAYOUT' AND p.payout_order_id = ?2 AND d2.role IN ('payouts', 'payouts_prev', 'payouts_next'))
		OR EXISTS (SELECT 1 FROM gateway_keys k CROSS JOIN gateway_records g ON g.id = k.id
			WHERE k.key_hash = recon_key_hash(?1, ?2) AND g.entity = ?1 AND g.key = ?2
			AND (g.file_id IS NULL OR g.file_id IN (SELECT file_id FROM day_sources)))`)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, k := range lookup {
		var known bool
		if err := st.QueryRowContext(ctx, string(k.entity), k.ref).Scan(&known); err != nil {
			return err
		}
		if known {
			d.KnownKeys[k.entity][k.ref] = true
		}
	}
	return nil
}

// ledgerTable names a ledger's role, entity, table, key column, the
// column of a row's own time, and the columns a day's load reads of a row.
type ledgerTable struct{ role, entity, table, key, at, columns string }

// hash is the SQL of the hash of the key of the ledger's row l.
func (l ledgerTable) hash() string { return `recon_key_hash('` + l.entity + `', l.` + l.key + `)` }

var (
	orderLedger = ledgerTable{"orders", "PAYIN", "orders", "order_id", "created_at",
		`line, order_id, amount, currency, status, class, created_at, transaction_id, payment_method`}
	payoutLedger = ledgerTable{"payouts", "PAYOUT", "payouts", "payout_order_id", "requested_at",
		`line, payout_order_id, amount, currency, status, class, transfer_mode, beneficiary_account, beneficiary_ifsc,
		beneficiary_vpa, utr, utr_corrupted, utr_raw, requested_at`}
	ledgerOfRole = map[string]ledgerTable{"orders": orderLedger, "payouts": payoutLedger}
)

// route is the SQL of the routeValues of the ledger's row l.
func (l ledgerTable) route() string { return `, '` + l.entity + `', 0, ` + l.hash() }

// rowsQuery is the query of the rows of a ledger file (file_id ?) a day's
// load reads, in the file's order: the columns, those route adds after
// them, and the condition cond.
func (l ledgerTable) rowsQuery(route, cond string) string {
	return `SELECT ` + l.columns + route + ` FROM ` + l.table + ` l WHERE l.file_id = ?` + cond + ` ORDER BY l.seq`
}

// ledgerFileRows hands row the rows of the date's ledger file f of l that
// the part reads (partRows).
func (sc *dayScope) ledgerFileRows(ctx context.Context, conn *sqlx.Conn, f ledgerFile, l ledgerTable, row func(*rowValues) error) error {
	return sc.partRows(ctx, conn, sc.ledgerSource(f, l), func(row func(*rowValues) error) error {
		cond, args := sc.ledgerRows(f, l, false)
		return bulkQuery(ctx, conn, sc.readSize, l.rowsQuery("", cond), args, row)
	}, row)
}

// joinLedgerDeliveries runs, on the load's connection, a join from the
// keys of each of the date's ledger files (ledgerFiles: a neighbour's only
// for its rows dated the day) into the deliveries, through their key table
// (keytable.go), with more conditions on w in where, and hands the rows of
// deliveryColumns to row; a key in two files gives its rows twice.
func joinLedgerDeliveries(ctx context.Context, sc *dayScope, where string, row func(*rowValues) error) error {
	for _, l := range []ledgerTable{orderLedger, payoutLedger} {
		err := eachLedgerFile(ctx, sc.conn, sc, l, false, func(cond string) string { return deliveriesJoin(l, cond+where) }, row)
		if err != nil {
			return err
		}
	}
	return nil
}

// deliveriesJoin is joinLedgerDeliveries's query of one ledger file
// (file_id ?), with the conditions cond. CROSS JOIN keeps the ledger file
// as the outer loop: SQLite has no statistics to know the store holds far
// more rows than the day.
func deliveriesJoin(l ledgerTable, cond string) string {
	return `SELECT ` + deliveryColumns + ` FROM ` + l.table + ` l CROSS JOIN delivery_keys k ON k.key_hash = ` + l.hash() + `
		CROSS JOIN deliveries w ON w.file_id = k.file_id AND w.line = k.line AND w.entity = '` + l.entity + `' AND w.key = l.` + l.key + `
		WHERE l.file_id = ?` + cond
}

// joinLedgerRows hands row the gateway records (columns of alias g) of the
// keys of the date's ledger files of l, each once (readLedgerRows); a
// part's are read back from their spill (partRows), which the first part
// of the ledger's entity fills.
func joinLedgerRows(ctx context.Context, conn *sqlx.Conn, sc *dayScope, l ledgerTable, columns string,
	row func(*rowValues) error) error {
	if len(sc.ledgerFiles(l.role)) == 0 {
		return nil // a part of the other entity's keys
	}
	return sc.partRows(ctx, conn, sc.gatewaySource(l), func(row func(*rowValues) error) error {
		return readLedgerRows(ctx, conn, sc, l, columns, row)
	}, row)
}

// readLedgerRows reads the gateway records (columns of alias g) of the
// keys of every row the date reads of its ledger files of l, each record
// once. The ids of the records whose key_hash is a ledger key's are found
// from their key table alone (keytable.go; reading each record to compare
// its entity and key would read the records at random) and sorted here;
// row must skip a record of another key that shares a hash with one of
// the ledger's (latestGateway.hashedRow). The records are then read in
// runs of ids (rowRuns), page after page, whatever order they were stored
// in. SQLite's own "id IN (subquery)" sorted the ids in a B-tree of its
// own, one insert at a random place per id for a gateway dump in the order
// it was exported. columns must begin with the id.
func readLedgerRows(ctx context.Context, conn *sqlx.Conn, sc *dayScope, l ledgerTable, columns string,
	row func(*rowValues) error) error {
	n := 0 // about one row per ledger row: the ids' room, made once
	for _, f := range sc.filesOf(l.role) {
		n += sc.accepted[f.id]
	}
	ids := make([]int64, 0, n+n/8)
	err := eachLedgerFile(ctx, conn, sc, l, true, func(cond string) string { return hashedIDs(l, cond) },
		func(v *rowValues) error { ids = append(ids, v.Int()); return nil })
	if err != nil || len(ids) == 0 {
		return err
	}
	slices.Sort(ids)
	ids = slices.Compact(ids) // a key in two files
	runs := rowRuns(ids)
	take := func(v *rowValues) error {
		id := v.peekInt()
		for len(ids) > 0 && ids[0] < id {
			ids = ids[1:]
		}
		if len(ids) == 0 || ids[0] != id {
			return nil // in a gap of a run: another key's row
		}
		return row(v)
	}
	return bulkQueryEach(ctx, conn, sc.readSize, runQuery(columns, l.entity), runs, take)
}

// runQuery reads the gateway records of an entity in one run of ids. The
// unary + keeps SQLite from reading them through an index instead, by
// entity, and sorting them by id after.
func runQuery(columns, entity string) string {
	return `SELECT ` + columns + ` FROM gateway_records g
		WHERE g.id BETWEEN ? AND ? AND +g.entity = '` + entity + `' ORDER BY g.id`
}

// hashedIDs is the query of the ids of the gateway records whose key_hash
// is a key's of one of l's files (the rows of file_id ?, with cond on its
// alias l), from their key table alone (keytable.go).
func hashedIDs(l ledgerTable, cond string) string {
	return `SELECT k.id FROM ` + l.table + ` l CROSS JOIN gateway_keys k ON k.key_hash = ` + l.hash() + `
		WHERE l.file_id = ?` + cond
}

// runGap is the most rows between two wanted ids that a run reads through
// rather than seeking past: fewer than a 64 KiB page holds.
const runGap = 64

// rowRuns returns, for sorted ids, the (first, last) id arguments of runs
// that cover them with gaps of at most runGap ids.
func rowRuns(ids []int64) [][]any {
	var runs [][]any
	for i := 0; i < len(ids); {
		j := i
		for j+1 < len(ids) && ids[j+1]-ids[j] <= runGap {
			j++
		}
		runs = append(runs, []any{ids[i], ids[j]})
		i = j + 1
	}
	return runs
}

// eachLedgerFile runs, for each of the date's ledger files of l (with
// all, whatever entity the part is of), the query that query builds around
// the condition that keeps the file's rows of the day and, unless all, of
// the part (sc.ledgerRows), and hands its rows to row.
func eachLedgerFile(ctx context.Context, conn *sqlx.Conn, sc *dayScope, l ledgerTable, all bool, query func(cond string) string,
	row func(*rowValues) error) error {
	files := sc.ledgerFiles(l.role)
	if all {
		files = sc.filesOf(l.role)
	}
	for _, f := range files {
		cond, args := sc.ledgerRows(f, l, all)
		if err := bulkQuery(ctx, conn, sc.readSize, query(cond), args, row); err != nil {
			return err
		}
	}
	return nil
}
