// Package match is recon's judgement: given everything known about one
// business day, it decides which records match and which exceptions a
// finance team must act on (SPEC §4). It is pure: no files, no SQL, no
// HTTP, no clock but the one it is given.
//
// Matching is a keyed join over hash maps: every source is indexed once by
// (entity, key), so memory grows with the number of keys, never with their
// product. The only comparison across keys, the duplicate-payout window,
// sorts the payouts by beneficiary, amount and time and sweeps them once.
package match

import (
	"sort"
	"sync"
	"time"

	"github.com/kwikpaisa/recon/internal/recon"
)

// Options are the knobs of matching.
type Options struct {
	// Tolerance is the largest absolute amount difference still matched.
	Tolerance recon.Amount
	// Authoritative says the day's gateway dump is the gateway's whole word
	// (an offline run): a ledger key absent from it is MISSING_AT_GATEWAY.
	Authoritative bool
	// WebhookLog says a webhook log was given for the day.
	WebhookLog bool
	// PayinLateWindow and PayoutLateWindow are how long after the end of
	// its business day a record may still change state; until then every
	// verdict on it is provisional.
	PayinLateWindow  time.Duration
	PayoutLateWindow time.Duration
	// DuplicatePayoutWindow is how close two like payouts must be requested
	// to be duplicates (inclusive).
	DuplicatePayoutWindow time.Duration
	// Now is the time of the run, for the late-change windows. The zero
	// time means every late-change window is closed.
	Now time.Time
	// Across is, for a day matched in parts whose payouts are split
	// (recon.Part), what AcrossPayouts found over the facts of every
	// payout of the day (Facts.AddDay); nil when the day holds every
	// payout, whose checks matching then runs itself.
	Across Across
}

// DefaultOptions returns the defaults of SPEC §4.
func DefaultOptions() Options {
	return Options{
		PayinLateWindow:       72 * time.Hour,
		PayoutLateWindow:      72 * time.Hour,
		DuplicatePayoutWindow: 15 * time.Minute,
	}
}

// Result is the outcome of matching one day.
type Result struct {
	// Exceptions, one per (category, entity, reference), sorted.
	Exceptions []recon.Exception
	// Matched counts, per entity, the ledger rows and gateway records that
	// ended in no exception.
	Matched map[recon.Entity]int
	// Judged counts, per entity, the ledger rows and gateway records of the
	// day that were judged.
	Judged map[recon.Entity]int
	// Keys holds, per entity, the keys judged: the day's ledger keys and
	// the keys of the day's gateway records no ledger has.
	Keys *KeySet
	// DuplicateDeliveries counts the deliveries of the day's log that repeat
	// an earlier delivery's body; OrphanDeliveries the verified deliveries
	// of the day's log for a key neither ledger nor gateway knows.
	DuplicateDeliveries, OrphanDeliveries int
}

// Reconcile matches one day.
func Reconcile(day *recon.Day, opts Options) *Result {
	m := newMatcher(day, opts)
	// Pay-ins, payouts and the day's webhook log write disjoint state: the
	// keys of their own entity (judged), exceptions of their own entity
	// (PAYIN, PAYOUT, WEBHOOK), their own caches and counters. They are
	// judged at once, on as many cores; add serialises the exceptions.
	var wg sync.WaitGroup
	wg.Go(m.payins)
	wg.Go(func() {
		m.payouts()
		m.acrossPayouts()
	})
	wg.Go(m.webhookLog)
	wg.Wait()
	return m.result()
}

// matcher holds the day indexed by key, and the exceptions found so far.
type matcher struct {
	day  *recon.Day
	opts Options

	// keys holds what the day has of each key: its gateway record, its
	// verified deliveries, whether a ledger row has it, whether it is
	// judged.
	keys keyIndex

	mu    sync.Mutex                  // guards found and flagged
	found map[string]*recon.Exception // by category, entity, reference
	// duplicateDeliveries and orphanDeliveries count deliveries of the
	// day's log, for the summary.
	duplicateDeliveries, orphanDeliveries int
	// flagged holds the (entity, key) pairs with at least one exception.
	flagged map[recon.Entity]map[string]bool
	// later holds, per entity and key, the positions of the day's ledger
	// rows after the key's first.
	later map[recon.Entity]map[string][]int
	// evidence holds every key's evidence deliveries, grouped by key
	// (keyFacts.ev, nev).
	evidence []*recon.Delivery
	// payoutFacts caches dayPayouts, built once the payouts are judged.
	payoutFacts []payoutFacts
}

