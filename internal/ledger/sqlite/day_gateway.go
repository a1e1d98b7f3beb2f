package sqlite

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/mem"
	"github.com/kwikpaisa/recon/internal/recon"
)

// gatewayColumns are the columns of a gateway record that matching and the
// reports use, as latestGateway.row reads them. The gateway's own ids,
// bank reference, method, mode, failure reason and settlement time stay in
// the store.
const gatewayColumns = `g.id, g.file_id, g.line, g.entity, g.key, g.amount, g.currency, g.status,
	g.class, g.transaction_id, g.utr, g.beneficiary_account, g.beneficiary_ifsc, g.beneficiary_vpa, g.created_at,
	g.fetched_at`

// gatewayOfKey reads the gateway records of one key (?1 entity, ?2 key)
// through the key table (keytable.go).
const gatewayOfKey = `SELECT ` + gatewayColumns + ` FROM gateway_keys k CROSS JOIN gateway_records g ON g.id = k.id
	WHERE k.key_hash = recon_key_hash(?1, ?2) AND g.entity = ?1 AND g.key = ?2`

// latestGateway keeps, per key of one entity, the most recently fetched
// live record in recs, at the position its scopeKey gives; fetched and ids
// hold each kept record's fetch time and row id (the tie between two
// records fetched at the same instant). The pay-ins' and the payouts' are
// filled on two connections at once, each with its own ledger.Strings for words.
type latestGateway struct {
	sc      *dayScope
	entity  recon.Entity
	keys    *scopeKeys
	in      *ledger.Strings // words, interned
	recs    []recon.GatewayRecord
	fetched []int64
	ids     []int64
	places  ledger.Placers
}

// newLatestGateway returns a latestGateway with room for n records' fetch
// times and ids; the caller gives it recs.
func newLatestGateway(sc *dayScope, entity recon.Entity, n int) *latestGateway {
	return &latestGateway{sc: sc, entity: entity, keys: sc.keys[entity], in: &ledger.Strings{},
		fetched: make([]int64, 0, n), ids: make([]int64, 0, n), places: ledger.NewPlacers(sc.paths)}
}

// row reads one row of gatewayColumns, keeping the latest live record of
// each key: the greatest fetched_at, then the greatest id. It only reads
// the key index (and writes the scopeKey's loaded): the index is complete
// for the ledgers' keys before any record is read.
func (lg *latestGateway) row(v *rowValues) error { return lg.read(v, false) }

// hashedRow is row for the records found by the hashes of the ledgers'
// keys (joinLedgerRows): a record whose key only shares its hash with one
// of them is not the day's, and is skipped.
func (lg *latestGateway) hashedRow(v *rowValues) error { return lg.read(v, true) }

