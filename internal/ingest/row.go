package ingest

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kwikpaisa/recon/internal/recon"
)

// row is one row of a ledger as a reader found it.
type row struct {
	cells   []string
	numeric []bool      // per cell: a numeric XLSX cell; nil for CSV
	place   recon.Place // its CSV line, or Sheet!row
	// date1904 is set for a workbook that counts serial dates from 1904.
	date1904 bool
}

func (r *row) cell(i int) string {
	if i < 0 || i >= len(r.cells) {
		return ""
	}
	return r.cells[i]
}

func (r *row) isNumeric(i int) bool {
	return i >= 0 && i < len(r.numeric) && r.numeric[i]
}

func (r *row) empty() bool {
	for _, c := range r.cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// fieldError is a bad value in a row: it becomes a Reject.
type fieldError struct {
	column string
	value  string
	reason string
}

func (e *fieldError) Error() string { return e.column + ": " + e.reason }

func bad(column, value string, err error) *fieldError {
	return &fieldError{column: column, value: value, reason: err.Error()}
}

// ParseID reads an identifier: trimmed and otherwise kept exactly (case and
// leading zeros). An identifier with an invisible or non-ASCII character is
// refused: it would never match the gateway's key and looks like one that
// does.
func ParseID(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("identifier is empty")
	}
	if len(s) > 128 {
		return "", errors.New("identifier is longer than 128 characters")
	}
	// Printable ASCII throughout, as nearly every id is: none of it is
	// invisible, and the check of every rune below would pass it.
	printable := true
	for i := 0; i < len(s) && printable; i++ {
		printable = s[i] >= 0x20 && s[i] < 0x7f
	}
	if printable {
		return s, nil
	}
	return checkIDRunes(s)
}

// checkIDRunes refuses an identifier with an invisible or non-ASCII
// character, saying which.
func checkIDRunes(s string) (string, error) {
	for _, r := range s {
		switch {
		case r == utf8.RuneError:
			return "", errors.New("identifier is not valid UTF-8")
		case unicode.Is(unicode.Cf, r) || unicode.IsControl(r):
			return "", fmt.Errorf("identifier contains an invisible character (U+%04X)", r)
		case r > unicode.MaxASCII:
			return "", fmt.Errorf("identifier contains the non-ASCII character %q (U+%04X), which may imitate another", r, r)
		}
	}
	return s, nil
}

// parseCurrency reads an ISO 4217 code; empty means INR.
func parseCurrency(s string) (string, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if s == "" || s == "₹" {
		return "INR", nil
	}
	if len(s) != 3 || strings.IndexFunc(s, func(r rune) bool { return r < 'A' || r > 'Z' }) >= 0 {
		return "", fmt.Errorf("currency %q is not a 3-letter code", s)
	}
	return s, nil
}

// parseLedgerTime reads a ledger timestamp; a numeric XLSX cell is a serial
// date.
func parseLedgerTime(r *row, i int, zone *time.Location) (time.Time, error) {
	if r.isNumeric(i) {
		t, err := ParseSerialDate(r.cell(i), zone)
		if err == nil && r.date1904 {
			t = t.AddDate(0, 0, date1904Offset)
		}
		return t, err
	}
	return ParseTime(r.cell(i), zone)
}

// ledgerAmount reads an amount cell: a number cell is read as the
// spreadsheet shows it (shownNumber: 19.989999999999998 is 19.99), so that
// only the digits a person typed or a formula computed decide.
func ledgerAmount(r *row, i int) (recon.Amount, error) {
	v := r.cell(i)
	if !r.isNumeric(i) {
		return ParseAmount(v)
	}
	plain, ok := shownNumber(v)
	if !ok {
		return 0, errAmountNotNumber
	}
	a, err := ParseAmount(plain)
	if errors.Is(err, errAmountPlaces) {
		return 0, fmt.Errorf("amount cell holds %s as the spreadsheet shows it: %w", plain, errAmountFormula)
	}
	return a, err
}

