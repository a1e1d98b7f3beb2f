package ingest

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kwikpaisa/recon/internal/recon"
)

// ledgerCase is one data row of a test ledger and what must come of it:
// an order (id, amount, class, created) or a reject (column, reason).
type ledgerCase struct {
	row     string
	id      string
	amount  recon.Amount
	class   recon.StatusClass
	created time.Time
	column  string // a reject in this column
	reason  string // a substring of the reject's reason
}

func at(y int, mo time.Month, d, h, mi, s int) time.Time {
	return time.Date(y, mo, d, h, mi, s, 0, ist)
}

var orderCases = []ledgerCase{
	// Amounts.
	{row: `ORD-001;₹ 1,23,456.78;Captured;2026-11-24T10:15:02+05:30;TXN1;UPI`, id: "ORD-001", amount: 12345678, class: recon.StatusSuccess, created: at(2026, 11, 24, 10, 15, 2)},
	{row: `00042;Rs. 1,234.50;paid;2026-11-24 10:15;;card`, id: "00042", amount: 123450, class: recon.StatusSuccess, created: at(2026, 11, 24, 10, 15, 0)},
	{row: `ord-a;INR 99;SUCCESS;2026-11-24;;`, id: "ord-a", amount: 9900, class: recon.StatusSuccess, created: at(2026, 11, 24, 0, 0, 0)},
	{row: `ORD-4;105;Completed;24-11-2026 10:15 PM;;`, id: "ORD-4", amount: 10500, class: recon.StatusSuccess, created: at(2026, 11, 24, 22, 15, 0)},
	{row: `ORD-5;105.5;pending;24/11/2026 10:15:02;;`, id: "ORD-5", amount: 10550, class: recon.StatusPending, created: at(2026, 11, 24, 10, 15, 2)},
	{row: `ORD-6;1 000.00;failed;24/11/2026;;`, id: "ORD-6", amount: 100000, class: recon.StatusNotPaid, created: at(2026, 11, 24, 0, 0, 0)},
	{row: `" ORD-7 ";100.500;partially_refunded;2026-11-24 10:15:02.250;;`, id: "ORD-7", amount: 10050, class: recon.StatusRefunded, created: at(2026, 11, 24, 10, 15, 2).Add(250 * time.Millisecond)},
	{row: "\"ORD-8\";\"1,00,000\";\"User Dropped\";\"24/11/2026 23:59\";\"\";\"note; with\r\na newline\"", id: "ORD-8", amount: 10000000, class: recon.StatusNotPaid, created: at(2026, 11, 24, 23, 59, 0)},
	{row: `ORD-9;0.5;expired;2026-11-24T04:45:02Z;;`, id: "ORD-9", amount: 50, class: recon.StatusNotPaid, created: at(2026, 11, 24, 10, 15, 2)},
	{row: `ORD-10;10;Attempted;24-11-2026 12:05 am;;`, id: "ORD-10", amount: 1000, class: recon.StatusPending, created: at(2026, 11, 24, 0, 5, 0)},
	{row: `ORD-11;₹10;declined;2026-11-24 10:15:02;;`, id: "ORD-11", amount: 1000, class: recon.StatusNotPaid, created: at(2026, 11, 24, 10, 15, 2)},
	// Rejects, each with a reason a finance person reads.
	{row: `ORD-R1;-5;paid;2026-11-24;;`, column: "amount", reason: "amount is negative"},
	{row: `ORD-R2;1.234;paid;2026-11-24;;`, column: "amount", reason: "more than 2 decimal places"},
	{row: `ORD-R3;;paid;2026-11-24;;`, column: "amount", reason: "amount is empty"},
	{row: `ORD-R4;abc;paid;2026-11-24;;`, column: "amount", reason: "amount is not a number"},
	{row: `ORD-R5;12,50;paid;2026-11-24;;`, column: "amount", reason: "thousands separator in the wrong place"},
	{row: `ORD-R6;10;shipped;2026-11-24;;`, column: "status", reason: `status "shipped" is not a known payin status`},
	{row: `ORD-R7;10;;2026-11-24;;`, column: "status", reason: "status is empty"},
	{row: `ORD-R8;10;paid;11/24/2026;;`, column: "created_at", reason: "month first"},
	{row: `ORD-R8b;10;paid;2026/11/24;;`, column: "created_at", reason: "date is not in a form"},
	{row: `ORD-R9;10;paid;2026-02-30;;`, column: "created_at", reason: "date does not exist"},
	{row: `ORD-R10;10;paid;yesterday;;`, column: "created_at", reason: "date is not in a form"},
	{row: `ORD-R11;10;paid;;;`, column: "created_at", reason: "date is empty"},
	{row: `;10;paid;2026-11-24;;`, column: "order_id", reason: "identifier is empty"},
	{row: `ORD-R13;1"0;paid;2026-11-24;;`, column: "", reason: "contains a quote mark"},
	{row: `ORD-R14;10;paid;2026-11-24;TXN 1;`, id: "ORD-R14", amount: 1000, class: recon.StatusSuccess, created: at(2026, 11, 24, 0, 0, 0)},
	{row: "ORD-R15;10;paid;2026-11-24;TXN\u200b1;", column: "transaction_id", reason: "invisible character"},
	{row: `ORD-R16;"12,345.678";paid;2026-11-24;;`, column: "amount", reason: "more than 2 decimal places"},
	{row: `ORD-R17;1e3;paid;2026-11-24;;`, column: "amount", reason: "not a number"},
}

