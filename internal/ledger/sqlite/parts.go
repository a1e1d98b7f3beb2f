package sqlite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/recon"
)

// A run of a large day reads every row of its sources from the store once
// and sets them aside by part (spill.go). The run of a date its store's
// user asked to keep (KeepParts: a run's own date) keeps those files, in
// the folder beside the store named after it with ".parts", for the next
// run of the date: a re-run of a day whose files are unchanged then reads
// its parts from them, not from the store, which was most of its time.
// Kept parts serve only the store as it was when they were read: every
// change of the store draws a new stamp at random (store_changes, migration
// 016), and the kept parts name the stamp they were read at. A folder of kept parts holds one
// date, the last kept; deleting it is always safe.

// partsFormat is the kept parts' format: bumped when what a spill holds
// changes. A kept folder also names the recon binary that wrote it
// (partsStamp), so that another build never reads what this one wrote.
const partsFormat = 1

// keptIndexName is the file of a kept folder that describes its spills,
// written last.
const keptIndexName = "index.json"

// kept is what daySpills knows of keeping its spills (KeepParts) or of
// having read them from a kept folder. Guarded by daySpills.mu.
type kept struct {
	root string       // the store's folder of kept parts; "" keeps none
	log  *slog.Logger // Options.Log; nil logs nothing
	// date is the date whose parts are kept (KeepParts).
	date string
	// fillDir is the folder the kept date's spills are being filled in,
	// and files how many it holds; fillDir is removed unless persisted.
	fillDir string
	files   int
	// stamp is the store's change stamp the spills were read at, and
	// bounds the day's, as stored instants.
	stamp  int64
	bounds [2]int64
	// complete says every source of the day was filled in fillDir.
	complete bool
	// adopted says the spills were read from the kept folder, and checked
	// that the store's stamp was found unchanged in a load's transaction.
	adopted, checked bool
}

// release forgets the keeping of the spills let go of, and removes their
// folder unless it was persisted.
func (k *kept) release() {
	if k.fillDir != "" {
		_ = os.RemoveAll(k.fillDir)
	}
	k.fillDir, k.files, k.complete, k.adopted, k.checked = "", 0, false, false, false
}

// keptIndex describes a kept folder.
type keptIndex struct {
	Format  string      `json:"format"`
	Date    string      `json:"date"`
	From    int64       `json:"from"`
	To      int64       `json:"to"`
	Stamp   int64       `json:"stamp"`
	Payins  int         `json:"payins"`
	Payouts int         `json:"payouts"`
	Spills  []keptSpill `json:"spills"`
}

// keptSpill is one spill of a kept folder: its chunks by part, each as
// offset, length and CRC-32C.
type keptSpill struct {
	Source string       `json:"source"`
	File   string       `json:"file"`
	Cols   int          `json:"cols"`
	Size   int64        `json:"size"`
	Chunks [][][3]int64 `json:"chunks"`
}

// partsStamp names the running binary by its path, size and time: kept
// parts are read only by the build that wrote them.
var partsStamp = sync.OnceValue(func() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	fi, err := os.Stat(exe)
	if err != nil {
		return ""
	}
	return fmt.Sprintf("%d %s %d %d", partsFormat, exe, fi.Size(), fi.ModTime().UnixNano())
})

// KeepParts asks the store to keep the rows a run of day's parts reads
// (ledger.PartKeeper): the next run of the date reads them again from
// what was kept while the store is unchanged. Call it before DayParts.
// With keep false, the store keeps none, and removes the date it kept.
func (s *DB) KeepParts(day recon.BusinessDay, keep bool) {
	s.spills.mu.Lock()
	defer s.spills.mu.Unlock()
	if keep {
		s.spills.kept.date = day.Date
		return
	}
	s.spills.kept.date = ""
	if err := s.spills.dropKept(); err != nil {
		s.spills.say(slog.LevelWarn, "could not remove the parts an earlier run kept", "folder", s.spills.root, "error", err)
	}
}

