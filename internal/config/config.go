// Package config reads recon's configuration file (TOML) and its secrets
// (from the environment or owner-only files, never from the file).
package config

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"
	_ "time/tzdata" // the business zone must load on a machine without zoneinfo

	"github.com/BurntSushi/toml"
)

// File is the configuration file as written.
type File struct {
	Zone    string  `toml:"zone"`
	DB      string  `toml:"db"`
	Out     string  `toml:"out"`
	Sources Sources `toml:"sources"`
	Match   Match   `toml:"match"`
	Webhook Webhook `toml:"webhooks"`
	API     API     `toml:"api"`
}

// Sources are path templates; {date} stands for the business date.
type Sources struct {
	Orders   string `toml:"orders"`
	Payouts  string `toml:"payouts"`
	Gateway  string `toml:"gateway"`
	Webhooks string `toml:"webhooks"`
}

// Match holds matching settings.
type Match struct {
	Tolerance string `toml:"tolerance"`

	// Windows, as Go durations ("72h", "15m"); empty keeps the default.
	PayinLateWindow       string `toml:"payin_late_window"`
	PayoutLateWindow      string `toml:"payout_late_window"`
	DuplicatePayoutWindow string `toml:"duplicate_payout_window"`
	// RecheckDays is the re-check window in days: 0 keeps the default (7),
	// -1 turns re-checking off.
	RecheckDays int `toml:"recheck_days"`
}

// Webhook holds webhook settings.
type Webhook struct {
	ReplayWindow string `toml:"replay_window"`
}

// API holds the KwikPaisa API settings (no secrets).
type API struct {
	BaseURL  string `toml:"base_url"`
	WalletID string `toml:"wallet_id"`
}

// Load reads a configuration file. Paths in it are relative to the file's
// folder.
func Load(path string) (*File, error) {
	var f File
	md, err := toml.DecodeFile(path, &f)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("%s:%d: %s", path, pe.Position.Line, pe.Message)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		var keys []string
		for _, k := range und {
			keys = append(keys, k.String())
		}
		return nil, fmt.Errorf("%s: unknown setting %s", path, strings.Join(keys, ", "))
	}
	base := filepath.Dir(path)
	for _, p := range []*string{&f.DB, &f.Out, &f.Sources.Orders, &f.Sources.Payouts, &f.Sources.Gateway, &f.Sources.Webhooks} {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(base, *p)
		}
	}
	return &f, nil
}

// Expand puts a date into a path template.
func Expand(template, date string) string {
	return strings.ReplaceAll(template, "{date}", date)
}

// LoadZone loads a business zone by name; empty means Asia/Kolkata.
func LoadZone(name string) (*time.Location, error) {
	if name == "" {
		name = "Asia/Kolkata"
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("time zone %q: %w", name, err)
	}
	return loc, nil
}
