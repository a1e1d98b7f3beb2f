package pipeline

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sort"
	"sync/atomic"
	"time"

	"github.com/kwikpaisa/recon/internal/ingest"
	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/mem"
	"github.com/kwikpaisa/recon/internal/recon"
)

// source is one input of a date and the reader that loads it.
type source struct {
	role, kind, path string
	read             func(ctx context.Context, path string, opts ingest.Options, sink ingest.Sink) (ingest.Counts, error)
}

// ingest loads every source of the date that changed since it was last
// loaded, then records which files make up the date.
func (r *run) ingest(ctx context.Context) error {
	s := r.cfg.Sources
	sources := []source{
		{"orders", "orders", s.Orders, ingest.ReadOrders},
		{"payouts", "payouts", s.Payouts, ingest.ReadPayouts},
		{"gateway", "gateway", s.Gateway, ingest.ReadGateway},
		{"webhooks", "webhooks", s.Webhooks, ingest.ReadWebhooks},
		{"webhooks_next", "webhooks", s.WebhooksNext, ingest.ReadWebhooks},
		{"orders_prev", "orders", s.OrdersPrev, ingest.ReadOrders},
		{"orders_next", "orders", s.OrdersNext, ingest.ReadOrders},
		{"payouts_prev", "payouts", s.PayoutsPrev, ingest.ReadPayouts},
		{"payouts_next", "payouts", s.PayoutsNext, ingest.ReadPayouts},
	}
	var todo []source
	for _, src := range sources {
		if src.path == "" {
			continue
		}
		if !ownRole(src.role) {
			if _, err := os.Stat(src.path); os.IsNotExist(err) {
				continue // the other date's file does not exist (yet)
			}
		}
		todo = append(todo, src)
	}
	// What the store holds of each file. A file whose stamp is the one kept
	// when it was last hashed is not read (ingest.Stamp). The others are
	// hashed two at a time, beside the loading: the largest from the
	// start, the others in load order, so a file is hashed while the one
	// before it loads, and a re-run of a day whose files were copied
	// again hashes them on two cores in about the time of the largest.
	n := r.loadConcurrency()
	order := loadOrder(todo, n)
	stored := make([]*ledger.StoredFile, len(todo))
	digests := make([]chan digest, len(todo)) // in todo's order
	var toHash []int
	var paths []string
	for _, i := range order {
		src := todo[i]
		digests[i] = make(chan digest, 1)
		f, err := r.db.SourceFile(ctx, src.kind, src.path)
		if err != nil {
			return err
		}
		stored[i] = f
		if f != nil && f.Stamp != "" {
			if st, err := ingest.CurrentStamp(src.path); err == nil && string(st) == f.Stamp {
				digests[i] <- digest{sum: f.SHA256, size: f.Size, stamp: st, stamped: true}
				continue
			}
		}
		toHash = append(toHash, i)
		paths = append(paths, src.path)
	}
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	go func() {
		hashing := make(chan struct{}, 2)
		for _, j := range hashOrder(paths) {
			i, path := toHash[j], paths[j]
			hashing <- struct{}{}
			go func() {
				defer func() { <-hashing }()
				if ctx.Err() != nil {
					digests[i] <- digest{err: ctx.Err()}
					return
				}
				var d digest
				d.sum, d.size, d.stamp, d.err = ingest.Digest(path)
				digests[i] <- d
			}()
		}
	}()
	files, err := loadAll(todo, order, n, func(i int) (recon.SourceFile, error) {
		return r.load(ctx, todo[i], stored[i], <-digests[i])
	})
	if err != nil {
		return err
	}
	roles := map[string]recon.SourceFile{}
	for i, src := range todo {
		roles[src.role] = files[i]
		if ownRole(src.role) {
			r.inputs = append(r.inputs, files[i])
		}
	}
	return r.db.SetDaySources(ctx, r.day.Date, roles)
}

