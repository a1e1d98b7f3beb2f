package kwikpaisa

import "bytes"

// A PlainDoc is what ParsePlain read of a plain document (plainStrict):
// its root value and the members of its objects, each object's members in
// one run of Members, in the order written. A reader of dumps and logs,
// which KwikPaisa writes plain, reads their values from it in the pass
// that finds them strict, rather than parsing each line a second time.
type PlainDoc struct {
	Root    PlainValue
	Members []PlainMember
	open    []PlainMember // the members of the objects being read
}

// A PlainMember is one member of an object: its name and its value.
type PlainMember struct {
	Name  []byte // as written: a plain name has no escape
	Value PlainValue
}

// A PlainValue is one value of a document.
type PlainValue struct {
	// Raw is the value's text as written: a string with its quotes and
	// escapes, a number's digits, an object's braces and members.
	Raw []byte
	// Kind is '{' (an object), '[' (an array), '"' (a string), '0' (a
	// number), 't' (true), 'f' (false) or 'n' (null).
	Kind byte
	// Escaped says a string holds escapes (the short ones of a plain
	// document: \" \\ \/ \b \f \n \r \t); its text is then Unescape's.
	Escaped bool
	// First and End bound an object's members, or an array's items (their
	// names nil), in the document's Members.
	First, End int32
}

// Text returns a string's bytes when it holds no escape (Escaped false):
// Raw without its quotes.
func (v *PlainValue) Text() []byte { return v.Raw[1 : len(v.Raw)-1] }

// Unescape appends to dst the text of a plain string with escapes: the
// short escapes, the only ones a plain document holds, undone.
func Unescape(dst, raw []byte) []byte {
	s := raw[1 : len(raw)-1]
	for {
		i := bytes.IndexByte(s, '\\')
		if i < 0 || i+1 == len(s) {
			return append(dst, s...)
		}
		dst = append(dst, s[:i]...)
		switch c := s[i+1]; c {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		default: // '"', '\\', '/'
			dst = append(dst, c)
		}
		s = s[i+2:]
	}
}

// ParsePlain reports whether doc is plain, strict by its very form
// (plainStrict), and when it is reads its values into d, reusing d's
// memory; d's bytes point into doc. false says nothing about doc: the
// validator decides (CheckStrict).
func ParsePlain(doc []byte, d *PlainDoc) bool {
	d.Members, d.open = d.Members[:0], d.open[:0]
	p := plainScan{b: doc, d: d}
	v, ok := p.value(0)
	if !ok || p.i != len(doc) {
		return false
	}
	d.Root = v
	return true
}

func (p *plainScan) value(depth int) (PlainValue, bool) {
	if p.i >= len(p.b) {
		return PlainValue{}, false
	}
	start := p.i
	var ok bool
	var kind byte
	switch c := p.b[p.i]; {
	case c == '{':
		if depth >= plainDepth {
			return PlainValue{}, false
		}
		return p.object(depth + 1)
	case c == '"':
		ok, kind = p.str(true), '"'
	case c == '-' || '0' <= c && c <= '9':
		ok, kind = p.number(), '0'
	case c == 't':
		ok, kind = p.word("true"), 't'
	case c == 'f':
		ok, kind = p.word("false"), 'f'
	case c == 'n':
		ok, kind = p.word("null"), 'n'
	}
	if !ok {
		return PlainValue{}, false
	}
	v := PlainValue{Raw: p.b[start:p.i], Kind: kind}
	if kind == '"' {
		v.Escaped = bytes.IndexByte(v.Raw, '\\') >= 0
	}
	return v, true
}

// object reads an object: names printable ASCII without escapes, none
// repeated, at most plainNames. Its members join d.Members once all are
// read, after those of the objects inside it.
func (p *plainScan) object(depth int) (PlainValue, bool) {
	start := p.i
	p.i++ // the '{'
	base := len(p.d.open)
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		n := int32(len(p.d.Members))
		return PlainValue{Raw: p.b[start:p.i], Kind: '{', First: n, End: n}, true
	}
	// While the names rise, a name above the last is above them all and
	// repeats none.
	rising := true
	for {
		nameStart := p.i
		if !p.str(false) || len(p.d.open)-base == plainNames {
			return PlainValue{}, false
		}
		name := p.b[nameStart+1 : p.i-1]
		names := p.d.open[base:]
		if n := len(names); n > 0 && rising && bytes.Compare(names[n-1].Name, name) >= 0 {
			rising = false
		}
		if !rising {
			for _, prev := range names {
				if bytes.Equal(prev.Name, name) {
					return PlainValue{}, false // repeated: the validator says so
				}
			}
		}
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			return PlainValue{}, false
		}
		p.i++
		v, ok := p.value(depth)
		if !ok || p.i >= len(p.b) {
			return PlainValue{}, false
		}
		p.d.open = append(p.d.open, PlainMember{Name: name, Value: v})
		switch p.b[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			first := int32(len(p.d.Members))
			p.d.Members = append(p.d.Members, p.d.open[base:]...)
			p.d.open = p.d.open[:base]
			return PlainValue{Raw: p.b[start:p.i], Kind: '{', First: first, End: int32(len(p.d.Members))}, true
		default:
			return PlainValue{}, false
		}
	}
}
