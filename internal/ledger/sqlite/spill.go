package sqlite

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/kwikpaisa/recon/internal/recon"
)

// A day loaded in parts reads each of its large sources once: its own
// webhook logs, its ledgers, its gateway records and the keys the gateway
// created in it (daySources). The first part's load reads every row of
// each (spillDay) and writes each row, as the bulk reader packed it, to
// the source's spill, in the chunks of the row's part; each part then
// reads its own chunks back. When each part read every row of the source
// and kept its share, the load grew with the number of parts times the
// day.

// spillChunkBytes is how much of one part's rows a spill gathers before it
// writes them out together: small, as a spill being filled holds one such
// buffer per part.
const spillChunkBytes = 64 << 10

// routeValues is how many values a row read to be spilled ends with: its
// entity, whether it names no key (1 or 0), and its key hash (spill.route).
const routeValues = 3

// daySpills holds the spills of the day whose parts are being loaded, from
// the first part's load until EndParts, the split of a day (DayParts), a
// part of another date or Close.
type daySpills struct {
	dir  string // where the spill files are made (and at once unlinked)
	mu   sync.Mutex
	date string
	m    map[spillKey]*spill
	kept // what of them a run keeps for the next (parts.go)
}

// spillKey names a spill: the source and file it is of, and the split
// whose parts it holds: how many parts of the pay-ins and of the payouts,
// 0 for an entity whose rows it passes over.
type spillKey struct {
	source          string
	payins, payouts int
}

// spill holds the rows of one source of one entity, by part, in a
// temporary file nothing else names.
type spill struct {
	fill   sync.Mutex // held while the spill is filled
	filled bool
	spillKey
	f      *os.File
	size   int64
	cols   int            // values of a row spilled: the row read, less routeValues
	chunks [][]spillChunk // by part (spill.at), in the order written
	bufs   [][]byte       // by part, while filling
	// summed says the chunks carry their CRC-32C: a spill filled to be
	// kept. keptDir is the folder of kept parts the spill was read from,
	// whose chunks are checked against theirs (parts.go).
	summed  bool
	keptDir string
}

// spillChunk is where in the file one chunk of a part's rows is, and, in a
// spill filled to be kept, its CRC-32C: a spill kept for the next run
// (parts.go) is read back from a file that may have been damaged since.
type spillChunk struct {
	off int64
	n   int
	sum uint32
}

// crcTable is the Castagnoli polynomial's, which CPUs compute in hardware.
var crcTable = crc32.MakeTable(crc32.Castagnoli)

// forDay makes ds the spills of date, letting go of another date's.
func (ds *daySpills) forDay(date string) {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	ds.forDayLocked(date)
}

func (ds *daySpills) forDayLocked(date string) {
	if ds.date != date {
		ds.releaseLocked()
		ds.date = date
	}
}

// release lets go of every spill and its file.
func (ds *daySpills) release() {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	ds.releaseLocked()
	ds.date = ""
}

func (ds *daySpills) releaseLocked() {
	for _, sp := range ds.m {
		sp.close()
	}
	ds.m = nil
	ds.kept.release()
}

// filled reports whether the spill of key for date is filled.
func (ds *daySpills) filled(date string, key spillKey) bool {
	ds.mu.Lock()
	sp, same := ds.m[key], ds.date == date
	ds.mu.Unlock()
	if !same || sp == nil {
		return false
	}
	sp.fill.Lock()
	defer sp.fill.Unlock()
	return sp.filled
}

// get returns the spill of key for date, filling it first, if no part has
// yet, with fill: fill hands every row of the source, each ending with the
// routeValues, to the route it is given. A spill whose filling failed is
// let go of, to be filled again by the next part that needs it.
func (ds *daySpills) get(date string, key spillKey, fill func(route func(*rowValues) error) error) (*spill, error) {
	ds.forDay(date)
	ds.mu.Lock()
	if ds.m == nil {
		ds.m = map[spillKey]*spill{}
	}
	sp := ds.m[key]
	if sp == nil {
		sp = &spill{spillKey: key}
		ds.m[key] = sp
	}
	ds.mu.Unlock()
	sp.fill.Lock()
	defer sp.fill.Unlock()
	if sp.filled {
		return sp, nil
	}
	dir, name := ds.dir, ""
	ds.mu.Lock()
	if ds.fillDir != "" {
		ds.files++
		dir, name = ds.fillDir, fmt.Sprintf("%d.rows", ds.files)
	}
	ds.mu.Unlock()
	err := sp.fillWith(dir, name, fill)
	if err != nil {
		sp.close()
		ds.mu.Lock()
		if ds.m[key] == sp {
			delete(ds.m, key)
		}
		ds.mu.Unlock()
		if errors.As(err, new(fileError)) {
			return nil, fmt.Errorf("set the %s aside by part in %s (a large day's parts need free space there about the day's "+
				"share of the store: docs/stores.md): %w", key.source, dir, err)
		}
		return nil, fmt.Errorf("read the %s for the day's parts: %w", key.source, err)
	}
	sp.filled = true
	return sp, nil
}

// fileError is an error of a spill's own file (its folder full or gone),
// not of the source read into it.
type fileError struct{ err error }

