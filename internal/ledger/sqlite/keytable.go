package sqlite

import (
	"cmp"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/kwikpaisa/recon/internal/mem"
)

// The gateway records' and the deliveries' key indexes are tables of
// their own, gateway_keys and delivery_keys, which the store's code fills
// rather than SQLite: a row's key_hash first (keyhash.go), then what finds
// the row. SQLite kept an index on key_hash by inserting each row's entry
// where its hash falls, a random place in the whole index for a dump or a
// log in the order it was written; once the index outgrew the page cache
// each insert read and rewrote a page the cache had let go. A file's load
// instead gathers its rows' entries in runs, sorts each run and inserts it
// in order, one pass along the index per run (the README's Performance
// section has the figures).
//
// Every store of a gateway record or a delivery stores its key entry in
// the same transaction (loader, SavePull), and a file replaced takes its
// entries out before its rows (loadFile).

// keyRunLen is the most entries a run gathers, 24 bytes each (48 MiB,
// outside the Go heap: mem.Outside). Longer runs would mean fewer passes,
// but at tier L one pass per file was no faster than six; this length
// keeps a day of any size in bounded memory.
const keyRunLen = 1 << 21

// keyEntry is a key table's row: key_hash, then the two columns that find
// the row.
type keyEntry [3]int64

// keyRuns gathers the entries of one key table and inserts them, a sorted
// run at a time, through a bulkWriter.
type keyRuns struct {
	insert string // the table's single-row INSERT
	run    []keyEntry
	free   func() // gives the run's memory back
}

const (
	gatewayKeyInsert  = `INSERT INTO gateway_keys (key_hash, fetched_at, id) VALUES (?, ?, ?)`
	deliveryKeyInsert = `INSERT INTO delivery_keys (key_hash, file_id, line) VALUES (?, ?, ?)`
)

// add gathers e, inserting the run once it is full.
func (k *keyRuns) add(w *bulkWriter, e keyEntry) error {
	if k.free == nil {
		k.run, k.free = mem.Outside[keyEntry](keyRunLen)
		k.run = k.run[:0]
	}
	k.run = append(k.run, e)
	if len(k.run) < keyRunLen {
		return nil
	}
	return k.flush(w)
}

// flush inserts the run gathered, in key order, and empties it.
func (k *keyRuns) flush(w *bulkWriter) error {
	sortEntries(k.run)
	for _, e := range k.run {
		b := w.row(k.insert, 3)
		b.Int(e[0])
		b.Int(e[1])
		b.Int(e[2])
		if err := w.end(b); err != nil {
			return err
		}
	}
	k.run = k.run[:0]
	return nil
}

// release gives the run's memory back.
func (k *keyRuns) release() {
	if k.free != nil {
		k.free()
		k.run, k.free = nil, nil
	}
}

// compareEntries orders key entries by their columns in turn, as the key
// tables' primary keys do.
func compareEntries(a, b keyEntry) int {
	if c := cmp.Compare(a[0], b[0]); c != 0 {
		return c
	}
	if c := cmp.Compare(a[1], b[1]); c != 0 {
		return c
	}
	return cmp.Compare(a[2], b[2])
}

// sortEntries sorts es by compareEntries. A file's run ends its load on
// one core, and a comparison sort of its millions of entries was half of
// that. This is a radix sort (American flag sort), in place: the entries
// are moved into 256 buckets by the top byte of their hash, in one pass,
// then each bucket by the next byte, and so on until a bucket holds a few
// entries, which an insertion sort orders. A byte's 256 buckets fill 256
// places of memory at once, few enough for the processor's caches; one
// pass into the 65,536 buckets of two bytes was slower. Entries whose
// hashes are the same throughout are ordered by a comparison sort.
//
// A large run's buckets after the first byte are sorted on every core:
// the store's writing waits for the sort.
func sortEntries(es []keyEntry) {
	parallel := 1
	if len(es) >= 1<<16 {
		parallel = runtime.GOMAXPROCS(0)
	}
	sortEntriesFrom(es, 56, parallel)
}

// sortEntriesFrom sorts es, whose hashes' bits above shift+8 are the same
// (with the top bit flipped, which orders the signed hashes as unsigned),
// sorting its buckets on parallel goroutines.
func sortEntriesFrom(es []keyEntry, shift, parallel int) {
	if len(es) <= 32 {
		insertionSortEntries(es)
		return
	}
	if shift < 0 {
		slices.SortFunc(es, compareEntries)
		return
	}
	bucket := func(e keyEntry) int { return int((uint64(e[0]) ^ 1<<63) >> shift & 0xff) }
	var next, end [256]int
	for _, e := range es {
		end[bucket(e)]++
	}
	sum := 0
	for b, n := range end {
		next[b] = sum
		sum += n
		end[b] = sum
	}
	for b := range next {
		for next[b] < end[b] {
			t := bucket(es[next[b]])
			if t == b {
				next[b]++
				continue
			}
			es[next[b]], es[next[t]] = es[next[t]], es[next[b]]
			next[t]++
		}
	}
	var buckets atomic.Int32 // the next bucket to sort
	sortBuckets := func() {
		for b := int(buckets.Add(1)) - 1; b < len(end); b = int(buckets.Add(1)) - 1 {
			start := 0
			if b > 0 {
				start = end[b-1]
			}
			sortEntriesFrom(es[start:end[b]], shift-8, 1)
		}
	}
	var wg sync.WaitGroup
	for range parallel - 1 {
		wg.Go(sortBuckets)
	}
	sortBuckets()
	wg.Wait()
}

// insertionSortEntries sorts a few entries.
func insertionSortEntries(es []keyEntry) {
	for i := 1; i < len(es); i++ {
		e, j := es[i], i
		for ; j > 0 && compareEntries(e, es[j-1]) < 0; j-- {
			es[j] = es[j-1]
		}
		es[j] = e
	}
}
