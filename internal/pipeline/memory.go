package pipeline

import (
	"fmt"
	"strconv"
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
