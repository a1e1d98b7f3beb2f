package ingest

import (
	"context"
	"strings"
	"testing"

	"github.com/kwikpaisa/recon/internal/recon"
)

// entry is what a test expects of a bank entry.
type entry struct {
	line, date string
	credit     bool
	amount     recon.Amount
	ref, narr  string
}

func checkEntries(t *testing.T, got []recon.BankEntry, want []entry) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d entries %+v, want %d", len(got), got, len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Line != w.line || g.Date != w.date || g.Credit != w.credit || g.Amount != w.amount ||
			(w.ref != "" && g.Reference != w.ref) || (w.narr != "" && g.Narration != w.narr) {
			t.Errorf("entry %d = %+v, want %+v", i, g, w)
		}
	}
}

const hdfcCSV = `Date,Narration,Chq./Ref.No.,Value Dt,Withdrawal Amt.,Deposit Amt.,Closing Balance
25/11/2026,NEFT CR-KKBK0000001-KWIKPAISA PAYMENTS-KKBKH26328000001,KKBKH26328000001,25/11/2026,,"1,02,520.00","5,02,520.00"
25/11/2026,ATM WDL,000123,25/11/2026,500.00,,"5,02,020.00"
26/11/2026,BOTH,1,26/11/2026,1.00,1.00,1.00
26/11/2026,NEITHER,1,26/11/2026,,,1.00
31/11/2026,BAD DATE,1,26/11/2026,,1.00,1.00
`

func TestReadBankCSVCreditDebit(t *testing.T) {
	s := mustReadSettled(t, ReadBank, writeFile(t, "bank.txt", hdfcCSV), testOptions())
	checkEntries(t, s.bank, []entry{
		{"2", "2026-11-25", true, 10252000, "KKBKH26328000001", "NEFT CR-KKBK0000001-KWIKPAISA PAYMENTS-KKBKH26328000001"},
		{"3", "2026-11-25", false, 50000, "000123", "ATM WDL"},
	})
	if !s.bank[0].HasBalance || s.bank[0].Balance != 50252000 {
		t.Errorf("balance = %v %s, want 502520.00", s.bank[0].HasBalance, s.bank[0].Balance)
	}
	want := []struct{ line, column, reason string }{{"4", "credit", "both"}, {"5", "credit", "neither"}, {"6", "date", ""}}
	if len(s.rejects) != len(want) {
		t.Fatalf("rejects %+v, want %d", s.rejects, len(want))
	}
	for i, w := range want {
		if r := s.rejects[i]; r.Line != w.line || r.Column != w.column || !strings.Contains(r.Reason, w.reason) {
			t.Errorf("reject %d = %+v, want line %s column %s ~%q", i, r, w.line, w.column, w.reason)
		}
	}
}

func TestReadBankCSVSignedAmount(t *testing.T) {
	csv := "Txn Date;Description;Ref No;Amount;Dr/Cr;Balance\n" +
		"25-Nov-2026;IMPS KWIKPAISA;UTR1;100.00;CR;1000.00 Cr\n" +
		"25/11/2026;CHARGES;;-20.00;;980.00\n" +
		"25/11/2026;REVERSAL;;20.00;Dr;960.00\n" +
		"25/11/2026;ODD;;20.00;X;960.00\n" +
		"25/11/2026;BAD;;-20.00;Cr;960.00\n"
	s := mustReadSettled(t, ReadBank, writeFile(t, "bank.csv", strings.Replace(csv, "25-Nov-2026", "25/11/2026", 1)), testOptions())
	checkEntries(t, s.bank, []entry{
		{"2", "2026-11-25", true, 10000, "UTR1", ""},
		{"3", "2026-11-25", false, 2000, "", ""},
		{"4", "2026-11-25", false, 2000, "", ""},
	})
	if len(s.rejects) != 2 || s.rejects[0].Column != "dr_cr" || s.rejects[1].Column != "amount" {
		t.Errorf("rejects = %+v, want dr_cr on line 5 and amount on line 6", s.rejects)
	}
}

func TestReadBankCSVWithoutAmountColumns(t *testing.T) {
	p := writeFile(t, "bank.csv", "Date,Narration\n25/11/2026,x\n")
	_, err := ReadBank(context.Background(), p, testOptions(), Sink{})
	if err == nil || !strings.Contains(err.Error(), "missing the amount columns") || !strings.Contains(err.Error(), p) {
		t.Fatalf("err = %v, want the file named and the amount columns missing", err)
	}
}

