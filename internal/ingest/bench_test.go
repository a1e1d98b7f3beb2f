package ingest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

const benchRows = 20000

// benchRead reads path b.N times and reports rows/s and MB/s.
func benchRead(b *testing.B, read readFunc, path string, opts Options) {
	b.Helper()
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Size())
	b.ReportAllocs()
	b.ResetTimer()
	rows := 0
	for i := 0; i < b.N; i++ {
		counts, err := read(context.Background(), path, opts, Sink{})
		if err != nil {
			b.Fatal(err)
		}
		if counts.Rejected != 0 || counts.Read != benchRows {
			b.Fatalf("counts %+v, want %d rows and no reject", counts, benchRows)
		}
		rows += counts.Read
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkReadOrdersCSV(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("\ufeffOrder No;Amount (INR);Payment Status;Order Date;Txn ID;Payment Mode\r\n")
	for i := 0; i < benchRows; i++ {
		fmt.Fprintf(&sb, "ORD%012d;₹ %d,%02d,%03d.%02d;Captured;%02d/11/2026 %02d:%02d:%02d;KPTXN%012d;UPI\r\n",
			i, i%9+1, i%100, i%1000, i%100, i%28+1, i%24, i%60, i%60, i)
	}
	benchRead(b, ReadOrders, writeFile(b, "orders.csv", sb.String()), testOptions())
}

func BenchmarkReadPayoutsXLSX(b *testing.B) {
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	if err := sw.SetRow("A1", []any{"Payout ID", "Payout Amount", "Payout Status", "Mode", "Account Number", "IFSC", "UTR", "Payout Date"}); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < benchRows; i++ {
		ref, _ := excelize.CoordinatesToCellName(1, i+2)
		row := []any{fmt.Sprintf("PO%012d", i), float64(i%100000) + 0.5, "processed", "IMPS",
			fmt.Sprintf("%012d", i), "HDFC0001234", 523223000000 + i, 46350 + float64(i%86400)/86400}
		if err := sw.SetRow(ref, row); err != nil {
			b.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "payouts.xlsx")
	if err := f.SaveAs(path); err != nil {
		b.Fatal(err)
	}
	benchRead(b, ReadPayouts, path, testOptions())
}

func BenchmarkReadGateway(b *testing.B) {
	var sb strings.Builder
	for i := 0; i < benchRows; i++ {
		if i%2 == 0 {
			fmt.Fprintf(&sb, `{"kwikX_order_id":%d123456789012345,"order_id":"ORD%012d","order_amount":"%d.50","currency":"INR","order_status":"PAID","payment_method":"UPI","transaction_id":"KPTXN%012d","created_at":"24-11-2026 10:15 AM","paid_at":"24-11-2026 10:16 AM"}`+"\n", i+1, i, i, i)
		} else {
			fmt.Fprintf(&sb, `{"payout_order_id":"PO%012d","kwikx_payout_id":"KXP%d","amount":"%d.00","currency":"INR","payout_status":"SUCCESS","transfer_mode":"IMPS","utr":"%012d","beneficiary_account":"%012d","beneficiary_ifsc":"HDFC0001234","created_at":"24-11-2026 10:15 AM","processed_at":"24-11-2026 10:18 AM"}`+"\n", i, i, i, 523223000000+i, i)
		}
	}
	benchRead(b, ReadGateway, writeFile(b, "gateway.jsonl", sb.String()), testOptions())
}

// BenchmarkReadWebhooks includes verifying every signature (raw, the first
// secret of two).
func BenchmarkReadWebhooks(b *testing.B) {
	const ts = "1795500000"
	var sb strings.Builder
	for i := 0; i < benchRows; i++ {
		body := fmt.Sprintf(`{"event":"payment.success","data":{"order_id":"ORD%012d","amount":"%d.50","currency":"INR","transaction_id":"KPTXN%012d"}}`, i, i, i)
		d := delivery{received: "2026-11-24T10:15:02.000+05:30", headers: signed("whsec_test", body, ts), body: body}
		sb.WriteString(d.line() + "\n")
	}
	opts := testOptions()
	opts.WebhookSecrets = []string{"whsec_test", "whsec_old"}
	benchRead(b, ReadWebhooks, writeFile(b, "webhooks.jsonl", sb.String()), opts)
}

// BenchmarkParseAmount reads the amount forms of SPEC §2.1 (mixed), and
// amounts as gateway dumps, webhook bodies and most ledger exports write
// them (plain).
func BenchmarkParseAmount(b *testing.B) {
	for _, c := range []struct {
		name   string
		inputs []string
	}{
		{"mixed", []string{"1499.00", "₹1,23,456.78", "Rs. 2,500", "INR 105.5", "25586.80", " 41714.40 "}},
		{"plain", []string{"26420.25", "12332.79", "3400.00", "35536.91", "9286.5", "1499"}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := ParseAmount(c.inputs[i%len(c.inputs)]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParseID reads order, payout and transaction ids.
func BenchmarkParseID(b *testing.B) {
	inputs := []string{"ORD202611240165415", "PO202611241000001", "KPTXN826061812605", " ORD-8 "}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := ParseID(inputs[i%len(inputs)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseTime reads the timestamp forms of SPEC §2.1.
func BenchmarkParseTime(b *testing.B) {
	inputs := []string{"2026-11-24 06:13:55", "2026-11-24T10:15:02.123+05:30", "24-11-2026 08:34 AM", "24/11/2026 09:05",
		"2026-11-24", "5/1/2026 9:05"}
	zone := testOptions().Zone
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := ParseTime(inputs[i%len(inputs)], zone); err != nil {
			b.Fatal(err)
		}
	}
}
