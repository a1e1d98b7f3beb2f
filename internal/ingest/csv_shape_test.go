package ingest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kwikpaisa/recon/internal/recon"
)

// TestCSVFieldCount: a CSV row with more or fewer fields than its header
// is rejected whole, with its line, its text and a reason that says what
// to fix; the rows around it are read, and read = accepted + rejected.
// Today's main dropped the extra fields: an unquoted 1,500.00 in the last
// column was stored as 1.00.
func TestCSVFieldCount(t *testing.T) {
	tests := []struct {
		name       string
		read       readFunc
		content    string
		wantKeys   []string
		wantLine   string
		wantValue  string
		wantReason string
	}{
		{name: "orders: unquoted thousands separator in the last column", read: ReadOrders,
			content:  "order_id,status,created_at,amount\nA,paid,2026-11-24,\"1,500.00\"\nB,paid,2026-11-24,1,500.00\nC,paid,2026-11-24,2.00\n",
			wantKeys: []string{"A", "C"}, wantLine: "3", wantValue: "B,paid,2026-11-24,1,500.00",
			wantReason: "row has 5 fields, header has 4: an unquoted amount with a thousands separator such as 1,500.00 shifts columns; quote it or remove the separator"},
		{name: "orders: unquoted thousands separator mid-row", read: ReadOrders,
			content:  "order_id,amount,status,created_at\nA,1,500.00,paid,2026-11-24\nB,2.00,paid,2026-11-24\n",
			wantKeys: []string{"B"}, wantLine: "2", wantValue: "A,1,500.00,paid,2026-11-24",
			wantReason: "row has 5 fields, header has 4"},
		{name: "orders: row cut short", read: ReadOrders,
			content:  "order_id,amount,status,created_at,payment_method\nA,1.00,paid,2026-11-24\nB,2.00,paid,2026-11-24,UPI\n",
			wantKeys: []string{"B"}, wantLine: "2", wantValue: "A,1.00,paid,2026-11-24",
			wantReason: "row has 4 fields, header has 5: the row is cut short or a , is missing"},
		{name: "orders: semicolons, a value with an unquoted ;", read: ReadOrders,
			content:  "order_id;amount;status;created_at;payment_method\nA;1.00;paid;2026-11-24;UPI;card\nB;2.00;paid;2026-11-24;UPI\n",
			wantKeys: []string{"B"}, wantLine: "2", wantValue: "A;1.00;paid;2026-11-24;UPI;card",
			wantReason: "row has 6 fields, header has 5: a value containing ; that is not in quotes shifts columns; quote it or remove the ;"},
		{name: "payouts: 25,000.00 unquoted", read: ReadPayouts,
			content:  "payout id,status,payout date,payout amount\nP1,processed,2026-11-24,25,000.00\nP2,processed,2026-11-24,\"25,000.00\"\n",
			wantKeys: []string{"P2"}, wantLine: "2", wantValue: "P1,processed,2026-11-24,25,000.00",
			wantReason: "row has 5 fields, header has 4"},
		{name: "payouts: row cut short", read: ReadPayouts,
			content:  "payout id,payout amount,status,payout date,utr\nP1,10.00,processed\nP2,10.00,processed,2026-11-24,UTR1\n",
			wantKeys: []string{"P2"}, wantLine: "2", wantValue: "P1,10.00,processed",
			wantReason: "row has 3 fields, header has 5"},
		{name: "blank lines and a blank row of commas are not counted", read: ReadOrders,
			content:  "\norder_id,amount,status,created_at\n,,\n\nA,1.00,paid,2026-11-24,x\n",
			wantLine: "5", wantValue: "A,1.00,paid,2026-11-24,x", wantReason: "row has 5 fields, header has 4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "ledger.csv", tt.content)
			c, counts := mustRead(t, tt.read, path, testOptions())
			var keys []string
			for _, o := range c.orders {
				keys = append(keys, o.OrderID)
			}
			for _, p := range c.payouts {
				keys = append(keys, p.PayoutID)
			}
			if fmt.Sprint(keys) != fmt.Sprint(tt.wantKeys) {
				t.Errorf("accepted %v, want %v", keys, tt.wantKeys)
			}
			if counts.Rejected != 1 || counts.Read != len(tt.wantKeys)+1 {
				t.Errorf("counts %+v, want %d read, 1 rejected", counts, len(tt.wantKeys)+1)
			}
			r := rejectOf(c, tt.wantLine)
			if r == nil {
				t.Fatalf("no reject on line %s; rejects %+v", tt.wantLine, c.rejects)
			}
			if r.File != path || r.Column != "" || r.Value != tt.wantValue || !strings.HasPrefix(r.Reason, tt.wantReason) {
				t.Errorf("reject %+v;\nwant file %s, no column, value %q, reason starting %q", *r, path, tt.wantValue, tt.wantReason)
			}
			for _, o := range c.orders {
				if o.Amount == 100 {
					t.Errorf("order %s stored at 1.00: the amount was cut at its thousands separator", o.OrderID)
				}
			}
		})
	}
}

