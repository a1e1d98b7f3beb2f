package ingest

import (
	"errors"
	"strings"

	"github.com/kwikpaisa/recon/internal/recon"
)

// Amount errors, each a reason a finance person understands.
var (
	errAmountEmpty        = errors.New("amount is empty")
	errAmountNegative     = errors.New("amount is negative")
	errAmountNotNumber    = errors.New("amount is not a number")
	errAmountPlaces       = errors.New("amount has more than 2 decimal places")
	errAmountGrouping     = errors.New("amount has a thousands separator in the wrong place (a decimal comma?)")
	errAmountTooLarge     = errors.New("amount is too large")
	errAmountDecimalComma = errors.New("amount is written with a decimal comma (1.234,56); write it as 1,234.56")
)

// ParseAmount reads an amount exactly, as SPEC §2.1 says: it strips ₹, Rs.,
// INR, spaces and thousands separators (Indian grouping 1,23,456.78 too) and
// rejects a negative, empty or non-numeric value or one with more than two
// decimal places. Trailing zeros past the second place (100.500) change no
// value and are accepted. Nothing is rounded and no float is involved.
func ParseAmount(s string) (recon.Amount, error) {
	if a, ok := plainAmount(s); ok {
		return a, nil
	}
	return parseAmount(s)
}

// plainAmount reads s when it is digits with a point and one or two
// places, or none ("26420.25", "3400"): nearly every amount of a gateway
// dump, a webhook body or a ledger export, read here in one pass where
// parseAmount trims, cuts and scans it several times. ok is false for any
// other form, which parseAmount reads or rejects; what plainAmount reads,
// parseAmount reads the same (FuzzParseAmount holds them together).
func plainAmount(s string) (a recon.Amount, ok bool) {
	if len(s) == 0 || len(s) > 16 { // 16 digits at most: no overflow below
		return 0, false
	}
	var v int64
	point := -1
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			v = v*10 + int64(c-'0')
		case c == '.' && point < 0 && i > 0 && i < len(s)-1:
			point = i
		default:
			return 0, false
		}
	}
	places := 0
	if point >= 0 {
		places = len(s) - point - 1
	}
	if places > 2 {
		return 0, false
	}
	for ; places < 2; places++ {
		v *= 10
	}
	// Below MaxAmount, the integer part has 13 digits at most, as
	// parseAmount wants.
	if recon.Amount(v) >= recon.MaxAmount {
		return 0, false
	}
	return recon.Amount(v), true
}

// parseAmount is ParseAmount for every form.
func parseAmount(s string) (recon.Amount, error) {
	s = stripCurrency(s)
	if s == "" {
		return 0, errAmountEmpty
	}
	if s[0] == '-' || (s[0] == '(' && s[len(s)-1] == ')') {
		return 0, errAmountNegative
	}
	intPart, frac, hasPoint := strings.Cut(s, ".")
	if hasPoint && strings.ContainsAny(frac, ".,") {
		if europeanForm(s) {
			return 0, errAmountDecimalComma
		}
		return 0, errAmountNotNumber
	}
	if strings.IndexByte(intPart, ',') >= 0 {
		if !validGrouping(intPart) {
			return 0, errAmountGrouping
		}
		intPart = strings.ReplaceAll(intPart, ",", "")
	}
	if intPart == "" && frac == "" {
		return 0, errAmountNotNumber
	}
	if !allDigits(intPart) || !allDigits(frac) {
		return 0, errAmountNotNumber
	}
	frac = strings.TrimRight(frac, "0")
	if len(frac) > 2 {
		return 0, errAmountPlaces
	}
	intPart = strings.TrimLeft(intPart, "0")
	if len(intPart) > 13 {
		return 0, errAmountTooLarge
	}
	var v int64
	for i := 0; i < len(intPart); i++ {
		v = v*10 + int64(intPart[i]-'0')
	}
	for i := 0; i < 2; i++ {
		v *= 10
		if i < len(frac) {
			v += int64(frac[i] - '0')
		}
	}
	if recon.Amount(v) > recon.MaxAmount {
		return 0, errAmountTooLarge
	}
	return recon.Amount(v), nil
}

// stripCurrency removes currency marks and every kind of space.
func stripCurrency(s string) string {
	s = strings.TrimSpace(s)
	for _, p := range []string{"₹", "Rs.", "Rs", "RS.", "RS", "INR", "inr"} {
		if rest, ok := strings.CutPrefix(s, p); ok {
			s = rest
			break
		}
	}
	for _, p := range []string{"INR", "inr", "₹"} {
		if rest, ok := strings.CutSuffix(s, p); ok {
			s = rest
			break
		}
	}
	if strings.IndexFunc(s, isSpace) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isSpace(r) {
			return -1
		}
		return r
	}, s)
}

func isSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\u00a0', '\u202f', '\u2009', '\u200b', '\ufeff':
		return true
	}
	return false
}

// validGrouping accepts Western (1,234,567) and Indian (12,34,567) grouping:
// the last group has three digits, the others two or three, the first one to
// three.
func validGrouping(s string) bool {
	groups := strings.Split(s, ",")
	for i, g := range groups {
		switch {
		case i == 0 && (len(g) < 1 || len(g) > 3):
			return false
		case i == len(groups)-1 && len(g) != 3:
			return false
		case i > 0 && i < len(groups)-1 && len(g) != 2 && len(g) != 3:
			return false
		}
		if !allDigits(g) {
			return false
		}
	}
	return true
}

// europeanForm matches 1.234,56 and 1.234.567,8: '.' groups and a decimal
// comma.
func europeanForm(s string) bool {
	whole, dec, ok := strings.Cut(s, ",")
	return ok && dec != "" && allDigits(dec) && strings.Contains(whole, ".") && validGrouping(strings.ReplaceAll(whole, ".", ","))
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
