package ingest

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/kwikpaisa/recon/internal/recon"
)

// A CAMT.053 statement (ISO 20022 BankToCustomerStatement) is read with
// encoding/xml: each Ntry is decoded on its own, whatever the message's
// version (001.02 to 001.13 keep these elements), matched by local name.
// No maintained Go library reads CAMT.053; the few there are decode
// hundreds of elements recon never reads.

type camtEntry struct {
	Amt struct {
		Value string `xml:",chardata"`
		Ccy   string `xml:"Ccy,attr"`
	} `xml:"Amt"`
	CdtDbtInd    string   `xml:"CdtDbtInd"`
	RvslInd      string   `xml:"RvslInd"`
	BookgDt      camtDate `xml:"BookgDt"`
	ValDt        camtDate `xml:"ValDt"`
	AcctSvcrRef  string   `xml:"AcctSvcrRef"`
	AddtlNtryInf string   `xml:"AddtlNtryInf"`
	NtryDtls     []struct {
		TxDtls []struct {
			Refs struct {
				EndToEndID  string `xml:"EndToEndId"`
				AcctSvcrRef string `xml:"AcctSvcrRef"`
				TxID        string `xml:"TxId"`
			} `xml:"Refs"`
			RmtInf struct {
				Ustrd []string `xml:"Ustrd"`
			} `xml:"RmtInf"`
			AddtlTxInf string `xml:"AddtlTxInf"`
		} `xml:"TxDtls"`
	} `xml:"NtryDtls"`
}

type camtDate struct {
	Dt   string `xml:"Dt"`
	DtTm string `xml:"DtTm"`
}

// date returns the booking (or value) date in zone; "" when absent.
func (d camtDate) date(zone *time.Location) (string, error) {
	switch {
	case strings.TrimSpace(d.Dt) != "":
		t, err := time.Parse(time.DateOnly, strings.TrimSpace(d.Dt))
		if err != nil {
			return "", fmt.Errorf("date %q is not YYYY-MM-DD", d.Dt)
		}
		return t.Format(time.DateOnly), nil
	case strings.TrimSpace(d.DtTm) != "":
		t, err := ParseTime(strings.TrimSpace(d.DtTm), zone)
		if err != nil {
			return "", fmt.Errorf("date-time %q: %v", d.DtTm, err)
		}
		return t.In(zone).Format(time.DateOnly), nil
	}
	return "", nil
}

func readCAMT(ctx context.Context, path string, opts *Options, sink Sink) (Counts, error) {
	data, err := readAllBounded(path)
	if err != nil {
		return Counts{}, err
	}
	b := &bankReader{path: path, sink: sink}
	err = parseCAMT(ctx, data, opts.Zone, b)
	if err != nil {
		return b.counts, fmt.Errorf("%s: %w", path, err)
	}
	return b.counts, nil
}

// parseCAMT reads a CAMT.053 document's entries into b. The document must
// be a BkToCstmrStmt; anything else (a camt.052 report, another XML file)
// is refused whole.
func parseCAMT(ctx context.Context, data []byte, zone *time.Location, b *bankReader) error {
	dec := xml.NewDecoder(bytes.NewReader(data))
	depth, n := 0, 0
	statement := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("not well-formed XML (%v); is the file complete?", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch {
			case depth == 1 && t.Name.Local != "Document":
				return fmt.Errorf("XML root is <%s>, not a CAMT.053 <Document>", t.Name.Local)
			case depth == 1 && t.Name.Space != "" && !strings.Contains(t.Name.Space, "camt.053"):
				return fmt.Errorf("XML namespace %q is not CAMT.053 (urn:iso:std:iso:20022:tech:xsd:camt.053…)", t.Name.Space)
			case depth == 2 && t.Name.Local != "BkToCstmrStmt":
				return fmt.Errorf("document holds <%s>, not a CAMT.053 statement <BkToCstmrStmt>", t.Name.Local)
			case depth == 2:
				statement = true
			case t.Name.Local == "Ntry":
				n++
				if n%1024 == 0 && ctx.Err() != nil {
					return ctx.Err()
				}
				var ce camtEntry
				if err := dec.DecodeElement(&ce, &t); err != nil {
					return fmt.Errorf("Ntry[%d]: not well-formed XML (%v)", n, err)
				}
				depth--
				if err := camtEntryOf(&ce, n, zone, b); err != nil {
					return err
				}
			}
		case xml.EndElement:
			depth--
		}
	}
	if !statement {
		return errors.New("no CAMT.053 statement <BkToCstmrStmt> in the document")
	}
	return nil
}

// camtEntryOf checks one entry and sends it, or its reject, to b.
func camtEntryOf(ce *camtEntry, n int, zone *time.Location, b *bankReader) error {
	line := "Ntry[" + strconv.Itoa(n) + "]"
	e := &recon.BankEntry{File: b.path, Line: line}
	switch strings.TrimSpace(ce.CdtDbtInd) {
	case "CRDT":
		e.Credit = true
	case "DBIT":
	default:
		return b.reject(line, "CdtDbtInd", ce.CdtDbtInd, "CdtDbtInd is neither CRDT nor DBIT")
	}
	if strings.EqualFold(strings.TrimSpace(ce.RvslInd), "true") {
		e.Credit = !e.Credit // a reversed debit brings money in
	}
	if ccy := strings.TrimSpace(ce.Amt.Ccy); ccy != "" && ccy != "INR" {
		return b.reject(line, "Amt", ccy, fmt.Sprintf("entry is in %s; the settlement account is in INR", ccy))
	}
	a, err := ParseAmount(strings.TrimSpace(ce.Amt.Value))
	if err != nil {
		return b.reject(line, "Amt", ce.Amt.Value, err.Error())
	}
	e.Amount = a
	date, err := ce.BookgDt.date(zone)
	if err == nil && date == "" {
		date, err = ce.ValDt.date(zone)
	}
	switch {
	case err != nil:
		return b.reject(line, "BookgDt", ce.BookgDt.Dt+ce.BookgDt.DtTm, err.Error())
	case date == "":
		return b.reject(line, "BookgDt", "", "entry has neither a booking date (BookgDt) nor a value date (ValDt)")
	}
	e.Date = date
	refs := []string{ce.AcctSvcrRef}
	texts := []string{ce.AddtlNtryInf}
	for _, d := range ce.NtryDtls {
		for _, tx := range d.TxDtls {
			refs = append(refs, tx.Refs.EndToEndID, tx.Refs.AcctSvcrRef, tx.Refs.TxID)
			texts = append(texts, tx.RmtInf.Ustrd...)
			texts = append(texts, tx.AddtlTxInf)
		}
	}
	e.Reference = joinNonEmpty(refs)
	e.Narration = joinNonEmpty(texts)
	return b.entry(e)
}

// joinNonEmpty joins the distinct non-empty values, trimmed, with " / ".
func joinNonEmpty(vs []string) string {
	var out []string
	seen := map[string]bool{}
	for _, v := range vs {
		v = strings.Join(strings.Fields(v), " ")
		if v != "" && !seen[v] && v != "NOTPROVIDED" {
			seen[v] = true
			out = append(out, v)
		}
	}
	return strings.Join(out, " / ")
}
