package recon

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// DayAssembly decides what one business day is, from the rows a store
// streams into it: which ledger rows are the day's (SPEC §1), which gateway
// record of a key counts (the latest fetched), which keys only the gateway
// knows, which deliveries are the day's, and how the day's keys are
// numbered. A store only stores and streams; the rules live here once, for
// every store.
//
// The steps, in order:
//
//  1. Sources: every stored source file and every date's roles.
//  2. Order and Payout: the rows of LedgerFiles("orders") and
//     LedgerFiles("payouts"), file by file in that order, each file in its
//     own order. A neighbour's file may be given whole or only its rows
//     dated the day.
//  3. CreatedInDay: the (entity, key) of every stored gateway record
//     created in the day, by creation time, then entity, then key.
//  4. Gateway: every stored record of a key of the ledger rows or of
//     GatewayOnly, in any order and repeated at will.
//  5. ElsewhereCandidates and SetElsewhere: which of the keys the gateway
//     created in the day without a ledger row in the day have one in
//     another date's ledger file.
//  6. Deliveries: every delivery of OwnLogs, and every delivery of
//     OtherLogs of a key of the ledger rows or of GatewayOnly, or of a
//     body an own log holds, in any order and repeated at will.
//  7. KnownCandidates and SetKnown; Pull for every stored pull outcome.
//  8. Day.
type DayAssembly struct {
	day      *Day
	lo, hi   Instant
	zone     *time.Location
	files    map[int64]AssemblyFile
	roles    map[string]int64 // the date's role → file id
	live     map[int64]bool   // files that are some date's source
	webhooks map[int64]bool   // files that are some date's webhook log
	keys     map[Entity]*assemblyKeys
	// gatewayOnly are the keys created in the day that no ledger row has,
	// in the order CreatedInDay met them, per entity.
	gatewayOnly map[Entity][]string
	taken       map[Place]bool // the other logs' deliveries taken
	own         []Delivery
	others      []Delivery
}

// AssemblyFile is one stored source file.
type AssemblyFile struct {
	ID       int64
	Path     string
	Accepted int
}

// AssemblySource is one date's use of a file in a role (orders,
// orders_prev, orders_next, payouts…, gateway, webhooks, webhooks_next).
type AssemblySource struct {
	Date   string
	Role   string
	FileID int64
}

// LedgerFile is a ledger file a date reads: its own (every row; those of
// other dates are counted) or a neighbour's (only rows dated the day).
type LedgerFile struct {
	ID  int64
	Own bool
}

// assemblyKey is what the assembly knows of one key.
type assemblyKey struct {
	ledger  bool  // a ledger row of the date's files has it, in the day or not
	inDay   bool  // a ledger row in the day has it
	created bool  // the gateway created it in the day
	rec     int32 // its record in recs; -1 for none
}

type assemblyKeys struct {
	index   *Keys
	keys    []assemblyKey
	recs    []GatewayRecord
	fetched []int64
	ids     []int64
	ledgerN int32 // keys numbered by ledger rows: the rest come after
}

func (k *assemblyKeys) add(key string) (*assemblyKey, int32, string) {
	no, added := k.index.Add(key)
	if added {
		k.keys = append(k.keys, assemblyKey{rec: -1})
	}
	return &k.keys[no], no, k.index.Key(no)
}

// reserveRecords sizes the records for one per key the entity has, the
// most it can keep: every key is known before the first record comes. The
// pay-ins' have room for the payouts' after them, where Day puts them.
func (k *assemblyKeys) reserveRecords(all map[Entity]*assemblyKeys) {
	n := len(k.keys)
	if k == all[EntityPayin] {
		n += len(all[EntityPayout].keys)
	}
	k.recs, k.fetched, k.ids = make([]GatewayRecord, 0, n), make([]int64, 0, len(k.keys)), make([]int64, 0, len(k.keys))
}

