package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kwikpaisa/recon/internal/recon"
)

// An MT940 statement is read line by line: a field starts with its tag
// (":61:") and runs until the next tag; its continuation lines belong to
// it. The few Go MT940 libraries are unmaintained or read a small part of
// the format; the fields recon reads are few and fixed by SWIFT.

// mtField is one field of an MT940 message: its tag, its text (lines
// joined with "\n") and the line it starts on.
type mtField struct {
	tag  string
	text string
	line int
}

func readMT940(ctx context.Context, path string, sink Sink) (Counts, error) {
	data, err := readAllBounded(path)
	if err != nil {
		return Counts{}, err
	}
	b := &bankReader{path: path, sink: sink}
	if err := parseMT940(ctx, data, b); err != nil {
		return b.counts, fmt.Errorf("%s: %w", path, err)
	}
	return b.counts, nil
}

// mtFields splits an MT940 file into its fields. SWIFT block headers
// ("{1:…}{2:…}{4:") and message ends ("-}", "-") separate messages.
func mtFields(data []byte) ([]mtField, error) {
	var fields []mtField
	inField := false
	for n, raw := range bytes.Split(data, []byte("\n")) {
		line := strings.TrimRight(string(raw), "\r")
		lineNo := n + 1
		if n == 0 {
			line = strings.TrimPrefix(line, "\ufeff")
		}
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "":
			continue
		case strings.HasPrefix(trimmed, "{"), trimmed == "-}", trimmed == "-":
			inField = false
			continue
		case isMTTag(line):
			end := strings.IndexByte(line[1:], ':') + 1
			fields = append(fields, mtField{tag: line[1:end], text: line[end+1:], line: lineNo})
			inField = true
		case inField:
			fields[len(fields)-1].text += "\n" + line
		default:
			return nil, fmt.Errorf("line %d: text outside any MT940 field: %q", lineNo, truncate(line, 40))
		}
	}
	return fields, nil
}

