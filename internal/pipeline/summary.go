package pipeline

import (
	"encoding/json"
	"maps"
	"slices"
	"strconv"

	"github.com/kwikpaisa/recon/internal/export"
	"github.com/kwikpaisa/recon/internal/match"
	"github.com/kwikpaisa/recon/internal/recon"
)

// classOrder lists status classes in the order the summary shows them.
var classOrder = []recon.StatusClass{recon.StatusSuccess, recon.StatusPending, recon.StatusNotPaid,
	recon.StatusFailed, recon.StatusRefunded, recon.StatusReversed}

// tally is a count of records and their amount.
type tally struct {
	count int
	sum   recon.Sum
}

// dayFigures are the summary's figures of the loaded day, taken once it is
// matched so that the day can be let go before the run goes on.
type dayFigures struct {
	rows recon.RowCounts
	// Per entity: the day's ledger rows, and the gateway records of the
	// keys judged by status class.
	ledger  map[recon.Entity]tally
	gateway map[recon.Entity]map[recon.StatusClass]*tally
	// The deliveries of the day's own log.
	dayLog                               string
	deliveries, verified, invalid, stale int
}

// figuresOf takes the summary's figures of a matched day.
func figuresOf(d *recon.Day, res *match.Result) *dayFigures {
	f := &dayFigures{rows: d.RowCounts, dayLog: d.DayLog,
		ledger: map[recon.Entity]tally{}, gateway: map[recon.Entity]map[recon.StatusClass]*tally{}}
	var orders, payouts tally
	for i := range d.Orders {
		orders.count++
		orders.sum.Add(d.Orders[i].Amount)
	}
	for i := range d.Payouts {
		payouts.count++
		payouts.sum.Add(d.Payouts[i].Amount)
	}
	f.ledger[recon.EntityPayin], f.ledger[recon.EntityPayout] = orders, payouts
	for _, entity := range []recon.Entity{recon.EntityPayin, recon.EntityPayout} {
		byClass := map[recon.StatusClass]*tally{}
		for i := range d.Gateway {
			// The gateway records of the day: those of the keys judged, not
			// those of a ledger row outside the day.
			g := &d.Gateway[i]
			if g.Entity != entity || (res.Keys != nil && !res.Keys.HasRecord(g)) {
				continue
			}
			t := byClass[g.Class]
			if t == nil {
				t = &tally{}
				byClass[g.Class] = t
			}
			t.count++
			t.sum.Add(g.Amount)
		}
		f.gateway[entity] = byClass
	}
	for i := range d.Deliveries {
		dv := &d.Deliveries[i]
		if dv.Place.File() != d.DayLog {
			continue
		}
		f.deliveries++
		switch {
		case dv.Verified == recon.VerifyNone:
			f.invalid++
		case dv.Stale:
			f.stale++
		default:
			f.verified++
		}
	}
	return f
}

// add returns the figures of f and o together: of two parts of a day
// (recon.Part), which share no key. f may be nil.
func (f *dayFigures) add(o *dayFigures) *dayFigures {
	if f == nil {
		return o
	}
	f.rows.Add(o.rows)
	for entity, t := range o.ledger {
		mine := f.ledger[entity]
		mine.count += t.count
		mine.sum.AddSum(t.sum)
		f.ledger[entity] = mine
	}
	for entity, byClass := range o.gateway {
		if f.gateway[entity] == nil {
			f.gateway[entity] = map[recon.StatusClass]*tally{}
		}
		for c, t := range byClass {
			mine := f.gateway[entity][c]
			if mine == nil {
				mine = &tally{}
				f.gateway[entity][c] = mine
			}
			mine.count += t.count
			mine.sum.AddSum(t.sum)
		}
	}
	f.deliveries += o.deliveries
	f.verified += o.verified
	f.invalid += o.invalid
	f.stale += o.stale
	return f
}

