// Package config reads recon's configuration file (TOML) and its secrets
// (from the environment or owner-only files, never from the file).
//
// TOML (github.com/BurntSushi/toml) was chosen over YAML because it has one
// obvious way to write each value (no "no" turning into false, no
// indentation errors), comments, and a parser whose errors carry a line.
package config

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"time"
	_ "time/tzdata" // the business zone must load on a machine without zoneinfo
)

// File is the configuration file as written. Load fills the defaults of
// every setting left out.
type File struct {
	Zone string `toml:"zone"`
	DB   string `toml:"db"`
	Out  string `toml:"out"`
	// Metrics is the Prometheus textfile written after each run (for
	// node_exporter's textfile collector); empty writes none.
	Metrics string `toml:"metrics"`
	// KeepParts, when false, has a run keep none of the rows a large day's
	// parts read for its next run (docs/stores.md); unset keeps them.
	KeepParts *bool    `toml:"keep_parts"`
	Sources   Sources  `toml:"sources"`
	Columns   Columns  `toml:"columns"`
	Statuses  Statuses `toml:"statuses"`
	Match     Match    `toml:"match"`
	Webhook   Webhook  `toml:"webhooks"`
	API       API      `toml:"api"`
	Schedule  Schedule `toml:"schedule"`
	// Settlements and Fees configure the settlement checks (SPEC §7).
	Settlements Settlements       `toml:"settlements"`
	Fees        map[string]string `toml:"fees"`

	// path is the file Load read.
	path string
}

// Path returns the file the configuration was read from ("" for none).
func (f *File) Path() string { return f.path }

// Sources are path templates; {date} stands for the business date.
type Sources struct {
	Orders   string `toml:"orders"`
	Payouts  string `toml:"payouts"`
	Gateway  string `toml:"gateway"`
	Webhooks string `toml:"webhooks"`
	// Settlements and Bank are the settlement reports and bank statements
	// (SPEC §7); each may end in ".*" to take whichever single file
	// exists for a date.
	Settlements string `toml:"settlements"`
	Bank        string `toml:"bank"`
	// Sheet is the XLSX sheet the ledgers are read from; empty: the first
	// visible one.
	Sheet string `toml:"sheet"`
}

// Settlements holds the windows of the settlement checks (SPEC §7).
type Settlements struct {
	// Window is how long after its day a payment may settle; BankWindow
	// how long after settled_at its credit may reach the bank. Unset
	// keeps 3 days.
	Window     Duration `toml:"window"`
	BankWindow Duration `toml:"bank_window"`
	// GatewayPattern marks a credit as the gateway's; empty keeps
	// "KWIKPAISA".
	GatewayPattern string `toml:"gateway_pattern"`
	// Events add event_type words to the built-in table: word = PAYMENT,
	// REFUND, CHARGEBACK or ADJUSTMENT ([settlements.events]).
	Events map[string]string `toml:"events"`
}

// Columns map a field (order_id, amount…) to the header that holds it,
// overriding the built-in aliases.
type Columns struct {
	Orders      map[string]string `toml:"orders"`
	Payouts     map[string]string `toml:"payouts"`
	Settlements map[string]string `toml:"settlements"`
	Bank        map[string]string `toml:"bank"`
}

// Statuses add to the status synonym table: a word and its class.
type Statuses struct {
	Orders  map[string]string `toml:"orders"`
	Payouts map[string]string `toml:"payouts"`
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
	// ReplayWindow is a Go duration ("300s"); empty keeps the default.
	ReplayWindow string `toml:"replay_window"`
}

// API holds the KwikPaisa API settings (no secrets).
type API struct {
	BaseURL  string `toml:"base_url"`
	WalletID string `toml:"wallet_id"`
}

// Schedule holds the settings of `recon schedule`.
type Schedule struct {
	// Dir holds the schedule files (*.cron).
	Dir string `toml:"dir"`
	// CatchUpDays bounds how many missed dates are run on start.
	CatchUpDays int `toml:"catch_up_days"`
	// ShutdownGrace is how long a run in hand may finish after SIGTERM
	// before it is aborted.
	ShutdownGrace Duration `toml:"shutdown_grace"`
}

