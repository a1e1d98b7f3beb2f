package pipeline

import (
	"os"
	"runtime"
	"runtime/debug"
	"sync"

	"github.com/kwikpaisa/recon/internal/match"
	"github.com/kwikpaisa/recon/internal/recon"
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

// partGC is the collector's percentage while a day is matched in parts.
// What stays live from part to part is small (the exceptions found, the
// payouts' facts), and at lessGC the heap would grow to five times it, and
// the facts of a day's millions of payouts, before the next collection.
const partGC = 100

// factsGC is the collector's percentage while the payouts' parts of a day
// are read for their facts (match.ReconcileParts): the facts of every
// payout read so far stay live, and are compared once the last part is
// read. At partGC the heap grew to twice them and the last part's day
// before a collection: the run's peak at tier L.
const factsGC = 25

// settleGC is the collector's percentage while the settlement stage reads
// its files and matches. The stage runs with the day let go; at lessGC the
// reading's garbage would grow the heap to five times the rows it keeps.
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

// payinsOf returns the pay-ins of a matched day and empties the day, whose
// memory it frees before a stage that would otherwise grow the heap beside
// it. What the pay-ins are not made of goes first, then the match's
// garbage, so that they take its place rather than grow the heap beyond the
// day's own peak. exs, which the run keeps, are given strings of their own:
// a string of the day may keep a whole block of the day's strings alive.
func payinsOf(d *recon.Day, exs []recon.Exception) *match.Payins {
	d.Payouts, d.Deliveries, d.KnownKeys, d.Pulls = nil, nil, nil, nil
	runtime.GC()
	p := match.PayinsOf(d)
	*d = recon.Day{}
	for i := range exs {
		exs[i].OwnStrings()
	}
	runtime.GC()
	return p
}
