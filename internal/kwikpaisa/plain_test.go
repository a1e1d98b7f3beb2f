package kwikpaisa

import (
	"fmt"
	"strings"
	"testing"

	"github.com/go-json-experiment/json/jsontext"
)

// plainCases are documents plainStrict takes (plain true) and documents it
// leaves to the validator, strict or not.
var plainCases = []struct {
	name, doc string
	plain     bool
}{
	{"webhook body", `{"data":{"amount":"26420.25","currency":"INR","order_id":"ORD1","status":"PAID","transaction_id":"KPTXN6"},"event":"payment.success"}`, true},
	{"stored webhook line", `{"body":"{\"data\":{\"amount\":\"1.00\"},\"event\":\"payment.success\"}","headers":{"X-Signature":"ab","X-Timestamp":"1795458661"},"received_at":"2026-11-24T00:01:02.000+05:30"}`, true},
	{"gateway line", `{"bank_reference":"959785367645","kwikX_order_id":17791619460628703894,"order_amount":"3400.00","settled_at":null}`, true},
	{"every number form", `{"a":0,"b":-0,"c":12,"d":-12.5,"e":1e9,"f":1E+9,"g":1.5e-9,"h":true,"i":false}`, true},
	{"short escapes in a value", `{"a":"\"\\\/\b\f\n\r\t"}`, true},
	{"empty object and string", `{"a":{},"b":""}`, true},
	{"a bare string", `"text"`, true},
	{"a bare number", `-1.5`, true},

	{"names out of order", `{"event":"payment.success","data":{"order_id":"A","amount":"1.00"}}`, true},
	{"a repeated name", `{"a":1,"a":2}`, false},
	{"a name repeated after the names fell", `{"b":1,"a":2,"b":3}`, false},
	{"a name repeated after the names fell, not last", `{"c":1,"a":2,"b":3,"a":4}`, false},
	{"as many names as followed", manyNames(plainNames), true},
	{"more names than followed", manyNames(plainNames + 1), false},
	{"a repeated name spelled with an escape", `{"a":1,"\u0061":2}`, false},
	{"an escape in a name", `{"a\"":1}`, false},
	{"a \\u escape in a value", `{"a":"\u00e9"}`, false},
	{"a lone surrogate", `{"a":"\ud800"}`, false},
	{"not ASCII", "{\"a\":\"caf\xc3\xa9\"}", false},
	{"invalid UTF-8", "{\"a\":\"\xff\"}", false},
	{"a control byte", "{\"a\":\"\x01\"}", false},
	{"DEL", "{\"a\":\"\x7f\"}", false},
	{"a bad escape", `{"a":"\x"}`, false},
	{"space", `{"a": 1}`, false},
	{"a newline after", "{\"a\":1}\n", false},
	{"an array", `{"a":[1]}`, false},
	{"a leading zero", `{"a":01}`, false},
	{"a bare point", `{"a":1.}`, false},
	{"a point first", `{"a":.5}`, false},
	{"a minus alone", `{"a":-}`, false},
	{"a plus", `{"a":+1}`, false},
	{"an empty exponent", `{"a":1e}`, false},
	{"a signed empty exponent", `{"a":1e+}`, false},
	{"NaN", `{"a":NaN}`, false},
	{"a word cut short", `{"a":tru}`, false},
	{"a word run on", `{"a":truex}`, false},
	{"a trailing comma", `{"a":1,}`, false},
	{"two values", `{"a":1}{"b":2}`, false},
	{"cut short", `{"a":"b`, false},
	{"an escape cut short", `{"a":"b\`, false},
	{"no value", `{"a":}`, false},
	{"no colon", `{"a"1}`, false},
	{"empty", ``, false},
	{"too deep", strings.Repeat(`{"a":`, plainDepth+1) + `1` + strings.Repeat(`}`, plainDepth+1), false},
}

// manyNames is an object of n names, in falling order.
func manyNames(n int) string {
	var b strings.Builder
	b.WriteString("{")
	for i := n; i > 0; i-- {
		if i < n {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `"n%03d":%d`, i, i)
	}
	return b.String() + "}"
}

// TestPlainStrict: plainStrict takes the plain shapes and leaves every
// other to the validator, which CheckStrict then asks: its verdict on each
// is the validator's alone.
func TestPlainStrict(t *testing.T) {
	for _, tt := range plainCases {
		t.Run(tt.name, func(t *testing.T) {
			doc := []byte(tt.doc)
			if got := plainStrict(doc); got != tt.plain {
				t.Fatalf("plainStrict(%q) = %v, want %v", tt.doc, got, tt.plain)
			}
			valid := jsontext.Value(doc).IsValid()
			if tt.plain && !valid {
				t.Fatalf("plainStrict took %q, which the validator refuses", tt.doc)
			}
			if err := CheckStrict(doc); (err == nil) != valid {
				t.Fatalf("CheckStrict(%q) = %v, the validator says valid %v", tt.doc, err, valid)
			}
		})
	}
}

// FuzzPlainStrict: whatever plainStrict (ParsePlain) takes, the validator
// takes too.
func FuzzPlainStrict(f *testing.F) {
	for _, tt := range plainCases {
		f.Add([]byte(tt.doc))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		if plainStrict(doc) && !jsontext.Value(doc).IsValid() {
			t.Fatalf("plainStrict took %q, which the validator refuses", doc)
		}
	})
}
