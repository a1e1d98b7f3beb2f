package synth

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kwikpaisa/recon/internal/ingest"
	"github.com/kwikpaisa/recon/internal/recon"
)

// TestWriteSettlements generates a day with its settlement side and reads
// every file back with recon's own readers: each bank form is told from
// its content, every row is accepted, and the day's own files are the
// same bytes as a day generated without settlements, but for the planted
// rows appended after them (in key order: in time order they fall among
// the others).
func TestWriteSettlements(t *testing.T) {
	dir := t.TempDir()
	p := Params{Date: "2026-11-24", Orders: 200, Payouts: 20, Seed: 3, WebhookSecret: "s", Plant: true, KeyOrder: true}
	plain := filepath.Join(dir, "plain")
	if _, err := Write(plain, p); err != nil {
		t.Fatal(err)
	}
	p.SettleDir = filepath.Join(dir, "settle")
	if _, err := Write(filepath.Join(p.SettleDir, "2026-11-24"), p); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"orders.csv", "payouts.csv", "gateway.jsonl", "webhooks.jsonl"} {
		a, _ := os.ReadFile(filepath.Join(plain, name))
		b, _ := os.ReadFile(filepath.Join(p.SettleDir, "2026-11-24", name))
		if len(a) == 0 || !bytes.HasPrefix(b, a) {
			t.Errorf("%s with settlements does not start with the day without them", name)
		}
	}
	zone := time.FixedZone("IST", 19800)
	tests := []struct {
		file   string
		format ingest.BankFormat // "" for a settlement report
		rows   int               // at least
	}{
		{"settlements/2026-11-24.xlsx", "", 15},
		{"settlements/2026-11-25.csv", "", 100},
		{"settlements/2026-11-26.csv", "", 1},
		{"bank/2026-11-24.csv", ingest.BankCSV, 5},
		{"bank/2026-11-25.xml", ingest.BankCAMT, 2},
		{"bank/2026-11-26.sta", ingest.BankMT940, 2},
		{"bank/2026-11-27.xlsx", ingest.BankXLSX, 2},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join(p.SettleDir, tt.file)
			var rejects []recon.Reject
			sink := ingest.Sink{Reject: func(r *recon.Reject) error { rejects = append(rejects, *r); return nil }}
			read := ingest.ReadSettlements
			if tt.format != "" {
				if got, err := ingest.SniffBank(path); err != nil || got != tt.format {
					t.Fatalf("SniffBank = %s, %v; want %s", got, err, tt.format)
				}
				read = ingest.ReadBank
			}
			c, err := read(context.Background(), path, ingest.DefaultOptions(zone), sink)
			if err != nil || c.Rejected != 0 || c.Accepted < tt.rows {
				t.Fatalf("read: %+v, %v, rejects %+v; want at least %d rows, none rejected", c, err, rejects, tt.rows)
			}
		})
	}
}
