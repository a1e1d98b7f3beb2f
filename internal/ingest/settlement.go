package ingest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kwikpaisa/recon/internal/recon"
)

var settlementFields = []field{
	{"settlement_id", true, []string{"settlement id", "settlement no"}},
	{"settlement_utr", true, []string{"utr", "settlement utr", "bank reference", "bank ref no"}},
	{"settled_at", true, []string{"settlement date", "settled on", "settled date"}},
	{"event_type", true, []string{"type", "event", "entity type", "transaction type"}},
	{"order_id", false, []string{"merchant order id", "order id", "reference"}},
	{"transaction_id", false, []string{"payment id", "txn id"}},
	{"payment_method", false, []string{"method", "mode", "payment mode"}},
	{"amount", true, []string{"gross amount", "transaction amount", "order amount"}},
	{"fee", true, []string{"mdr", "fees", "service charge", "commission"}},
	{"tax", true, []string{"gst", "tax on fee", "service tax", "gst on mdr"}},
	{"net_amount", true, []string{"net", "net amount", "settlement amount", "event settlement amount"}},
}

// eventWords maps a settlement report's event_type words, folded like
// statuses, to their type (SPEC §7.1).
var eventWords = map[string]recon.EventType{
	"payment": recon.EventPayment, "sale": recon.EventPayment, "capture": recon.EventPayment,
	"refund":     recon.EventRefund,
	"chargeback": recon.EventChargeback, "dispute": recon.EventChargeback,
	"adjustment": recon.EventAdjustment, "other_adjustment": recon.EventAdjustment, "reversal": recon.EventAdjustment,
}

// eventType reads an event_type word, the configured words first; an
// unknown word is an error that lists the known ones.
func eventType(word string, configured map[string]recon.EventType) (recon.EventType, error) {
	for w, t := range configured {
		if statusKey(w) == statusKey(word) {
			return t, nil
		}
	}
	if t, ok := eventWords[statusKey(word)]; ok {
		return t, nil
	}
	return recon.EventNone, fmt.Errorf("event type %q is unknown; known types: payment, sale, capture (PAYMENT), refund (REFUND), chargeback, dispute (CHARGEBACK), adjustment, other_adjustment, reversal (ADJUSTMENT)", strings.TrimSpace(word))
}

// ReadSettlements reads a settlement report (CSV or XLSX, told apart by
// content) and sends each row and each rejected row to sink.
func ReadSettlements(ctx context.Context, path string, opts Options, sink Sink) (Counts, error) {
	opts = opts.withDefaults()
	// The rows of one settlement share its UTR and the date of settled_at
	// (SPEC §7.1): a row that disagrees with the settlement's first row is
	// rejected, naming that row.
	type first struct {
		id, utr, date string
		place         recon.Place
	}
	firsts := map[string]*first{}
	methods := map[string]string{}
	var last *first
	// parse runs on several goroutines; check, on one, in file order.
	type parsed struct {
		row           *recon.SettlementRow
		rawUTR, rawAt string // the cells, for a reject
	}
	parse := func(r *row, cols columns) (parsed, *fieldError) {
		s := &recon.SettlementRow{Place: r.place}
		if fe := parseSettlement(r, cols, &opts, s); fe != nil {
			return parsed{}, fe
		}
		// A kept row holds copies of its values, and one copy of a value
		// its settlement's rows repeat (check): a value read from a CSV row
		// shares the whole row's memory.
		s.OrderID, s.TransactionID = strings.Clone(s.OrderID), strings.Clone(s.TransactionID)
		return parsed{row: s, rawUTR: r.cell(cols["settlement_utr"]), rawAt: r.cell(cols["settled_at"])}, nil
	}
	check := func(p parsed) *fieldError {
		s := p.row
		if m, ok := methods[s.PaymentMethod]; ok {
			s.PaymentMethod = m
		} else if len(methods) < 64 {
			s.PaymentMethod = strings.Clone(s.PaymentMethod)
			methods[s.PaymentMethod] = s.PaymentMethod
		} else {
			s.PaymentMethod = strings.Clone(s.PaymentMethod)
		}
		f := last
		if f == nil || f.id != s.SettlementID {
			f = firsts[s.SettlementID]
		}
		date := s.SettledAt.Time().In(opts.Zone).Format(time.DateOnly)
		switch {
		case f == nil:
			f = &first{strings.Clone(s.SettlementID), strings.Clone(s.UTR), date, s.Place}
			firsts[f.id] = f
			s.SettlementID, s.UTR = f.id, f.utr
			last = f
		case f.utr != s.UTR:
			return &fieldError{column: "settlement_utr", value: p.rawUTR,
				reason: fmt.Sprintf("settlement %s has UTR %s on line %s; all its rows must have one UTR", s.SettlementID, f.utr, f.place.Line())}
		case f.date != date:
			return &fieldError{column: "settled_at", value: p.rawAt,
				reason: fmt.Sprintf("settlement %s was settled on %s on line %s; all its rows must have one settlement date", s.SettlementID, f.date, f.place.Line())}
		default:
			s.SettlementID, s.UTR = f.id, f.utr
			last = f
		}
		return nil
	}
	emit := func(p parsed) error {
		if sink.Settlement == nil {
			return nil
		}
		return sink.Settlement(p.row)
	}
	return readLedger(ctx, path, settlementFields, opts.SettlementColumns, &opts, true, parse, check, emit, sink.Reject)
}