// isMTTag reports whether a line starts a field: ":NN:" or ":NNa:".
func isMTTag(line string) bool {
	if len(line) < 4 || line[0] != ':' {
		return false
	}
	end := strings.IndexByte(line[1:], ':') + 1
	if end < 3 || end > 4 {
		return false
	}
	tag := line[1:end]
	return isDigit(tag[0]) && isDigit(tag[1]) && (len(tag) == 2 || (tag[2] >= 'A' && tag[2] <= 'Z'))
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// parseMT940 reads the entries of every statement in data into b. A
// statement without its account (:25:), opening (:60F:/:60M:) or closing
// (:62F:/:62M:) balance, or whose entries do not add up from the one to the
// other, is refused whole: the file was cut or is not MT940.
func parseMT940(ctx context.Context, data []byte, b *bankReader) error {
	fields, err := mtFields(data)
	if err != nil {
		return err
	}
	if len(fields) == 0 || fields[0].tag != "20" {
		return errors.New("not an MT940 statement: it does not start with a :20: field")
	}
	type statement struct {
		start    int
		account  bool
		opening  *recon.Amount
		sum      recon.Amount
		rejected bool
		openLine int
	}
	var st *statement
	finish := func(f *mtField, closing *recon.Amount) error {
		if !st.account {
			return fmt.Errorf("line %d: statement has no account field :25:", st.start)
		}
		if st.opening == nil {
			return fmt.Errorf("line %d: statement has no opening balance :60F: or :60M:", st.start)
		}
		if closing == nil {
			return fmt.Errorf("line %d: statement has no closing balance :62F: or :62M:; is the file complete?", st.start)
		}
		if !st.rejected && *st.opening+st.sum != *closing {
			return fmt.Errorf("line %d: the entries add up to %s from the opening balance %s, but the closing balance is %s; is the file complete?",
				f.line, (*st.opening + st.sum).String(), st.opening.String(), closing.String())
		}
		st = nil
		return nil
	}
	var last *recon.BankEntry // the :61: entry a :86: belongs to
	var pending *recon.BankEntry
	flush := func() error {
		if pending == nil {
			return nil
		}
		e := pending
		pending = nil
		return b.entry(e)
	}
	for i := range fields {
		f := &fields[i]
		if i%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if f.tag != "86" {
			if err := flush(); err != nil {
				return err
			}
			last = nil
		}
		switch f.tag {
		case "20":
			if st != nil {
				return fmt.Errorf("line %d: a new statement :20: starts before the one at line %d has its closing balance :62F:", f.line, st.start)
			}
			st = &statement{start: f.line}
		case "25":
			if st == nil {
				return fmt.Errorf("line %d: :25: outside a statement", f.line)
			}
			st.account = strings.TrimSpace(f.text) != ""
		case "60F", "60M":
			if st == nil {
				return fmt.Errorf("line %d: :%s: outside a statement", f.line, f.tag)
			}
			a, err := mtBalance(f.text)
			if err != nil {
				return fmt.Errorf("line %d: opening balance :%s: %v", f.line, f.tag, err)
			}
			st.opening, st.openLine = &a, f.line
		case "62F", "62M":
			if st == nil {
				return fmt.Errorf("line %d: :%s: outside a statement", f.line, f.tag)
			}
			a, err := mtBalance(f.text)
			if err != nil {
				return fmt.Errorf("line %d: closing balance :%s: %v", f.line, f.tag, err)
			}
			if err := finish(f, &a); err != nil {
				return err
			}
		case "61":
			if st == nil || st.opening == nil {
				return fmt.Errorf("line %d: entry :61: before the statement's opening balance :60F:", f.line)
			}
			e, column, reason := mtEntry(f.text)
			line := strconv.Itoa(f.line)
			if reason != "" {
				st.rejected = true
				if err := b.reject(line, column, f.text, reason); err != nil {
					return err
				}
				continue
			}
			e.File, e.Line = b.path, line
			if e.Credit {
				st.sum += e.Amount
			} else {
				st.sum -= e.Amount
			}
			pending, last = e, e
		case "86":
			if last != nil {
				last.Narration = joinNonEmpty([]string{last.Narration, strings.Join(strings.Split(f.text, "\n"), "")})
				last = nil
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if st != nil {
		return fmt.Errorf("line %d: statement has no closing balance :62F: or :62M:; is the file complete?", st.start)
	}
	return nil
}

// mtBalance reads a balance field: D/C mark, YYMMDD, currency, amount.
func mtBalance(s string) (recon.Amount, error) {
	s = strings.TrimSpace(s)
	if len(s) < 11 || (s[0] != 'C' && s[0] != 'D') {
		return 0, fmt.Errorf("%q is not a D/C mark, a date YYMMDD, a currency and an amount", s)
	}
	if _, err := mtDate(s[1:7]); err != nil {
		return 0, err
	}
	if ccy := s[7:10]; ccy != "INR" {
		return 0, fmt.Errorf("balance is in %s; the settlement account is in INR", ccy)
	}
	a, err := mtAmount(s[10:])
	if err != nil {
		return 0, err
	}
	if s[0] == 'D' {
		a = -a
	}
	return a, nil
}

// mtDate reads YYMMDD as a date of 20YY.
func mtDate(s string) (time.Time, error) {
	t, err := time.Parse("060102", s)
	if err != nil || len(s) != 6 {
		return time.Time{}, fmt.Errorf("date %q is not YYMMDD", s)
	}
	return time.Date(2000+t.Year()%100, t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), nil
}

// mtAmount reads an MT940 amount: digits with a decimal comma ("1234,56",
// "1234,").
func mtAmount(s string) (recon.Amount, error) {
	ip, fp, ok := strings.Cut(s, ",")
	if !ok || ip == "" || !allDigits(ip) || !allDigits(fp) {
		return 0, fmt.Errorf("amount %q is not digits with a decimal comma (1234,56)", s)
	}
	return ParseAmount(ip + "." + fp)
}

// mtEntry reads a :61: field: value date YYMMDD, optional entry date MMDD,
// mark C, D, RC or RD, optional funds code, amount, transaction type
// (N/F/S and three characters), the account owner's reference, optional
// //bank reference, and supplementary details on a second line. It returns
// the column and reason of a bad field.
func mtEntry(text string) (e *recon.BankEntry, column, reason string) {
	first, details, _ := strings.Cut(text, "\n")
	s := first
	if len(s) < 6 {
		return nil, "value date", "entry :61: is too short"
	}
	value, err := mtDate(s[:6])
	if err != nil {
		return nil, "value date", err.Error()
	}
	s = s[6:]
	booked := value
	if len(s) >= 4 && allDigits(s[:4]) {
		m, _ := strconv.Atoi(s[:2])
		d, _ := strconv.Atoi(s[2:4])
		y := value.Year()
		switch {
		case m == 12 && value.Month() == 1:
			y--
		case m == 1 && value.Month() == 12:
			y++
		}
		booked = time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
		if booked.Month() != time.Month(m) || booked.Day() != d {
			return nil, "entry date", fmt.Sprintf("entry date %q is not a date MMDD", s[:4])
		}
		s = s[4:]
	}
	e = &recon.BankEntry{Date: booked.Format(time.DateOnly)}
	switch {
	case strings.HasPrefix(s, "RC"):
		s = s[2:] // a reversed credit takes money out
	case strings.HasPrefix(s, "RD"):
		e.Credit, s = true, s[2:] // a reversed debit brings money in
	case strings.HasPrefix(s, "C"):
		e.Credit, s = true, s[1:]
	case strings.HasPrefix(s, "D"):
		s = s[1:]
	default:
		return nil, "mark", fmt.Sprintf("mark %q is none of C, D, RC, RD", truncate(s, 2))
	}
	if len(s) > 0 && s[0] >= 'A' && s[0] <= 'Z' {
		s = s[1:] // funds code
	}
	end := strings.IndexFunc(s, func(r rune) bool { return !(r >= '0' && r <= '9' || r == ',') })
	if end < 0 {
		end = len(s)
	}
	a, err := mtAmount(s[:end])
	if err != nil {
		return nil, "amount", err.Error()
	}
	e.Amount = a
	s = s[end:]
	if len(s) < 4 || !strings.ContainsRune("NFS", rune(s[0])) {
		return nil, "transaction type", fmt.Sprintf("transaction type %q is not N, F or S and three characters", truncate(s, 4))
	}
	s = s[4:]
	ref, bankRef, _ := strings.Cut(s, "//")
	var refs []string
	for _, r := range []string{ref, bankRef} {
		if r = strings.TrimSpace(r); r != "" && r != "NONREF" {
			refs = append(refs, r)
		}
	}
	e.Reference = strings.Join(refs, " / ")
	e.Narration = strings.TrimSpace(strings.ReplaceAll(details, "\n", ""))
	return e, "", ""
}