func newMatcher(day *recon.Day, opts Options) *matcher {
	m := &matcher{
		day:     day,
		opts:    opts,
		keys:    newKeyIndex(day),
		found:   map[string]*recon.Exception{},
		flagged: map[recon.Entity]map[string]bool{recon.EntityPayin: {}, recon.EntityPayout: {}, recon.EntityWebhook: {}},
		later:   map[recon.Entity]map[string][]int{recon.EntityPayin: {}, recon.EntityPayout: {}},
	}
	ledgerRows := func(entity recon.Entity, n int, key func(int) (string, int32)) {
		for i := range n {
			k, no := key(i)
			if f := m.keys.add(entity, k, no); f.row == 0 {
				f.row = int32(i) + 1
			} else {
				m.later[entity][k] = append(m.later[entity][k], i)
			}
		}
	}
	ledgerRows(recon.EntityPayin, len(day.Orders), func(i int) (string, int32) { return day.Orders[i].OrderID, day.Orders[i].KeyNo })
	ledgerRows(recon.EntityPayout, len(day.Payouts), func(i int) (string, int32) {
		return day.Payouts[i].PayoutID, day.Payouts[i].KeyNo
	})
	for i := range day.Gateway {
		g := &day.Gateway[i]
		if f := m.keys.add(g.Entity, g.Key, g.KeyNo); f != nil {
			f.gateway = g
		}
	}
	// Each key's evidence, in one slice grouped by key (load order within
	// a key): counted, then placed.
	n := 0
	for i := range day.Deliveries {
		d := &day.Deliveries[i]
		if d.Evidence() {
			if f := m.keys.add(d.Entity, d.Key, d.KeyNo); f != nil {
				f.nev++
				n++
			}
		}
	}
	at := int32(0)
	for _, entity := range []recon.Entity{recon.EntityPayin, recon.EntityPayout} {
		for i := range m.keys[entity].facts {
			f := &m.keys[entity].facts[i]
			f.ev, at, f.nev = at, at+f.nev, 0
		}
	}
	m.evidence = make([]*recon.Delivery, n)
	for i := range day.Deliveries {
		d := &day.Deliveries[i]
		if d.Evidence() {
			if f := m.keys.add(d.Entity, d.Key, d.KeyNo); f != nil { // the facts counted above
				m.evidence[f.ev+f.nev] = d
				f.nev++
			}
		}
	}
	return m
}

// keyFacts is what the day has of one key.
type keyFacts struct {
	gateway *recon.GatewayRecord
	// ev and nev place the key's evidence in the matcher's evidence: the
	// deliveries that count (verified, fresh, readable), in load order.
	ev, nev int32
	row     int32 // 1 + the position of the key's first ledger row of the day; 0 for none
	judged  bool
}

// keyIndex finds the facts of a key of a pay-in or a payout, per entity:
// the key's number in the day's recon.Keys is its place in facts. Once
// matching starts, an entity's facts are written by its own goroutine only.
type keyIndex map[recon.Entity]*entityKeys

type entityKeys struct {
	keyNumbers
	facts []keyFacts // by key number
}

// keyNumbers numbers one entity's keys of a day: with the day's own Keys,
// which the store built as it loaded the day (a record's KeyNo is its key's
// number), or with new ones for a day built by hand.
type keyNumbers struct {
	keys *recon.Keys
	// numbered says the store numbered the day's keys.
	numbered bool
}

func newKeyNumbers(day *recon.Day, entity recon.Entity) keyNumbers {
	if keys := day.Keys[entity]; keys != nil {
		return keyNumbers{keys: keys, numbered: true}
	}
	n := 0
	for i := range day.Gateway {
		if day.Gateway[i].Entity == entity {
			n++
		}
	}
	if entity == recon.EntityPayin {
		n += len(day.Orders)
	} else {
		n += len(day.Payouts)
	}
	return keyNumbers{keys: recon.NewKeys(n)}
}

// number returns the number of a record's key, adding the key if it is
// new; -1 for a record the store gave no key number. no is the record's
// KeyNo.
func (k keyNumbers) number(key string, no int32) int32 {
	if k.numbered {
		return no
	}
	i, _ := k.keys.Add(key)
	return i
}

// newKeyIndex numbers the day's keys (newKeyNumbers) and gives each its
// facts.
func newKeyIndex(day *recon.Day) keyIndex {
	x := keyIndex{}
	for _, entity := range []recon.Entity{recon.EntityPayin, recon.EntityPayout} {
		kn := newKeyNumbers(day, entity)
		n := kn.keys.Len()
		x[entity] = &entityKeys{keyNumbers: kn, facts: make([]keyFacts, n, n+n/64)}
	}
	return x
}

// add returns the facts of a record's key, adding the key if it is new;
// nil for an entity that is neither pay-in nor payout, or a record the
// store gave no key number. no is the record's KeyNo. The pointer is valid
// until the next add.
func (x keyIndex) add(entity recon.Entity, key string, no int32) *keyFacts {
	ek := x[entity]
	if ek == nil {
		return nil
	}
	i := ek.number(key, no)
	if i < 0 {
		return nil
	}
	for int(i) >= len(ek.facts) {
		ek.facts = append(ek.facts, keyFacts{})
	}
	return &ek.facts[i]
}