var (
	errUTRAbsent    = errors.New("settlement UTR is empty or a placeholder")
	errUTRDestroyed = errors.New("settlement UTR was destroyed by a spreadsheet (scientific notation or more than 15 digits in a number cell); export the column as text")
)

func parseSettlement(r *row, cols columns, opts *Options, s *recon.SettlementRow) *fieldError {
	var err error
	if s.SettlementID, err = ledgerID(r, cols["settlement_id"]); err != nil {
		return bad("settlement_id", r.cell(cols["settlement_id"]), err)
	}
	raw := r.cell(cols["settlement_utr"])
	utr, corrupted := NormalizeUTR(raw, r.isNumeric(cols["settlement_utr"]))
	switch {
	case corrupted:
		return bad("settlement_utr", raw, errUTRDestroyed)
	case utr == "":
		return bad("settlement_utr", raw, errUTRAbsent)
	}
	s.UTR = utr
	at, err := parseLedgerTime(r, cols["settled_at"], opts.Zone)
	if err != nil {
		return bad("settled_at", r.cell(cols["settled_at"]), err)
	}
	s.SettledAt = recon.InstantOf(at)
	if s.Type, err = eventType(r.cell(cols["event_type"]), opts.SettlementEvents); err != nil {
		return bad("event_type", r.cell(cols["event_type"]), err)
	}
	var fe *fieldError
	if s.Type == recon.EventAdjustment {
		if s.OrderID, fe = optionalID(r, cols, "order_id"); fe != nil {
			return fe
		}
	} else if s.OrderID, err = ledgerID(r, cols["order_id"]); err != nil {
		if cols["order_id"] < 0 {
			return bad("order_id", "", fmt.Errorf("a %s row needs an order_id column", s.Type))
		}
		return bad("order_id", r.cell(cols["order_id"]), err)
	}
	if s.TransactionID, fe = optionalID(r, cols, "transaction_id"); fe != nil {
		return fe
	}
	s.PaymentMethod = strings.TrimSpace(r.cell(cols["payment_method"]))
	// An ADJUSTMENT may give only its net amount; every other row gives all
	// four.
	s.HasAmounts = true
	if s.Type == recon.EventAdjustment {
		empty := true
		for _, name := range []string{"amount", "fee", "tax"} {
			if strings.TrimSpace(r.cell(cols[name])) != "" {
				empty = false
			}
		}
		s.HasAmounts = !empty
	}
	if s.HasAmounts {
		for _, f := range []struct {
			name string
			to   *recon.Amount
		}{{"amount", &s.Amount}, {"fee", &s.Fee}, {"tax", &s.Tax}} {
			if *f.to, err = ledgerAmount(r, cols[f.name]); err != nil {
				return bad(f.name, r.cell(cols[f.name]), err)
			}
		}
	}
	if s.Net, err = signedAmount(r, cols["net_amount"]); err != nil {
		return bad("net_amount", r.cell(cols["net_amount"]), err)
	}
	return nil
}

// signedAmount reads an amount that may be negative: a leading '-', an
// accountant's (parentheses), or a trailing Dr/Cr as Indian bank exports
// write it ("1,234.00 Dr"); a trailing Cr is positive.
func signedAmount(r *row, i int) (recon.Amount, error) {
	v := strings.TrimSpace(r.cell(i))
	neg := false
	upper := strings.ToUpper(v)
	switch {
	case strings.HasSuffix(upper, "DR"):
		neg, v = true, strings.TrimSpace(v[:len(v)-2])
	case strings.HasSuffix(upper, "CR"):
		v = strings.TrimSpace(v[:len(v)-2])
	}
	if strings.HasPrefix(v, "(") && strings.HasSuffix(v, ")") && len(v) > 2 {
		neg, v = !neg, v[1:len(v)-1]
	} else if strings.HasPrefix(v, "-") {
		neg, v = !neg, v[1:]
	}
	if strings.HasPrefix(v, "-") || strings.HasPrefix(v, "(") {
		return 0, errAmountNotNumber
	}
	cell := &row{cells: []string{v}, numeric: []bool{r.isNumeric(i)}}
	a, err := ledgerAmount(cell, 0)
	if err != nil {
		return 0, err
	}
	if neg {
		a = -a
	}
	return a, nil
}
