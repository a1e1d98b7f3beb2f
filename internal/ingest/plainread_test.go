package ingest

import (
	"reflect"
	"testing"

	"github.com/kwikpaisa/recon/internal/kwikpaisa"
)

// plainSeeds are documents that are plain (kwikpaisa.ParsePlain) and some
// that are not: escapes of every kind in names and values, nesting, all
// the scalars.
var plainSeeds = []string{
	`{"a":"x\"y\\z\/w\b\f\n\r\t","b":-1.5e+3,"c":true,"d":false,"e":null,"f":{},"g":{"h":{"i":"j"}}}`,
	`{"body":"{\"data\":{\"amount\":\"1.00\",\"order_id\":\"A\"},\"event\":\"payment.success\"}","headers":{"X-Signature":"00"}}`,
	`{"z":1,"y":2,"x":{"z":3,"y":4}}`, `"just a string"`, `0`, `{}`, `{"a":"\u00e9"}`, `{"a":[1,"2",{"b":null}]}`,
	`{ "a" : 1 }`, `{"a":"é"}`, `{"\u0061":1}`,
}

// plainReadSeeds are FuzzPlainRead's seeds: plainSeeds, then the gateway
// records' and the deliveries'.
func plainReadSeeds() []string {
	return append(append(append([]string{}, plainSeeds...), gatewaySeeds...), deliverySeeds...)
}

// FuzzPlainRead: a document read in the pass that finds it plain holds the
// values fastjson reads of it, each string's escapes undone the same way;
// one that is not plain is read by fastjson alone, with the error
// checkJSON gives.
func FuzzPlainRead(f *testing.F) {
	for _, s := range plainReadSeeds() {
		f.Add(s)
	}
	plain, general := new(parser), new(parser)
	f.Fuzz(func(t *testing.T, doc string) {
		got, err := parseStrict(plain, []byte(doc))
		want, wantErr := general.parseAny([]byte(doc))
		if (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() {
			t.Fatalf("%q: read with error %v, fastjson's path %v", doc, err, wantErr)
		}
		if err != nil {
			return
		}
		if g, w := tree(plain, got), tree(general, want); !reflect.DeepEqual(g, w) {
			t.Fatalf("%q: read as\n%#v\nfastjson reads\n%#v", doc, g, w)
		}
	})
}

// tree is a value of p's document as plain Go values: an object as its
// members in order, an array as its items, a string as its text with the
// escapes undone, a number as written.
func tree(p *parser, v kwikpaisa.PlainValue) any {
	switch v.Kind {
	case '{', '[':
		var items []any
		for _, m := range p.doc.Members[v.First:v.End] {
			items = append(items, []any{string(m.Name), tree(p, m.Value)})
		}
		return []any{string(v.Kind), items}
	case '"':
		return "string " + string(p.stringBytes(&v))
	case '0':
		return "number " + string(v.Raw)
	}
	return string(v.Kind)
}
