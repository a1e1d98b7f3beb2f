package synth

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"github.com/kwikpaisa/recon/internal/recon"
)

// The settlement side of a generated day (SPEC §7): KwikPaisa's settlement
// reports and the merchant's bank statements, in every form recon reads,
// under dir/settlements/<date>.<ext> and dir/bank/<date>.<ext>:
//
//   - settlements/D.xlsx: the day's planted settlements, settled on D;
//   - settlements/D+1.csv: every ordinary paid order of D, in settlements
//     of settleBatch rows, the second settlement of a duplicate;
//   - settlements/D+2.csv: a refund deducted two days later;
//   - bank/D.csv (credit and debit columns), bank/D+1.xml (CAMT.053),
//     bank/D+2.sta (MT940), bank/D+3.xlsx (one signed amount, Dr/Cr).
//
// Nothing here draws from the day's random source: a day generated with
// settlements has the same ordinary rows as one without.

// Fees is the schedule the generator charges; the fixture configuration's
// [fees] is the same.
var Fees = map[string]string{"default": "2.00%", "upi": "0%", "card": "1.90%", "netbanking": "1.75% + 3.00", "gst_rate": "18%"}

const settleBatch = 5000

// settler writes the settlement side of a day as it is generated.
type settler struct {
	dir    string
	date   time.Time
	fees   map[string]recon.Rate
	gst    decimal.Decimal
	next   *csv.Writer // settlements of D+1
	file   *os.File
	buf    *bufio.Writer
	seq    int // settlements of D+1 so far
	rows   int // rows of the current settlement
	total  recon.Amount
	totals []recon.Amount // of each settlement of D+1, for its credit
}

var settlementCSVHeader = []string{"Settlement ID", "UTR", "Settlement Date", "Type", "Merchant Order ID", "Payment ID",
	"Payment Mode", "Gross Amount", "MDR", "GST", "Net Amount"}

func newSettler(dir string, date time.Time) (*settler, error) {
	s := &settler{dir: dir, date: date, fees: map[string]recon.Rate{}}
	for k, v := range Fees {
		r, err := recon.ParseRate(v)
		if err != nil {
			return nil, err
		}
		if k == "gst_rate" {
			s.gst = r.Percent
		} else {
			s.fees[k] = r
		}
	}
	for _, sub := range []string{"settlements", "bank"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return nil, fmt.Errorf("create %s: %w", sub, err)
		}
	}
	f, err := os.Create(s.path("settlements", 1, "csv"))
	if err != nil {
		return nil, err
	}
	s.file, s.buf = f, bufio.NewWriterSize(f, 1<<20)
	s.next = csv.NewWriter(s.buf)
	return s, s.next.Write(settlementCSVHeader)
}

func (s *settler) day(n int) time.Time { return s.date.AddDate(0, 0, n) }

func (s *settler) path(sub string, day int, ext string) string {
	return filepath.Join(s.dir, sub, s.day(day).Format(time.DateOnly)+"."+ext)
}

// utr is the UTR of settlement n of day: bank, H, YY, day of the year, a
// sequence.
func (s *settler) utr(day, n int) string {
	t := s.day(day)
	return fmt.Sprintf("KKBKH%s%03d%06d", t.Format("06"), t.YearDay(), n)
}

// fee returns the fee and tax the schedule charges on a payment.
func (s *settler) fee(method string, amount int64) (recon.Amount, recon.Amount) {
	r, ok := s.fees[recon.MethodKey(method)]
	if !ok {
		r = s.fees["default"]
	}
	fee := recon.ExpectedFee(r, recon.Amount(amount))
	return fee, recon.ExpectedTax(s.gst, fee)
}

// settled settles an order the gateway took (PAID, or REFUNDED with its
// refund) in the next day's report, at the gateway's amount.
func (s *settler) settled(o order) error {
	switch o.gatewayStatus {
	case "PAID":
		return s.payment(o, "payment")
	case "REFUNDED":
		if err := s.payment(o, "payment"); err != nil {
			return err
		}
		return s.payment(o, "refund")
	}
	return nil
}

// payment writes one row of an order in the next day's report.
func (s *settler) payment(o order, typ string) error {
	if s.rows == 0 {
		s.seq++
	}
	fee, tax := s.fee(o.method, o.amount)
	net := recon.Amount(o.amount) - fee - tax
	if typ == "refund" {
		fee, tax, net = 0, 0, -recon.Amount(o.amount)
	}
	stl := fmt.Sprintf("STL%s%04d", s.day(1).Format("20060102"), s.seq)
	err := s.next.Write([]string{stl, s.utr(1, s.seq), s.day(1).Add(6 * time.Hour).Format("2006-01-02 15:04:05"), typ,
		o.id, o.txn, o.method, money(o.amount), fee.String(), tax.String(), net.String()})
	s.total += net
	if s.rows++; s.rows == settleBatch {
		s.closeSettlement()
	}
	return err
}

