package ingest

import (
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"
)

var (
	errTimeForm   = errors.New("date is not in a form recon reads (YYYY-MM-DD HH:MM, DD/MM/YYYY, RFC 3339…)")
	errMonthFirst = errors.New("date is written month first (MM/DD/YYYY); recon reads DD/MM/YYYY, day first")
)

// isoLayouts are the accepted year-first forms without an offset, read in
// the business zone.
var isoLayouts = []string{
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02",
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
	if len(s) < 10 || s[4] != '-' || !allDigits(s[:4]) {
		return parseDayFirst(s, zone)
	}
	for _, layout := range isoLayouts {
		if len(layout) > len(s)+1 || len(layout) < len(s)-7 || (len(layout) > 10 && len(s) > 10 && layout[10] != s[10]) {
			continue
		}
		t, err := time.ParseInLocation(layout, s, zone)
		if err == nil {
			return t.UTC(), nil
		}
		if strings.HasSuffix(err.Error(), "out of range") {
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

// parseDayFirst reads the day-first dates Indian exports write (SPEC §2.1):
// day, month and year with '/', '-', '.' or ' ' between them (the same
// both times), a one- or two-digit day, the month as a number or an
// English abbreviation (Nov), a four- or two-digit year (26 is 2026), then
// an optional time, HH:MM[:SS] on the 24-hour clock or hh:mm[:ss] AM/PM.
// KwikPaisa's own 24-11-2026 08:34 AM is one of them. Day first always:
// 03/04/2026 is 3 April.
func parseDayFirst(s string, zone *time.Location) (time.Time, error) {
	p := dayFirstScan{s: s}
	day := p.digits(1, 2)
	sep := p.next()
	if day < 0 || (sep != '/' && sep != '-' && sep != '.' && sep != ' ') {
		return time.Time{}, errTimeForm
	}
	month := p.digits(1, 2)
	if month < 0 {
		if month = p.monthName(); month < 0 {
			return time.Time{}, errTimeForm
		}
	}
	if p.next() != sep {
		return time.Time{}, errTimeForm
	}
	start := p.i
	year := p.digits(4, 4)
	if year < 0 {
		p.i = start
		if year = p.digits(2, 2); year < 0 {
			return time.Time{}, errTimeForm
		}
		year += 2000
	}
	hour, minute, second := 0, 0, 0
	if p.i < len(s) {
		if p.next() != ' ' {
			return time.Time{}, errTimeForm
		}
		for p.i < len(s) && s[p.i] == ' ' {
			p.i++
		}
		hour = p.digits(1, 2)
		if hour < 0 || p.next() != ':' {
			return time.Time{}, errTimeForm
		}
		if minute = p.digits(2, 2); minute < 0 {
			return time.Time{}, errTimeForm
		}
		if p.i < len(s) && s[p.i] == ':' {
			p.i++
			if second = p.digits(2, 2); second < 0 {
				return time.Time{}, errTimeForm
			}
		}
		for p.i < len(s) && s[p.i] == ' ' {
			p.i++
		}
		if p.i < len(s) {
			pm, ok := p.meridiem()
			if !ok {
				return time.Time{}, errTimeForm
			}
			if hour < 1 || hour > 12 {
				return time.Time{}, fmt.Errorf("date has hour %d on the 12-hour clock (%s)", hour, s)
			}
			hour %= 12
			if pm {
				hour += 12
			}
		}
		if hour > 23 || minute > 59 || second > 59 {
			return time.Time{}, fmt.Errorf("date has no time %02d:%02d:%02d", hour, minute, second)
		}
	}
	if month < 1 || month > 12 || day < 1 || day > daysIn(time.Month(max(month, 1)), year) {
		if sep == '/' && day >= 1 && day <= 12 && month > 12 && month <= 31 {
			return time.Time{}, errMonthFirst
		}
		if month < 1 || month > 12 {
			return time.Time{}, fmt.Errorf("date does not exist (month %d)", month)
		}
		return time.Time{}, fmt.Errorf("date does not exist (%s has %d days)", time.Month(month), daysIn(time.Month(month), year))
	}
	return time.Date(year, time.Month(month), day, hour, minute, second, 0, zone).UTC(), nil
}

// daysIn is the number of days of month in year.
func daysIn(month time.Month, year int) int {
	return time.Date(year, month+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// dayFirstScan reads a day-first date byte by byte, without allocating: it
// is on every gateway record's path (KwikPaisa writes its times this way).
type dayFirstScan struct {
	s string
	i int
}

// next returns the next byte, or 0 at the end.
func (p *dayFirstScan) next() byte {
	if p.i >= len(p.s) {
		p.i++
		return 0
	}
	p.i++
	return p.s[p.i-1]
}

// digits reads from lo to hi decimal digits, or returns -1 leaving the
// position where it was.
func (p *dayFirstScan) digits(lo, hi int) int {
	n, j := 0, p.i
	for j < len(p.s) && j-p.i < hi && p.s[j] >= '0' && p.s[j] <= '9' {
		n = n*10 + int(p.s[j]-'0')
		j++
	}
	if j-p.i < lo || (j < len(p.s) && p.s[j] >= '0' && p.s[j] <= '9') {
		return -1
	}
	p.i = j
	return n
}

// monthName reads an English month abbreviation (Jan … Dec, any case), or
// returns -1. Sept is taken too, as some exports write it.
func (p *dayFirstScan) monthName() int {
	if p.i+3 > len(p.s) {
		return -1
	}
	for m, name := range monthAbbrevs {
		if strings.EqualFold(p.s[p.i:p.i+3], name) {
			p.i += 3
			if m == 8 && p.i < len(p.s) && (p.s[p.i] == 't' || p.s[p.i] == 'T') {
				p.i++
			}
			return m + 1
		}
	}
	return -1
}

var monthAbbrevs = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// meridiem reads AM or PM (any case, with or without dots) to the end.
func (p *dayFirstScan) meridiem() (pm bool, ok bool) {
	rest := strings.ReplaceAll(p.s[p.i:], ".", "")
	switch {
	case strings.EqualFold(rest, "AM"):
		return false, true
	case strings.EqualFold(rest, "PM"):
		return true, true
	}
	return false, false
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
