package ingest

import (
	"errors"
	"math"
	"strconv"
	"strings"
)

var (
	errAmountFormula = errors.New("more than 2 decimal places (a formula's result?); recon never rounds: " +
		"round it in the sheet with =ROUND(…, 2) or type the amount")
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

// shownNumber reads a number cell's value as a spreadsheet shows it and
// computes with it: at 15 significant digits (SPEC §2.1), as a plain
// decimal. Excel writes a typed 19.99 into the file as 19.989999999999998,
// the shortest text of the binary double; at 15 digits it is 19.99 again.
// A formula result such as 97622.6724 keeps its real decimals. It never
// rounds to paise: the amount rules decide what the digits are worth.
func shownNumber(s string) (string, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return "", false
	}
	return plainNumber(strconv.FormatFloat(f, 'e', 14, 64))
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