func (s *settler) closeSettlement() {
	if s.rows > 0 {
		s.totals = append(s.totals, s.total)
	}
	s.rows, s.total = 0, 0
}

// srow is one row of a planted settlement.
type srow struct {
	typ, order, method string
	amount, fee, tax   recon.Amount
	net                recon.Amount
	empty              bool // an adjustment with only its net amount
}

// finish writes the planted settlements and every bank statement.
func (s *settler) finish(planted []plantedSettlement, extra []srow) error {
	s.closeSettlement()
	// The second settlement of a duplicate, in the next day's report.
	dupUTR := s.utr(1, 9001)
	for _, r := range extra {
		if err := s.next.Write([]string{"STL-DUP-2", dupUTR, s.day(1).Add(6 * time.Hour).Format("2006-01-02 15:04:05"), r.typ,
			r.order, "", r.method, r.amount.String(), r.fee.String(), r.tax.String(), r.net.String()}); err != nil {
			return err
		}
	}
	s.next.Flush()
	if err := s.next.Error(); err != nil {
		return err
	}
	if err := s.buf.Flush(); err != nil {
		return err
	}
	if err := s.file.Close(); err != nil {
		return err
	}
	if err := s.writePlanted(planted); err != nil {
		return err
	}
	if err := writeFile(s.path("settlements", 2, "csv"), func(w *bufio.Writer) error {
		return writeCSV(w, settlementCSVHeader, [][]string{{"STL-REFUND-3", s.utr(2, 1), s.day(2).Add(6 * time.Hour).Format("2006-01-02 15:04:05"),
			"Refund", "ORD-RND-NEAR", "", "", "410.00", "0.00", "0.00", "-410.00"}})
	}); err != nil {
		return err
	}
	return s.writeBank(planted)
}

// plantedSettlement is a settlement of D the generator plants, and how its
// bank credit shows.
type plantedSettlement struct {
	id, utr string
	rows    []srow
	// credit: "cut" (the UTR cut at 12 characters in the narration),
	// "wrong" (full UTR, an amount 1.00 short), "none", "amount" (no UTR,
	// on D+2: matched by amount and date), "equal" (no UTR, and another
	// settlement of the same total).
	credit string
}

func (p *plantedSettlement) total() recon.Amount {
	var t recon.Amount
	for _, r := range p.rows {
		t += r.net
	}
	return t
}

var settlementXLSXHeader = []string{"Settlement No", "Bank Ref No", "Settled On", "Transaction Type", "Order ID", "Method",
	"Order Amount", "Fees", "Tax on Fee", "Settlement Amount"}

func (s *settler) writePlanted(planted []plantedSettlement) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := "Settlements"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	put := func(row int, cells ...any) error {
		for c, v := range cells {
			ref, _ := excelize.CoordinatesToCellName(c+1, row)
			if err := f.SetCellValue(sheet, ref, v); err != nil {
				return err
			}
		}
		return nil
	}
	hdr := make([]any, len(settlementXLSXHeader))
	for i, h := range settlementXLSXHeader {
		hdr[i] = h
	}
	if err := put(1, hdr...); err != nil {
		return err
	}
	row := 2
	settled := s.day(0).Add(18 * time.Hour).Format("2006-01-02 15:04:05")
	for _, p := range planted {
		for _, r := range p.rows {
			cells := []any{p.id, p.utr, settled, r.typ, r.order, r.method, r.amount.String(), r.fee.String(), r.tax.String(), r.net.String()}
			if r.empty {
				cells[6], cells[7], cells[8] = "", "", ""
			}
			if err := put(row, cells...); err != nil {
				return err
			}
			row++
		}
	}
	return f.SaveAs(s.path("settlements", 0, "xlsx"))
}

