package match

import (
	"crypto/sha256"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kwikpaisa/recon/internal/recon"
)

var ist = time.FixedZone("IST", 5*3600+1800)

const (
	dayLog  = "webhooks-2026-11-24.jsonl"
	nextLog = "webhooks-2026-11-25.jsonl"
)

// at is a time of the test day, 2026-11-24 IST: hh:mm:ss.
func at(h, m, s int) time.Time { return time.Date(2026, 11, 24, h, m, s, 0, ist) }

// testDay is a day under construction for a table case.
type testDay struct{ recon.Day }

func newDay() *testDay {
	start := at(0, 0, 0)
	return &testDay{recon.Day{
		BusinessDay: recon.BusinessDay{Date: "2026-11-24", Start: start, End: start.AddDate(0, 0, 1)}, RowCounts: recon.NewRowCounts(),
		LedgerElsewhere: map[recon.Entity]map[string]bool{recon.EntityPayin: {}, recon.EntityPayout: {}},
		KnownKeys:       map[recon.Entity]map[string]bool{recon.EntityPayin: {}, recon.EntityPayout: {}},
		Pulls:           map[recon.Entity]map[string]recon.PullOutcome{recon.EntityPayin: {}, recon.EntityPayout: {}},
		DayLog:          dayLog,
	}}
}

func (d *testDay) order(id string, paise int64, class recon.StatusClass, when time.Time) *recon.Order {
	d.Orders = append(d.Orders, recon.Order{OrderID: id, Amount: recon.Amount(paise), Currency: "INR", Status: strings.ToLower(class.String()),
		Class: class, CreatedAt: recon.InstantOf(when), Place: recon.PlaceOf("orders.csv", fmt.Sprint(len(d.Orders)+2))})
	return &d.Orders[len(d.Orders)-1]
}

func (d *testDay) payout(id string, paise int64, class recon.StatusClass, when time.Time, account, utr string) *recon.Payout {
	d.Payouts = append(d.Payouts, recon.Payout{PayoutID: id, Amount: recon.Amount(paise), Currency: "INR", Status: strings.ToLower(class.String()),
		Class: class, BeneficiaryAccount: account, BeneficiaryIFSC: "HDFC0001234", UTR: utr, RequestedAt: recon.InstantOf(when),
		Place: recon.PlaceOf("payouts.csv", fmt.Sprint(len(d.Payouts)+2))})
	return &d.Payouts[len(d.Payouts)-1]
}

func (d *testDay) gw(entity recon.Entity, key string, paise int64, class recon.StatusClass, created time.Time) *recon.GatewayRecord {
	d.Gateway = append(d.Gateway, recon.GatewayRecord{Entity: entity, Key: key, Amount: recon.Amount(paise), Currency: "INR",
		Status: class.String(), Class: class, CreatedAt: recon.InstantOf(created), Place: recon.PlaceOf("gateway.jsonl", fmt.Sprint(len(d.Gateway)+1))})
	return &d.Gateway[len(d.Gateway)-1]
}

// gwPayout adds the gateway record of a payout the ledger has, with the
// same beneficiary and UTR.
func (d *testDay) gwPayout(p *recon.Payout, class recon.StatusClass) *recon.GatewayRecord {
	g := d.gw(recon.EntityPayout, p.PayoutID, int64(p.Amount), class, p.RequestedAt.Time())
	g.BeneficiaryAccount, g.BeneficiaryIFSC, g.BeneficiaryVPA, g.UTR = p.BeneficiaryAccount, p.BeneficiaryIFSC, p.BeneficiaryVPA, p.UTR
	return g
}

var events = map[recon.StatusClass]map[recon.Entity]string{
	recon.StatusSuccess:  {recon.EntityPayin: "payment.success", recon.EntityPayout: "payout.success"},
	recon.StatusNotPaid:  {recon.EntityPayin: "payment.failed"},
	recon.StatusFailed:   {recon.EntityPayout: "payout.failed"},
	recon.StatusPending:  {recon.EntityPayin: "payment.processing", recon.EntityPayout: "payout.processing"},
	recon.StatusReversed: {recon.EntityPayout: "payout.reversed"},
}

