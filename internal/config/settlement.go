package config

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/kwikpaisa/recon/internal/recon"
)

// settlements checks [settlements] and [fees] (SPEC §7.2).
func (c *checker) settlements(f *File) {
	if f.Sources.Bank != "" && f.Sources.Settlements == "" {
		c.add("sources.bank", "a bank statement is matched against settlement reports: set sources.settlements too")
	}
	if f.Settlements.Window.D > 31*24*time.Hour {
		c.add("settlements.window", "want at most 31 days, got %s", f.Settlements.Window.D)
	}
	if f.Settlements.BankWindow.D > 31*24*time.Hour {
		c.add("settlements.bank_window", "want at most 31 days, got %s", f.Settlements.BankWindow.D)
	}
	for _, w := range []struct {
		key string
		d   Duration
	}{{"settlements.window", f.Settlements.Window}, {"settlements.bank_window", f.Settlements.BankWindow}} {
		if w.d.D%(24*time.Hour) != 0 {
			c.add(w.key, "want whole days such as \"3d\" (a window is counted in business days), got %s", w.d.D)
		}
	}
	for word, typ := range f.Settlements.Events {
		if _, ok := recon.ParseEventType(strings.ToUpper(strings.TrimSpace(typ))); !ok {
			c.add("settlements.events."+word, "unknown event type %q; the types are PAYMENT, REFUND, CHARGEBACK, ADJUSTMENT", typ)
		}
	}
	// Each key on its own, so that every bad rate is reported at once.
	if f.Fees == nil {
		return
	}
	if _, ok := f.Fees["default"]; !ok {
		c.add("fees.default", "missing: the rate of a payment method the schedule does not name (default = \"2.00%%\")")
	}
	seen := map[string]string{}
	for k, v := range f.Fees {
		if _, err := FeeSchedule(map[string]string{k: v, "default": "0%"}); err != nil {
			c.add("fees."+k, "%s", err.(*feeError).msg)
		}
		if mk := recon.MethodKey(k); k != "default" && k != "gst_rate" {
			if other, dup := seen[mk]; dup {
				key := max(k, other)
				c.add("fees."+key, "names the same payment method as fees.%s (%q)", min(k, other), mk)
			}
			seen[mk] = k
		}
	}
}

type feeError struct{ key, msg string }

func (e *feeError) Error() string { return "fees." + e.key + ": " + e.msg }

// FeeSchedule builds the fee schedule of [fees]: nil when the section is
// absent (fees are then not checked). Every key but gst_rate names a
// payment method, compared as recon.MethodKey folds it; default is the rate
// of a method the schedule does not name, gst_rate a percentage (18% when
// not given).
func FeeSchedule(fees map[string]string) (*recon.FeeSchedule, error) {
	if fees == nil {
		return nil, nil
	}
	s := &recon.FeeSchedule{Methods: map[string]recon.Rate{}}
	gst, err := recon.ParseRate("18%")
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(fees))
	for k := range fees {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	hasDefault := false
	for _, k := range keys {
		r, err := recon.ParseRate(fees[k])
		if err != nil {
			return nil, &feeError{k, err.Error() + " (write \"1.90%\", \"3.00\" or \"1.75% + 3.00\")"}
		}
		switch k {
		case "gst_rate":
			if r.Fixed != 0 {
				return nil, &feeError{k, fmt.Sprintf("%q: GST is a percentage of the fee such as \"18%%\", not a fixed amount", fees[k])}
			}
			gst = r
		case "default":
			s.Default, hasDefault = r, true
		default:
			mk := recon.MethodKey(k)
			if _, dup := s.Methods[mk]; dup {
				return nil, &feeError{k, fmt.Sprintf("names the same payment method as another key (%q)", mk)}
			}
			s.Methods[mk] = r
		}
	}
	if !hasDefault {
		return nil, &feeError{"default", "missing: the rate of a payment method the schedule does not name (default = \"2.00%\")"}
	}
	s.GSTPercent = gst.Percent
	return s, nil
}

// ExpandOne puts a date into a path template that may end in ".*" and
// returns the one file it names: "" (and no error) when none exists, an
// error naming both when two do.
func ExpandOne(template, date string) (string, error) {
	p, err := Expand(template, date)
	if err != nil || !strings.HasSuffix(p, ".*") {
		return p, err
	}
	dir, base := filepath.Split(strings.TrimSuffix(p, "*"))
	if dir == "" {
		dir = "."
	}
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("list %s for %s: %w", dir, template, err)
	}
	var found []string
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, base) && len(name) > len(base) && !e.IsDir() && !strings.HasPrefix(name, ".") {
			found = append(found, filepath.Join(dir, name))
		}
	}
	switch len(found) {
	case 0:
		return "", nil
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("%s matches %d files for %s: %s and %s; keep one", template, len(found), date, found[0], found[1])
}