// writeBank writes the four bank statements.
func (s *settler) writeBank(planted []plantedSettlement) error {
	// D: CSV with credit and debit columns, as HDFC exports it.
	dd := s.day(0).Format("02/01/2006")
	rows := [][]string{}
	balance := recon.Amount(5_00_000_00)
	credit := func(date, narration, ref string, a recon.Amount) {
		balance += a
		rows = append(rows, []string{date, narration, ref, date, "", a.String(), balance.String()})
	}
	var equal recon.Amount
	for _, p := range planted {
		switch p.credit {
		case "cut":
			credit(dd, "NEFT CR-KKBK0000958-KWIKPAISA PAYMENTS PVT LTD-"+p.utr[:12], "", p.total())
		case "wrong":
			credit(dd, "NEFT CR-KKBK0000958-KWIKPAISA PAYMENTS PVT LTD-"+p.utr, p.utr, p.total()-100)
		case "equal":
			equal = p.total()
		}
	}
	credit(dd, "NEFT CR-KKBK0000958-KWIKPAISA PAYMENTS PVT LTD", "", equal)
	credit(dd, "IMPS-KWIKPAISA-REFUND REVERSAL 88231", "88231", 1234_00)
	balance -= 15000_00
	rows = append(rows, []string{dd, "ATM WDL 0042 MUMBAI", "000042", dd, "15000.00", "", balance.String()})
	if err := writeFile(s.path("bank", 0, "csv"), func(w *bufio.Writer) error {
		return writeCSV(w, []string{"Date", "Narration", "Chq./Ref.No.", "Value Dt", "Withdrawal Amt.", "Deposit Amt.", "Closing Balance"}, rows)
	}); err != nil {
		return err
	}

	// D+1: CAMT.053, one credit per ordinary settlement, by UTR.
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">` + "\n<BkToCstmrStmt>\n" +
		"<GrpHdr><MsgId>KKBK" + s.day(1).Format("20060102") + "</MsgId><CreDtTm>" + s.day(2).Format("2006-01-02") + "T06:00:00+05:30</CreDtTm></GrpHdr>\n" +
		"<Stmt><Id>STMT" + s.day(1).Format("20060102") + "</Id><Acct><Id><Othr><Id>1234567890</Id></Othr></Id></Acct>\n")
	for i, t := range s.totals {
		utr := s.utr(1, i+1)
		fmt.Fprintf(&b, "<Ntry><Amt Ccy=\"INR\">%s</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>"+
			"<BookgDt><Dt>%s</Dt></BookgDt><ValDt><Dt>%s</Dt></ValDt><AcctSvcrRef>%s</AcctSvcrRef>"+
			"<NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs><RmtInf><Ustrd>KWIKPAISA SETTLEMENT %s</Ustrd></RmtInf></TxDtls></NtryDtls>"+
			"<AddtlNtryInf>NEFT CR KWIKPAISA PAYMENTS</AddtlNtryInf></Ntry>\n", t, s.day(1).Format(time.DateOnly), s.day(1).Format(time.DateOnly), utr, utr)
	}
	fmt.Fprintf(&b, "<Ntry><Amt Ccy=\"INR\">2500.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>%s</Dt></BookgDt>"+
		"<AddtlNtryInf>BILLPAY ELECTRICITY</AddtlNtryInf></Ntry>\n</Stmt>\n</BkToCstmrStmt>\n</Document>\n", s.day(1).Format(time.DateOnly))
	if err := os.WriteFile(s.path("bank", 1, "xml"), []byte(b.String()), 0o644); err != nil {
		return err
	}

	// D+2: MT940; the credit of the settlement matched by amount and date.
	var amountMatch recon.Amount
	for _, p := range planted {
		if p.credit == "amount" {
			amountMatch = p.total()
		}
	}
	mt := func(a recon.Amount) string { return strings.Replace(a.String(), ".", ",", 1) }
	open := recon.Amount(7_50_000_00)
	yymmdd, mmdd := s.day(2).Format("060102"), s.day(2).Format("0102")
	lines := []string{
		"{1:F01KKBKINBBAXXX0000000000}{2:O9401200" + yymmdd + "KKBKINBBAXXX00000000000" + yymmdd + "1200N}{4:",
		":20:STMT" + yymmdd,
		":25:KKBK0000958/1234567890",
		":28C:00" + s.day(2).Format("002") + "/001",
		":60F:C" + s.day(1).Format("060102") + "INR" + mt(open),
		":61:" + yymmdd + mmdd + "CN" + mt(amountMatch) + "NTRFNONREF//KK" + yymmdd + "0042",
		"NEFT SETTLEMENT",
		":86:NEFT CR-KKBK0000958-KWIKPAISA PAYMENTS PVT LTD-SETTLEMENT FO",
		"R " + strings.ToUpper(s.day(0).Format("02 Jan 2006")),
		":61:" + yymmdd + mmdd + "DN" + mt(1800_00) + "NCHGNONREF",
		":86:ACCOUNT MAINTENANCE CHARGES",
		":62F:C" + yymmdd + "INR" + mt(open+amountMatch-1800_00),
		"-}",
	}
	if err := os.WriteFile(s.path("bank", 2, "sta"), []byte(strings.Join(lines, "\r\n")+"\r\n"), 0o644); err != nil {
		return err
	}

	// D+3: XLSX with one signed amount and a Dr/Cr column.
	f := excelize.NewFile()
	defer f.Close()
	sheet := "Statement"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	d3 := s.day(3).Format("02/01/2006")
	cells := [][]any{
		{"Txn Date", "Description", "Ref No", "Amount", "Dr/Cr", "Balance"},
		{d3, "SALARY CREDIT ACME LTD", "SAL1126", 85000.0, "Cr", 835000.0},
		{d3, "GST PAYMENT CHALLAN", "CIN26112700", 12000.0, "Dr", 823000.0},
	}
	for r, row := range cells {
		for c, v := range row {
			ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if err := f.SetCellValue(sheet, ref, v); err != nil {
				return err
			}
		}
	}
	return f.SaveAs(s.path("bank", 3, "xlsx"))
}

