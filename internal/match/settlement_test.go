package match

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kwikpaisa/recon/internal/recon"
	"github.com/shopspring/decimal"
)

// settleCase builds a day of 2026-11-24 with its settlement rows and bank
// entries.
type settleCase struct {
	*testDay
	in   SettlementInput
	opts SettlementOptions
}

func newSettleCase() *settleCase {
	opts := DefaultSettlementOptions()
	opts.Zone = ist
	opts.Bank = true
	return &settleCase{testDay: newDay(), opts: opts}
}

// paid adds an order paid on the day, in ledger and gateway.
func (c *settleCase) paid(id string, paise int64) {
	c.order(id, paise, recon.StatusSuccess, at(10, 0, 0))
	c.gw(recon.EntityPayin, id, paise, recon.StatusSuccess, at(10, 0, 0))
}

// row adds a settlement row settled at 10:00 on day (24 is the test day).
func (c *settleCase) row(stl, utr string, day int, typ recon.EventType, order, method string, amount, fee, tax, net int64) *recon.SettlementRow {
	c.in.Rows = append(c.in.Rows, recon.SettlementRow{SettlementID: stl, UTR: utr, SettledAt: recon.InstantOf(time.Date(2026, 11, day, 10, 0, 0, 0, ist)),
		Type: typ, OrderID: order, PaymentMethod: method, Amount: recon.Amount(amount), Fee: recon.Amount(fee), Tax: recon.Amount(tax),
		Net: recon.Amount(net), HasAmounts: true, Place: recon.PlaceOf(fmt.Sprintf("settlements-2026-11-%d.csv", day), fmt.Sprint(len(c.in.Rows)+2))})
	return &c.in.Rows[len(c.in.Rows)-1]
}

// pay adds a PAYMENT row with no fee.
func (c *settleCase) pay(stl, utr string, day int, order string, amount int64) *recon.SettlementRow {
	return c.row(stl, utr, day, recon.EventPayment, order, "", amount, 0, 0, amount)
}

func (c *settleCase) credit(date string, paise int64, ref, narration string) {
	c.in.Bank = append(c.in.Bank, recon.BankEntry{Date: date, Credit: true, Amount: recon.Amount(paise), Reference: ref,
		Narration: narration, File: "bank/" + date + ".csv", Line: fmt.Sprint(len(c.in.Bank) + 2)})
}

func fees(t *testing.T) *recon.FeeSchedule {
	card, err := recon.ParseRate("2.00%")
	if err != nil {
		t.Fatal(err)
	}
	nb, _ := recon.ParseRate("1.75% + 3.00")
	return &recon.FeeSchedule{Methods: map[string]recon.Rate{"card": card, "netbanking": nb}, Default: card,
		GSTPercent: decimal.NewFromInt(18)}
}

// sx is one exception as a test names it.
type sx struct {
	cat         recon.Category
	ref         string
	provisional bool
}

