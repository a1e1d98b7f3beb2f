package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
)

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
	line := func(k string, v any) { fmt.Fprintf(h, "%s=%v\n", k, v) }
	line("kind", kind)
	statuses := func() {
		for _, e := range []struct {
			name string
			m    map[string]string
		}{{"payin", o.Statuses.words(true)}, {"payout", o.Statuses.words(false)}} {
			line("statuses."+e.name, sortedPairs(e.m))
		}
	}
	switch kind {
	case "orders", "payouts":
		line("zone", o.Zone.String())
		statuses()
		columns := o.OrderColumns
		if kind == "payouts" {
			columns = o.PayoutColumns
		}
		line("columns", sortedPairs(columns))
		line("sheet", o.Sheet)
	case "gateway":
		statuses()
	case "webhooks":
		line("zone", o.Zone.String())
		line("replay_window", o.ReplayWindow)
		for _, s := range o.WebhookSecrets {
			sum := sha256.Sum256([]byte(s))
			line("secret", hex.EncodeToString(sum[:]))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// words returns a status table side as word → class.
func (t *StatusTable) words(payin bool) map[string]string {
	m := t.payout
	if payin {
		m = t.payin
	}
	out := make(map[string]string, len(m))
	for w, c := range m {
		out[w] = string(c)
	}
	return out
}

func sortedPairs(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%q:%q,", k, m[k])
	}
	return b.String()
}
