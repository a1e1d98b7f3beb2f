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

// secretKeyWords are parts of a setting's name that say it holds a secret.
var secretKeyWords = []string{"secret", "api_key", "apikey", "password", "passwd", "token", "private_key"}

// secretPrefixes start the values of KwikPaisa keys and secrets.
var secretPrefixes = []string{"pk_live_", "pk_test_", "sk_", "whsec_"}

// LooksSecret says whether a setting's name or value looks like a secret.
// It never returns the value.
func LooksSecret(key string, value any) bool {
	k := strings.ToLower(key)
	for _, w := range secretKeyWords {
		if strings.Contains(k, w) {
			return true
		}
	}
	if s, ok := value.(string); ok {
		s = strings.TrimSpace(s)
		for _, p := range secretPrefixes {
			if strings.HasPrefix(s, p) {
				return true
			}
		}
	}
	return false
}

// secret reports a secret-looking setting, and says whether it did. The
// value is never repeated.
func (c *checker) secret(full, key string, val any) bool {
	if _, isTable := val.(map[string]any); isTable && !LooksSecret(key, nil) {
		return false
	}
	if !LooksSecret(key, val) {
		return false
	}
	env := EnvSecretKey
	switch k := strings.ToLower(full); {
	case strings.Contains(k, "webhook") || strings.HasPrefix(fmt.Sprint(val), "whsec_"):
		env = EnvWebhookSecret
	case strings.Contains(k, "api_key") || strings.Contains(k, "apikey") || strings.HasPrefix(fmt.Sprint(val), "pk_"):
		env = EnvAPIKey
	}
	c.add(full, "looks like a secret, and secrets never go in the configuration file: remove it and set %s in the environment (or %s_FILE naming a file only its owner can read)", env, env)
	return true
}