// hook adds a verified, fresh delivery of the day's log.
func (d *testDay) hook(entity recon.Entity, key string, class recon.StatusClass, ts int64) *recon.Delivery {
	n := len(d.Deliveries) + 1
	d.Deliveries = append(d.Deliveries, recon.Delivery{
		Place: recon.PlaceOf(dayLog, fmt.Sprint(n)), ReceivedAt: recon.InstantOf(time.Unix(ts, 0)), Timestamp: ts,
		Event: events[class][entity], Entity: entity, Key: key, Class: class, BodySHA256: sha256.Sum256(fmt.Appendf(nil, "body%d", n)),
		Verified: recon.VerifyRaw,
	})
	return &d.Deliveries[len(d.Deliveries)-1]
}

// got lists the exceptions as "CATEGORY ENTITY REFERENCE", sorted.
func got(r *Result) []string {
	out := make([]string, 0, len(r.Exceptions))
	for _, e := range r.Exceptions {
		out = append(out, string(e.Category)+" "+string(e.Entity)+" "+e.Reference)
	}
	sort.Strings(out)
	return out
}

func find(r *Result, c recon.Category, ref string) *recon.Exception {
	for i := range r.Exceptions {
		if r.Exceptions[i].Category == c && r.Exceptions[i].Reference == ref {
			return &r.Exceptions[i]
		}
	}
	return nil
}

const ts0 = 1795500000 // an X-Timestamp inside the test day

