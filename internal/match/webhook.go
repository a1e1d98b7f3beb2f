package match

import (
	"encoding/binary"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/kwikpaisa/recon/internal/recon"
	"github.com/kwikpaisa/recon/internal/slots"
)

// keyBase is the start of an exception about one pay-in or payout key: what
// the ledger (s, when it has a row) and the gateway (g, when it has a
// record) say of it.
func (m *matcher) keyBase(entity recon.Entity, key string, g *recon.GatewayRecord, s *side) recon.Exception {
	e := recon.Exception{Entity: entity, Reference: key, Provisional: m.provisional(entity, g)}
	if s != nil {
		e.LedgerAmount, e.LedgerStatus, e.LedgerUTR = ptr(s.amount), s.status, s.utr
		e.Evidence = append(e.Evidence, s.place.String())
	}
	if g != nil {
		e.GatewayAmount, e.GatewayStatus, e.GatewayUTR = ptr(g.Amount), g.Status, g.UTR
		e.Evidence = append(e.Evidence, g.Place.String())
	}
	return e
}

// webhooks judges one key of the day, with facts f, against its verified
// webhook deliveries: WEBHOOK_CONFLICT, WEBHOOK_MISSING and, for a pay-in,
// DUPLICATE_PAYMENT.
func (m *matcher) webhooks(entity recon.Entity, key string, f *keyFacts, s *side) {
	g, deliveries := f.gateway, m.evidenceOf(f)
	if entity == recon.EntityPayin {
		m.duplicatePayment(key, g, s, deliveries)
	}
	if g == nil {
		return
	}
	mv := moved(g.Class)
	if s != nil {
		mv = moved(s.class, g.Class)
	}
	if latest := latest(deliveries); latest != nil && latest.Class.Final() &&
		latest.Class != g.Class && !g.Class.Succeeds(latest.Class) {
		e := m.keyBase(entity, key, g, s)
		e.Category = recon.WebhookConflict
		e.WebhookStatus = latest.Event
		e.Evidence = append(e.Evidence, places(deliveries)...)
		e.Detail = fmt.Sprintf("The latest verified webhook (%s, X-Timestamp %d) says %s, but the gateway record says %s (%s).",
			latest.Event, latest.Timestamp, latest.Class, g.Status, g.Class)
		m.add(e, mv)
	}
	if m.opts.WebhookLog && (g.Class == recon.StatusSuccess || g.Class == recon.StatusReversed) {
		for _, d := range deliveries {
			if d.Class == g.Class {
				return
			}
		}
		e := m.keyBase(entity, key, g, s)
		e.Category = recon.WebhookMissing
		e.Detail = fmt.Sprintf("The gateway has %s as %s (%s), but no verified webhook of that status was received.",
			key, g.Status, g.Class)
		if len(deliveries) > 0 {
			e.Detail = fmt.Sprintf("The gateway has %s as %s (%s), but none of its %d verified webhooks says so.",
				key, g.Status, g.Class, len(deliveries))
		}
		m.add(e, mv)
	}
}

// duplicatePayment reports an order paid by more than one distinct
// successful transaction: the gateway record's (when it says SUCCESS or
// REFUNDED) and every verified success webhook's.
func (m *matcher) duplicatePayment(key string, g *recon.GatewayRecord, s *side, deliveries []*recon.Delivery) {
	// The distinct transactions, in the order met: a key has one or none.
	var buf [4]string
	ids := buf[:0]
	if g != nil && (g.Class == recon.StatusSuccess || g.Class == recon.StatusRefunded) && g.TransactionID != "" {
		ids = append(ids, g.TransactionID)
	}
	for _, d := range deliveries {
		if d.Class == recon.StatusSuccess && d.TransactionID != "" && !slices.Contains(ids, d.TransactionID) {
			ids = append(ids, d.TransactionID)
		}
	}
	if len(ids) < 2 {
		return
	}
	var ev []string
	for _, d := range deliveries {
		if d.Class == recon.StatusSuccess && d.TransactionID != "" {
			ev = append(ev, d.Place.String())
		}
	}
	sort.Strings(ids)
	e := m.keyBase(recon.EntityPayin, key, g, s)
	e.Category = recon.DuplicatePayment
	e.Count = len(ids)
	e.Evidence = append(e.Evidence, ev...)
	amount := "an unknown amount"
	switch {
	case s != nil:
		amount = s.amount.String()
	case g != nil:
		amount = g.Amount.String()
	}
	e.Detail = fmt.Sprintf("Order %s of %s was paid by %d distinct successful transactions: %s.",
		key, amount, len(ids), strings.Join(ids, ", "))
	m.add(e, true)
}

