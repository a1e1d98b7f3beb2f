package match

import (
	"math"
	"slices"
	"strings"

	"github.com/kwikpaisa/recon/internal/recon"
)

// Facts holds the PayoutFact of many payouts, a day's gathered over its
// parts (ReconcileParts), packed: a fact's strings are spans of a block of
// text its part's facts share, and the facts hold no pointer. While a large
// day's payout parts are read, the facts of every part before stay live and
// the collector runs often (pipeline's factsGC); packed, they give it
// nothing to scan. The zero Facts is empty.
type Facts struct {
	blocks []string
	facts  []packedFact
}

// packedFact is a PayoutFact whose strings are in blocks[block]: the ID
// from start to ends[0], then the beneficiary, the first UTR and the second,
// each to its end.
type packedFact struct {
	amount recon.Amount
	at     recon.Instant
	block  uint32
	start  uint32
	ends   [4]uint32
	class  recon.StatusClass
}

// maxBlock bounds a block's size, as its offsets are 32 bits; a variable,
// for a test to lower.
var maxBlock = math.MaxUint32

// The strings of a packedFact, by their place in ends.
const (
	factID = iota
	factBeneficiary
	factUTR0
	factUTR1
)

// Len is how many facts fs holds.
func (fs *Facts) Len() int { return len(fs.facts) }

// Fact returns the i-th fact added; its strings share fs's memory.
func (fs *Facts) Fact(i int) PayoutFact {
	return PayoutFact{ID: fs.str(i, factID), Beneficiary: fs.str(i, factBeneficiary),
		Amount: fs.facts[i].amount, At: fs.facts[i].at, Class: fs.facts[i].class,
		UTRs: [2]string{fs.str(i, factUTR0), fs.str(i, factUTR1)}}
}

// str is the k-th string of fact i.
func (fs *Facts) str(i, k int) string {
	f := &fs.facts[i]
	from := f.start
	if k > 0 {
		from = f.ends[k-1]
	}
	return fs.blocks[f.block][from:f.ends[k]]
}

// Add appends facts, copying their strings into one block of their own,
// so that fs keeps none of the memory they were read from.
func (fs *Facts) Add(facts []PayoutFact) {
	fs.add(0, len(facts), func(i int) *PayoutFact { return &facts[i] })
}

// AddDay appends the facts of a day's payouts, as Add does: a day matched
// in parts whose payouts are split gathers them over the payouts' parts
// (ReconcileParts), and the checks across payouts compare them.
func (fs *Facts) AddDay(day *recon.Day, opts Options) {
	m := newMatcher(day, opts)
	m.payouts() // which gateway records no ledger has are judged
	fs.addPayouts(m.dayPayouts())
}

// addPayouts appends the facts of dayPayouts.
func (fs *Facts) addPayouts(facts []payoutFacts) {
	fs.add(0, len(facts), func(i int) *PayoutFact { return &facts[i].PayoutFact })
}

// add appends facts from to to of those fact gives, in one block.
func (fs *Facts) add(from, to int, fact func(i int) *PayoutFact) {
	size := 0
	for i := from; i < to; i++ {
		f := fact(i)
		size += len(f.ID) + len(f.Beneficiary) + len(f.UTRs[0]) + len(f.UTRs[1])
	}
	if size > maxBlock && to-from > 1 {
		// A block's offsets are 32 bits.
		half := from + (to-from)/2
		fs.add(from, half, fact)
		fs.add(half, to, fact)
		return
	}
	var b strings.Builder
	b.Grow(size)
	block := uint32(len(fs.blocks))
	fs.facts = slices.Grow(fs.facts, to-from)
	for i := from; i < to; i++ {
		f := fact(i)
		p := packedFact{amount: f.Amount, at: f.At, class: f.Class, block: block, start: uint32(b.Len())}
		for k, s := range [4]string{f.ID, f.Beneficiary, f.UTRs[0], f.UTRs[1]} {
			b.WriteString(s)
			p.ends[k] = uint32(b.Len())
		}
		fs.facts = append(fs.facts, p)
	}
	fs.blocks = append(fs.blocks, b.String())
}