// buildLedger writes header and the cases' rows joined by eol, and returns
// the file's content and each case's first line.
func buildLedger(header string, cases []ledgerCase, eol string) (string, []string) {
	var b strings.Builder
	b.WriteString(header + eol)
	line := 2
	lines := make([]string, len(cases))
	for i, c := range cases {
		lines[i] = strconv.Itoa(line)
		b.WriteString(c.row + eol)
		line += 1 + strings.Count(c.row, "\n")
	}
	return b.String(), lines
}

func TestReadOrdersCSV(t *testing.T) {
	const header = "\ufeffOrder No;Amount (INR);Payment Status;Order Date;Kwikpaisa-Txn_ID;Payment Mode"
	for _, eol := range []string{"\r\n", "\n", "\r"} {
		content, lines := buildLedger(header, orderCases, eol)
		path := writeFile(t, "orders.csv", content)
		c, counts := mustRead(t, ReadOrders, path, testOptions())
		if counts.Read != len(orderCases) {
			t.Errorf("eol %q: read %d rows, want %d", eol, counts.Read, len(orderCases))
		}
		byLine := map[string]recon.Order{}
		for _, o := range c.orders {
			byLine[o.Place.Line()] = o
		}
		for i, tc := range orderCases {
			line := lines[i]
			if tc.reason == "" {
				o, ok := byLine[line]
				if !ok {
					t.Errorf("eol %q line %s %q: not accepted (reject %+v)", eol, line, tc.row, rejectOf(c, line))
					continue
				}
				if o.OrderID != tc.id || o.Amount != tc.amount || o.Class != tc.class || !o.CreatedAt.Time().Equal(tc.created) || o.Place.File() != path {
					t.Errorf("eol %q line %s: got %s %v %s %v; want %s %v %s %v", eol, line, o.OrderID, o.Amount, o.Class, o.CreatedAt, tc.id, tc.amount, tc.class, tc.created)
				}
				continue
			}
			r := rejectOf(c, line)
			if r == nil {
				t.Errorf("eol %q line %s %q: not rejected", eol, line, tc.row)
				continue
			}
			if r.Column != tc.column || !strings.Contains(r.Reason, tc.reason) || r.File != path {
				t.Errorf("eol %q line %s: reject %+v; want column %s, reason containing %q", eol, line, *r, tc.column, tc.reason)
			}
		}
	}
}

func TestReadOrdersCSVValues(t *testing.T) {
	content := "order_id,amount,currency,status,created_at,transaction_id,payment_method\n" +
		"ORD-1,\"1,23,456.78\",,paid,2026-11-24 10:15,00TXN-a,UPI\n" +
		"ORD-2,10,usd,paid,2026-11-24 10:15,,\n" +
		"ORD-3,10,rupees,paid,2026-11-24 10:15,,\n"
	path := writeFile(t, "orders.csv", content)
	c, _ := mustRead(t, ReadOrders, path, testOptions())
	if len(c.orders) != 2 {
		t.Fatalf("orders %+v, want 2", c.orders)
	}
	if o := c.orders[0]; o.Amount != 12345678 || o.Currency != "INR" || o.TransactionID != "00TXN-a" || o.PaymentMethod != "UPI" {
		t.Errorf("ORD-1 = %+v", o)
	}
	if o := c.orders[1]; o.Currency != "USD" {
		t.Errorf("ORD-2 currency = %q, want USD", o.Currency)
	}
	if r := rejectOf(c, "4"); r == nil || r.Column != "currency" {
		t.Errorf("ORD-3 reject = %+v, want a currency reject", r)
	}
}