// webhookLog reports what is wrong with the deliveries of the day's own log:
// WEBHOOK_SIGNATURE_INVALID, WEBHOOK_REPLAYED, WEBHOOK_ORPHAN and
// DUPLICATE_WEBHOOK. Deliveries of other logs (the next day's) are evidence
// only; their own day reports them.
func (m *matcher) webhookLog() {
	if m.day.DayLog == "" {
		return
	}
	// repeats groups, in load order, the deliveries of every body that was
	// loaded more than once; bodies finds each body's first delivery.
	ds := m.day.Deliveries
	bodies := newBodyIndex(len(ds))
	repeats := map[recon.Digest][]*recon.Delivery{}
	for i := range ds {
		d := &ds[i]
		j := bodies.first(ds, int32(i))
		if j == int32(i) {
			continue
		}
		if repeats[d.BodySHA256] == nil {
			repeats[d.BodySHA256] = []*recon.Delivery{&ds[j]}
		}
		repeats[d.BodySHA256] = append(repeats[d.BodySHA256], d)
	}
	for i := range m.day.Deliveries {
		d := &m.day.Deliveries[i]
		if d.Place.File() != m.day.DayLog {
			continue
		}
		switch {
		case d.Verified == recon.VerifyNone:
			e := m.deliveryBase(d, false)
			e.Category = recon.WebhookSignatureInvalid
			e.Detail = fmt.Sprintf("The %s delivery at %s fails verification under every configured webhook secret; it is not evidence.",
				eventOr(d), d.Place)
			if strings.HasPrefix(d.Problem, recon.NotStrictJSON) {
				// No signature of such a body is checked: it could be read
				// two ways (SPEC §2.3).
				e.Detail = fmt.Sprintf("The delivery at %s is not verified: its %s; it is not evidence.", d.Place, d.Problem)
			}
			m.add(e, false)
		case d.Stale:
			e := m.deliveryBase(d, false)
			e.Category = recon.WebhookReplayed
			e.Detail = fmt.Sprintf("The %s delivery at %s has X-Timestamp %d, %s its receipt at %s: outside the replay window, it is not evidence.",
				eventOr(d), d.Place, d.Timestamp, skew(d), d.ReceivedAt.Time().Format("2006-01-02T15:04:05Z"))
			m.add(e, false)
		case d.Evidence() && !m.known(d):
			e := m.deliveryBase(d, m.lateWindowOpen(d.Entity))
			e.Category = recon.WebhookOrphan
			m.orphanDeliveries++
			amount := ""
			if d.HasAmount {
				amount = " of " + d.Amount.String() + " " + d.Currency
			}
			e.Detail = fmt.Sprintf("A verified %s delivery for %s %s%s arrived, but neither the ledger nor the gateway knows %s.",
				d.Event, strings.ToLower(string(d.Entity)), d.Key, amount, d.Key)
			m.add(e, false)
		}
		m.duplicateDelivery(d, repeats[d.BodySHA256])
	}
}

// bodyIndex finds the first delivery of each body: a slots.Table (16 MB
// for a day's million and a half deliveries, where a map took 36) hashed by
// a digest's first 8 bytes, which are uniform; whole digests are compared
// when 32 of those bits agree.
type bodyIndex struct{ index slots.Table }

func newBodyIndex(n int) bodyIndex { return bodyIndex{slots.New(n)} }

