package ingest

import (
	"fmt"
	"strconv"
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
		return nil, fmt.Errorf("%s: missing required column %s%s", file, strings.Join(missing, ", "),
			headerHint(header, fields, cols, override))
	}
	return cols, nil
}

// headerHint says, for a header that lacks required columns, which headers
// the file has and, for each missing column, the closest unclaimed header
// with the configuration lines that would map it (a misspelt "Payment
// Staus" for status).
func headerHint(header []string, fields []field, cols columns, override map[string]string) string {
	claimed := map[int]bool{}
	for _, i := range cols {
		if i >= 0 {
			claimed[i] = true
		}
	}
	quoted := make([]string, 0, len(header))
	for _, h := range header {
		if strings.TrimSpace(h) != "" {
			quoted = append(quoted, strconv.Quote(strings.TrimSpace(h)))
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "; the header has %s", strings.Join(quoted, ", "))
	var lines []string
	for _, f := range fields {
		if !f.required || cols[f.name] >= 0 {
			continue
		}
		if _, mapped := override[f.name]; mapped {
			continue
		}
		best, bestDist := -1, 0
		for i, h := range header {
			if claimed[i] || headerKey(h) == "" {
				continue
			}
			for _, n := range append([]string{f.name}, f.aliases...) {
				a, c := headerKey(h), headerKey(n)
				d := editDistance(a, c)
				if d <= max(2, len(c)/4) && (best < 0 || d < bestDist) {
					best, bestDist = i, d
				}
			}
		}
		if best >= 0 {
			claimed[best] = true
			lines = append(lines, fmt.Sprintf("%s = %q", f.name, strings.TrimSpace(header[best])))
		}
	}
	if len(lines) > 0 {
		meant := "those are what are"
		if len(lines) == 1 {
			meant = "that is what is"
		}
		fmt.Fprintf(&b, "; if %s meant, add to the configuration:\n  [columns.%s]\n  %s",
			meant, columnsSection(fields), strings.Join(lines, "\n  "))
	} else {
		fmt.Fprintf(&b, "; name the column in the configuration's [columns.%s] table (field = \"header\")", columnsSection(fields))
	}
	return b.String()
}

// columnsSection is the configuration table that maps fields' columns.
func columnsSection(fields []field) string {
	switch fields[0].name {
	case "order_id":
		return "orders"
	case "payout_order_id":
		return "payouts"
	case "settlement_id":
		return "settlements"
	}
	return "bank"
}

// editDistance is the Levenshtein distance of two short strings.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
