package ingest

import (
	"errors"
	"strconv"
	"strings"
)

var (
	errAmountFloatNoise = errors.New("amount cell holds a number with more than 2 decimal places " +
		"(a spreadsheet calculation left a rounding error); it is not rounded")
	errIDRounded = errors.New("identifier was stored as a number that a spreadsheet may have rounded " +
		"(more than 15 digits, scientific notation or a fraction); format the column as text and export again")
)

// date1904Offset is the days between the 1900 and the 1904 date systems.
const date1904Offset = 1462

// plainNumber writes a number cell's text (105, 105.5, 1.05E+2, 1E-2)
// as a plain decimal without an exponent, exactly: it moves the decimal
// point, it does not compute. It refuses a signed value other than a
// leading '-' (kept, for the amount parser to refuse) and an exponent past
// ±30.
func plainNumber(s string) (string, bool) {
	s = strings.TrimSpace(s)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	mant, exp, hasExp := strings.Cut(strings.ToUpper(s), "E")
	ip, fp, _ := strings.Cut(mant, ".")
	if (ip == "" && fp == "") || !allDigits(ip) || !allDigits(fp) {
		return "", false
	}
	e := 0
	if hasExp {
		n, err := strconv.Atoi(exp)
		if err != nil || n < -30 || n > 30 {
			return "", false
		}
		e = n
	}
	digits, point := ip+fp, len(ip)+e
	switch {
	case point <= 0:
		digits, point = strings.Repeat("0", 1-point)+digits, 1
	case point > len(digits):
		digits += strings.Repeat("0", point-len(digits))
	}
	out := digits[:point]
	if frac := strings.TrimRight(digits[point:], "0"); frac != "" {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out, true
}

// numberDamaged reports whether a number cell's value cannot be an exact
// identifier: written in scientific notation, with a fraction, or with
// more than 15 significant digits (a double keeps no more).
func numberDamaged(s string) bool {
	s = strings.TrimSpace(s)
	if strings.ContainsAny(s, "eE") {
		return true
	}
	ip, fp, hasPoint := strings.Cut(s, ".")
	if hasPoint && strings.Trim(fp, "0") != "" {
		return true
	}
	return significantDigits(ip) > 15
}