// TestReconcileCategories gives each category a minimal input that
// produces it and near misses that do not.
func TestReconcileCategories(t *testing.T) {
	in, out := recon.EntityPayin, recon.EntityPayout
	S, NP, P, F, R := recon.StatusSuccess, recon.StatusNotPaid, recon.StatusPending, recon.StatusFailed, recon.StatusReversed
	tests := []struct {
		name  string
		build func(d *testDay, o *Options)
		want  []string
	}{
		{"amount differs by one paisa", func(d *testDay, o *Options) {
			d.order("A", 1499_00, S, at(9, 0, 0))
			d.gw(in, "A", 1499_01, S, at(9, 0, 0))
		}, []string{"AMOUNT_MISMATCH PAYIN A"}},
		{"near miss: amount equal to the paisa", func(d *testDay, o *Options) {
			d.order("A", 1499_00, S, at(9, 0, 0))
			d.gw(in, "A", 1499_00, S, at(9, 0, 0))
		}, nil},
		{"near miss: difference within a configured tolerance", func(d *testDay, o *Options) {
			o.Tolerance = 1
			d.order("A", 1499_00, S, at(9, 0, 0))
			d.gw(in, "A", 1499_01, S, at(9, 0, 0))
		}, nil},
		{"currency differs", func(d *testDay, o *Options) {
			d.order("A", 999_00, S, at(9, 0, 0))
			d.gw(in, "A", 999_00, S, at(9, 0, 0)).Currency = "USD"
		}, []string{"CURRENCY_MISMATCH PAYIN A"}},
		{"status class differs, amount too", func(d *testDay, o *Options) {
			d.order("A", 750_00, S, at(9, 0, 0))
			d.gw(in, "A", 751_00, NP, at(9, 0, 0))
		}, []string{"AMOUNT_MISMATCH PAYIN A", "STATUS_MISMATCH PAYIN A"}},
		{"absent from an authoritative dump", func(d *testDay, o *Options) {
			o.Authoritative = true
			d.order("A", 1200_00, S, at(10, 0, 0))
		}, []string{"MISSING_AT_GATEWAY PAYIN A"}},
		{"gateway answered not found", func(d *testDay, o *Options) {
			d.order("A", 1200_00, S, at(10, 0, 0))
			d.Pulls[in]["A"] = recon.PullNotFound
		}, []string{"MISSING_AT_GATEWAY PAYIN A"}},
		{"near miss: pull failed is unverified, not missing", func(d *testDay, o *Options) {
			o.Authoritative = true
			d.order("A", 1200_00, S, at(10, 0, 0))
			d.Pulls[in]["A"] = recon.PullFailed
		}, []string{"UNVERIFIED PAYIN A"}},
		{"gateway record of the day with no ledger row", func(d *testDay, o *Options) {
			d.gw(in, "G", 3300_00, S, at(10, 1, 0))
		}, []string{"MISSING_IN_LEDGER PAYIN G"}},
		{"near miss: gateway record of the previous day with no ledger row", func(d *testDay, o *Options) {
			d.gw(in, "G", 3400_00, S, at(0, 0, 0).Add(-10*time.Minute))
		}, nil},
		{"near miss: gateway record whose ledger row is in another date's ledger", func(d *testDay, o *Options) {
			d.gw(in, "G", 3400_00, S, at(0, 5, 0))
			d.LedgerElsewhere[in]["G"] = true
		}, nil},
		{"near miss: key matched across midnight", func(d *testDay, o *Options) {
			d.order("M", 888_00, S, at(23, 59, 30))
			g := d.gw(in, "M", 888_00, S, at(23, 59, 30))
			g.Detail = &recon.GatewayDetail{SettledAt: at(23, 59, 30).Add(40 * time.Second)}
		}, nil},
		{"near miss: ledger row at 23:59, gateway created after midnight", func(d *testDay, o *Options) {
			d.order("M", 888_00, S, at(23, 59, 59))
			d.gw(in, "M", 888_00, S, at(23, 59, 59).Add(2*time.Second))
		}, nil},
		{"duplicate ledger rows", func(d *testDay, o *Options) {
			d.order("D", 450_00, S, at(11, 0, 0))
			d.order("D", 450_00, S, at(11, 0, 0))
			d.gw(in, "D", 450_00, S, at(11, 0, 0))
		}, []string{"DUPLICATE_LEDGER_ROW PAYIN D"}},
		{"UTR differs", func(d *testDay, o *Options) {
			p := d.payout("U", 5000_00, S, at(9, 0, 0), "111122223333", "UTRLEDGER1")
			d.gwPayout(p, S).UTR = "UTRGATEWAY1"
		}, []string{"UTR_MISMATCH PAYOUT U"}},
		{"near miss: same UTR both sides", func(d *testDay, o *Options) {
			p := d.payout("U", 5000_00, S, at(9, 0, 0), "111122223333", "UTR1")
			d.gwPayout(p, S)
		}, nil},
		{"beneficiary account differs", func(d *testDay, o *Options) {
			p := d.payout("B", 5100_00, S, at(9, 0, 0), "111122223333", "UTR1")
			d.gwPayout(p, S).BeneficiaryAccount = "999988887777"
		}, []string{"BENEFICIARY_MISMATCH PAYOUT B"}},
		{"account that lost its leading zeros in a numeric cell", func(d *testDay, o *Options) {
			p := d.payout("B", 5100_00, S, at(9, 0, 0), "1234567890", "UTR1")
			d.gwPayout(p, S).BeneficiaryAccount = "001234567890"
		}, nil},
		{"near miss: account with a zero that is not leading", func(d *testDay, o *Options) {
			p := d.payout("B", 5100_00, S, at(9, 0, 0), "12345678900", "UTR1")
			d.gwPayout(p, S).BeneficiaryAccount = "001234567890"
		}, []string{"BENEFICIARY_MISMATCH PAYOUT B"}},
		{"near miss: account of zeros against an account", func(d *testDay, o *Options) {
			p := d.payout("B", 5100_00, S, at(9, 0, 0), "0000", "UTR1")
			d.gwPayout(p, S).BeneficiaryAccount = "1"
		}, []string{"BENEFICIARY_MISMATCH PAYOUT B"}},
		{"near miss: account absent in the ledger, IFSC in another case", func(d *testDay, o *Options) {
			p := d.payout("B", 5100_00, S, at(9, 0, 0), "", "UTR1")
			g := d.gwPayout(p, S)
			g.BeneficiaryAccount, g.BeneficiaryIFSC = "999988887777", "hdfc0001234"
		}, nil},
		{"latest verified webhook says failed, gateway paid", func(d *testDay, o *Options) {
			d.order("W", 560_00, S, at(12, 0, 0))
			d.gw(in, "W", 560_00, S, at(12, 0, 0))
			d.hook(in, "W", S, ts0)
			d.hook(in, "W", NP, ts0+600)
		}, []string{"WEBHOOK_CONFLICT PAYIN W"}},
		{"near miss: the success webhook has the greater X-Timestamp", func(d *testDay, o *Options) {
			d.order("W", 560_00, S, at(12, 0, 0))
			d.gw(in, "W", 560_00, S, at(12, 0, 0))
			d.hook(in, "W", S, ts0+600)
			d.hook(in, "W", NP, ts0)
		}, nil},
		{"near miss: SUCCESS then REFUNDED is a later state", func(d *testDay, o *Options) {
			d.order("W", 610_00, recon.StatusRefunded, at(12, 0, 0))
			d.gw(in, "W", 610_00, recon.StatusRefunded, at(12, 0, 0))
			d.hook(in, "W", S, ts0)
		}, nil},
		{"near miss: payout SUCCESS then REVERSED is a later state", func(d *testDay, o *Options) {
			p := d.payout("V", 5200_00, R, at(9, 0, 0), "111122223333", "UTR1")
			d.gwPayout(p, R)
			d.hook(out, "V", S, ts0)
			d.hook(out, "V", R, ts0-5)
		}, nil},
		{"near miss: a forged failure is no evidence", func(d *testDay, o *Options) {
			o.WebhookLog = true
			d.order("W", 560_00, S, at(12, 0, 0))
			d.gw(in, "W", 560_00, S, at(12, 0, 0))
			d.hook(in, "W", S, ts0)
			d.hook(in, "W", NP, ts0+600).Verified = recon.VerifyNone
		}, []string{"WEBHOOK_SIGNATURE_INVALID WEBHOOK W"}},
		{"gateway success with no webhook", func(d *testDay, o *Options) {
			o.WebhookLog = true
			d.order("N", 1300_00, S, at(13, 0, 0))
			d.gw(in, "N", 1300_00, S, at(13, 0, 0))
			d.hook(in, "N", P, ts0)
		}, []string{"WEBHOOK_MISSING PAYIN N"}},
		{"near miss: no webhook log was given", func(d *testDay, o *Options) {
			d.DayLog = ""
			d.order("N", 1300_00, S, at(13, 0, 0))
			d.gw(in, "N", 1300_00, S, at(13, 0, 0))
		}, nil},
		{"near miss: the success webhook came in the next day's log", func(d *testDay, o *Options) {
			o.WebhookLog = true
			d.order("N", 1300_00, S, at(23, 59, 0))
			d.gw(in, "N", 1300_00, S, at(23, 59, 0))
			h := d.hook(in, "N", S, ts0+86400)
			h.Place = recon.PlaceOf(nextLog, h.Place.Line())
		}, nil},
		{"unparsable forged delivery is reported by line", func(d *testDay, o *Options) {
			h := d.hook("", "", recon.StatusNone, ts0)
			h.Verified, h.Event, h.Problem = recon.VerifyNone, "", "body is not a JSON object"
		}, []string{"WEBHOOK_SIGNATURE_INVALID WEBHOOK line:1"}},
		{"near miss: an invalid delivery of the next day's log", func(d *testDay, o *Options) {
			d.order("A", 100_00, S, at(9, 0, 0))
			d.gw(in, "A", 100_00, S, at(9, 0, 0))
			h := d.hook(in, "A", S, ts0)
			h.Verified, h.Place = recon.VerifyNone, recon.PlaceOf(nextLog, h.Place.Line())
		}, nil},
		{"stale delivery is replayed", func(d *testDay, o *Options) {
			d.order("A", 100_00, S, at(9, 0, 0))
			d.gw(in, "A", 100_00, S, at(9, 0, 0))
			d.hook(in, "A", S, ts0)
			d.hook(in, "A", NP, ts0-7200).Stale = true
		}, []string{"WEBHOOK_REPLAYED WEBHOOK A"}},
		{"verified delivery for an unknown key", func(d *testDay, o *Options) {
			d.hook(in, "O", S, ts0)
		}, []string{"WEBHOOK_ORPHAN WEBHOOK O"}},
		{"near miss: key in the day's ledger file but outside the day", func(d *testDay, o *Options) {
			d.KnownKeys[in]["O"] = true
			d.hook(in, "O", S, ts0)
		}, nil},
		{"near miss: orphan of the next day's log", func(d *testDay, o *Options) {
			h := d.hook(in, "O", S, ts0)
			h.Place = recon.PlaceOf(nextLog, h.Place.Line())
		}, nil},
		{"two successful transaction ids", func(d *testDay, o *Options) {
			d.order("P", 1800_00, S, at(12, 0, 0))
			d.gw(in, "P", 1800_00, S, at(12, 0, 0)).TransactionID = "T1"
			d.hook(in, "P", S, ts0).TransactionID = "T1"
			d.hook(in, "P", S, ts0+300).TransactionID = "T2"
		}, []string{"DUPLICATE_PAYMENT PAYIN P"}},
		{"near miss: one transaction id told twice", func(d *testDay, o *Options) {
			d.order("P", 1800_00, S, at(12, 0, 0))
			d.gw(in, "P", 1800_00, S, at(12, 0, 0)).TransactionID = "T1"
			d.hook(in, "P", S, ts0).TransactionID = "T1"
			d.hook(in, "P", NP, ts0-300).TransactionID = "T0"
		}, nil},
		{"same beneficiary and amount 5 minutes apart", func(d *testDay, o *Options) {
			d.gwPayout(d.payout("X1", 7000_00, S, at(10, 0, 0), "501000123456", "U1"), S)
			d.gwPayout(d.payout("X2", 7000_00, S, at(10, 5, 0), "501000123456", "U2"), S)
		}, []string{"DUPLICATE_PAYOUT PAYOUT X1", "DUPLICATE_PAYOUT PAYOUT X2"}},
		{"same beneficiary, one account without its leading zeros", func(d *testDay, o *Options) {
			d.gwPayout(d.payout("X1", 7000_00, S, at(10, 0, 0), "001000123456", "U1"), S)
			d.gwPayout(d.payout("X2", 7000_00, S, at(10, 5, 0), "1000123456", "U2"), S)
		}, []string{"DUPLICATE_PAYOUT PAYOUT X1", "DUPLICATE_PAYOUT PAYOUT X2"}},
		{"same beneficiary and amount exactly 15 minutes apart", func(d *testDay, o *Options) {
			d.gwPayout(d.payout("X1", 7000_00, S, at(10, 0, 0), "501000123456", "U1"), S)
			d.gwPayout(d.payout("X2", 7000_00, S, at(10, 15, 0), "501000123456", "U2"), S)
		}, []string{"DUPLICATE_PAYOUT PAYOUT X1", "DUPLICATE_PAYOUT PAYOUT X2"}},
		{"near miss: a payout 16 minutes later", func(d *testDay, o *Options) {
			d.gwPayout(d.payout("X1", 7100_00, S, at(11, 0, 0), "501000654321", "U1"), S)
			d.gwPayout(d.payout("X2", 7100_00, S, at(11, 16, 0), "501000654321", "U2"), S)
		}, nil},
		{"near miss: a retry after a failure", func(d *testDay, o *Options) {
			d.gwPayout(d.payout("X1", 7200_00, F, at(12, 0, 0), "501000654321", ""), F)
			d.gwPayout(d.payout("X2", 7200_00, S, at(12, 3, 0), "501000654321", "U2"), S)
		}, nil},
		{"gateway status decides over a failed ledger row", func(d *testDay, o *Options) {
			d.gwPayout(d.payout("X1", 7200_00, F, at(12, 0, 0), "501000654321", "U1"), S)
			d.gwPayout(d.payout("X2", 7200_00, S, at(12, 3, 0), "501000654321", "U2"), S)
		}, []string{"DUPLICATE_PAYOUT PAYOUT X1", "DUPLICATE_PAYOUT PAYOUT X2", "STATUS_MISMATCH PAYOUT X1"}},
		{"near miss: same beneficiary, other amount", func(d *testDay, o *Options) {
			d.gwPayout(d.payout("X1", 7000_00, S, at(10, 0, 0), "501000123456", "U1"), S)
			d.gwPayout(d.payout("X2", 7000_01, S, at(10, 1, 0), "501000123456", "U2"), S)
		}, nil},
		{"one UTR on two payouts", func(d *testDay, o *Options) {
			d.gwPayout(d.payout("X1", 3000_00, S, at(13, 0, 0), "111122223333", "SHARED"), S)
			d.gwPayout(d.payout("X2", 3100_00, S, at(13, 1, 0), "444455556666", "SHARED"), S)
		}, []string{"DUPLICATE_UTR PAYOUT X1", "DUPLICATE_UTR PAYOUT X2"}},
		{"a body delivered three times", func(d *testDay, o *Options) {
			d.order("A", 100_00, S, at(9, 0, 0))
			d.gw(in, "A", 100_00, S, at(9, 0, 0))
			for i := 0; i < 3; i++ {
				d.hook(in, "A", S, ts0).BodySHA256 = sha256.Sum256([]byte("same"))
			}
		}, []string{"DUPLICATE_WEBHOOK WEBHOOK A"}},
		{"two bodies whose digests share their first 12 bytes, each delivered twice", func(d *testDay, o *Options) {
			for _, k := range []string{"A", "B"} {
				d.order(k, 100_00, S, at(9, 0, 0))
				d.gw(in, k, 100_00, S, at(9, 0, 0))
			}
			// bodyIndex hashes a digest by its first 8 bytes: only the whole
			// digests tell these apart.
			a, b := recon.Digest{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 'a'}, recon.Digest{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 'b'}
			d.hook(in, "A", S, ts0).BodySHA256 = a
			d.hook(in, "B", S, ts0).BodySHA256 = b
			d.hook(in, "B", S, ts0).BodySHA256 = b
			d.hook(in, "A", S, ts0).BodySHA256 = a
		}, []string{"DUPLICATE_WEBHOOK WEBHOOK A", "DUPLICATE_WEBHOOK WEBHOOK B"}},
		{"an unreadable body delivered twice is one row, by its first line", func(d *testDay, o *Options) {
			for i := 0; i < 2; i++ {
				h := d.hook("", "", recon.StatusNone, ts0+int64(i))
				h.Verified, h.Event, h.Problem, h.BodySHA256 = recon.VerifyNone, "", "body is not a JSON object", sha256.Sum256([]byte("junk"))
			}
		}, []string{"DUPLICATE_WEBHOOK WEBHOOK line:1", "WEBHOOK_SIGNATURE_INVALID WEBHOOK line:1", "WEBHOOK_SIGNATURE_INVALID WEBHOOK line:2"}},
		{"near miss: two different bodies of one key", func(d *testDay, o *Options) {
			d.order("A", 100_00, S, at(9, 0, 0))
			d.gw(in, "A", 100_00, S, at(9, 0, 0))
			d.hook(in, "A", P, ts0)
			d.hook(in, "A", S, ts0+1)
		}, nil},
		{"successful payout with no UTR anywhere", func(d *testDay, o *Options) {
			d.gwPayout(d.payout("M", 2200_00, S, at(14, 0, 0), "111122223333", ""), S)
		}, []string{"MISSING_UTR PAYOUT M"}},
		{"corrupted UTR replaces missing UTR on the ledger side", func(d *testDay, o *Options) {
			p := d.payout("C", 2300_00, S, at(15, 0, 0), "111122223333", "")
			p.UTRCorrupted, p.UTRRaw = true, "5.23223E+11"
			d.gwPayout(p, S).UTR = "523223000000"
		}, []string{"UTR_CORRUPTED PAYOUT C"}},
		{"gateway-only successful payout with no UTR", func(d *testDay, o *Options) {
			d.gw(out, "G", 4100_00, S, at(15, 2, 0))
		}, []string{"MISSING_IN_LEDGER PAYOUT G", "MISSING_UTR PAYOUT G"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDay()
			opts := DefaultOptions()
			tt.build(d, &opts)
			r := Reconcile(&d.Day, opts)
			if g, w := strings.Join(got(r), "\n"), strings.Join(tt.want, "\n"); g != w {
				t.Errorf("exceptions:\n%s\nwant:\n%s", g, w)
			}
			for _, e := range r.Exceptions {
				if e.Severity.Rank() < 0 || e.Detail == "" || len(e.Evidence) == 0 {
					t.Errorf("%s %s: severity %q, detail %q, evidence %q: want all set", e.Category, e.Reference, e.Severity, e.Detail, e.Evidence)
				}
			}
		})
	}
}