// loadConcurrency is how many files the store loads at once: a store that
// writes several at a time says how many (ledger.ConcurrentLoader), any
// other loads one after another.
func (r *run) loadConcurrency() int {
	if c, ok := r.db.(ledger.ConcurrentLoader); ok {
		return max(1, c.LoadConcurrency())
	}
	return 1
}

// loadOrder returns the positions of todo in the order their loads begin:
// todo's own for one file at a time; the largest file first for several,
// so that the longest load does not run alone at the end while the other
// cores wait. A file that cannot be read keeps its place after the others;
// its hashing says why.
func loadOrder(todo []source, n int) []int {
	order := make([]int, len(todo))
	size := make([]int64, len(todo))
	for i, src := range todo {
		order[i], size[i] = i, -1
		if fi, err := os.Stat(src.path); err == nil {
			size[i] = fi.Size()
		}
	}
	if n > 1 {
		sort.SliceStable(order, func(a, b int) bool { return size[order[a]] > size[order[b]] })
	}
	return order
}

// loadAll loads the sources of todo (load(i) loads the i-th) n at a time,
// beginning them in order, and returns what each became, in todo's order.
// Files of one kind are never loaded at once: they share tables, and the
// planner's figures of each. When loads fail, the error is that of the
// first failed source in todo's order, as loading them in turn would
// report; no load begins after a failure, and those under way are let
// finish, each in its own transaction.
func loadAll(todo []source, order []int, n int, load func(i int) (recon.SourceFile, error)) ([]recon.SourceFile, error) {
	files := make([]recon.SourceFile, len(todo))
	type loaded struct {
		i   int
		f   recon.SourceFile
		err error
	}
	done := make(chan loaded)
	errs := make([]error, len(todo))
	started := make([]bool, len(todo))
	busy := map[string]bool{} // kinds being loaded
	failed := false
	for running, finished := 0, 0; finished < len(todo); finished++ {
		for _, i := range order {
			if running == n || failed {
				break
			}
			if started[i] || busy[todo[i].kind] {
				continue
			}
			started[i], busy[todo[i].kind] = true, true
			running++
			go func() {
				f, err := load(i)
				done <- loaded{i, f, err}
			}()
		}
		if running == 0 {
			break
		}
		l := <-done
		running--
		busy[todo[l.i].kind] = false
		files[l.i], errs[l.i] = l.f, l.err
		failed = failed || l.err != nil
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return files, nil
}

// ownRole says whether a role is one of the date's own files, rather than
// another date's read for what belongs to this one (the next day's
// webhook log, the ledgers of the days before and after).
func ownRole(role string) bool {
	switch role {
	case "orders", "payouts", "gateway", "webhooks":
		return true
	}
	return false
}

// hashOrder returns the positions of paths in the order they are hashed:
// the largest file first, then the others in their order. A file that
// cannot be read keeps its place; its hashing says why.
func hashOrder(paths []string) []int {
	largest, size := -1, int64(-1)
	for i, p := range paths {
		if fi, err := os.Stat(p); err == nil && fi.Size() > size {
			largest, size = i, fi.Size()
		}
	}
	order := make([]int, 0, len(paths))
	if largest >= 0 {
		order = append(order, largest)
	}
	for i := range paths {
		if i != largest {
			order = append(order, i)
		}
	}
	return order
}

// digest is a file's content hash, size and stamp, or why they could not
// be had. stamped says they are the store's, the file's stamp unchanged.
type digest struct {
	sum     string
	size    int64
	stamp   ingest.Stamp
	stamped bool
	err     error
}

// load reads one file, whose content has digest d, into the store unless
// the store already holds this exact content; stored is what it holds of
// the file, nil for a file never loaded.
func (r *run) load(ctx context.Context, src source, stored *ledger.StoredFile, d digest) (recon.SourceFile, error) {
	t := time.Now()
	if d.err != nil {
		return recon.SourceFile{}, fmt.Errorf("read %s %s: %w", src.kind, src.path, d.err)
	}
	f := recon.SourceFile{Kind: src.kind, Path: src.path, SHA256: d.sum, Size: d.size, Settings: r.cfg.Ingest.Fingerprint(src.kind),
		Stamp: string(d.stamp)}
	if stored != nil && stored.SHA256 == d.sum {
		if stored.Settings == f.Settings {
			// Unchanged since it was last loaded: no previous hash to show.
			// Hashed again (touched, copied over itself), its new stamp is kept.
			f.Read, f.Accepted, f.Rejected, f.NumericKeys = stored.Read, stored.Accepted, stored.Rejected, stored.NumericKeys
			if f.Stamp != stored.Stamp {
				if err := r.db.SetStamp(ctx, src.kind, src.path, f.Stamp); err != nil {
					return f, err
				}
			}
			r.log.Info("source unchanged", "stage", "ingest", "file", src.path, "rows", f.Read, "hashed", !d.stamped)
			return f, nil
		}
		// Same content read with other settings (a fixed webhook secret, a
		// new status word, another column map): what was stored from it
		// may differ, so it is read again.
		r.log.Info("source settings changed: reading it again", "stage", "ingest", "file", src.path)
	}
	err := r.db.LoadFile(ctx, &f, func(l ledger.Loader) error {
		sink := ingest.Sink{Order: l.Order, Payout: l.Payout, Gateway: l.Gateway, Delivery: l.Delivery, Reject: l.Reject}
		if r.cfg.Progress != nil {
			var stop func()
			sink, stop = r.counted(src, d.size, sink)
			defer stop()
		}
		counts, err := src.read(ctx, src.path, r.cfg.Ingest, sink)
		if err != nil {
			return fmt.Errorf("read %s %s: %w", src.kind, src.path, err)
		}
		f.Read, f.Accepted, f.Rejected, f.NumericKeys = counts.Read, counts.Accepted, counts.Rejected, counts.NumericKeys
		return nil
	})
	if err != nil {
		return f, err
	}
	mem.Forget(src.path) // hashed and parsed: read twice, and not again
	r.stageDone("ingest_"+src.role, f.Read, t)
	r.log.Info("source loaded", "stage", "ingest", "file", src.path, "rows_read", f.Read,
		"rows_accepted", f.Accepted, "rows_rejected", f.Rejected) // its time is in the stage line above
	return f, nil
}

// counted tells the progress display that src is being read and returns
// sink counting the rows it is given, for the display, and the stop to
// call when the file is read. The display shows one file at a time: of
// files read at once, the one begun first; when it ends, the files read
// meanwhile in its shadow, each as done, then the next still being read.
func (r *run) counted(src source, size int64, sink ingest.Sink) (ingest.Sink, func()) {
	rows := new(atomic.Int64)
	st := &Stage{Name: "ingest", File: src.path, Size: size, Rows: rows}
	start := time.Now()
	r.readingMu.Lock()
	r.reading = append(r.reading, st)
	if len(r.reading) == 1 {
		r.begin(*st)
	}
	r.readingMu.Unlock()
	stop := func() {
		r.readingMu.Lock()
		defer r.readingMu.Unlock()
		shown := r.reading[0] == st
		r.reading = slices.DeleteFunc(r.reading, func(s *Stage) bool { return s == st })
		if !shown {
			st.Took, st.Beside = max(time.Since(start), time.Nanosecond), r.reading[0].File
			r.unseen = append(r.unseen, st)
			return
		}
		for _, u := range r.unseen {
			r.begin(*u)
		}
		r.unseen = nil
		if len(r.reading) > 0 {
			r.begin(*r.reading[0])
		}
	}
	return ingest.Sink{
		Order:    func(o *recon.Order) error { rows.Add(1); return sink.Order(o) },
		Payout:   func(p *recon.Payout) error { rows.Add(1); return sink.Payout(p) },
		Gateway:  func(g *recon.GatewayRecord) error { rows.Add(1); return sink.Gateway(g) },
		Delivery: func(d *recon.Delivery) error { rows.Add(1); return sink.Delivery(d) },
		Reject:   func(j *recon.Reject) error { rows.Add(1); return sink.Reject(j) },
	}, stop
}