// NewDayAssembly starts the assembly of a business day.
func NewDayAssembly(day BusinessDay) *DayAssembly {
	return &DayAssembly{
		day: &Day{BusinessDay: day, RowCounts: NewRowCounts(),
			LedgerElsewhere: map[Entity]map[string]bool{EntityPayin: {}, EntityPayout: {}},
			Pulls:           map[Entity]map[string]PullOutcome{EntityPayin: {}, EntityPayout: {}},
			KnownKeys:       map[Entity]map[string]bool{EntityPayin: {}, EntityPayout: {}}},
		lo: InstantOf(day.Start), hi: InstantOf(day.End), zone: day.Start.Location(),
		files: map[int64]AssemblyFile{}, roles: map[string]int64{}, live: map[int64]bool{}, webhooks: map[int64]bool{},
		keys:        map[Entity]*assemblyKeys{EntityPayin: {index: NewKeys(0)}, EntityPayout: {index: NewKeys(0)}},
		gatewayOnly: map[Entity][]string{},
		taken:       map[Place]bool{},
	}
}

// Sources records the stored files and every date's roles.
func (a *DayAssembly) Sources(files []AssemblyFile, sources []AssemblySource) {
	for _, f := range files {
		a.files[f.ID] = f
	}
	for _, s := range sources {
		a.live[s.FileID] = true
		if s.Role == "webhooks" || s.Role == "webhooks_next" {
			a.webhooks[s.FileID] = true
		}
		if s.Date == a.day.Date {
			a.roles[s.Role] = s.FileID
		}
	}
	if id, ok := a.roles["webhooks"]; ok {
		a.day.DayLog = a.files[id].Path
	}
	a.reserve()
}

// reserve sizes the day's slices and key tables for the rows its own
// files accepted, so that a day of millions of rows is not copied again
// each time a slice outgrows itself; those copies, and the garbage they
// leave, were the largest part of a PostgreSQL load's CPU profile. It runs
// before any row is taken: a table that already holds keys is left alone.
func (a *DayAssembly) reserve() {
	accepted := func(roles ...string) int {
		n := 0
		for _, r := range roles {
			if id, ok := a.roles[r]; ok {
				n += a.files[id].Accepted
			}
		}
		return n
	}
	if n := accepted("orders"); n > 0 && a.keys[EntityPayin].index.Len() == 0 {
		a.day.Orders = make([]Order, 0, n)
		a.keys[EntityPayin] = &assemblyKeys{index: NewKeys(n), keys: make([]assemblyKey, 0, n)}
	}
	if n := accepted("payouts"); n > 0 && a.keys[EntityPayout].index.Len() == 0 {
		a.day.Payouts = make([]Payout, 0, n)
		a.keys[EntityPayout] = &assemblyKeys{index: NewKeys(n), keys: make([]assemblyKey, 0, n)}
	}
	if n := accepted("webhooks", "webhooks_next"); n > 0 && len(a.own) == 0 {
		a.own = make([]Delivery, 0, n)
	}
}

// LedgerFiles returns the date's ledger files of a kind ("orders",
// "payouts"): its own, then the previous date's, then the next date's.
func (a *DayAssembly) LedgerFiles(kind string) []LedgerFile {
	var out []LedgerFile
	seen := map[int64]bool{}
	for _, r := range []string{kind, kind + "_prev", kind + "_next"} {
		if id, ok := a.roles[r]; ok && !seen[id] {
			seen[id] = true
			out = append(out, LedgerFile{ID: id, Own: r == kind})
		}
	}
	return out
}

// Live says whether a file is some date's source: a record of a file no
// date uses any more counts for nothing.
func (a *DayAssembly) Live(file int64) bool { return a.live[file] }

// inDay says whether at falls in the day; outside it counts a row of the
// date's own ledger file of kind.
func (a *DayAssembly) inDay(kind string, at Instant, own bool) bool {
	if at >= a.lo && at < a.hi {
		return true
	}
	if own {
		a.day.OutOfDay[kind]++
		outside := a.day.OutsideDates[kind]
		if outside == nil {
			outside = map[string]int{}
			a.day.OutsideDates[kind] = outside
		}
		outside[at.Time().In(a.zone).Format(time.DateOnly)]++
	}
	return false
}

