package ingest

import (
	"context"
	"strings"
	"testing"

	"github.com/kwikpaisa/recon/internal/recon"
)

// TestHeaderHints: a header that lacks a required column says what it has,
// the closest header and the configuration lines that would map it, as a
// user reads them.
func TestHeaderHints(t *testing.T) {
	tests := []struct {
		name, content string
		read          readFunc
		override      map[string]string
		want          string
	}{
		{"misspelt status", "Order ID,Amount,Payment Staus,Created\nA,1.00,paid,2026-11-24\n", ReadOrders, nil,
			`orders.csv: missing required column status; the header has "Order ID", "Amount", "Payment Staus", "Created"; ` +
				"if that is what is meant, add to the configuration:\n  [columns.orders]\n  status = \"Payment Staus\""},
		{"two misspelt", "Payout Idd,Amount,Payout Stauts,Payout Date\nP,1.00,paid,2026-11-24\n", ReadPayouts, nil,
			`payouts.csv: missing required column payout_order_id, status; the header has "Payout Idd", "Amount", "Payout Stauts", "Payout Date"; ` +
				"if those are what are meant, add to the configuration:\n  [columns.payouts]\n  payout_order_id = \"Payout Idd\"\n  status = \"Payout Stauts\""},
		{"nothing close", "Order ID,Amount,Colour,Created\nA,1.00,red,2026-11-24\n", ReadOrders, nil,
			`orders.csv: missing required column status; the header has "Order ID", "Amount", "Colour", "Created"; ` +
				`name the column in the configuration's [columns.orders] table (field = "header")`},
		{"mapped to a header that is not there", "Order ID,Amount,State,Created\nA,1.00,paid,2026-11-24\n", ReadOrders,
			map[string]string{"status": "Status Of Order"},
			`orders.csv: missing required column status (mapped to "Status Of Order"); the header has "Order ID", "Amount", "State", "Created"; ` +
				`name the column in the configuration's [columns.orders] table (field = "header")`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := "orders.csv"
			if strings.HasPrefix(tt.content, "Payout") {
				name = "payouts.csv"
			}
			path := writeFile(t, name, tt.content)
			opts := testOptions()
			opts.OrderColumns, opts.PayoutColumns = tt.override, tt.override
			_, err := tt.read(context.Background(), path, opts, Sink{})
			if err == nil {
				t.Fatal("read: no error, want the missing column")
			}
			if got := strings.Replace(err.Error(), path, name, 1); got != tt.want {
				t.Errorf("error =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestUnknownStatusHint: an unknown status word's reject names the
// configuration line that would map it.
func TestUnknownStatusHint(t *testing.T) {
	tests := []struct {
		entity recon.Entity
		word   string
		want   string
	}{
		{recon.EntityPayin, "Settled", `status "Settled" is not a known payin status; if it is one, map it in the configuration: ` +
			`[statuses.orders] settled = "<SUCCESS|NOT_PAID|PENDING|REFUNDED>"`},
		{recon.EntityPayout, "On Hold Bank", `status "On Hold Bank" is not a known payout status; if it is one, map it in the configuration: ` +
			`[statuses.payouts] "on hold bank" = "<SUCCESS|FAILED|PENDING|REVERSED>"`},
	}
	for _, tt := range tests {
		_, err := DefaultStatuses().Class(tt.entity, tt.word)
		if err == nil || err.Error() != tt.want {
			t.Errorf("Class(%s, %q) error =\n%v\nwant\n%s", tt.entity, tt.word, err, tt.want)
		}
	}
	// The line it names works: the word maps once configured.
	tab, err := StatusesFrom(map[string]string{"settled": "SUCCESS"}, map[string]string{"on hold bank": "PENDING"})
	if err != nil {
		t.Fatal(err)
	}
	if c, err := tab.Class(recon.EntityPayin, "Settled"); err != nil || c != recon.StatusSuccess {
		t.Errorf("configured Settled = %v, %v; want SUCCESS", c, err)
	}
	if c, err := tab.Class(recon.EntityPayout, "On Hold Bank"); err != nil || c != recon.StatusPending {
		t.Errorf("configured On Hold Bank = %v, %v; want PENDING", c, err)
	}
}
