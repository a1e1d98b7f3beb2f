package match

import (
	"strings"
	"time"

	"github.com/kwikpaisa/recon/internal/recon"
)

// Payins is what the settlement checks read of a day: its pay-ins, one
// per key, and the day's bounds. It keeps none of the day's records or
// their strings, and little besides, so that a run can let the loaded day
// go before it reads the settlement files: the day and the rows of those
// files together outgrew the memory of the day alone.
type Payins struct {
	Date       string
	Start, End time.Time
	list       []payment
	keys       string   // every payment's key, one after the other
	words      []string // the statuses and methods payments name, by number
}

// payment is one pay-in of the day as the settlement checks see it.
type payment struct {
	amount recon.Amount
	place  recon.Place
	end    uint32 // where the key ends in Payins.keys
	// The gateway's status ("" when it has no record), the ledger's, and the
	// first payment method the day's ledger rows of the key give: numbers
	// of Payins.words.
	status, ledgerStatus, method uint32
	class                        recon.StatusClass
}

// len returns how many pay-ins p holds.
func (p *Payins) len() int { return len(p.list) }

// key returns the key of the i-th pay-in.
func (p *Payins) key(i int) string {
	start := uint32(0)
	if i > 0 {
		start = p.list[i-1].end
	}
	return p.keys[start:p.list[i].end]
}

// word returns the i-th pay-in's status as the gateway wrote it, else as
// the ledger did.
func (p *Payins) word(i int) string {
	if w := p.words[p.list[i].status]; w != "" {
		return w
	}
	return p.words[p.list[i].ledgerStatus]
}

// PayinsOf returns the pay-ins of a day: the keys of its order ledger rows
// (the first row of a key; its place is the row's) and the keys of the
// gateway records created in it that no ledger of any date has, each with
// the gateway's status and amount (the ledger's when the gateway has no
// record), in that order.
func PayinsOf(day *recon.Day) *Payins {
	kn := newKeyNumbers(day, recon.EntityPayin)
	// Per key number, the latest gateway record (i+1) and the key's place in
	// the list (+1; 0 while not listed).
	latest, listed := make([]int32, kn.keys.Len()), make([]int32, kn.keys.Len())
	number := func(key string, no int32) int32 {
		k := kn.number(key, no)
		for k >= 0 && int(k) >= len(latest) {
			latest, listed = append(latest, 0), append(listed, 0)
		}
		return k
	}
	for i := range day.Gateway {
		if g := &day.Gateway[i]; g.Entity == recon.EntityPayin {
			if k := number(g.Key, g.KeyNo); k >= 0 {
				latest[k] = int32(i + 1)
			}
		}
	}
	var picks []int32 // each pay-in's record: order i as i+1, gateway record i as -(i+1)
	size := 0         // of their keys
	for i := range day.Orders {
		o := &day.Orders[i]
		if k := number(o.OrderID, o.KeyNo); k >= 0 && listed[k] == 0 {
			picks = append(picks, int32(i+1))
			listed[k] = int32(len(picks))
			size += len(o.OrderID)
		}
	}
	start, end := recon.InstantOf(day.Start), recon.InstantOf(day.End)
	for i := range day.Gateway {
		g := &day.Gateway[i]
		if g.Entity != recon.EntityPayin {
			continue
		}
		k := number(g.Key, g.KeyNo)
		if k < 0 || latest[k] != int32(i+1) || listed[k] != 0 || day.LedgerElsewhere[recon.EntityPayin][g.Key] ||
			g.CreatedAt < start || g.CreatedAt >= end {
			continue // not the key's latest record, or a ledger has the key
		}
		picks = append(picks, -int32(i+1))
		listed[k] = int32(len(picks))
		size += len(g.Key)
	}

	// The day's records are about to be let go: the keys are copied into one
	// string, and each status or method once, not kept as the day's strings,
	// which may share blocks of memory with every other string of the day.
	out := &Payins{Date: day.Date, Start: day.Start, End: day.End, list: make([]payment, len(picks)), words: []string{""}}
	numbers := map[string]uint32{"": 0}
	word := func(s string) uint32 {
		w, ok := numbers[s]
		if !ok {
			w, s = uint32(len(out.words)), strings.Clone(s)
			numbers[s] = w
			out.words = append(out.words, s)
		}
		return w
	}
	var keys strings.Builder
	keys.Grow(size)
	for j, pick := range picks {
		p := &out.list[j]
		if pick < 0 {
			g := &day.Gateway[-pick-1]
			keys.WriteString(g.Key)
			p.amount, p.class, p.status, p.place = g.Amount, g.Class, word(g.Status), g.Place
		} else {
			o := &day.Orders[pick-1]
			keys.WriteString(o.OrderID)
			p.amount, p.class, p.ledgerStatus, p.place = o.Amount, o.Class, word(o.Status), o.Place
			if g := latest[number(o.OrderID, o.KeyNo)]; g != 0 {
				g := &day.Gateway[g-1]
				p.amount, p.class, p.status = g.Amount, g.Class, word(g.Status)
			}
		}
		p.end = uint32(keys.Len())
	}
	// The method is the first a ledger row of the key gives, not
	// necessarily its first row's.
	for i := range day.Orders {
		o := &day.Orders[i]
		if o.PaymentMethod == "" {
			continue
		}
		if k := number(o.OrderID, o.KeyNo); k >= 0 && listed[k] > 0 {
			if p := &out.list[listed[k]-1]; p.method == 0 {
				p.method = word(o.PaymentMethod)
			}
		}
	}
	out.keys = keys.String()
	return out
}

// Split splits p into n shares by its keys' hash (SubShare), each in p's
// order: the settlement checks of a part of a large day judge its pay-ins a
// share at a time, with that share's settlement rows.
func (p *Payins) Split(n int) []*Payins {
	if n <= 1 {
		return []*Payins{p}
	}
	out := make([]*Payins, n)
	keys := make([]strings.Builder, n)
	for i := range out {
		out[i] = &Payins{Date: p.Date, Start: p.Start, End: p.End, words: p.words}
	}
	for i := range p.list {
		key := p.key(i)
		j := SubShare(key, n)
		keys[j].WriteString(key)
		pay := p.list[i]
		pay.end = uint32(keys[j].Len())
		out[j].list = append(out[j].list, pay)
	}
	for i := range out {
		out[i].keys = keys[i].String()
	}
	return out
}

// SubShare returns the share of n, from 0, of an order id within its part of
// the day: by the low bits of its key hash, which the part (recon.PartNo)
// takes from the high ones.
func SubShare(order string, n int) int {
	if n <= 1 {
		return 0
	}
	return int(uint64(recon.KeyHash(recon.EntityPayin, order)) % uint64(n))
}
