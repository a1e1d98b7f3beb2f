package recon

import (
	"testing"

	"github.com/shopspring/decimal"
)

func TestExpectedFee(t *testing.T) {
	tests := []struct {
		name   string
		rate   string
		amount Amount
		want   Amount
	}{
		{"exact", "2.00%", 10000, 200},
		{"half paisa rounds up", "1.90%", 250, 5},            // 2.50 × 1.9% = 0.0475 → 0.05
		{"just below half rounds down", "1.90%", 236, 4},     // 0.04484 → 0.04
		{"x.xx5 exactly rounds up", "2.00%", 1025, 21},       // 10.25 × 2% = 0.205 → 0.21
		{"x.xx5 less a hair rounds down", "2.00%", 1024, 20}, // 0.2048 → 0.20
		{"fixed only", "3.00", 99999, 300},
		{"percent and fixed", "1.75% + 3.00", 100000, 2050},                // 17.50 + 3.00
		{"half on the percent part with fixed", "1.75% + 3.00", 2000, 335}, // 0.35 + 3.00
		{"zero rate", "0%", 123456, 0},
		{"half of odd paise", "0.5%", 101, 1}, // 0.00505 → 0.01
		{"large", "1.90%", 1_000_000_000_00, 1_900_000_000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseRate(tt.rate)
			if err != nil {
				t.Fatalf("ParseRate(%q): %v", tt.rate, err)
			}
			if got := ExpectedFee(r, tt.amount); got != tt.want {
				t.Fatalf("ExpectedFee(%s, %s) = %s, want %s", tt.rate, tt.amount, got, tt.want)
			}
		})
	}
}

func TestExpectedTax(t *testing.T) {
	tests := []struct {
		name string
		gst  string
		fee  Amount
		want Amount
	}{
		{"exact", "18", 100, 18},
		{"x.xx5 exactly rounds up", "18", 25, 5},         // 0.25 × 18% = 0.045 → 0.05
		{"below half rounds down", "18", 24, 4},          // 0.0432 → 0.04
		{"just over half", "18", 14, 3},                  // 0.0252 → 0.03
		{"x.xx5 on a larger fee", "18", 1975, 356},       // 19.75 × 18% = 3.555 → 3.56
		{"x.xx5 less one paisa of fee", "18", 1974, 355}, // 3.5532 → 3.55
		{"zero fee", "18", 0, 0},
		{"fractional rate", "12.5", 3, 0}, // 0.00375 → 0.00
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ExpectedTax(decimal.RequireFromString(tt.gst), tt.fee); got != tt.want {
				t.Fatalf("ExpectedTax(%s%%, %s) = %s, want %s", tt.gst, tt.fee, got, tt.want)
			}
		})
	}
}

func TestParseRate(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{"2.00%", "2%", false},
		{"0%", "0%", false},
		{"3.00", "3.00", false},
		{"1.75% + 3.00", "1.75% + 3.00", false},
		{"3 + 1.75%", "1.75% + 3.00", false},
		{"", "", true},
		{"-1%", "", true},
		{"101%", "", true},
		{"1% + 2% ", "", true},
		{"3.001", "", true},
		{"two percent", "", true},
		{"1% + 2 + 3", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			r, err := ParseRate(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseRate(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			}
			if err == nil && r.String() != tt.want {
				t.Fatalf("ParseRate(%q) = %s, want %s", tt.in, r, tt.want)
			}
		})
	}
}
