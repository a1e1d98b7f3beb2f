package kwikpaisa

import (
	"bytes"
	"errors"
	"io"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
)

// ErrNotStrict is the error of a document that is not strict JSON.
var ErrNotStrict = errors.New("not strict JSON")

// CheckStrict reports whether doc is one strict JSON value (RFC 7493,
// I-JSON): no object key repeated at any level (however its name is
// escaped), valid UTF-8 and no lone surrogate, nothing after the value.
// Two readers of a document that is not strict may read it two ways (one
// keeps the first copy of a repeated key, another the last), so nothing
// that is not strict is verified, canonicalised or read (SPEC §2.3). The
// error wraps ErrNotStrict and says what is wrong and where (a key
// name, a JSON pointer), not the document.
func CheckStrict(doc []byte) error {
	// The validator rejects repeated names and invalid UTF-8 by default and
	// does not allocate; the decoder runs only to say why. A plain document
	// (plainStrict: compact, printable ASCII, no escaped or repeated name) is
	// strict by its form.
	if plainStrict(doc) || jsontext.Value(doc).IsValid() {
		return nil
	}
	dec := jsontext.NewDecoder(bytes.NewReader(doc))
	err := dec.SkipValue()
	if err == io.EOF {
		err = errors.New("no JSON value")
	} else if err == nil {
		_, err = dec.ReadToken()
		switch err {
		case nil:
			err = errors.New("more than one JSON value")
		case io.EOF:
			err = errors.New("not one JSON value") // not seen: the validator and the decoder agree
		}
	}
	return &StrictError{Reason: strings.TrimPrefix(err.Error(), "jsontext: ")}
}

// StrictError is why a document is not strict JSON.
type StrictError struct {
	Reason string // e.g. `duplicate object member name "event"`
}

func (e *StrictError) Error() string        { return ErrNotStrict.Error() + ": " + e.Reason }
func (e *StrictError) Is(target error) bool { return target == ErrNotStrict }
