package ingest

import (
	"errors"
	"math/big"
	"strconv"
	"strings"
	"time"
)

var (
	errTimeForm   = errors.New("date is not in a form recon reads (YYYY-MM-DD HH:MM, DD/MM/YYYY, RFC 3339…)")
	errMonthFirst = errors.New("date is written month first (MM/DD/YYYY); recon reads DD/MM/YYYY, day first")
)

// monthFirst reports whether a slash date that failed to read as day first
// would read as month first: 11/24/2026.
func monthFirst(s string) bool {
	d, rest, ok := strings.Cut(s, "/")
	m, _, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 || !allDigits(d) || !allDigits(m) || len(d) == 0 || len(m) == 0 || len(d) > 2 || len(m) > 2 {
		return false
	}
	dd, _ := strconv.Atoi(d)
	mm, _ := strconv.Atoi(m)
	return dd >= 1 && dd <= 12 && mm > 12 && mm <= 31
}

// naiveLayouts are the accepted forms without an offset, read in the
// business zone. Day-first forms follow the Indian convention.
var naiveLayouts = []string{
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02",
	"02-01-2006 3:04 PM", // KwikPaisa's own form
	"02-01-2006 3:04:05 PM",
	"02/01/2006 15:04:05",
	"02/01/2006 15:04",
	"02/01/2006",
}

// ParseTime reads a timestamp in any form SPEC §2.1 accepts and returns it
// in UTC. A time without an offset is in zone. Anything else, including an
// impossible date such as 2026-02-30, is an error.
func ParseTime(s string, zone *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, errors.New("date is empty")
	}
	if len(s) > 40 {
		return time.Time{}, errTimeForm
	}
	if len(s) > 19 && s[10] == 'T' {
		// The offset fixes the instant. Read in zone, a time at zone's own
		// offset (a webhook log's received_at) takes zone as its location;
		// time.Parse made a fixed zone for it, three allocations a row.
		if t, err := time.ParseInLocation(time.RFC3339Nano, s, zone); err == nil {
			return t.UTC(), nil
		}
	}
	s = padDayMonth(s)
	s = strings.Replace(s, "am", "AM", 1)
	s = strings.Replace(s, "pm", "PM", 1)
	for _, layout := range naiveLayouts {
		if len(layout) > len(s)+1 || len(layout) < len(s)-7 || !sameDateShape(layout, s) {
			continue
		}
		t, err := time.ParseInLocation(layout, s, zone)
		if err == nil {
			return t.UTC(), nil
		}
		if strings.HasSuffix(err.Error(), "out of range") {
			if monthFirst(s) {
				return time.Time{}, errMonthFirst
			}
			return time.Time{}, errors.New("date does not exist (" + err.Error()[strings.LastIndex(err.Error(), ": ")+2:] + ")")
		}
	}
	// Fractional seconds after a naive time.
	if i := strings.LastIndexByte(s, '.'); i > 0 && len(s) > 19 {
		if t, err := time.ParseInLocation("2006-01-02 15:04:05", s[:i], zone); err == nil && allDigits(s[i+1:]) {
			ns, _ := strconv.ParseInt((s[i+1:] + "000000000")[:9], 10, 64)
			return t.Add(time.Duration(ns)).UTC(), nil
		}
	}
	return time.Time{}, errTimeForm
}

// padDayMonth writes a day-first date's one-digit day or month with two
// digits, as spreadsheets export them: 5/1/2026 9:05 is 05/01/2026 9:05.
func padDayMonth(s string) string {
	if len(s) >= 10 && s[2] == s[5] && (s[2] == '/' || s[2] == '-') {
		return s // already two digits each
	}
	for _, sep := range []byte{'/', '-'} {
		d, rest, ok := strings.Cut(s, string(sep))
		if !ok || len(d) == 0 || len(d) > 2 || !allDigits(d) {
			continue
		}
		m, rest, ok := strings.Cut(rest, string(sep))
		if !ok || len(m) == 0 || len(m) > 2 || !allDigits(m) || len(rest) < 4 || !allDigits(rest[:4]) {
			continue
		}
		pad := func(x string) string { return strings.Repeat("0", 2-len(x)) + x }
		return pad(d) + string(sep) + pad(m) + string(sep) + rest
	}
	return s
}

// sameDateShape reports whether s has layout's date part shape: digits
// where it has digits and the same separators, over the first 10 bytes.
func sameDateShape(layout, s string) bool {
	if len(s) < 10 {
		return false
	}
	for i := 0; i < 10; i++ {
		ld, sd := layout[i] >= '0' && layout[i] <= '9', s[i] >= '0' && s[i] <= '9'
		if ld != sd || (!ld && layout[i] != s[i]) {
			return false
		}
	}
	return true
}

// excelEpoch is day 0 of the 1900 date system as Excel counts it (Excel's
// fictitious 29 February 1900 makes serial 60 the only ambiguous day).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// ParseSerialDate reads an Excel serial date (45620.4375) as a wall-clock
// time in zone, exactly to the second. Serials before 1 March 1900 are
// refused.
func ParseSerialDate(s string, zone *time.Location) (time.Time, error) {
	day, frac, _ := strings.Cut(strings.TrimSpace(s), ".")
	if day == "" || !allDigits(day) || !allDigits(frac) || len(day) > 6 {
		return time.Time{}, errTimeForm
	}
	days, _ := strconv.Atoi(day)
	if days < 61 {
		return time.Time{}, errors.New("date serial is before 1 March 1900")
	}
	// Seconds of the day, rounded to the nearest second: Excel stores times
	// as binary fractions of a day. Computed exactly with integers.
	var secs int64
	if frac != "" {
		num, _ := new(big.Int).SetString(frac, 10)
		den := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(len(frac))), nil)
		num.Mul(num, big.NewInt(2*86400))
		num.Quo(num, den)
		secs = (num.Int64() + 1) / 2
	}
	wall := excelEpoch.AddDate(0, 0, days).Add(time.Duration(secs) * time.Second)
	t := time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), wall.Second(), 0, zone)
	return t.UTC(), nil
}