func TestSettle(t *testing.T) {
	const utr = "KKBKH26328000001"
	tests := []struct {
		name  string
		build func(*settleCase)
		want  []sx
		// detail, when set, must be in the first exception's detail.
		detail string
	}{
		{"settled and credited matches", func(c *settleCase) {
			c.paid("ORD-1", 10000)
			c.pay("STL-1", utr, 25, "ORD-1", 10000)
			c.credit("2026-11-25", 10000, utr, "NEFT CR KWIKPAISA")
		}, nil, ""},
		{"unsettled, window open", func(c *settleCase) {
			c.paid("ORD-1", 10000)
			c.opts.Now = time.Date(2026, 11, 26, 9, 0, 0, 0, ist)
		}, []sx{{recon.Unsettled, "ORD-1", true}}, "may still settle"},
		{"unsettled, window passed", func(c *settleCase) {
			c.paid("ORD-1", 10000)
			c.opts.Now = time.Date(2026, 11, 28, 0, 0, 0, 0, ist)
		}, []sx{{recon.Unsettled, "ORD-1", false}}, ""},
		{"unsettled needs a successful payment", func(c *settleCase) {
			c.order("ORD-1", 10000, recon.StatusNotPaid, at(10, 0, 0))
			c.gw(recon.EntityPayin, "ORD-1", 10000, recon.StatusNotPaid, at(10, 0, 0))
		}, nil, ""},
		{"settled not paid", func(c *settleCase) {
			c.order("ORD-1", 10000, recon.StatusNotPaid, at(10, 0, 0))
			c.gw(recon.EntityPayin, "ORD-1", 10000, recon.StatusNotPaid, at(10, 0, 0))
			c.pay("STL-1", utr, 24, "ORD-1", 10000)
			c.credit("2026-11-24", 10000, utr, "")
		}, []sx{{recon.SettledNotPaid, "ORD-1", false}}, "not paid"},
		{"settled after a refund is not settled-not-paid", func(c *settleCase) {
			c.order("ORD-1", 10000, recon.StatusRefunded, at(10, 0, 0))
			c.gw(recon.EntityPayin, "ORD-1", 10000, recon.StatusRefunded, at(10, 0, 0))
			c.pay("STL-1", utr, 24, "ORD-1", 10000)
			c.row("STL-1", utr, 24, recon.EventRefund, "ORD-1", "", 10000, 0, 0, -10000)
		}, []sx{{recon.BankCreditMissing, "STL-1", false}}, ""},
		{"settled order unknown to ledger and gateway", func(c *settleCase) {
			c.pay("STL-1", utr, 24, "ORD-X", 500)
			c.credit("2026-11-24", 500, utr, "")
			c.in.Known = map[string]bool{}
		}, []sx{{recon.SettledNotPaid, "ORD-X", false}}, "neither the ledger"},
		{"settled order of another date is not judged here", func(c *settleCase) {
			c.pay("STL-1", utr, 24, "ORD-Y", 500)
			c.credit("2026-11-24", 500, utr, "")
			c.in.Known = map[string]bool{"ORD-Y": true}
		}, nil, ""},
		{"settlement amount mismatch", func(c *settleCase) {
			c.paid("ORD-1", 10000)
			c.pay("STL-1", utr, 25, "ORD-1", 9999)
			c.credit("2026-11-25", 9999, utr, "")
		}, []sx{{recon.SettlementAmountMismatch, "ORD-1", false}}, "difference -0.01"},
		{"duplicate settlement", func(c *settleCase) {
			c.paid("ORD-1", 10000)
			c.pay("STL-1", utr, 25, "ORD-1", 10000)
			c.pay("STL-2", "KKBKH26329000002", 26, "ORD-1", 10000)
		}, []sx{{recon.DuplicateSettlement, "ORD-1", false}}, "settled 2 times (STL-1, STL-2)"},
		{"refund not deducted", func(c *settleCase) {
			c.order("ORD-1", 10000, recon.StatusRefunded, at(10, 0, 0))
			c.gw(recon.EntityPayin, "ORD-1", 10000, recon.StatusRefunded, at(10, 0, 0))
			c.pay("STL-1", utr, 25, "ORD-1", 10000)
			c.opts.Now = time.Date(2026, 11, 25, 9, 0, 0, 0, ist)
		}, []sx{{recon.RefundNotDeducted, "ORD-1", true}}, "may still be deducted"},
		{"refund deducted two days later", func(c *settleCase) {
			c.order("ORD-1", 10000, recon.StatusRefunded, at(10, 0, 0))
			c.gw(recon.EntityPayin, "ORD-1", 10000, recon.StatusRefunded, at(10, 0, 0))
			c.pay("STL-1", utr, 24, "ORD-1", 10000)
			c.credit("2026-11-24", 10000, utr, "")
			c.row("STL-3", "KKBKH26330000003", 26, recon.EventRefund, "ORD-1", "", 10000, 0, 0, -10000)
		}, nil, ""},
		{"fee one paisa over at a half-up edge", func(c *settleCase) {
			c.opts.Fees = fees(t)
			c.paid("ORD-1", 1025) // 2% of 10.25 = 0.205 → 0.21
			c.row("STL-1", utr, 24, recon.EventPayment, "ORD-1", "card", 1025, 22, 4, 999)
			c.credit("2026-11-24", 999, utr, "")
		}, []sx{{recon.FeeMismatch, "STL-1:2", false}}, "expected 0.21"},
		{"fee exactly at the half-up edge matches", func(c *settleCase) {
			c.opts.Fees = fees(t)
			c.paid("ORD-1", 1025)
			c.row("STL-1", utr, 24, recon.EventPayment, "ORD-1", "card", 1025, 21, 4, 1000) // tax 18% of 0.21 = 0.0378 → 0.04
			c.credit("2026-11-24", 1000, utr, "")
		}, nil, ""},
		{"fee by the ledger's method, percent and fixed", func(c *settleCase) {
			c.opts.Fees = fees(t)
			c.paid("ORD-1", 100000)
			c.Orders[0].PaymentMethod = "Net Banking"
			c.row("STL-1", utr, 24, recon.EventPayment, "ORD-1", "", 100000, 2050, 369, 97581) // 1.75% + 3.00; GST 3.69
			c.credit("2026-11-24", 97581, utr, "")
		}, nil, ""},
		{"fees not checked without a schedule", func(c *settleCase) {
			c.paid("ORD-1", 1025)
			c.row("STL-1", utr, 24, recon.EventPayment, "ORD-1", "card", 1025, 99, 1, 925)
			c.credit("2026-11-24", 925, utr, "")
		}, nil, ""},
		{"tax off by one paisa at the half-up edge", func(c *settleCase) {
			c.opts.Fees = fees(t)
			c.paid("ORD-1", 98750) // 2% = 19.75; GST 18% = 3.555 → 3.56
			c.row("STL-1", utr, 24, recon.EventPayment, "ORD-1", "card", 98750, 1975, 355, 96420)
			c.credit("2026-11-24", 96420, utr, "")
		}, []sx{{recon.TaxMismatch, "STL-1:2", false}}, "expected 3.56"},
		{"net mismatch", func(c *settleCase) {
			c.paid("ORD-1", 10000)
			c.row("STL-1", utr, 24, recon.EventPayment, "ORD-1", "", 10000, 200, 36, 9765)
			c.credit("2026-11-24", 9765, utr, "")
		}, []sx{{recon.NetMismatch, "STL-1:2", false}}, "difference 0.01"},
		{"chargeback row subtracts", func(c *settleCase) {
			c.paid("ORD-1", 10000)
			c.pay("STL-1", utr, 24, "ORD-1", 10000)
			c.row("STL-1", utr, 24, recon.EventChargeback, "ORD-9", "", 3000, 0, 0, -3000)
			c.credit("2026-11-24", 7000, utr, "")
		}, nil, ""},
		{"chargeback with a wrong sign", func(c *settleCase) {
			c.paid("ORD-1", 10000)
			c.pay("STL-1", utr, 24, "ORD-1", 10000)
			c.row("STL-1", utr, 24, recon.EventChargeback, "ORD-9", "", 3000, 0, 0, 3000)
			c.credit("2026-11-24", 13000, utr, "")
		}, []sx{{recon.NetMismatch, "STL-1:3", false}}, "−30.00"},
		{"adjustment row counts in the total only", func(c *settleCase) {
			c.paid("ORD-1", 10000)
			c.pay("STL-1", utr, 24, "ORD-1", 10000)
			c.in.Rows = append(c.in.Rows, recon.SettlementRow{SettlementID: "STL-1", UTR: utr, SettledAt: recon.InstantOf(at(10, 0, 0)),
				Type: recon.EventAdjustment, Net: -150, Place: recon.PlaceOf("s.csv", "9")})
			c.credit("2026-11-24", 9850, utr, "")
		}, nil, ""},
		{"bank credit missing, window open", func(c *settleCase) {
			c.paid("ORD-1", 10000)
			c.pay("STL-1", utr, 24, "ORD-1", 10000)
			c.opts.Now = time.Date(2026, 11, 27, 23, 0, 0, 0, ist)
		}, []sx{{recon.BankCreditMissing, "STL-1", true}}, "may still arrive"},
		{"bank credit missing, not judged without a statement", func(c *settleCase) {
			c.paid("ORD-1", 10000)
			c.pay("STL-1", utr, 24, "ORD-1", 10000)
			c.opts.Bank = false
		}, nil, ""},
		{"bank credit mismatch", func(c *settleCase) {
			c.paid("ORD-1", 10000)
			c.pay("STL-1", utr, 24, "ORD-1", 10000)
			c.credit("2026-11-25", 9990, "", "NEFT-"+utr+"-KWIKPAISA")
		}, []sx{{recon.BankCreditMismatch, "STL-1", false}}, "difference -0.10"},
		{"UTR cut at 12 characters at the end of the narration", func(c *settleCase) {
			c.paid("ORD-1", 10000)
			c.pay("STL-1", utr, 24, "ORD-1", 10000)
			c.credit("2026-11-25", 9990, "", "NEFT CR KWIKPAISA PAYMENTS "+utr[:12])
		}, []sx{{recon.BankCreditMismatch, "STL-1", false}}, "matched by UTR"},
		{"UTR cut at 11 characters does not count", func(c *settleCase) {
			c.paid("ORD-1", 10000)
			c.pay("STL-1", utr, 24, "ORD-1", 10000)
			c.credit("2026-11-24", 9990, "", "NEFT CR KWIKPAISA PAYMENTS "+utr[:11])
		}, []sx{{recon.BankCreditMissing, "STL-1", false}, {recon.UnexplainedCredit, "2026-11-24.csv:2", false}}, ""},
		{"a UTR whose 13th character differs does not count", func(c *settleCase) {
			c.paid("ORD-1", 10000)
			c.pay("STL-1", utr, 24, "ORD-1", 10000)
			c.credit("2026-11-24", 9990, "", "NEFT CR KWIKPAISA "+utr[:12]+"9")
		}, []sx{{recon.BankCreditMissing, "STL-1", false}, {recon.UnexplainedCredit, "2026-11-24.csv:2", false}}, ""},
		{"UTR split over a line break", func(c *settleCase) {
			c.paid("ORD-1", 10000)
			c.pay("STL-1", utr, 24, "ORD-1", 10000)
			c.credit("2026-11-25", 9990, "", "KWIKPAISA "+utr[:7]+" "+utr[7:])
		}, []sx{{recon.BankCreditMismatch, "STL-1", false}}, ""},
		{"matched by amount and date", func(c *settleCase) {
			c.paid("ORD-1", 10000)
			c.pay("STL-1", utr, 24, "ORD-1", 10000)
			c.credit("2026-11-27", 10000, "", "NEFT CR KWIKPAISA")
		}, nil, ""},
		{"amount match outside the bank window does not count", func(c *settleCase) {
			c.paid("ORD-1", 10000)
			c.pay("STL-1", utr, 24, "ORD-1", 10000)
			c.credit("2026-11-28", 10000, "", "NEFT CR KWIKPAISA")
		}, []sx{{recon.BankCreditMissing, "STL-1", false}}, ""},
		{"two settlements of equal amount do not match by amount", func(c *settleCase) {
			c.paid("ORD-1", 10000)
			c.paid("ORD-2", 10000)
			c.pay("STL-1", utr, 24, "ORD-1", 10000)
			c.pay("STL-2", "KKBKH26328000002", 24, "ORD-2", 10000)
			c.credit("2026-11-24", 10000, "", "NEFT CR KWIKPAISA")
		}, []sx{{recon.BankCreditMissing, "STL-1", false}, {recon.BankCreditMissing, "STL-2", false},
			{recon.UnexplainedCredit, "2026-11-24.csv:2", false}}, ""},
		{"a credit is claimed by one settlement only", func(c *settleCase) {
			c.paid("ORD-1", 10000)
			c.paid("ORD-2", 10000)
			c.pay("STL-1", utr, 24, "ORD-1", 10000)
			c.pay("STL-2", utr, 24, "ORD-2", 10000) // same UTR on two settlements: neither claims by UTR
			c.credit("2026-11-24", 10000, utr, "KWIKPAISA")
		}, []sx{{recon.BankCreditMissing, "STL-1", false}, {recon.BankCreditMissing, "STL-2", false},
			{recon.UnexplainedCredit, "2026-11-24.csv:2", false}}, ""},
		{"unexplained credit, not the gateway's, is not reported", func(c *settleCase) {
			c.credit("2026-11-24", 10000, "", "SALARY")
		}, nil, ""},
		{"unexplained credit of another day is that day's", func(c *settleCase) {
			c.credit("2026-11-25", 10000, "", "KWIKPAISA")
		}, nil, ""},
		{"unexplained credit", func(c *settleCase) {
			c.credit("2026-11-24", 10000, "", "neft cr kwikpaisa payments")
		}, []sx{{recon.UnexplainedCredit, "2026-11-24.csv:2", false}}, "matches no settlement"},
		{"settlement of another day is that day's", func(c *settleCase) {
			c.pay("STL-1", utr, 25, "ORD-Z", 10000)
			c.row("STL-1", utr, 25, recon.EventPayment, "ORD-Z", "", 10000, 1, 0, 10000)
		}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newSettleCase()
			tt.build(c)
			exs, fig := Settle(PayinsOf(&c.Day), &c.in, c.opts)
			// In shares of the day's orders, as a day matched in parts is
			// judged: the same exceptions and figures.
			for _, split := range [][2]int{{2, 1}, {3, 1}, {2, 3}} {
				if got, gotFig := settleInShares(t, c, split[0], split[1]); fmt.Sprint(got, gotFig) != fmt.Sprint(exs, fig) {
					t.Errorf("in %d parts of %d shares:\n%v %+v\nwhole:\n%v %+v", split[0], split[1], got, gotFig, exs, fig)
				}
			}
			var gotList []sx
			for _, e := range exs {
				ref := e.Reference
				if e.Entity == recon.EntityBank {
					ref = ref[strings.LastIndex(ref, "/")+1:]
				}
				gotList = append(gotList, sx{e.Category, ref, e.Provisional})
			}
			if fmt.Sprint(gotList) != fmt.Sprint(tt.want) {
				t.Fatalf("exceptions = %v, want %v\n%+v", gotList, tt.want, exs)
			}
			if tt.detail != "" && !strings.Contains(exs[0].Detail, tt.detail) {
				t.Errorf("detail %q, want it to say %q", exs[0].Detail, tt.detail)
			}
			for _, e := range exs {
				if e.Severity == recon.SeverityInfo || e.Detail == "" || len(e.Evidence) == 0 {
					t.Errorf("%s %s: severity %s, detail %q, evidence %v; want a severity, a sentence and evidence", e.Category, e.Reference, e.Severity, e.Detail, e.Evidence)
				}
			}
		})
	}
}

