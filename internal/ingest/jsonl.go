package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/valyala/fastjson"

	"github.com/kwikpaisa/recon/internal/kwikpaisa"
)

// parsers are reusable JSON parsers: a gateway dump or webhook log of
// millions of lines is decoded without a map or an allocation per field.
var parsers = sync.Pool{New: func() any { return new(parser) }}

// parser reads JSON documents, and holds what it read of the last one and
// the arena the text read from its values is copied into.
type parser struct {
	doc kwikpaisa.PlainDoc
	p   fastjson.Parser // for a document that is strict but not plain
	a   arena
	// text holds strings with escapes, undone: valid until the parser
	// reads again.
	text []byte
}

// object is one decoded JSON object: its members in the parser's document.
// Its values are valid until the parser it came from is put back or reads
// again; the strings read from them (str, id, text) are copies, in the
// parser's arena.
type object struct {
	p          *parser
	first, end int32
}

// jsonObject decodes one strict JSON object with p (parseStrict), keeping
// numbers exactly as written.
func jsonObject(p *parser, data []byte) (object, error) {
	root, err := parseStrict(p, data)
	if err != nil {
		return object{}, err
	}
	return p.object(root)
}

// parseStrict reads a document with p when checkJSON passes it, and
// returns its root value; the error is checkJSON's. A plain document (what
// KwikPaisa writes: kwikpaisa.ParsePlain) is read in the pass that finds
// it strict; any other is checked, then parsed by fastjson, whose values
// are copied into p's document as a plain one's are laid out.
func parseStrict(p *parser, data []byte) (kwikpaisa.PlainValue, error) {
	if err := checkDepth(data); err != nil {
		return kwikpaisa.PlainValue{}, err
	}
	p.text = p.text[:0]
	if kwikpaisa.ParsePlain(data, &p.doc) {
		return p.doc.Root, nil
	}
	return p.parseAny(data)
}

// parseAny is parseStrict for any document: checkJSON, then fastjson.
// fastjson's parser is lenient: its values are read only once the text is
// known strict.
func (p *parser) parseAny(data []byte) (kwikpaisa.PlainValue, error) {
	if err := checkJSON(data); err != nil {
		return kwikpaisa.PlainValue{}, err
	}
	v, err := p.p.ParseBytes(data)
	if err != nil {
		return kwikpaisa.PlainValue{}, err
	}
	p.doc.Members, p.text = p.doc.Members[:0], p.text[:0]
	p.doc.Root = p.copyValue(v)
	return p.doc.Root, nil
}

// copyValue copies a value fastjson read, and the values inside it, into
// p's document as kwikpaisa.ParsePlain lays out a plain one: an object's
// members (an array's items) in one run, after those of the values inside
// them. A string's text is kept undone (Escaped false).
func (p *parser) copyValue(v *fastjson.Value) kwikpaisa.PlainValue {
	var c kwikpaisa.PlainValue
	var members []kwikpaisa.PlainMember
	switch v.Type() {
	case fastjson.TypeObject:
		c.Kind = '{'
		o, _ := v.Object()
		o.Visit(func(k []byte, v *fastjson.Value) {
			members = append(members, kwikpaisa.PlainMember{Name: k, Value: p.copyValue(v)})
		})
	case fastjson.TypeArray:
		c.Kind = '['
		items, _ := v.Array()
		for _, it := range items {
			members = append(members, kwikpaisa.PlainMember{Value: p.copyValue(it)})
		}
	case fastjson.TypeString:
		// Raw holds the text undone between quotes, as PlainValue.Text
		// reads it (Escaped false).
		b, _ := v.StringBytes()
		c.Kind, c.Raw = '"', append(append(append(make([]byte, 0, len(b)+2), '"'), b...), '"')
	case fastjson.TypeNumber:
		c.Kind = '0'
	case fastjson.TypeTrue:
		c.Kind = 't'
	case fastjson.TypeFalse:
		c.Kind = 'f'
	default:
		c.Kind = 'n'
	}
	if c.Kind != '"' {
		c.Raw = v.MarshalTo(nil) // as fastjson writes it, for messages
	}
	if c.Kind == '{' || c.Kind == '[' {
		c.First = int32(len(p.doc.Members))
		p.doc.Members = append(p.doc.Members, members...)
		c.End = int32(len(p.doc.Members))
	}
	return c
}

// object returns v as an object of p's document.
func (p *parser) object(v kwikpaisa.PlainValue) (object, error) {
	if v.Kind != '{' {
		return object{}, fmt.Errorf("not a JSON object")
	}
	return object{p, v.First, v.End}, nil
}

// stringBytes returns a string value's text, its escapes undone; it is
// valid until the parser reads again.
func (p *parser) stringBytes(v *kwikpaisa.PlainValue) []byte {
	if !v.Escaped {
		return v.Text()
	}
	if cap(p.text)-len(p.text) < len(v.Raw) {
		// A new buffer rather than a larger copy of this one: the text
		// already handed out points into this one.
		p.text = make([]byte, 0, max(4096, len(v.Raw)))
	}
	n := len(p.text)
	p.text = kwikpaisa.Unescape(p.text, v.Raw)
	return p.text[n:]
}

