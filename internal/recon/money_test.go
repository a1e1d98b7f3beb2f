package recon

import (
	"math"
	"testing"

	"github.com/shopspring/decimal"
)

// TestSumExact: a Sum equals the decimal sum of its amounts, across int64
// overflow in both directions.
func TestSumExact(t *testing.T) {
	tests := [][]Amount{
		nil,
		{0},
		{12345, 67890, 1},
		{math.MaxInt64, math.MaxInt64, math.MaxInt64, 1},
		{math.MinInt64 + 1, -5, math.MinInt64 + 1, 7, math.MaxInt64},
		{math.MaxInt64, -1, 2, math.MaxInt64 - 3, 0, -math.MaxInt64},
	}
	for _, amounts := range tests {
		var s Sum
		want := decimal.Zero
		for _, a := range amounts {
			s.Add(a)
			want = want.Add(decimal.New(int64(a), -2))
		}
		if !s.Decimal().Equal(want) || s.String() != want.StringFixed(2) {
			t.Errorf("Sum of %v = %s, want %s", amounts, s.String(), want.StringFixed(2))
		}
	}
}
