package match

import (
	"fmt"
	"testing"
	"time"

	"github.com/kwikpaisa/recon/internal/recon"
)

// largeDay builds a day of n orders and n/4 payouts, each with a gateway
// record and a verified webhook, about 1% of them mismatched and the payouts
// grouped on a few hundred beneficiaries so that the duplicate-payout sweep
// has long runs to walk.
func largeDay(n int) *recon.Day {
	d := newDay()
	d.Orders = make([]recon.Order, 0, n)
	d.Gateway = make([]recon.GatewayRecord, 0, n+n/4)
	d.Deliveries = make([]recon.Delivery, 0, n+n/4)
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("ORD%09d", i)
		when := at(0, 0, 0).Add(time.Duration(i%86000) * time.Second)
		amount := int64(100_00 + i%50_000_00)
		d.order(id, amount, recon.StatusSuccess, when)
		if i%100 == 1 {
			amount++ // an amount mismatch
		}
		d.gw(recon.EntityPayin, id, amount, recon.StatusSuccess, when).TransactionID = "T" + id
		d.hook(recon.EntityPayin, id, recon.StatusSuccess, ts0+int64(i%86000)).TransactionID = "T" + id
	}
	for i := 0; i < n/4; i++ {
		id := fmt.Sprintf("PO%09d", i)
		when := at(0, 0, 0).Add(time.Duration(i%86000) * time.Second)
		p := d.payout(id, int64(500_00+i%1000*100), recon.StatusSuccess, when, fmt.Sprintf("5010%08d", i%300), fmt.Sprintf("UTR%09d", i))
		d.gwPayout(p, recon.StatusSuccess)
		d.hook(recon.EntityPayout, id, recon.StatusSuccess, ts0+int64(i%86000))
	}
	return &d.Day
}

// BenchmarkReconcile matches a day of 200,000 orders and 50,000 payouts.
func BenchmarkReconcile(b *testing.B) {
	day := largeDay(200_000)
	opts := DefaultOptions()
	opts.WebhookLog = true
	b.ReportAllocs()
	b.ResetTimer()
	var r *Result
	for i := 0; i < b.N; i++ {
		r = Reconcile(day, opts)
	}
	b.ReportMetric(float64(len(r.Exceptions)), "exceptions")
	b.ReportMetric(float64(r.Judged[recon.EntityPayin]+r.Judged[recon.EntityPayout]), "records")
}

// BenchmarkAcrossPayouts runs the checks across payouts over the facts of
// 600,000 payouts (tier M3's) requested through the day, to 50,000
// beneficiaries at 1,000 amounts; one payout in a thousand repeats the one
// before it (a DUPLICATE_PAYOUT) and one in a thousand shares its UTR.
func BenchmarkAcrossPayouts(b *testing.B) {
	const n = 600_000
	facts := make([]PayoutFact, n)
	for i := range facts {
		h := uint64(i) * 0x9e3779b97f4a7c15
		ben, amount := h>>20%50_000, h>>40%1000
		if i%1000 == 3 {
			h0 := uint64(i-1) * 0x9e3779b97f4a7c15
			ben, amount = h0>>20%50_000, h0>>40%1000
		}
		utr := fmt.Sprintf("UTR%09d", i)
		if i%1000 == 7 {
			utr = fmt.Sprintf("UTR%09d", i-1)
		}
		facts[i] = PayoutFact{ID: fmt.Sprintf("PO%09d", h%1_000_000_000), Beneficiary: fmt.Sprintf("acct:5010%08d/HDFC0001234", ben),
			Amount: recon.Amount(500_00 + amount*100), At: recon.Instant(int64(i) * int64(86400*time.Second) / n),
			Class: recon.StatusSuccess, UTRs: [2]string{utr}}
	}
	var all Facts
	all.Add(facts)
	b.ResetTimer()
	var found Across
	for i := 0; i < b.N; i++ {
		found = AcrossPayouts(&all, 5*time.Minute)
	}
	b.ReportMetric(float64(len(found)), "found")
}
