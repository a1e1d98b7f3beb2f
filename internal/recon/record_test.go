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

// TestStatusClassWords: each class reads back from its word, no other word
// reads as one, and a value with no word names itself.
func TestStatusClassWords(t *testing.T) {
	for c := StatusNone; c <= StatusReversed; c++ {
		if got, ok := ParseStatusClass(c.String()); !ok || got != c {
			t.Errorf("ParseStatusClass(%q) = %v, %v; want %v, true", c.String(), got, ok, c)
		}
	}
	if StatusNotPaid.String() != "NOT_PAID" || StatusNone.String() != "" {
		t.Errorf("words %q %q; want NOT_PAID and none", StatusNotPaid, StatusNone)
	}
	for _, w := range []string{"success", "PAID", "REVERSED "} {
		if c, ok := ParseStatusClass(w); ok {
			t.Errorf("ParseStatusClass(%q) = %v, true; want not ok", w, c)
		}
	}
	if got := StatusClass(9).String(); got != "StatusClass(9)" {
		t.Errorf("StatusClass(9) = %q", got)
	}
	if got := VerifyMethod(7).String(); got != "VerifyMethod(7)" {
		t.Errorf("VerifyMethod(7) = %q", got)
	}
}