// summarize computes the summary of SPEC §5.1.
func summarize(d *dayFigures, res *match.Result, inputs []recon.SourceFile, pull recon.PullStats, ageing *Ageing) []export.Metric {
	var out []export.Metric
	add := func(section, item, name, value string) {
		out = append(out, export.Metric{Section: section, Item: item, Name: name, Value: value})
	}
	itoa := strconv.Itoa

	for _, f := range inputs {
		add("input", f.Path, "rows_read", itoa(f.Read))
		add("input", f.Path, "rows_accepted", itoa(f.Accepted))
		add("input", f.Path, "rows_rejected", itoa(f.Rejected))
		if n, ok := d.rows.OutOfDay[f.Kind]; ok {
			add("input", f.Path, "rows_outside_day", itoa(n))
			// The dates those rows belong to: each date's run judges them.
			dates := d.rows.OutsideDates[f.Kind]
			for _, date := range slices.Sorted(maps.Keys(dates)) {
				add("input", f.Path, "rows_dated_"+date, itoa(dates[date]))
			}
		}
	}
	// The rows of the day that the files of the dates before and after
	// brought, judged here.
	for _, path := range slices.Sorted(maps.Keys(d.rows.FromNear)) {
		add("input", path, "rows_of_day", itoa(d.rows.FromNear[path]))
	}

	// Ledger and gateway figures per entity.
	for _, entity := range []recon.Entity{recon.EntityPayin, recon.EntityPayout} {
		section := map[recon.Entity]string{recon.EntityPayin: "payin", recon.EntityPayout: "payout"}[entity]
		ledger := d.ledger[entity]
		add(section, "ledger", "count", itoa(ledger.count))
		add(section, "ledger", "amount", ledger.sum.String())
		byClass := d.gateway[entity]
		total := 0
		for _, t := range byClass {
			total += t.count
		}
		for _, c := range classOrder {
			if t := byClass[c]; t != nil {
				add(section, "gateway "+c.String(), "count", itoa(t.count))
				add(section, "gateway "+c.String(), "amount", t.sum.String())
			}
		}
		succeeded := 0
		if t := byClass[recon.StatusSuccess]; t != nil {
			succeeded = t.count
		}
		name := "payment_success_rate_pct"
		if entity == recon.EntityPayout {
			name = "payout_success_rate_pct"
		}
		add(section, "gateway", name, percent(succeeded, total))
	}

	// Per category: count and the amount at stake.
	type catTally struct {
		count int
		sum   recon.Sum
	}
	cats := map[recon.Category]*catTally{}
	for i := range res.Exceptions {
		e := &res.Exceptions[i]
		t := cats[e.Category]
		if t == nil {
			t = &catTally{}
			cats[e.Category] = t
		}
		t.count++
		switch {
		case e.LedgerAmount != nil:
			t.sum.Add(*e.LedgerAmount)
		case e.GatewayAmount != nil:
			t.sum.Add(*e.GatewayAmount)
		}
	}
	for _, c := range recon.Categories {
		if c.Report() == recon.ReportSettlements {
			continue // listed with the settlement figures, when the run has them
		}
		t := cats[c]
		if t == nil {
			t = &catTally{}
		}
		add("category", string(c), "count", itoa(t.count))
		add("category", string(c), "amount", t.sum.String())
	}

	// Webhooks of the day's own log.
	add("webhooks", d.dayLog, "deliveries", itoa(d.deliveries))
	add("webhooks", d.dayLog, "verified", itoa(d.verified))
	add("webhooks", d.dayLog, "invalid", itoa(d.invalid))
	add("webhooks", d.dayLog, "stale", itoa(d.stale))
	add("webhooks", d.dayLog, "duplicate", itoa(res.DuplicateDeliveries))
	add("webhooks", d.dayLog, "orphan", itoa(res.OrphanDeliveries))

	add("pulls", "", "keys", itoa(pull.Keys))
	add("pulls", "", "requests", itoa(pull.Requests))
	add("pulls", "", "retries", itoa(pull.Retries))
	add("pulls", "", "rate_limited", itoa(pull.RateLimited))
	add("pulls", "", "failures", itoa(pull.Failures))

	if ageing != nil {
		// Exceptions that age: new, still open and resolved across the
		// run's date and the earlier dates of its re-check window.
		add("ageing", "", "recheck_window_days", itoa(ageing.Window))
		add("ageing", "", "new", itoa(ageing.New))
		add("ageing", "", "still_open", itoa(ageing.StillOpen))
		add("ageing", "", "resolved", itoa(ageing.Resolved))
		add("ageing", "", "oldest_open_days", itoa(ageing.Oldest))
		for _, rc := range ageing.Dates {
			add("ageing", rc.Date, "new", itoa(rc.New))
			add("ageing", rc.Date, "still_open", itoa(rc.StillOpen))
			add("ageing", rc.Date, "resolved", itoa(rc.Resolved))
		}
	}

	judged, matched := 0, 0
	for _, e := range []recon.Entity{recon.EntityPayin, recon.EntityPayout} {
		judged += res.Judged[e]
		matched += res.Matched[e]
	}
	add("overall", "", "records_judged", itoa(judged))
	add("overall", "", "records_matched", itoa(matched))
	add("overall", "", "match_rate_pct", percent(matched, judged))
	add("overall", "", "exceptions", itoa(len(res.Exceptions)))
	add("overall", "", "unverified", itoa(countCategory(res, recon.Unverified)))
	return out
}