// TestRowText: a rejected row's text is kept whole when short, cut at a
// character boundary with an ellipsis when long.
func TestRowText(t *testing.T) {
	long := strings.Repeat("₹", 100) // 300 bytes
	tests := []struct {
		name   string
		fields []string
		want   string
	}{
		{"short", []string{"A", "1", "500.00"}, "A,1,500.00"},
		{"empty fields", []string{"", "", "x"}, ",,x"},
		{"long, cut between characters", []string{long}, strings.Repeat("₹", 66) + "…"},
	}
	for _, tt := range tests {
		if got := rowText(tt.fields, ','); got != tt.want {
			t.Errorf("%s: rowText = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestCSVShapes reads one ledger written every way SPEC §2.1 allows: with
// and without a BOM, delimited by , or ; (detected, or named by Excel's
// sep= first line), lines ended by CRLF, LF or CR alone, with a quoted
// value that holds a line end. Each must give the same orders, and the
// same rejects on the same lines. Today's main read a CR-only file as one
// header row ("0 rows read"), or failed with "missing required column"
// when the header's last column was required, and read a sep= line as the
// header.
func TestCSVShapes(t *testing.T) {
	// Line 1 the header; line 2 A; line 3 a reject; lines 4-5 B, whose note
	// holds a line end; line 6 blank; line 7 C. A sep= line moves each down
	// by one. created_at, required, is last.
	rows := [][]string{
		{"order_id", "amount", "status", "payment_method", "note", "created_at"},
		{"A", "1,500.00", "paid", "UPI", "", "2026-11-24 10:00"},
		{"R", "-1", "paid", "UPI", "", "2026-11-24 10:00"},
		{"B", "2.00", "paid", "card", "two\nlines", "2026-11-24 11:00"},
		nil,
		{"C", "3.00", "paid", "UPI", "x", "2026-11-24 12:00"},
	}
	wantAmounts := map[string]recon.Amount{"A": 150000, "B": 200, "C": 300}
	wantLines := map[string]int{"A": 2, "B": 4, "C": 7}
	const rejectLine = 3

	for _, bom := range []bool{false, true} {
		for _, sep := range []string{"", ",", ";"} {
			for _, comma := range []string{",", ";"} {
				if sep != "" && sep != comma {
					continue
				}
				for _, eol := range []string{"\r\n", "\n", "\r"} {
					name := fmt.Sprintf("bom=%v sep=%q comma=%q eol=%q", bom, sep, comma, eol)
					t.Run(name, func(t *testing.T) {
						var b strings.Builder
						if bom {
							b.WriteString("\ufeff")
						}
						shift := 0
						if sep != "" {
							b.WriteString("sep=" + sep + eol)
							shift = 1
						}
						for _, r := range rows {
							for i, f := range r {
								if i > 0 {
									b.WriteString(comma)
								}
								if strings.ContainsAny(f, ",;\n") {
									f = `"` + strings.ReplaceAll(f, "\n", eol) + `"`
								}
								b.WriteString(f)
							}
							b.WriteString(eol)
						}
						path := writeFile(t, "orders.csv", b.String())
						c, counts := mustRead(t, ReadOrders, path, testOptions())
						if counts.Read != 4 || counts.Accepted != 3 || counts.Rejected != 1 {
							t.Errorf("counts %+v, want 4 read, 3 accepted, 1 rejected", counts)
						}
						for _, o := range c.orders {
							if o.Amount != wantAmounts[o.OrderID] || o.Place.LineNo() != wantLines[o.OrderID]+shift {
								t.Errorf("order %s: amount %v line %d; want %v line %d", o.OrderID, o.Amount, o.Place.LineNo(),
									wantAmounts[o.OrderID], wantLines[o.OrderID]+shift)
							}
						}
						if len(c.rejects) != 1 || c.rejects[0].Line != fmt.Sprint(rejectLine+shift) || c.rejects[0].Column != "amount" {
							t.Errorf("rejects %+v, want one on line %d, column amount", c.rejects, rejectLine+shift)
						}
					})
				}
			}
		}
	}
}

// TestExcelSeparator: the sep= line Excel writes is read only when it is
// a line of its own, and a delimiter recon cannot read is refused by name.
func TestExcelSeparator(t *testing.T) {
	tests := []struct {
		head      string
		wantComma rune
		wantNamed bool
		wantErr   string
	}{
		{"sep=;\r\norder_id;amount", ';', true, ""},
		{"sep=,\norder_id,amount", ',', true, ""},
		{"SEP=;\rorder_id;amount", ';', true, ""},
		{"sep=;", ';', true, ""},
		{"sep=|\norder_id|amount", 0, false, `delimiter '|'`},
		{"sep=;x,order_id", 0, false, ""}, // a header named "sep=;x"
		{"order_id,amount\n", 0, false, ""},
		{"sep", 0, false, ""},
	}
	for _, tt := range tests {
		comma, named, err := excelSeparator([]byte(tt.head))
		if comma != tt.wantComma || named != tt.wantNamed || (err == nil) != (tt.wantErr == "") ||
			err != nil && !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("excelSeparator(%q) = %q, %v, %v; want %q, %v, error containing %q", tt.head, comma, named, err,
				tt.wantComma, tt.wantNamed, tt.wantErr)
		}
	}
}