// plantSettlements plants one case of each settlement category of SPEC
// §7.4 and its near misses, in set 0 only.
func (d *generator) plantSettlements() {
	s := d.settle
	d.settleOwn = true
	defer func() { d.settleOwn = false }()
	p := func(category, entity, ref, note string) {
		d.Planted = append(d.Planted, Planted{category, entity, ref, note})
	}
	a := func(paise int64) recon.Amount { return recon.Amount(paise) }
	at := 13 * 3600
	mk := func(id string, paise int64, method, ledger, gateway string) order {
		at += 60
		created := d.at(at)
		o := order{id: id, amount: paise, currency: "INR", ledgerStatus: ledger, gatewayStatus: gateway, created: created,
			txn: "KPTXN" + d.digits(12), method: method}
		if gateway == "PAID" || gateway == "REFUNDED" {
			o.paid = created.Add(40 * time.Second)
		}
		d.addOrder(o, true, true)
		d.orderWebhooks(o, false)
		return o
	}
	paid := func(id string, paise int64, method string) order { return mk(id, paise, method, "success", "PAID") }
	pay := func(o order) srow {
		fee, tax := s.fee(o.method, o.amount)
		return srow{typ: "payment", order: o.id, method: o.method, amount: a(o.amount), fee: fee, tax: tax, net: a(o.amount) - fee - tax}
	}
	row := func(typ, order, method string, amount, fee, tax, net int64) srow {
		return srow{typ: typ, order: order, method: method, amount: a(amount), fee: a(fee), tax: a(tax), net: a(net)}
	}
	// UTRs that differ by their 12th character: a narration cut there
	// still names one settlement.
	utr := func(n int) string { return s.utr(0, n*111111) }

	main := plantedSettlement{id: "STL-PLANT-A", utr: utr(1), credit: "cut"}
	add := func(r srow) { main.rows = append(main.rows, r) }
	place := func() string { return fmt.Sprintf("%s:Settlements!%d", main.id, len(main.rows)+1) } // the row just added

	add(pay(paid("ORD-STL-OK", 1000_00, "UPI")))
	// near miss: settled in full, credited under a UTR cut at 12 characters

	add(pay(mk("ORD-SNP-1", 640_00, "UPI", "failed", "FAILED")))
	p("SETTLED_NOT_PAID", "PAYIN", "ORD-SNP-1", "gateway FAILED, settled anyway")
	add(row("Sale", "ORD-SNP-GHOST", "UPI", 777_00, 0, 0, 777_00))
	p("SETTLED_NOT_PAID", "PAYIN", "ORD-SNP-GHOST", "settled, unknown to ledger and gateway")

	o := paid("ORD-SAM-1", 500_00, "UPI")
	add(row("payment", o.id, "UPI", 499_00, 0, 0, 499_00))
	p("SETTLEMENT_AMOUNT_MISMATCH", "PAYIN", o.id, "paid 500.00, settled 499.00")

	o = paid("ORD-DST-1", 820_00, "UPI")
	add(pay(o))
	dup := pay(o)
	p("DUPLICATE_SETTLEMENT", "PAYIN", o.id, "settled in STL-PLANT-A and STL-DUP-2")

	o = mk("ORD-RND-1", 390_00, "UPI", "refunded", "REFUNDED")
	add(pay(o))
	p("REFUND_NOT_DEDUCTED", "PAYIN", o.id, "refunded, no refund event (provisional)")
	o = mk("ORD-RND-NEAR", 410_00, "UPI", "refunded", "REFUNDED")
	add(pay(o))
	// near miss: the refund is deducted two days later (settlements/D+2)

	// 1.90% of 25.00 is 0.475: 0.48 half-up; 0.47 is one paisa short.
	o = paid("ORD-FEE-1", 25_00, "CARD")
	add(row("payment", o.id, "CARD", 25_00, 47, 8, 25_00-47-8))
	p("FEE_MISMATCH", "SETTLEMENT", place(), "fee 0.47, 1.90% of 25.00 = 0.475 → 0.48")
	o = paid("ORD-FEE-NEAR", 25_00, "CARD")
	add(pay(o))
	// near miss: the fee at the half-up edge, 0.48

	// 2.00% of 987.50 is 19.75; 18% of it 3.555: 3.56 half-up.
	o = paid("ORD-TAX-1", 987_50, "WALLET")
	add(row("payment", o.id, "WALLET", 987_50, 19_75, 3_55, 987_50-19_75-3_55))
	p("TAX_MISMATCH", "SETTLEMENT", place(), "tax 3.55, 18% of 19.75 = 3.555 → 3.56")
	o = paid("ORD-TAX-NEAR", 987_50, "WALLET")
	add(pay(o))
	// near miss: the tax at the half-up edge, 3.56

	o = paid("ORD-NET-1", 300_00, "UPI")
	add(row("payment", o.id, "UPI", 300_00, 0, 0, 299_00))
	p("NET_MISMATCH", "SETTLEMENT", place(), "net 299.00, 300.00 − 0 − 0 = 300.00")

	o = paid("ORD-NB-1", 1000_00, "NETBANKING")
	add(pay(o))
	// near miss: 1.75% + 3.00 = 20.50, GST 3.69

	add(row("chargeback", "ORD-CB-OLD", "", 250_00, 0, 0, -250_00))
	// near miss: a chargeback of an earlier day's order, deducted
	add(srow{typ: "adjustment", net: -15_00, empty: true})
	// near miss: an adjustment row with only its net amount

	o = paid("ORD-UNS-1", 1350_00, "UPI")
	p("UNSETTLED", "PAYIN", o.id, "paid, in no settlement (provisional)")

	b := plantedSettlement{id: "STL-PLANT-B", utr: utr(2), credit: "wrong", rows: []srow{pay(paid("ORD-STL-B", 2000_00, "UPI"))}}
	p("BANK_CREDIT_MISMATCH", "SETTLEMENT", b.id, "credit 1.00 short of 2000.00")
	c := plantedSettlement{id: "STL-PLANT-C", utr: utr(3), credit: "none", rows: []srow{pay(paid("ORD-STL-C", 1500_00, "UPI"))}}
	p("BANK_CREDIT_MISSING", "SETTLEMENT", c.id, "no credit (provisional)")
	eq1 := plantedSettlement{id: "STL-PLANT-EQ1", utr: utr(4), credit: "equal", rows: []srow{pay(paid("ORD-STL-EQ1", 1111_00, "UPI"))}}
	eq2 := plantedSettlement{id: "STL-PLANT-EQ2", utr: utr(5), credit: "equal", rows: []srow{pay(paid("ORD-STL-EQ2", 1111_00, "UPI"))}}
	p("BANK_CREDIT_MISSING", "SETTLEMENT", eq1.id, "two settlements of 1111.00 and one credit without a UTR: no match by amount")
	p("BANK_CREDIT_MISSING", "SETTLEMENT", eq2.id, "two settlements of 1111.00 and one credit without a UTR: no match by amount")
	amt := plantedSettlement{id: "STL-PLANT-AMT", utr: utr(6), credit: "amount", rows: []srow{pay(paid("ORD-STL-AMT", 2222_00, "UPI"))}}
	// near miss: credited two days later without a UTR, matched by amount and date
	file := s.day(0).Format(time.DateOnly) + ".csv"
	p("UNEXPLAINED_CREDIT", "BANK", file+":4", "a KWIKPAISA credit of 1111.00 no settlement claims")
	p("UNEXPLAINED_CREDIT", "BANK", file+":5", "a KWIKPAISA credit of 1234.00 no settlement claims")

	d.settlePlanted = []plantedSettlement{main, b, c, eq1, eq2, amt}
	d.settleExtra = []srow{dup}
}
