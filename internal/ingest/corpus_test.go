package ingest

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// TestHostileFiles is issue 9's corpus of hostile inputs, each read as a
// file by the reader of its source: it gives an error that names the file
// (and the line, where there is one), or exact rejects, or an exact
// outcome — never a panic and never a silent zero. Parser-level cases
// live in parse_test.go, XLSX damage in xlsx_test.go (TestReadXLSXDamaged,
// TestReadXLSXHostile, TestSniffByContent), header problems in
// ledger_test.go (TestLedgerHeaderErrors, TestLedgerFileKinds).
func TestHostileFiles(t *testing.T) {
	const head = "order_id,amount,currency,status,created_at\n"
	row := func(id, amount, date string) string { return id + "," + amount + ",INR,paid," + date + "\n" }
	xlsx := string(xlsxPackage(t, `<worksheet><sheetData><row r="1"><c t="inlineStr"><is><t>Order ID</t></is></c></row></sheetData></worksheet>`, ""))

	tests := []struct {
		name, file, content string
		read                readFunc
		wantErr             string   // the error names the file and says this
		wantRejects         []string // "line column: reason" of each reject
		wantKeys            []string // accepted keys, exactly
	}{
		{name: "empty file", file: "orders.csv", read: ReadOrders, wantErr: "file is empty"},
		// A header and no row is an empty ledger: zero rows read, and
		// the summary says so; not an error.
		{name: "header only", file: "orders.csv", content: head, read: ReadOrders},
		{name: "missing required columns", file: "orders.csv", content: "order_id,amount\nA,1\n", read: ReadOrders,
			wantErr: "missing required column status, created_at"},
		{name: "binary", file: "orders.csv", content: "\x7fELF\x02\x01\x01\x00\x00\x00", read: ReadOrders, wantErr: "binary content"},
		{name: "UTF-16 with BOM", file: "orders.csv", content: "\xff\xfeo\x00r\x00d\x00", read: ReadOrders, wantErr: "UTF-16"},
		{name: "XLSX named .csv", file: "orders.csv", content: xlsx, read: ReadOrders, wantErr: "missing required column amount, status, created_at"},
		{name: "CSV named .xlsx", file: "orders.xlsx", content: head + row("A", "1.00", "2026-11-24"), read: ReadOrders, wantKeys: []string{"A"}},
		{name: "truncated XLSX", file: "orders.xlsx", content: xlsx[:len(xlsx)/2], read: ReadOrders, wantErr: "XLSX"},
		{name: "a line of 10 MB", file: "orders.csv", content: head + "A," + strings.Repeat("9", 10<<20) + ",INR,paid,2026-11-24\n",
			read: ReadOrders, wantErr: "line 2 is longer than 4 MB"},
		// A row with more fields than the header is rejected whole (SPEC
		// §2.1), however many; the rows after it are read.
		{name: "a million columns in one row", file: "orders.csv", content: head + strings.TrimSuffix(row("A", "1.00", "2026-11-24"), "\n") +
			strings.Repeat(",x", 1_000_000) + "\n" + row("B", "1.00", "2026-11-24"), read: ReadOrders,
			wantRejects: []string{"2 : row has 1000005 fields, header has 5: an unquoted amount with a thousands separator such as 1,500.00 shifts columns; quote it or remove the separator"},
			wantKeys:    []string{"B"}},
		{name: "quote never closed", file: "orders.csv", content: head + `A,"1.00,INR,paid,2026-11-24` + "\n" + row("B", "1.00", "2026-11-24"),
			read: ReadOrders, wantErr: "starts on line 2 is not closed"},
		{name: "hostile amounts", file: "orders.csv", read: ReadOrders,
			content:     head + row("A", "1e309", "2026-11-24") + row("B", "NaN", "2026-11-24") + row("C", "٣٤٥", "2026-11-24") + row("D", "Inf", "2026-11-24"),
			wantRejects: []string{"2 amount: amount is not a number", "3 amount: amount is not a number", "4 amount: amount is not a number", "5 amount: amount is not a number"}},
		// A look-alike or invisible character in an id is rejected, so
		// that "ORD-О1" (Cyrillic О) never passes for, or matches,
		// "ORD-O1"; the Latin one is kept.
		{name: "look-alike and invisible characters in ids", file: "orders.csv", read: ReadOrders,
			content: head + row("ORD-\u041e1", "1.00", "2026-11-24") + row("ORD-O1\u200b", "1.00", "2026-11-24") + row("ORD-O1", "1.00", "2026-11-24"),
			wantRejects: []string{"2 order_id: identifier contains the non-ASCII character 'О' (U+041E), which may imitate another",
				"3 order_id: identifier contains an invisible character (U+200B)"},
			wantKeys: []string{"ORD-O1"}},
		{name: "dates that do not exist", file: "orders.csv", read: ReadOrders,
			content:     head + row("A", "1.00", "2026-02-30") + row("B", "1.00", "30/02/2026"),
			wantRejects: []string{"2 created_at: date does not exist (day out of range)", "3 created_at: date does not exist (February has 28 days)"}},
		{name: "gateway line not JSON", file: "gateway.jsonl", read: ReadGateway, content: "not json\n",
			wantRejects: []string{`1 : line is not a JSON object: unexpected value found: "not json"`}},
		{name: "webhook line not JSON", file: "webhooks.jsonl", read: ReadWebhooks, content: "this is not json\n",
			wantRejects: []string{`1 : line is not a stored webhook delivery: unexpected value found: "this is not json"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, tt.file, tt.content)
			var c collected
			counts, err := tt.read(context.Background(), path, testOptions(), c.sink())
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v; want one naming %s and saying %q", err, path, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("error %v, want none", err)
			}
			checkCounts(t, &c, counts)
			var rejects []string
			for _, r := range c.rejects {
				if r.File != path {
					t.Errorf("reject names file %q, want %q", r.File, path)
				}
				rejects = append(rejects, r.Line+" "+r.Column+": "+r.Reason)
			}
			if strings.Join(rejects, "\n") != strings.Join(tt.wantRejects, "\n") {
				t.Errorf("rejects:\n%s\nwant:\n%s", strings.Join(rejects, "\n"), strings.Join(tt.wantRejects, "\n"))
			}
			var keys []string
			for _, o := range c.orders {
				keys = append(keys, o.OrderID)
			}
			if strings.Join(keys, ",") != strings.Join(tt.wantKeys, ",") {
				t.Errorf("accepted orders %q, want %q", keys, tt.wantKeys)
			}
		})
	}
}

// TestHostileDeliveries: a webhook body that is not JSON, and a signature
// of the wrong length, are stored (each is a row of the log) but are not
// evidence, and say why.
func TestHostileDeliveries(t *testing.T) {
	const body = `{"event":"payment.success","data":{"order_id":"A","amount":"1.00"}}`
	tests := []struct {
		name, line, wantProblem string
	}{
		{name: "body not JSON", line: `{"received_at":"2026-11-24T10:00:00+05:30","headers":{"X-Signature":"ab","X-Timestamp":"1795500000"},"body":"not json"}`,
			wantProblem: `body is not strict JSON: unexpected value found: "not json"`},
		{name: "signature of the wrong length", line: fmt.Sprintf(`{"received_at":"2026-11-24T10:00:00+05:30","headers":{"X-Signature":"abcd","X-Timestamp":"1795500000"},"body":%q}`, body)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "webhooks.jsonl", tt.line+"\n")
			c, _ := mustRead(t, ReadWebhooks, path, testOptions())
			if len(c.deliveries) != 1 {
				t.Fatalf("%d deliveries, want 1", len(c.deliveries))
			}
			d := c.deliveries[0]
			if d.Evidence() || d.Problem != tt.wantProblem {
				t.Errorf("Evidence() = %v, Problem = %q; want false and %q", d.Evidence(), d.Problem, tt.wantProblem)
			}
		})
	}
}
