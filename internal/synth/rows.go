package synth

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// order is one pay-in as the three sources see it.
type order struct {
	id            string
	amount        int64 // paise
	currency      string
	ledgerStatus  string
	gatewayStatus string // PAID, FAILED, PENDING, REFUNDED…
	created       time.Time
	paid          time.Time
	txn, method   string
	// ledgerCreated overrides how the ledger writes created_at.
	ledgerCreated string
}

// payout is one payout as the three sources see it.
type payout struct {
	id                  string
	amount              int64
	currency            string
	ledgerStatus        string
	gatewayStatus       string // SUCCESS, FAILED, PENDING, REVERSED…
	mode                string
	account, ifsc, vpa  string
	utr                 string
	requested           time.Time
	processed           time.Time
	ledgerUTR           string // overrides utr in the ledger
	useRRN              bool   // the gateway writes rrn_number (older responses)
	ledgerRequestedForm string
}

func money(paise int64) string { return fmt.Sprintf("%d.%02d", paise/100, paise%100) }

// gatewayTime writes KwikPaisa's own form: 13-05-2026 08:34 AM, IST.
// gatewayLayout is how the gateway writes its times.
const gatewayLayout = "02-01-2006 03:04 PM"

func gatewayTime(t time.Time) string { return t.In(ist).Format(gatewayLayout) }

func ledgerTime(t time.Time) string { return t.In(ist).Format("2006-01-02 15:04:05") }

func (d *generator) next() int { d.seq++; return d.seq }

// at returns a time of the day, s seconds after midnight IST.
func (d *generator) at(s int) time.Time { return d.Date.Add(time.Duration(s) * time.Second) }

func (d *generator) digits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + d.rng.IntN(10))
	}
	if b[0] == '0' {
		b[0] = '1'
	}
	return string(b)
}

// utr returns n random digits no UTR of the day has drawn before: at
// 600,000 payouts two 12-digit draws meet about one day in five, and the
// bench would find a DUPLICATE_UTR nobody planted. A day without such a
// meeting draws exactly what it drew before.
func (d *generator) utr(n int) string {
	if d.utrs == nil {
		d.utrs = map[uint64]bool{}
	}
	for {
		s := d.digits(n)
		k, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			panic(err) // digits gives digits
		}
		k |= uint64(n) << 56 // 11 digits after a prefix are another UTR than 12
		if !d.utrs[k] {
			d.utrs[k] = true
			return s
		}
	}
}

func (d *generator) ordinaryOrder() {
	n := d.next()
	o := order{
		id:       fmt.Sprintf("ORD%s%07d", d.Date.Format("20060102"), n),
		amount:   int64(100_00 + d.rng.IntN(49_900_00)),
		currency: "INR",
		created:  d.at(60 + d.rng.IntN(86400-900)),
		txn:      "KPTXN" + d.digits(12),
		method:   []string{"UPI", "CARD", "NETBANKING", "WALLET"}[d.rng.IntN(4)],
	}
	switch r := d.rng.IntN(100); {
	case r < 86:
		o.ledgerStatus = []string{"success", "paid", "captured"}[d.rng.IntN(3)]
		o.gatewayStatus = "PAID"
		o.paid = o.created.Add(time.Duration(5+d.rng.IntN(115)) * time.Second)
	case r < 95:
		o.ledgerStatus, o.gatewayStatus = "failed", "FAILED"
	default:
		o.ledgerStatus, o.gatewayStatus = "pending", "PENDING"
	}
	d.addOrder(o, true, true)
	d.orderWebhooks(o, d.rng.IntN(4) == 0)
}

// addOrder writes an order to the ledger and the gateway dump.
func (d *generator) addOrder(o order, ledger, gateway bool) {
	if ledger {
		created := o.ledgerCreated
		if created == "" {
			created = ledgerTime(o.created)
		}
		d.Orders = append(d.Orders, []string{o.id, money(o.amount), o.currency, o.ledgerStatus, created, o.txn, o.method})
	}
	if gateway {
		d.Gateway = append(d.Gateway, gatewayRecord{o.created, d.orderRecord(o)})
		// KwikPaisa settles what it took the next day (settle.go).
		if d.settle != nil && !d.settleOwn {
			d.settleErr = errors.Join(d.settleErr, d.settle.settled(o))
		}
	}
}

func (d *generator) orderRecord(o order) map[string]any {
	var kx any = "KX" + d.digits(10)
	if d.rng.IntN(5) == 0 {
		// Some gateway ids are long JSON numbers: they must be read
		// without loss.
		kx = json.Number(d.digits(20))
	}
	g := map[string]any{
		"kwikX_order_id": kx, "order_id": o.id, "order_amount": money(o.amount), "currency": o.currency,
		"order_status": o.gatewayStatus, "payment_method": o.method, "transaction_id": o.txn,
		"bank_reference": d.digits(12), "created_at": gatewayTime(o.created), "paid_at": "",
	}
	if !o.paid.IsZero() {
		g["paid_at"] = gatewayTime(o.paid)
	}
	return g
}

