package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeFile(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "recon.toml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCheckFixture(t *testing.T) {
	f, problems, err := Check("../../fixtures/recon.toml")
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 0 {
		t.Fatalf("fixtures/recon.toml has problems: %v", problems)
	}
	if got, want := f.Match.PayinLateWindow, "72h"; got != want {
		t.Errorf("PayinLateWindow=%q, want %q", got, want)
	}
	if got, want := f.Statuses.Payouts["on hold by bank"], "PENDING"; got != want {
		t.Errorf("statuses.payouts[on hold by bank]=%q, want %q", got, want)
	}
	if got, want := f.Schedule.CatchUpDays, 7; got != want {
		t.Errorf("CatchUpDays=%d, want %d", got, want)
	}
	if !filepath.IsAbs(f.DB) && !strings.HasPrefix(f.DB, "..") {
		t.Errorf("DB=%q is not relative to the file's folder", f.DB)
	}
}

// TestCheckEveryProblem writes a file with many problems and wants each
// one reported, at its line, in one pass.
func TestCheckEveryProblem(t *testing.T) {
	body := `zone = "Mars/Olympus"
db = 5
colour = "blue"
keep_parts = "no"

[sources]
orders = "day/{date}/../../../etc/orders.csv"
payouts = "day/{day}/payouts.csv"

[columns.orders]
order_no = "Order No"

[statuses.payouts]
"on hold" = "NOT_PAID"

[match]
tolerance = "abc"
duplicate_payout_window = "fifteen minutes"

[webhooks]
replay_window = 300
secret = "whsec_abcdef"

[api]
base_url = "http://api.kwikpaisa.com"
wallet_id = "w1"
key = "pk_live_0123456789"

[schedule]
catch_up_days = 1000
`
	path := writeFile(t, body)
	_, problems, err := Check(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		line int
		key  string
		has  string
	}{
		{1, "zone", "unknown time zone"},
		{2, "db", "want a string"},
		{3, "colour", "unknown setting"},
		{4, "keep_parts", "want true or false"},
		{7, "sources.orders", "leaves its folder"},
		{8, "sources.payouts", "only {date}"},
		{11, "columns.orders.order_no", "unknown field"},
		{14, "statuses.payouts.on hold", "unknown status class"},
		{17, "match.tolerance", "amount"},
		{18, "match.duplicate_payout_window", "duration"},
		{21, "webhooks.replay_window", "want a string"},
		{22, "webhooks.secret", "KWIKPAISA_WEBHOOK_SECRET"},
		{25, "api.base_url", "https"},
		{27, "api.key", "KWIKPAISA_API_KEY"},
		{30, "schedule.catch_up_days", "0 to 366"},
	}
	assertProblems(t, problems, want)
	for _, p := range problems {
		if strings.Contains(p.String(), "whsec_abcdef") || strings.Contains(p.String(), "pk_live_0123456789") {
			t.Errorf("problem repeats a secret: %s", p)
		}
	}
}

func assertProblems(t *testing.T, got []Problem, want []struct {
	line int
	key  string
	has  string
}) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got %d problems, want %d:", len(got), len(want))
		for _, p := range got {
			t.Errorf("  %s", p)
		}
		return
	}
	for i, w := range want {
		p := got[i]
		if p.Line != w.line || p.Key != w.key || !strings.Contains(p.Message, w.has) {
			t.Errorf("problem %d = %s, want line %d key %s containing %q", i, p, w.line, w.key, w.has)
		}
	}
}

