package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	demoKey    = "pk_test_cmd"
	demoSecret = "sk_test_cmd_secret"
)

// syncBuffer is a bytes.Buffer safe to write from the sandbox goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startSandboxCmd runs `recon sandbox` in-process, as `make demo` does in
// the background, and returns its URL.
func startSandboxCmd(t *testing.T) string {
	t.Helper()
	urlFile := filepath.Join(t.TempDir(), "url")
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	done := make(chan int, 1)
	go func() {
		e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &out, now: time.Now}
		done <- run(ctx, e, []string{"sandbox", "--url-file", urlFile})
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("recon sandbox: exit %d; output:\n%s", code, out.String())
		}
		if !strings.Contains(out.String(), "Sandbox stopped after") {
			t.Errorf("recon sandbox did not say it stopped:\n%s", out.String())
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(urlFile); err == nil && len(b) > 0 {
			url := strings.TrimSpace(string(b))
			if !strings.HasPrefix(url, "http://127.0.0.1:") {
				t.Fatalf("sandbox URL %q is not on 127.0.0.1", url)
			}
			return url
		}
		select {
		case code := <-done:
			t.Fatalf("recon sandbox ended with exit %d:\n%s", code, out.String())
		case <-time.After(5 * time.Millisecond):
		}
	}
	t.Fatalf("recon sandbox wrote no URL:\n%s", out.String())
	return ""
}

// TestRunPullsFromSandbox is `make demo` in-process: the fixture day
// reconciled with a real signed pull from `recon sandbox`, then `recon
// pull` finding nothing left to ask.
func TestRunPullsFromSandbox(t *testing.T) {
	inRepoRoot(t)
	t.Setenv("KWIKPAISA_WEBHOOK_SECRET", fixtureSecret)
	t.Setenv("KWIKPAISA_API_KEY", demoKey)
	t.Setenv("KWIKPAISA_SECRET_KEY", demoSecret)
	url := startSandboxCmd(t)
	tmp := t.TempDir()
	db, out := filepath.Join(tmp, "recon.db"), filepath.Join(tmp, "reports")

	code, stdout, stderr := runRecon(t, fixtureNow, "run", "--config", "fixtures/recon.toml", "--date", fixtureDate,
		"--api-url", url, "--db", db, "--out", out)
	if code != 0 {
		t.Fatalf("run: exit %d; stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "pulled ") || strings.Contains(stdout, " 0 keys") {
		t.Errorf("run did not pull:\n%s", stdout)
	}
	if strings.Contains(stdout+stderr, demoSecret) {
		t.Errorf("output shows the secret key")
	}
	mis, err := os.ReadFile(filepath.Join(out, fixtureDate, "mismatches.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(mis, []byte("KwikPaisa answered that ORD-MAG-1 does not exist")) {
		t.Errorf("mismatches.csv does not report the gateway's 404 for ORD-MAG-1")
	}
	if fi, err := os.Stat(filepath.Join(out, fixtureDate, "pulled.jsonl")); err != nil || fi.Size() == 0 {
		t.Errorf("no pulled.jsonl dump: %v", err)
	}

	code, stdout, stderr = runRecon(t, fixtureNow, "pull", "--config", "fixtures/recon.toml", "--date", fixtureDate,
		"--api-url", url, "--db", db, "--out", out)
	if code != 0 || !strings.Contains(stdout, "pulled    0 keys") {
		t.Errorf("pull after run: exit %d, stdout:\n%s\nstderr:\n%s\nwant nothing left to ask", code, stdout, stderr)
	}

	// `make demo` twice: the second run asks nothing, and its reports,
	// summary included (the date's pulls, not this run's), are the same.
	again := filepath.Join(tmp, "again")
	code, stdout, stderr = runRecon(t, fixtureNow.Add(time.Minute), "run", "--config", "fixtures/recon.toml", "--date", fixtureDate,
		"--api-url", url, "--db", db, "--out", again)
	if code != 0 || !strings.Contains(stdout, "pulled    0 keys") {
		t.Fatalf("second run: exit %d, stdout:\n%s\nstderr:\n%s\nwant nothing asked", code, stdout, stderr)
	}
	for _, name := range goldenCSVs {
		a, _ := os.ReadFile(filepath.Join(out, fixtureDate, name))
		b, _ := os.ReadFile(filepath.Join(again, fixtureDate, name))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s differs between the pulling run and the re-run that asked nothing (or is empty)", name)
		}
	}
	summary, _ := os.ReadFile(filepath.Join(again, fixtureDate, "summary.csv"))
	if !bytes.Contains(summary, []byte("pulls,,keys,28\n")) || !bytes.Contains(summary, []byte("pulls,,requests,28\n")) {
		t.Errorf("summary.csv of the re-run does not show the date's 28 pulled keys and requests:\n%s", summary)
	}
}

func TestPullRefusals(t *testing.T) {
	inRepoRoot(t)
	t.Setenv("KWIKPAISA_WEBHOOK_SECRET", fixtureSecret)
	url := startSandboxCmdWith(t, demoKey, demoSecret)
	tests := []struct {
		name, key, secret, want string
		unset                   string
	}{
		{name: "wrong secret", key: demoKey, secret: "sk_test_wrong_one", want: "refused the credentials"},
		{name: "live key on loopback", key: "pk_live_realkey", secret: "sk_live_realsecret", want: "refusing to send a pk_live_ key"},
		{name: "secret without key", secret: "sk_test_x", unset: "KWIKPAISA_API_KEY", want: "KWIKPAISA_SECRET_KEY is set but KWIKPAISA_API_KEY is not"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("KWIKPAISA_API_KEY", tt.key)
			t.Setenv("KWIKPAISA_SECRET_KEY", tt.secret)
			if tt.unset != "" {
				os.Unsetenv(tt.unset)
			}
			tmp := t.TempDir()
			code, stdout, stderr := runRecon(t, fixtureNow, "run", "--config", "fixtures/recon.toml", "--date", fixtureDate,
				"--api-url", url, "--db", filepath.Join(tmp, "recon.db"), "--out", tmp)
			if code != exitError || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit 1 and %q", code, stderr, tt.want)
			}
			for _, s := range []string{tt.secret, tt.key} {
				if s != "" && strings.Contains(stdout+stderr, s) && s != demoKey {
					t.Errorf("output shows a credential %q:\n%s", s, stderr)
				}
			}
		})
	}
}

// startSandboxCmdWith starts `recon sandbox` with the given credentials,
// then leaves the environment for the test to set.
func startSandboxCmdWith(t *testing.T, key, secret string) string {
	t.Helper()
	t.Setenv("KWIKPAISA_API_KEY", key)
	t.Setenv("KWIKPAISA_SECRET_KEY", secret)
	return startSandboxCmd(t)
}
