package ledger

import (
	"testing"

	"github.com/kwikpaisa/recon/internal/recon"
)

// TestPlacer: a stored line that is a line number is a place of the file's
// source; any other (a sheet's row, a leading zero, the API's call) is the
// place recon.PlaceOf makes of it, so both read back as they were stored.
func TestPlacer(t *testing.T) {
	ps := NewPlacers(map[int64]string{7: "orders.csv"})
	for _, line := range []string{"12", "Sheet1!4", "012", "123456789012", ""} {
		got, want := ps.Of(7).At([]byte(line)), recon.PlaceOf("orders.csv", line)
		if got != want || got.String() != want.String() {
			t.Errorf("line %q: place %v, want %v", line, got, want)
		}
	}
	if ps.Of(7) != ps.Of(7) {
		t.Error("a file's placer differs between two calls")
	}
}