// ledgerID reads an identifier cell. A number cell whose digits a
// spreadsheet may have rounded (scientific notation, more than 15
// significant digits, a fraction) is refused: the identifier is lost.
func ledgerID(r *row, i int) (string, error) {
	v := r.cell(i)
	if r.isNumeric(i) && numberDamaged(v) {
		return "", errIDRounded
	}
	return ParseID(v)
}

// optionalID reads an optional identifier column.
func optionalID(r *row, cols columns, name string) (string, *fieldError) {
	v := strings.TrimSpace(r.cell(cols[name]))
	if v == "" {
		return "", nil
	}
	id, err := ledgerID(r, cols[name])
	if err != nil {
		return "", bad(name, v, err)
	}
	return id, nil
}

func parseOrder(r *row, cols columns, opts *Options, o *recon.Order) *fieldError {
	var err error
	if o.OrderID, err = ledgerID(r, cols["order_id"]); err != nil {
		return bad("order_id", r.cell(cols["order_id"]), err)
	}
	if o.Amount, err = ledgerAmount(r, cols["amount"]); err != nil {
		return bad("amount", r.cell(cols["amount"]), err)
	}
	if o.Currency, err = parseCurrency(r.cell(cols["currency"])); err != nil {
		return bad("currency", r.cell(cols["currency"]), err)
	}
	o.Status = strings.TrimSpace(r.cell(cols["status"]))
	if o.Class, err = opts.Statuses.Class(recon.EntityPayin, o.Status); err != nil {
		return bad("status", r.cell(cols["status"]), err)
	}
	created, err := parseLedgerTime(r, cols["created_at"], opts.Zone)
	if err != nil {
		return bad("created_at", r.cell(cols["created_at"]), err)
	}
	o.CreatedAt = recon.InstantOf(created)
	var fe *fieldError
	if o.TransactionID, fe = optionalID(r, cols, "transaction_id"); fe != nil {
		return fe
	}
	o.PaymentMethod = strings.TrimSpace(r.cell(cols["payment_method"]))
	return nil
}

func parsePayout(r *row, cols columns, opts *Options, p *recon.Payout) *fieldError {
	var err error
	if p.PayoutID, err = ledgerID(r, cols["payout_order_id"]); err != nil {
		return bad("payout_order_id", r.cell(cols["payout_order_id"]), err)
	}
	if p.Amount, err = ledgerAmount(r, cols["amount"]); err != nil {
		return bad("amount", r.cell(cols["amount"]), err)
	}
	if p.Currency, err = parseCurrency(r.cell(cols["currency"])); err != nil {
		return bad("currency", r.cell(cols["currency"]), err)
	}
	p.Status = strings.TrimSpace(r.cell(cols["status"]))
	if p.Class, err = opts.Statuses.Class(recon.EntityPayout, p.Status); err != nil {
		return bad("status", r.cell(cols["status"]), err)
	}
	requested, err := parseLedgerTime(r, cols["requested_at"], opts.Zone)
	if err != nil {
		return bad("requested_at", r.cell(cols["requested_at"]), err)
	}
	p.RequestedAt = recon.InstantOf(requested)
	p.TransferMode = strings.ToUpper(strings.TrimSpace(r.cell(cols["transfer_mode"])))
	var fe *fieldError
	if p.BeneficiaryAccount, fe = optionalID(r, cols, "beneficiary_account"); fe != nil {
		return fe
	}
	p.BeneficiaryIFSC = strings.ToUpper(strings.TrimSpace(r.cell(cols["beneficiary_ifsc"])))
	p.BeneficiaryVPA = strings.ToLower(strings.TrimSpace(r.cell(cols["beneficiary_vpa"])))
	raw := r.cell(cols["utr"])
	p.UTR, p.UTRCorrupted = NormalizeUTR(raw, r.isNumeric(cols["utr"]))
	if p.UTRCorrupted {
		p.UTRRaw = strings.TrimSpace(raw)
	}
	return nil
}
