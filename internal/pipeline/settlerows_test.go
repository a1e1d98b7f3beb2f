package pipeline

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/kwikpaisa/recon/internal/match"
	"github.com/kwikpaisa/recon/internal/recon"
)

// TestSettleRowsShares sets rows aside in shares and reads each share
// back: each gets exactly the rows of its orders (and a row that names none
// goes to one share), in the order added, every field as it was, across
// chunks; one share is held as given.
func TestSettleRowsShares(t *testing.T) {
	var rows []recon.SettlementRow
	for i := range 20000 {
		r := recon.SettlementRow{SettlementID: fmt.Sprintf("STL-%d", i%7), UTR: fmt.Sprintf("UTR%d", i%7),
			SettledAt: recon.Instant(int64(i) * 1e9), OrderID: fmt.Sprintf("ORD202611240%07d", i*7919%13000), TransactionID: fmt.Sprint("T", i),
			PaymentMethod: []string{"", "card", "upi"}[i%3], Amount: recon.Amount(i * 101), Fee: recon.Amount(i % 17),
			Tax: recon.Amount(-i), Net: recon.Amount(i*101 - i%17), Type: recon.EventType(i % 4), HasAmounts: i%5 != 0,
			Place: recon.PlaceOf(fmt.Sprintf("settlements-%d.csv", i%2), fmt.Sprint(i+2))}
		if i%97 == 0 {
			r.OrderID = "" // an adjustment
		}
		rows = append(rows, r)
	}
	for _, split := range [][2]int{{1, 1}, {4, 1}, {2, 3}} {
		parts, sub := split[0], split[1]
		shares := parts * sub
		sr, err := newSettleRows(parts, sub)
		if err != nil {
			t.Fatal(err)
		}
		for i := range rows {
			if err := sr.add(&rows[i]); err != nil {
				t.Fatal(err)
			}
		}
		if err := sr.done(); err != nil {
			t.Fatal(err)
		}
		for no := range sr.chunks {
			if len(sr.chunks[no]) < 2 {
				t.Fatalf("share %d of %d was written in %d chunks; the test wants several", no+1, shares, len(sr.chunks[no]))
			}
		}
		total := 0
		for no := range shares {
			got, err := sr.share(no)
			if err != nil {
				t.Fatal(err)
			}
			var want []recon.SettlementRow
			for _, r := range rows {
				if recon.PartNo(recon.KeyHash(recon.EntityPayin, r.OrderID), parts) == no/sub && match.SubShare(r.OrderID, sub) == no%sub {
					want = append(want, r)
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("share %d of %d: %d rows, want %d, or not as added", no+1, shares, len(got), len(want))
			}
			total += len(got)
		}
		if total != len(rows) {
			t.Fatalf("%d shares hold %d rows, want %d", shares, total, len(rows))
		}
		sr.close()
	}
}
