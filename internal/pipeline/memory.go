package pipeline

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// wholeDayBytesPerRow is about what a day matched whole holds per row of
// its own files (ledgers, gateway records, deliveries), from the peak of
// PostgreSQL's tier M run in the README's Performance section.
const wholeDayBytesPerRow = 280

// warnWholeDay warns, before a store that cannot load a day in parts
// (ledger.PartLoader) loads the run's date whole, when the day's rows
// would need more memory than the machine, or the run's cgroup, has
// available: the kernel kills such a run without a word in recon's log,
// and this line says why first.
func (r *run) warnWholeDay() {
	rows := 0
	for _, f := range r.inputs {
		rows += f.Accepted
	}
	avail, ok := r.cfg.AvailableMemory()
	if !ok || rows == 0 {
		return
	}
	need := uint64(rows) * wholeDayBytesPerRow
	if need <= avail {
		return
	}
	r.log.Warn(fmt.Sprintf("this store matches a day whole, and this day's %d rows need about %s of memory; %s is available, "+
		"so the system may kill the run: give it more memory, or use an SQLite store, which matches a large day in parts "+
		"(docs/stores.md)", rows, gib(need), gib(avail)), "stage", "load", "rows", rows, "need_bytes", need, "available_bytes", avail)
}

// gib writes a size in GiB, or in MiB below one GiB.
func gib(b uint64) string {
	if b < 1<<30 {
		return strconv.FormatFloat(float64(b)/(1<<20), 'f', 1, 64) + " MiB"
	}
	return strconv.FormatFloat(float64(b)/(1<<30), 'f', 1, 64) + " GiB"
}

// availableMemory is about what this process may still take: the
// system's MemAvailable, or its cgroup's limit (a container's) when that
// is lower. false when neither can be read (not Linux).
func availableMemory() (uint64, bool) {
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
