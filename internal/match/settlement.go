package match

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/kwikpaisa/recon/internal/recon"
)

// SettlementOptions are the knobs of settlement matching (SPEC §7).
type SettlementOptions struct {
	// Window is how long after the end of its business day a payment may
	// settle; BankWindow how long after the end of the business day of
	// settled_at its credit may reach the bank.
	Window, BankWindow time.Duration
	// GatewayPattern marks a credit as the gateway's (case-insensitive).
	GatewayPattern string
	// Fees is the contracted schedule; nil checks no fee or tax, only each
	// row's arithmetic.
	Fees *recon.FeeSchedule
	// Bank says a bank statement was given for the day.
	Bank bool
	// Zone is the business zone, for the date of settled_at.
	Zone *time.Location
	// Now is the run's clock; the zero time closes every window.
	Now time.Time
}

// DefaultSettlementOptions returns the defaults of SPEC §7.
func DefaultSettlementOptions() SettlementOptions {
	return SettlementOptions{Window: 72 * time.Hour, BankWindow: 72 * time.Hour, GatewayPattern: "KWIKPAISA"}
}

// SettlementInput is what the settlement matching of one day reads besides
// the day itself.
type SettlementInput struct {
	// Rows are the rows of every settlement report read, in file order.
	Rows []recon.SettlementRow
	// Bank are the entries of every bank statement read, in file order.
	Bank []recon.BankEntry
	// Known holds the order ids, among those settled on the day and not
	// payments of it, that a ledger or gateway record of any date knows.
	// Nil: such orders are not judged (no SETTLED_NOT_PAID for an unknown
	// order).
	Known map[string]bool
}

// SettlementFigures are the summary's settlement figures (SPEC §7.4).
type SettlementFigures struct {
	Settlements    int       // settlements settled on the day
	Gross          recon.Sum // sum of PAYMENT amounts
	Fees           recon.Sum
	GST            recon.Sum
	Deducted       recon.Sum // sum of REFUND and CHARGEBACK amounts
	Net            recon.Sum
	CreditsMatched int
	CreditsAmount  recon.Sum
	// ByAmount lists the day's settlements whose credit matched by amount
	// and date, not by UTR: the summary names each with its credit.
	ByAmount        []AmountMatch
	Unsettled       int // the day's payments not settled
	UnsettledAmount recon.Sum
}

// AmountMatch is a settlement whose bank credit matched by amount and
// date, and the credit's place.
type AmountMatch struct {
	Settlement string
	Credit     string
}

// settlement is what the checks keep of one settlement_id: its figures,
// summed as its rows are read, and not its rows.
type settlement struct {
	id    string
	utr   string
	date  string // business date of settled_at
	end   time.Time
	first recon.Place // its first row's
	total recon.Amount
	// The sums of its rows, for the day's figures (settled).
	fees, tax, gross, deducted recon.Amount
	// credit is the bank entry that claimed it, and whether by amount.
	credit   *recon.BankEntry
	byAmount bool
}

// Settling judges the settlements of one day, reading the rows of its
// settlement reports once, in file order (Row), the bank statements' entries
// (Bank), then the rows and pay-ins of each share of its orders (Part), and
// ends with Finish. A row is kept only by its share, which the caller may
// hold apart (on disk) until the share's pay-ins come: a day of ten million
// orders has some nine million rows in its window.
type Settling struct {
	opts  SettlementOptions
	date  string
	start time.Time // the day's bounds in the business zone, for onDay: a
	end   time.Time // bound for each row is cheaper than its date formatted
	by    map[string]*settlement
	sets  []*settlement // in the order first read
	bank  []recon.BankEntry
	out   []recon.Exception
	seen  map[string]bool
	fig   SettlementFigures
}

// NewSettling begins the settlement checks of the day date in opts.Zone
// (UTC when nil).
func NewSettling(date string, opts SettlementOptions) *Settling {
	if opts.Zone == nil {
		opts.Zone = time.UTC
	}
	s := &Settling{opts: opts, date: date, by: map[string]*settlement{}, seen: map[string]bool{}}
	// An invalid date leaves the zero time, on which no row falls.
	s.start, _ = time.ParseInLocation(time.DateOnly, date, opts.Zone)
	s.end = s.start.AddDate(0, 0, 1)
	return s
}

