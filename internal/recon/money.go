package recon

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// Amount is an exact sum of money in minor units (paise for INR) with two
// decimal places. Parsing and formatting are exact: no float ever holds an
// amount. Two decimal places is the precision of every currency KwikPaisa
// settles; a value with more is rejected at ingest, never rounded.
type Amount int64

// MaxAmount bounds a single amount (₹10^13) so that sums of a day's amounts
// stay far from overflow.
const MaxAmount Amount = 1_000_000_000_000_000

// AmountFromDecimal converts an exact decimal to an Amount, failing rather
// than rounding when it has more than two decimal places or is too large.
func AmountFromDecimal(d decimal.Decimal) (Amount, error) {
	if d.Exponent() < -2 {
		trimmed := d.Truncate(2)
		if !trimmed.Equal(d) {
			return 0, fmt.Errorf("more than 2 decimal places")
		}
		d = trimmed
	}
	minor := d.Shift(2)
	if !minor.IsInteger() {
		return 0, fmt.Errorf("more than 2 decimal places")
	}
	bi := minor.BigInt()
	if !bi.IsInt64() || bi.Int64() > int64(MaxAmount) || bi.Int64() < -int64(MaxAmount) {
		return 0, fmt.Errorf("amount too large")
	}
	return Amount(bi.Int64()), nil
}

// Decimal returns the amount as an exact decimal.
func (a Amount) Decimal() decimal.Decimal { return decimal.New(int64(a), -2) }

// String writes the amount as a plain decimal with two places: 1234.50.
func (a Amount) String() string {
	v := int64(a)
	neg := v < 0
	if neg {
		if v == math.MinInt64 {
			return a.Decimal().StringFixed(2)
		}
		v = -v
	}
	s := strconv.FormatInt(v, 10)
	if len(s) < 3 {
		s = strings.Repeat("0", 3-len(s)) + s
	}
	s = s[:len(s)-2] + "." + s[len(s)-2:]
	if neg {
		return "-" + s
	}
	return s
}

// Abs returns |a|.
func (a Amount) Abs() Amount {
	if a < 0 {
		return -a
	}
	return a
}

// Sum adds amounts exactly. It adds paise in an int64 while they fit and
// folds them into a decimal when the next amount would overflow it, so no
// sum overflows and a million amounts cost a million integer additions.
type Sum struct {
	paise int64           // not yet folded into d
	d     decimal.Decimal // the rest
}

// Add adds a to the sum.
func (s *Sum) Add(a Amount) {
	n := s.paise + int64(a)
	if (n > s.paise) == (a > 0) || a == 0 {
		s.paise = n
		return
	}
	s.d = s.d.Add(Amount(s.paise).Decimal())
	s.paise = int64(a)
}

// AddSum adds the amounts of o to the sum.
func (s *Sum) AddSum(o Sum) { s.d = s.d.Add(o.Decimal()) }

// String writes the sum as a plain decimal with two places.
func (s Sum) String() string { return s.Decimal().StringFixed(2) }

// Decimal returns the sum.
func (s Sum) Decimal() decimal.Decimal { return s.d.Add(Amount(s.paise).Decimal()) }
