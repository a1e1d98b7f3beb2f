package export

import (
	"math"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// MetricKind says what a summary value is.
type MetricKind int

const (
	// MetricAuto infers the kind: a name ending in _pct is a percentage, a
	// name "amount" or ending in _amount is an amount, an integer value is
	// a count, anything else is text.
	MetricAuto MetricKind = iota
	MetricCount
	MetricAmount  // a decimal with two places: 1234.50
	MetricPercent // a percentage as a decimal: 97.11 means 97.11 %
	MetricText
)

// kind returns the metric's kind, inferring it when it is MetricAuto.
func (m *Metric) kind() MetricKind {
	if m.Kind != MetricAuto {
		return m.Kind
	}
	switch {
	case strings.HasSuffix(m.Name, "_pct"):
		return MetricPercent
	case m.Name == "amount" || strings.HasSuffix(m.Name, "_amount"):
		return MetricAmount
	case isInteger(m.Value):
		return MetricCount
	}
	return MetricText
}

func isInteger(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == '-' {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// exactFloat returns the float64 whose shortest decimal form, the form
// excelize writes into a cell, is exactly the decimal text s. It reports
// false when there is none (more than 15 significant digits, or not a
// decimal): the caller then writes s as text rather than a number that is
// not s. Parsing a decimal of at most 15 significant digits and formatting
// it shortest gives it back digit for digit (IEEE 754 double: 15 decimal
// digits survive a round trip), so no amount is ever altered.
func exactFloat(s string) (float64, bool) {
	d, err := decimal.NewFromString(s)
	if err != nil {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	if significantDigits(s) > 15 {
		return 0, false
	}
	back, err := decimal.NewFromString(strconv.FormatFloat(f, 'f', -1, 64))
	if err != nil || !back.Equal(d) {
		return 0, false
	}
	return f, true
}

// significantDigits counts the digits of a decimal between its first and
// last non-zero digit.
func significantDigits(s string) int {
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
	digits = strings.Trim(digits, "0")
	return len(digits)
}

// percentFraction turns a percentage (97.11) into the fraction a
// percent-formatted cell holds (0.9711) by moving the decimal point, with
// no float arithmetic.
func percentFraction(s string) (float64, bool) {
	d, err := decimal.NewFromString(s)
	if err != nil {
		return 0, false
	}
	return exactFloat(d.Shift(-2).String())
}
