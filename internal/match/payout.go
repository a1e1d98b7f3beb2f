package match

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/kwikpaisa/recon/internal/recon"
)

// utrMismatch reports a payout whose ledger and gateway both have a UTR and
// they differ.
func (m *matcher) utrMismatch(p *recon.Payout, g *recon.GatewayRecord) {
	if p == nil || p.UTR == "" || g.UTR == "" || p.UTR == g.UTR {
		return
	}
	s := payoutSide(p)
	e := m.keyBase(recon.EntityPayout, p.PayoutID, g, &s)
	e.Category = recon.UTRMismatch
	e.Detail = fmt.Sprintf("Gateway UTR %s differs from ledger UTR %s.", g.UTR, p.UTR)
	m.add(e, moved(p.Class, g.Class))
}

// beneficiaryMismatch reports a payout whose account, IFSC or VPA is given
// on both sides and differs. Accounts compare without leading zeros, which
// a spreadsheet drops from a numeric cell (SPEC §4); IFSCs and VPAs without
// regard to case, as banks treat them.
func (m *matcher) beneficiaryMismatch(p *recon.Payout, g *recon.GatewayRecord) {
	if p == nil {
		return
	}
	var diffs []string
	check := func(name, ledger, gateway string, fold bool) {
		if ledger == "" || gateway == "" || ledger == gateway || (fold && strings.EqualFold(ledger, gateway)) {
			return
		}
		diffs = append(diffs, fmt.Sprintf("%s %s at the gateway, %s in the ledger", name, gateway, ledger))
	}
	if accountKey(p.BeneficiaryAccount) != accountKey(g.BeneficiaryAccount) {
		check("account", p.BeneficiaryAccount, g.BeneficiaryAccount, false)
	}
	check("IFSC", p.BeneficiaryIFSC, g.BeneficiaryIFSC, true)
	check("VPA", p.BeneficiaryVPA, g.BeneficiaryVPA, true)
	if len(diffs) == 0 {
		return
	}
	s := payoutSide(p)
	e := m.keyBase(recon.EntityPayout, p.PayoutID, g, &s)
	e.Category = recon.BeneficiaryMismatch
	e.Detail = "The beneficiary differs: " + strings.Join(diffs, "; ") + "."
	m.add(e, moved(p.Class, g.Class))
}

// payoutFacts is one payout of the day, one per payout id, as the duplicate
// checks see it: the ledger's word, completed by the gateway's.
type payoutFacts struct {
	id          string
	beneficiary string // "acct:<account>/<IFSC>" or "vpa:<vpa>"; "" when unknown
	amount      recon.Amount
	at          recon.Instant
	class       recon.StatusClass // the gateway's when known, else the ledger's
	utrs        []string          // valid UTRs, ledger's then gateway's
	p           *recon.Payout
	g           *recon.GatewayRecord
}

// dayPayouts lists the day's payouts: the first ledger row of each id, then
// each gateway record of the day no ledger row has, in a stable order.
func (m *matcher) dayPayouts() []payoutFacts {
	if m.payoutFacts != nil {
		return m.payoutFacts
	}
	out := make([]payoutFacts, 0, len(m.day.Payouts))
	ek := m.keys[recon.EntityPayout]
	for i := range m.day.Payouts {
		p := &m.day.Payouts[i]
		kf := m.keys.get(recon.EntityPayout, p.PayoutID, p.KeyNo)
		if int(kf.row) != i+1 {
			continue // a later row of the id
		}
		g := kf.gateway
		f := payoutFacts{id: p.PayoutID, amount: p.Amount, at: p.RequestedAt, class: p.Class, p: p, g: g,
			beneficiary: beneficiary(p.BeneficiaryAccount, p.BeneficiaryIFSC, p.BeneficiaryVPA)}
		if p.UTR != "" {
			f.utrs = append(f.utrs, p.UTR)
		}
		if g != nil {
			f.class = g.Class
			if f.beneficiary == "" {
				f.beneficiary = beneficiary(g.BeneficiaryAccount, g.BeneficiaryIFSC, g.BeneficiaryVPA)
			}
			if g.UTR != "" && g.UTR != p.UTR {
				f.utrs = append(f.utrs, g.UTR)
			}
		}
		out = append(out, f)
	}
	var gatewayOnly []payoutFacts
	for i := range ek.facts {
		kf := &ek.facts[i]
		k, g := ek.keys.Key(int32(i)), kf.gateway
		if !kf.judged || kf.row != 0 || g == nil {
			continue
		}
		f := payoutFacts{id: k, amount: g.Amount, at: g.CreatedAt, class: g.Class, g: g,
			beneficiary: beneficiary(g.BeneficiaryAccount, g.BeneficiaryIFSC, g.BeneficiaryVPA)}
		if g.UTR != "" {
			f.utrs = append(f.utrs, g.UTR)
		}
		gatewayOnly = append(gatewayOnly, f)
	}
	sort.Slice(gatewayOnly, func(i, j int) bool { return gatewayOnly[i].id < gatewayOnly[j].id })
	m.payoutFacts = append(out, gatewayOnly...)
	return m.payoutFacts
}