func TestSettleFigures(t *testing.T) {
	c := newSettleCase()
	const utr = "KKBKH26328000001"
	c.paid("ORD-1", 100000)
	c.paid("ORD-2", 50000)
	c.paid("ORD-3", 7000) // unsettled
	c.row("STL-1", utr, 24, recon.EventPayment, "ORD-1", "card", 100000, 2000, 360, 97640)
	c.row("STL-1", utr, 24, recon.EventPayment, "ORD-2", "card", 50000, 1000, 180, 48820)
	c.row("STL-1", utr, 24, recon.EventRefund, "ORD-0", "", 20000, 0, 0, -20000)
	c.row("STL-1", utr, 24, recon.EventChargeback, "ORD-9", "", 5000, 0, 0, -5000)
	c.row("STL-2", "KKBKH26329000009", 25, recon.EventPayment, "ORD-8", "", 1, 0, 0, 1) // another day's
	c.credit("2026-11-24", 121460, "", "KWIKPAISA "+utr)
	_, f := Settle(PayinsOf(&c.Day), &c.in, c.opts)
	checks := []struct {
		name string
		got  string
		want string
	}{
		{"settlements", fmt.Sprint(f.Settlements), "1"},
		{"gross", f.Gross.String(), "1500.00"},
		{"fees", f.Fees.String(), "30.00"},
		{"gst", f.GST.String(), "5.40"},
		{"deducted", f.Deducted.String(), "250.00"},
		{"net", f.Net.String(), "1214.60"},
		{"credits matched", fmt.Sprint(f.CreditsMatched), "1"},
		{"credits amount", f.CreditsAmount.String(), "1214.60"},
		{"unsettled", fmt.Sprint(f.Unsettled), "1"},
		{"unsettled amount", f.UnsettledAmount.String(), "70.00"},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %s, want %s", ch.name, ch.got, ch.want)
		}
	}
}

