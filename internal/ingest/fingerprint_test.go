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

// TestFingerprintOfOlderRules: a file stored by a build that read by the
// older rules (these are the fingerprints of 1f9c082, which accepted a
// shifted CSV column and rejected Excel's 17-digit numbers) is read again
// after an upgrade, not kept with what the old rules stored.
func TestFingerprintOfOlderRules(t *testing.T) {
	o := DefaultOptions(ist)
	o.WebhookSecrets = []string{"whsec_one"}
	older := map[string]string{
		"orders":   "1ae754df171d594b052c14674b1d6c15839cb8c42eaf692a2d2f59eb6d69192d",
		"payouts":  "ae44838502d556483311e177d89b0f6a3a1664386872cdb8cf59907fbf6d1de6",
		"gateway":  "4f62da5b29d781b022d30b4ae2c3dcf5f356418c847ee94d36243030926ab3e3",
		"webhooks": "49678b44c340bfeab723cb2cbd8a85ff7cbfed5c930fdd8b744661e43bafcac4",
	}
	for kind, old := range older {
		if got := o.Fingerprint(kind); got == old {
			t.Errorf("%s fingerprint = the older rules' %s: a stored file would not be read again", kind, old)
		}
	}
}
