package config

import (
	"bytes"
	"encoding"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/kwikpaisa/recon/internal/ingest"
	"github.com/kwikpaisa/recon/internal/kwikpaisa"
)

// Problem is one thing wrong with a configuration file, at a line (0 when
// the line is unknown).
type Problem struct {
	File    string
	Line    int
	Key     string
	Message string
}

func (p Problem) String() string {
	place := p.File
	if p.Line > 0 {
		place = fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	if p.Key != "" {
		return fmt.Sprintf("%s: %s: %s", place, p.Key, p.Message)
	}
	return fmt.Sprintf("%s: %s", place, p.Message)
}

// Check reads a configuration file and returns every problem in it, in
// line order, and the file as far as it could be read. err is set only
// when the file cannot be read at all.
func Check(path string) (*File, []Problem, error) {
	return check(path)
}

func check(path string) (*File, []Problem, error) {
	body, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read configuration: %w", err)
	}
	c := &checker{path: path, lines: keyLines(string(body))}

	// A syntax error stops the TOML parser: it is the one problem reported.
	var raw map[string]any
	if _, err := toml.Decode(string(body), &raw); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, []Problem{{File: path, Line: pe.Position.Line, Message: pe.Message}}, nil
		}
		return nil, []Problem{{File: path, Message: err.Error()}}, nil
	}
	// Walk the values against the File's shape first, so that every
	// unknown key, wrong type, bad value and secret is reported, not only
	// the first the decoder would meet.
	c.walk(raw, reflect.TypeFor[File](), "")
	// Decode what is left once the settings found wrong are dropped, so
	// that the checks of meaning run too and report in the same pass.
	prune(raw, c.bad, "")
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(raw); err != nil {
		return nil, c.sorted(), nil
	}
	var f File
	if _, err := toml.Decode(buf.String(), &f); err != nil {
		// The walk missed what the decoder did not: never a file read as
		// if it had no problem.
		if len(c.problems) == 0 {
			c.problems = append(c.problems, Problem{File: path, Message: err.Error()})
		}
		return nil, c.sorted(), nil
	}
	f.path = path
	f.fillDefaults()
	c.semantics(&f)
	base := filepath.Dir(path)
	if f.DB != "" && !IsDatabaseURL(f.DB) && !filepath.IsAbs(f.DB) {
		f.DB = filepath.Join(base, f.DB)
	}
	for _, p := range []*string{&f.Out, &f.Metrics, &f.Sources.Orders, &f.Sources.Payouts, &f.Sources.Gateway,
		&f.Sources.Webhooks, &f.Sources.Settlements, &f.Sources.Bank, &f.Schedule.Dir} {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(base, *p)
		}
	}
	return &f, c.sorted(), nil
}

type checker struct {
	path     string
	lines    map[string]int
	problems []Problem
	bad      map[string]bool // keys with a problem
}

// prune deletes the keys in bad from a parsed table.
func prune(table map[string]any, bad map[string]bool, prefix string) {
	for k, v := range table {
		full := join(prefix, k)
		if bad[full] {
			delete(table, k)
			continue
		}
		if sub, ok := v.(map[string]any); ok {
			prune(sub, bad, full)
		}
	}
}

func (c *checker) add(key, format string, args ...any) {
	if c.bad == nil {
		c.bad = map[string]bool{}
	}
	c.bad[key] = true
	c.problems = append(c.problems, Problem{File: c.path, Line: c.line(key), Key: key, Message: fmt.Sprintf(format, args...)})
}

// line finds a key's line, or that of its nearest enclosing table.
func (c *checker) line(key string) int {
	for k := key; k != ""; {
		if n, ok := c.lines[k]; ok {
			return n
		}
		i := strings.LastIndex(k, ".")
		if i < 0 {
			break
		}
		k = k[:i]
	}
	return 0
}

