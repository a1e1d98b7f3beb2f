package ingest

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/kwikpaisa/recon/internal/recon"
)

type settled struct {
	rows    []recon.SettlementRow
	bank    []recon.BankEntry
	rejects []recon.Reject
}

func (s *settled) sink() Sink {
	return Sink{
		Settlement: func(r *recon.SettlementRow) error { s.rows = append(s.rows, *r); return nil },
		BankEntry:  func(e *recon.BankEntry) error { s.bank = append(s.bank, *e); return nil },
		Reject:     func(r *recon.Reject) error { s.rejects = append(s.rejects, *r); return nil },
	}
}

// mustReadSettled reads path and checks read = accepted + rejected.
func mustReadSettled(t *testing.T, read readFunc, path string, opts Options) *settled {
	t.Helper()
	var s settled
	counts, err := read(context.Background(), path, opts, s.sink())
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	if counts.Read != counts.Accepted+counts.Rejected || counts.Accepted != len(s.rows)+len(s.bank) || counts.Rejected != len(s.rejects) {
		t.Fatalf("counts %+v, sink got %d rows, %d entries, %d rejects", counts, len(s.rows), len(s.bank), len(s.rejects))
	}
	return &s
}

const settlementCSV = `Settlement ID,UTR,Settlement Date,Type,Merchant Order ID,Payment ID,Payment Mode,Gross Amount,MDR,GST,Net Amount
STL-1,kkbkh26328000001,2026-11-25 10:00,payment,ORD-1,pay_1,UPI,1000.00,0.00,0.00,1000.00
STL-1,KKBKH26328000001,2026-11-25 10:00,Refund,ORD-2,,card,500.00,0.00,0.00,-500.00
STL-1,KKBKH26328000001,2026-11-25 10:00,dispute,ORD-3,,,200.00,0.00,0.00,(200.00)
STL-1,KKBKH26328000001,2026-11-25 10:00,other_adjustment,,,,,,,-12.50
STL-1,KKBKH26328000001,2026-11-25 10:00,bonus,ORD-4,,,1.00,0.00,0.00,1.00
STL-1,NA,2026-11-25 10:00,payment,ORD-5,,,1.00,0.00,0.00,1.00
STL-1,KKBKH26328000001,2026-11-25 10:00,payment,,,,1.00,0.00,0.00,1.00
STL-1,KKBKH26328000001,2026-11-25 10:00,payment,ORD-6,,,-1.00,0.00,0.00,1.00
STL-1,KKBKH26328000001,2026-11-25 10:00,payment,ORD-7,,,1.005,0.00,0.00,1.00
STL-1,KKBKH26328000001,2026-11-25 10:00,adjustment,,,,,,,
STL-1,KKBKH26328000009,2026-11-25 10:00,payment,ORD-8,,,1.00,0.00,0.00,1.00
STL-1,KKBKH26328000001,2026-11-26 10:00,payment,ORD-9,,,1.00,0.00,0.00,1.00
`

func TestReadSettlementsCSV(t *testing.T) {
	s := mustReadSettled(t, ReadSettlements, writeFile(t, "settlements.csv", settlementCSV), testOptions())
	if len(s.rows) != 4 {
		t.Fatalf("accepted %d rows, want 4: %+v", len(s.rows), s.rows)
	}
	wantTypes := []recon.EventType{recon.EventPayment, recon.EventRefund, recon.EventChargeback, recon.EventAdjustment}
	wantNet := []recon.Amount{100000, -50000, -20000, -1250}
	for i, r := range s.rows {
		if r.Type != wantTypes[i] || r.Net != wantNet[i] || r.UTR != "KKBKH26328000001" || r.SettlementID != "STL-1" {
			t.Errorf("row %d = %+v, want type %s net %s", i, r, wantTypes[i], wantNet[i])
		}
	}
	if s.rows[3].HasAmounts || !s.rows[0].HasAmounts {
		t.Errorf("HasAmounts: adjustment %v, payment %v; want false, true", s.rows[3].HasAmounts, s.rows[0].HasAmounts)
	}
	opts := testOptions()
	opts.SettlementEvents = map[string]recon.EventType{"Bonus": recon.EventAdjustment}
	withWord := mustReadSettled(t, ReadSettlements, writeFile(t, "settlements.csv", settlementCSV), opts)
	if len(withWord.rows) != 5 || withWord.rows[4].Type != recon.EventAdjustment || withWord.rows[4].OrderID != "ORD-4" {
		t.Errorf("with bonus = ADJUSTMENT configured: rows %+v, want the bonus row as an ADJUSTMENT", withWord.rows)
	}
	if s.rows[0].Place.Line() != "2" || s.rows[0].PaymentMethod != "UPI" || s.rows[0].TransactionID != "pay_1" {
		t.Errorf("row 0 = %+v, want line 2, UPI, pay_1", s.rows[0])
	}
	wantRejects := []struct{ line, column, reason string }{
		{"6", "event_type", "unknown"},
		{"7", "settlement_utr", "empty or a placeholder"},
		{"8", "order_id", "empty"},
		{"9", "amount", "negative"},
		{"10", "amount", "2 decimal places"},
		{"11", "net_amount", "empty"},
		{"12", "settlement_utr", "UTR KKBKH26328000001 on line 2"},
		{"13", "settled_at", "settled on 2026-11-25 on line 2"},
	}
	if len(s.rejects) != len(wantRejects) {
		t.Fatalf("rejects = %+v, want %d", s.rejects, len(wantRejects))
	}
	for i, w := range wantRejects {
		r := s.rejects[i]
		if r.Line != w.line || r.Column != w.column || !strings.Contains(r.Reason, w.reason) {
			t.Errorf("reject %d = %+v, want line %s column %s reason ~%q", i, r, w.line, w.column, w.reason)
		}
	}
}

