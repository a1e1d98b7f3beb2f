package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kwikpaisa/recon/internal/sandbox"
)

const (
	sandboxKey    = "pk_test_doctor_0001"
	sandboxSecret = "doctor-secret-0001"
)

// startSandbox runs KwikPaisa's in-process sandbox on 127.0.0.1 with the
// clock now; it knows no record, so the doctor's probe gets a 404.
func startSandbox(t *testing.T, now func() time.Time) *sandbox.Server {
	t.Helper()
	srv, err := sandbox.New(sandbox.Records{}, sandbox.Options{APIKey: sandboxKey, SecretKey: sandboxSecret, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// doctorSetup writes a good configuration against base and sets good
// secrets; it returns the configuration's path.
func doctorSetup(t *testing.T, base string, edit func(string) string) string {
	t.Helper()
	tmp := t.TempDir()
	schedules, err := filepath.Abs("../../schedules")
	if err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf(`db = %q
out = %q
[api]
base_url = %q
wallet_id = "w1"
[schedule]
dir = %q
`, filepath.Join(tmp, "data", "recon.db"), filepath.Join(tmp, "reports"), base, schedules)
	if edit != nil {
		body = edit(body)
	}
	path := filepath.Join(tmp, "recon.toml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KWIKPAISA_API_KEY", sandboxKey)
	t.Setenv("KWIKPAISA_SECRET_KEY", sandboxSecret)
	t.Setenv("KWIKPAISA_WEBHOOK_SECRET", "whsec_doctor")
	return path
}

// loopbackOnly refuses any request not to 127.0.0.1: a test never reaches
// the real gateway, whatever the configuration says.
type loopbackOnly struct{}

func (loopbackOnly) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Hostname() != "127.0.0.1" {
		return nil, fmt.Errorf("test: no network beyond 127.0.0.1 (%s)", r.URL.Host)
	}
	return http.DefaultTransport.RoundTrip(r)
}

func runDoctor(t *testing.T, cfg string, now func() time.Time) (int, string, string) {
	t.Helper()
	var stdout, stderr strings.Builder
	e := &env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, now: now, probe: clientProbe(loopbackOnly{}, now)}
	code := run(t.Context(), e, []string{"doctor", "--config", cfg})
	return code, stdout.String(), stderr.String()
}

// TestDoctorPassesAgainstSandbox: with good settings against the sandbox
// every required item passes (the URL is flagged as not the live one), the
// signed call is made and accepted, and no secret is printed.
func TestDoctorPassesAgainstSandbox(t *testing.T) {
	srv := startSandbox(t, time.Now)
	cfg := doctorSetup(t, srv.URL, nil)
	code, stdout, stderr := runDoctor(t, cfg, time.Now)
	if code != 0 || strings.Contains(stdout, "✗") {
		t.Fatalf("doctor with good settings: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{"✓ signed status call accepted: HTTP 404", "✓ clock within the gateway's timestamp window",
		"! live API URL", "✓ API key present (pk_test_ for the sandbox)"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("doctor does not say %q:\n%s", want, stdout)
		}
	}
	if srv.Requests() == 0 {
		t.Error("the sandbox got no request: the signed call was not made")
	}
	for _, dir := range []string{"data", "reports"} { // made by the writable checks
		p := filepath.Join(filepath.Dir(cfg), dir)
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != 0o700 {
			t.Errorf("doctor made %s mode %04o, want 0700", p, got)
		}
	}
	for _, s := range []string{sandboxKey, sandboxSecret, "whsec_doctor"} {
		if strings.Contains(stdout+stderr, s) {
			t.Errorf("doctor printed a secret (%s…)", s[:4])
		}
	}
}

// TestDoctorNamesEachBrokenSetting breaks one setting at a time and wants
// its item marked ✗ with a fix, and exit 1.
func TestDoctorNamesEachBrokenSetting(t *testing.T) {
	live := func(s string) string { return replaceBase(s, "https://api.kwikpaisa.com") }
	tests := []struct {
		name  string
		setup func(t *testing.T, cfg string)
		edit  func(string) string
		skew  time.Duration
		item  string
	}{
		{name: "no API key", setup: func(t *testing.T, _ string) { t.Setenv("KWIKPAISA_API_KEY", "") },
			item: "API key present (pk_test_ for the sandbox)"},
		{name: "live key against the sandbox", setup: func(t *testing.T, _ string) { t.Setenv("KWIKPAISA_API_KEY", "pk_live_0001") },
			item: "API key present (pk_test_ for the sandbox)"},
		{name: "sandbox key on the live URL", edit: live, item: "no sandbox credentials against the live URL"},
		{name: "no production key on the live URL", edit: live, item: "production API key (pk_live_) present"},
		{name: "no secret key", setup: func(t *testing.T, _ string) { t.Setenv("KWIKPAISA_SECRET_KEY", "") },
			item: "API secret key present"},
		{name: "wrong secret key", setup: func(t *testing.T, _ string) { t.Setenv("KWIKPAISA_SECRET_KEY", "not-the-secret") },
			item: "signed status call accepted"},
		{name: "plain http", edit: func(s string) string { return replaceBase(s, "http://api.kwikpaisa.com") },
			item: "API URL over https (plain http on loopback only)"},
		{name: "secret file readable by others", setup: func(t *testing.T, cfg string) {
			p := filepath.Join(filepath.Dir(cfg), "secret")
			if err := os.WriteFile(p, []byte(sandboxSecret), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Setenv("KWIKPAISA_SECRET_KEY", "")
			os.Unsetenv("KWIKPAISA_SECRET_KEY")
			t.Setenv("KWIKPAISA_SECRET_KEY_FILE", p)
		}, item: "secrets from the environment or an owner-only file"},
		{name: "secret in the configuration", edit: func(s string) string { return s + "secret_key = \"abc\"\n" },
			item: "secrets from the environment or an owner-only file"},
		{name: "no webhook secret", setup: func(t *testing.T, _ string) { t.Setenv("KWIKPAISA_WEBHOOK_SECRET", "") },
			item: "webhook secret configured"},
		{name: "clock skew", skew: 10 * time.Minute, item: "clock within the gateway's timestamp window"},
		{name: "no schedule", edit: func(s string) string { return s[:strings.Index(s, "[schedule]")] },
			item: "schedule configured"},
		{name: "output not writable", edit: func(s string) string { return strings.Replace(s, "out = \"", "out = \"/dev/null/", 1) },
			item: "output folder writable"},
		{name: "database not writable", edit: func(s string) string { return strings.Replace(s, "db = \"", "db = \"/dev/null/", 1) },
			item: "database folder writable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// This machine's clock is off by skew, the sandbox's too (so it
			// accepts the timestamp); the Date header tells the truth.
			now := func() time.Time { return time.Now().Add(tt.skew) }
			srv := startSandbox(t, now)
			cfg := doctorSetup(t, srv.URL, tt.edit)
			if tt.setup != nil {
				tt.setup(t, cfg)
			}
			code, stdout, _ := runDoctor(t, cfg, now)
			if code != exitError {
				t.Errorf("exit %d, want %d", code, exitError)
			}
			if !strings.Contains(stdout, "✗ "+tt.item) {
				t.Errorf("doctor does not mark %q ✗:\n%s", tt.item, stdout)
			}
			if !strings.Contains(stdout, "fix: ") {
				t.Errorf("doctor gives no fix:\n%s", stdout)
			}
		})
	}
}

func replaceBase(s, base string) string {
	i := strings.Index(s, "base_url = ")
	j := strings.Index(s[i:], "\n")
	return s[:i] + fmt.Sprintf("base_url = %q", base) + s[i+j:]
}
