package kwikpaisa

import "testing"

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