// dropKept removes the kept dates of the folder; not a folder being filled
// (".fill-…"), which may be another date's run's, unless a day old: what
// a run that did not end left of a date no run has filled since.
func (k *kept) dropKept() error {
	if k.root == "" {
		return nil
	}
	entries, err := os.ReadDir(k.root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			if info, err := e.Info(); err != nil || time.Since(info.ModTime()) < staleFill {
				continue
			}
		}
		if err := os.RemoveAll(filepath.Join(k.root, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

// staleFill is how old a folder being filled is taken for one a run left:
// a day's fill takes minutes.
const staleFill = 24 * time.Hour

// storeStamp returns the stamp the store's last change drew (migration 016).
func storeStamp(ctx context.Context, q sqlx.QueryerContext) (int64, error) {
	var n int64
	if err := sqlx.GetContext(ctx, q, &n, `SELECT stamp FROM store_changes`); err != nil {
		return 0, fmt.Errorf("read the store's change stamp: %w", err)
	}
	return n, nil
}

// adopt reads the kept parts of day, when they were kept for its split
// (payins and payouts parts) and its bounds, as the day's spills. They are
// checked against the store's change stamp in the first part's load
// (checkKept).
func (ds *daySpills) adopt(day recon.BusinessDay, payins, payouts int) {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	if ds.root == "" || ds.kept.date != day.Date {
		return
	}
	dir := filepath.Join(ds.root, day.Date)
	b, err := os.ReadFile(filepath.Join(dir, keptIndexName))
	if err != nil {
		return // none kept
	}
	var idx keptIndex
	if err := json.Unmarshal(b, &idx); err != nil || idx.Format != partsStamp() || idx.Date != day.Date ||
		idx.From != ledger.Nanos(day.Start) || idx.To != ledger.Nanos(day.End) || idx.Payins != payins || idx.Payouts != payouts {
		return // another build's, or another split's: the run keeps its own in their place
	}
	m := map[spillKey]*spill{}
	for _, ks := range idx.Spills {
		sp, err := openKept(dir, ks, payins, payouts)
		if err != nil {
			for _, sp := range m {
				sp.close()
			}
			ds.say(slog.LevelWarn, "the parts kept by the date's last run are not whole: reading the store", "folder", dir, "error", err)
			return
		}
		m[sp.spillKey] = sp
	}
	ds.releaseLocked()
	ds.date, ds.m = day.Date, m
	ds.stamp, ds.adopted, ds.checked = idx.Stamp, true, false
}

// openKept opens one spill of a kept folder.
func openKept(dir string, ks keptSpill, payins, payouts int) (*spill, error) {
	if len(ks.Chunks) != payins+payouts || strings.ContainsAny(ks.File, `/\`) {
		return nil, fmt.Errorf("%s: %s does not describe it", ks.File, keptIndexName)
	}
	f, err := os.Open(filepath.Join(dir, ks.File))
	if err != nil {
		return nil, err
	}
	if fi, err := f.Stat(); err != nil || fi.Size() != ks.Size {
		f.Close()
		return nil, fmt.Errorf("%s is not the size it was written at", ks.File)
	}
	sp := &spill{spillKey: spillKey{source: ks.Source, payins: payins, payouts: payouts}, filled: true, f: f,
		size: ks.Size, cols: ks.Cols, chunks: make([][]spillChunk, len(ks.Chunks)), keptDir: dir}
	for no, cs := range ks.Chunks {
		for _, c := range cs {
			if c[0] < 0 || c[1] < 0 || c[0]+c[1] > ks.Size {
				f.Close()
				return nil, fmt.Errorf("%s: %s places a chunk outside it", ks.File, keptIndexName)
			}
			sp.chunks[no] = append(sp.chunks[no], spillChunk{off: c[0], n: int(c[1]), sum: uint32(c[2])})
		}
	}
	return sp, nil
}

// checkKept is called by each part's load, in its transaction, before its
// spills are used: the first finds whether the spills adopted from a kept
// folder were read at the store's change stamp now, and lets them go if
// not, to be filled afresh from the store.
func (ds *daySpills) checkKept(ctx context.Context, tx *sqlx.Tx, date string) error {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	if !ds.adopted || ds.checked || ds.date != date {
		return nil
	}
	n, err := storeStamp(ctx, tx)
	if err != nil {
		return err
	}
	if n != ds.stamp {
		ds.releaseLocked() // the store changed since: they are read again
		return nil
	}
	ds.checked = true
	ds.say(slog.LevelInfo, "the store is unchanged since the date's last run: its rows are read from the parts that run kept",
		"folder", filepath.Join(ds.root, date))
	return nil
}

// beginKeep is called, in a part's load transaction, before every source
// of date is filled at once (all: none was filled before): when date's
// parts are kept, they are filled in a folder of their own, at the store's
// change stamp now.
func (ds *daySpills) beginKeep(ctx context.Context, tx *sqlx.Tx, date string, lo, hi int64, all bool) error {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	if ds.root == "" || ds.kept.date != date || !all || ds.fillDir != "" || partsStamp() == "" {
		return nil // nothing to keep; or a build that cannot name itself, whose parts another could take for its own
	}
	n, err := storeStamp(ctx, tx)
	if err != nil {
		return err
	}
	ds.forDayLocked(date)
	// Keeping is a saving, never a reason for a run to fail: a folder that
	// cannot be made leaves the day's parts in temporary files, as for a
	// re-checked date, and says so.
	dir := filepath.Join(ds.root, ".fill-"+date)
	err = func() error {
		// The parts kept before go first: they are of another date, or of
		// this one and out of date, and the new ones take their place once
		// filled. The folder then needs room for one day's parts, not two.
		if err := ds.dropKept(); err != nil {
			return err
		}
		// What a run of the date that did not end left behind: the date's
		// lock lets one run of it at a time.
		if err := os.RemoveAll(dir); err != nil {
			return err
		}
		return os.MkdirAll(dir, 0o700)
	}()
	if err != nil {
		ds.say(slog.LevelWarn, "could not keep the day's parts for its next run: its re-run reads the store", "folder", ds.root, "error", err)
		return nil
	}
	ds.fillDir, ds.files, ds.stamp, ds.bounds, ds.complete = dir, 0, n, [2]int64{lo, hi}, false
	return nil
}

// filledAll says that every source of the kept date was filled.
func (ds *daySpills) filledAll(date string) {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	if ds.fillDir != "" && ds.date == date {
		ds.complete = true
	}
}

// end is EndParts: the spills of date, when kept and filled whole by this
// run, become the kept folder of the store, in place of any other; then
// every spill is let go of.
func (ds *daySpills) end(date string) {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	if ds.fillDir != "" && ds.complete && ds.date == date {
		if err := ds.persist(date); err != nil {
			ds.say(slog.LevelWarn, "could not keep the day's parts for its next run", "folder", ds.root, "error", err)
		}
	}
	ds.releaseLocked()
	ds.date = ""
}

// persist writes the index of the spills filled in fillDir, and makes the
// folder the store's kept parts.
func (ds *daySpills) persist(date string) error {
	idx := keptIndex{Format: partsStamp(), Date: date, Stamp: ds.stamp}
	for _, sp := range ds.m {
		if sp.f == nil || filepath.Dir(sp.f.Name()) != ds.fillDir {
			return fmt.Errorf("the spill of the %s is not in %s", sp.source, ds.fillDir)
		}
		idx.Payins, idx.Payouts = sp.payins, sp.payouts
		ks := keptSpill{Source: sp.source, File: filepath.Base(sp.f.Name()), Cols: sp.cols, Size: sp.size}
		for _, cs := range sp.chunks {
			part := [][3]int64{}
			for _, c := range cs {
				part = append(part, [3]int64{c.off, int64(c.n), int64(c.sum)})
			}
			ks.Chunks = append(ks.Chunks, part)
		}
		idx.Spills = append(idx.Spills, ks)
	}
	sort.Slice(idx.Spills, func(i, j int) bool { return idx.Spills[i].Source < idx.Spills[j].Source })
	idx.From, idx.To = ds.bounds[0], ds.bounds[1]
	b, err := json.Marshal(idx)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(ds.fillDir, keptIndexName), b, 0o600); err != nil {
		return err
	}
	// The folder keeps one date: the others go, and this date's older parts.
	if err := ds.dropKept(); err != nil {
		return err
	}
	if err := os.Rename(ds.fillDir, filepath.Join(ds.root, date)); err != nil {
		return err
	}
	ds.fillDir = "" // persisted: release leaves it
	return nil
}

// damaged is the error of a spill read back that is not as written: a
// kept folder's is removed, so that the next run reads the store.
func (sp *spill) damaged(err error) error {
	if sp.keptDir == "" {
		return err
	}
	if rerr := os.RemoveAll(sp.keptDir); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
		return fmt.Errorf("the parts kept in %s by the date's last run are damaged (%w), and could not be removed (%v): "+
			"delete the folder and run the date again", sp.keptDir, err, rerr)
	}
	return fmt.Errorf("the parts kept in %s by the date's last run are damaged (%w): recon removed them; run the date again, "+
		"and it reads the store", sp.keptDir, err)
}

// say logs msg at level, when the store has a log.
func (k *kept) say(level slog.Level, msg string, args ...any) {
	if k.log != nil {
		k.log.Log(context.Background(), level, msg, args...)
	}
}
