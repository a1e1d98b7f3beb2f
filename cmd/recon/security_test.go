package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/kwikpaisa/recon/internal/sandbox"
)

// Known secrets of the security tests: no output may hold them.
const (
	secAPIKey    = "pk_test_SEC9f3a1c7e"
	secSecretKey = "sk_test_SEC5b2d8e4f0a"
	secOldHook   = "whsec_rotated_out_SEC77c1"
	secWallet    = "wallet_sec_01"
)

// secStrings are the secrets a run knows, and their distinctive tails
// (a secret cut or re-encoded would still show one).
var secStrings = []string{secAPIKey, secSecretKey, secOldHook, fixtureSecret, "SEC9f3a1c7e", "SEC5b2d8e4f0a", "SEC77c1"}

// startSecSandbox serves the gateway dump of day on 127.0.0.1 with the
// known credentials.
func startSecSandbox(t *testing.T, day string) string {
	t.Helper()
	recs, _, err := sandbox.LoadRecords(filepath.Join(day, "gateway.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sandbox.New(recs, sandbox.Options{APIKey: secAPIKey, SecretKey: secSecretKey, WalletID: secWallet})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv.URL
}

// TestRunKeepsSecretsAndFilesPrivate runs a generated day with a pull from
// the sandbox and a rotated pair of webhook secrets, the secret key read
// from an owner-only file, under umask 0 (so that only recon's own modes
// count). No secret appears on stdout, stderr, in any report, the
// manifest, the metrics file, pulled.jsonl or the SQLite files. Every
// folder recon creates is 0700 and every file 0600, except the metrics
// file: it is 0644 on purpose, for node_exporter's textfile collector,
// which often runs as another user, and holds only the day's totals.
func TestRunKeepsSecretsAndFilesPrivate(t *testing.T) {
	day := synthDay(t, 300, 100)
	url := startSecSandbox(t, day)
	tmp := t.TempDir()
	keyFile := filepath.Join(tmp, "secret_key")
	if err := os.WriteFile(keyFile, []byte(secSecretKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(tmp, "state")
	if err := os.Mkdir(state, 0o700); err != nil {
		t.Fatal(err)
	}
	env := childEnv("KWIKPAISA_API_KEY="+secAPIKey, "KWIKPAISA_SECRET_KEY_FILE="+keyFile,
		"KWIKPAISA_WEBHOOK_SECRET="+secOldHook+","+fixtureSecret)
	args := []string{"run", "--date", fixtureDate,
		"--orders", filepath.Join(day, "orders.csv"), "--payouts", filepath.Join(day, "payouts.csv"),
		"--webhooks", filepath.Join(day, "webhooks.jsonl"), "--api-url", url, "--wallet-id", secWallet, "--api-rate", "2000", "--api-concurrency", "8",
		"--db", filepath.Join(state, "db", "recon.db"), "--out", filepath.Join(state, "out"),
		"--metrics", filepath.Join(state, "recon.prom"), "--log-format", "json"}

	old := syscall.Umask(0)
	p := runProc(t, env, "", args...)
	syscall.Umask(old)
	if p.code != 0 {
		t.Fatalf("run: exit %d\n%s", p.code, p.stderr)
	}
	if !strings.Contains(p.stdout, "pulled ") {
		t.Errorf("the run did not pull:\n%s", p.stdout)
	}
	noSecrets(t, "stdout", []byte(p.stdout))
	noSecrets(t, "stderr", []byte(p.stderr))

	files := 0
	err := filepath.WalkDir(state, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		want := os.FileMode(0o600)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			return nil // the date's folder: a link to its current run's, walked there
		case d.IsDir():
			want = 0o700
		case filepath.Base(path) == "recon.prom":
			want = 0o644
		default:
			files++
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			noSecrets(t, path, b)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s: mode %04o, want %04o", path, got, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"db/recon.db", "out/" + fixtureDate + "/pulled.jsonl", "out/" + fixtureDate + "/manifest.json", "recon.prom"} {
		if _, err := os.Stat(filepath.Join(state, name)); err != nil {
			t.Errorf("the run wrote no %s: %v", name, err)
		}
	}
	if files < 8 {
		t.Errorf("checked %d files, want the database and every report", files)
	}
	b, err := os.ReadFile(filepath.Join(state, "recon.prom"))
	if err != nil {
		t.Fatal(err)
	}
	noSecrets(t, "recon.prom", b)
}

// TestSecretRefusals: a secret in the configuration file, a secret file
// others can read, a wrong secret, and a date that climbs out of its
// folder are refused, and no message repeats a secret.
func TestSecretRefusals(t *testing.T) {
	day := synthDay(t, 20, 10)
	url := startSecSandbox(t, day)
	tmp := t.TempDir()
	cfg := filepath.Join(tmp, "recon.toml")
	if err := os.WriteFile(cfg, []byte("[api]\nsecret_key = \""+secSecretKey+"\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	open := filepath.Join(tmp, "open_secret")
	if err := os.WriteFile(open, []byte(secSecretKey), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(open, 0o640); err != nil {
		t.Fatal(err)
	}
	base := func(extra ...string) []string {
		return append([]string{"run", "--date", fixtureDate, "--orders", filepath.Join(day, "orders.csv"),
			"--db", filepath.Join(tmp, "recon.db"), "--out", filepath.Join(tmp, "out"), "--api-url", url, "--wallet-id", secWallet}, extra...)
	}
	tests := []struct {
		name     string
		env      []string
		args     []string
		wantCode int
		want     []string // substrings of the one message
	}{
		{name: "secret in the configuration file", env: []string{"KWIKPAISA_API_KEY=" + secAPIKey},
			args: base("--config", cfg), wantCode: exitError, want: []string{cfg, "KWIKPAISA_SECRET_KEY"}},
		{name: "secret file readable by group", env: []string{"KWIKPAISA_API_KEY=" + secAPIKey, "KWIKPAISA_SECRET_KEY_FILE=" + open},
			args: base(), wantCode: exitError, want: []string{"KWIKPAISA_SECRET_KEY_FILE", "readable by others", "0640"}},
		{name: "wrong secret key", env: []string{"KWIKPAISA_API_KEY=" + secAPIKey, "KWIKPAISA_SECRET_KEY=sk_test_SECwrong0000"},
			args: base(), wantCode: exitError, want: []string{"refused the credentials"}},
		{name: "date climbing out of its folder", env: []string{"KWIKPAISA_API_KEY=" + secAPIKey, "KWIKPAISA_SECRET_KEY=" + secSecretKey},
			args:     []string{"run", "--date", "../../x", "--orders", filepath.Join(day, "orders.csv"), "--db", filepath.Join(tmp, "recon.db")},
			wantCode: exitUsage, want: []string{`"../../x"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := runProc(t, childEnv(tt.env...), "", tt.args...)
			msgs := errorLines(p.stderr)
			if p.code != tt.wantCode || len(msgs) != 1 {
				t.Fatalf("exit %d, messages %q; want exit %d and one message\nstderr:\n%s", p.code, msgs, tt.wantCode, p.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(msgs[0], w) {
					t.Errorf("message %q does not say %q", msgs[0], w)
				}
			}
			noSecrets(t, "stdout", []byte(p.stdout))
			noSecrets(t, "stderr", []byte(p.stderr))
			if strings.Contains(p.stderr, "SECwrong0000") {
				t.Errorf("stderr shows the wrong secret key")
			}
		})
	}
	if _, err := os.Stat(filepath.Join(tmp, "x")); err == nil {
		t.Errorf("--date ../../x created %s", filepath.Join(tmp, "x"))
	}
}

// noSecrets fails the test when b holds a known secret.
func noSecrets(t *testing.T, what string, b []byte) {
	t.Helper()
	for _, s := range secStrings {
		if bytes.Contains(b, []byte(s)) {
			t.Errorf("%s holds the secret %q", what, s)
		}
	}
}
