package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/kwikpaisa/recon/internal/recon"
)

// LoadDay reads what a run of a business day needs.
func (s *DB) LoadDay(ctx context.Context, day recon.BusinessDay) (*recon.Day, error) {
	return s.LoadDayPart(ctx, day, recon.Part{})
}

// DayParts splits a day into the parts a run loads one at a time
// (recon.DayParts), by the rows of the date's own ledger files: parts of
// Options.PartKeys keys. What the store kept of an earlier split goes:
// the parts' loads spill the day's sources afresh (spill.go).
//
// The day's files are in the store by now: their frames are copied from
// the WAL into the database before the loads begin (checkpointer.settle).
func (s *DB) DayParts(ctx context.Context, day recon.BusinessDay) ([]recon.Part, error) {
	s.spills.release()
	if err := s.ckpt.settle(ctx); err != nil {
		return nil, fmt.Errorf("split %s into parts: copy the WAL into %s: %w", day.Date, s.path, err)
	}
	var rows struct{ Orders, Payouts int }
	err := s.db.GetContext(ctx, &rows, `SELECT
		coalesce(sum(CASE ds.role WHEN 'orders' THEN f.rows_accepted END), 0) AS orders,
		coalesce(sum(CASE ds.role WHEN 'payouts' THEN f.rows_accepted END), 0) AS payouts
		FROM day_sources ds JOIN source_files f ON f.id = ds.file_id WHERE ds.business_date = ?`, day.Date)
	if err != nil {
		return nil, fmt.Errorf("split %s into parts: %w", day.Date, err)
	}
	parts := recon.DayParts(rows.Orders, rows.Payouts, s.opts.PartKeys)
	if len(parts) > 1 {
		of := map[recon.Entity]int{}
		for _, p := range parts {
			of[p.Entity] = p.Of
		}
		s.spills.adopt(day, of[recon.EntityPayin], of[recon.EntityPayout])
	}
	return parts, nil
}

// EndParts lets go of the rows of the day's sources its parts' loads
// spilled (spill.go): a run calls it when the day's last part is loaded.
func (s *DB) EndParts(day recon.BusinessDay) { s.spills.end(day.Date) }

// LoadDayPart reads what a run of a business day needs of the keys of one
// part (recon.Part), and the counts of the part's rows outside the day.
// The first part of an entity to need one of the day's large sources
// reads all of it once, and spills each row to its part (spill.go): the
// store keeps those rows, in files of its own, until EndParts or the next
// DayParts.
func (s *DB) LoadDayPart(ctx context.Context, day recon.BusinessDay, part recon.Part) (*recon.Day, error) {
	from, to := day.Start, day.End
	d := &recon.Day{
		BusinessDay:     day,
		RowCounts:       recon.NewRowCounts(),
		LedgerElsewhere: map[recon.Entity]map[string]bool{recon.EntityPayin: {}, recon.EntityPayout: {}},
		Pulls:           map[recon.Entity]map[string]recon.PullOutcome{recon.EntityPayin: {}, recon.EntityPayout: {}},
		KnownKeys:       map[recon.Entity]map[string]bool{recon.EntityPayin: {}, recon.EntityPayout: {}},
	}
	err := s.withConnTx(ctx, func(tx *sqlx.Tx, conn *sqlx.Conn) error {
		// The load reads through a small page cache, and what the store's
		// cache held for the ingest goes back to the system: the pages of
		// a large day are read about once, and the day's records are the
		// run's peak memory.
		if _, err := tx.ExecContext(ctx, cacheSize(s.opts.LoadCacheKiB)); err != nil {
			return err
		}
		defer func() { _, _ = tx.ExecContext(ctx, cacheSize(s.opts.StoreCacheKiB)) }() // for the stores after it
		trimC()
		return s.loadDay(ctx, tx, conn, d, part, from, to)
	})
	trimC() // the reader beside, closed
	if err != nil {
		return nil, err
	}
	return d, nil
}

// loadDay fills d inside LoadDay's transaction on conn. The transaction
// only reads; committing it ends it like a rollback.
func (s *DB) loadDay(ctx context.Context, tx *sqlx.Tx, conn *sqlx.Conn, d *recon.Day, part recon.Part, from, to time.Time) error {
	date := d.Date
	sc, err := s.dayScope(ctx, tx, date, part, from, to)
	if err != nil {
		return fmt.Errorf("load sources of %s: %w", date, err)
	}
	sc.conn = conn
	if err := s.spillDay(ctx, tx, sc, conn); err != nil {
		return fmt.Errorf("load %s: %w", date, err)
	}
	// On a second connection and core, beside this one: the payouts'
	// ledger and gateway records, then the day's own webhook logs (the
	// largest read), then, once the orders' keys are known, the keys the
	// gateway created in the day. This one reads the orders and the
	// pay-ins' gateway records meanwhile. Every path below waits for the
	// reader beside before returning.
	gl := sc.gatewayLoad()
	ordersRead := make(chan struct{})
	ownCtx, stop := context.WithCancel(ctx)
	sc.own = make(chan error, 1)
	go func() {
		sc.own <- s.beside(ownCtx, func(c *sqlx.Conn) error {
			return gl.beside(ownCtx, c, d, sc, ordersRead)
		})
	}()
	defer func() { // on an early return, stop the reading and wait for it
		stop()
		_ = sc.waitOwn()
	}()
	steps := []struct {
		name string
		fn   func() error
	}{
		{"orders", func() error { err := s.loadOrders(ctx, d, sc); close(ordersRead); return err }},
		{"gateway records", func() error { return s.loadGateway(ctx, tx, d, sc, gl) }},
		{"deliveries", func() error { return s.loadDeliveries(ctx, d, sc) }},
		{"delivery keys", func() error { sc.numberDeliveries(d); return nil }},
		{"pulls", func() error { return s.loadPulls(ctx, d, sc) }},
		{"known keys", func() error { return s.loadKnownKeys(ctx, tx, d, sc) }},
	}
	for _, st := range steps {
		if err := st.fn(); err != nil {
			if sc.ownDone && sc.ownErr != nil {
				return sc.ownErr // the reader beside's, which names its step
			}
			return fmt.Errorf("load %s of %s: %w", st.name, date, err)
		}
	}
	if sc.payoutsOutOfDay > 0 {
		d.OutOfDay["payouts"] = sc.payoutsOutOfDay
		d.OutsideDates["payouts"] = sc.payoutsOutside
	}
	d.Orders = recon.DropCopies(d.Orders, sc.paths[sc.roles["orders"]], d.FromNear,
		func(o *recon.Order) (string, recon.Place) { return o.OrderID, o.Place }, recon.SameOrder)
	d.Payouts = recon.DropCopies(d.Payouts, sc.paths[sc.roles["payouts"]], d.FromNear,
		func(p *recon.Payout) (string, recon.Place) { return p.PayoutID, p.Place }, recon.SamePayout)
	d.Keys = map[recon.Entity]*recon.Keys{}
	for entity, keys := range sc.keys {
		d.Keys[entity] = keys.index
	}
	d.GroupDeliveries()
	return nil
}