// get returns the facts of a key, or nil when the day has nothing of it.
// no is the key's number when the caller has one (a record's KeyNo), else
// -1: the key is then looked up.
func (x keyIndex) get(entity recon.Entity, key string, no int32) *keyFacts {
	ek := x[entity]
	if ek == nil {
		return nil
	}
	if no < 0 || !ek.numbered {
		i, ok := ek.keys.Find(key)
		if !ok {
			return nil
		}
		no = i
	}
	return &ek.facts[no]
}

// KeySet holds the keys a Reconcile judged.
type KeySet struct{ x keyIndex }

// Has reports whether the key was judged.
func (s *KeySet) Has(entity recon.Entity, key string) bool {
	f := s.x.get(entity, key, -1)
	return f != nil && f.judged
}

// HasRecord reports whether the key of a gateway record of the day was
// judged.
func (s *KeySet) HasRecord(g *recon.GatewayRecord) bool {
	f := s.x.get(g.Entity, g.Key, g.KeyNo)
	return f != nil && f.judged
}

// add records an exception, once per (category, entity, reference): a
// second finding of the same key merges its evidence into the first. moved
// says whether money moved on either side, for the severity.
func (m *matcher) add(e recon.Exception, moved bool) {
	k := string(e.Category) + "\x00" + string(e.Entity) + "\x00" + e.Reference
	m.mu.Lock()
	defer m.mu.Unlock()
	if prev, ok := m.found[k]; ok {
		prev.Evidence = mergeEvidence(prev.Evidence, e.Evidence)
		return
	}
	if e.Severity == "" {
		e.Severity = e.Category.Severity(moved)
	}
	e.Evidence = mergeEvidence(nil, e.Evidence)
	m.found[k] = &e
	if f := m.flagged[e.Entity]; f != nil {
		f[e.Reference] = true
	}
}

func (m *matcher) result() *Result {
	r := &Result{Matched: map[recon.Entity]int{}, Judged: map[recon.Entity]int{},
		Keys: &KeySet{m.keys}, DuplicateDeliveries: m.duplicateDeliveries, OrphanDeliveries: m.orphanDeliveries}
	for _, e := range m.found {
		if e.Entity != recon.EntityWebhook {
			// What the webhooks last said of the key, and where.
			if latest := latest(m.verified(e.Entity, e.Reference)); latest != nil {
				if e.WebhookStatus == "" {
					e.WebhookStatus = latest.Event
				}
				e.Evidence = mergeEvidence(e.Evidence, []string{latest.Place.String()})
			}
		}
		r.Exceptions = append(r.Exceptions, *e)
	}
	sort.Slice(r.Exceptions, func(i, j int) bool { return r.Exceptions[i].Less(&r.Exceptions[j]) })
	for entity, ek := range m.keys {
		for i := range ek.facts {
			f := &ek.facts[i]
			if !f.judged {
				continue
			}
			r.Judged[entity]++
			if !m.flagged[entity][ek.keys.Key(int32(i))] {
				r.Matched[entity]++
			}
		}
	}
	return r
}

// verified returns a key's evidence deliveries.
func (m *matcher) verified(entity recon.Entity, key string) []*recon.Delivery {
	if f := m.keys.get(entity, key, -1); f != nil {
		return m.evidenceOf(f)
	}
	return nil
}

// evidenceOf returns the evidence deliveries of the key with facts f.
func (m *matcher) evidenceOf(f *keyFacts) []*recon.Delivery {
	return m.evidence[f.ev : f.ev+f.nev : f.ev+f.nev]
}

// latest returns the latest of a key's verified deliveries: the greatest
// X-Timestamp, then the latest receipt, then the last stored.
func latest(verified []*recon.Delivery) *recon.Delivery {
	var best *recon.Delivery
	for _, d := range verified {
		if best == nil || d.Timestamp > best.Timestamp ||
			(d.Timestamp == best.Timestamp && d.ReceivedAt >= best.ReceivedAt) {
			best = d
		}
	}
	return best
}

// lateWindowOpen reports whether a record of this day may still change:
// the run's clock is before the end of the business day plus the entity's
// late-change window.
func (m *matcher) lateWindowOpen(entity recon.Entity) bool {
	w := m.opts.PayinLateWindow
	if entity == recon.EntityPayout {
		w = m.opts.PayoutLateWindow
	}
	return !m.opts.Now.IsZero() && m.opts.Now.Before(m.day.End.Add(w))
}

// provisional says whether a verdict on a key may still change: its gateway
// status is not final, or its late-change window is still open.
func (m *matcher) provisional(entity recon.Entity, g *recon.GatewayRecord) bool {
	if g != nil && !g.Class.Final() {
		return true
	}
	return m.lateWindowOpen(entity)
}

func mergeEvidence(a, b []string) []string {
	seen := make(map[string]bool, len(a)+len(b))
	var out []string
	for _, s := range append(append([]string(nil), a...), b...) {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func ptr(a recon.Amount) *recon.Amount { return &a }
