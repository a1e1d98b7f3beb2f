package sqlite

import (
	"cmp"
	"slices"

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
	slices.SortFunc(k.run, func(a, b keyEntry) int {
		if c := cmp.Compare(a[0], b[0]); c != 0 {
			return c
		}
		if c := cmp.Compare(a[1], b[1]); c != 0 {
			return c
		}
		return cmp.Compare(a[2], b[2])
	})
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