// TestExceptionFields checks the numbers and places a finance person reads.
func TestExceptionFields(t *testing.T) {
	d := newDay()
	d.order("A", 1499_00, recon.StatusSuccess, at(9, 0, 0))
	d.gw(recon.EntityPayin, "A", 1499_01, recon.StatusSuccess, at(9, 0, 0))
	d.hook(recon.EntityPayin, "A", recon.StatusSuccess, ts0)
	for i := 0; i < 3; i++ {
		d.hook(recon.EntityPayin, "Z", recon.StatusSuccess, ts0).BodySHA256 = sha256.Sum256([]byte("same"))
	}
	r := Reconcile(&d.Day, DefaultOptions())

	e := find(r, recon.AmountMismatch, "A")
	if e == nil {
		t.Fatalf("no AMOUNT_MISMATCH for A in %v", got(r))
	}
	if e.Difference == nil || e.Difference.String() != "0.01" {
		t.Errorf("difference = %v, want 0.01", e.Difference)
	}
	if want := "Gateway amount 1499.01 differs from ledger 1499.00 by 0.01."; e.Detail != want {
		t.Errorf("detail = %q, want %q", e.Detail, want)
	}
	if want := "orders.csv:2 gateway.jsonl:1 " + dayLog + ":1"; strings.Join(e.Evidence, " ") != want {
		t.Errorf("evidence = %q, want %q", strings.Join(e.Evidence, " "), want)
	}
	if e.WebhookStatus != "payment.success" || e.Severity != recon.SeverityCritical {
		t.Errorf("webhook_status %q severity %q, want payment.success CRITICAL", e.WebhookStatus, e.Severity)
	}

	dw := find(r, recon.DuplicateWebhook, "Z")
	if dw == nil || dw.Count != 3 || len(dw.Evidence) != 3 {
		t.Fatalf("DUPLICATE_WEBHOOK Z = %+v, want count 3 with 3 lines", dw)
	}
}

