package ingest

import (
	"context"
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