// Order takes one row of an orders file f.
func (a *DayAssembly) Order(o Order, f LedgerFile) {
	if !f.Own && (o.CreatedAt < a.lo || o.CreatedAt >= a.hi) {
		return // a neighbour's row of another date: that date's run judges it
	}
	k, no, key := a.keys[EntityPayin].add(o.OrderID)
	k.ledger = true
	a.keys[EntityPayin].ledgerN = int32(a.keys[EntityPayin].index.Len())
	if !a.inDay("orders", o.CreatedAt, f.Own) {
		return
	}
	k.inDay = true
	o.KeyNo, o.OrderID = no, key
	a.day.Orders = append(a.day.Orders, o)
}

// Payout takes one row of a payouts file f.
func (a *DayAssembly) Payout(p Payout, f LedgerFile) {
	if !f.Own && (p.RequestedAt < a.lo || p.RequestedAt >= a.hi) {
		return
	}
	k, no, key := a.keys[EntityPayout].add(p.PayoutID)
	k.ledger = true
	a.keys[EntityPayout].ledgerN = int32(a.keys[EntityPayout].index.Len())
	if !a.inDay("payouts", p.RequestedAt, f.Own) {
		return
	}
	k.inDay = true
	p.KeyNo, p.PayoutID = no, key
	a.day.Payouts = append(a.day.Payouts, p)
}

// CreatedInDay takes the key of a stored gateway record created in the
// day.
func (a *DayAssembly) CreatedInDay(entity Entity, key string) {
	ks := a.keys[entity]
	if ks == nil {
		return
	}
	if no, ok := ks.index.Find(key); ok {
		ks.keys[no].created = true // a ledger key, or one met before
		return
	}
	k, _, _ := ks.add(key)
	k.created = true
	a.gatewayOnly[entity] = append(a.gatewayOnly[entity], key)
}

// DayKey is one key of a pay-in or a payout.
type DayKey struct {
	Entity Entity
	Key    string
}

// GatewayOnly returns the keys the gateway created in the day that no
// ledger row of the date's files has, by entity and key.
func (a *DayAssembly) GatewayOnly() []DayKey {
	var out []DayKey
	for _, e := range []Entity{EntityPayin, EntityPayout} {
		for _, k := range a.gatewayOnly[e] {
			out = append(out, DayKey{e, k})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Entity < out[j].Entity || out[i].Entity == out[j].Entity && out[i].Key < out[j].Key
	})
	return out
}

// Gateway takes a stored record of a key of the day; file is its source
// file (0 for a pulled record), id its row's number in the store and
// fetched when it was fetched. Of a key's live records the latest fetched
// counts, and of two fetched at one instant the one stored last.
func (a *DayAssembly) Gateway(g GatewayRecord, file, id int64, fetched int64) error {
	if file != 0 && !a.live[file] {
		return nil
	}
	ks := a.keys[g.Entity]
	if ks == nil {
		return fmt.Errorf("gateway record of %q: not a pay-in or a payout", g.Entity)
	}
	no, ok := ks.index.Find(g.Key)
	if !ok {
		return fmt.Errorf("gateway record of %s %q: not a key of the day", g.Entity, g.Key)
	}
	k := &ks.keys[no]
	g.KeyNo, g.Key = no, ks.index.Key(no)
	if k.rec >= 0 {
		if prev := ks.fetched[k.rec]; fetched < prev || fetched == prev && id <= ks.ids[k.rec] {
			return nil
		}
		ks.recs[k.rec], ks.fetched[k.rec], ks.ids[k.rec] = g, fetched, id
		return nil
	}
	if ks.recs == nil {
		ks.reserveRecords(a.keys)
	}
	k.rec = int32(len(ks.recs))
	ks.recs = append(ks.recs, g)
	ks.fetched = append(ks.fetched, fetched)
	ks.ids = append(ks.ids, id)
	return nil
}

// ElsewhereCandidates returns the keys the gateway created in the day that
// no ledger row in the day has: each that has a row in a ledger file some
// date reads (SetElsewhere) is that row's date's to judge.
func (a *DayAssembly) ElsewhereCandidates() []DayKey {
	var out []DayKey
	for _, e := range []Entity{EntityPayin, EntityPayout} {
		ks := a.keys[e]
		for i := range ks.keys {
			if k := &ks.keys[i]; k.created && !k.inDay {
				out = append(out, DayKey{e, ks.index.Key(int32(i))})
			}
		}
	}
	return out
}