// TestNaiveTimeInBusinessZone: a naive ledger time is in the configured
// zone; one with an offset keeps its instant.
func TestNaiveTimeInBusinessZone(t *testing.T) {
	path := writeFile(t, "orders.csv", "order id,amount,status,date\nA,1,paid,2026-11-24 10:15\nB,1,paid,2026-11-24T10:15:00+05:30\n")
	opts := testOptions()
	opts.Zone = time.UTC
	c, _ := mustRead(t, ReadOrders, path, opts)
	if len(c.orders) != 2 {
		t.Fatalf("orders %+v", c.orders)
	}
	if got, want := c.orders[0].CreatedAt.Time(), time.Date(2026, 11, 24, 10, 15, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("naive time = %v, want %v", got, want)
	}
	if got, want := c.orders[1].CreatedAt.Time(), time.Date(2026, 11, 24, 4, 45, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("offset time = %v, want %v", got, want)
	}
}

func TestReadPayoutsCSVUTR(t *testing.T) {
	content := "Transfer ID,Amount,Payout Status,Transfer Type,Bene Account,IFSC,UPI ID,RRN Number,Created At\n" +
		"PO-1,10,processed,imps,00123,hdfc0000001,,'523223000001,2026-11-24\n" +
		"PO-2,10,processed,upi,,,Alice@OKHDFC,\"=\"\"523223000002\"\"\",2026-11-24\n" +
		"PO-3,10,processed,neft,,,,5.23223E+11,2026-11-24\n" +
		"PO-4,10,pending,neft,,,,N/A,2026-11-24\n" +
		"PO-5,10,reversed,neft,,,,hdfcr5202611240001,2026-11-24\n" +
		"PO-6,10,On Hold,neft,,,,000000,2026-11-24\n" +
		"PO-7,10,bounced,neft,,,,,2026-11-24\n"
	path := writeFile(t, "payouts.csv", content)
	c, _ := mustRead(t, ReadPayouts, path, testOptions())
	want := []struct {
		id, utr   string
		corrupted bool
		class     recon.StatusClass
	}{
		{"PO-1", "523223000001", false, recon.StatusSuccess},
		{"PO-2", "523223000002", false, recon.StatusSuccess},
		{"PO-3", "", true, recon.StatusSuccess},
		{"PO-4", "", false, recon.StatusPending},
		{"PO-5", "HDFCR5202611240001", false, recon.StatusReversed},
		{"PO-6", "", false, recon.StatusPending},
	}
	if len(c.payouts) != len(want) {
		t.Fatalf("read %d payouts, want %d; rejects %+v", len(c.payouts), len(want), c.rejects)
	}
	for i, w := range want {
		p := c.payouts[i]
		if p.PayoutID != w.id || p.UTR != w.utr || p.UTRCorrupted != w.corrupted || p.Class != w.class {
			t.Errorf("payout %d = %s utr %q corrupted %v class %s; want %s %q %v %s", i, p.PayoutID, p.UTR, p.UTRCorrupted, p.Class, w.id, w.utr, w.corrupted, w.class)
		}
	}
	if p := c.payouts[0]; p.BeneficiaryAccount != "00123" || p.BeneficiaryIFSC != "HDFC0000001" || p.TransferMode != "IMPS" {
		t.Errorf("PO-1 beneficiary = %+v", p)
	}
	if p := c.payouts[1]; p.BeneficiaryVPA != "alice@okhdfc" {
		t.Errorf("PO-2 vpa = %q", p.BeneficiaryVPA)
	}
	if r := rejectOf(c, "8"); r == nil || !strings.Contains(r.Reason, `"bounced" is not a known payout status`) {
		t.Errorf("PO-7 reject = %+v", r)
	}
}

