package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/kwikpaisa/recon/internal/ledger"
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
	date string
	// part is the share of the day's keys loaded (the whole day, or one
	// recon.Part): every query that finds keys keeps the part's only.
	part     recon.Part
	readSize int              // Options.ReadBatchBytes
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
	intern          *ledger.Strings // words, interned, on the store's connection
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
	// spills are the day's sources read once for all its parts (partRows).
	spills *daySpills
	// dayOf is how many parts of each entity DayParts splits the day into.
	dayOf map[recon.Entity]int
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
// "payouts"): its own, then the previous date's, then the next date's;
// none for a part of the other entity's keys.
func (sc *dayScope) ledgerFiles(role string) []ledgerFile {
	if !sc.wants(recon.Entity(ledgerOfRole[role].entity)) {
		return nil
	}
	return sc.filesOf(role)
}

// filesOf is ledgerFiles whatever entity the part is of.
func (sc *dayScope) filesOf(role string) []ledgerFile {
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

// ledgerRows is the condition and arguments, after "l.file_id = ?", that
// keep the rows a date reads of a ledger file of l, as alias l: of the
// date's own file every row, of a neighbour's the rows dated the day; and
// of either, unless all, only the keys of the part.
func (sc *dayScope) ledgerRows(f ledgerFile, l ledgerTable, all bool) (string, []any) {
	cond, args := "", []any{f.id}
	if !f.own {
		cond, args = ` AND l.`+l.at+` >= ? AND l.`+l.at+` < ?`, append(args, sc.lo, sc.hi)
	}
	if !all && !sc.part.Whole() {
		lo, hi := sc.part.HashRange()
		cond, args = cond+` AND `+l.hash()+` BETWEEN ? AND ?`, append(args, lo, hi)
	}
	return cond, args
}

// partRows hands row the rows of one of the day's large sources (src)
// that are the part's. The whole day reads them with direct. A part reads
// them back from the source's spill, filled by spillDay.
func (sc *dayScope) partRows(ctx context.Context, conn *sqlx.Conn, src spillSource, direct func(row func(*rowValues) error) error,
	row func(*rowValues) error) error {
	if sc.part.Whole() {
		return direct(row)
	}
	sp, err := sc.spills.get(sc.date, sc.spillKey(src.name), func(route func(*rowValues) error) error { return src.pass(ctx, conn, route) })
	if err != nil {
		return err
	}
	return sp.replay(ctx, sc.part, row)
}

// spillKey is the key of the spill of source: for the parts of both
// entities of the day's split (DayParts), which every part loaded is one
// of (dayScope).
func (sc *dayScope) spillKey(source string) spillKey {
	return spillKey{source: source, payins: sc.dayOf[recon.EntityPayin], payouts: sc.dayOf[recon.EntityPayout]}
}

// routeColumns are the routeValues of a row of alias, for a table whose
// rows name their entity and key: the key is read to tell a delivery that
// names none. A ledger's rows give theirs as constants (ledgerTable.route).
func routeColumns(alias string) string {
	return `, ` + alias + `.entity, ` + alias + `.key = '', ` + alias + `.key_hash`
}

// wants reports whether the part holds keys of entity.
func (sc *dayScope) wants(entity recon.Entity) bool {
	return sc.part.Whole() || sc.part.Entity == entity
}

// deliveryCond is the condition, with its arguments, that keeps the
// deliveries, as alias, of the part (recon.Part.HasDelivery): of its keys
// by key_hash, and, in the first payouts part, those that name no key. The
// unary + on the entity, here and in hashedCond, keeps SQLite on the range
// the query is about (the other logs' rows that repeat a body of the
// day's) whatever index leads with the entity: with one on (entity, key),
// it read every record of the entity, of every date (TestPartQueryPlans).
func (sc *dayScope) deliveryCond(alias string) (string, []any) {
	if sc.part.Whole() {
		return "", nil
	}
	lo, hi := sc.part.HashRange()
	cond := `+` + alias + `.entity = ? AND ` + alias + `.key <> '' AND ` + alias + `.key_hash BETWEEN ? AND ?`
	if sc.part.HasDelivery("", "") {
		cond = `(` + cond + ` OR ` + alias + `.key = '' OR ` + alias + `.entity NOT IN ('PAYIN', 'PAYOUT'))`
	}
	return ` AND ` + cond, []any{string(sc.part.Entity), lo, hi}
}

// hashedCond is the condition, with its arguments, that keeps the rows
// of a table of keys (entity, key) of the part, by their computed hash.
func (sc *dayScope) hashedCond() (string, []any) {
	if sc.part.Whole() {
		return "", nil
	}
	lo, hi := sc.part.HashRange()
	return ` AND +entity = ? AND recon_key_hash(entity, key) BETWEEN ? AND ?`, []any{string(sc.part.Entity), lo, hi}
}

// split is room for the part's share of n rows of one entity's file: the
// rows are spread evenly over its hash ranges. A slice that outgrows it
// grows.
func (sc *dayScope) split(n int) int {
	if sc.part.Of <= 1 {
		return n
	}
	s := n / sc.part.Of
	return s + s/8 + 64
}

// share is room for the part's share of n rows of a file of both
// entities (a gateway dump, a webhook log): its entity's share of the
// ledgers' rows, split.
func (sc *dayScope) share(n int) int {
	in, out := sc.accepted[sc.roles["orders"]], sc.accepted[sc.roles["payouts"]]
	if sc.part.Whole() || in+out == 0 {
		return n
	}
	mine := in
	if sc.part.Entity == recon.EntityPayout {
		mine = out
	}
	return sc.split(int(int64(n) * int64(mine) / int64(in+out)))
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

func (s *DB) dayScope(ctx context.Context, tx *sqlx.Tx, date string, part recon.Part, from, to time.Time) (*dayScope, error) {
	sc := &dayScope{
		date: date, part: part, readSize: s.opts.ReadBatchBytes, lo: ledger.Nanos(from), hi: ledger.Nanos(to), zone: from.Location(),
		roles: map[string]int64{}, live: map[int64]bool{}, webhooks: map[int64]bool{}, paths: map[int64]string{},
		accepted: map[int64]int{},
		intern:   &ledger.Strings{}, spills: s.spills,
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
	sc.dayOf = map[recon.Entity]int{}
	for _, p := range recon.DayParts(sc.accepted[sc.roles["orders"]], sc.accepted[sc.roles["payouts"]], s.opts.PartKeys) {
		sc.dayOf[p.Entity] = p.Of
	}
	// The parts of a day share the spills of its sources, made for its
	// split: a part of another split would find none of its own.
	if !part.Whole() && (part.Of != sc.dayOf[part.Entity] || part.No < 0 || part.No >= part.Of) {
		return nil, fmt.Errorf("part %d of %d of the %s is not one of the day's split (DayParts: %d of them)",
			part.No+1, part.Of, part.Entity, sc.dayOf[part.Entity])
	}
	// Sized for the ledger's keys and a few more: most gateway records and
	// deliveries are of ledger keys, and an index sized for all of them
	// would hold (and touch) room for keys that never come; recon.Keys
	// doubles its table the few times the rest need it.
	gateway := sc.share(sc.accepted[sc.roles["gateway"]])
	sc.keys = map[recon.Entity]*scopeKeys{}
	for _, l := range []ledgerTable{orderLedger, payoutLedger} {
		n := 0
		if sc.wants(recon.Entity(l.entity)) {
			n = sc.split(sc.accepted[sc.roles[l.role]]) + gateway/16
		}
		sc.keys[recon.Entity(l.entity)] = newScopeKeys(n)
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

// dayKey is one key of a pay-in or a payout.
type dayKey struct {
	entity recon.Entity
	ref    string
}
