package match

import (
	"sort"

	"github.com/kwikpaisa/recon/internal/recon"
)

// ReconcileParts matches a day given as parts (recon.DayParts), loading
// each with load and matching it alone, so that one part's records are
// held at a time: each part is let go before load is asked for the next.
// seen, when not nil, is given each part, its day and its result first;
// its error ends the match. Split payouts are loaded twice: first (load's
// facts true) for their facts (Facts.AddDay), which the checks across
// payouts compare (AcrossPayouts), then to be matched with what those
// found. The result is Merge's, and its exceptions own their strings
// (recon.Exception.OwnStrings).
func ReconcileParts(parts []recon.Part, load func(p recon.Part, facts bool) (*recon.Day, error), opts Options,
	seen func(recon.Part, *recon.Day, *Result) error) (*Result, error) {
	var facts Facts
	for _, p := range parts {
		if p.Entity == recon.EntityPayout && p.Of > 1 {
			d, err := load(p, true)
			if err != nil {
				return nil, err
			}
			facts.AddDay(d, opts)
		}
	}
	if facts.Len() > 0 {
		opts.Across = AcrossPayouts(&facts, opts.DuplicatePayoutWindow)
	}
	facts = Facts{} // before the parts are loaded again
	results := make([]*Result, 0, len(parts))
	for _, p := range parts {
		d, err := load(p, false)
		if err != nil {
			return nil, err
		}
		res := Reconcile(d, opts)
		if seen != nil {
			if err := seen(p, d, res); err != nil {
				return nil, err
			}
		}
		for i := range res.Exceptions {
			res.Exceptions[i].OwnStrings()
		}
		res.Keys = nil
		results = append(results, res)
	}
	return Merge(results), nil
}

// Merge combines the results of a day matched a part at a time
// (recon.Part), each part with Reconcile, into the day's: the exceptions of
// every part, sorted, and the sums of their counts. Keys is nil: each part's
// KeySet is of its own keys.
//
// A key's records all fall in its part, so the parts' exceptions are of
// different keys, with one exception: a pay-in and a payout with the same
// key string share the reference of their WEBHOOK rows. As Reconcile does
// for one day, the two become one row: the first part's, with the other's
// evidence and, for DUPLICATE_WEBHOOK, its deliveries counted too.
func Merge(parts []*Result) *Result {
	r := &Result{Matched: map[recon.Entity]int{}, Judged: map[recon.Entity]int{}}
	seen := map[string]int{} // the WEBHOOK rows, by category and reference: their place in r.Exceptions
	for _, p := range parts {
		for entity, n := range p.Matched {
			r.Matched[entity] += n
		}
		for entity, n := range p.Judged {
			r.Judged[entity] += n
		}
		r.DuplicateDeliveries += p.DuplicateDeliveries
		r.OrphanDeliveries += p.OrphanDeliveries
		for _, e := range p.Exceptions {
			if e.Entity != recon.EntityWebhook {
				r.Exceptions = append(r.Exceptions, e)
				continue
			}
			k := string(e.Category) + "\x00" + e.Reference
			i, ok := seen[k]
			if !ok {
				seen[k] = len(r.Exceptions)
				r.Exceptions = append(r.Exceptions, e)
				continue
			}
			prev := &r.Exceptions[i]
			if e.Category == recon.DuplicateWebhook {
				prev.Count += e.Count
			}
			prev.Evidence = mergeEvidence(prev.Evidence, e.Evidence)
		}
	}
	sort.Slice(r.Exceptions, func(i, j int) bool { return r.Exceptions[i].Less(&r.Exceptions[j]) })
	return r
}
