package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCheckSettlements(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []string // each must be in one problem; none: no problems
	}{
		{"good", `[sources]
settlements = "settlements/{date}.*"
bank = "bank/{date}.*"
[settlements]
window = "2d"
bank_window = "4d"
gateway_pattern = "KWIK"
[fees]
default = "2.00%"
upi = "0%"
card = "1.90%"
"Net Banking" = "1.75% + 3.00"
gst_rate = "18%"
[columns.settlements]
settlement_id = "Batch"
[columns.bank]
credit = "Deposits"
`, nil},
		{"bad rates", `[fees]
card = "two percent"
gst_rate = "5.00"
`, []string{"fees.card", "fees.default: missing"}},
		{"gst fixed", `[fees]
default = "2%"
gst_rate = "5.00"
`, []string{"fees.gst_rate", "not a fixed amount"}},
		{"same method twice", `[fees]
default = "2%"
netbanking = "1%"
net_banking = "2%"
`, []string{"names the same payment method"}},
		{"windows", `[settlements]
window = "36h"
bank_window = "90d"
colour = "red"
`, []string{"settlements.window: want whole days", "settlements.bank_window: want at most 31 days", "settlements.colour: unknown setting"}},
		{"bank without settlements", `[sources]
bank = "bank/{date}.*"
`, []string{"set sources.settlements too"}},
		{"event words", `[settlements.events]
"payment captured" = "PAYMENT"
bonus = "GIFT"
`, []string{"settlements.events.bonus: unknown event type \"GIFT\""}},
		{"unknown column", `[columns.bank]
credits = "Deposit"
`, []string{"columns.bank.credits: unknown field"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, problems, err := Check(writeFile(t, tt.body))
			if err != nil {
				t.Fatal(err)
			}
			all := ""
			for _, p := range problems {
				all += p.String() + "\n"
			}
			if len(tt.want) == 0 && len(problems) > 0 {
				t.Fatalf("problems:\n%s want none", all)
			}
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("problems:\n%s want one saying %q", all, w)
				}
			}
			if tt.name == "good" {
				s, err := FeeSchedule(f.Fees)
				if err != nil || s.Default.String() != "2%" || s.Methods["netbanking"].String() != "1.75% + 3.00" || s.GSTPercent.String() != "18" {
					t.Errorf("FeeSchedule = %+v, %v", s, err)
				}
				if f.Settlements.Window.D != 48*time.Hour || f.Settlements.BankWindow.D != 96*time.Hour || f.Settlements.GatewayPattern != "KWIK" {
					t.Errorf("Settlements = %+v", f.Settlements)
				}
			}
		})
	}
}

func TestSettlementDefaults(t *testing.T) {
	f := Default()
	if f.Settlements.Window.D != 72*time.Hour || f.Settlements.BankWindow.D != 72*time.Hour || f.Settlements.GatewayPattern != "KWIKPAISA" {
		t.Errorf("defaults = %+v, want 3 days, 3 days, KWIKPAISA", f.Settlements)
	}
	if s, err := FeeSchedule(nil); s != nil || err != nil {
		t.Errorf("FeeSchedule(nil) = %v, %v; want no schedule", s, err)
	}
}

func TestExpandOne(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"2026-11-24.csv", "2026-11-25.xml", "2026-11-25.sta", ".2026-11-26.csv.tmp", "2026-11-260.csv"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tmpl := filepath.Join(dir, "{date}.*")
	tests := []struct {
		date, want, err string
	}{
		{"2026-11-24", filepath.Join(dir, "2026-11-24.csv"), ""},
		{"2026-11-25", "", "2026-11-25.sta and " + filepath.Join(dir, "2026-11-25.xml")},
		{"2026-11-26", "", ""},
		{"2026-11-27", "", ""},
	}
	for _, tt := range tests {
		got, err := ExpandOne(tmpl, tt.date)
		if got != tt.want || (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("ExpandOne(%s) = %q, %v; want %q, error ~%q", tt.date, got, err, tt.want, tt.err)
		}
	}
	if got, err := ExpandOne(filepath.Join(dir, "{date}.csv"), "2026-11-30"); err != nil || got != filepath.Join(dir, "2026-11-30.csv") {
		t.Errorf("ExpandOne without .* = %q, %v; want the path as expanded", got, err)
	}
}
