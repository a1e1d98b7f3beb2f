package mem

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Available is about what this process may still take: the system's
// MemAvailable, or its cgroup's limit (a container's) when that is lower.
// false when neither can be read (not Linux).
func Available() (uint64, bool) {
	avail, ok := memAvailable("/proc/meminfo")
	if limit, lok := cgroupLimit("/proc/self/cgroup", "/sys/fs/cgroup"); lok && (!ok || limit < avail) {
		avail, ok = limit, true
	}
	return avail, ok
}

// memAvailable reads MemAvailable from a meminfo file.
func memAvailable(path string) (uint64, bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := bytes.CutPrefix(sc.Bytes(), []byte("MemAvailable:")); ok {
			kib, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(string(rest)), " kB"), 10, 64)
			return kib << 10, err == nil
		}
	}
	return 0, false
}

// cgroupLimit reads the memory limit of the cgroup a cgroup file (as
// /proc/self/cgroup) names, under the cgroup file system at root: v2's
// memory.max, or v1's memory controller's memory.limit_in_bytes. false
// when there is none ("max", or v1's largest number) or it cannot be read.
func cgroupLimit(self, root string) (uint64, bool) {
	b, err := os.ReadFile(self)
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		var file string
		switch {
		case parts[0] == "0" && parts[1] == "":
			file = filepath.Join(root, parts[2], "memory.max")
		case slices.Contains(strings.Split(parts[1], ","), "memory"):
			file = filepath.Join(root, "memory", parts[2], "memory.limit_in_bytes")
		default:
			continue
		}
		v, err := os.ReadFile(file)
		if err != nil {
			continue
		}
		limit, err := strconv.ParseUint(strings.TrimSpace(string(v)), 10, 64)
		if err == nil && limit < 1<<62 {
			return limit, true
		}
	}
	return 0, false
}
