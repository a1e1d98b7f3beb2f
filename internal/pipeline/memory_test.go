package pipeline

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/ledger/sqlite"
)

// TestWarnWholeDay: a store that loads a day whole warns before it loads
// one whose rows need more memory than is available, naming both; with
// enough memory, or on a store that loads in parts, nothing is said.
func TestWarnWholeDay(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name  string
		whole bool   // hide the store's parts (as PostgreSQL's)
		avail uint64 // bytes available
		warn  bool
	}{
		{"whole, too little memory", true, 100 << 10, true},
		{"whole, enough memory", true, 1 << 40, false},
		{"in parts, too little memory", false, 100 << 10, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			inner, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "recon.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer inner.Close()
			var log bytes.Buffer
			cfg := fixtureDay(t, inner.Name())
			cfg.Store, cfg.Log = inner, slog.New(slog.NewTextHandler(&log, nil))
			if tt.whole {
				cfg.Store = struct{ ledger.Store }{inner}
			}
			cfg.AvailableMemory = func() (uint64, bool) { return tt.avail, true }
			if _, err := Run(ctx, cfg); err != nil {
				t.Fatal(err)
			}
			// The fixture day's own files hold 1,610 rows: 450,800 bytes.
			warned := strings.Contains(log.String(), "level=WARN msg=\"this store matches a day whole, and this day's 1610 rows need about 0.4 MiB of memory; 0.1 MiB is available")
			if warned != tt.warn || tt.warn && !strings.Contains(log.String(), "need_bytes=450800 available_bytes=102400") {
				t.Errorf("warned %v, want %v; log:\n%s", warned, tt.warn, log.String())
			}
		})
	}
}

func TestGib(t *testing.T) {
	for _, tt := range []struct {
		b    uint64
		want string
	}{{3 << 30, "3.0 GiB"}, {512 << 20, "512.0 MiB"}} {
		if got := gib(tt.b); got != tt.want {
			t.Errorf("gib(%d) = %q, want %q", tt.b, got, tt.want)
		}
	}
}
