package pipeline

import (
	"runtime/debug"
	"testing"
)

// TestCollectLess: runs that overlap share the lower collection rate, the
// last to end restores the percentage there was before, and ending twice
// counts once.
func TestCollectLess(t *testing.T) {
	t.Setenv("GOGC", "")
	before := debug.SetGCPercent(150)
	defer debug.SetGCPercent(before)
	percent := func() int { p := debug.SetGCPercent(-1); debug.SetGCPercent(p); return p }

	a := collectLess()
	b := collectLess()
	if got := percent(); got != lessGC {
		t.Fatalf("two runs collecting less: GOGC %d, want %d", got, lessGC)
	}
	a()
	a()
	if got := percent(); got != lessGC {
		t.Errorf("one of two runs ended (twice): GOGC %d, want %d still", got, lessGC)
	}
	b()
	if got := percent(); got != 150 {
		t.Errorf("both runs ended: GOGC %d, want the 150 there was before", got)
	}

	t.Setenv("GOGC", "100")
	c := collectLess()
	if got := percent(); got != 150 {
		t.Errorf("GOGC set in the environment: %d, want it left alone (150)", got)
	}
	c()
}
