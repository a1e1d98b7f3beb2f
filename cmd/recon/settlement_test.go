package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kwikpaisa/recon/internal/synth"
)

// TestRunSettlementFlags runs the fixture day's ledgers with one
// settlement report and one bank statement given by flag: the run reads
// those two files only, and refuses a bank statement without a settlement
// report, or a flag naming a file that does not exist.
func TestRunSettlementFlags(t *testing.T) {
	inRepoRoot(t)
	t.Setenv("KWIKPAISA_WEBHOOK_SECRET", fixtureSecret)
	day := filepath.Join("fixtures", "day", fixtureDate)
	report := filepath.Join("fixtures", "day", "settlements", fixtureDate+".xlsx")
	bank := filepath.Join("fixtures", "day", "bank", fixtureDate+".csv")
	tests := []struct {
		name     string
		extra    []string
		wantCode int
		want     string // in stdout, or in stderr for a failure
	}{
		{"both", []string{"--settlements", report, "--bank", bank}, 0, "settled   "},
		{"bank alone", []string{"--bank", bank}, 2, "a bank statement is matched against settlement reports"},
		{"missing file", []string{"--settlements", filepath.Join(day, "nope.csv")}, 1, "nope.csv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmp := t.TempDir()
			args := append(dayRun(day, tmp), tt.extra...)
			code, stdout, stderr := runRecon(t, fixtureNow, args...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.wantCode, stderr)
			}
			if out := stdout + stderr; !strings.Contains(out, tt.want) {
				t.Fatalf("output does not say %q:\n%s", tt.want, out)
			}
			if code != 0 {
				return
			}
			b, err := os.ReadFile(filepath.Join(tmp, "out", fixtureDate, "summary.csv"))
			if err != nil {
				t.Fatal(err)
			}
			var inputs []string
			for _, line := range strings.Split(string(b), "\n") {
				if strings.HasPrefix(line, "input,") && strings.HasSuffix(line, ",rows_read,"+strings.Split(line, ",")[3]) {
					inputs = append(inputs, filepath.Base(strings.Split(line, ",")[1]))
				}
			}
			if got := strings.Join(inputs, " "); got != "orders.csv payouts.csv gateway.jsonl webhooks.jsonl 2026-11-24.xlsx 2026-11-24.csv" {
				t.Errorf("inputs read: %s", got)
			}
			// Given by flag, the report of the 25th is not read: the day's
			// settled payments there are UNSETTLED.
			s, err := os.ReadFile(filepath.Join(tmp, "out", fixtureDate, "settlements.csv"))
			if err != nil || !strings.Contains(string(s), "UNSETTLED,PAYIN,") {
				t.Errorf("settlements.csv without the next day's report: %v\n%s", err, s)
			}
		})
	}
}

// TestPlantedSettlementsAtRate generates a day with its settlement side
// and many planted sets, runs it with the settlement templates, and wants
// exactly the planted exceptions, settlement categories included: the
// ordinary settlements (claimed by UTR from a CAMT.053 statement) and the
// other sets make no exception of their own.
func TestPlantedSettlementsAtRate(t *testing.T) {
	t.Setenv("KWIKPAISA_WEBHOOK_SECRET", fixtureSecret)
	tmp := t.TempDir()
	root := filepath.Join(tmp, "data")
	day := filepath.Join(root, fixtureDate)
	if _, err := synth.Write(day, synth.Params{Date: fixtureDate, Orders: 3000, Payouts: 300, Seed: 5,
		WebhookSecret: fixtureSecret, Plant: true, PlantRate: 0.02, SettleDir: root}); err != nil {
		t.Fatalf("synth.Write: %v", err)
	}
	conf := filepath.Join(tmp, "recon.toml")
	body := "[sources]\nsettlements = \"data/settlements/{date}.*\"\nbank = \"data/bank/{date}.*\"\n[fees]\n"
	for _, k := range []string{"default", "upi", "card", "netbanking", "gst_rate"} {
		body += k + " = \"" + synth.Fees[k] + "\"\n"
	}
	if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runRecon(t, fixtureNow, dayRun(day, tmp, "--config", conf)...); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	dir := filepath.Join(tmp, "out", fixtureDate)
	if _, err := os.Stat(filepath.Join(dir, "settlements.csv")); err != nil {
		t.Fatal(err)
	}
	checkPlanted(t, day, dir)
	planted := 0
	for _, r := range readCSV(t, filepath.Join(day, "planted.csv"))[1:] {
		if r[1] == "SETTLEMENT" || r[1] == "BANK" || r[0] == "UNSETTLED" {
			planted++
		}
	}
	if rows := len(readCSV(t, filepath.Join(dir, "settlements.csv"))) - 1; planted < 10 || rows < planted {
		t.Errorf("planted %d settlement-side exceptions, settlements.csv has %d rows", planted, rows)
	}
}
