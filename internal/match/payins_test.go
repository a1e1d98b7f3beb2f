package match

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/kwikpaisa/recon/internal/recon"
)

// block carves strings from one buffer, as the SQLite store carves a day's
// strings from shared blocks.
type block struct {
	buf  []byte
	used int
}

func (b *block) carve(s string) string {
	n := copy(b.buf[b.used:], s)
	out := unsafe.String(&b.buf[b.used], n)
	b.used += n
	return out
}

// holds says whether s lies in the block's memory.
func (b *block) holds(s string) bool {
	if s == "" {
		return false
	}
	p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
	start := uintptr(unsafe.Pointer(&b.buf[0]))
	return p >= start && p < start+uintptr(len(b.buf))
}

// payinsDay is a day with each kind of pay-in PayinsOf lists or leaves out,
// its strings carved from b.
func payinsDay(b *block) *recon.Day {
	d := newDay()
	ord := func(id string, paise int64, class recon.StatusClass, method string) {
		o := d.order(b.carve(id), paise, class, at(10, 0, 0))
		o.Status, o.PaymentMethod = b.carve(o.Status), b.carve(method)
	}
	gw := func(key string, paise int64, class recon.StatusClass, hour int) {
		g := d.gw(recon.EntityPayin, b.carve(key), paise, class, at(hour, 0, 0))
		g.Status = b.carve(g.Status)
		if hour >= 24 {
			g.CreatedAt = recon.InstantOf(at(0, 0, 0).AddDate(0, 0, 1))
		}
	}
	gw("ORD-1", 10000, recon.StatusSuccess, 10)
	ord("ORD-1", 9000, recon.StatusPending, "")    // the gateway's amount and status count
	ord("ORD-1", 9000, recon.StatusPending, "upi") // a later row: only its method counts
	ord("ORD-2", 500, recon.StatusNotPaid, "card") // no gateway record: the ledger's; after a repeated key
	gw("GW-ONLY", 700, recon.StatusSuccess, 11)    // the gateway's alone, created in the day
	gw("GW-LATER", 800, recon.StatusSuccess, 24)   // created the next day: not the day's
	gw("GW-ELSEWHERE", 900, recon.StatusSuccess, 12)
	d.LedgerElsewhere[recon.EntityPayin]["GW-ELSEWHERE"] = true
	d.gw(recon.EntityPayout, "PO-1", 100, recon.StatusSuccess, at(9, 0, 0))
	return &d.Day
}

// numbered numbers a day's keys as a store does.
func numbered(d *recon.Day) *recon.Day {
	n := *d
	n.Orders, n.Gateway = slices.Clone(d.Orders), slices.Clone(d.Gateway)
	keys := map[recon.Entity]*recon.Keys{recon.EntityPayin: recon.NewKeys(8), recon.EntityPayout: recon.NewKeys(8)}
	for i := range n.Gateway {
		n.Gateway[i].KeyNo, _ = keys[n.Gateway[i].Entity].Add(n.Gateway[i].Key)
	}
	for i := range n.Orders {
		n.Orders[i].KeyNo, _ = keys[recon.EntityPayin].Add(n.Orders[i].OrderID)
	}
	n.Keys = keys
	return &n
}

func TestPayinsOf(t *testing.T) {
	b := &block{buf: make([]byte, 4096)}
	day := payinsDay(b)
	want := []string{
		"ORD-1 100.00 SUCCESS SUCCESS/pending upi orders.csv:2",
		"ORD-2 5.00 NOT_PAID /not_paid card orders.csv:4",
		"GW-ONLY 7.00 SUCCESS SUCCESS/ - gateway.jsonl:2",
	}
	for name, d := range map[string]*recon.Day{"built by hand": day, "numbered by the store": numbered(day)} {
		t.Run(name, func(t *testing.T) {
			p := PayinsOf(d)
			var got []string
			for i := range p.len() {
				pi := &p.list[i]
				method := p.words[pi.method]
				if method == "" {
					method = "-"
				}
				got = append(got, fmt.Sprintf("%s %s %s %s/%s %s %s", p.key(i), pi.amount, pi.class, p.words[pi.status],
					p.words[pi.ledgerStatus], method, pi.place))
				if p.word(i) == "" {
					t.Errorf("pay-in %s has no status", p.key(i))
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("pay-ins:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			// Nothing of the day's strings is kept: a kept one would keep the
			// whole block it was carved from.
			if b.holds(p.keys) {
				t.Error("the keys are the day's memory")
			}
			for _, w := range p.words {
				if b.holds(w) {
					t.Errorf("word %q is the day's memory", w)
				}
			}
		})
	}
}