func (c *checker) sorted() []Problem {
	sort.SliceStable(c.problems, func(i, j int) bool {
		a, b := c.problems[i], c.problems[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Key < b.Key
	})
	return c.problems
}

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

// walk checks a table against a struct type: unknown keys, types, values
// that parse, and secrets.
func (c *checker) walk(table map[string]any, t reflect.Type, prefix string) {
	fields := map[string]reflect.StructField{}
	var known []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if tag := strings.Split(f.Tag.Get("toml"), ",")[0]; tag != "" && tag != "-" {
			fields[tag] = f
			known = append(known, tag)
		}
	}
	for key, val := range table {
		full := join(prefix, key)
		if c.secret(full, key, val) {
			continue
		}
		f, ok := fields[key]
		if !ok {
			where := "at the top level"
			if prefix != "" {
				where = "in [" + prefix + "]"
			}
			c.add(full, "unknown setting; known %s: %s", where, strings.Join(known, ", "))
			continue
		}
		c.value(full, val, f.Type)
	}
}

func (c *checker) value(key string, val any, t reflect.Type) {
	switch {
	case reflect.PointerTo(t).Implements(textUnmarshaler):
		s, ok := val.(string)
		if !ok {
			c.add(key, "want a string, got %s", tomlType(val))
			return
		}
		if err := reflect.New(t).Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
			c.add(key, "%v", err)
		}
	case t.Kind() == reflect.Pointer: // a setting whose absence differs from its zero
		c.value(key, val, t.Elem())
	case t.Kind() == reflect.Struct:
		m, ok := val.(map[string]any)
		if !ok {
			c.add(key, "want a table [%s], got %s", key, tomlType(val))
			return
		}
		c.walk(m, t, key)
	case t.Kind() == reflect.Map:
		m, ok := val.(map[string]any)
		if !ok {
			c.add(key, "want a table [%s], got %s", key, tomlType(val))
			return
		}
		for k, v := range m {
			full := join(key, k)
			if c.secret(full, k, v) {
				continue
			}
			c.value(full, v, t.Elem())
		}
	case t.Kind() == reflect.String:
		if _, ok := val.(string); !ok {
			c.add(key, "want a string, got %s", tomlType(val))
		}
	case t.Kind() == reflect.Int:
		if _, ok := val.(int64); !ok {
			c.add(key, "want a whole number, got %s", tomlType(val))
		}
	case t.Kind() == reflect.Bool:
		if _, ok := val.(bool); !ok {
			c.add(key, "want true or false, got %s", tomlType(val))
		}
	}
}

func tomlType(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "a number"
	case float64:
		return "a decimal number"
	case bool:
		return "a boolean"
	case map[string]any:
		return "a table"
	case []any, []map[string]any:
		return "an array"
	}
	return fmt.Sprintf("%T", v)
}

func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