func (lg *latestGateway) read(v *rowValues, hashed bool) error {
	id, fileNull := v.Int(), v.IsNull()
	file := v.Int()
	if !fileNull && !lg.sc.live[file] {
		return nil // a dump no date uses any more
	}
	line := v.Bytes()
	if entity := v.Bytes(); string(entity) != string(lg.entity) {
		return fmt.Errorf("gateway record of %q read as %s", entity, lg.entity)
	}
	key := v.Bytes()
	sk, no, k := lg.keys.get(key)
	if sk == nil && hashed {
		return nil
	}
	if sk == nil {
		// Every record read is of a key the ledgers or the day's gateway
		// keys hold.
		return fmt.Errorf("gateway record of %s %q: not a key of the day", lg.entity, key)
	}
	at, seen := int(sk.loaded), sk.loaded >= 0
	amount, currency, status, word := v.Int(), v.Bytes(), v.Bytes(), v.Bytes()
	txn, utr, account, ifsc, vpa := v.Bytes(), v.Bytes(), v.Bytes(), v.Bytes(), v.Bytes()
	created, fetched := v.Int(), v.Int()
	if seen {
		prev := lg.fetched[at]
		if fetched < prev || fetched == prev && id <= lg.ids[at] {
			return nil // an older record of a key already loaded
		}
	}
	in := lg.in
	g := recon.GatewayRecord{Entity: lg.entity, Key: k, KeyNo: no, Amount: recon.Amount(amount)}
	class, err := storedClass(word)
	if err != nil {
		return fmt.Errorf("gateway record of %s %s: %w", lg.entity, k, err)
	}
	g.Currency, g.Status, g.Class = in.Word(currency), in.Word(status), class
	g.TransactionID, g.UTR, g.BeneficiaryAccount = v.keep(txn), v.keep(utr), v.keep(account)
	g.BeneficiaryIFSC, g.BeneficiaryVPA = in.Word(ifsc), v.keep(vpa)
	g.CreatedAt = recon.Instant(created)
	if fileNull {
		g.Place = recon.PlaceOf("api", string(line))
	} else {
		g.Place = lg.places.Of(file).At(line)
	}
	if seen {
		lg.recs[at], lg.fetched[at], lg.ids[at] = g, fetched, id
		return nil
	}
	sk.loaded = int32(len(lg.recs))
	lg.recs = append(lg.recs, g)
	lg.fetched = append(lg.fetched, fetched)
	lg.ids = append(lg.ids, id)
	return nil
}

// inKeyOrder puts the records in the order of their keys' numbers, the
// order the day's keys were read in, whatever order the rows came in (by
// id: joinLedgerRows). It is the last step of the load: the positions
// scopeKey.loaded gave no longer hold.
func (lg *latestGateway) inKeyOrder() {
	recon.ArrangeByNumber(lg.recs, lg.keys.index.Len(), func(g *recon.GatewayRecord) int32 { return g.KeyNo })
}

// gatewayLoad is the loading of the day's gateway records, shared by the
// load's connection (the pay-ins) and the one beside it (the payouts and
// the keys created in the day).
type gatewayLoad struct {
	payins, payouts *latestGateway
	// all is the day's Gateway: the pay-ins' records fill it from the
	// front, the payouts' its last part, and gateway moves them down.
	all []recon.GatewayRecord
	// created holds the keys the gateway created in the day that no ledger
	// file of the date has, as createdInDay found them.
	created []dayKey
}

// gatewayLoad sizes the two loads in one array, the day's Gateway: the
// pay-ins' records from its front, the payouts' in its last part, sized for
// their ledger. A load that outgrows its part grows a slice of its own.
func (sc *dayScope) gatewayLoad() *gatewayLoad {
	n := sc.accepted[sc.roles["gateway"]]
	in, out := sc.accepted[sc.roles["orders"]], sc.accepted[sc.roles["payouts"]]
	// A key has at most one record; the dump's records beyond the ledgers'
	// keys are a few created in the day without a ledger row.
	pi, po := max(in, n-out)+n/64, min(n, out+n/64)
	if !sc.part.Whole() {
		pi, po = sc.split(pi), sc.split(po)
		if !sc.wants(recon.EntityPayin) {
			pi = 0
		}
		if !sc.wants(recon.EntityPayout) {
			po = 0
		}
	}
	all := make([]recon.GatewayRecord, pi+po)
	mem.Populate(all)
	payins, payouts := newLatestGateway(sc, recon.EntityPayin, len(all)-po), newLatestGateway(sc, recon.EntityPayout, po)
	payins.recs, payouts.recs = all[:0:len(all)-po], all[len(all)-po:len(all)-po]
	return &gatewayLoad{payins: payins, payouts: payouts, all: all}
}

