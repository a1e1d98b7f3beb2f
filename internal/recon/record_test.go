package recon

import "testing"

// TestVerifyMethodWords checks that each method reads back from the word
// the store keeps, and that no other word reads as one.
func TestVerifyMethodWords(t *testing.T) {
	for _, v := range []VerifyMethod{VerifyNone, VerifyRaw, VerifyCanonical} {
		got, ok := ParseVerifyMethod(v.String())
		if !ok || got != v {
			t.Errorf("ParseVerifyMethod(%q) = %v, %v; want %v, true", v.String(), got, ok, v)
		}
	}
	if VerifyRaw.String() != "raw" || VerifyCanonical.String() != "canonical" || VerifyNone.String() != "" {
		t.Errorf("words %q %q %q; want \"\" raw canonical", VerifyNone, VerifyRaw, VerifyCanonical)
	}
	for _, w := range []string{"RAW", "canonical ", "none"} {
		if v, ok := ParseVerifyMethod(w); ok {
			t.Errorf("ParseVerifyMethod(%q) = %v, true; want not ok", w, v)
		}
	}
}