func TestCheckSyntaxError(t *testing.T) {
	_, problems, err := Check(writeFile(t, "zone = \"Asia/Kolkata\"\n[match]\ntolerance = = 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 1 || problems[0].Line != 3 {
		t.Fatalf("problems=%v, want one at line 3", problems)
	}
}

func TestExpand(t *testing.T) {
	tests := []struct {
		name, template, date, want string
		wantErr                    bool
	}{
		{"plain", "day/{date}/orders.csv", "2026-11-24", "day/2026-11-24/orders.csv", false},
		{"no template", "orders.csv", "anything", "orders.csv", false},
		{"in name", "/srv/in/orders-{date}.csv", "2026-11-24", "/srv/in/orders-2026-11-24.csv", false},
		{"date climbs", "day/{date}/orders.csv", "../../etc", "", true},
		{"date with slash", "day/{date}.csv", "2026/11/24", "", true},
		{"template climbs", "day/{date}/../../x.csv", "2026-11-24", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Expand(tt.template, tt.date)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("Expand(%q, %q) = %q, %v; want %q, error %v", tt.template, tt.date, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{"300s", 300 * time.Second, false},
		{"7d", 7 * 24 * time.Hour, false},
		{"1h30m", 90 * time.Minute, false},
		{"-5m", 0, true},
		{"d", 0, true},
		{"soon", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestCheckBaseURL(t *testing.T) {
	tests := []struct {
		url string
		ok  bool
	}{
		{"https://api.kwikpaisa.com", true},
		{"http://127.0.0.1:8080", true},
		{"http://localhost:8080", true},
		{"http://api.kwikpaisa.com", false},
		{"ftp://api.kwikpaisa.com", false},
		{"api.kwikpaisa.com", false},
	}
	for _, tt := range tests {
		if err := CheckBaseURL(tt.url); (err == nil) != tt.ok {
			t.Errorf("CheckBaseURL(%q) = %v, want ok %v", tt.url, err, tt.ok)
		}
	}
}

// TestBaseURLWithSecretRefused: a key written into the base URL's query or
// user info is refused, and neither the problem nor the file as read
// repeats it.
func TestBaseURLWithSecretRefused(t *testing.T) {
	const secret = "sk_live_PLANTED_9c1e"
	for _, tt := range []struct{ name, url string }{
		{"key in the query", "https://api.kwikpaisa.com/?api_key=" + secret},
		{"key as the user", "https://" + secret + "@api.kwikpaisa.com"},
		{"key as the password", "https://merchant:" + secret + "@api.kwikpaisa.com/"},
		{"loopback with a query", "http://127.0.0.1:8080/?secret=" + secret},
		{"key in the fragment", "https://api.kwikpaisa.com/#" + secret},
		{"no scheme, key in the query", "api.kwikpaisa.com?api_key=" + secret},
		{"plain http with a user", "http://" + secret + ":x@api.kwikpaisa.com"},
	} {
		url := tt.url
		t.Run(tt.name, func(t *testing.T) {
			f, problems, err := Check(writeFile(t, "[api]\nbase_url = \""+url+"\"\n"))
			if err != nil {
				t.Fatal(err)
			}
			if len(problems) != 1 || problems[0].Key != "api.base_url" || problems[0].Line != 2 {
				t.Fatalf("problems %v, want one at api.base_url, line 2", problems)
			}
			if strings.Contains(problems[0].String(), secret) || f == nil || strings.Contains(f.API.BaseURL, secret) {
				t.Errorf("problem %q or base URL %q repeats the secret", problems[0], f.API.BaseURL)
			}
			if err := CheckBaseURL(url); err == nil || strings.Contains(err.Error(), secret) {
				t.Errorf("CheckBaseURL = %v, want a refusal that does not repeat the secret", err)
			}
		})
	}
	_, problems, _ := Check(writeFile(t, "[api]\nbase_url = \"https://api.kwikpaisa.com/?api_key="+secret+"\"\n"))
	if len(problems) == 1 && !strings.Contains(problems[0].Message, "must not carry credentials or a query: put secrets in KWIKPAISA_* environment variables") {
		t.Errorf("problem %q does not say where secrets go", problems[0].Message)
	}
}

// TestCheckDatabaseURL: a PostgreSQL URL is taken as it is (not joined to
// the configuration's folder like a file), and one holding a password is
// refused without repeating it.
func TestCheckDatabaseURL(t *testing.T) {
	tests := []struct {
		name, db string
		problem  bool
	}{
		{"a URL without a password", "postgres://recon@db.internal:5432/recon?sslmode=verify-full", false},
		{"postgresql:// too", "postgresql://recon@127.0.0.1/recon", false},
		{"a URL with a password", "postgres://recon:hunter2-secret@db.internal/recon", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, problems, err := Check(writeFile(t, "db = \""+tt.db+"\"\n"))
			if err != nil {
				t.Fatal(err)
			}
			if tt.problem {
				if len(problems) != 1 || problems[0].Key != "db" || !strings.Contains(problems[0].Message, "PGPASSWORD") {
					t.Fatalf("problems %v, want one for db naming PGPASSWORD", problems)
				}
				if strings.Contains(fmt.Sprint(problems[0]), "hunter2-secret") {
					t.Errorf("the problem repeats the password: %v", problems[0])
				}
				return
			}
			if len(problems) != 0 {
				t.Fatalf("problems %v, want none", problems)
			}
			if f.DB != tt.db {
				t.Errorf("db = %q, want %q as written", f.DB, tt.db)
			}
		})
	}
}