// orderWebhooks stores the deliveries the gateway sends for an order.
func (d *generator) orderWebhooks(o order, processingFirst bool) {
	data := func(status string) map[string]any {
		return map[string]any{"order_id": o.id, "amount": money(o.amount), "currency": o.currency, "status": status,
			"transaction_id": o.txn}
	}
	if processingFirst {
		d.Webhooks = append(d.Webhooks, Webhook{Event: "payment.processing", Data: data("PROCESSING"),
			ReceivedAt: o.created.Add(2 * time.Second), Skew: -time.Second})
	}
	event := map[string]string{"PAID": "payment.success", "FAILED": "payment.failed", "PENDING": "payment.processing",
		"EXPIRED": "payment.expired"}[o.gatewayStatus]
	if event == "" {
		return
	}
	at := o.paid
	if at.IsZero() {
		at = o.created.Add(30 * time.Second)
	}
	d.Webhooks = append(d.Webhooks, Webhook{Event: event, Data: data(o.gatewayStatus),
		ReceivedAt: at.Add(time.Duration(500+d.rng.IntN(2500)) * time.Millisecond), Skew: -time.Second})
}

var banks = []string{"HDFC0001234", "ICIC0004321", "SBIN0000456", "UTIB0000789", "KKBK0000321"}

func (d *generator) ordinaryPayout() {
	n := d.next()
	p := payout{
		id:        fmt.Sprintf("PO%s%07d", d.Date.Format("20060102"), n),
		amount:    int64(500_00 + d.rng.IntN(199_500_00)),
		currency:  "INR",
		requested: d.at(60 + d.rng.IntN(86400-900)),
		mode:      []string{"IMPS", "NEFT", "RTGS", "UPI"}[d.rng.IntN(4)],
	}
	if p.mode == "UPI" {
		p.vpa = fmt.Sprintf("payee%d@okaxis", n)
	} else {
		p.account, p.ifsc = d.digits(12), banks[d.rng.IntN(len(banks))]
	}
	switch r := d.rng.IntN(100); {
	case r < 86:
		p.ledgerStatus = []string{"success", "processed", "completed"}[d.rng.IntN(3)]
		p.gatewayStatus = "SUCCESS"
		p.processed = p.requested.Add(time.Duration(10+d.rng.IntN(300)) * time.Second)
		p.utr = d.utr(12)
		if p.mode == "NEFT" || p.mode == "RTGS" {
			p.utr = "HDFCN" + d.utr(11)
		}
	case r < 93:
		p.ledgerStatus, p.gatewayStatus = "failed", "FAILED"
	default:
		p.ledgerStatus, p.gatewayStatus = "pending", "PENDING"
	}
	p.useRRN = d.rng.IntN(10) == 0
	d.addPayout(p, true, true)
	d.payoutWebhooks(p)
}

func (d *generator) addPayout(p payout, ledger, gateway bool) {
	if ledger {
		utr := p.utr
		if p.ledgerUTR != "" {
			utr = p.ledgerUTR
		}
		if p.ledgerStatus != "success" && p.ledgerStatus != "processed" && p.ledgerStatus != "completed" && p.ledgerUTR == "" {
			utr = ""
		}
		requested := p.ledgerRequestedForm
		if requested == "" {
			requested = ledgerTime(p.requested)
		}
		d.Payouts = append(d.Payouts, []string{p.id, money(p.amount), p.currency, p.ledgerStatus, p.mode, p.account,
			p.ifsc, p.vpa, utr, requested})
	}
	if gateway {
		d.Gateway = append(d.Gateway, gatewayRecord{p.requested, d.payoutRecord(p)})
	}
}

func (d *generator) payoutRecord(p payout) map[string]any {
	g := map[string]any{
		"payout_order_id": p.id, "kwikx_payout_id": "KXP" + d.digits(12), "amount": money(p.amount),
		"currency": p.currency, "payout_status": p.gatewayStatus, "transfer_mode": p.mode,
		"beneficiary_account": p.account, "beneficiary_ifsc": p.ifsc, "beneficiary_vpa": p.vpa,
		"created_at": gatewayTime(p.requested), "processed_at": "", "failure_reason": "",
	}
	utrField := "utr"
	if p.useRRN {
		utrField = "rrn_number"
	}
	g[utrField] = p.utr
	if !p.processed.IsZero() {
		g["processed_at"] = gatewayTime(p.processed)
	}
	if p.gatewayStatus == "FAILED" {
		g["failure_reason"] = "Beneficiary bank offline"
	}
	return g
}

func (d *generator) payoutWebhooks(p payout) {
	event := map[string]string{"SUCCESS": "payout.success", "FAILED": "payout.failed", "PENDING": "payout.processing",
		"REVERSED": "payout.reversed"}[p.gatewayStatus]
	if event == "" {
		return
	}
	at := p.processed
	if at.IsZero() {
		at = p.requested.Add(time.Minute)
	}
	data := map[string]any{"payout_order_id": p.id, "amount": money(p.amount), "currency": p.currency,
		"status": p.gatewayStatus, "utr": p.utr}
	d.Webhooks = append(d.Webhooks, Webhook{Event: event, Data: data,
		ReceivedAt: at.Add(time.Duration(500+d.rng.IntN(2500)) * time.Millisecond), Skew: -time.Second})
}
