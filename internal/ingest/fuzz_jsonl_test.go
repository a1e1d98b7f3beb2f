package ingest

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kwikpaisa/recon/internal/kwikpaisa"
	"github.com/kwikpaisa/recon/internal/recon"
)

var gatewaySeeds = []string{
	`{"kwikX_order_id":1234567890123456789012345,"order_id":"ORD-1","order_amount":"105.00","currency":"INR","order_status":"PAID","created_at":"24-11-2026 10:15 AM","paid_at":"24-11-2026 10:16 AM"}`,
	`{"payout_order_id":"PO-1","amount":"10.00","payout_status":"SUCCESS","rrn_number":"523223000001","created_at":"2026-11-24 10:15:00"}`,
	`{"payout_order_id":12345678901234567890,"amount":10,"payout_status":"REVERSED","utr":5.23223E+11,"created_at":"24-11-2026 10:15 AM"}`,
	`{"order_id":null,"order_amount":[],"order_status":{}}`, `[]`, `null`, `{}`, `{"a":1}{"b":2}`, `{"order_id":"\u0000"}`,
	`{"order_id":"A","order_amount":"1e400","order_status":"PAID","created_at":"24-11-2026 10:15 AM"}`,
	`{"order_id":"A","order_amount":"1.00","order_status":"PAID","created_at":"24-11-2026 10:15 AM","order_st\u0061tus":"FAILED"}`,
	`{"order_id":true,"order_amount":"1.00","order_status":"PAID","created_at":"24-11-2026 10:15 AM"}`,
	`{"order_id":"A\ud800","order_amount":"1.00","order_status":"PAID","created_at":"24-11-2026 10:15 AM"}`,
}

var deliverySeeds = []string{
	`{"received_at":"2025-11-24T10:15:02+05:30","headers":{"X-Signature":"00","X-Timestamp":"1763959502"},"body":"{\"event\":\"payment.success\",\"data\":{\"order_id\":\"A\",\"amount\":\"1.00\"}}"}`,
	`{"received_at":"2025-11-24T10:15:02+05:30","headers":{"x-signature":["a","b"],"X-TIMESTAMP":1763959502},"body":"{}"}`,
	`{"received_at":"2025-11-24T10:15:02+05:30","headers":null,"body":null}`,
	`{"received_at":"","headers":{},"body":"{\"event\":\"payout.reversed\",\"data\":{\"payout_order_id\":\"P\",\"order_amount\":\"-1\"}}"}`,
	`{}`, `[]`, `"x"`,
	`{"received_at":"2025-11-24T10:15:02+05:30","headers":{"X-Signature":"00","X-Timestamp":"1763959502"},"body":"{\"event\":\"payment.success\",\"ev\\u0065nt\":\"payment.failed\",\"data\":{\"order_id\":\"A\"}}"}`,
	`{"received_at":"2025-11-24T10:15:02+05:30","headers":{"X-Signature":"00","X-Timestamp":"1763959502"},"body":"{\"event\":\"payment.success\",\"data\":{\"order_id\":\"A\\udc00\"}}"}`,
	`{"received_at":"2025-11-24T10:15:02+05:30","body":"{}"}`,
}

// FuzzParseGatewayRecord: any line is either rejected with a reason or
// read into a record with a key, an entity, a class and an amount in range.
func FuzzParseGatewayRecord(f *testing.F) {
	for _, s := range gatewaySeeds {
		f.Add(s)
	}
	st := DefaultStatuses()
	f.Fuzz(func(t *testing.T, line string) {
		g, fe := ParseGatewayRecord([]byte(line), st)
		if fe != nil {
			if fe.reason == "" {
				t.Fatalf("reject without a reason for %q", line)
			}
			return
		}
		if err := kwikpaisa.CheckStrict([]byte(line)); err != nil {
			t.Fatalf("read a line that is not strict JSON (%v): %q", err, line)
		}
		if g.Key == "" || g.Class == recon.StatusNone || g.Amount < 0 || g.Amount > recon.MaxAmount || g.CreatedAt.IsZero() ||
			(g.Entity != recon.EntityPayin && g.Entity != recon.EntityPayout) {
			t.Fatalf("accepted a malformed record %+v from %q", g, line)
		}
	})
}

// FuzzParseDelivery: a delivery is never evidence unless it verified under
// a configured secret, is fresh and names a key.
func FuzzParseDelivery(f *testing.F) {
	for _, s := range deliverySeeds {
		f.Add(s)
	}
	opts := testOptions()
	f.Fuzz(func(t *testing.T, line string) {
		d, fe := ParseDelivery([]byte(line), &opts)
		if fe != nil {
			if fe.reason == "" {
				t.Fatalf("reject without a reason for %q", line)
			}
			return
		}
		if d.Evidence() && (d.Verified == recon.VerifyNone || d.Stale || d.Key == "" || d.Class == recon.StatusNone) {
			t.Fatalf("delivery %+v counts as evidence", d)
		}
		if d.Verified != recon.VerifyNone && d.Problem != "" {
			t.Fatalf("a verified delivery with an unreadable body was stored: %+v", d)
		}
		var stored struct{ Body string }
		if d.Verified != recon.VerifyNone && (json.Unmarshal([]byte(line), &stored) != nil || kwikpaisa.CheckStrict([]byte(stored.Body)) != nil) {
			t.Fatalf("verified a body that is not strict JSON: %q", line)
		}
	})
}

