package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/kwikpaisa/recon/internal/recon"
)

// readingRules names the rules recon reads its sources by. A file stored
// under older rules is read again, even when its content and settings are
// unchanged: since the rules of 2026-12-03 a CSV row with a field too many
// is a reject, not a shifted amount; a number cell is read at 15 digits;
// day-first dates and the first visible sheet are read; a JSON line or body
// that is not strict JSON is refused. Change it whenever a rule changes what
// reading a file stores.
const readingRules = "2026-12-03"

// Fingerprint digests the settings that decide what reading a file of
// kind (orders, payouts, gateway, webhooks) stores: the zone, the status
// table, the column map and sheet for a ledger, the webhook secrets and
// replay window for a log. A file whose content and fingerprint are both
// unchanged needs no second read; one read with other settings (a fixed
// secret, a new status word) must be read again. It is a SHA-256: the
// secrets it covers cannot be recovered from it.
func (o Options) Fingerprint(kind string) string {
	o = o.withDefaults()
	h := sha256.New()
	// fmt writes a map with its keys sorted: the same settings give the
	// same lines. A ledger depends on its own side of the status table only.
	fmt.Fprintf(h, "rules=%s\nkind=%s\n", readingRules, kind)
	switch kind {
	case "orders", "payouts":
		entity, columns := recon.EntityPayin, o.OrderColumns
		if kind == "payouts" {
			entity, columns = recon.EntityPayout, o.PayoutColumns
		}
		fmt.Fprintf(h, "zone=%s\nstatuses=%q\ncolumns=%q\nsheet=%q\n", o.Zone, o.Statuses.table(entity), columns, o.Sheet)
	case "gateway":
		fmt.Fprintf(h, "statuses.payin=%q\nstatuses.payout=%q\n",
			o.Statuses.table(recon.EntityPayin), o.Statuses.table(recon.EntityPayout))
	case "webhooks":
		fmt.Fprintf(h, "zone=%s\nreplay_window=%v\n", o.Zone, o.ReplayWindow)
		for _, s := range o.WebhookSecrets {
			sum := sha256.Sum256([]byte(s))
			fmt.Fprintf(h, "secret=%x\n", sum)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}