func (e fileError) Error() string { return e.err.Error() }
func (e fileError) Unwrap() error { return e.err }

// fillWith fills the spill: in a file name of dir, kept until the folder
// goes (parts.go), or, with no name, in a temporary file of dir.
func (sp *spill) fillWith(dir, name string, fill func(route func(*rowValues) error) error) error {
	var f *os.File
	var err error
	if sp.summed = name != ""; sp.summed {
		f, err = os.OpenFile(filepath.Join(dir, name), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	} else {
		f, err = os.CreateTemp(dir, ".recon-spill-*")
	}
	if err != nil {
		return fileError{err}
	}
	sp.f = f
	// Unlinked at once: the file goes with the last descriptor, even when
	// the run does not end well.
	if name == "" {
		if err := os.Remove(f.Name()); err != nil {
			return fileError{err}
		}
	}
	sp.chunks = make([][]spillChunk, sp.payins+sp.payouts)
	sp.bufs = make([][]byte, sp.payins+sp.payouts)
	sp.cols = -1
	if err := fill(sp.route); err != nil {
		return err
	}
	for no := range sp.bufs {
		if err := sp.flush(no); err != nil {
			return err
		}
	}
	sp.bufs = nil
	return nil
}

// route adds the row v to the spill of its part, or passes over a row of
// an entity the spill does not hold: a delivery that names no pay-in or
// payout key goes to the first payouts part (recon.Part.HasDelivery).
func (sp *spill) route(v *rowValues) error {
	cols := v.n - routeValues
	if sp.cols < 0 {
		sp.cols = cols
	}
	start := v.buf
	for v.col < cols {
		v.next()
	}
	row := start[:len(start)-len(v.buf)]
	entity, keyless, hash := recon.Entity(v.Bytes()), v.Int() != 0, v.Int()
	if keyless || entity != recon.EntityPayin && entity != recon.EntityPayout {
		entity, hash = recon.EntityPayout, math.MinInt64 // the first part's
	}
	no := sp.at(recon.Part{Entity: entity, No: recon.PartNo(hash, sp.of(entity)), Of: sp.of(entity)})
	if no < 0 {
		return nil
	}
	b := sp.bufs[no]
	if len(b) > 0 && len(b)+binary.MaxVarintLen64+len(row) > spillChunkBytes {
		if err := sp.flush(no); err != nil {
			return err
		}
		b = sp.bufs[no]
	}
	if b == nil {
		b = make([]byte, 0, spillChunkBytes)
	}
	b = binary.AppendUvarint(b, uint64(len(row)))
	sp.bufs[no] = append(b, row...)
	return nil
}

// of is how many parts of entity the spill holds.
func (sp *spill) of(entity recon.Entity) int {
	if entity == recon.EntityPayin {
		return sp.payins
	}
	return sp.payouts
}

// at is the number of part p's rows among the spill's, or -1 for a part
// of an entity it does not hold: the pay-ins' parts, then the payouts'.
func (sp *spill) at(p recon.Part) int {
	switch {
	case p.Of == 0 || p.Of != sp.of(p.Entity):
		return -1
	case p.Entity == recon.EntityPayout:
		return sp.payins + p.No
	}
	return p.No
}

// flush writes part no's gathered rows at the end of the file.
func (sp *spill) flush(no int) error {
	b := sp.bufs[no]
	if len(b) == 0 {
		return nil
	}
	if _, err := sp.f.Write(b); err != nil {
		return fileError{err}
	}
	c := spillChunk{off: sp.size, n: len(b)}
	if sp.summed {
		c.sum = crc32.Checksum(b, crcTable)
	}
	sp.chunks[no] = append(sp.chunks[no], c)
	sp.size += int64(len(b))
	sp.bufs[no] = b[:0]
	return nil
}

// replay hands row the rows of part p, in the order they were read.
func (sp *spill) replay(ctx context.Context, p recon.Part, row func(*rowValues) error) error {
	no := sp.at(p)
	if no < 0 {
		return fmt.Errorf("spill of %s holds no part %d of %d of the %s", sp.source, p.No+1, p.Of, p.Entity)
	}
	v := &rowValues{n: sp.cols}
	var buf []byte
	for _, c := range sp.chunks[no] {
		if err := ctx.Err(); err != nil {
			return err
		}
		buf = slices.Grow(buf[:0], c.n)[:c.n]
		if _, err := sp.f.ReadAt(buf, c.off); err != nil {
			return sp.damaged(fmt.Errorf("read spilled rows: %w", err))
		}
		if sp.keptDir != "" && crc32.Checksum(buf, crcTable) != c.sum {
			return sp.damaged(fmt.Errorf("spilled rows at byte %d of %s do not match their checksum", c.off, sp.f.Name()))
		}
		for b := buf; len(b) > 0; {
			n, k := binary.Uvarint(b)
			if k <= 0 || uint64(len(b)-k) < n {
				return errors.New("read spilled rows: a row runs past its chunk")
			}
			v.buf, v.col = b[k:k+int(n)], 0
			if err := row(v); err != nil {
				return err
			}
			b = b[k+int(n):]
		}
	}
	return nil
}

func (sp *spill) close() {
	if sp.f != nil {
		_ = sp.f.Close()
		sp.f = nil
	}
}
