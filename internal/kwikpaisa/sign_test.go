package kwikpaisa

import (
	"strconv"
	"strings"
	"testing"
)

func TestCanonicalJSON(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"b": 1, "a": {"d": [3, {"z": 1, "y": 2}], "c": "x/y"}}`, `{"a":{"c":"x/y","d":[3,{"y":2,"z":1}]},"b":1}`},
		{`{"amount": 105.00, "id": 123456789012345678901234}`, `{"amount":105.00,"id":123456789012345678901234}`},
		{`{"html": "<a&b>", "u": "₹"}`, `{"html":"<a&b>","u":"₹"}`},
		{`{"n": null, "t": true, "f": false}`, `{"f":false,"n":null,"t":true}`},
	}
	for _, tt := range tests {
		got, err := CanonicalJSON([]byte(tt.in))
		if err != nil || string(got) != tt.want {
			t.Errorf("CanonicalJSON(%s) = %s, %v; want %s", tt.in, got, err, tt.want)
		}
	}
	if _, err := CanonicalJSON([]byte(`{"a":1} {"b":2}`)); err == nil {
		t.Error("trailing data accepted")
	}
}

// TestSignVector pins the signature of a known request: if it changes, the
// gateway would reject every request.
func TestSignVector(t *testing.T) {
	body := []byte(`{"order_id":"ORD-1001"}`)
	got := Sign("sk_test_vector", body, "1763959502")
	// Computed independently: python3 -c 'import hmac,hashlib;
	// print(hmac.new(b"sk_test_vector", b"{\"order_id\":\"ORD-1001\"}1763959502",
	// hashlib.sha256).hexdigest())'
	const want = "71952a3d173a4d6db09de37532574b8678a4cfbf5e16e7916dec0a75f6a7e48b"
	if got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
	if !Verify("sk_test_vector", body, "1763959502", got) {
		t.Fatal("Verify refuses Sign's own signature")
	}
	if Verify("sk_test_vector", body, "1763959503", got) {
		t.Error("Verify accepts another timestamp")
	}
	if Verify("sk_test_vector", body, "1763959502", got[:62]) {
		t.Error("Verify accepts a signature of the wrong length")
	}
}

// TestVerifierReuse: one Verifier used for many messages in turn gives
// each the verdict a fresh Verify gives, whatever came before.
func TestVerifierReuse(t *testing.T) {
	v := NewVerifier("whsec_reuse")
	other := Sign("whsec_other", []byte(`{"a":1}`), "1")
	for i := range 50 {
		msg := []byte(strings.Repeat("x", i*7))
		ts := strconv.Itoa(1763959502 + i)
		sig := Sign("whsec_reuse", msg, ts)
		cases := []struct {
			sig  string
			want bool
		}{
			{sig, true},
			{strings.ToUpper(sig), true}, // hex in either case
			{other, false},
			{sig[:62], false},
			{sig[:62] + "zz", false},
			{"", false},
		}
		for _, c := range cases {
			if got := v.Verify(msg, ts, c.sig); got != c.want || Verify("whsec_reuse", msg, ts, c.sig) != c.want {
				t.Fatalf("message %d, signature %q: Verifier says %v, want %v", i, c.sig, got, c.want)
			}
		}
	}
}

func BenchmarkVerifier(b *testing.B) {
	sig := Sign("whsec_bench_2026", benchBody, benchTS)
	v := NewVerifier("whsec_bench_2026")
	b.SetBytes(int64(len(benchBody)))
	for b.Loop() {
		if !v.Verify(benchBody, benchTS, sig) {
			b.Fatal("Verify=false, want true")
		}
	}
}