// Settle matches one day's payments, the settlements settled on it and
// the bank credits booked on it (SPEC §7.3-7.4). It returns its exceptions,
// sorted, and the day's figures.
func Settle(day *Payins, in *SettlementInput, opts SettlementOptions) ([]recon.Exception, SettlementFigures) {
	if opts.Zone == nil && !day.Start.IsZero() {
		opts.Zone = day.Start.Location()
	}
	s := NewSettling(day.Date, opts)
	for i := range in.Rows {
		s.Row(&in.Rows[i])
	}
	for i := range in.Bank {
		s.Bank(&in.Bank[i])
	}
	var known func([]string) (map[string]bool, error)
	if in.Known != nil {
		known = func([]string) (map[string]bool, error) { return in.Known, nil }
	}
	_ = s.Part(day, in.Rows, known) // known returns no error
	return s.Finish()
}

// Row reads one row of a settlement report, in file order: its
// settlement's figures.
func (s *Settling) Row(r *recon.SettlementRow) {
	st := s.by[r.SettlementID]
	if st == nil {
		t := r.SettledAt.Time().In(s.opts.Zone)
		start := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, s.opts.Zone)
		st = &settlement{id: strings.Clone(r.SettlementID), utr: strings.Clone(r.UTR), date: start.Format(time.DateOnly),
			end: start.AddDate(0, 0, 1), first: r.Place}
		s.by[st.id] = st
		s.sets = append(s.sets, st)
	}
	st.total += r.Net
	st.fees += r.Fee
	st.tax += r.Tax
	switch r.Type {
	case recon.EventPayment:
		st.gross += r.Amount
	case recon.EventRefund, recon.EventChargeback:
		st.deducted += r.Amount
	}
}

// Bank reads one entry of a bank statement, in file order.
func (s *Settling) Bank(e *recon.BankEntry) { s.bank = append(s.bank, *e) }

// Finish judges the settlements settled on the day against their bank
// credits, and the day's credits no settlement claimed, and returns every
// exception of the checks, sorted, and the day's figures.
func (s *Settling) Finish() ([]recon.Exception, SettlementFigures) {
	claimCredits(s.sets, s.bank, s.opts)
	for _, st := range s.sets {
		if st.date != s.date {
			continue
		}
		s.fig.Settlements++
		s.fig.Net.Add(st.total)
		s.fig.Fees.Add(st.fees)
		s.fig.GST.Add(st.tax)
		s.fig.Gross.Add(st.gross)
		s.fig.Deducted.Add(st.deducted)
		s.credit(st)
	}
	s.unexplained()
	sort.Slice(s.out, func(i, j int) bool { return s.out[i].Less(&s.out[j]) })
	return s.out, s.fig
}

func (s *Settling) add(e recon.Exception) {
	k := string(e.Category) + "\x00" + string(e.Entity) + "\x00" + e.Reference
	if s.seen[k] {
		return
	}
	s.seen[k] = true
	e.Severity = e.Category.Severity(true)
	e.Evidence = mergeEvidence(nil, e.Evidence)
	s.out = append(s.out, e)
}

// windowOpen reports whether the run's clock is before end + w.
func (s *Settling) windowOpen(end time.Time, w time.Duration) bool {
	return !s.opts.Now.IsZero() && s.opts.Now.Before(end.Add(w))
}

// paymentEvents indexes the PAYMENT rows of an order: the first and how many.
type paymentEvents struct {
	rows []recon.SettlementRow
	at   map[string][2]int32 // first, count
}

func (ev *paymentEvents) count(order string) int32 { return ev.at[order][1] }

// of returns the PAYMENT rows of an order, in the order read.
func (ev *paymentEvents) of(order string) []*recon.SettlementRow {
	a := ev.at[order]
	if a[1] == 0 {
		return nil
	}
	out := make([]*recon.SettlementRow, 0, a[1])
	for i := int(a[0]); i < len(ev.rows) && len(out) < int(a[1]); i++ {
		if r := &ev.rows[i]; r.Type == recon.EventPayment && r.OrderID == order {
			out = append(out, r)
		}
	}
	return out
}

// share is the checks of one share of the day's orders (Part).
type share struct {
	*Settling
	day  *Payins
	rows []recon.SettlementRow
	// methods holds the payment method the day's ledger gives each order
	// settled by a PAYMENT row that names none (row's fee check): only
	// those, as a report that names every row's method would otherwise
	// hold one entry per order of the day.
	methods map[string]string
}