// TestProvisional checks both sides of the late-change window and a
// pending gateway status.
func TestProvisional(t *testing.T) {
	end := at(0, 0, 0).AddDate(0, 0, 1)
	tests := []struct {
		name  string
		now   time.Time
		class recon.StatusClass
		want  bool
	}{
		{"just inside the 72h window", end.Add(72*time.Hour - time.Second), recon.StatusSuccess, true},
		{"window closed at 72h", end.Add(72 * time.Hour), recon.StatusSuccess, false},
		{"pending is provisional whatever the clock", end.Add(30 * 24 * time.Hour), recon.StatusPending, true},
		{"no clock: window closed", time.Time{}, recon.StatusSuccess, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDay()
			d.order("A", 100_00, recon.StatusNotPaid, at(9, 0, 0))
			d.gw(recon.EntityPayin, "A", 100_00, tt.class, at(9, 0, 0))
			opts := DefaultOptions()
			opts.Now = tt.now
			r := Reconcile(&d.Day, opts)
			e := find(r, recon.StatusMismatch, "A")
			if e == nil {
				t.Fatalf("no STATUS_MISMATCH in %v", got(r))
			}
			if e.Provisional != tt.want {
				t.Errorf("provisional = %v, want %v", e.Provisional, tt.want)
			}
		})
	}
}