// gateway returns the day's Gateway: the pay-ins' records, then the
// payouts', each in the order of their keys' numbers.
func (gl *gatewayLoad) gateway() []recon.GatewayRecord {
	gl.payins.inKeyOrder()
	gl.payouts.inKeyOrder()
	pi, po := gl.payins.recs, gl.payouts.recs
	n := len(pi) + len(po)
	inAll := len(pi) == 0 || len(gl.all) > 0 && &pi[0] == &gl.all[0]
	if !inAll || n > len(gl.all) {
		return append(pi[:len(pi):len(pi)], po...)
	}
	copy(gl.all[len(pi):], po) // down, or from the slice the payouts grew
	return gl.all[:n:n]
}

// beside is the part of the load run on conn beside the rest, each step
// on a key index no other step adds to meanwhile: the payouts' ledger and
// their gateway records, the day's own webhook logs, and, once ordersRead
// is closed (the orders' keys are in their index), the keys the gateway
// created in the day, then the numbers of the deliveries' keys the index
// holds. Its errors name their step.
func (gl *gatewayLoad) beside(ctx context.Context, conn *sqlx.Conn, d *recon.Day, sc *dayScope, ordersRead <-chan struct{}) error {
	var err error
	if sc.payoutsOutOfDay, sc.payoutsOutside, err = loadPayouts(ctx, conn, d, sc, gl.payouts.in); err != nil {
		return fmt.Errorf("load payouts of %s: %w", sc.date, err)
	}
	if err := joinLedgerRows(ctx, conn, sc, payoutLedger, gatewayColumns, gl.payouts.hashedRow); err != nil {
		return fmt.Errorf("load gateway records of %s: %w", sc.date, err)
	}
	if sc.ownDeliveries, err = loadOwnDeliveries(ctx, conn, sc); err != nil {
		return fmt.Errorf("load deliveries of %s: %w", sc.date, err)
	}
	select {
	case <-ordersRead:
	case <-ctx.Done():
		return ctx.Err()
	}
	if gl.created, err = createdInDay(ctx, conn, sc); err != nil {
		return fmt.Errorf("load gateway records of %s: %w", sc.date, err)
	}
	sc.findDeliveryKeys(sc.ownDeliveries)
	return nil
}

