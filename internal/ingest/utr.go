package ingest

import "strings"

// NormalizeUTR cleans a UTR as SPEC §2.1 says. It returns the UTR ("" when
// the cell holds none or a placeholder) and whether the value was destroyed
// by a spreadsheet: written in scientific notation (5.23223E+11), or a
// numeric cell of more than 15 significant digits. A corrupted UTR is
// treated as absent and reported as UTR_CORRUPTED.
func NormalizeUTR(raw string, numericCell bool) (utr string, corrupted bool) {
	s := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\r', '\n', '\u00a0', '\u202f', '\u2009', '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff':
			return -1
		}
		return r
	}, raw)
	// Unwrap until nothing changes: '="…" and ''… are still one UTR.
	for {
		before := s
		if strings.HasPrefix(s, `="`) && strings.HasSuffix(s, `"`) && len(s) >= 3 {
			s = s[2 : len(s)-1]
		}
		s = strings.TrimLeft(s, "'")
		if s == before {
			break
		}
	}
	s = strings.ToUpper(s)
	if isPlaceholder(s) {
		return "", false
	}
	if isScientific(s) {
		return "", true
	}
	if numericCell && significantDigits(s) > 15 {
		return "", true
	}
	return s, false
}

func isPlaceholder(s string) bool {
	switch s {
	case "", "NA", "N/A", "-", "NULL", "NONE", "PENDING", "NIL":
		return true
	}
	return strings.Trim(s, "0") == "" // all zeros, including "0"
}

// isScientific matches 5.23223E+11, 5E11 and the like.
func isScientific(s string) bool {
	mant, exp, ok := strings.Cut(s, "E")
	if !ok || mant == "" || exp == "" {
		return false
	}
	exp = strings.TrimLeft(exp, "+-")
	ip, fp, _ := strings.Cut(mant, ".")
	return ip != "" && allDigits(ip) && allDigits(fp) && exp != "" && allDigits(exp)
}

// significantDigits counts the digits of a plain number, without leading
// zeros or a decimal point; a value that is not a plain number counts 0.
func significantDigits(s string) int {
	ip, fp, _ := strings.Cut(s, ".")
	if !allDigits(ip) || !allDigits(fp) {
		return 0
	}
	d := strings.TrimLeft(ip+fp, "0")
	if fp == "" {
		return len(d)
	}
	return len(strings.TrimRight(d, "0"))
}
