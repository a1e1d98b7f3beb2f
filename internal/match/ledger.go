package match

import (
	"fmt"
	"sort"
	"strings"

	"github.com/kwikpaisa/recon/internal/recon"
)

// side is one ledger row seen the same way for pay-ins and payouts.
type side struct {
	entity   recon.Entity
	key      string
	no       int32 // the key's number (KeyNo)
	amount   recon.Amount
	currency string
	status   string
	class    recon.StatusClass
	utr      string
	place    recon.Place
}

func orderSide(o *recon.Order) side {
	return side{recon.EntityPayin, o.OrderID, o.KeyNo, o.Amount, o.Currency, o.Status, o.Class, "", o.Place}
}

func payoutSide(p *recon.Payout) side {
	return side{recon.EntityPayout, p.PayoutID, p.KeyNo, p.Amount, p.Currency, p.Status, p.Class, p.UTR, p.Place}
}

func (m *matcher) payins() {
	m.ledgerEntity(recon.EntityPayin, len(m.day.Orders), func(i int) side { return orderSide(&m.day.Orders[i]) }, nil)
}

func (m *matcher) payouts() {
	m.ledgerEntity(recon.EntityPayout, len(m.day.Payouts), func(i int) side { return payoutSide(&m.day.Payouts[i]) },
		func(i int, g *recon.GatewayRecord) {
			p := &m.day.Payouts[i]
			m.payoutUTR(p, g)
			if g != nil {
				m.utrMismatch(p, g)
				m.beneficiaryMismatch(p, g)
			}
		})
}

// ledgerEntity judges every ledger key of one entity against the gateway,
// then every gateway record of the day that no ledger has. row reads the
// entity's n ledger rows; extra adds the entity's own checks for a key,
// given its first row.
func (m *matcher) ledgerEntity(entity recon.Entity, n int, row func(int) side, extra func(int, *recon.GatewayRecord)) {
	for i := range n {
		s := row(i)
		k := s.key
		f := m.keys.get(entity, k, s.no)
		if int(f.row) != i+1 {
			continue // a later row of a key: judged with its first
		}
		f.judged = true
		g := f.gateway
		if later := m.later[entity][k]; len(later) > 0 {
			group := []side{s}
			for _, j := range later {
				group = append(group, row(j))
			}
			m.duplicateLedgerRow(group, g)
		}
		if g == nil {
			m.absentAtGateway(s)
		} else {
			m.compare(s, g)
		}
		if extra != nil {
			extra(i, g)
		}
		m.webhooks(entity, k, f, &s)
	}
	m.missingInLedger(entity)
}

func (m *matcher) duplicateLedgerRow(group []side, g *recon.GatewayRecord) {
	s := group[0]
	var ev, amounts []string
	identical := true
	for _, r := range group {
		ev = append(ev, r.place.String())
		amounts = append(amounts, r.amount.String())
		if r.amount != s.amount || r.currency != s.currency || r.class != s.class || r.utr != s.utr {
			identical = false
		}
	}
	e := m.keyBase(s.entity, s.key, g, &s)
	e.Category, e.Count = recon.DuplicateLedgerRow, len(group)
	e.Evidence = append(ev, e.Evidence...)
	if identical {
		e.Detail = fmt.Sprintf("The ledger has %d identical rows for %s (%s %s each); the first one is matched.",
			len(group), s.key, s.amount, s.status)
	} else {
		e.Detail = fmt.Sprintf("The ledger has %d conflicting rows for %s (amounts %s); the first one is matched.",
			len(group), s.key, strings.Join(amounts, ", "))
	}
	mv := moved(s.class)
	if g != nil {
		mv = moved(s.class, g.Class)
	}
	m.add(e, mv)
}

// absentAtGateway judges a ledger key the gateway has no record of.
func (m *matcher) absentAtGateway(s side) {
	e := recon.Exception{
		Entity: s.entity, Reference: s.key, Provisional: m.lateWindowOpen(s.entity),
		LedgerAmount: ptr(s.amount), LedgerStatus: s.status, LedgerUTR: s.utr, Evidence: []string{s.place.String()},
	}
	switch outcome := m.day.Pulls[s.entity][s.key]; {
	case outcome == recon.PullNotFound:
		e.Category = recon.MissingAtGateway
		e.Detail = fmt.Sprintf("KwikPaisa answered that %s does not exist; the ledger has it as %s for %s.", s.key, s.status, s.amount)
	case outcome == recon.PullFailed:
		e.Category = recon.Unverified
		e.Provisional = true
		e.Detail = fmt.Sprintf("The status pull of %s failed after every retry; its gateway status is unknown.", s.key)
	case m.opts.Authoritative:
		e.Category = recon.MissingAtGateway
		e.Detail = fmt.Sprintf("The gateway dump has no record of %s; the ledger has it as %s for %s.", s.key, s.status, s.amount)
	default:
		e.Category = recon.Unverified
		e.Provisional = true
		e.Detail = fmt.Sprintf("No gateway record of %s was loaded or pulled; its gateway status is unknown.", s.key)
	}
	m.add(e, moved(s.class))
}

