package kwikpaisa

import (
	"bytes"
	"sync"
)

// plainStrict reports whether doc is JSON of a plain shape that is strict by
// its very form: objects whose names are printable ASCII without escapes
// (so that two names are the same name only when their bytes are), none
// repeated, at most plainNames of them; and values that are such objects,
// strings of printable ASCII with the short escapes (\" \\ \/ \b \f \n
// \r \t, never \u), RFC 8259 numbers, true, false or null; no
// whitespace, no array, no nesting deeper than plainDepth.
//
// What KwikPaisa signs, its dumps and the webhook logs stored of it are
// written this way (compact, ASCII): this walks them once, without the
// validator's state (CheckStrict). false says nothing about doc: the
// validator decides.
func plainStrict(doc []byte) bool {
	d := plainDocs.Get().(*PlainDoc)
	defer plainDocs.Put(d)
	return ParsePlain(doc, d)
}

// plainDocs are the documents plainStrict reads into and lets go.
var plainDocs = sync.Pool{New: func() any { return new(PlainDoc) }}

// plainNames bounds how many names an object plainStrict follows may have:
// a dump's records have about twenty.
const plainNames = 48

// plainDepth bounds how deeply plainStrict follows objects: recon's JSON
// nests three levels.
const plainDepth = 16

// plainByte is true for the bytes a plain string holds as they are:
// printable ASCII but the quote and the backslash.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

type plainScan struct {
	b []byte
	i int       // the next byte to read
	d *PlainDoc // where the values read go (plaindoc.go)
}

// str reads a string; escapes says whether it may hold the short escapes
// (a value) or none (a name).
func (s *plainScan) str(escapes bool) bool {
	b := s.b
	if s.i >= len(b) || b[s.i] != '"' {
		return false
	}
	for i := s.i + 1; i < len(b); i++ {
		for i < len(b) && plainByte[b[i]] {
			i++
		}
		if i == len(b) {
			return false
		}
		switch b[i] {
		case '"':
			s.i = i + 1
			return true
		case '\\':
			if !escapes || i+1 == len(b) {
				return false
			}
			i++
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			default:
				return false
			}
		default:
			return false // a control byte, DEL, or not ASCII
		}
	}
	return false
}

// number reads an RFC 8259 number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *plainScan) number() bool {
	b, i := s.b, s.i
	if b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		i = digits(b, i)
	default:
		return false
	}
	if i < len(b) && b[i] == '.' {
		j := digits(b, i+1)
		if j == i+1 {
			return false
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(b, i)
		if j == i {
			return false
		}
		i = j
	}
	s.i = i
	return true
}

// digits returns the index after the run of digits at b[i:].
func digits(b []byte, i int) int {
	for i < len(b) && '0' <= b[i] && b[i] <= '9' {
		i++
	}
	return i
}

func (s *plainScan) word(w string) bool {
	if !bytes.HasPrefix(s.b[s.i:], []byte(w)) {
		return false
	}
	s.i += len(w)
	return true
}
