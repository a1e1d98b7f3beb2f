package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kwikpaisa/recon/internal/kwikpaisa"
)

const (
	goodKey    = "pk_live_doctor_0001"
	goodSecret = "doctor-secret-0001"
)

// gateway is a stand-in for KwikPaisa's status endpoint on 127.0.0.1: it
// checks the key, the signature and the timestamp as the gateway does, and
// answers 404 for the probe's unknown order, with its clock in Date.
func gateway(t *testing.T, clock time.Time) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", clock.UTC().Format(http.TimeFormat))
		body, _ := io.ReadAll(r.Body)
		canon, err := kwikpaisa.CanonicalJSON(body)
		ts, _ := strconv.ParseInt(r.Header.Get("X-TIMESTAMP"), 10, 64)
		skew := clock.Unix() - ts
		if err != nil || r.Header.Get("X-API-KEY") != goodKey || skew > 300 || skew < -300 ||
			!kwikpaisa.Verify(goodSecret, canon, r.Header.Get("X-TIMESTAMP"), r.Header.Get("X-SIGNATURE")) {
			w.WriteHeader(http.StatusUnauthorized)
			json.NewEncoder(w).Encode(map[string]any{"status": false, "code": 401, "message": "unauthorized"})
			return
		}
		w.WriteHeader(http.StatusNotFound)
		json.NewEncoder(w).Encode(map[string]any{"status": false, "code": 404, "message": "order not found"})
	}))
	t.Cleanup(srv.Close)
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
	t.Setenv("KWIKPAISA_API_KEY", goodKey)
	t.Setenv("KWIKPAISA_SECRET_KEY", goodSecret)
	t.Setenv("KWIKPAISA_WEBHOOK_SECRET", "whsec_doctor")
	return path
}

func TestDoctorPasses(t *testing.T) {
	srv := gateway(t, fixtureNow)
	cfg := doctorSetup(t, srv.URL, nil)
	code, stdout, stderr := runRecon(t, fixtureNow, "doctor", "--config", cfg)
	if code != 0 || strings.Contains(stdout, "✗") {
		t.Fatalf("doctor with good settings: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, s := range []string{goodKey, goodSecret, "whsec_doctor"} {
		if strings.Contains(stdout+stderr, s) {
			t.Errorf("doctor printed a secret (%s)", s[:4])
		}
	}
	if !strings.Contains(stdout, "✓ signed status call accepted: HTTP 404") {
		t.Errorf("doctor did not make the signed call:\n%s", stdout)
	}
}

// TestDoctorNamesEachBrokenSetting breaks one setting at a time and wants
// its item marked ✗ with a fix, and exit 1.
func TestDoctorNamesEachBrokenSetting(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, cfg string)
		edit  func(string) string
		skew  time.Duration
		item  string
	}{
		{name: "no API key", setup: func(t *testing.T, _ string) { t.Setenv("KWIKPAISA_API_KEY", "") },
			item: "production API key (pk_live_) present"},
		{name: "sandbox key", setup: func(t *testing.T, _ string) { t.Setenv("KWIKPAISA_API_KEY", "pk_test_0001") },
			item: "production API key (pk_live_) present"},
		{name: "sandbox key on the live URL", setup: func(t *testing.T, _ string) { t.Setenv("KWIKPAISA_API_KEY", "pk_test_0001") },
			edit: func(s string) string { return replaceBase(s, "https://api.kwikpaisa.com") },
			item: "no sandbox credentials against the live URL"},
		{name: "no secret key", setup: func(t *testing.T, _ string) { t.Setenv("KWIKPAISA_SECRET_KEY", "") },
			item: "API secret key present"},
		{name: "wrong secret key", setup: func(t *testing.T, _ string) { t.Setenv("KWIKPAISA_SECRET_KEY", "not-the-secret") },
			item: "signed status call accepted"},
		{name: "plain http", edit: func(s string) string { return replaceBase(s, "http://api.kwikpaisa.com") },
			item: "https base URL"},
		{name: "secret file readable by others", setup: func(t *testing.T, cfg string) {
			p := filepath.Join(filepath.Dir(cfg), "secret")
			os.WriteFile(p, []byte(goodSecret), 0o644)
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
		{name: "output not writable", edit: func(s string) string {
			return strings.Replace(s, "out = \"", "out = \"/dev/null/", 1)
		}, item: "output folder writable"},
		{name: "database not writable", edit: func(s string) string {
			return strings.Replace(s, "db = \"", "db = \"/dev/null/", 1)
		}, item: "database folder writable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The gateway's clock is off by skew; ours is fixtureNow.
			srv := gateway(t, fixtureNow.Add(tt.skew))
			cfg := doctorSetup(t, srv.URL, tt.edit)
			if tt.setup != nil {
				tt.setup(t, cfg)
			}
			e := &env{stdin: strings.NewReader(""), stdout: &strings.Builder{}, stderr: &strings.Builder{},
				now: func() time.Time { return fixtureNow }, probe: loopbackOnly(t)}
			code := run(t.Context(), e, []string{"doctor", "--config", cfg})
			stdout := e.stdout.(*strings.Builder).String()
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

// loopbackOnly is the HTTP probe, refusing any address but 127.0.0.1: a
// test never reaches the real gateway.
func loopbackOnly(t *testing.T) statusProbe {
	real := httpProbe(&http.Client{Timeout: 10 * time.Second}, func() time.Time { return fixtureNow })
	return func(ctx context.Context, base, key, secret string) (probeResult, error) {
		if !strings.HasPrefix(base, "http://127.0.0.1:") {
			return probeResult{}, fmt.Errorf("test: no network beyond 127.0.0.1 (%s)", base)
		}
		return real(ctx, base, key, secret)
	}
}

func replaceBase(s, base string) string {
	i := strings.Index(s, "base_url = ")
	j := strings.Index(s[i:], "\n")
	return s[:i] + fmt.Sprintf("base_url = %q", base) + s[i+j:]
}
