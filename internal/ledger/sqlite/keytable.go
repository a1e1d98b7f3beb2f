package sqlite

import (
	"bufio"
	"cmp"
	"container/heap"
	"encoding/binary"
	"fmt"
	"io"
	"os"
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
// instead gathers its rows' entries, sorts them and inserts them in order,
// one pass along the index per file (the README's Performance section has
// the figures).
//
// Every store of a gateway record or a delivery stores its key entry in
// the same transaction (loader, SavePull), and a file replaced takes its
// entries out before its rows (loadFile).

// keyRunLen is the most entries a run gathers in memory, 24 bytes each
// (48 MiB, outside the Go heap: mem.Outside). A file with more entries
// writes each full run, sorted, to a file beside the store and merges them
// all in one pass along the index at its end: a pass per run inserted each
// run among every entry of the runs before it, work that grows with the
// square of the file's rows (the README's Performance section has the
// figures). A var for the tests.
var keyRunLen = 1 << 21

// keyEntry is a key table's row: key_hash, then the two columns that find
// the row.
type keyEntry [3]int64

// keyEntrySize is the bytes of an entry in a run written out.
const keyEntrySize = 24

// keyRuns gathers the entries of one key table and inserts them in key
// order through a bulkWriter: the entries of a run that fits in memory
// sorted at the end, those of more runs merged from the runs written out.
type keyRuns struct {
	insert string // the table's single-row INSERT
	dir    string // the folder of the run file: the store's
	run    []keyEntry
	free   func() // gives the run's memory back
	// runs holds the full runs written out, sorted, one after another;
	// written counts them.
	runs    *os.File
	written int
}

const (
	gatewayKeyInsert  = `INSERT INTO gateway_keys (key_hash, fetched_at, id) VALUES (?, ?, ?)`
	deliveryKeyInsert = `INSERT INTO delivery_keys (key_hash, file_id, line) VALUES (?, ?, ?)`
)

// add gathers e, writing the run out once it is full.
func (k *keyRuns) add(e keyEntry) error {
	if k.free == nil {
		k.run, k.free = mem.Outside[keyEntry](keyRunLen)
		k.run = k.run[:0]
	}
	k.run = append(k.run, e)
	if len(k.run) < keyRunLen {
		return nil
	}
	return k.writeRun()
}

// writeRun sorts the run gathered and appends it to the run file.
func (k *keyRuns) writeRun() error {
	if k.runs == nil {
		f, err := os.CreateTemp(k.dir, ".recon-keys-*")
		if err != nil {
			return fmt.Errorf("set the key entries aside: %w", err)
		}
		k.runs = f
		// Unlinked at once: the file goes with its descriptor, even when
		// the run does not end well.
		if err := os.Remove(f.Name()); err != nil {
			return fmt.Errorf("set the key entries aside: %w", err)
		}
	}
	sortEntries(k.run)
	w := bufio.NewWriterSize(k.runs, 1<<20)
	var b [keyEntrySize]byte
	for _, e := range k.run {
		binary.LittleEndian.PutUint64(b[0:], uint64(e[0]))
		binary.LittleEndian.PutUint64(b[8:], uint64(e[1]))
		binary.LittleEndian.PutUint64(b[16:], uint64(e[2]))
		if _, err := w.Write(b[:]); err != nil {
			return fmt.Errorf("set the key entries aside: %w", err)
		}
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("set the key entries aside: %w", err)
	}
	k.written++
	k.run = k.run[:0]
	return nil
}

// flush inserts every entry gathered, in key order, and empties the runs.
func (k *keyRuns) flush(w *bulkWriter) error {
	err := k.each(func(e keyEntry) error {
		b := w.row(k.insert, 3)
		b.Int(e[0])
		b.Int(e[1])
		b.Int(e[2])
		return w.end(b)
	})
	k.run = k.run[:0]
	k.closeRuns()
	return err
}

// each hands fn every entry gathered, in key order.
func (k *keyRuns) each(fn func(keyEntry) error) error {
	sortEntries(k.run)
	if k.written > 0 {
		return k.merge(fn)
	}
	for _, e := range k.run {
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

// merge hands insert every entry of the runs written out and of the run
// in memory (sorted), in key order.
func (k *keyRuns) merge(insert func(keyEntry) error) error {
	var m keyMerge
	for i := range k.written {
		size := int64(keyRunLen) * keyEntrySize
		r := &keyRunReader{r: bufio.NewReaderSize(io.NewSectionReader(k.runs, int64(i)*size, size), 1<<18)}
		if err := m.add(r); err != nil {
			return err
		}
	}
	if err := m.add(&keyRunReader{mem: k.run}); err != nil {
		return err
	}
	heap.Init(&m)
	for len(m) > 0 {
		if err := insert(m[0].e); err != nil {
			return err
		}
		ok, err := m[0].r.next(&m[0].e)
		switch {
		case err != nil:
			return err
		case ok:
			heap.Fix(&m, 0)
		default:
			heap.Pop(&m)
		}
	}
	return nil
}

// closeRuns closes the run file, which gives its space back.
func (k *keyRuns) closeRuns() {
	if k.runs != nil {
		_ = k.runs.Close()
		k.runs, k.written = nil, 0
	}
}

// release gives the run's memory back and closes the run file.
func (k *keyRuns) release() {
	if k.free != nil {
		k.free()
		k.run, k.free = nil, nil
	}
	k.closeRuns()
}

// keyRunReader reads a sorted run: written out (r), or in memory (mem).
type keyRunReader struct {
	r   *bufio.Reader
	mem []keyEntry
}

// next reads the run's next entry into e, and says whether there was one.
func (r *keyRunReader) next(e *keyEntry) (bool, error) {
	if r.r == nil {
		if len(r.mem) == 0 {
			return false, nil
		}
		*e, r.mem = r.mem[0], r.mem[1:]
		return true, nil
	}
	b, err := r.r.Peek(keyEntrySize)
	if len(b) < keyEntrySize {
		if err == io.EOF && len(b) == 0 {
			return false, nil
		}
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return false, fmt.Errorf("read the key entries set aside: %w", err)
	}
	*e = keyEntry{int64(binary.LittleEndian.Uint64(b[0:])), int64(binary.LittleEndian.Uint64(b[8:])),
		int64(binary.LittleEndian.Uint64(b[16:]))}
	_, _ = r.r.Discard(keyEntrySize) // cannot fail: the bytes were peeked
	return true, nil
}

// keyMerge is a heap (container/heap) of the runs being merged, least
// first by the entry each read last. The entries sit in the heap's own
// slice, so its comparisons read memory in one place.
type keyMerge []keyHead

type keyHead struct {
	e keyEntry
	r *keyRunReader
}

// add adds r, with its first entry, unless it has none.
func (m *keyMerge) add(r *keyRunReader) error {
	h := keyHead{r: r}
	ok, err := r.next(&h.e)
	if ok {
		*m = append(*m, h)
	}
	return err
}

func (m keyMerge) Len() int           { return len(m) }
func (m keyMerge) Less(i, j int) bool { return compareEntries(m[i].e, m[j].e) < 0 }
func (m keyMerge) Swap(i, j int)      { m[i], m[j] = m[j], m[i] }
func (m *keyMerge) Push(x any)        { *m = append(*m, x.(keyHead)) }
func (m *keyMerge) Pop() any {
	old := *m
	h := old[len(old)-1]
	*m = old[:len(old)-1]
	return h
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
