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
	date     string
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
		date: date, readSize: s.opts.ReadBatchBytes, lo: ledger.Nanos(from), hi: ledger.Nanos(to), zone: from.Location(),
		roles: map[string]int64{}, live: map[int64]bool{}, webhooks: map[int64]bool{}, paths: map[int64]string{},
		accepted: map[int64]int{},
		intern:   &ledger.Strings{},
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

// dayKey is one key of a pay-in or a payout.
type dayKey struct {
	entity recon.Entity
	ref    string
}
