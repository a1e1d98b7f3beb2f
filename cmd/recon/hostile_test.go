package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kwikpaisa/recon/internal/kwikpaisa"
	"github.com/kwikpaisa/recon/internal/sandbox"
)

// categories returns "CATEGORY reference" for every row of the date's
// mismatches and duplicates, sorted, and the details by that pair.
func categories(t *testing.T, out string) ([]string, map[string]string) {
	t.Helper()
	var got []string
	details := map[string]string{}
	for _, name := range []string{"mismatches.csv", "duplicates.csv"} {
		rows := readCSV(t, filepath.Join(out, fixtureDate, name))
		col := map[string]int{}
		for i, h := range rows[0] {
			col[h] = i
		}
		for _, r := range rows[1:] {
			k := r[col["category"]] + " " + r[col["reference"]]
			got = append(got, k)
			details[k] = r[col["detail"]]
		}
	}
	sort.Strings(got)
	return got, details
}

// TestForgedWebhookBodiesThroughRun runs a day whose gateway says every
// order was paid, with a webhook log an attacker edited: genuine deliveries
// (signed over canonical bodies, so the raw and canonical signatures are
// one) re-sent with a key repeated in front, which canonicalisation drops
// and the body reader keeps. A failed payment passed off as a success (A),
// a success moved to another order (B's to C), a success turned into a
// failure (F), a second transaction id (G), an escaped "ev\u0065nt" (H):
// each is reported as WEBHOOK_SIGNATURE_INVALID saying its body is not
// strict JSON; none clears WEBHOOK_MISSING, makes a WEBHOOK_CONFLICT or a
// DUPLICATE_PAYMENT.
func TestForgedWebhookBodiesThroughRun(t *testing.T) {
	t.Setenv("KWIKPAISA_WEBHOOK_SECRET", fixtureSecret)
	tmp := t.TempDir()
	paidAt := time.Date(2026, 11, 24, 10, 0, 0, 0, time.FixedZone("IST", 19800))
	ts := fmt.Sprint(paidAt.Unix())

	var orders, gateway strings.Builder
	orders.WriteString("order_id,amount,currency,status,created_at,transaction_id\n")
	for _, id := range []string{"A", "B", "C", "F", "G", "H"} {
		fmt.Fprintf(&orders, "%s,100.00,INR,paid,2026-11-24 10:00:00,T-%s\n", id, id)
		fmt.Fprintf(&gateway, `{"order_id":"%s","order_amount":"100.00","currency":"INR","order_status":"PAID","transaction_id":"T-%s","created_at":"24-11-2026 10:00 AM","paid_at":"24-11-2026 10:00 AM"}`+"\n", id, id)
	}
	// body is a genuine body, canonical: keys sorted, compact.
	body := func(id, event string) string {
		return fmt.Sprintf(`{"data":{"amount":"100.00","currency":"INR","order_id":"%s","transaction_id":"T-%s"},"event":"%s"}`, id, id, event)
	}
	var hooks strings.Builder
	deliver := func(signedBody, sent string) {
		line, _ := json.Marshal(map[string]any{"received_at": paidAt.Add(time.Second).Format(time.RFC3339Nano),
			"headers": map[string]string{"X-Signature": kwikpaisa.Sign(fixtureSecret, []byte(signedBody), ts), "X-Timestamp": ts},
			"body":    sent})
		hooks.Write(append(line, '\n'))
	}
	deliver(body("B", "payment.success"), body("B", "payment.success")) // 1 genuine
	deliver(body("G", "payment.success"), body("G", "payment.success")) // 2 genuine
	deliver(body("A", "payment.failed"), `{"event":"payment.success",`+body("A", "payment.failed")[1:])
	deliver(body("B", "payment.success"), `{"data":{"amount":"100.00","currency":"INR","order_id":"C","transaction_id":"T-C"},`+body("B", "payment.success")[1:])
	deliver(body("F", "payment.success"), `{"event":"payment.failed",`+body("F", "payment.success")[1:])
	deliver(body("G", "payment.success"), strings.Replace(body("G", "payment.success"), `{"data":{`, `{"data":{"transaction_id":"T-EVIL",`, 1))
	deliver(body("H", "payment.failed"), `{"ev\u0065nt":"payment.success",`+body("H", "payment.failed")[1:])

	for name, content := range map[string]string{"orders.csv": orders.String(), "gateway.jsonl": gateway.String(), "webhooks.jsonl": hooks.String()} {
		if err := os.WriteFile(filepath.Join(tmp, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(tmp, "out")
	code, _, stderr := runRecon(t, fixtureNow, "run", "--date", fixtureDate, "--offline",
		"--orders", filepath.Join(tmp, "orders.csv"), "--gateway", filepath.Join(tmp, "gateway.jsonl"),
		"--webhooks", filepath.Join(tmp, "webhooks.jsonl"), "--db", filepath.Join(tmp, "recon.db"), "--out", out)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	got, details := categories(t, out)
	want := []string{
		"WEBHOOK_MISSING A", "WEBHOOK_MISSING C", "WEBHOOK_MISSING F", "WEBHOOK_MISSING H",
		"WEBHOOK_SIGNATURE_INVALID line:3", "WEBHOOK_SIGNATURE_INVALID line:4", "WEBHOOK_SIGNATURE_INVALID line:5",
		"WEBHOOK_SIGNATURE_INVALID line:6", "WEBHOOK_SIGNATURE_INVALID line:7",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("exceptions (category reference):\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, k := range want {
		if strings.HasPrefix(k, "WEBHOOK_SIGNATURE_INVALID") && !strings.Contains(details[k], "body is not strict JSON: duplicate object member name") {
			t.Errorf("%s: detail %q does not say the body is not strict JSON", k, details[k])
		}
	}
}

// gatewayDay writes a day of six paid orders known to the gateway (K1…K6)
// and one it does not know (NOPE), and returns the orders file and the
// sandbox serving the gateway's records with the security tests' keys.
func gatewayDay(t *testing.T) (string, *sandbox.Server) {
	t.Helper()
	dir := t.TempDir()
	var orders, dump strings.Builder
	orders.WriteString("order_id,amount,currency,status,created_at\n")
	for _, id := range []string{"K1", "K2", "K3", "K4", "K5", "K6", "NOPE"} {
		fmt.Fprintf(&orders, "%s,100.00,INR,paid,2026-11-24 10:00:00\n", id)
		if id != "NOPE" {
			fmt.Fprintf(&dump, `{"order_id":"%s","order_amount":"100.00","currency":"INR","order_status":"PAID","transaction_id":"T-%s","created_at":"24-11-2026 10:00 AM","paid_at":"24-11-2026 10:00 AM"}`+"\n", id, id)
		}
	}
	for name, content := range map[string]string{"orders.csv": orders.String(), "gateway.jsonl": dump.String()} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	recs, _, err := sandbox.LoadRecords(filepath.Join(dir, "gateway.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sandbox.New(recs, sandbox.Options{APIKey: secAPIKey, SecretKey: secSecretKey})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	t.Setenv("KWIKPAISA_API_KEY", secAPIKey)
	t.Setenv("KWIKPAISA_SECRET_KEY", secSecretKey)
	return filepath.Join(dir, "orders.csv"), srv
}

// TestProxy404sAndWrongPathAreNotMissing: a proxy on loopback in front of
// the sandbox serves its HTML 404 page for K1…K3, and a wrong base path
// meets the server's own 404 page for every key. Those keys are
// UNVERIFIED, never MISSING_AT_GATEWAY (only NOPE, which the gateway itself
// answers not-found, is), and as those answers are not kept, a re-run with
// the right URL finds every key the gateway has.
func TestProxy404sAndWrongPathAreNotMissing(t *testing.T) {
	orders, sb := gatewayDay(t)
	target, _ := url.Parse(sb.URL)
	rp := httputil.NewSingleHostReverseProxy(target)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		for _, k := range []string{`"K1"`, `"K2"`, `"K3"`} {
			if bytes.Contains(body, []byte(k)) {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(http.StatusNotFound)
				io.WriteString(w, "<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1></center><hr><center>nginx</center></body></html>")
				return
			}
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)

	tests := []struct {
		name, url string
		want      []string
	}{
		{name: "proxy's HTML 404 for three keys", url: proxy.URL,
			want: []string{"MISSING_AT_GATEWAY NOPE", "UNVERIFIED K1", "UNVERIFIED K2", "UNVERIFIED K3"}},
		{name: "wrong base path", url: sb.URL + "/kwikpaisa",
			want: []string{"UNVERIFIED K1", "UNVERIFIED K2", "UNVERIFIED K3", "UNVERIFIED K4", "UNVERIFIED K5", "UNVERIFIED K6", "UNVERIFIED NOPE"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmp := t.TempDir()
			runWith := func(apiURL, out string, now time.Time) ([]string, string) {
				code, _, stderr := runRecon(t, now, "run", "--date", fixtureDate, "--orders", orders, "--api-url", apiURL,
					"--db", filepath.Join(tmp, "recon.db"), "--out", filepath.Join(tmp, out))
				if code != 0 {
					t.Fatalf("run against %s: exit %d\n%s", apiURL, code, stderr)
				}
				got, _ := categories(t, filepath.Join(tmp, out))
				return got, stderr
			}
			got, stderr := runWith(tt.url, "first", fixtureNow)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("exceptions:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if !strings.Contains(stderr, "UNVERIFIED") {
				t.Errorf("stderr does not say the run has UNVERIFIED records:\n%s", stderr)
			}
			// The same date a minute later, well within the hour an answer
			// stays fresh, with the right URL.
			got, _ = runWith(sb.URL, "again", fixtureNow.Add(time.Minute))
			if want := []string{"MISSING_AT_GATEWAY NOPE"}; strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("re-run with the right URL:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// TestRunRefusesRedirect: the API URL answers every call with a 307 to
// another loopback port, whose handler records what reaches it. Nothing
// does (no X-API-KEY, no X-SIGNATURE); the keys are UNVERIFIED and the log
// says redirect.
func TestRunRefusesRedirect(t *testing.T) {
	orders, _ := gatewayDay(t)
	var mu sync.Mutex
	var received []string
	thief := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		received = append(received, r.Header.Get("X-API-KEY")+" "+r.Header.Get("X-SIGNATURE"))
		mu.Unlock()
	}))
	t.Cleanup(thief.Close)
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, thief.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(redirector.Close)

	tmp := t.TempDir()
	code, _, stderr := runRecon(t, fixtureNow, "run", "--date", fixtureDate, "--orders", orders, "--api-url", redirector.URL,
		"--db", filepath.Join(tmp, "recon.db"), "--out", filepath.Join(tmp, "out"), "-v")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	got, _ := categories(t, filepath.Join(tmp, "out"))
	want := []string{"UNVERIFIED K1", "UNVERIFIED K2", "UNVERIFIED K3", "UNVERIFIED K4", "UNVERIFIED K5", "UNVERIFIED K6", "UNVERIFIED NOPE"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("exceptions:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !strings.Contains(stderr, "HTTP 307 redirect to "+thief.URL) {
		t.Errorf("the log does not name the redirect:\n%s", stderr)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(received) != 0 {
		t.Errorf("the redirect target received %d requests, first with X-API-KEY and X-SIGNATURE %q", len(received), received[0])
	}
}

// TestURLSecretsNeverEchoed plants a secret in the API URL's query and
// user info, on the command line and in the configuration file. run,
// config check and doctor refuse it, say where secrets go, and the secret
// appears in no output, log or file they write.
func TestURLSecretsNeverEchoed(t *testing.T) {
	const planted = "sk_live_PLANTED_77d2e9"
	t.Setenv("KWIKPAISA_API_KEY", secAPIKey)
	t.Setenv("KWIKPAISA_SECRET_KEY", secSecretKey)
	t.Setenv("KWIKPAISA_WEBHOOK_SECRET", fixtureSecret)
	urls := map[string]string{
		"query":            "http://127.0.0.1:9/?api_key=" + planted,
		"user info":        "http://merchant:" + planted + "@127.0.0.1:9",
		"user name":        "https://" + planted + "@api.kwikpaisa.com",
		"query, no scheme": "api.kwikpaisa.com?api_key=" + planted,
	}
	for name, u := range urls {
		t.Run(name, func(t *testing.T) {
			tmp := t.TempDir()
			orders := filepath.Join(tmp, "orders.csv")
			os.WriteFile(orders, []byte("order_id,amount,status,created_at\nA,1.00,paid,2026-11-24 10:00:00\n"), 0o600)
			cfgDir := t.TempDir() // apart from what recon writes, which is searched for the secret
			cfg := filepath.Join(cfgDir, "recon.toml")
			os.WriteFile(cfg, []byte(fmt.Sprintf("db = %q\nout = %q\n[api]\nbase_url = %q\n", filepath.Join(tmp, "recon.db"), filepath.Join(tmp, "out"), u)), 0o600)
			runs := []struct {
				args []string
				code int // a flag's error is a usage error, the file's is not
			}{
				{[]string{"run", "--date", fixtureDate, "--orders", orders, "--db", filepath.Join(tmp, "recon.db"), "--out", filepath.Join(tmp, "out"), "--api-url", u, "-v", "--log-format", "json"}, exitUsage},
				{[]string{"run", "--date", fixtureDate, "--orders", orders, "--config", cfg, "-v"}, exitError},
				{[]string{"config", "check", "--config", cfg}, exitError},
				{[]string{"pull", "--date", fixtureDate, "--db", filepath.Join(tmp, "recon.db"), "--out", filepath.Join(tmp, "out"), "--api-url", u}, exitUsage},
			}
			for _, r := range runs {
				args := r.args
				code, stdout, stderr := runRecon(t, fixtureNow, args...)
				if code != r.code {
					t.Errorf("%s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", args[0], code, r.code, stdout, stderr)
				}
				if !strings.Contains(stdout+stderr, "must not carry credentials or a query: put secrets in KWIKPAISA_* environment variables") &&
					!strings.Contains(stdout+stderr, "is not a") {
					t.Errorf("%s: output does not say why:\n%s%s", args[0], stdout, stderr)
				}
				if strings.Contains(stdout+stderr, planted) || strings.Contains(stdout+stderr, "PLANTED") {
					t.Errorf("%s %s: output repeats the secret:\n%s%s", args[0], args[1], stdout, stderr)
				}
			}
			code, stdout, stderr := runDoctor(t, cfg, func() time.Time { return fixtureNow })
			if code != exitError || strings.Contains(stdout+stderr, "PLANTED") {
				t.Errorf("doctor: exit %d, output:\n%s%s\nwant exit 1 and no secret", code, stdout, stderr)
			}
			filepath.WalkDir(tmp, func(path string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() && path != orders {
					if b, _ := os.ReadFile(path); bytes.Contains(b, []byte("PLANTED")) {
						t.Errorf("%s holds the secret", path)
					}
				}
				return nil
			})
		})
	}
}
