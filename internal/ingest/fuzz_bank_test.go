package ingest

import (
	"context"
	"strings"
	"testing"

	"github.com/kwikpaisa/recon/internal/recon"
)

// FuzzCAMT053 checks that no document panics the CAMT.053 reader, that
// every entry it accepts is whole (a date, a positive-or-zero amount, its
// Ntry place) and that read = accepted + rejected.
func FuzzCAMT053(f *testing.F) {
	for _, s := range []string{
		camtDoc,
		`<Document><BkToCstmrStmt><Stmt><Ntry><Amt Ccy="INR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2026-11-25</Dt></BookgDt></Ntry></Stmt></BkToCstmrStmt></Document>`,
		`<Document><BkToCstmrStmt><Ntry><Ntry><Amt>1</Amt></Ntry></Ntry></BkToCstmrStmt></Document>`,
		`<Document><BkToCstmrStmt><Stmt><Ntry><Amt Ccy="INR">-1</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2026-02-30</Dt></BookgDt></Ntry></Stmt></BkToCstmrStmt></Document>`,
		`<Document><BkToCstmrStmt><Stmt><Ntry><Amt Ccy="INR">1e3</Amt><CdtDbtInd>CRDT</CdtDbtInd><RvslInd>true</RvslInd><BookgDt><DtTm>garbage</DtTm></BookgDt></Ntry></Stmt></BkToCstmrStmt></Document>`,
		`<!DOCTYPE x [<!ENTITY a "aaaa">]><Document><BkToCstmrStmt>&a;</BkToCstmrStmt></Document>`,
		`<Document><BkToCstmrStmt><Stmt><Ntry><Amt Ccy="INR">1</Amt><CdtDbtInd>CRDT</CdtDbtInd><ValDt><Dt>2026-11-25</Dt></ValDt><AcctSvcrRef>&lt;x&gt;</AcctSvcrRef></Ntry>`,
		"<Document>\x00</Document>", "<", "", "<Document><BkToCstmrStmt></Document>",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		b := &bankReader{path: "f.xml", sink: fuzzBankSink(t)}
		_ = parseCAMT(context.Background(), []byte(doc), ist, b)
		checkBankCounts(t, b)
	})
}

// FuzzMT940 does the same for the MT940 reader.
func FuzzMT940(f *testing.F) {
	for _, s := range []string{
		mt940Doc,
		":20:S\n:25:A/1\n:60F:C261124INR100,00\n:61:261125C1,00NTRFX\n:62F:C261125INR101,00\n",
		":20:S\n:25:A/1\n:60F:C261124INR100,00\n:61:2611251231RC1,NTRFX//\n:86:\n:62F:C261125INR99,00\n",
		":20:S\n:25:A/1\n:60F:D261124INR100,00\n:61:261125\n:62F:C261125INR0,00\n",
		":20:S\n:25:A/1\n:60F:C261124INR100,00\n:61:261125CR99999999999999,99NTRFX\n:62F:C261125INR100,00\n",
		":20:S\n:25:A/1\n:60F:C261124INR100,00\n:61:990229C1,00NTRF\n:62F:C261125INR101,00\n:20:T\n",
		":20:\n:61:\n:86:\n", ":20:S\r\n-}\r\n{1:", "::\n", ":20:S\n:60F:C\n", ":20:S\n:25:A\n:60F:C261124INR1,001\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		b := &bankReader{path: "f.sta", sink: fuzzBankSink(t)}
		_ = parseMT940(context.Background(), []byte(doc), b)
		checkBankCounts(t, b)
	})
}

func fuzzBankSink(t *testing.T) Sink {
	return Sink{
		BankEntry: func(e *recon.BankEntry) error {
			if e.Amount < 0 || len(e.Date) != 10 || e.Line == "" || e.File == "" {
				t.Fatalf("accepted a broken entry %+v", e)
			}
			if strings.HasPrefix(e.File, "f.xml") && !strings.HasPrefix(e.Line, "Ntry[") {
				t.Fatalf("CAMT entry place %q is not Ntry[n]", e.Line)
			}
			return nil
		},
		Reject: func(r *recon.Reject) error {
			if r.Line == "" || r.Reason == "" {
				t.Fatalf("reject without a place or a reason: %+v", r)
			}
			return nil
		},
	}
}

func checkBankCounts(t *testing.T, b *bankReader) {
	if b.counts.Read != b.counts.Accepted+b.counts.Rejected {
		t.Fatalf("counts %+v: read ≠ accepted + rejected", b.counts)
	}
}