// Defaults of the settings a file may leave out.
const (
	DefaultZone        = "Asia/Kolkata"
	DefaultBaseURL     = "https://api.kwikpaisa.com"
	SandboxBaseURL     = "https://sandbox.kwikpaisa.com"
	DefaultCatchUpDays = 7
	// DefaultSettlementWindow is the default of both settlement windows.
	DefaultSettlementWindow = 72 * time.Hour
	DefaultGatewayPattern   = "KWIKPAISA"
)

// Default returns the configuration used with no file.
func Default() *File {
	f := &File{}
	f.fillDefaults()
	return f
}

func (f *File) fillDefaults() {
	def := func(d *Duration, v time.Duration) {
		if d.D == 0 && !d.set {
			d.D = v
		}
	}
	if f.Zone == "" {
		f.Zone = DefaultZone
	}
	if f.API.BaseURL == "" {
		f.API.BaseURL = DefaultBaseURL
	}
	def(&f.Schedule.ShutdownGrace, 0)
	def(&f.Settlements.Window, DefaultSettlementWindow)
	def(&f.Settlements.BankWindow, DefaultSettlementWindow)
	if f.Settlements.GatewayPattern == "" {
		f.Settlements.GatewayPattern = DefaultGatewayPattern
	}
	if f.Schedule.CatchUpDays == 0 {
		f.Schedule.CatchUpDays = DefaultCatchUpDays
	}
}

// Load reads and checks a configuration file. Paths in it are relative to
// the file's folder. When the file has problems the error lists every one
// of them with its line (a *CheckError).
func Load(path string) (*File, error) {
	f, problems, err := check(path)
	if err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		return nil, &CheckError{Path: path, Problems: problems}
	}
	return f, nil
}

// CheckError is a configuration file with problems.
type CheckError struct {
	Path     string
	Problems []Problem
}

func (e *CheckError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "configuration %s has %d problem(s):", e.Path, len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString(" ")
		b.WriteString(p.String())
		b.WriteString(";")
	}
	return strings.TrimSuffix(b.String(), ";")
}

var dateRe = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)

// Expand puts a date into a path template. The date must be YYYY-MM-DD, so
// that no date can lead a path out of its folder.
func Expand(template, date string) (string, error) {
	if !strings.Contains(template, "{date}") {
		return template, nil
	}
	if !dateRe.MatchString(date) {
		return "", fmt.Errorf("date %q is not YYYY-MM-DD", date)
	}
	p := strings.ReplaceAll(template, "{date}", date)
	if err := within(template, p); err != nil {
		return "", err
	}
	return p, nil
}

// within checks that path, expanded from template, stays inside the folder
// the template names before its first {date}.
func within(template, path string) error {
	prefix := template[:strings.Index(template, "{date}")]
	base := filepath.Clean(filepath.Dir(prefix + "x"))
	rel, err := filepath.Rel(base, filepath.Clean(path))
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return fmt.Errorf("path template %q leaves its folder %s", template, base)
	}
	return nil
}

// LoadZone loads a business zone by name; empty means Asia/Kolkata.
func LoadZone(name string) (*time.Location, error) {
	if name == "" {
		name = DefaultZone
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("time zone %q: %w", name, err)
	}
	return loc, nil
}

// Duration is a length of time written as Go writes it ("300s", "15m",
// "72h") or in whole days ("7d").
type Duration struct {
	D   time.Duration
	set bool
}

// UnmarshalText reads a duration.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := ParseDuration(string(b))
	if err != nil {
		return err
	}
	d.D, d.set = v, true
	return nil
}

// MarshalText writes a duration.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.D.String()), nil }

var errDuration = errors.New(`want a duration such as "300s", "15m", "72h" or "7d"`)

// ParseDuration reads "300s", "15m", "72h", "1h30m" or "7d"; a negative
// duration is refused.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	var d time.Duration
	if days, ok := strings.CutSuffix(s, "d"); ok && days != "" && strings.Trim(days, "0123456789") == "" {
		var n int
		if _, err := fmt.Sscan(days, &n); err != nil {
			return 0, errDuration
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		v, err := time.ParseDuration(s)
		if err != nil {
			return 0, fmt.Errorf("%q: %w", s, errDuration)
		}
		d = v
	}
	if d < 0 {
		return 0, fmt.Errorf("%q: a duration cannot be negative", s)
	}
	return d, nil
}

// IsDatabaseURL says whether db names a PostgreSQL server (postgres:// or
// postgresql://) rather than an SQLite file.
func IsDatabaseURL(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}
