// Command duckrecon is the DuckDB baseline of issue 20: the work of a
// `recon run --offline` of a generated day (exact decimals, every webhook
// signature checked, the categories recon reports), done by DuckDB through
// its Go bindings, as a data engineer would reach for it. It writes the
// three exception reports in recon's first three columns, for the bench's
// planted-exception check, and exists only to be measured beside recon: it
// is its own module, never a dependency of the recon binary.
//
// It reads what `recon gen` writes and no more: one date's own files, the
// ledger values and formats the generator uses (see README's Performance
// section for what it leaves out).
package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

func main() {
	day := flag.String("day", "", "folder of the generated day (orders.csv, payouts.csv, gateway.jsonl, webhooks.jsonl)")
	date := flag.String("date", "2026-11-24", "business date")
	out := flag.String("out", "", "folder the reports are written to")
	threads := flag.Int("threads", 2, "DuckDB threads")
	flag.Parse()
	if *day == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: duckrecon --day DIR --out DIR [--date YYYY-MM-DD]")
		os.Exit(2)
	}
	secrets := strings.Split(os.Getenv("KWIKPAISA_WEBHOOK_SECRET"), ",")
	if secrets[0] == "" {
		fmt.Fprintln(os.Stderr, "duckrecon: KWIKPAISA_WEBHOOK_SECRET is not set")
		os.Exit(2)
	}
	if err := run(context.Background(), *day, *date, *out, *threads, secrets); err != nil {
		fmt.Fprintln(os.Stderr, "duckrecon:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, day, date, out string, threads int, secrets []string) error {
	start, err := time.ParseInLocation(time.DateOnly, date, time.FixedZone("IST", 5*3600+1800))
	if err != nil {
		return err
	}
	connector, err := duckdb.NewConnector("", nil)
	if err != nil {
		return err
	}
	db := sql.OpenDB(connector)
	defer db.Close()
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := duckdb.RegisterScalarUDF(conn, "signed", signed{secrets}); err != nil {
		return err
	}
	vars := strings.NewReplacer(
		"$ORDERS", quote(filepath.Join(day, "orders.csv")),
		"$PAYOUTS", quote(filepath.Join(day, "payouts.csv")),
		"$GATEWAY", quote(filepath.Join(day, "gateway.jsonl")),
		"$WEBHOOKS", quote(filepath.Join(day, "webhooks.jsonl")),
		"$LO", fmt.Sprint(start.Unix()),
		"$HI", fmt.Sprint(start.AddDate(0, 0, 1).Unix()),
		"$THREADS", fmt.Sprint(threads),
	)
	for _, stmt := range strings.Split(vars.Replace(script), ";\n") {
		if strings.TrimSpace(stmt) == "" {
			continue
		}
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			var de *duckdb.Error
			if errors.As(err, &de) {
				err = errors.New(de.Msg)
			}
			return fmt.Errorf("%w\nin: %s", err, stmt)
		}
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for report, cats := range reports {
		q := fmt.Sprintf(`COPY (SELECT category, entity, reference FROM exceptions WHERE category IN (%s)
			ORDER BY category, entity, reference) TO %s (HEADER, DELIMITER ',')`, cats, quote(filepath.Join(out, report)))
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

var reports = map[string]string{
	"mismatches.csv": `'MISSING_AT_GATEWAY','MISSING_IN_LEDGER','AMOUNT_MISMATCH','CURRENCY_MISMATCH','STATUS_MISMATCH',
		'UTR_MISMATCH','BENEFICIARY_MISMATCH','WEBHOOK_CONFLICT','WEBHOOK_MISSING','WEBHOOK_SIGNATURE_INVALID',
		'WEBHOOK_REPLAYED','WEBHOOK_ORPHAN'`,
	"duplicates.csv":  `'DUPLICATE_LEDGER_ROW','DUPLICATE_PAYMENT','DUPLICATE_PAYOUT','DUPLICATE_UTR','DUPLICATE_WEBHOOK'`,
	"missing_utr.csv": `'MISSING_UTR','UTR_CORRUPTED'`,
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// signed is the scalar function signed(body, timestamp, signature): whether
// a delivery verifies under a configured secret, over its body's bytes or,
// failing that, over the canonical JSON of its body.
type signed struct{ secrets []string }

func (s signed) Config() duckdb.ScalarFuncConfig {
	v, _ := duckdb.NewTypeInfo(duckdb.TYPE_VARCHAR)
	b, _ := duckdb.NewTypeInfo(duckdb.TYPE_BOOLEAN)
	return duckdb.ScalarFuncConfig{InputTypeInfos: []duckdb.TypeInfo{v, v, v}, ResultTypeInfo: b}
}

func (s signed) Executor() duckdb.ScalarFuncExecutor {
	return duckdb.ScalarFuncExecutor{RowExecutor: func(values []driver.Value) (any, error) {
		body, _ := values[0].(string)
		ts, _ := values[1].(string)
		sig, err := hex.DecodeString(fmt.Sprint(values[2]))
		if err != nil {
			return false, nil
		}
		if s.verifies([]byte(body), ts, sig) {
			return true, nil
		}
		if c, ok := canonical([]byte(body)); ok {
			return s.verifies(c, ts, sig), nil
		}
		return false, nil
	}}
}

func (s signed) verifies(body []byte, ts string, sig []byte) bool {
	for _, k := range s.secrets {
		m := hmac.New(sha256.New, []byte(k))
		m.Write(body)
		m.Write([]byte(ts))
		if hmac.Equal(m.Sum(nil), sig) {
			return true
		}
	}
	return false
}

// canonical returns body with object keys sorted at every level, compact,
// without HTML escaping, numbers as written.
func canonical(body []byte) ([]byte, bool) {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, false
	}
	var buf bytes.Buffer
	e := json.NewEncoder(&buf)
	e.SetEscapeHTML(false)
	if err := e.Encode(v); err != nil {
		return nil, false
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), true
}