// SetElsewhere records that k has a ledger row in a file some date reads.
func (a *DayAssembly) SetElsewhere(k DayKey) { a.day.LedgerElsewhere[k.Entity][k.Key] = true }

// OwnLogs returns the day's own webhook logs (its own and the next
// date's), by path, each once: one file can be both, and its deliveries
// are taken as read.
func (a *DayAssembly) OwnLogs() []int64 {
	var ids []int64
	for _, role := range []string{"webhooks", "webhooks_next"} {
		if id, ok := a.roles[role]; ok && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return a.files[ids[i]].Path < a.files[ids[j]].Path })
	return ids
}

// OtherLogs returns the other dates' webhook logs, by id.
func (a *DayAssembly) OtherLogs() []int64 {
	var ids []int64
	for id := range a.webhooks {
		if id != a.roles["webhooks"] && id != a.roles["webhooks_next"] {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// Delivery takes a stored delivery of a log, own or not. Each own log is
// read once, whole; another log's delivery several queries find is taken
// once (the others by place).
func (a *DayAssembly) Delivery(dv Delivery, own bool) {
	dv.KeyNo = -1
	if own {
		a.own = append(a.own, dv)
		return
	}
	if a.taken[dv.Place] {
		return
	}
	a.taken[dv.Place] = true
	a.others = append(a.others, dv)
}

// numberDeliveries orders the deliveries by log path and line and numbers
// their keys, adding those the ledgers and records do not have in that
// order.
func (a *DayAssembly) numberDeliveries() {
	dvs := append(a.own, a.others...)
	Arrange(dvs, func(x, y *Delivery) int {
		if c := strings.Compare(x.Place.File(), y.Place.File()); c != 0 {
			return c
		}
		return cmp.Compare(x.Place.LineNo(), y.Place.LineNo())
	})
	for i := range dvs {
		dv := &dvs[i]
		if ks := a.keys[dv.Entity]; ks != nil && dv.Key != "" {
			_, dv.KeyNo, dv.Key = ks.add(dv.Key)
		}
	}
	a.day.Deliveries = dvs
	a.own, a.others = nil, nil
}

// KnownCandidates returns the keys of the day's own-log deliveries that
// neither the day's ledger rows nor its gateway records hold: each that a
// ledger file some date reads, or a live or pulled gateway record, has
// (SetKnown) is known, and its delivery no orphan. It numbers and orders
// the deliveries first.
func (a *DayAssembly) KnownCandidates() []DayKey {
	a.numberDeliveries()
	var out []DayKey
	ownPath := ""
	if id, ok := a.roles["webhooks"]; ok {
		ownPath = a.files[id].Path
	} else {
		return nil
	}
	asked := map[DayKey]bool{}
	for i := range a.day.Deliveries {
		dv := &a.day.Deliveries[i]
		ks := a.keys[dv.Entity]
		if dv.Place.File() != ownPath || dv.Key == "" || ks == nil {
			continue
		}
		k := &ks.keys[dv.KeyNo]
		switch {
		case k.inDay || k.rec >= 0:
			// Matching knows it already.
		case k.ledger:
			a.day.KnownKeys[dv.Entity][dv.Key] = true
		default:
			if dk := (DayKey{dv.Entity, dv.Key}); !asked[dk] {
				asked[dk] = true
				out = append(out, dk)
			}
		}
	}
	return out
}

// SetKnown records that k is known to a ledger or a gateway record.
func (a *DayAssembly) SetKnown(k DayKey) { a.day.KnownKeys[k.Entity][k.Key] = true }

// Pull takes the outcome of a key's last pull.
func (a *DayAssembly) Pull(entity Entity, key string, o PullOutcome) {
	if m := a.day.Pulls[entity]; m != nil {
		m[key] = o
	}
}

// Day returns the assembled day. Of the ledger rows, a neighbour's row
// that copies another file's row of the same key is dropped (DropCopies).
func (a *DayAssembly) Day() *Day {
	if a.day.Deliveries == nil && (a.own != nil || a.others != nil) {
		a.numberDeliveries()
	}
	d := a.day
	ownOrders, ownPayouts := "", ""
	if id, ok := a.roles["orders"]; ok {
		ownOrders = a.files[id].Path
	}
	if id, ok := a.roles["payouts"]; ok {
		ownPayouts = a.files[id].Path
	}
	d.Orders = DropCopies(d.Orders, ownOrders, d.FromNear,
		func(o *Order) (string, Place) { return o.OrderID, o.Place }, SameOrder)
	d.Payouts = DropCopies(d.Payouts, ownPayouts, d.FromNear,
		func(p *Payout) (string, Place) { return p.PayoutID, p.Place }, SamePayout)
	// The records: each entity's ledger keys' in key order, then its
	// gateway-only keys' by key; the payouts' after the pay-ins', in the
	// room reserveRecords left.
	for _, e := range []Entity{EntityPayin, EntityPayout} {
		ks := a.keys[e]
		// Sorted in place: the assembly is done with its records.
		Arrange(ks.recs, func(x, y *GatewayRecord) int {
			xl, yl := x.KeyNo < ks.ledgerN, y.KeyNo < ks.ledgerN
			switch {
			case xl != yl:
				if xl {
					return -1
				}
				return 1
			case xl:
				return cmp.Compare(x.KeyNo, y.KeyNo)
			}
			return strings.Compare(x.Key, y.Key)
		})
	}
	d.Gateway = append(a.keys[EntityPayin].recs, a.keys[EntityPayout].recs...)
	d.Keys = map[Entity]*Keys{EntityPayin: a.keys[EntityPayin].index, EntityPayout: a.keys[EntityPayout].index}
	d.GroupDeliveries()
	return d
}

// SameOrder says whether two order rows hold the same values.
func SameOrder(a, b *Order) bool {
	return a.Amount == b.Amount && a.Currency == b.Currency && a.Status == b.Status && a.Class == b.Class &&
		a.CreatedAt == b.CreatedAt && a.TransactionID == b.TransactionID && a.PaymentMethod == b.PaymentMethod
}

// SamePayout says whether two payout rows hold the same values.
func SamePayout(a, b *Payout) bool {
	return a.Amount == b.Amount && a.Currency == b.Currency && a.Status == b.Status && a.Class == b.Class &&
		a.RequestedAt == b.RequestedAt && a.TransferMode == b.TransferMode &&
		a.BeneficiaryAccount == b.BeneficiaryAccount && a.BeneficiaryIFSC == b.BeneficiaryIFSC &&
		a.BeneficiaryVPA == b.BeneficiaryVPA && a.UTR == b.UTR && a.UTRCorrupted == b.UTRCorrupted
}

// DropCopies returns rows, the day's rows of one ledger (the date's own
// file first, then the files of the dates before and after, each in file
// order), without each row of a neighbour's file that is a copy of an
// earlier row of another file: same key, every stored value the same. A
// file re-exported over an overlapping period repeats rows, and one order
// exported twice is one order, not a DUPLICATE_LEDGER_ROW; a row that
// differs in any value stays, and matching reports the key's rows as
// conflicting. It counts in fromNear, per neighbour file, the rows kept
// from it. own is the date's own file ("" when none).
func DropCopies[T any](rows []T, own string, fromNear map[string]int, key func(*T) (string, Place), same func(a, b *T) bool) []T {
	near := map[string]bool{} // keys with a row from a neighbour's file
	for i := range rows {
		if k, place := key(&rows[i]); place.File() != own {
			near[k] = true
		}
	}
	if len(near) == 0 {
		return rows
	}
	first := make(map[string][]int, len(near)) // a key's kept rows, of distinct files
	out := rows[:0]
	for i := range rows {
		k, place := key(&rows[i])
		if !near[k] {
			out = append(out, rows[i])
			continue
		}
		copied := false
		for _, j := range first[k] {
			if _, kp := key(&out[j]); kp.File() != place.File() && same(&out[j], &rows[i]) {
				copied = true
				break
			}
		}
		if copied {
			continue
		}
		first[k] = append(first[k], len(out))
		out = append(out, rows[i])
		if place.File() != own {
			fromNear[place.File()]++
		}
	}
	return out
}
