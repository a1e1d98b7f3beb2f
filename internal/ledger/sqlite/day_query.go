package sqlite

import (
	"context"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/kwikpaisa/recon/internal/mem"
	"github.com/kwikpaisa/recon/internal/recon"
)

// A day is loaded with queries that each walk one index in order: a
// ledger file's rows by primary key, a join from its keys into the gateway
// records and deliveries by key, the gateway records created in the day by
// a covering index. What needs a choice (the latest record of a key, which
// keys no ledger has) is decided here in Go, over maps sized to the day, so
// the cost grows with the day's rows and not with the store's history.

// dayScope is what the queries of one date share.
type dayScope struct {
	date     string
	lo, hi   int64            // the day, as stored instants
	roles    map[string]int64 // role → file id of the date
	live     map[int64]bool   // files that are some date's source
	webhooks map[int64]bool   // files that are some date's webhook log
	paths    map[int64]string // every source file's path
	accepted map[int64]int    // every source file's accepted rows
	// keys holds, per entity, what the load has found of each key: the
	// keys of every row of the date's ledger files (inside the day or not:
	// they select the gateway records and deliveries the day needs), and
	// the keys the gateway created in the day.
	keys map[recon.Entity]*scopeKeys
	// gatewayOnly holds the keys the gateway created in the day that no
	// ledger file of the date has, sorted.
	gatewayOnly []dayKey
	// gatewayOnlyArgs are gatewayOnly as (entity, key) query arguments.
	gatewayOnlyArgs [][]any
	intern          interner
	// conn is the connection of the load's transaction, for the queries
	// that read many rows (bulkQuery).
	conn *sqlx.Conn
	// The day's own webhook logs are read beside the rest of the load
	// (LoadDay): waitOwn waits for them and returns ownDeliveries' error.
	own           chan error
	ownDone       bool
	ownErr        error
	ownDeliveries []recon.Delivery
	// payoutsOutOfDay counts the payouts ledger's rows outside the day,
	// and payoutsOutside splits them by date, read beside (Day.OutOfDay
	// and Day.OutsideDates are this connection's).
	payoutsOutOfDay int
	payoutsOutside  map[string]int
	// zone is the business zone, in which a row outside the day is given
	// its date.
	zone *time.Location
}

// ledgerFile is one ledger file a date reads rows from: its own file (every
// row: those of other dates are counted, and their keys select records),
// or the file configured for the date before or after (only its rows dated
// the day; SPEC §1).
type ledgerFile struct {
	id  int64
	own bool
}

// ledgerFiles returns the date's ledger files of a role ("orders",
// "payouts"): its own, then the previous date's, then the next date's.
func (sc *dayScope) ledgerFiles(role string) []ledgerFile {
	var out []ledgerFile
	seen := map[int64]bool{}
	for _, r := range []string{role, role + "_prev", role + "_next"} {
		if id, ok := sc.roles[r]; ok && !seen[id] {
			seen[id] = true
			out = append(out, ledgerFile{id: id, own: r == role})
		}
	}
	return out
}

// inDayOnly is the condition and arguments that keep, of a ledger file
// that is not the date's own, the rows dated the day: at is the table's
// own-time column, as alias.at.
func (sc *dayScope) inDayOnly(f ledgerFile, at string) (string, []any) {
	if f.own {
		return "", []any{f.id}
	}
	return ` AND ` + at + ` >= ? AND ` + at + ` < ?`, []any{f.id, sc.lo, sc.hi}
}

// dateOf is the business date of a stored instant.
func (sc *dayScope) dateOf(at int64) string {
	return time.Unix(0, at).In(sc.zone).Format(time.DateOnly)
}

// waitOwn waits until the day's own webhook logs are read and returns the
// reading's error; it may be called more than once.
func (sc *dayScope) waitOwn() error {
	if !sc.ownDone {
		sc.ownErr, sc.ownDone = <-sc.own, true
	}
	return sc.ownErr
}