// FuzzReadPayoutsXLSX fuzzes the two parts of a workbook that carry its
// data, the sheet XML and the shared strings, inside a fixed package: the
// reader never panics, and either fails naming the file or accounts for
// every row.
func FuzzReadPayoutsXLSX(f *testing.F) {
	for _, seed := range xlsxSeeds {
		f.Add(seed[0], seed[1])
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, sheet, sst string) {
		path := filepath.Join(dir, "payouts.xlsx")
		if err := os.WriteFile(path, xlsxPackage(t, sheet, sst), 0o644); err != nil {
			t.Fatal(err)
		}
		var c collected
		counts, err := ReadPayouts(context.Background(), path, testOptions(), c.sink())
		if err != nil {
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		checkCounts(t, &c, counts)
		for _, p := range c.payouts {
			if !strings.HasPrefix(p.Place.Line(), "Payouts!") {
				t.Fatalf("payout place %q is not Sheet!row", p.Place.Line())
			}
		}
	})
}

const xlsxSST = `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
	`<si><t>Payout ID</t></si><si><t>Amount</t></si><si><r><t>Sta</t></r><r><t>tus</t></r></si><si><t>Date</t></si><si><t>UTR</t></si>` +
	`<si><t>processed</t><rPh><t>x</t></rPh></si></sst>`

var xlsxSeeds = [][2]string{
	{`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
		`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c></row>` +
		`<row r="2"><c r="A2" t="inlineStr"><is><t>PO-1</t></is></c><c r="B2"><v>10.5</v></c><c r="C2" t="s"><v>5</v></c><c r="D2" s="1"><v>46350.4375</v></c><c r="E2"><v>523223123456</v></c></row>` +
		`<row r="4"><c r="A4" t="str"><v>PO-2</v></c><c r="B4"><v>1.05E+2</v></c><c r="C4" t="inlineStr"><is><t>failed</t></is></c><c r="D4" t="d"><v>2026-11-24T10:15:00Z</v></c><c r="E4" t="inlineStr"><is><t>5.23223E+11</t></is></c></row>` +
		`<row><c t="inlineStr"><is><t>PO-3</t></is></c><c><v>97622.672400000003</v></c><c t="b"><v>1</v></c><c t="e"><v>#N/A</v></c></row>` +
		`</sheetData></worksheet>`, xlsxSST},
	{`<worksheet><sheetData><row r="1048577"><c r="XFE1"><v>1</v></c></row></sheetData></worksheet>`, xlsxSST},
	{`<worksheet><sheetData><row><c t="s"><v>99</v></c></row></sheetData></worksheet>`, `<sst><si><t>a</t></si></sst>`},
	{`<worksheet><sheetData><row><c r="B1"/><c r="A1"><v>1</v></c></row></sheetData>`, ``},
}

// xlsxPackage returns an XLSX whose first sheet, "Payouts", is sheet and
// whose shared strings are sst, stored uncompressed.
func xlsxPackage(tb testing.TB, sheet, sst string) []byte {
	tb.Helper()
	parts := [][2]string{
		{"_rels/.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
			`<sheets><sheet name="Payouts" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>` +
			`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`},
		{"xl/worksheets/sheet1.xml", sheet},
		{"xl/sharedStrings.xml", sst},
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p[0], Method: zip.Store})
		if err != nil {
			tb.Fatal(err)
		}
		io.WriteString(w, p[1])
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// TestXLSXPackageSeed: the fuzz seed reads as intended, so the fuzzer
// starts from a workbook with accepted rows, rejects and every cell type.
func TestXLSXPackageSeed(t *testing.T) {
	path := writeFile(t, "payouts.xlsx", string(xlsxPackage(t, xlsxSeeds[0][0], xlsxSeeds[0][1])))
	c, counts := mustRead(t, ReadPayouts, path, testOptions())
	if counts.Read != 3 || len(c.payouts) != 2 {
		t.Fatalf("counts %+v payouts %+v rejects %+v", counts, c.payouts, c.rejects)
	}
	p := c.payouts[0]
	if p.PayoutID != "PO-1" || p.Amount != 1050 || p.Class != recon.StatusSuccess || p.UTR != "523223123456" || p.Place.Line() != "Payouts!2" {
		t.Errorf("PO-1 = %+v", p)
	}
	p = c.payouts[1]
	if p.PayoutID != "PO-2" || p.Amount != 10500 || !p.UTRCorrupted || p.Place.Line() != "Payouts!4" {
		t.Errorf("PO-2 = %+v", p)
	}
	if r := rejectOf(c, "Payouts!5"); r == nil || r.Column != "amount" {
		t.Errorf("PO-3 reject = %+v", r)
	}
}