func TestSettleSaysAmountMatch(t *testing.T) {
	const utr = "KKBKH26328000001"
	tests := []struct {
		name, narration, want string
	}{
		{"by UTR", "NEFT " + utr, "[]"},
		{"by amount and date", "NEFT CR KWIKPAISA", "[{STL-1 bank/2026-11-26.csv:2}]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newSettleCase()
			c.paid("ORD-1", 10000)
			c.pay("STL-1", utr, 24, "ORD-1", 10000)
			c.credit("2026-11-26", 10000, "", tt.narration)
			exs, f := Settle(PayinsOf(&c.Day), &c.in, c.opts)
			if len(exs) != 0 || f.CreditsMatched != 1 {
				t.Fatalf("exceptions %+v, credits matched %d; want none and 1", exs, f.CreditsMatched)
			}
			if got := fmt.Sprint(f.ByAmount); got != tt.want {
				t.Errorf("ByAmount = %s, want %s", got, tt.want)
			}
		})
	}
}

// settleInShares judges c's day as a day matched in parts: each part's
// pay-ins, split in sub shares, with the rows of each share's orders.
func settleInShares(t *testing.T, c *settleCase, parts, sub int) ([]recon.Exception, SettlementFigures) {
	t.Helper()
	s := NewSettling(c.Date, c.opts)
	for i := range c.in.Rows {
		s.Row(&c.in.Rows[i])
	}
	for i := range c.in.Bank {
		s.Bank(&c.in.Bank[i])
	}
	var known func([]string) (map[string]bool, error)
	if c.in.Known != nil {
		known = func([]string) (map[string]bool, error) { return c.in.Known, nil }
	}
	for no := range parts {
		p := recon.Part{Entity: recon.EntityPayin, No: no, Of: parts}
		day := c.Day
		day.Orders, day.Gateway = nil, nil
		for _, o := range c.Orders {
			if p.Has(recon.EntityPayin, o.OrderID) {
				day.Orders = append(day.Orders, o)
			}
		}
		for _, g := range c.Gateway {
			if p.Has(g.Entity, g.Key) {
				day.Gateway = append(day.Gateway, g)
			}
		}
		for j, share := range PayinsOf(&day).Split(sub) {
			var rows []recon.SettlementRow
			for _, r := range c.in.Rows {
				if recon.PartNo(recon.KeyHash(recon.EntityPayin, r.OrderID), parts) == no && SubShare(r.OrderID, sub) == j {
					rows = append(rows, r)
				}
			}
			if err := s.Part(share, rows, known); err != nil {
				t.Fatal(err)
			}
		}
	}
	return s.Finish()
}
