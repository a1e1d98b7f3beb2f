package mem

import (
	"os"
	"path/filepath"
	"testing"
)

// TestAvailable reads MemAvailable and the cgroup limits as Linux
// writes them: v2's memory.max, v1's memory controller, and no limit.
func TestAvailable(t *testing.T) {
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