// TestMatchedCounts checks that a clean key is matched and a flagged one
// is not.
func TestMatchedCounts(t *testing.T) {
	d := newDay()
	d.order("OK", 100_00, recon.StatusSuccess, at(9, 0, 0))
	d.gw(recon.EntityPayin, "OK", 100_00, recon.StatusSuccess, at(9, 0, 0))
	d.order("BAD", 100_00, recon.StatusSuccess, at(9, 0, 0))
	d.gw(recon.EntityPayin, "BAD", 200_00, recon.StatusSuccess, at(9, 0, 0))
	// A gateway record of the day that no ledger has is judged (missing in
	// the ledger); one created the day before is not.
	d.gw(recon.EntityPayin, "GW-ONLY", 50_00, recon.StatusSuccess, at(10, 0, 0))
	d.gw(recon.EntityPayin, "YESTERDAY", 50_00, recon.StatusSuccess, at(10, 0, 0).AddDate(0, 0, -1))
	p := d.payout("PO-1", 70_00, recon.StatusSuccess, at(11, 0, 0), "501000123456", "123456789012")
	d.gwPayout(p, recon.StatusSuccess)
	r := Reconcile(&d.Day, DefaultOptions())
	if r.Judged[recon.EntityPayin] != 3 || r.Matched[recon.EntityPayin] != 1 {
		t.Errorf("pay-ins judged %d matched %d, want 3 and 1", r.Judged[recon.EntityPayin], r.Matched[recon.EntityPayin])
	}
	if r.Judged[recon.EntityPayout] != 1 || r.Matched[recon.EntityPayout] != 1 {
		t.Errorf("payouts judged %d matched %d, want 1 and 1", r.Judged[recon.EntityPayout], r.Matched[recon.EntityPayout])
	}
	for _, k := range []struct {
		entity recon.Entity
		key    string
		want   bool
	}{
		{recon.EntityPayin, "OK", true}, {recon.EntityPayin, "GW-ONLY", true}, {recon.EntityPayout, "PO-1", true},
		{recon.EntityPayin, "YESTERDAY", false}, {recon.EntityPayout, "OK", false}, {recon.EntityWebhook, "OK", false},
	} {
		if got := r.Keys.Has(k.entity, k.key); got != k.want {
			t.Errorf("Keys.Has(%s, %s) = %v, want %v", k.entity, k.key, got, k.want)
		}
	}
}
