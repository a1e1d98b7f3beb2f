package config

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzCheck feeds arbitrary documents to the checker: it must never panic,
// and every problem it reports has a line inside the document (or 0).
func FuzzCheck(f *testing.F) {
	for _, seed := range []string{
		"zone = \"Asia/Kolkata\"\n[match]\ntolerance = \"0.00\"\n",
		"[statuses.orders]\n\"user dropped\" = \"NOT_PAID\"\n",
		"a.b.c = 1\n[x]\ny = [\n1,\n2]\nz = \"\"\"\nq = 1\n\"\"\"\n",
		"[api]\nsecret = \"whsec_x\"\nkey = 'pk_live_y'\n",
		"[[sources]]\norders = 1\n",
		"\"a.b\" = { c = 1 }\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		path := filepath.Join(t.TempDir(), "recon.toml")
		if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
		_, problems, err := Check(path)
		if err != nil {
			t.Fatalf("Check: %v", err)
		}
		lines := 1
		for _, c := range doc {
			if c == '\n' {
				lines++
			}
		}
		for _, p := range problems {
			if p.Line < 0 || p.Line > lines+1 {
				t.Errorf("problem %s has line %d, the document has %d", p, p.Line, lines)
			}
		}
	})
}