// beneficiary names who a payout pays: an account with its IFSC, else a
// VPA; "" when neither is complete.
func beneficiary(account, ifsc, vpa string) string {
	switch {
	case account != "" && ifsc != "":
		return "acct:" + accountKey(account) + "/" + strings.ToUpper(ifsc)
	case vpa != "":
		return "vpa:" + strings.ToLower(vpa)
	}
	return ""
}

// duplicatePayouts reports payouts with different ids, the same
// beneficiary and amount, requested within DuplicatePayoutWindow of each
// other, neither FAILED. It sorts by beneficiary, amount and time and
// sweeps once: a payout joins the cluster of the one before it when it is
// requested within the window after it.
func (m *matcher) duplicatePayouts() {
	facts := m.dayPayouts()
	cands := make([]*payoutFacts, 0, len(facts))
	for i := range facts {
		if f := &facts[i]; f.beneficiary != "" && f.class != recon.StatusFailed {
			cands = append(cands, f)
		}
	}
	sort.Slice(cands, func(i, j int) bool {
		a, b := cands[i], cands[j]
		if a.beneficiary != b.beneficiary {
			return a.beneficiary < b.beneficiary
		}
		if a.amount != b.amount {
			return a.amount < b.amount
		}
		if a.at != b.at {
			return a.at < b.at
		}
		return a.id < b.id
	})
	for start := 0; start < len(cands); {
		end := start + 1
		for end < len(cands) && cands[end].beneficiary == cands[start].beneficiary &&
			cands[end].amount == cands[start].amount && time.Duration(cands[end].at-cands[end-1].at) <= m.opts.DuplicatePayoutWindow {
			end++
		}
		if end-start > 1 {
			m.duplicatePayoutGroup(cands[start:end])
		}
		start = end
	}
}

func (m *matcher) duplicatePayoutGroup(group []*payoutFacts) {
	ids := make([]string, len(group))
	for i := range group {
		ids[i] = group[i].id
	}
	span := time.Duration(group[len(group)-1].at - group[0].at)
	for _, f := range group {
		e := m.payoutBase(f)
		e.Category = recon.DuplicatePayout
		e.Count = len(group)
		others := make([]string, 0, len(ids)-1)
		for _, id := range ids {
			if id != f.id {
				others = append(others, id)
			}
		}
		e.Detail = fmt.Sprintf("Payout %s of %s to %s looks like a duplicate of %s: %d payouts of the same amount to the same beneficiary within %s.",
			f.id, f.amount, strings.SplitN(f.beneficiary, ":", 2)[1], strings.Join(others, ", "), len(group), minutes(span))
		m.add(e, true)
	}
}

// duplicateUTRs reports every payout that shares a valid UTR (ledger's or
// gateway's) with another payout id of the day.
func (m *matcher) duplicateUTRs() {
	facts := m.dayPayouts()
	byUTR := make(map[string][]int, len(facts))
	for i := range facts {
		for _, u := range facts[i].utrs {
			byUTR[u] = append(byUTR[u], i)
		}
	}
	for i := range facts {
		f := &facts[i]
		for _, u := range f.utrs {
			sharers := byUTR[u]
			if len(sharers) < 2 {
				continue
			}
			others := make([]string, 0, len(sharers)-1)
			for _, j := range sharers {
				if j != i {
					others = append(others, facts[j].id)
				}
			}
			e := m.payoutBase(f)
			e.Category = recon.DuplicateUTR
			e.Count = len(sharers)
			e.Detail = fmt.Sprintf("UTR %s of payout %s is also on %s.", u, f.id, strings.Join(others, ", "))
			m.add(e, true)
		}
	}
}

// payoutBase is the start of an exception about one payout of dayPayouts.
func (m *matcher) payoutBase(f *payoutFacts) recon.Exception {
	if f.p == nil {
		return m.keyBase(recon.EntityPayout, f.id, f.g, nil)
	}
	s := payoutSide(f.p)
	return m.keyBase(recon.EntityPayout, f.id, f.g, &s)
}

// minutes writes a duration as whole minutes and seconds: "5 min",
// "4 min 30 s".
func minutes(d time.Duration) string {
	d = d.Round(time.Second)
	mins, secs := int(d/time.Minute), int(d%time.Minute/time.Second)
	if secs == 0 {
		return fmt.Sprintf("%d min", mins)
	}
	return fmt.Sprintf("%d min %d s", mins, secs)
}

// accountKey is an account number as payouts compare it: without leading
// zeros, which a spreadsheet drops when the column is numeric
// (001234567890 is 1234567890). An account of zeros alone keeps one.
func accountKey(account string) string {
	if k := strings.TrimLeft(account, "0"); k != "" || account == "" {
		return k
	}
	return "0"
}
