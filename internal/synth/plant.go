package synth

import (
	"fmt"
	"time"
)

// plant adds one set of planted exceptions and their near misses. Each
// planted exception is listed in d.Planted; a near miss is a case built to
// look like one and must produce no exception. Set 0 is the original set;
// a later set suffixes every key with -S<set> and varies the values two
// sets would otherwise share (a beneficiary, a UTR), so that no set makes
// an exception of another's.
func (d *generator) plant(set int) {
	id := func(key string) string {
		if set == 0 {
			return key
		}
		return fmt.Sprintf("%s-S%05d", key, set)
	}
	// shared returns the value of set 0, or one of set's own.
	shared := func(v0, format string) string {
		if set == 0 {
			return v0
		}
		return fmt.Sprintf(format, set)
	}
	p := func(category, entity, ref, note string) {
		d.Planted = append(d.Planted, Planted{category, entity, ref, note})
	}
	paid := func(id string, amount int64, at int) order {
		created := d.at(at)
		return order{id: id, amount: amount, currency: "INR", ledgerStatus: "success", gatewayStatus: "PAID",
			created: created, paid: created.Add(40 * time.Second), txn: "KPTXN" + d.digits(12), method: "UPI"}
	}
	whOrder := func(o order) { d.orderWebhooks(o, false) }

	// Pay-ins.
	o := paid(id("ORD-AMT-1"), 1499_00, 9*3600)
	d.addOrder(o, true, false)
	o2 := o
	o2.amount = 1499_01
	d.addOrder(o2, false, true)
	whOrder(o2)
	p("AMOUNT_MISMATCH", "PAYIN", o.id, "gateway 1499.01, ledger 1499.00")

	o = paid(id("ORD-AMT-NEAR"), 2500_00, 9*3600+60)
	d.addOrder(o, true, true)
	whOrder(o)
	// near miss: equal to the paisa

	o = paid(id("ORD-CUR-1"), 999_00, 9*3600+120)
	d.addOrder(o, true, false)
	o2 = o
	o2.currency = "USD"
	d.addOrder(o2, false, true)
	whOrder(o2)
	p("CURRENCY_MISMATCH", "PAYIN", o.id, "gateway USD, ledger INR")

	o = paid(id("ORD-STS-1"), 750_00, 9*3600+180)
	d.addOrder(o, true, false)
	o2 = o
	o2.gatewayStatus, o2.paid = "FAILED", time.Time{}
	d.addOrder(o2, false, true)
	whOrder(o2)
	p("STATUS_MISMATCH", "PAYIN", o.id, "ledger success, gateway FAILED")

	o = paid(id("ORD-MAG-1"), 1200_00, 10*3600)
	d.addOrder(o, true, false)
	p("MISSING_AT_GATEWAY", "PAYIN", o.id, "no gateway record")
	if d.settle != nil {
		p("UNSETTLED", "PAYIN", o.id, "the ledger's paid order the gateway does not know is not settled either (provisional)")
	}

	o = paid(id("ORD-MIL-1"), 3300_00, 10*3600+60)
	d.addOrder(o, false, true)
	whOrder(o)
	p("MISSING_IN_LEDGER", "PAYIN", o.id, "gateway PAID, no ledger row")

	o = paid(id("ORD-MIL-PREV"), 3400_00, -600) // created 23:50 the day before
	d.addOrder(o, false, true)
	// near miss: a gateway record of the previous day is not this day's business

	o = paid(id("ORD-DUP-1"), 450_00, 11*3600)
	d.addOrder(o, true, true)
	d.addOrder(o, true, false)
	whOrder(o)
	p("DUPLICATE_LEDGER_ROW", "PAYIN", o.id, "two identical ledger rows")

	o = paid(id("ORD-MIDNIGHT"), 888_00, 86400-30) // 23:59:30, paid 00:00:10 the next day
	d.addOrder(o, true, true)
	whOrder(o)
	// near miss: matched across midnight

	o = paid(id("ORD-UTC-1"), 640_00, 3600+1800) // 01:30 IST, written in UTC
	o.ledgerCreated = o.created.UTC().Format(time.RFC3339)
	d.addOrder(o, true, true)
	whOrder(o)
	// near miss: a UTC ledger time belongs to its IST date

	o = paid(id("ORD-NEXTDAY"), 720_00, 86400+1800) // 00:30 IST the next day
	o.ledgerCreated = o.created.UTC().Format(time.RFC3339)
	d.addOrder(o, true, true)
	whOrder(o)
	// not of this day: counted as outside the day, judged by the next

	d.Orders = append(d.Orders,
		[]string{id("ORD-BAD-AMT"), "12,50", "INR", "success", ledgerTime(d.at(12 * 3600)), "", "UPI"},
		[]string{id("ORD-BAD-DATE"), "100.00", "INR", "success", "2026-02-30 10:00:00", "", "UPI"})
	p("REJECT", "PAYIN", id("ORD-BAD-AMT"), "amount 12,50 (a decimal comma) is rejected")
	p("REJECT", "PAYIN", id("ORD-BAD-DATE"), "date 2026-02-30 does not exist")

	o = paid(id("ORD-DPAY-1"), 1800_00, 12*3600+60)
	d.addOrder(o, true, true)
	whOrder(o)
	o2 = o
	o2.txn = "KPTXN" + d.digits(12)
	o2.paid = o.paid.Add(5 * time.Minute)
	whOrder(o2)
	p("DUPLICATE_PAYMENT", "PAYIN", o.id, "two successful transaction ids")

	o = paid(id("ORD-WHC-1"), 560_00, 12*3600+120)
	d.addOrder(o, true, true)
	whOrder(o)
	o2 = o
	o2.gatewayStatus, o2.paid = "FAILED", o.paid.Add(10*time.Minute)
	whOrder(o2)
	p("WEBHOOK_CONFLICT", "PAYIN", o.id, "latest verified webhook says failed, gateway PAID")

	o = paid(id("ORD-WHC-REFUND"), 610_00, 12*3600+180)
	o.ledgerStatus, o.gatewayStatus = "refunded", "REFUNDED"
	d.addOrder(o, true, true)
	o2 = o
	o2.gatewayStatus = "PAID"
	whOrder(o2)
	// near miss: REFUNDED is a later state of a successful payment

	o = paid(id("ORD-WHM-1"), 1300_00, 13*3600)
	d.addOrder(o, true, true)
	p("WEBHOOK_MISSING", "PAYIN", o.id, "gateway PAID, no webhook")

	o = paid(id("ORD-SIG-1"), 1400_00, 13*3600+60)
	d.addOrder(o, true, true)
	whOrder(o)
	d.Webhooks = append(d.Webhooks, Webhook{Event: "payment.failed", Forge: true, ReceivedAt: o.paid.Add(time.Hour),
		Skew: -time.Second, Data: map[string]any{"order_id": o.id, "amount": money(o.amount), "currency": "INR", "status": "FAILED"}})
	p("WEBHOOK_SIGNATURE_INVALID", "WEBHOOK", o.id, "signed with a wrong secret")

	o = paid(id("ORD-RPL-1"), 1500_00, 13*3600+120)
	d.addOrder(o, true, true)
	whOrder(o)
	d.Webhooks = append(d.Webhooks, Webhook{Event: "payment.success", ReceivedAt: o.paid.Add(2 * time.Hour),
		Skew: -2 * time.Hour, Data: map[string]any{"order_id": o.id, "amount": money(o.amount), "currency": "INR",
			"status": "PAID", "transaction_id": o.txn, "replayed": true}})
	p("WEBHOOK_REPLAYED", "WEBHOOK", o.id, "timestamp two hours before receipt")

	d.Webhooks = append(d.Webhooks, Webhook{Event: "payment.success", ReceivedAt: d.at(14 * 3600), Skew: -time.Second,
		Data: map[string]any{"order_id": id("ORD-ORPHAN-1"), "amount": "99.00", "currency": "INR", "status": "PAID",
			"transaction_id": "KPTXN" + d.digits(12)}})
	p("WEBHOOK_ORPHAN", "WEBHOOK", id("ORD-ORPHAN-1"), "known to neither ledger nor gateway")

	o = paid(id("ORD-DWH-1"), 1600_00, 14*3600+60)
	d.addOrder(o, true, true)
	d.orderWebhooks(o, false)
	d.Webhooks[len(d.Webhooks)-1].Repeat = 2
	p("DUPLICATE_WEBHOOK", "WEBHOOK", o.id, "one body delivered three times")

	o = paid(id("ORD-CANON-1"), 1700_00, 14*3600+120)
	d.addOrder(o, true, true)
	d.orderWebhooks(o, false)
	d.Webhooks[len(d.Webhooks)-1].Canonical = true
	// near miss: verified over the canonical JSON of the body

	// Payouts.
	po := func(id string, amount int64, at int) payout {
		req := d.at(at)
		return payout{id: id, amount: amount, currency: "INR", ledgerStatus: "success", gatewayStatus: "SUCCESS",
			mode: "IMPS", account: d.digits(12), ifsc: "HDFC0001234", utr: d.utr(12), requested: req,
			processed: req.Add(2 * time.Minute)}
	}
	both := func(x payout) { d.addPayout(x, true, true); d.payoutWebhooks(x) }

	x := po(id("PO-UTR-1"), 5000_00, 9*3600)
	d.addPayout(x, true, false)
	x2 := x
	x2.utr = d.utr(12)
	d.addPayout(x2, false, true)
	d.payoutWebhooks(x2)
	p("UTR_MISMATCH", "PAYOUT", x.id, "ledger and gateway UTRs differ")

	x = po(id("PO-BEN-1"), 5100_00, 9*3600+60)
	d.addPayout(x, true, false)
	x2 = x
	x2.account = d.digits(12)
	d.addPayout(x2, false, true)
	d.payoutWebhooks(x2)
	p("BENEFICIARY_MISMATCH", "PAYOUT", x.id, "beneficiary account differs")

	x = po(id("PO-REV-1"), 5200_00, 9*3600+120)
	d.addPayout(x, true, false)
	x2 = x
	x2.gatewayStatus = "REVERSED"
	d.addPayout(x2, false, true)
	d.payoutWebhooks(x)
	d.payoutWebhooks(x2)
	p("STATUS_MISMATCH", "PAYOUT", x.id, "ledger success, gateway REVERSED")

	x = po(id("PO-DPO-1"), 7000_00, 10*3600)
	x.account, x.ifsc = shared("501000123456", "71%010d"), "HDFC0001234"
	both(x)
	x2 = po(id("PO-DPO-2"), 7000_00, 10*3600+300)
	x2.account, x2.ifsc = x.account, x.ifsc
	both(x2)
	p("DUPLICATE_PAYOUT", "PAYOUT", x.id, "same beneficiary and amount, 5 minutes apart")
	p("DUPLICATE_PAYOUT", "PAYOUT", x2.id, "same beneficiary and amount, 5 minutes apart")

	x = po(id("PO-DPO-FAR-1"), 7100_00, 11*3600)
	x.account, x.ifsc = shared("501000654321", "72%010d"), "ICIC0004321"
	both(x)
	x2 = po(id("PO-DPO-FAR-2"), 7100_00, 11*3600+16*60)
	x2.account, x2.ifsc = x.account, x.ifsc
	both(x2)
	// near miss: 16 minutes apart

	x = po(id("PO-DPO-RETRY-1"), 7200_00, 12*3600)
	retry := shared("retry@okaxis", "retry%d@okaxis")
	x.vpa, x.account, x.ifsc, x.mode = retry, "", "", "UPI"
	x.ledgerStatus, x.gatewayStatus, x.utr, x.processed = "failed", "FAILED", "", time.Time{}
	both(x)
	x2 = po(id("PO-DPO-RETRY-2"), 7200_00, 12*3600+180)
	x2.vpa, x2.account, x2.ifsc, x2.mode = retry, "", "", "UPI"
	both(x2)
	// near miss: a retry after a failure

	utr := d.utr(12)
	x = po(id("PO-DUTR-1"), 3000_00, 13*3600)
	x.utr = utr
	both(x)
	x2 = po(id("PO-DUTR-2"), 3100_00, 13*3600+60)
	x2.utr = utr
	both(x2)
	p("DUPLICATE_UTR", "PAYOUT", x.id, "one UTR on two payouts")
	p("DUPLICATE_UTR", "PAYOUT", x2.id, "one UTR on two payouts")

	x = po(id("PO-MUTR-L"), 2000_00, 14*3600)
	x.ledgerUTR = "NA"
	both(x)
	p("MISSING_UTR", "PAYOUT", x.id, "missing_in=ledger")

	x = po(id("PO-MUTR-G"), 2100_00, 14*3600+60)
	d.addPayout(x, true, false)
	x2 = x
	x2.utr = ""
	d.addPayout(x2, false, true)
	d.payoutWebhooks(x2)
	p("MISSING_UTR", "PAYOUT", x.id, "missing_in=gateway")

	x = po(id("PO-MUTR-B"), 2200_00, 14*3600+120)
	x.utr, x.ledgerUTR = "", "-"
	both(x)
	p("MISSING_UTR", "PAYOUT", x.id, "missing_in=both")

	x = po(id("PO-CORRUPT-1"), 2300_00, 15*3600)
	// A spreadsheet wrote 523223000000 as 5.23223E+11; later sets use
	// 5.23224E+11, 5.23225E+11…
	m := 523223 + set
	x.utr = fmt.Sprintf("%d000000", m)
	x.ledgerUTR = fmt.Sprintf("%d.%05dE+11", m/100000, m%100000)
	both(x)
	p("UTR_CORRUPTED", "PAYOUT", x.id, "UTR in scientific notation")

	x = po(id("PO-AMT-1"), 4000_00, 15*3600+60)
	d.addPayout(x, true, false)
	x2 = x
	x2.amount = 4000_50
	d.addPayout(x2, false, true)
	d.payoutWebhooks(x2)
	p("AMOUNT_MISMATCH", "PAYOUT", x.id, "gateway 4000.50, ledger 4000.00")

	x = po(id("PO-MIL-1"), 4100_00, 15*3600+120)
	d.addPayout(x, false, true)
	d.payoutWebhooks(x)
	p("MISSING_IN_LEDGER", "PAYOUT", x.id, "gateway SUCCESS, no ledger row")

	x = po(id("PO-DUP-1"), 4200_00, 16*3600)
	both(x)
	x2 = x
	x2.amount = 4300_00
	d.addPayout(x2, true, false)
	p("DUPLICATE_LEDGER_ROW", "PAYOUT", x.id, "two conflicting ledger rows")

	d.Payouts = append(d.Payouts, []string{id("PO-BAD-STATUS"), "100.00", "INR", "teleported", "IMPS", "123456789012",
		"HDFC0001234", "", "", ledgerTime(d.at(16*3600 + 60))})
	p("REJECT", "PAYOUT", id("PO-BAD-STATUS"), "status teleported is unknown")
}
