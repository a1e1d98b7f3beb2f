package recon

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// Rate is a contracted fee: a percentage of the amount, a fixed amount, or
// both ("1.75% + 3.00").
type Rate struct {
	Percent decimal.Decimal // 1.75 for 1.75%
	Fixed   Amount
}

// String writes the rate as the configuration does: "1.75% + 3.00".
func (r Rate) String() string {
	switch {
	case r.Fixed == 0:
		return r.Percent.String() + "%"
	case r.Percent.IsZero():
		return r.Fixed.String()
	}
	return r.Percent.String() + "% + " + r.Fixed.String()
}

// ParseRate reads a rate: "2.00%", "0%", "3.00", "1.75% + 3.00". A part may
// not be negative, a percentage not above 100, a fixed amount not have
// more than two decimal places.
func ParseRate(s string) (Rate, error) {
	var r Rate
	parts := strings.Split(s, "+")
	if strings.TrimSpace(s) == "" || len(parts) > 2 {
		return r, fmt.Errorf("rate %q is not a percentage, a fixed amount or both (\"1.75%% + 3.00\")", s)
	}
	seenPct, seenFixed := false, false
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if pct, ok := strings.CutSuffix(p, "%"); ok {
			d, err := decimal.NewFromString(strings.TrimSpace(pct))
			if err != nil || seenPct || d.IsNegative() || d.GreaterThan(decimal.NewFromInt(100)) {
				return r, fmt.Errorf("rate %q: %q is not a percentage between 0%% and 100%%", s, p)
			}
			r.Percent, seenPct = d, true
			continue
		}
		d, err := decimal.NewFromString(p)
		if err != nil || seenFixed || d.IsNegative() {
			return r, fmt.Errorf("rate %q: %q is not a fixed amount such as 3.00", s, p)
		}
		a, err := AmountFromDecimal(d)
		if err != nil {
			return r, fmt.Errorf("rate %q: fixed amount %q: %v", s, p, err)
		}
		r.Fixed, seenFixed = a, true
	}
	return r, nil
}

// ExpectedFee is the fee the schedule asks for a payment of amount:
// rate × amount + fixed, rounded half-up to paise. It is one of the two
// roundings recon makes (SPEC §7.2).
func ExpectedFee(r Rate, amount Amount) Amount {
	return halfUp(amount.Decimal().Mul(r.Percent).Shift(-2)) + r.Fixed
}

// ExpectedTax is the GST due on a fee as reported: gst% × fee, rounded
// half-up to paise. It is the other rounding recon makes (SPEC §7.2).
func ExpectedTax(gstPercent decimal.Decimal, fee Amount) Amount {
	return halfUp(fee.Decimal().Mul(gstPercent).Shift(-2))
}

// halfUp rounds a non-negative decimal to paise, half up (0.005 → 0.01).
func halfUp(d decimal.Decimal) Amount {
	a, err := AmountFromDecimal(d.Round(2)) // half away from zero: half up for d ≥ 0
	if err != nil {
		panic(fmt.Sprintf("fee of %s out of range: %v", d, err)) // amounts are bounded by MaxAmount
	}
	return a
}

// FeeSchedule is the contracted fee per payment method and the GST rate
// (SPEC §7.2).
type FeeSchedule struct {
	// Methods holds the rate of each payment method by its folded name
	// (MethodKey).
	Methods map[string]Rate
	Default Rate
	// GSTPercent is the GST rate on the fee: 18 for 18%.
	GSTPercent decimal.Decimal
}

// RateFor returns the rate of a payment method: its own when the schedule
// names it, else the default; and the name the rate was found under.
func (s *FeeSchedule) RateFor(method string) (Rate, string) {
	if r, ok := s.Methods[MethodKey(method)]; ok && method != "" {
		return r, MethodKey(method)
	}
	return s.Default, "default"
}

// MethodKey folds a payment method for the schedule: case, spaces, '-' and
// '_' do not count ("Net Banking", "net_banking" and "netbanking" are one).
func MethodKey(s string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(s) {
		switch c {
		case ' ', '-', '_', '\t':
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}