// compare judges a ledger row against its gateway record.
func (m *matcher) compare(s side, g *recon.GatewayRecord) {
	// The base of a finding is built only when there is one: most keys
	// match.
	base := func() recon.Exception { return m.keyBase(s.entity, s.key, g, &s) }
	mv := moved(s.class, g.Class)
	if diff := g.Amount - s.amount; diff.Abs() > m.opts.Tolerance {
		e := base()
		e.Category = recon.AmountMismatch
		e.Difference = ptr(diff)
		e.Detail = fmt.Sprintf("Gateway amount %s differs from ledger %s by %s.", g.Amount, s.amount, diff)
		m.add(e, mv)
	}
	if g.Currency != s.currency {
		e := base()
		e.Category = recon.CurrencyMismatch
		e.Detail = fmt.Sprintf("Gateway currency %s differs from ledger currency %s.", g.Currency, s.currency)
		m.add(e, mv)
	}
	if g.Class != s.class {
		e := base()
		e.Category = recon.StatusMismatch
		e.Detail = fmt.Sprintf("Gateway status %s (%s) differs from ledger status %s (%s).", g.Status, g.Class, s.status, s.class)
		m.add(e, mv)
	}
}

// missingInLedger reports the day's gateway records that no ledger has.
func (m *matcher) missingInLedger(entity recon.Entity) {
	var missing []int32
	ek := m.keys[entity]
	start, end := recon.InstantOf(m.day.Start), recon.InstantOf(m.day.End)
	for i := range ek.facts {
		f := &ek.facts[i]
		g := f.gateway
		if g == nil || f.row != 0 || m.day.LedgerElsewhere[entity][g.Key] {
			continue
		}
		if g.CreatedAt < start || g.CreatedAt >= end {
			continue
		}
		missing = append(missing, int32(i))
	}
	sort.Slice(missing, func(i, j int) bool { return ek.keys.Key(missing[i]) < ek.keys.Key(missing[j]) })
	for _, i := range missing {
		f := &ek.facts[i]
		g, k := f.gateway, ek.keys.Key(i)
		f.judged = true
		m.add(recon.Exception{
			Category: recon.MissingInLedger, Entity: entity, Reference: k, Provisional: m.provisional(entity, g),
			GatewayAmount: ptr(g.Amount), GatewayStatus: g.Status, GatewayUTR: g.UTR,
			Detail:   fmt.Sprintf("KwikPaisa has %s as %s for %s %s, but the ledger has no row for it.", k, g.Status, g.Amount, g.Currency),
			Evidence: []string{g.Place.String()},
		}, moved(g.Class))
		if entity == recon.EntityPayout {
			m.payoutUTR(nil, g)
		}
		m.webhooks(entity, k, f, nil)
	}
}

// payoutUTR reports a successful payout without a UTR, or a UTR the
// spreadsheet destroyed.
//
// p is nil for a gateway record no ledger has: only the gateway side is
// then judged.
func (m *matcher) payoutUTR(p *recon.Payout, g *recon.GatewayRecord) {
	if p == nil && g == nil {
		return
	}
	// The start of an exception about the payout, made only for one found:
	// a day's payouts mostly have none.
	base := func() recon.Exception {
		e := recon.Exception{Entity: recon.EntityPayout, Provisional: m.provisional(recon.EntityPayout, g)}
		if p != nil {
			e.Reference, e.LedgerAmount, e.LedgerStatus, e.LedgerUTR = p.PayoutID, ptr(p.Amount), p.Status, p.UTR
			e.Evidence = []string{p.Place.String()}
		}
		if g != nil {
			e.Reference = g.Key
			e.GatewayAmount, e.GatewayStatus, e.GatewayUTR = ptr(g.Amount), g.Status, g.UTR
			e.Evidence = append(e.Evidence, g.Place.String())
		}
		return e
	}
	if p == nil {
		if g.Class == recon.StatusSuccess && g.UTR == "" {
			e := base()
			e.Category, e.MissingIn = recon.MissingUTR, "gateway"
			e.Detail = fmt.Sprintf("Payout %s of %s succeeded but has no UTR in the gateway.", g.Key, g.Amount)
			m.add(e, true)
		}
		return
	}
	if p.UTRCorrupted {
		e := base()
		e.Category = recon.UTRCorrupted
		e.LedgerUTR = p.UTRRaw
		e.Detail = fmt.Sprintf("The ledger's UTR %q was destroyed by a spreadsheet (scientific notation or lost digits); re-export the column as text.", p.UTRRaw)
		m.add(e, true)
	}
	ledgerMissing := p.Class == recon.StatusSuccess && p.UTR == "" && !p.UTRCorrupted
	gatewayMissing := g != nil && g.Class == recon.StatusSuccess && g.UTR == ""
	var where []string
	if gatewayMissing {
		where = append(where, "gateway")
	}
	if ledgerMissing {
		where = append(where, "ledger")
	}
	if len(where) == 0 {
		return
	}
	e := base()
	e.Category = recon.MissingUTR
	e.MissingIn = where[0]
	if len(where) == 2 {
		e.MissingIn = "both"
	}
	e.Detail = fmt.Sprintf("Payout %s of %s succeeded but has no UTR in the %s.", p.PayoutID, p.Amount, strings.Join(where, " or the "))
	if len(where) == 2 {
		e.Detail = fmt.Sprintf("Payout %s of %s succeeded but has no UTR in the gateway or the ledger.", p.PayoutID, p.Amount)
	}
	m.add(e, true)
}
