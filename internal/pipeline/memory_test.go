package pipeline

import (
	"bytes"
	"context"
	"log/slog"
	"os"
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

// TestAvailableMemory reads MemAvailable and the cgroup limits as Linux
// writes them: v2's memory.max, v1's memory controller, and no limit.
func TestAvailableMemory(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	meminfo := write("meminfo", "MemTotal:       24000000 kB\nMemFree:        17000000 kB\nMemAvailable:   22000000 kB\n")
	if got, ok := memAvailable(meminfo); !ok || got != 22000000<<10 {
		t.Errorf("MemAvailable: %d, %v", got, ok)
	}
	if _, ok := memAvailable(filepath.Join(dir, "none")); ok {
		t.Error("a missing meminfo read as known")
	}
	root := filepath.Join(dir, "cgroup")
	write("cgroup/run/memory.max", "2147483648\n")
	write("cgroup/memory/job/memory.limit_in_bytes", "1073741824\n")
	write("cgroup/memory/free/memory.limit_in_bytes", "9223372036854771712\n")
	write("cgroup/open/memory.max", "max\n")
	for _, tt := range []struct {
		self  string
		limit uint64
		ok    bool
	}{
		{"0::/run\n", 2 << 30, true},
		{"4:memory:/job\n3:cpuset:/\n0::/\n", 1 << 30, true},
		{"4:memory:/free\n0::/\n", 0, false},
		{"0::/open\n", 0, false},
		{"", 0, false},
	} {
		self := write("self", tt.self)
		if limit, ok := cgroupLimit(self, root); limit != tt.limit || ok != tt.ok {
			t.Errorf("cgroup %q: %d, %v; want %d, %v", tt.self, limit, ok, tt.limit, tt.ok)
		}
	}
}

// TestGib: a size in GiB from one GiB up, in MiB below.
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
