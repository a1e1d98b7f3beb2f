package kwikpaisa

import (
	"errors"
	"strings"
	"testing"
)

// TestCheckStrict: what two JSON readers could read two ways is refused,
// with why; near misses that are strict pass.
func TestCheckStrict(t *testing.T) {
	tests := []struct {
		name, doc, why string // why "" is strict
	}{
		{name: "plain object", doc: `{"event":"payment.success","data":{"order_id":"A"}}`},
		{name: "surrogate pair", doc: `{"note":"\ud83d\ude00"}`},
		{name: "same key in two objects", doc: `{"a":{"id":1},"b":{"id":1}}`},
		{name: "same key in array items", doc: `[{"id":1},{"id":2}]`},
		{name: "keys differing in case", doc: `{"event":"a","Event":"b"}`},
		{name: "surrounding space", doc: " {\"a\":1}\n"},
		{name: "repeated key", doc: `{"event":"a","event":"b"}`, why: `duplicate object member name "event"`},
		{name: "repeated key spelled with an escape", doc: `{"event":"a","ev\u0065nt":"b"}`, why: `duplicate object member name "event"`},
		{name: "repeated nested key", doc: `{"data":{"order_id":"A","order_id":"B"}}`, why: `duplicate object member name "order_id" within "/data"`},
		{name: "invalid UTF-8", doc: "{\"a\":\"\xff\"}", why: "invalid UTF-8"},
		{name: "lone high surrogate", doc: `{"a":"\ud800"}`, why: "invalid surrogate pair"},
		{name: "lone low surrogate", doc: `{"a":"\udc00"}`, why: "invalid surrogate pair"},
		{name: "high surrogate then text", doc: `{"a":"\ud800x"}`, why: "invalid surrogate pair"},
		{name: "two values", doc: `{"a":1}{"a":2}`, why: "more than one JSON value"},
		{name: "empty", doc: ``, why: "no JSON value"},
		{name: "trailing comma", doc: `{"a":1,}`, why: "invalid character ','"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckStrict([]byte(tt.doc))
			if tt.why == "" {
				if err != nil {
					t.Fatalf("CheckStrict = %v, want strict", err)
				}
				return
			}
			if !errors.Is(err, ErrNotStrict) || !strings.Contains(err.Error(), tt.why) {
				t.Fatalf("CheckStrict = %v, want ErrNotStrict saying %q", err, tt.why)
			}
			if _, cerr := CanonicalJSON([]byte(tt.doc)); cerr == nil {
				t.Errorf("CanonicalJSON accepted a document that is not strict")
			}
		})
	}
}
