package ingest

import (
	"testing"

	"github.com/kwikpaisa/recon/internal/recon"
)

func TestFingerprint(t *testing.T) {
	base := func() Options {
		o := DefaultOptions(ist)
		o.WebhookSecrets = []string{"whsec_one"}
		return o
	}
	secret := base()
	secret.WebhookSecrets = []string{"whsec_two"}
	word := base()
	word.Statuses.Set(recon.EntityPayin, "settled", recon.StatusSuccess)
	column := base()
	column.OrderColumns = map[string]string{"order_id": "Ref No"}

	tests := []struct {
		name    string
		o       Options
		changed map[string]bool // kinds whose fingerprint must change
	}{
		{"same settings", base(), map[string]bool{}},
		{"another webhook secret", secret, map[string]bool{"webhooks": true}},
		{"a new pay-in status word", word, map[string]bool{"orders": true, "gateway": true}},
		{"an order column map", column, map[string]bool{"orders": true}},
	}
	for _, tt := range tests {
		for _, kind := range []string{"orders", "payouts", "gateway", "webhooks"} {
			got := tt.o.Fingerprint(kind) != base().Fingerprint(kind)
			if got != tt.changed[kind] {
				t.Errorf("%s: %s fingerprint changed = %v, want %v", tt.name, kind, got, tt.changed[kind])
			}
		}
	}
}
