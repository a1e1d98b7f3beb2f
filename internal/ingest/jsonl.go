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

// parser is a JSON parser with the arena the text read from its values is
// copied into.
type parser struct {
	p fastjson.Parser
	a arena
}

// object is one decoded JSON object. Its values are valid until the parser
// it came from is put back or parses again; the strings read from them
// (str, id, text) are copies, in the parser's arena.
type object struct {
	o *fastjson.Object
	a *arena
}

// jsonObject decodes one JSON object with p, keeping numbers exactly as
// written, once checkJSON has passed it.
func jsonObject(p *parser, data []byte) (object, error) {
	if err := checkJSON(data); err != nil {
		return object{}, err
	}
	return parseChecked(p, data)
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

// parseChecked decodes a document checkJSON passed: fastjson's parser is
// lenient, and its values are read only once the text is known strict.
func parseChecked(p *parser, data []byte) (object, error) {
	v, err := p.p.ParseBytes(data)
	if err != nil {
		return object{}, err
	}
	o, err := v.Object()
	if err != nil {
		return object{}, fmt.Errorf("not a JSON object")
	}
	return object{o, &p.a}, nil
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

// has reports whether the object has the key.
func (o object) has(key string) bool { return o.o.Get(key) != nil }

// str returns a field as text: a string as is, a number exactly as written,
// a boolean as true/false, null, absent or a nested value as "". Identifiers
// are read with id instead.
func (o object) str(key string) string {
	return o.text(o.o.Get(key))
}

// id returns an identifier field: a JSON string as is, a number exactly as
// written, "" when absent or null. A boolean, object or array is no
// identifier: reading `true` as the key "true" would match a record to
// an order it does not name.
func (o object) id(key string) (string, *fieldError) {
	v := o.o.Get(key)
	if v == nil {
		return "", nil
	}
	switch v.Type() {
	case fastjson.TypeString, fastjson.TypeNumber, fastjson.TypeNull:
		return o.text(v), nil
	}
	return "", &fieldError{column: key, value: truncate(string(v.MarshalTo(nil)), 80),
		reason: fmt.Sprintf("%s is a JSON %s; an identifier is a string or a number", key, v.Type())}
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
func (o object) text(v *fastjson.Value) string {
	if v == nil {
		return ""
	}
	switch v.Type() {
	case fastjson.TypeString:
		b, _ := v.StringBytes()
		return o.a.string(b)
	case fastjson.TypeNumber:
		o.a.num = v.MarshalTo(o.a.num[:0])
		return o.a.string(o.a.num)
	case fastjson.TypeTrue:
		return "true"
	case fastjson.TypeFalse:
		return "false"
	}
	return ""
}

// obj returns a nested object.
func (o object) obj(key string) (object, bool) {
	v := o.o.Get(key)
	if v == nil || v.Type() != fastjson.TypeObject {
		return object{a: o.a}, false
	}
	n, _ := v.Object()
	return object{n, o.a}, true
}