func TestReadSettlementsXLSXAndColumnMap(t *testing.T) {
	p := writeWorkbook(t, "s.xlsx", sheetSpec{"Report", [][]any{
		{"Batch", "Bank Ref No", "Settled On", "Event", "Order ID", "Order Amount", "Commission", "GST on MDR", "Payout"},
		{"STL-9", "UTR000000000009", "25/11/2026", "sale", "ORD-1", num("105"), num("2.1"), num("0.38"), num("102.52")},
		{"STL-9", "UTR000000000009", "25/11/2026", "sale", "ORD-2", num("19.99"), num("0"), num("0"), num("19.99")},
	}})
	opts := testOptions()
	opts.SettlementColumns = map[string]string{"settlement_id": "Batch", "net_amount": "Payout"}
	s := mustReadSettled(t, ReadSettlements, p, opts)
	if len(s.rows) != 2 || len(s.rejects) != 0 {
		t.Fatalf("rows %+v rejects %+v, want 2 rows", s.rows, s.rejects)
	}
	r := s.rows[0]
	if r.SettlementID != "STL-9" || r.Amount != 10500 || r.Fee != 210 || r.Tax != 38 || r.Net != 10252 || r.Place.Line() != "Report!2" {
		t.Errorf("row = %+v", r)
	}
	if s.rows[1].Amount != 1999 {
		t.Errorf("second amount = %s, want 19.99", s.rows[1].Amount)
	}
}

// TestReadSettlementsInOrder reads a report of many batches, parsed on
// every core, with rows the parse rejects and rows the in-order check
// rejects throughout: every row and reject comes in file order, each
// reject names its line, and each row its settlement's first UTR.
func TestReadSettlementsInOrder(t *testing.T) {
	var csv strings.Builder
	csv.WriteString("settlement_id,settlement_utr,settled_at,event_type,order_id,amount,fee,tax,net_amount\n")
	wantRows, wantRejects := 0, []string{}
	for i := range 20000 {
		stl, utr, amount := fmt.Sprintf("STL-%d", i/500), fmt.Sprintf("KKBKH2632800%04d", i/500), "10.00"
		line := fmt.Sprint(i + 2)
		switch {
		case i%97 == 5:
			amount = "ten" // the parse rejects it
			wantRejects = append(wantRejects, line+" amount")
		case i%500 != 0 && i%89 == 7:
			utr = "KKBKH26328009999" // the check rejects it: not its settlement's first UTR
			wantRejects = append(wantRejects, line+" settlement_utr")
		default:
			wantRows++
		}
		fmt.Fprintf(&csv, "%s,%s,2026-11-25 10:00,payment,ORD-%d,%s,0.00,0.00,%s\n", stl, utr, i, amount, amount)
	}
	s := mustReadSettled(t, ReadSettlements, writeFile(t, "settlements.csv", csv.String()), testOptions())
	if len(s.rows) != wantRows {
		t.Fatalf("%d rows, want %d", len(s.rows), wantRows)
	}
	last := 0
	for _, r := range s.rows {
		n, _ := strconv.Atoi(r.Place.Line())
		if n <= last {
			t.Fatalf("row of line %d after line %d", n, last)
		}
		last = n
		if want := fmt.Sprintf("KKBKH2632800%04d", (n-2)/500); r.UTR != want || r.OrderID != fmt.Sprintf("ORD-%d", n-2) {
			t.Fatalf("line %d: %s, UTR %s; want ORD-%d, %s", n, r.OrderID, r.UTR, n-2, want)
		}
	}
	var got []string
	for _, r := range s.rejects {
		got = append(got, r.Line+" "+r.Column)
	}
	if fmt.Sprint(got) != fmt.Sprint(wantRejects) {
		t.Fatalf("rejects %v\nwant %v", got, wantRejects)
	}
}