// kindName names a value's kind as a message says it ("a JSON number").
func kindName(kind byte) string {
	switch kind {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case '0':
		return "number"
	case 't':
		return "true"
	case 'f':
		return "false"
	}
	return "null"
}

// checkJSON refuses a document that is not one strict JSON value: RFC 8259
// (no NaN, no bad escapes, no control characters, one value only), and no
// key repeated at any level, valid UTF-8, no lone surrogate
// (kwikpaisa.CheckStrict). fastjson, which reads the values, keeps the
// first copy of a repeated key where another reader keeps the last: a
// document two readers could read two ways is read by neither.
func checkJSON(data []byte) error {
	if err := checkDepth(data); err != nil {
		return err
	}
	err := kwikpaisa.CheckStrict(data)
	if err == nil {
		return nil
	}
	// A syntax error is told in the words the rejects have always used.
	if ferr := fastjson.ValidateBytes(data); ferr != nil {
		if strings.Contains(ferr.Error(), "unexpected tail") {
			return fmt.Errorf("more than one JSON value on the line")
		}
		return errors.New(plainJSONError(ferr))
	}
	return err
}

// maxDepth bounds how deeply a line's arrays and objects may nest. recon's
// JSON nests three levels at most; the validator recurses once per level,
// so a hostile line of a million '[' must be refused before it runs.
const maxDepth = 64

// checkDepth refuses a document nested deeper than maxDepth, counting the
// brackets outside strings. A string is skipped to its closing quote (one
// not escaped by an odd run of backslashes) with bytes.IndexByte: a webhook
// line is mostly its escaped body.
func checkDepth(data []byte) error {
	// Nothing nests deeper than it has opening brackets: counting them
	// (vectorised) settles almost every line without walking its strings.
	if bytes.Count(data, []byte{'{'})+bytes.Count(data, []byte{'['}) <= maxDepth {
		return nil
	}
	depth := 0
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '"':
			for {
				j := bytes.IndexByte(data[i+1:], '"')
				if j < 0 {
					return nil // an unterminated string: the validator says so
				}
				i += j + 1
				backslashes := 0
				for k := i - 1; data[k] == '\\'; k-- {
					backslashes++
				}
				if backslashes%2 == 0 {
					break
				}
			}
		case '{', '[':
			depth++
			if depth > maxDepth {
				return fmt.Errorf("nested more than %d levels deep", maxDepth)
			}
		case '}', ']':
			depth--
		}
	}
	return nil
}

// plainJSONError is the validator's message without its frame: "cannot
// parse JSON: unexpected value found: \"x\"; unparsed tail: \"x\"" becomes
// "unexpected value found: \"x\"" (the reject's value shows the text).
func plainJSONError(err error) string {
	msg := strings.TrimPrefix(err.Error(), "cannot parse JSON: ")
	if i := strings.Index(msg, "; unparsed tail:"); i >= 0 {
		msg = msg[:i]
	}
	return msg
}

// get returns the value of the member named key, nil when there is none.
func (o object) get(key string) *kwikpaisa.PlainValue {
	members := o.members()
	for i := range members {
		if string(members[i].Name) == key {
			return &members[i].Value
		}
	}
	return nil
}

// members returns the object's members.
func (o object) members() []kwikpaisa.PlainMember {
	if o.p == nil {
		return nil
	}
	return o.p.doc.Members[o.first:o.end]
}

// has reports whether the object has the key.
func (o object) has(key string) bool { return o.get(key) != nil }

// str returns a field as text: a string as is, a number exactly as written,
// a boolean as true/false, null, absent or a nested value as "". Identifiers
// are read with id instead.
func (o object) str(key string) string {
	return o.text(o.get(key))
}

// id returns an identifier field: a JSON string as is, a number exactly as
// written, "" when absent or null. A boolean, object or array is no
// identifier: reading `true` as the key "true" would match a record to
// an order it does not name.
func (o object) id(key string) (string, *fieldError) {
	v := o.get(key)
	if v == nil {
		return "", nil
	}
	switch v.Kind {
	case '"', '0', 'n':
		return o.text(v), nil
	}
	return "", &fieldError{column: key, value: truncate(string(v.Raw), 80),
		reason: fmt.Sprintf("%s is a JSON %s; an identifier is a string or a number", key, kindName(v.Kind))}
}

// ids reads the identifier fields names into dst, in order; the first that
// is no identifier is the error.
func (o object) ids(dst []string, names ...string) *fieldError {
	for i, name := range names {
		v, fe := o.id(name)
		if fe != nil {
			return fe
		}
		dst[i] = v
	}
	return nil
}

// text is a value as str reads it, copied into o's arena.
func (o object) text(v *kwikpaisa.PlainValue) string {
	if v == nil {
		return ""
	}
	switch v.Kind {
	case '"':
		return o.p.a.string(o.p.stringBytes(v))
	case '0':
		return o.p.a.string(v.Raw)
	case 't':
		return "true"
	case 'f':
		return "false"
	}
	return ""
}

// obj returns a nested object; when there is none, an empty object of the
// same parser, which reads as one without members.
func (o object) obj(key string) (object, bool) {
	v := o.get(key)
	if v == nil || v.Kind != '{' {
		return object{p: o.p}, false
	}
	return object{o.p, v.First, v.End}, true
}
