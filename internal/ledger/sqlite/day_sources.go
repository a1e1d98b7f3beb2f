package sqlite

import (
	"context"
	"errors"
	"sync"

	"github.com/jmoiron/sqlx"
)

// spillSource is one of a day's large sources, which its parts read back
// from a spill (spill.go, partRows): a name for the spill and its
// messages, and pass, which reads every row of the source on conn, each
// followed by its routeValues, into route.
type spillSource struct {
	name string
	pass func(ctx context.Context, conn *sqlx.Conn, route func(*rowValues) error) error
}

// ownLogSource is the day's own webhook log id (ownQuery).
func (sc *dayScope) ownLogSource(id int64) spillSource {
	return spillSource{name: "webhook log " + sc.paths[id], pass: func(ctx context.Context, conn *sqlx.Conn, route func(*rowValues) error) error {
		return bulkQuery(ctx, conn, sc.readSize, ownQuery(routeColumns("w")), []any{id}, route)
	}}
}

// createdSource is the keys the gateway created in the day (createdQuery).
// Their hashes are computed from the index's columns (it has no key_hash),
// not read from the rows.
func (sc *dayScope) createdSource() spillSource {
	return spillSource{name: "gateway records created in the day", pass: func(ctx context.Context, conn *sqlx.Conn, route func(*rowValues) error) error {
		return bulkQuery(ctx, conn, sc.readSize, createdQuery(`, entity, 0, recon_key_hash(entity, key)`), createdArgs(sc.lo, sc.hi), route)
	}}
}

// ledgerSource is the rows the date reads of its ledger file f of l.
func (sc *dayScope) ledgerSource(f ledgerFile, l ledgerTable) spillSource {
	return spillSource{name: l.role + " ledger " + sc.paths[f.id], pass: func(ctx context.Context, conn *sqlx.Conn, route func(*rowValues) error) error {
		cond, args := sc.ledgerRows(f, l, true)
		return bulkQuery(ctx, conn, sc.readSize, l.rowsQuery(l.route(), cond), args, route)
	}}
}

// gatewaySource is the gateway records of the keys of the date's ledger
// files of l (readLedgerRows).
func (sc *dayScope) gatewaySource(l ledgerTable) spillSource {
	return spillSource{name: "gateway records of the " + l.role + " ledger", pass: func(ctx context.Context, conn *sqlx.Conn, route func(*rowValues) error) error {
		return readLedgerRows(ctx, conn, sc, l, gatewayColumns+routeColumns("g"), route)
	}}
}

// daySources lists every source the parts of the day read back from
// spills, of both entities, about the largest first.
func (sc *dayScope) daySources() []spillSource {
	var out []spillSource
	for _, id := range sc.ownLogs() {
		out = append(out, sc.ownLogSource(id))
	}
	out = append(out, sc.gatewaySource(orderLedger))
	for _, f := range sc.filesOf(orderLedger.role) {
		out = append(out, sc.ledgerSource(f, orderLedger))
	}
	out = append(out, sc.createdSource(), sc.gatewaySource(payoutLedger))
	for _, f := range sc.filesOf(payoutLedger.role) {
		out = append(out, sc.ledgerSource(f, payoutLedger))
	}
	return out
}

// spillDay fills the spills of all of the day's sources (daySources) for
// a part's load, on conn and on a connection beside it at once, two
// sources at a time, unless they are filled already. Filled as each part's
// load came to them, the first part read them one after the other on the
// connection its step ran on, while the other waited (at tier L, 24 s for
// the first part, 21 s for the first pay-ins part).
func (s *DB) spillDay(ctx context.Context, tx *sqlx.Tx, sc *dayScope, conn *sqlx.Conn) error {
	if sc.part.Whole() {
		return nil
	}
	if err := sc.spills.checkKept(ctx, tx, sc.date); err != nil {
		return err
	}
	var todo []spillSource
	all := sc.daySources()
	for _, src := range all {
		if !sc.spills.filled(sc.date, sc.spillKey(src.name)) {
			todo = append(todo, src)
		}
	}
	if len(todo) == 0 {
		return nil // the parts after the first, or kept parts
	}
	if err := sc.spills.beginKeep(ctx, tx, sc.date, sc.lo, sc.hi, len(todo) == len(all)); err != nil {
		return err
	}
	sources := make(chan spillSource, len(todo))
	for _, src := range todo {
		sources <- src
	}
	close(sources)
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	fill := func(conn *sqlx.Conn) error {
		for src := range sources {
			_, err := sc.spills.get(sc.date, sc.spillKey(src.name), func(route func(*rowValues) error) error { return src.pass(ctx, conn, route) })
			if err != nil {
				stop() // the other connection's fill too
				return err
			}
		}
		return nil
	}
	var wg sync.WaitGroup
	var besideErr error
	wg.Go(func() { besideErr = s.beside(ctx, fill) })
	err := fill(conn)
	wg.Wait()
	if besideErr != nil && (err == nil || errors.Is(err, context.Canceled)) {
		err = besideErr
	}
	if err == nil {
		sc.spills.filledAll(sc.date)
	}
	return err
}
