package match

import (
	"cmp"
	"fmt"
	"hash/maphash"
	"slices"
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

// PayoutFact is one payout of a day, one per payout id, as the checks
// across payouts (DUPLICATE_PAYOUT, DUPLICATE_UTR) see it: the ledger's
// word, completed by the gateway's. Its strings are its own, so that a day
// matched in parts (recon.Part) can keep the facts of every part's payouts
// and let the parts go.
type PayoutFact struct {
	ID          string
	Beneficiary string // "acct:<account>/<IFSC>" or "vpa:<vpa>"; "" when unknown
	Amount      recon.Amount
	At          recon.Instant
	Class       recon.StatusClass // the gateway's when known, else the ledger's
	// UTRs are its valid UTRs, the ledger's then the gateway's when it
	// differs; "" for none. Two at most, held in place: a day's millions
	// of payouts need no slice each.
	UTRs [2]string
}

// addUTR adds a valid UTR to f's.
func (f *PayoutFact) addUTR(u string) {
	if f.UTRs[0] == "" {
		f.UTRs[0] = u
	} else {
		f.UTRs[1] = u
	}
}

// payoutFacts is a PayoutFact of the day being matched, with its first
// ledger row (nil for a gateway record no ledger has) and its gateway
// record (nil for none).
type payoutFacts struct {
	PayoutFact
	p *recon.Payout
	g *recon.GatewayRecord
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
		f := payoutFacts{PayoutFact: PayoutFact{ID: p.PayoutID, Amount: p.Amount, At: p.RequestedAt, Class: p.Class,
			Beneficiary: beneficiary(p.BeneficiaryAccount, p.BeneficiaryIFSC, p.BeneficiaryVPA)}, p: p, g: g}
		if p.UTR != "" {
			f.addUTR(p.UTR)
		}
		if g != nil {
			f.Class = g.Class
			if f.Beneficiary == "" {
				f.Beneficiary = beneficiary(g.BeneficiaryAccount, g.BeneficiaryIFSC, g.BeneficiaryVPA)
			}
			if g.UTR != "" && g.UTR != p.UTR {
				f.addUTR(g.UTR)
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
		f := payoutFacts{PayoutFact: PayoutFact{ID: k, Amount: g.Amount, At: g.CreatedAt, Class: g.Class,
			Beneficiary: beneficiary(g.BeneficiaryAccount, g.BeneficiaryIFSC, g.BeneficiaryVPA)}, g: g}
		if g.UTR != "" {
			f.addUTR(g.UTR)
		}
		gatewayOnly = append(gatewayOnly, f)
	}
	sort.Slice(gatewayOnly, func(i, j int) bool { return gatewayOnly[i].ID < gatewayOnly[j].ID })
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

// Finding is what a check across payouts found of one payout: a
// DUPLICATE_PAYOUT or DUPLICATE_UTR row, but for what the payout's own
// records say.
type Finding struct {
	Category recon.Category
	Count    int
	Detail   string
}

// Across holds, by payout id, what the checks across a day's payouts found
// (AcrossPayouts): a payout's findings in the order they were found.
type Across map[string][]Finding

// acrossPayouts reports the day's payouts (the whole day's: a day matched
// in parts is given them by Options.Across) with what AcrossPayouts finds.
func (m *matcher) acrossPayouts() {
	facts := m.dayPayouts()
	found := m.opts.Across
	if found == nil {
		var all Facts
		all.addPayouts(facts)
		found = AcrossPayouts(&all, m.opts.DuplicatePayoutWindow)
	}
	for i := range facts {
		f := &facts[i]
		for _, x := range found[f.ID] {
			e := m.payoutBase(f)
			e.Category, e.Count, e.Detail = x.Category, x.Count, x.Detail
			m.add(e, true)
		}
	}
}

// AcrossPayouts runs the checks that compare a day's payouts with each
// other, given every payout of the day once:
//
//   - DUPLICATE_PAYOUT: payouts with different ids, the same beneficiary and
//     amount, requested within window of each other, neither FAILED. It
//     sorts by a hash of beneficiary and amount, then by them and time, and
//     sweeps once: a payout joins the cluster of the one before it when it
//     is requested within the window after it.
//   - DUPLICATE_UTR: every payout that shares a valid UTR (ledger's or
//     gateway's) with another payout id of the day.
//
// Each finding names the other payouts by id, in order: what it says does
// not depend on the order the facts come in. The findings own their
// strings: they keep none of facts' memory.
func AcrossPayouts(facts *Facts, window time.Duration) Across {
	found := Across{}
	str := func(i uint32, k int) string { return facts.str(int(i), k) }
	// Both checks look for equal strings among millions, so the facts are
	// sorted by a hash first, 16 bytes a swap and no string compared, and
	// then by their strings only among those of equal hash. Which hash
	// comes first decides no finding: a payout is in one group at most.
	seed := maphash.MakeSeed()
	cands := make([]hashedFact, 0, facts.Len())
	for i := range facts.facts {
		f := &facts.facts[i]
		if ben := str(uint32(i), factBeneficiary); ben != "" && f.class != recon.StatusFailed {
			// The amount is spread over the hash's bits (by 2⁶⁴ over the
			// golden ratio), so that near amounts differ in the top ones.
			cands = append(cands, hashedFact{maphash.String(seed, ben) ^ uint64(f.amount)*0x9e3779b97f4a7c15, uint32(i)})
		}
	}
	slices.SortFunc(cands, func(a, b hashedFact) int {
		if c := cmp.Compare(a.hash, b.hash); c != 0 {
			return c
		}
		if c := strings.Compare(str(a.n, factBeneficiary), str(b.n, factBeneficiary)); c != 0 {
			return c
		}
		fa, fb := &facts.facts[a.n], &facts.facts[b.n]
		if c := cmp.Compare(fa.amount, fb.amount); c != 0 {
			return c
		}
		if c := cmp.Compare(fa.at, fb.at); c != 0 {
			return c
		}
		return strings.Compare(str(a.n, factID), str(b.n, factID))
	})
	for start := 0; start < len(cands); {
		first := cands[start]
		end := start + 1
		for end < len(cands) && cands[end].hash == first.hash {
			f := &facts.facts[cands[end].n]
			if f.amount != facts.facts[first.n].amount || str(cands[end].n, factBeneficiary) != str(first.n, factBeneficiary) ||
				time.Duration(f.at-facts.facts[cands[end-1].n].at) > window {
				break
			}
			end++
		}
		if end-start > 1 {
			duplicatePayoutGroup(found, facts, cands[start:end])
		}
		start = end
	}

	// The payouts of each UTR, as (UTR, payout) pairs: the fact's number
	// times two, plus which of its UTRs; sorted as the payouts above, the
	// pairs of one UTR come together, by id.
	utr := func(pair uint32) string { return str(pair>>1, factUTR0+int(pair&1)) }
	var pairs []hashedFact
	for i := range facts.facts {
		for k := range 2 {
			if pair := uint32(i)<<1 | uint32(k); utr(pair) != "" {
				pairs = append(pairs, hashedFact{maphash.String(seed, utr(pair)), pair})
			}
		}
	}
	slices.SortFunc(pairs, func(a, b hashedFact) int {
		if c := cmp.Compare(a.hash, b.hash); c != 0 {
			return c
		}
		if c := strings.Compare(utr(a.n), utr(b.n)); c != 0 {
			return c
		}
		return strings.Compare(str(a.n>>1, factID), str(b.n>>1, factID))
	})
	sharing := map[uint32][]string{} // a shared UTR of a payout: the other payouts' ids
	for start := 0; start < len(pairs); {
		end := start + 1
		for end < len(pairs) && pairs[end].hash == pairs[start].hash && utr(pairs[end].n) == utr(pairs[start].n) {
			end++
		}
		for i := start; end-start > 1 && i < end; i++ {
			others := make([]string, 0, end-start-1)
			for j := start; j < end; j++ {
				if j != i {
					others = append(others, strings.Clone(str(pairs[j].n>>1, factID)))
				}
			}
			sharing[pairs[i].n] = others
		}
		start = end
	}
	for i := range facts.facts {
		for k := range 2 {
			pair := uint32(i)<<1 | uint32(k)
			others, ok := sharing[pair]
			if !ok {
				continue
			}
			id := strings.Clone(str(uint32(i), factID))
			found[id] = append(found[id], Finding{Category: recon.DuplicateUTR, Count: len(others) + 1,
				Detail: fmt.Sprintf("UTR %s of payout %s is also on %s.", utr(pair), id, strings.Join(others, ", "))})
		}
	}
	return found
}

// hashedFact is a fact's number in Facts (or a UTR's, for DUPLICATE_UTR),
// with the hash of what AcrossPayouts looks for equal.
type hashedFact struct {
	hash uint64
	n    uint32
}

func duplicatePayoutGroup(found Across, facts *Facts, group []hashedFact) {
	ids := make([]string, len(group))
	for i, g := range group {
		ids[i] = strings.Clone(facts.str(int(g.n), factID))
	}
	span := time.Duration(facts.facts[group[len(group)-1].n].at - facts.facts[group[0].n].at)
	for i, g := range group {
		others := make([]string, 0, len(ids)-1)
		for _, id := range ids {
			if id != ids[i] {
				others = append(others, id)
			}
		}
		f := facts.Fact(int(g.n))
		found[ids[i]] = append(found[ids[i]], Finding{Category: recon.DuplicatePayout, Count: len(group),
			Detail: fmt.Sprintf("Payout %s of %s to %s looks like a duplicate of %s: %d payouts of the same amount to the same beneficiary within %s.",
				ids[i], f.Amount, strings.SplitN(f.Beneficiary, ":", 2)[1], strings.Join(others, ", "), len(group), minutes(span))})
	}
}

// payoutBase is the start of an exception about one payout of dayPayouts.
func (m *matcher) payoutBase(f *payoutFacts) recon.Exception {
	if f.p == nil {
		return m.keyBase(recon.EntityPayout, f.ID, f.g, nil)
	}
	s := payoutSide(f.p)
	return m.keyBase(recon.EntityPayout, f.ID, f.g, &s)
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
