package ingest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/kwikpaisa/recon/internal/recon"
)

// bankFields are the columns of a bank statement exported as CSV or XLSX
// (SPEC §7.3): either credit and debit columns, or one signed amount with
// an optional Dr/Cr column.
var bankFields = []field{
	{"date", true, []string{"txn date", "transaction date", "value date", "tran date", "posting date"}},
	{"narration", false, []string{"description", "particulars", "remarks", "transaction remarks", "details"}},
	{"reference", false, []string{"chq./ref.no.", "chq/ref no", "ref no", "ref no.", "cheque no", "cheque no.", "utr", "reference no"}},
	{"credit", false, []string{"deposit amt.", "deposit amt", "deposit", "deposits", "cr", "credit amount", "credit amt"}},
	{"debit", false, []string{"withdrawal amt.", "withdrawal amt", "withdrawal", "withdrawals", "dr", "debit amount", "debit amt"}},
	{"amount", false, []string{"transaction amount", "txn amount"}},
	{"dr_cr", false, []string{"dr/cr", "cr/dr", "dr / cr", "cr / dr", "type", "debit/credit"}},
	{"balance", false, []string{"closing balance", "balance amt", "available balance", "running balance"}},
}

// BankFormat is the form a bank statement was written in.
type BankFormat string

const (
	BankCSV   BankFormat = "csv"
	BankXLSX  BankFormat = "xlsx"
	BankCAMT  BankFormat = "camt.053"
	BankMT940 BankFormat = "mt940"
)

// SniffBank tells a bank statement's format from its first bytes, never
// its name: a zip is a workbook, '<' starts XML, a field tag (":20:") or a
// SWIFT block "{1:" starts MT940, anything else is read as CSV.
func SniffBank(path string) (BankFormat, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	head := make([]byte, 512)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	return sniffBank(head[:n]), nil
}

func sniffBank(head []byte) BankFormat {
	if bytes.HasPrefix(head, zipMagic) {
		return BankXLSX
	}
	head = bytes.TrimLeft(bytes.TrimPrefix(head, utf8BOM), " \t\r\n")
	switch {
	case bytes.HasPrefix(head, []byte("<")):
		return BankCAMT
	case bytes.HasPrefix(head, []byte("{1:")), isMTTag(string(head[:min(len(head), 6)])):
		return BankMT940
	}
	return BankCSV
}

// ReadBank reads a bank statement in any of its four forms (CSV, XLSX,
// CAMT.053, MT940), told apart by content, and sends each entry and each
// rejected one to sink.
func ReadBank(ctx context.Context, path string, opts Options, sink Sink) (Counts, error) {
	opts = opts.withDefaults()
	format, err := SniffBank(path)
	if err != nil {
		return Counts{}, err
	}
	switch format {
	case BankCAMT:
		return readCAMT(ctx, path, &opts, sink)
	case BankMT940:
		return readMT940(ctx, path, sink)
	}
	if err := checkBankHeader(path, &opts); err != nil {
		return Counts{}, err
	}
	return readLedger(ctx, path, bankFields, opts.BankColumns, &opts, true, func(r *row, cols columns) (*recon.BankEntry, *fieldError) {
		e := &recon.BankEntry{File: path, Line: r.place.Line()}
		if fe := parseBankRow(r, cols, &opts, e); fe != nil {
			return nil, fe
		}
		return e, nil
	}, nil, sink.BankEntry, sink.Reject)
}

// checkBankHeader fails a CSV or XLSX statement whose header has neither
// credit/debit columns nor an amount column: its every row would be
// rejected for the same reason, which is the file's, not the rows'.
func checkBankHeader(path string, opts *Options) error {
	src, err := openLedger(path, opts)
	if err != nil {
		return err
	}
	defer src.close()
	for {
		r, err := src.next()
		if err == io.EOF {
			return fmt.Errorf("%s: file is empty (no header row)", path)
		}
		var rej *recon.Reject
		if errors.As(err, &rej) {
			continue
		}
		if err != nil {
			return err
		}
		if r.empty() {
			continue
		}
		cols, err := resolveHeader(path, r.cells, bankFields, opts.BankColumns)
		if err != nil {
			return err
		}
		if cols["credit"] < 0 && cols["debit"] < 0 && cols["amount"] < 0 {
			return fmt.Errorf("%s: missing the amount columns: a bank statement needs credit and debit columns (deposit amt., withdrawal amt.) or one amount column; name them in [columns.bank]", path)
		}
		return nil
	}
}