// first returns the position of the first delivery of ds[i]'s body among
// those seen so far, i itself when the body is new (it is then added).
// The table holds at most as many bodies as it was made for.
func (x bodyIndex) first(ds []recon.Delivery, i int32) int32 {
	sum := &ds[i].BodySHA256
	h := binary.LittleEndian.Uint64(sum[:8])
	at, j := x.index.Find(h, func(j int32) bool { return ds[j].BodySHA256 == *sum })
	if j < 0 {
		x.index.Put(at, h, i)
		return i
	}
	return j
}

// duplicateDelivery reports d when its body was delivered more than once
// and d is not the first delivery of it. The row is about the key the body
// names; an unreadable body is named by the line of its first delivery in
// the day's log, so that one body gives one row.
func (m *matcher) duplicateDelivery(d *recon.Delivery, same []*recon.Delivery) {
	if len(same) < 2 || first(same) == d {
		return
	}
	m.duplicateDeliveries++
	var inLog []*recon.Delivery
	for _, x := range same {
		if x.Place.File() == m.day.DayLog {
			inLog = append(inLog, x)
		}
	}
	e := m.deliveryBase(first(inLog), false)
	e.Category = recon.DuplicateWebhook
	e.Evidence = places(same)
	e.Count = len(same)
	m.mu.Lock()
	if prev, ok := m.found[string(e.Category)+"\x00"+string(e.Entity)+"\x00"+e.Reference]; ok {
		// Another body of the same key is repeated too: count every
		// delivery once.
		if !contains(prev.Evidence, same[0].Place.String()) {
			prev.Count += len(same)
		}
	}
	m.mu.Unlock()
	e.Detail = fmt.Sprintf("The same %s body was delivered %d times (sha256 %s…).", eventOr(d), len(same), d.BodySHA256.String()[:12])
	m.add(e, false)
}

// deliveryBase is the start of an exception about one delivery of the log.
func (m *matcher) deliveryBase(d *recon.Delivery, provisional bool) recon.Exception {
	ref := d.Key
	if ref == "" {
		ref = "line:" + d.Place.Line()
	}
	e := recon.Exception{Entity: recon.EntityWebhook, Reference: ref, Provisional: provisional, Evidence: []string{d.Place.String()}}
	if d.Key != "" {
		if f := m.keys.get(d.Entity, d.Key, d.KeyNo); f != nil {
			if latest := latest(m.evidenceOf(f)); latest != nil {
				e.WebhookStatus = latest.Event
			}
			if f.gateway != nil {
				e.GatewayStatus = f.gateway.Status
			}
		}
	}
	return e
}

// known reports whether a ledger or the gateway knows a delivery's key.
func (m *matcher) known(d *recon.Delivery) bool {
	if f := m.keys.get(d.Entity, d.Key, d.KeyNo); f != nil && (f.row != 0 || f.gateway != nil) {
		return true
	}
	return m.day.KnownKeys[d.Entity][d.Key]
}

// first returns the earliest delivery: by receipt, then by place.
func first(ds []*recon.Delivery) *recon.Delivery {
	best := ds[0]
	for _, d := range ds[1:] {
		if d.ReceivedAt < best.ReceivedAt || (d.ReceivedAt == best.ReceivedAt && placeLess(d.Place, best.Place)) {
			best = d
		}
	}
	return best
}

func placeLess(a, b recon.Place) bool {
	if fa, fb := a.File(), b.File(); fa != fb {
		return fa < fb
	}
	if na, nb := a.LineNo(), b.LineNo(); na > 0 && nb > 0 {
		return na < nb
	}
	return a.Line() < b.Line()
}

func places(ds []*recon.Delivery) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.Place.String()
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func eventOr(d *recon.Delivery) string {
	if d.Event == "" {
		return "unreadable"
	}
	return d.Event
}

// skew says how far a delivery's X-Timestamp is from its receipt.
func skew(d *recon.Delivery) string {
	s := d.Timestamp - d.ReceivedAt.Time().Unix()
	dir := "after"
	if s < 0 {
		s, dir = -s, "before"
	}
	return fmt.Sprintf("%d s %s", s, dir)
}
