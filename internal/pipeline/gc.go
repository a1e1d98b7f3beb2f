package pipeline

import (
	"os"
	"runtime/debug"
	"sync"
)

// lessGC is the garbage collector's percentage (GOGC) for the stages before
// the export. Their heap is either small (ingest: the batches in flight) or
// nearly all live (the loaded day and its matching), so a collection finds
// little to free: at tier M, collecting a quarter as often took 1-3 s off a
// run and nothing off its peak. The export makes garbage of every row it
// writes and runs at the usual percentage.
const lessGC = 400

var gcRuns struct {
	sync.Mutex
	n       int // runs collecting less
	percent int // the percentage before the first of them
}

// collectLess sets lessGC for a run unless GOGC is set, and returns the
// function that ends it (once; later calls do nothing). Runs in one
// process share the setting: the last to end restores it.
func collectLess() (restore func()) {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	gcRuns.Lock()
	if gcRuns.n == 0 {
		gcRuns.percent = debug.SetGCPercent(lessGC)
	}
	gcRuns.n++
	gcRuns.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			gcRuns.Lock()
			defer gcRuns.Unlock()
			if gcRuns.n--; gcRuns.n == 0 {
				debug.SetGCPercent(gcRuns.percent)
			}
		})
	}
}

// settleGC is the collector's percentage while the settlement stage reads
// its files. The stage runs after the match, with the loaded day live: at
// lessGC the reading's garbage grew the heap unchecked (tier M's peak rose
// from 0.97 to 2.1 GiB), while a collection now marks mostly the day and
// frees the reading's garbage.
const settleGC = 25

// collectAt sets the collector's percentage for one stage unless GOGC is
// set, and returns the function that restores the one before.
func collectAt(percent int) (restore func()) {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	gcRuns.Lock()
	before := debug.SetGCPercent(percent)
	gcRuns.Unlock()
	return func() {
		gcRuns.Lock()
		debug.SetGCPercent(before)
		gcRuns.Unlock()
	}
}
