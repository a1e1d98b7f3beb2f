package config

import (
	"fmt"
	"os"
	"strings"
)

// Names of the secrets recon reads.
const (
	EnvAPIKey        = "KWIKPAISA_API_KEY"
	EnvSecretKey     = "KWIKPAISA_SECRET_KEY"
	EnvWebhookSecret = "KWIKPAISA_WEBHOOK_SECRET"
)

// Secret reads a secret from the environment variable name, or from the
// file that name_FILE names, which must be readable by its owner only. It
// returns "" when neither is set. The secret's value never appears in an
// error.
func Secret(name string) (string, error) {
	if v, ok := os.LookupEnv(name); ok {
		return strings.TrimSpace(v), nil
	}
	path, ok := os.LookupEnv(name + "_FILE")
	if !ok || path == "" {
		return "", nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("%s_FILE: %w", name, err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("%s_FILE %s is readable by others (mode %04o); run chmod 600 %s", name, path, fi.Mode().Perm(), path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("%s_FILE: %w", name, err)
	}
	return strings.TrimSpace(string(b)), nil
}

// Secrets reads a comma-separated list of secrets (several during a
// rotation), as Secret does.
func Secrets(name string) ([]string, error) {
	v, err := Secret(name)
	if err != nil || v == "" {
		return nil, err
	}
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out, nil
}
