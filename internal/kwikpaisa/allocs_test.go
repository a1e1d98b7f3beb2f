//go:build !race

package kwikpaisa

import "testing"

// TestVerifierAllocs: a Verifier checks a delivery's signature without an
// allocation (a webhook log has millions).
func TestVerifierAllocs(t *testing.T) {
	body := []byte(`{"event":"payment.success","data":{"order_id":"ORD1","amount":"10.00"}}`)
	const ts = "1795495502"
	sig := Sign("whsec_test", body, ts)
	v := NewVerifier("whsec_test")
	allocs := testing.AllocsPerRun(100, func() {
		if !v.Verify(body, ts, sig) {
			t.Fatal("signature did not verify")
		}
	})
	if allocs != 0 {
		t.Errorf("Verify: %v allocations, want 0", allocs)
	}
}
