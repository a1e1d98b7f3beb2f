//go:build !race

// The race detector's pools drop a quarter of what is put back, which
// would count a new parser now and then: these bounds are checked without
// it (make test runs them so).

package ingest

import (
	"testing"

	"github.com/kwikpaisa/recon/internal/recon"
)

// TestParseAllocs bounds the allocations of a line of a gateway dump and
// of a webhook log: the record, and its text fields in one shared arena,
// not one allocation a field.
func TestParseAllocs(t *testing.T) {
	statuses := DefaultStatuses()
	opts := testOptions()
	const ts = "1795495502" // received_at below
	body := `{"event":"payout.success","data":{"payout_order_id":"PO000000000042","amount":"1042.00","currency":"INR","utr":"523223000042"}}`
	webhook := []byte(delivery{received: "2026-11-24T10:15:02.000+05:30", headers: signed("whsec_test", body, ts), body: body}.line())
	payin := []byte(`{"kwikX_order_id":42123456789012345,"order_id":"ORD000000000042","order_amount":"42.50","currency":"INR","order_status":"PAID","payment_method":"UPI","transaction_id":"KPTXN000000000042","bank_reference":"BR42","created_at":"24-11-2026 10:15 AM","paid_at":"24-11-2026 10:16 AM"}`)
	payout := []byte(`{"payout_order_id":"PO000000000042","kwikx_payout_id":"KXP42","amount":"42.00","currency":"INR","payout_status":"SUCCESS","transfer_mode":"IMPS","utr":"523223000042","beneficiary_account":"000000000042","beneficiary_ifsc":"HDFC0001234","created_at":"24-11-2026 10:15 AM","processed_at":"24-11-2026 10:18 AM"}`)
	lines := []struct {
		name  string
		parse func() error
	}{
		{"gateway pay-in", func() error {
			_, fe := ParseGatewayRecord(payin, statuses)
			return errOf(fe)
		}},
		{"gateway payout", func() error {
			_, fe := ParseGatewayRecord(payout, statuses)
			return errOf(fe)
		}},
		{"webhook delivery", func() error {
			d, fe := ParseDelivery(webhook, &opts)
			if fe == nil && (d.Verified != recon.VerifyRaw || d.Stale || d.Problem != "") {
				t.Fatalf("delivery verified %v, stale %v, problem %q: the test line is not a good delivery", d.Verified, d.Stale, d.Problem)
			}
			return errOf(fe)
		}},
	}
	for _, l := range lines {
		var err error
		allocs := testing.AllocsPerRun(1000, func() {
			if e := l.parse(); e != nil {
				err = e
			}
		})
		if err != nil {
			t.Fatalf("%s: %v", l.name, err)
		}
		// The record, and a share of an arena's buffer (AllocsPerRun
		// rounds down).
		if allocs > 1 {
			t.Errorf("%s: %v allocations a line, want 1", l.name, allocs)
		}
	}
}

// TestStatusClassAllocs: a status word as dumps and ledgers write it is
// classed without building its folded key.
func TestStatusClassAllocs(t *testing.T) {
	statuses := DefaultStatuses()
	for _, w := range []string{"PAID", "User Dropped", "SUCCESS"} {
		allocs := testing.AllocsPerRun(100, func() {
			if _, err := statuses.Class(recon.EntityPayin, w); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("Class(%q): %v allocations, want 0", w, allocs)
		}
	}
}

func errOf(fe *fieldError) error {
	if fe == nil {
		return nil
	}
	return fe
}