// semantics checks what the types cannot: zones, amounts, classes, URLs,
// templates and paths.
func (c *checker) semantics(f *File) {
	if IsDatabaseURL(f.DB) {
		if u, err := url.Parse(f.DB); err != nil {
			c.add("db", "not a PostgreSQL URL: %v", errors.Unwrap(err))
		} else if _, ok := u.User.Password(); ok {
			// The URL's text is not repeated: it holds the password.
			c.add("db", "the URL holds a password: remove it and set PGPASSWORD (or a ~/.pgpass file) for the user that runs recon")
		}
	}
	if _, err := LoadZone(f.Zone); err != nil {
		c.add("zone", "unknown time zone %q (write an IANA name such as Asia/Kolkata)", f.Zone)
	}
	if f.Match.Tolerance != "" {
		if _, err := ingest.ParseAmount(f.Match.Tolerance); err != nil {
			c.add("match.tolerance", "%v (write an amount such as \"0.00\")", err)
		}
	}
	for key, v := range map[string]string{"match.payin_late_window": f.Match.PayinLateWindow,
		"match.payout_late_window": f.Match.PayoutLateWindow, "match.duplicate_payout_window": f.Match.DuplicatePayoutWindow,
		"webhooks.replay_window": f.Webhook.ReplayWindow} {
		if v == "" {
			continue
		}
		if d, err := time.ParseDuration(v); err != nil || d < 0 {
			c.add(key, "%q is not a duration such as \"72h\", \"15m\" or \"300s\"", v)
		}
	}
	if f.Match.RecheckDays < -1 || f.Match.RecheckDays > 366 {
		c.add("match.recheck_days", "want a number of days from 0 to 366 (0: the default 7; -1 turns re-checking off), got %d", f.Match.RecheckDays)
	}
	for name, tmpl := range map[string]string{"sources.orders": f.Sources.Orders, "sources.payouts": f.Sources.Payouts,
		"sources.gateway": f.Sources.Gateway, "sources.webhooks": f.Sources.Webhooks,
		"sources.settlements": f.Sources.Settlements, "sources.bank": f.Sources.Bank} {
		if strings.Count(tmpl, "{") != strings.Count(tmpl, "{date}") {
			c.add(name, "only {date} may be written in braces")
			continue
		}
		if strings.Contains(tmpl, "{date}") {
			if _, err := Expand(tmpl, "2006-01-02"); err != nil {
				c.add(name, "%v: a path after {date} may not climb out with ..", err)
			}
		}
	}
	c.columns("columns.orders", f.Columns.Orders, orderFields)
	c.columns("columns.payouts", f.Columns.Payouts, payoutFields)
	c.columns("columns.settlements", f.Columns.Settlements, settlementFields)
	c.columns("columns.bank", f.Columns.Bank, bankFields)
	c.settlements(f)
	c.statuses("statuses.orders", f.Statuses.Orders, orderClasses)
	c.statuses("statuses.payouts", f.Statuses.Payouts, payoutClasses)
	if err := CheckBaseURL(f.API.BaseURL); err != nil {
		c.add("api.base_url", "%v", err)
		// The file as read goes on to doctor and config check, which show
		// the URL: it never carries on a secret written into it.
		f.API.BaseURL = kwikpaisa.RedactURL(f.API.BaseURL)
	}
	if f.Schedule.CatchUpDays < 0 || f.Schedule.CatchUpDays > 366 {
		c.add("schedule.catch_up_days", "want 0 to 366 days, got %d", f.Schedule.CatchUpDays)
	}
}

// The fields a column map may name, and the classes a status may map to.
var (
	orderFields      = []string{"order_id", "amount", "currency", "status", "created_at", "transaction_id", "payment_method"}
	payoutFields     = []string{"payout_order_id", "amount", "currency", "status", "transfer_mode", "beneficiary_account", "beneficiary_ifsc", "beneficiary_vpa", "utr", "requested_at"}
	settlementFields = []string{"settlement_id", "settlement_utr", "settled_at", "event_type", "order_id", "transaction_id",
		"payment_method", "amount", "fee", "tax", "net_amount"}
	bankFields    = []string{"date", "narration", "reference", "credit", "debit", "amount", "dr_cr", "balance"}
	orderClasses  = []string{"SUCCESS", "NOT_PAID", "PENDING", "REFUNDED"}
	payoutClasses = []string{"SUCCESS", "FAILED", "PENDING", "REVERSED"}
)

func (c *checker) columns(table string, m map[string]string, fields []string) {
	for field, header := range m {
		if !contains(fields, field) {
			c.add(join(table, field), "unknown field; the fields are %s", strings.Join(fields, ", "))
		}
		if strings.TrimSpace(header) == "" {
			c.add(join(table, field), "the header name is empty")
		}
	}
}

func (c *checker) statuses(table string, m map[string]string, classes []string) {
	for word, class := range m {
		if !contains(classes, strings.ToUpper(strings.TrimSpace(class))) {
			c.add(join(table, word), "unknown status class %q; the classes here are %s", class, strings.Join(classes, ", "))
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// CheckBaseURL says whether an API base URL is acceptable: https, or http
// on a loopback address only, and no user info or query, where a secret
// would be written (SPEC §3). Its message never repeats a secret.
func CheckBaseURL(raw string) error {
	_, err := kwikpaisa.CheckBaseURL(raw)
	return err
}

// IsLoopback says whether host names this machine.
func IsLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