func parseBankRow(r *row, cols columns, opts *Options, e *recon.BankEntry) *fieldError {
	t, err := parseLedgerTime(r, cols["date"], opts.Zone)
	if err != nil {
		return bad("date", r.cell(cols["date"]), err)
	}
	e.Date = t.In(opts.Zone).Format(time.DateOnly)
	e.Narration = strings.TrimSpace(r.cell(cols["narration"]))
	e.Reference = strings.TrimSpace(r.cell(cols["reference"]))
	if cols["credit"] >= 0 || cols["debit"] >= 0 {
		cr, fe := optionalAmount(r, cols, "credit")
		if fe != nil {
			return fe
		}
		dr, fe := optionalAmount(r, cols, "debit")
		if fe != nil {
			return fe
		}
		switch {
		case cr > 0 && dr > 0:
			return &fieldError{column: "credit", value: r.cell(cols["credit"]) + " / " + r.cell(cols["debit"]),
				reason: "entry has both a credit and a debit amount"}
		case cr > 0:
			e.Credit, e.Amount = true, cr
		case dr > 0:
			e.Amount = dr
		case cols["amount"] < 0:
			return &fieldError{column: "credit", reason: "entry has neither a credit nor a debit amount"}
		}
	}
	if e.Amount == 0 && cols["amount"] >= 0 {
		a, err := signedAmount(r, cols["amount"])
		if err != nil {
			return bad("amount", r.cell(cols["amount"]), err)
		}
		e.Credit, e.Amount = a > 0, a.Abs()
		if mark := strings.ToUpper(strings.TrimSpace(r.cell(cols["dr_cr"]))); mark != "" {
			switch strings.TrimSuffix(mark, ".") {
			case "CR", "C", "CREDIT":
				if a < 0 {
					return &fieldError{column: "amount", value: r.cell(cols["amount"]), reason: "amount is negative but the Dr/Cr column says Cr"}
				}
				e.Credit = true
			case "DR", "D", "DEBIT":
				e.Credit = false
			default:
				return &fieldError{column: "dr_cr", value: r.cell(cols["dr_cr"]), reason: "Dr/Cr column is neither Dr nor Cr"}
			}
		}
	}
	if v := strings.TrimSpace(r.cell(cols["balance"])); v != "" {
		b, err := signedAmount(r, cols["balance"])
		if err != nil {
			return bad("balance", v, err)
		}
		e.Balance, e.HasBalance = b, true
	}
	return nil
}

// optionalAmount reads an optional amount column; empty is zero.
func optionalAmount(r *row, cols columns, name string) (recon.Amount, *fieldError) {
	i := cols[name]
	if strings.TrimSpace(r.cell(i)) == "" {
		return 0, nil
	}
	a, err := ledgerAmount(r, i)
	if err != nil {
		return 0, bad(name, r.cell(i), err)
	}
	return a, nil
}

// bankReader counts a structured statement's entries and hands them on.
type bankReader struct {
	path   string
	counts Counts
	sink   Sink
}

func (b *bankReader) entry(e *recon.BankEntry) error {
	b.counts.accept()
	if b.sink.BankEntry == nil {
		return nil
	}
	return b.sink.BankEntry(e)
}

func (b *bankReader) reject(line, column, value, reason string) error {
	b.counts.reject()
	return emitReject(b.sink.Reject, &recon.Reject{File: b.path, Line: line, Column: column, Value: truncate(value, 200), Reason: reason})
}

// maxStatement bounds a CAMT.053 or MT940 file read into memory: a bank
// statement of a day is far smaller.
const maxStatement = 512 << 20

func readAllBounded(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(bufio.NewReader(f), maxStatement+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(data) > maxStatement {
		return nil, fmt.Errorf("%s: statement is larger than %d MB", path, maxStatement>>20)
	}
	return data, nil
}