func TestReadBankXLSX(t *testing.T) {
	p := writeWorkbook(t, "statement.xlsx", sheetSpec{"Statement", [][]any{
		{"Tran Date", "Particulars", "Cheque No", "Withdrawal", "Deposit", "Balance"},
		{"25/11/2026", "NEFT KWIKPAISA", "KKBKH26328000002", nil, num("250.5"), num("1250.5")},
	}})
	s := mustReadSettled(t, ReadBank, p, testOptions())
	checkEntries(t, s.bank, []entry{{"Statement!2", "2026-11-25", true, 25050, "KKBKH26328000002", "NEFT KWIKPAISA"}})
}

const camtDoc = `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
 <BkToCstmrStmt>
  <GrpHdr><MsgId>M1</MsgId></GrpHdr>
  <Stmt>
   <Id>S1</Id>
   <Ntry>
    <Amt Ccy="INR">102520.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
    <BookgDt><Dt>2026-11-25</Dt></BookgDt><ValDt><Dt>2026-11-25</Dt></ValDt>
    <AcctSvcrRef>KKBKH26328000001</AcctSvcrRef>
    <NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
     <RmtInf><Ustrd>KWIKPAISA SETTLEMENT</Ustrd><Ustrd>STL-1</Ustrd></RmtInf></TxDtls></NtryDtls>
    <AddtlNtryInf>NEFT CR</AddtlNtryInf>
   </Ntry>
   <Ntry>
    <Amt Ccy="INR">10</Amt><CdtDbtInd>DBIT</CdtDbtInd>
    <BookgDt><DtTm>2026-11-25T23:30:00+00:00</DtTm></BookgDt>
   </Ntry>
   <Ntry><Amt Ccy="INR">1.005</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2026-11-25</Dt></BookgDt></Ntry>
   <Ntry><Amt Ccy="INR">1</Amt><CdtDbtInd>CREDIT</CdtDbtInd><BookgDt><Dt>2026-11-25</Dt></BookgDt></Ntry>
   <Ntry><Amt Ccy="USD">1</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2026-11-25</Dt></BookgDt></Ntry>
   <Ntry><Amt Ccy="INR">1</Amt><CdtDbtInd>CRDT</CdtDbtInd></Ntry>
   <Ntry><Amt Ccy="INR">7</Amt><CdtDbtInd>CRDT</CdtDbtInd><ValDt><Dt>2026-11-26</Dt></ValDt></Ntry>
  </Stmt>
 </BkToCstmrStmt>
</Document>
`

func TestReadBankCAMT053(t *testing.T) {
	s := mustReadSettled(t, ReadBank, writeFile(t, "statement.dat", camtDoc), testOptions())
	checkEntries(t, s.bank, []entry{
		{"Ntry[1]", "2026-11-25", true, 10252000, "KKBKH26328000001", "NEFT CR / KWIKPAISA SETTLEMENT / STL-1"},
		{"Ntry[2]", "2026-11-26", false, 1000, "", ""}, // 23:30 UTC is the 26th in IST
		{"Ntry[7]", "2026-11-26", true, 700, "", ""},
	})
	want := []struct{ line, column string }{{"Ntry[3]", "Amt"}, {"Ntry[4]", "CdtDbtInd"}, {"Ntry[5]", "Amt"}, {"Ntry[6]", "BookgDt"}}
	if len(s.rejects) != len(want) {
		t.Fatalf("rejects = %+v, want %d", s.rejects, len(want))
	}
	for i, w := range want {
		if r := s.rejects[i]; r.Line != w.line || r.Column != w.column {
			t.Errorf("reject %d = %+v, want %s %s", i, r, w.line, w.column)
		}
	}
}

func TestReadBankRefusesOtherXML(t *testing.T) {
	tests := []struct{ name, doc, want string }{
		{"camt.052", `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.02"><BkToCstmrAcctRpt/></Document>`, "not CAMT.053"},
		{"other root", `<html><body/></html>`, "not a CAMT.053 <Document>"},
		{"cut short", `<Document><BkToCstmrStmt><Stmt><Ntry><Amt>1</Amt>`, "not well-formed"},
		{"no statement", `<Document/>`, "no CAMT.053 statement"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, "x.xml", tt.doc)
			_, err := ReadBank(context.Background(), p, testOptions(), Sink{})
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), p) {
				t.Fatalf("err = %v, want the file and %q", err, tt.want)
			}
		})
	}
}

