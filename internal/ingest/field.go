package ingest

import (
	"fmt"
	"strings"
	"unicode"
)

// field is a ledger column recon knows.
type field struct {
	name     string
	required bool
	aliases  []string
}

var orderFields = []field{
	{"order_id", true, []string{"order id", "order no", "order number", "merchant order id", "reference"}},
	{"amount", true, []string{"order amount", "amount (inr)", "amount inr", "total"}},
	{"currency", false, []string{"order currency"}},
	{"status", true, []string{"order status", "payment status"}},
	{"created_at", true, []string{"order date", "created", "date", "timestamp"}},
	{"transaction_id", false, []string{"txn id", "gateway txn id", "kwikpaisa txn id"}},
	{"payment_method", false, []string{"method", "payment mode"}},
}

var payoutFields = []field{
	{"payout_order_id", true, []string{"payout id", "payout ref", "reference id", "merchant payout order id", "transfer id"}},
	{"amount", true, []string{"payout amount"}},
	{"currency", false, nil},
	{"status", true, []string{"payout status"}},
	{"transfer_mode", false, []string{"mode", "transfer type"}},
	{"beneficiary_account", false, []string{"account number", "bene account", "account no"}},
	{"beneficiary_ifsc", false, []string{"ifsc", "ifsc code"}},
	{"beneficiary_vpa", false, []string{"vpa", "upi id"}},
	{"utr", false, []string{"utr number", "bank reference", "rrn", "rrn number"}},
	{"requested_at", true, []string{"created at", "payout date", "date"}},
}

// headerKey folds a header for matching: case, spaces, '-' and '_' do not
// count.
func headerKey(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '-' || r == '_' || r == '\ufeff' || unicode.IsSpace(r):
			return -1
		}
		return unicode.ToLower(r)
	}, s)
}

// columns maps each field name to its index in a row; -1 when absent.
type columns map[string]int

// resolveHeader finds each field's column in header. A configured column
// map wins over the aliases. It fails naming every missing required column,
// or a field two headers claim.
func resolveHeader(file string, header []string, fields []field, override map[string]string) (columns, error) {
	index := make(map[string][]int, len(header))
	for i, h := range header {
		k := headerKey(h)
		if k != "" {
			index[k] = append(index[k], i)
		}
	}
	cols := make(columns, len(fields))
	var missing []string
	for _, f := range fields {
		cols[f.name] = -1
		names := append([]string{f.name}, f.aliases...)
		if h, ok := override[f.name]; ok {
			names = []string{h}
		}
		found := -1
		for _, n := range names {
			at := index[headerKey(n)]
			if len(at) > 1 {
				return nil, fmt.Errorf("%s: %d columns are named %q; name one in the column map", file, len(at), header[at[0]])
			}
			if len(at) == 1 {
				found = at[0]
				break
			}
		}
		switch {
		case found >= 0:
			cols[f.name] = found
		case f.required:
			if h, ok := override[f.name]; ok {
				missing = append(missing, fmt.Sprintf("%s (mapped to %q)", f.name, h))
			} else {
				missing = append(missing, f.name)
			}
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s: missing required column %s", file, strings.Join(missing, ", "))
	}
	return cols, nil
}