// createdInDay returns the keys the gateway created in the day that no
// ledger file of the date has, from a covering index, and marks created the
// ledger keys among them. It adds nothing to the key index, which the
// pay-ins' records are read from at the same time. The keys are looked up a
// batch at a time (keyBatch): a key's lookup is mostly waiting on memory.
func createdInDay(ctx context.Context, conn *sqlx.Conn, sc *dayScope) ([]dayKey, error) {
	var created []dayKey
	seen := map[dayKey]bool{}
	look := func(entity recon.Entity, b *keyBatch) {
		keys := sc.keys[entity]
		for i, no := range b.find(keys.index) {
			if no >= 0 {
				keys.keys[no].created = true
				continue
			}
			if dk := (dayKey{entity: entity, ref: string(b.keys[i])}); !seen[dk] {
				seen[dk] = true
				created = append(created, dk)
			}
		}
		b.reset()
	}
	batches := map[recon.Entity]*keyBatch{recon.EntityPayin: {}, recon.EntityPayout: {}} // sc.keys's
	in := &ledger.Strings{}
	err := sc.partRows(ctx, conn, sc.createdSource(), func(row func(*rowValues) error) error {
		return bulkQuery(ctx, conn, sc.readSize, createdQuery(""), createdArgs(sc.lo, sc.hi), row)
	}, func(v *rowValues) error {
		entity := recon.Entity(in.Word(v.Bytes()))
		b := batches[entity]
		if b == nil {
			return nil
		}
		if b.add(v.Bytes()) {
			look(entity, b)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, entity := range []recon.Entity{recon.EntityPayin, recon.EntityPayout} {
		look(entity, batches[entity])
	}
	return created, nil
}

// createdQuery is createdInDay's query, with the columns route after the
// key's, of the arguments createdArgs gives. It reads the day's hours from
// the index gateway_by_created_hour (migration 017), whose expression it
// repeats for SQLite to find it.
func createdQuery(route string) string {
	return `SELECT entity, key` + route + ` FROM gateway_records
		WHERE created_at / ` + strconv.FormatInt(createdHour, 10) + ` BETWEEN ? AND ? AND created_at >= ? AND created_at < ?`
}

// createdHour is an hour in the stored instants' nanoseconds, by which
// gateway_by_created_hour divides.
const createdHour = int64(time.Hour)

// createdArgs are createdQuery's arguments for the instants [lo, hi): the
// first and last hour they span, as SQLite's integer division counts them
// (toward zero, as Go's), then lo and hi.
func createdArgs(lo, hi int64) []any {
	return []any{lo / createdHour, (hi - 1) / createdHour, lo, hi}
}

// keyBatch gathers keys read from rows, copied (a row's bytes do not
// outlive it), to look them up together with recon.Keys.FindEachBytes.
type keyBatch struct {
	buf   []byte
	keys  [][]byte
	found []int32
}

// keyBatchSize is how many keys a keyBatch gathers before it is full.
const keyBatchSize = 256

// add copies k into the batch and says whether the batch is full.
func (b *keyBatch) add(k []byte) (full bool) {
	off := len(b.buf)
	b.buf = append(b.buf, k...)
	b.keys = append(b.keys, b.buf[off:len(b.buf):len(b.buf)])
	return len(b.keys) == keyBatchSize
}

// find looks the batch's keys up in index: their numbers in order, -1 for
// a key never added.
func (b *keyBatch) find(index *recon.Keys) []int32 {
	if cap(b.found) < len(b.keys) {
		b.found = make([]int32, keyBatchSize)
	}
	found := b.found[:len(b.keys)]
	index.FindEachBytes(b.keys, found)
	return found
}

// reset empties the batch.
func (b *keyBatch) reset() { b.buf, b.keys = b.buf[:0], b.keys[:0] }

// loadGateway loads the latest live record of each key of the day: every
// key of the date's ledger files, and every key the gateway created in the
// day. The pay-ins' records are read here while gatewayLoad.beside reads
// the rest on the connection beside; waitOwn waits for it. It also finds which
// of the day's gateway-created keys without a ledger row in the day have
// one in another date's ledger.
func (s *DB) loadGateway(ctx context.Context, tx *sqlx.Tx, d *recon.Day, sc *dayScope, gl *gatewayLoad) error {
	// The records of the ledgers' keys: one index probe per ledger row.
	if err := joinLedgerRows(ctx, sc.conn, sc, orderLedger, gatewayColumns, gl.payins.hashedRow); err != nil {
		return err
	}
	if err := sc.waitOwn(); err != nil {
		return err
	}
	// The records of the keys the gateway created in the day that no
	// ledger file of the date has, key by key.
	for _, k := range gl.created {
		sk, _, _ := sc.keys[k.entity].addString(k.ref)
		sk.created = true
	}
	sc.gatewayOnly = gl.created
	sort.Slice(sc.gatewayOnly, func(i, j int) bool {
		a, b := sc.gatewayOnly[i], sc.gatewayOnly[j]
		return a.entity < b.entity || a.entity == b.entity && a.ref < b.ref
	})
	sc.gatewayOnlyArgs = make([][]any, len(sc.gatewayOnly))
	for i, k := range sc.gatewayOnly {
		sc.gatewayOnlyArgs[i] = []any{string(k.entity), k.ref}
	}
	for _, lg := range []*latestGateway{gl.payins, gl.payouts} {
		var args [][]any
		for i, k := range sc.gatewayOnly {
			if k.entity == lg.entity {
				args = append(args, sc.gatewayOnlyArgs[i])
			}
		}
		err := bulkQueryEach(ctx, sc.conn, sc.readSize, gatewayOfKey, args, lg.row)
		if err != nil {
			return err
		}
	}
	d.Gateway = gl.gateway()
	return s.loadLedgerElsewhere(ctx, tx, d, sc)
}
