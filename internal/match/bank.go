package match

import (
	"sort"
	"strings"
	"time"

	"github.com/kwikpaisa/recon/internal/recon"
)

// utrCut is how much of a UTR a narration cut short must still hold for
// the credit to count as the settlement's (SPEC §7.3).
const utrCut = 12

// claimCredits gives each settlement the bank credit that is its bank
// side, each credit to at most one settlement. First by UTR: the
// settlement's UTR in the credit's reference or narration, whole or cut
// short after at least its first 12 characters; a credit that two
// settlements' UTRs fit equally claims neither. Then, for a credit still
// unclaimed, by amount: exactly one unclaimed settlement of the same total
// whose bank window holds the credit's date. Credits are taken in date
// order, then in the order read.
func claimCredits(sets []*settlement, bank []recon.BankEntry, opts SettlementOptions) {
	if len(sets) == 0 || len(bank) == 0 {
		return
	}
	var credits []*recon.BankEntry
	for i := range bank {
		if bank[i].Credit {
			credits = append(credits, &bank[i])
		}
	}
	sort.SliceStable(credits, func(i, j int) bool { return credits[i].Date < credits[j].Date })

	byUTR := map[string][]*settlement{}
	byPrefix := map[string][]*settlement{}
	for _, st := range sets {
		byUTR[st.utr] = append(byUTR[st.utr], st)
		if len(st.utr) >= utrCut {
			byPrefix[st.utr[:utrCut]] = append(byPrefix[st.utr[:utrCut]], st)
		}
	}
	claimed := map[*recon.BankEntry]bool{}
	for _, c := range credits {
		if st := utrMatch(c, byUTR, byPrefix); st != nil {
			st.credit = c
			claimed[c] = true
		}
	}

	bankDays := int(opts.BankWindow / (24 * time.Hour))
	byTotal := map[recon.Amount][]*settlement{}
	for _, st := range sets {
		byTotal[st.total] = append(byTotal[st.total], st)
	}
	for _, c := range credits {
		if claimed[c] {
			continue
		}
		var only *settlement
		n := 0
		for _, st := range byTotal[c.Amount] {
			if st.credit != nil || c.Date < st.date || c.Date > addDays(st.date, bankDays) {
				continue
			}
			only = st
			n++
		}
		if n == 1 {
			only.credit, only.byAmount = c, true
			claimed[c] = true
		}
	}
}

// utrMatch returns the one unclaimed settlement whose UTR the credit
// holds: whole if any, else cut short; nil when none or several fit.
func utrMatch(c *recon.BankEntry, byUTR, byPrefix map[string][]*settlement) *settlement {
	var whole, cut []*settlement
	consider := func(text string) {
		for _, tok := range utrTokens(text) {
			for _, st := range byUTR[tok] {
				whole = appendOnce(whole, st)
			}
			if len(tok) >= utrCut {
				for _, st := range byPrefix[tok[:utrCut]] {
					if strings.HasPrefix(st.utr, tok) {
						cut = appendOnce(cut, st)
					}
				}
			}
		}
		// The text as one UTR-normalised run: a UTR split by a space or a
		// line break, or glued to a word, is still found; cut short only at
		// the end of the text.
		compact := compactUTR(text)
		for i := 0; i+utrCut <= len(compact); i++ {
			for _, st := range byPrefix[compact[i:i+utrCut]] {
				rest := compact[i:]
				switch {
				case strings.HasPrefix(rest, st.utr):
					whole = appendOnce(whole, st)
				case strings.HasPrefix(st.utr, rest):
					cut = appendOnce(cut, st)
				}
			}
		}
	}
	consider(c.Reference)
	consider(c.Narration)
	pick := func(sts []*settlement) (*settlement, bool) {
		var open []*settlement
		for _, st := range sts {
			if st.credit == nil {
				open = append(open, st)
			}
		}
		if len(open) == 1 {
			return open[0], true
		}
		return nil, len(sts) > 0
	}
	if st, found := pick(whole); st != nil || found {
		return st
	}
	st, _ := pick(cut)
	return st
}

func appendOnce(list []*settlement, st *settlement) []*settlement {
	for _, s := range list {
		if s == st {
			return list
		}
	}
	return append(list, st)
}

// utrTokens splits text into upper-cased runs of letters and digits: the
// words a UTR can be in a narration.
func utrTokens(text string) []string {
	return strings.FieldsFunc(strings.ToUpper(text), func(r rune) bool { return !isAlnum(r) })
}

// compactUTR is text as a UTR is normalised: upper-cased, without spaces
// or anything but letters and digits.
func compactUTR(text string) string {
	return strings.Map(func(r rune) rune {
		if isAlnum(r) {
			return r
		}
		return -1
	}, strings.ToUpper(text))
}

func isAlnum(r rune) bool { return r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' }

// addDays returns the date n days after date (YYYY-MM-DD).
func addDays(date string, n int) string {
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return date
	}
	return t.AddDate(0, 0, n).Format(time.DateOnly)
}