func countCategory(res *match.Result, c recon.Category) int {
	n := 0
	for i := range res.Exceptions {
		if res.Exceptions[i].Category == c {
			n++
		}
	}
	return n
}

// percent returns 100·n/d with two decimals, rounded half up; the one place
// the summary rounds. 0 of 0 is "0.00".
func percent(n, d int) string {
	if d == 0 {
		return "0.00"
	}
	basis := (int64(n)*20000/int64(d) + 1) / 2 // hundredths of a percent
	return strconv.FormatInt(basis/100, 10) + "." + pad2(basis%100)
}

func pad2(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}

// summaryJSON is the run's headline figures, stored with the run.
func (r *run) summaryJSON() string {
	if r.res == nil || r.res.Report == nil {
		return ""
	}
	figures := map[string]string{}
	for _, m := range r.res.Report.Summary {
		if m.Section == "overall" {
			figures[m.Name] = m.Value
		}
	}
	b, _ := json.Marshal(figures)
	return string(b)
}

// withSettlementSummary adds the settlement figures of SPEC §7.4 to a
// summary, before its overall section: the figures of the settlements
// settled on the day, the day's unsettled payments, the settlements whose
// credit matched by amount and date, and the count and amount of each
// settlement category.
func withSettlementSummary(sum []export.Metric, res *match.Result, f *match.SettlementFigures) []export.Metric {
	var add []export.Metric
	m := func(name, value string, kind export.MetricKind) {
		add = append(add, export.Metric{Section: "settlements", Name: name, Value: value, Kind: kind})
	}
	count, amount := export.MetricCount, export.MetricAmount
	m("settlements", strconv.Itoa(f.Settlements), count)
	m("gross", f.Gross.String(), amount)
	m("fees", f.Fees.String(), amount)
	m("gst", f.GST.String(), amount)
	m("refunds_and_chargebacks_deducted", f.Deducted.String(), amount)
	m("net", f.Net.String(), amount)
	m("effective_fee_rate_pct", feeRate(f), export.MetricPercent)
	m("bank_credits_matched", strconv.Itoa(f.CreditsMatched), count)
	m("bank_credits_matched_amount", f.CreditsAmount.String(), amount)
	m("unsettled_payments", strconv.Itoa(f.Unsettled), count)
	m("unsettled_amount", f.UnsettledAmount.String(), amount)
	for _, a := range f.ByAmount {
		add = append(add, export.Metric{Section: "matched_by_amount", Item: a.Settlement, Name: "bank_credit", Value: a.Credit,
			Kind: export.MetricText})
	}
	cats := map[recon.Category]int{}
	sums := map[recon.Category]*recon.Sum{}
	for i := range res.Exceptions {
		e := &res.Exceptions[i]
		if e.Category.Report() != recon.ReportSettlements {
			continue
		}
		cats[e.Category]++
		if sums[e.Category] == nil {
			sums[e.Category] = &recon.Sum{}
		}
		switch {
		case e.LedgerAmount != nil:
			sums[e.Category].Add(*e.LedgerAmount)
		case e.GatewayAmount != nil:
			sums[e.Category].Add(*e.GatewayAmount)
		}
	}
	for _, c := range recon.Categories {
		if c.Report() != recon.ReportSettlements {
			continue
		}
		amount := "0.00"
		if s := sums[c]; s != nil {
			amount = s.String()
		}
		add = append(add, export.Metric{Section: "category", Item: string(c), Name: "count", Value: strconv.Itoa(cats[c])},
			export.Metric{Section: "category", Item: string(c), Name: "amount", Value: amount})
	}
	at := len(sum)
	for i, x := range sum {
		if x.Section == "overall" {
			at = i
			break
		}
	}
	return append(sum[:at:at], append(add, sum[at:]...)...)
}

// feeRate is fees ÷ gross as a percentage, exact decimal arithmetic
// rounded half-up to four places ("1.9000"); "0.0000" for no gross.
func feeRate(f *match.SettlementFigures) string {
	gross := f.Gross.Decimal()
	if gross.IsZero() {
		return "0.0000"
	}
	return f.Fees.Decimal().Shift(2).DivRound(gross, 4).StringFixed(4)
}