func (s *DB) dayScope(ctx context.Context, tx *sqlx.Tx, date string, from, to time.Time) (*dayScope, error) {
	sc := &dayScope{
		date: date, lo: nanos(from), hi: nanos(to), zone: from.Location(),
		roles: map[string]int64{}, live: map[int64]bool{}, webhooks: map[int64]bool{}, paths: map[int64]string{},
		accepted: map[int64]int{},
		intern:   interner{},
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, path, rows_accepted FROM source_files`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var path string
		var accepted int
		if err := rows.Scan(&id, &path, &accepted); err != nil {
			rows.Close()
			return nil, err
		}
		sc.paths[id], sc.accepted[id] = path, accepted
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = tx.QueryContext(ctx, `SELECT business_date, role, file_id FROM day_sources`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var d, role string
		var id int64
		if err := rows.Scan(&d, &role, &id); err != nil {
			return nil, err
		}
		sc.live[id] = true
		if role == "webhooks" || role == "webhooks_next" {
			sc.webhooks[id] = true
		}
		if d == date {
			sc.roles[role] = id
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Sized for the ledger's keys and a few more: most gateway records and
	// deliveries are of ledger keys, and an index sized for all of them
	// would hold (and touch) room for keys that never come; recon.Keys
	// doubles its table the few times the rest need it.
	gateway := sc.accepted[sc.roles["gateway"]]
	sc.keys = map[recon.Entity]*scopeKeys{
		recon.EntityPayin:  newScopeKeys(sc.accepted[sc.roles["orders"]] + gateway/16),
		recon.EntityPayout: newScopeKeys(sc.accepted[sc.roles["payouts"]] + gateway/16),
	}
	return sc, nil
}

// scopeKey is what the load has found of one key.
type scopeKey struct {
	ledger  bool  // a row of the date's ledger files has it, inside the day or not
	inDay   bool  // a ledger row inside the day has it
	created bool  // the gateway created it in the day
	loaded  int32 // the position of its record in its entity's latestGateway; -1 for none
}

// scopeKeys finds the scopeKey of a key of one entity: its number in the
// day's recon.Keys, whatever the load finds of it.
type scopeKeys struct {
	index *recon.Keys
	keys  []scopeKey
}

func newScopeKeys(n int) *scopeKeys {
	return &scopeKeys{index: recon.NewKeys(n), keys: make([]scopeKey, 0, n)}
}

// add returns k's scopeKey, and the key's number and string in the index,
// adding k if it is new. The pointer is valid until the next add.
func (s *scopeKeys) add(k []byte) (*scopeKey, int32, string) { return s.entry(s.index.AddBytes(k)) }

// addString is add for a key held as a string.
func (s *scopeKeys) addString(k string) (*scopeKey, int32, string) { return s.entry(s.index.Add(k)) }

func (s *scopeKeys) entry(i int32, added bool) (*scopeKey, int32, string) {
	if added {
		s.keys = append(s.keys, scopeKey{loaded: -1})
	}
	return &s.keys[i], i, s.index.Key(i)
}

// get returns k's scopeKey, and the key's number and string in the index,
// or nil for a key the load has not met.
func (s *scopeKeys) get(k []byte) (*scopeKey, int32, string) {
	if i, ok := s.index.FindBytes(k); ok {
		return &s.keys[i], i, s.index.Key(i)
	}
	return nil, -1, ""
}

// storedClass reads a stored status class: the store writes only the words
// of recon.StatusClass ("" for a delivery whose body names none).
func storedClass(word []byte) (recon.StatusClass, error) {
	c, ok := recon.ParseStatusClass(string(word))
	if !ok {
		return c, fmt.Errorf("stored status class %q is not one recon knows", word)
	}
	return c, nil
}

// interner shares one string among the many rows that repeat it (a
// currency, a status word), so a day of a million rows holds each once.
type interner map[string]string

func (in interner) get(b []byte) string {
	if s, ok := in[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(in) < 4096 {
		in[s] = s
	}
	return s
}

func (s *DB) loadOrders(ctx context.Context, d *recon.Day, sc *dayScope) error {
	files := sc.ledgerFiles("orders")
	if len(files) == 0 {
		return nil
	}
	d.Orders = make([]recon.Order, 0, sc.accepted[files[0].id])
	mem.Populate(d.Orders)
	keys := sc.keys[recon.EntityPayin]
	in := sc.intern
	for _, f := range files {
		places := newPlacer(sc.paths[f.id])
		cond, args := sc.inDayOnly(f, "created_at")
		err := bulkQuery(ctx, sc.conn, `SELECT line, order_id, amount, currency, status, class, created_at,
				transaction_id, payment_method
			FROM orders WHERE file_id = ?`+cond+` ORDER BY seq`, args, func(v *rowValues) error {
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
			o.Currency, o.Status, o.Class = in.get(currency), in.get(status), class
			o.TransactionID, o.PaymentMethod = v.String(), in.get(v.Bytes())
			o.CreatedAt, o.Place = recon.Instant(created), places.at(line)
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
func loadPayouts(ctx context.Context, conn *sqlx.Conn, d *recon.Day, sc *dayScope, in interner) (outOfDay int, outside map[string]int, err error) {
	files := sc.ledgerFiles("payouts")
	if len(files) == 0 {
		return 0, nil, nil
	}
	d.Payouts = make([]recon.Payout, 0, sc.accepted[files[0].id])
	keys := sc.keys[recon.EntityPayout]
	for _, f := range files {
		places := newPlacer(sc.paths[f.id])
		cond, args := sc.inDayOnly(f, "requested_at")
		err = bulkQuery(ctx, conn, `SELECT line, payout_order_id, amount, currency, status, class,
				transfer_mode, beneficiary_account, beneficiary_ifsc, beneficiary_vpa, utr, utr_corrupted, utr_raw,
				requested_at
			FROM payouts WHERE file_id = ?`+cond+` ORDER BY seq`, args, func(v *rowValues) error {
			var p recon.Payout
			var k *scopeKey
			line := v.Bytes()
			k, p.KeyNo, p.PayoutID = keys.add(v.Bytes())
			p.Amount = recon.Amount(v.Int())
			p.Currency, p.Status = in.get(v.Bytes()), in.get(v.Bytes())
			class, err := storedClass(v.Bytes())
			if err != nil {
				return fmt.Errorf("payout %s: %w", p.PayoutID, err)
			}
			p.Class = class
			p.TransferMode, p.BeneficiaryAccount, p.BeneficiaryIFSC = in.get(v.Bytes()), v.String(), in.get(v.Bytes())
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
			p.RequestedAt, p.Place = recon.Instant(requested), places.at(line)
			d.Payouts = append(d.Payouts, p)
			return nil
		})
		if err != nil {
			return outOfDay, outside, err
		}
	}
	return outOfDay, outside, nil
}

// gatewayColumns are the columns of a gateway record that matching and the
// reports use, as latestGateway.row reads them. The gateway's own ids,
// bank reference, method, mode, failure reason and settlement time stay in
// the store.
const gatewayColumns = `g.id, g.file_id, g.line, g.entity, g.key, g.amount, g.currency, g.status,
	g.class, g.transaction_id, g.utr, g.beneficiary_account, g.beneficiary_ifsc, g.beneficiary_vpa, g.created_at,
	g.fetched_at`

// latestGateway keeps, per key of one entity, the most recently fetched
// live record in recs, at the position its scopeKey gives; fetched and ids
// hold each kept record's fetch time and row id (the tie between two
// records fetched at the same instant). The pay-ins' and the payouts' are
// filled on two connections at once, each with its own interner.
type latestGateway struct {
	sc      *dayScope
	entity  recon.Entity
	keys    *scopeKeys
	in      interner
	recs    []recon.GatewayRecord
	fetched []int64
	ids     []int64
	places  placers
}

// newLatestGateway returns a latestGateway with room for n records' fetch
// times and ids; the caller gives it recs.
func newLatestGateway(sc *dayScope, entity recon.Entity, n int) *latestGateway {
	return &latestGateway{sc: sc, entity: entity, keys: sc.keys[entity], in: interner{},
		fetched: make([]int64, 0, n), ids: make([]int64, 0, n), places: newPlacers(sc.paths)}
}

// row reads one row of gatewayColumns, keeping the latest live record of
// each key: the greatest fetched_at, then the greatest id. It only reads
// the key index (and writes the scopeKey's loaded): the index is complete
// for the ledgers' keys before any record is read.
func (lg *latestGateway) row(v *rowValues) error {
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
	g.Currency, g.Status, g.Class = in.get(currency), in.get(status), class
	g.TransactionID, g.UTR, g.BeneficiaryAccount = v.keep(txn), v.keep(utr), v.keep(account)
	g.BeneficiaryIFSC, g.BeneficiaryVPA = in.get(ifsc), v.keep(vpa)
	g.CreatedAt = recon.Instant(created)
	if fileNull {
		g.Place = recon.PlaceOf("api", string(line))
	} else {
		g.Place = lg.places.of(file).at(line)
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
	all := make([]recon.GatewayRecord, pi+po)
	mem.Populate(all)
	payins, payouts := newLatestGateway(sc, recon.EntityPayin, len(all)-po), newLatestGateway(sc, recon.EntityPayout, po)
	payins.recs, payouts.recs = all[:0:len(all)-po], all[len(all)-po:len(all)-po]
	return &gatewayLoad{payins: payins, payouts: payouts, all: all}
}

// gateway returns the day's Gateway: the pay-ins' records, then the
// payouts'.
func (gl *gatewayLoad) gateway() []recon.GatewayRecord {
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
	if err := joinLedger(ctx, conn, sc, payoutLedger, gatewayColumns, "gateway_records g", "g", "", gl.payouts.row); err != nil {
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
	in := interner{}
	err := bulkQuery(ctx, conn, `SELECT entity, key FROM gateway_records WHERE created_at >= ? AND created_at < ?`,
		[]any{sc.lo, sc.hi}, func(v *rowValues) error {
			entity := recon.Entity(in.get(v.Bytes()))
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
	if err := joinLedger(ctx, sc.conn, sc, orderLedger, gatewayColumns, "gateway_records g", "g", "", gl.payins.row); err != nil {
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
		err := bulkQueryEach(ctx, sc.conn, `SELECT `+gatewayColumns+` FROM gateway_records g WHERE g.entity = ? AND g.key = ?`,
			args, lg.row)
		if err != nil {
			return err
		}
	}
	d.Gateway = gl.gateway()
	return s.loadLedgerElsewhere(ctx, tx, d, sc)
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

// deliveryColumns are the columns of a delivery, as scanDeliveries reads
// them.
const deliveryColumns = `w.file_id, w.line, w.received_at, w.timestamp, w.event, w.entity, w.key, w.class, w.amount,
	w.currency, w.transaction_id, w.utr, w.body_sha256, w.verified, w.stale, w.problem`

// deliveryReader appends rows of deliveryColumns to out, skipping those
// already taken (by file and line) when taken is not nil.
type deliveryReader struct {
	places placers
	in     interner
	taken  map[[2]int64]bool
	out    []recon.Delivery
}

func (r *deliveryReader) row(v *rowValues) error {
	file, line := v.Int(), v.Int()
	if r.taken != nil {
		at := [2]int64{file, line}
		if r.taken[at] {
			return nil
		}
		r.taken[at] = true
	}
	in := r.in
	dv := recon.Delivery{Place: r.places.of(file).src.At(int(line)), KeyNo: -1} // numberDeliveries numbers it
	dv.ReceivedAt, dv.Timestamp, dv.Event = recon.Instant(v.Int()), v.Int(), in.get(v.Bytes())
	dv.Entity, dv.Key = recon.Entity(in.get(v.Bytes())), v.String()
	class, err := storedClass(v.Bytes())
	if err != nil {
		return fmt.Errorf("delivery at %s: %w", dv.Place, err)
	}
	dv.Class = class
	if !v.IsNull() {
		dv.HasAmount = true
	}
	dv.Amount = recon.Amount(v.Int())
	dv.Currency, dv.TransactionID, dv.UTR = in.get(v.Bytes()), v.String(), v.String()
	sum := v.Bytes()
	if len(sum) != hex.EncodedLen(len(dv.BodySHA256)) {
		return fmt.Errorf("delivery at %s: stored body hash %q is not a SHA-256", dv.Place, sum)
	}
	if _, err := hex.Decode(dv.BodySHA256[:], sum); err != nil {
		return fmt.Errorf("delivery at %s: stored body hash %q: %w", dv.Place, sum, err)
	}
	word := v.Bytes()
	verified, ok := recon.ParseVerifyMethod(string(word))
	if !ok {
		return fmt.Errorf("delivery at %s: stored verification %q is none of \"\", \"raw\", \"canonical\"", dv.Place, word)
	}
	dv.Verified, dv.Stale = verified, v.Int() != 0
	dv.Problem = in.get(v.Bytes())
	r.out = append(r.out, dv)
	return nil
}

// ownLogs returns the file ids of the day's own webhook logs (its own and
// the next date's), in path order.
func (sc *dayScope) ownLogs() []int64 {
	var ids []int64
	for _, role := range []string{"webhooks", "webhooks_next"} {
		if id, ok := sc.roles[role]; ok {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return sc.paths[ids[i]] < sc.paths[ids[j]] })
	return ids
}

// loadOwnDeliveries reads every delivery of the day's own logs, in path and
// line order, on conn: LoadDay runs it on a connection of its own, beside
// the rest of the load. It reads only what dayScope found before it
// started, and interns with an interner of its own.
func loadOwnDeliveries(ctx context.Context, conn *sqlx.Conn, sc *dayScope) ([]recon.Delivery, error) {
	ids := sc.ownLogs()
	n := 0
	for _, id := range ids {
		n += sc.accepted[id]
	}
	own := &deliveryReader{places: newPlacers(sc.paths), in: interner{}, out: make([]recon.Delivery, 0, n)}
	mem.Populate(own.out)
	for _, id := range ids {
		err := bulkQuery(ctx, conn, `SELECT `+deliveryColumns+` FROM deliveries w WHERE w.file_id = ? ORDER BY w.line`,
			[]any{id}, own.row)
		if err != nil {
			return nil, err
		}
	}
	return own.out, nil
}

// loadDeliveries loads every delivery of the day's logs (its own and the
// next date's), and every delivery of another live log that is of a key of
// the day or repeats a body delivered in the day; ordered by log path and
// line.
func (s *DB) loadDeliveries(ctx context.Context, d *recon.Day, sc *dayScope) error {
	if id, ok := sc.roles["webhooks"]; ok {
		d.DayLog = sc.paths[id]
	}
	if err := sc.waitOwn(); err != nil {
		return err
	}
	d.Deliveries = sc.ownDeliveries
	var others []string
	for id := range sc.webhooks {
		if id != sc.roles["webhooks"] && id != sc.roles["webhooks_next"] {
			others = append(others, itoa(id))
		}
	}
	if len(others) == 0 {
		return nil
	}
	// Other logs: deliveries of the day's keys, or repeating a body the
	// day's logs hold.
	sort.Strings(others)
	in := "(" + strings.Join(others, ",") + ")"
	more := &deliveryReader{places: newPlacers(sc.paths), in: sc.intern, taken: map[[2]int64]bool{}}
	if err := joinLedgerKeys(ctx, sc, deliveryColumns, "deliveries w", "w", " AND w.file_id IN "+in, more.row); err != nil {
		return err
	}
	err := bulkQueryEach(ctx, sc.conn, `SELECT `+deliveryColumns+` FROM deliveries w
		WHERE w.entity = ? AND w.key = ? AND w.file_id IN `+in, sc.gatewayOnlyArgs, more.row)
	if err != nil {
		return err
	}
	if ownIDs := sc.ownLogs(); len(ownIDs) > 0 {
		owned := make([]string, len(ownIDs))
		for i, id := range ownIDs {
			owned[i] = itoa(id)
		}
		err := bulkQuery(ctx, sc.conn, `SELECT `+deliveryColumns+` FROM deliveries w WHERE w.file_id IN `+in+`
			AND w.body_sha256 IN (SELECT body_sha256 FROM deliveries WHERE file_id IN (`+strings.Join(owned, ",")+`))`, nil, more.row)
		if err != nil {
			return err
		}
	}
	if len(more.out) == 0 {
		return nil
	}
	d.Deliveries = append(d.Deliveries, more.out...)
	sort.SliceStable(d.Deliveries, func(i, j int) bool {
		a, b := d.Deliveries[i].Place, d.Deliveries[j].Place
		if fa, fb := a.File(), b.File(); fa != fb {
			return fa < fb
		}
		return a.LineNo() < b.LineNo()
	})
	return nil
}

// numberDeliveries sets the KeyNo of each delivery of the day not numbered
// yet (findDeliveryKeys), adding the keys the ledgers and gateway records do
// not have; -1 stays for a delivery that names no pay-in or payout key.
// The keys are looked up a batch at a time (recon.Keys.FindEach), each
// entity's in the deliveries' order, and those not found added in that
// order, so the keys are numbered as one delivery at a time would number
// them.
func (sc *dayScope) numberDeliveries(d *recon.Day) { sc.deliveryKeys(d.Deliveries, true) }

// findDeliveryKeys numbers the deliveries whose key the index holds already
// (the ledgers' keys), adding none: the reader beside does it while the
// pay-ins' gateway records, which only read the index, are loaded, and
// numberDeliveries is left the others. A number found is the one
// numberDeliveries would give: the index only grows.
func (sc *dayScope) findDeliveryKeys(dvs []recon.Delivery) { sc.deliveryKeys(dvs, false) }

// deliveryKeys looks up the keys of the deliveries not yet numbered (KeyNo
// -1, a key named), setting the KeyNo and sharing the string of each found,
// and, with add, adding each not found.
func (sc *dayScope) deliveryKeys(dvs []recon.Delivery, add bool) {
	const batch = 256
	var (
		at    [batch]int
		keys  [batch]string
		found [batch]int32
	)
	for start := 0; start < len(dvs); start += batch {
		part := dvs[start:min(start+batch, len(dvs))]
		for _, entity := range []recon.Entity{recon.EntityPayin, recon.EntityPayout} {
			sk := sc.keys[entity]
			n := 0
			for i := range part {
				if dv := &part[i]; dv.KeyNo < 0 && dv.Entity == entity && dv.Key != "" {
					at[n], keys[n] = i, dv.Key
					n++
				}
			}
			sk.index.FindEach(keys[:n], found[:n])
			for j, no := range found[:n] {
				dv := &part[at[j]]
				switch {
				case no >= 0:
					dv.KeyNo, dv.Key = no, sk.index.Key(no)
				case add:
					_, dv.KeyNo, dv.Key = sk.addString(dv.Key)
				}
			}
		}
	}
}

func (s *DB) loadPulls(ctx context.Context, d *recon.Day, sc *dayScope) error {
	return bulkQuery(ctx, sc.conn, `SELECT entity, key, outcome FROM pulls`, nil, func(v *rowValues) error {
		if m := d.Pulls[recon.Entity(sc.intern.get(v.Bytes()))]; m != nil {
			m[v.String()] = recon.PullOutcome(sc.intern.get(v.Bytes()))
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
		OR EXISTS (SELECT 1 FROM gateway_records g WHERE g.entity = ?1 AND g.key = ?2
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

// ledgerTable names a ledger's role, entity, table, key column and the
// column of a row's own time.
type ledgerTable struct{ role, entity, table, key, at string }

var (
	orderLedger  = ledgerTable{"orders", "PAYIN", "orders", "order_id", "created_at"}
	payoutLedger = ledgerTable{"payouts", "PAYOUT", "payouts", "payout_order_id", "requested_at"}
)

// joinLedgerKeys runs joinLedger for each ledger file of the date.
func joinLedgerKeys(ctx context.Context, sc *dayScope, columns, target, alias, where string, row func(*rowValues) error) error {
	for _, l := range []ledgerTable{orderLedger, payoutLedger} {
		if err := joinLedger(ctx, sc.conn, sc, l, columns, target, alias, where, row); err != nil {
			return err
		}
	}
	return nil
}

// joinLedger runs, on conn, a join from the keys of each of the date's
// ledger files of l (ledgerFiles: a neighbour's only for its rows dated
// the day) into target (a table and its alias, whose entity and key
// columns are probed), with more conditions in where, and hands the rows
// to row; a key in two files gives its rows twice. CROSS JOIN keeps the
// ledger file as the outer loop: SQLite has no statistics to know the
// store holds far more rows than the day.
func joinLedger(ctx context.Context, conn *sqlx.Conn, sc *dayScope, l ledgerTable, columns, target, alias, where string,
	row func(*rowValues) error) error {
	for _, f := range sc.ledgerFiles(l.role) {
		cond, args := sc.inDayOnly(f, "l."+l.at)
		err := bulkQuery(ctx, conn, `SELECT `+columns+` FROM `+l.table+` l CROSS JOIN `+target+`
		ON `+alias+`.entity = '`+l.entity+`' AND `+alias+`.key = l.`+l.key+` WHERE l.file_id = ?`+cond+where, args, row)
		if err != nil {
			return err
		}
	}
	return nil
}

// dayKey is one key of a pay-in or a payout.
type dayKey struct {
	entity recon.Entity
	ref    string
}

// placer makes the places of one file's stored lines: a line number (most
// are) is a place of the file's source, found once; any other line
// ("Sheet!row", the API's call) is read whole.
type placer struct {
	path string
	src  recon.PlaceSource
}

func newPlacer(path string) placer { return placer{path: path, src: recon.SourceOf(path, "")} }

func (p placer) at(line []byte) recon.Place {
	if n := lineNo(line); n > 0 {
		return p.src.At(n)
	}
	return recon.PlaceOf(p.path, string(line))
}

// placers finds the placer of each file by its id, once; a reader on one
// connection has its own.
type placers struct {
	paths  map[int64]string // every source file's path
	byFile map[int64]placer
}

func newPlacers(paths map[int64]string) placers {
	return placers{paths: paths, byFile: map[int64]placer{}}
}

func (p placers) of(file int64) placer {
	pl, ok := p.byFile[file]
	if !ok {
		pl = newPlacer(p.paths[file])
		p.byFile[file] = pl
	}
	return pl
}

// lineNo returns the line number a stored line is, or 0 when it is not
// only a number of at most nine digits without a leading zero.
func lineNo(line []byte) int {
	if len(line) == 0 || len(line) > 9 || line[0] == '0' {
		return 0
	}
	n := 0
	for _, c := range line {
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + int(c-'0')
	}
	return n
}