const mt940Doc = "{1:F01KKBKINBBAXXX0000000000}{2:O9401200261125KKBKINBBAXXX00000000002611251200N}{4:\r\n" +
	":20:STMT261125\r\n" +
	":25:KKBK0000001/1234567890\r\n" +
	":28C:00328/001\r\n" +
	":60F:C261124INR400000,00\r\n" +
	":61:2611251125CN102520,00NTRFKKBKH2632800//BR261125001\r\n" +
	"NEFT SETTLEMENT\r\n" +
	":86:NEFT CR-KKBK0000001-KWIKPAISA PAYMENTS PVT LTD-KKBKH263\r\n" +
	"28000001\r\n" +
	":61:261125D500,NMSCNONREF\r\n" +
	":86:ATM WDL\r\n" +
	":61:2612010101RD1,5NTRFREV1\r\n" +
	":62F:C261125INR502021,50\r\n" +
	"-}\r\n"

func TestReadBankMT940(t *testing.T) {
	s := mustReadSettled(t, ReadBank, writeFile(t, "statement.sta", mt940Doc), testOptions())
	checkEntries(t, s.bank, []entry{
		{"6", "2026-11-25", true, 10252000, "KKBKH2632800 / BR261125001", "NEFT SETTLEMENT / NEFT CR-KKBK0000001-KWIKPAISA PAYMENTS PVT LTD-KKBKH26328000001"},
		{"10", "2026-11-25", false, 50000, "", "ATM WDL"},
		{"12", "2027-01-01", true, 150, "REV1", ""}, // entry date in January after a December value date
	})
	if len(s.rejects) != 0 {
		t.Errorf("rejects = %+v", s.rejects)
	}
}

func TestReadBankMT940Refuses(t *testing.T) {
	head := ":20:S\n:25:A/1\n:60F:C261124INR100,00\n"
	tests := []struct{ name, doc, want string }{
		{"no closing", head + ":61:261125C1,00NTRFX\n", "no closing balance"},
		{"does not add up", head + ":61:261125C1,00NTRFX\n:62F:C261125INR100,00\n", "add up"},
		{"no opening", ":20:S\n:25:A/1\n:61:261125C1,00NTRFX\n:62F:C261125INR101,00\n", "before the statement's opening balance"},
		{"stray text", head + "garbage\n", ""},
		{"not mt940", ":21:X\n", "does not start with a :20:"},
		{"foreign currency", ":20:S\n:25:A/1\n:60F:C261124EUR100,00\n:62F:C261124EUR100,00\n", "EUR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, "s.sta", tt.doc)
			_, err := ReadBank(context.Background(), p, testOptions(), Sink{})
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), p) {
				t.Fatalf("err = %v, want the file and %q", err, tt.want)
			}
		})
	}
}

func TestReadBankMT940RejectsEntryWithItsLine(t *testing.T) {
	doc := ":20:S\n:25:A/1\n:60F:C261124INR100,00\n:61:261125X1,00NTRFX\n:61:261125C1.00NTRFX\n:61:261325C1,00NTRFX\n:62F:C261125INR100,00\n"
	s := mustReadSettled(t, ReadBank, writeFile(t, "s.sta", doc), testOptions())
	want := []struct{ line, column string }{{"4", "mark"}, {"5", "amount"}, {"6", "value date"}}
	if len(s.rejects) != len(want) {
		t.Fatalf("rejects = %+v, want %d", s.rejects, len(want))
	}
	for i, w := range want {
		if r := s.rejects[i]; r.Line != w.line || r.Column != w.column {
			t.Errorf("reject %d = %+v, want line %s column %s", i, r, w.line, w.column)
		}
	}
}

func TestSniffBank(t *testing.T) {
	tests := []struct {
		head string
		want BankFormat
	}{
		{"PK\x03\x04rest", BankXLSX},
		{"\ufeff<?xml", BankCAMT},
		{"  \n<Document", BankCAMT},
		{"{1:F01", BankMT940},
		{":20:X", BankMT940},
		{"Date,Narration", BankCSV},
		{"", BankCSV},
	}
	for _, tt := range tests {
		if got := sniffBank([]byte(tt.head)); got != tt.want {
			t.Errorf("sniffBank(%q) = %s, want %s", tt.head, got, tt.want)
		}
	}
}