// Part judges one share of the day's orders: its pay-ins (day), against
// the rows, in file order, of every settlement report read whose order id
// is of the share (with, in one share, the rows that name no order); and
// the fee, tax and arithmetic of those rows of the settlements settled on
// the day. known, when not nil, says which of the share's orders settled on
// the day and not paid in it a ledger or gateway record of any date knows;
// nil judges none of them (no SETTLED_NOT_PAID for an unknown order). Every
// row must have been read first (Row).
func (s *Settling) Part(day *Payins, rows []recon.SettlementRow, known func(ids []string) (map[string]bool, error)) error {
	sh := &share{Settling: s, day: day, rows: rows, methods: map[string]string{}}
	if err := sh.payments(known); err != nil {
		return err
	}
	for i := range rows {
		if r := &rows[i]; s.by[r.SettlementID] != nil && s.by[r.SettlementID].date == s.date {
			sh.row(r)
		}
	}
	return nil
}

// payments judges the share's pay-ins against the settlement events of
// their orders, and orders settled on the day that no ledger or gateway
// knows.
func (s *share) payments(known func([]string) (map[string]bool, error)) error {
	ev := &paymentEvents{rows: s.rows, at: make(map[string][2]int32, len(s.rows))}
	refunds := map[string]bool{}
	settledToday := map[string]bool{} // PAYMENT orders settled on the day: true once a payment of the day
	unnamed := map[string]bool{}      // PAYMENT orders with a row that names no method
	for i := range s.rows {
		r := &s.rows[i]
		switch r.Type {
		case recon.EventPayment:
			a, ok := ev.at[r.OrderID]
			if !ok {
				a[0] = int32(i)
			}
			a[1]++
			ev.at[r.OrderID] = a
			if r.PaymentMethod == "" {
				unnamed[r.OrderID] = true
			}
			if known != nil && s.onDay(r.SettledAt.Time()) {
				settledToday[r.OrderID] = false
			}
		case recon.EventRefund:
			refunds[r.OrderID] = true
		}
	}
	open := s.windowOpen(s.day.End, s.opts.Window)
	for i := range s.day.len() {
		p, key, word := &s.day.list[i], s.day.key(i), s.day.word(i)
		if _, ok := settledToday[key]; ok {
			settledToday[key] = true
		}
		n := ev.count(key)
		if p.method != 0 && unnamed[key] {
			s.methods[key] = s.day.words[p.method]
		}
		base := func() recon.Exception {
			return recon.Exception{Entity: recon.EntityPayin, Reference: key, GatewayAmount: ptr(p.amount),
				GatewayStatus: s.day.words[p.status], LedgerStatus: s.day.words[p.ledgerStatus], Evidence: []string{p.place.String()}}
		}
		paid := p.class == recon.StatusSuccess
		if n == 0 && !paid && p.class != recon.StatusRefunded {
			continue // the common case of an unpaid order: nothing to judge
		}
		if n == 0 && paid {
			s.fig.Unsettled++
			s.fig.UnsettledAmount.Add(p.amount)
			e := base()
			e.Category, e.Provisional = recon.Unsettled, open
			e.Detail = fmt.Sprintf("Order %s was paid (%s, %s) but no settlement report read has a PAYMENT event for it.", key, word, p.amount)
			if open {
				e.Detail += fmt.Sprintf(" It may still settle: the settlement window (%s) has not passed.", days(s.opts.Window))
			}
			s.add(e)
		}
		if p.class == recon.StatusRefunded && !refunds[key] {
			e := base()
			e.Category, e.Provisional = recon.RefundNotDeducted, open
			e.Detail = fmt.Sprintf("Order %s was refunded, but no settlement report read deducts the refund.", key)
			if open {
				e.Detail += fmt.Sprintf(" It may still be deducted: the settlement window (%s) has not passed.", days(s.opts.Window))
			}
			s.add(e)
		}
		if n == 0 {
			continue
		}
		rows := ev.of(key)
		if !paid && p.class != recon.StatusRefunded {
			e := base()
			e.Category, e.LedgerAmount, e.LedgerUTR = recon.SettledNotPaid, ptr(rows[0].Amount), rows[0].UTR
			e.Evidence = append(e.Evidence, rowPlaces(rows)...)
			e.Detail = fmt.Sprintf("Settlement %s settled order %s for %s, but its payment status is %s, not paid.", rows[0].SettlementID, key, rows[0].Amount, word)
			s.add(e)
		}
		for _, r := range rows {
			if r.Amount != p.amount {
				e := base()
				e.Category, e.LedgerAmount, e.Difference, e.LedgerUTR = recon.SettlementAmountMismatch, ptr(r.Amount), ptr(r.Amount-p.amount), r.UTR
				e.Evidence = append(e.Evidence, rowPlace(r))
				e.Detail = fmt.Sprintf("Settlement %s settled order %s for %s, but the payment was for %s; difference %s.", r.SettlementID, key, r.Amount, p.amount, r.Amount-p.amount)
				s.add(e)
			}
		}
		if len(rows) > 1 {
			e := base()
			e.Category, e.Count, e.LedgerUTR = recon.DuplicateSettlement, len(rows), rows[0].UTR
			e.Evidence = append(e.Evidence, rowPlaces(rows)...)
			e.Detail = fmt.Sprintf("Order %s was settled %d times (%s).", key, len(rows), strings.Join(settlementIDs(rows), ", "))
			s.add(e)
		}
	}
	// An order settled on the day that no ledger or gateway record of any
	// date knows.
	var unknown []string
	for k, ours := range settledToday {
		if !ours {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	if len(unknown) > 0 {
		ids, err := known(unknown)
		if err != nil {
			return err
		}
		unknown = slices.DeleteFunc(unknown, func(k string) bool { return ids[k] })
	}
	for _, k := range unknown {
		rows := ev.of(k)
		s.add(recon.Exception{Category: recon.SettledNotPaid, Entity: recon.EntityPayin, Reference: k,
			LedgerAmount: ptr(rows[0].Amount), LedgerUTR: rows[0].UTR, Evidence: rowPlaces(rows),
			Detail: fmt.Sprintf("Settlement %s settled order %s for %s, but neither the ledger nor KwikPaisa's records know the order.", rows[0].SettlementID, k, rows[0].Amount)})
		if len(rows) > 1 {
			s.add(recon.Exception{Category: recon.DuplicateSettlement, Entity: recon.EntityPayin, Reference: k, Count: len(rows),
				LedgerUTR: rows[0].UTR, Evidence: rowPlaces(rows),
				Detail: fmt.Sprintf("Order %s was settled %d times (%s).", k, len(rows), strings.Join(settlementIDs(rows), ", "))})
		}
	}
	return nil
}

// onDay says whether t falls on the day's date in the business zone.
func (s *Settling) onDay(t time.Time) bool {
	return !t.Before(s.start) && t.Before(s.end)
}

// row checks one settlement row's fee, tax and net.
func (s *share) row(r *recon.SettlementRow) {
	if !r.HasAmounts {
		return
	}
	ref := r.SettlementID + ":" + r.Place.Line()
	base := recon.Exception{Entity: recon.EntitySettlement, Reference: ref, LedgerUTR: r.UTR, Evidence: []string{rowPlace(r)}}
	if f := s.opts.Fees; f != nil {
		if r.Type == recon.EventPayment {
			method, from := r.PaymentMethod, "the row's"
			if method == "" {
				method, from = s.methods[r.OrderID], "the ledger's"
			}
			rate, name := f.RateFor(method)
			want := recon.ExpectedFee(rate, r.Amount)
			if r.Fee != want {
				e := base
				e.Category, e.LedgerAmount, e.GatewayAmount, e.Difference = recon.FeeMismatch, ptr(r.Fee), ptr(want), ptr(r.Fee-want)
				how := fmt.Sprintf("the %s rate %s", name, rate)
				if name != "default" {
					how = fmt.Sprintf("%s payment method's rate (%s) %s", from, name, rate)
				}
				e.Detail = fmt.Sprintf("Order %s: fee %s differs from the expected %s (%s of %s, rounded half-up to paise); difference %s.",
					r.OrderID, r.Fee, want, how, r.Amount, r.Fee-want)
				s.add(e)
			}
		}
		if want := recon.ExpectedTax(f.GSTPercent, r.Fee); r.Tax != want {
			e := base
			e.Category, e.LedgerAmount, e.GatewayAmount, e.Difference = recon.TaxMismatch, ptr(r.Tax), ptr(want), ptr(r.Tax-want)
			e.Detail = fmt.Sprintf("Tax %s differs from the expected %s (GST %s%% of the reported fee %s, rounded half-up to paise); difference %s.",
				r.Tax, want, f.GSTPercent, r.Fee, r.Tax-want)
			s.add(e)
		}
	}
	if want := r.Signed() - r.Fee - r.Tax; r.Net != want {
		e := base
		e.Category, e.LedgerAmount, e.GatewayAmount, e.Difference = recon.NetMismatch, ptr(r.Net), ptr(want), ptr(r.Net-want)
		sign := "+"
		if r.Signed() < 0 {
			sign = "−"
		}
		e.Detail = fmt.Sprintf("Net amount %s is not %s%s − fee %s − tax %s = %s (%s row); difference %s.",
			r.Net, sign, r.Amount, r.Fee, r.Tax, want, r.Type, r.Net-want)
		s.add(e)
	}
}

// credit judges a settlement's bank credit.
func (s *Settling) credit(st *settlement) {
	if !s.opts.Bank {
		return
	}
	base := recon.Exception{Entity: recon.EntitySettlement, Reference: st.id, LedgerUTR: st.utr, GatewayAmount: ptr(st.total),
		Evidence: []string{st.first.String()}}
	c := st.credit
	if c == nil {
		open := s.windowOpen(st.end, s.opts.BankWindow)
		e := base
		e.Category, e.Provisional = recon.BankCreditMissing, open
		e.Detail = fmt.Sprintf("Settlement %s (UTR %s, %s, settled %s) has no credit on the bank statements read.", st.id, st.utr, st.total, st.date)
		if open {
			e.Detail += fmt.Sprintf(" It may still arrive: the bank window (%s) has not passed.", days(s.opts.BankWindow))
		}
		s.add(e)
		return
	}
	s.fig.CreditsMatched++
	s.fig.CreditsAmount.Add(c.Amount)
	if st.byAmount {
		s.fig.ByAmount = append(s.fig.ByAmount, AmountMatch{Settlement: st.id, Credit: bankPlace(c)})
	}
	if c.Amount != st.total {
		e := base
		e.Category, e.LedgerAmount, e.Difference, e.GatewayUTR = recon.BankCreditMismatch, ptr(c.Amount), ptr(c.Amount-st.total), c.Reference
		e.Evidence = append(e.Evidence, bankPlace(c))
		e.Detail = fmt.Sprintf("Settlement %s totals %s, but its bank credit (%s, matched by UTR %s) is %s; difference %s.",
			st.id, st.total, bankPlace(c), st.utr, c.Amount, c.Amount-st.total)
		s.add(e)
	}
}

// unexplained reports the day's credits marked as the gateway's that no
// settlement claimed.
func (s *Settling) unexplained() {
	if !s.opts.Bank || s.opts.GatewayPattern == "" {
		return
	}
	claimed := map[*recon.BankEntry]bool{}
	for _, st := range s.sets {
		if st.credit != nil {
			claimed[st.credit] = true
		}
	}
	pattern := strings.ToUpper(s.opts.GatewayPattern)
	for i := range s.bank {
		c := &s.bank[i]
		if !c.Credit || c.Date != s.date || claimed[c] {
			continue
		}
		if !strings.Contains(strings.ToUpper(c.Narration), pattern) && !strings.Contains(strings.ToUpper(c.Reference), pattern) {
			continue
		}
		s.add(recon.Exception{Category: recon.UnexplainedCredit, Entity: recon.EntityBank,
			Reference: filepath.Base(c.File) + ":" + c.Line, LedgerAmount: ptr(c.Amount), GatewayUTR: c.Reference,
			Evidence: []string{bankPlace(c)},
			Detail: fmt.Sprintf("A credit of %s on %s marked %s (%q) matches no settlement read, by UTR or by amount.",
				c.Amount, c.Date, s.opts.GatewayPattern, truncateText(c.Narration, 80))})
	}
}

func rowPlace(r *recon.SettlementRow) string { return r.Place.String() }

func rowPlaces(rs []*recon.SettlementRow) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = rowPlace(r)
	}
	return out
}

func bankPlace(c *recon.BankEntry) string { return c.File + ":" + c.Line }

func settlementIDs(rs []*recon.SettlementRow) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range rs {
		if !seen[r.SettlementID] {
			seen[r.SettlementID] = true
			out = append(out, r.SettlementID)
		}
	}
	return out
}

// days writes a window in days: "3 days".
func days(d time.Duration) string {
	n := int(d / (24 * time.Hour))
	if time.Duration(n)*24*time.Hour != d {
		return d.String()
	}
	if n == 1 {
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}

func truncateText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