func TestLedgerHeaderErrors(t *testing.T) {
	tests := []struct {
		name, content string
		override      map[string]string
		want          string
	}{
		{"missing", "Order No,Total\nA,1\n", nil, "missing required column status, created_at"},
		{"all missing", "foo,bar\n1,2\n", nil, "missing required column order_id, amount, status, created_at"},
		{"mapped but absent", "Ref,Total,Status,Date\n", map[string]string{"order_id": "Merchant Ref"}, `order_id (mapped to "Merchant Ref")`},
		{"two columns claim a field", "Order ID,order_id,Total,Status,Date\n", nil, "2 columns are named"},
		{"empty file", "", nil, "file is empty"},
		{"blank lines only", "\n\n \n", nil, "file is empty"},
		{"utf-16", "\xff\xfeo\x00r\x00", nil, "UTF-16"},
		{"unclosed quote", "order id,amount,status,date\nA,\"10,paid,2026-11-24\nB,10,paid,2026-11-24\n", nil, "starts on line 2 is not closed"},
	}
	for _, tt := range tests {
		path := writeFile(t, "orders.csv", tt.content)
		opts := testOptions()
		opts.OrderColumns = tt.override
		_, err := ReadOrders(context.Background(), path, opts, Sink{})
		if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v; want one naming %s and containing %q", tt.name, err, path, tt.want)
		}
	}
}

func TestColumnMap(t *testing.T) {
	path := writeFile(t, "orders.csv", "Merchant Ref,Reference,Gross,Total,Status,Date\nM-1,R-1,20,10,paid,2026-11-24\n")
	opts := testOptions()
	opts.OrderColumns = map[string]string{"order_id": "merchant_ref", "amount": "GROSS"}
	c, _ := mustRead(t, ReadOrders, path, opts)
	if len(c.orders) != 1 || c.orders[0].OrderID != "M-1" || c.orders[0].Amount != 2000 {
		t.Errorf("orders %+v; want M-1 with 20.00 from the mapped columns", c.orders)
	}
}

func TestStatusesFrom(t *testing.T) {
	st, err := StatusesFrom(map[string]string{"Settled": "success", "paid": "pending"}, map[string]string{"sent to bank": "PENDING"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		entity recon.Entity
		word   string
		want   recon.StatusClass
	}{
		{recon.EntityPayin, "SETTLED", recon.StatusSuccess},
		{recon.EntityPayin, "paid", recon.StatusPending},
		{recon.EntityPayin, "captured", recon.StatusSuccess},
		{recon.EntityPayout, "Sent To Bank", recon.StatusPending},
	}
	for _, tt := range tests {
		if got, err := st.Class(tt.entity, tt.word); err != nil || got != tt.want {
			t.Errorf("Class(%s, %q) = %v, %v; want %v", tt.entity, tt.word, got, err, tt.want)
		}
	}
	if _, err := StatusesFrom(map[string]string{"bounced": "REVERSED"}, nil); err == nil || !strings.Contains(err.Error(), "not a payin status class") {
		t.Errorf("a payout class for a pay-in word: error %v", err)
	}
	if _, err := StatusesFrom(nil, map[string]string{"x": "DONE"}); err == nil {
		t.Error("an unknown class was accepted")
	}
}

func TestLedgerFileKinds(t *testing.T) {
	long := "order id,amount,status,date\nA," + strings.Repeat("9", maxCSVLine+10) + ",paid,2026-11-24\n"
	tests := []struct{ name, content, want string }{
		{"xls", "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "old Excel .xls or a password-protected workbook"},
		{"binary", "order\x00id", "binary content"},
		{"long line", long, "line 2 is longer than 4 MB"},
	}
	for _, tt := range tests {
		path := writeFile(t, "orders.csv", tt.content)
		_, err := ReadOrders(context.Background(), path, testOptions(), Sink{})
		if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one naming the file and containing %q", tt.name, err, tt.want)
		}
	}
}

// TestZeroOptions: readers given zero Options use SPEC §2's defaults
// rather than fail (IST, the default statuses, a 300 s replay window).
func TestZeroOptions(t *testing.T) {
	path := writeFile(t, "orders.csv", "order id,amount,status,date\nA,1,paid,2026-11-24 10:15\n")
	c, _ := mustRead(t, ReadOrders, path, Options{})
	if len(c.orders) != 1 || !c.orders[0].CreatedAt.Time().Equal(time.Date(2026, 11, 24, 10, 15, 0, 0, ist)) {
		t.Errorf("orders %+v, want A at 10:15 IST", c.orders)
	}
	if _, fe := ParseGatewayRecord([]byte(`{"order_id":"A","order_amount":"1","order_status":"PAID","created_at":"2026-11-24"}`), nil); fe != nil {
		t.Errorf("ParseGatewayRecord with nil statuses: %v", fe)
	}
	d, fe := ParseDelivery([]byte(`{"received_at":"2026-11-24 10:15","headers":{},"body":"{}"}`), &Options{})
	if fe != nil || d.Evidence() {
		t.Errorf("ParseDelivery with zero options = %+v, %v; want stored, not evidence", d, fe)
	}
}
