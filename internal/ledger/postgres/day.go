package postgres

import (
	"context"
	"encoding/hex"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/recon"
)

// LoadGCPercent is the collector's percentage while a day loads: each value
// pgx decodes is garbage once the assembly has taken it, and at the run's
// usual low rate that garbage, not the day, set the peak; collecting often
// also made the load faster, as fewer fresh pages were touched (the
// README's Performance section has the figures).
func (s *DB) LoadGCPercent() int { return 50 }

// LoadDay streams the rows a day needs into recon.DayAssembly, which
// decides what the day is, inside one read-only transaction that sees one
// snapshot of the store.
func (s *DB) LoadDay(ctx context.Context, day recon.BusinessDay) (*recon.Day, error) {
	if _, err := s.pool.Exec(ctx, `VACUUM (SKIP_LOCKED) orders, payouts, gateway_records, deliveries`); err != nil {
		return nil, fmt.Errorf("load %s: vacuum: %w", day.Date, err)
	}
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", day.Date, err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // read-only
	l := &dayLoad{ctx: ctx, tx: tx, m: s.merchant, a: recon.NewDayAssembly(day), day: day, paths: map[int64]string{}}
	l.places = ledger.NewPlacers(l.paths)
	steps := []struct {
		name string
		fn   func() error
	}{
		{"sources", l.sources},
		{"orders", l.orders},
		{"payouts", l.payouts},
		{"gateway records", l.gateway},
		{"ledgers of other dates", l.elsewhere},
		{"deliveries", l.deliveries},
		{"known keys", l.known},
		{"pulls", l.pulls},
	}
	for _, st := range steps {
		if err := st.fn(); err != nil {
			return nil, fmt.Errorf("load %s of %s: %w", st.name, day.Date, err)
		}
	}
	return l.a.Day(), nil
}

// dayLoad is one LoadDay in progress.
type dayLoad struct {
	ctx    context.Context
	tx     pgx.Tx
	m      string // merchant
	a      *recon.DayAssembly
	day    recon.BusinessDay
	paths  map[int64]string
	places ledger.Placers // of paths' files
	str    ledger.Strings // the strings of the rows read
}

func (l *dayLoad) lo() int64 { return int64(recon.InstantOf(l.day.Start)) }
func (l *dayLoad) hi() int64 { return int64(recon.InstantOf(l.day.End)) }

func (l *dayLoad) sources() error {
	var files []recon.AssemblyFile
	err := l.each(`SELECT id, path, rows_accepted FROM source_files WHERE merchant_id = $1`, []any{l.m}, func(r *rawRow) error {
		f := recon.AssemblyFile{ID: r.Int(), Path: r.String(), Accepted: int(r.Int())}
		files = append(files, f)
		l.paths[f.ID] = f.Path
		return nil
	})
	if err != nil {
		return err
	}
	var srcs []recon.AssemblySource
	err = l.each(`SELECT business_date, role, file_id FROM day_sources WHERE merchant_id = $1`, []any{l.m}, func(r *rawRow) error {
		srcs = append(srcs, recon.AssemblySource{Date: r.Word(), Role: r.Word(), FileID: r.Int()})
		return nil
	})
	if err != nil {
		return err
	}
	l.a.Sources(files, srcs)
	return nil
}

// inDay is the condition, from argument n on, that keeps a neighbour's
// file's rows dated the day (at is the row's own time); the date's own
// file gives every row.
func (l *dayLoad) inDay(f recon.LedgerFile, at string, args []any) (string, []any) {
	if f.Own {
		return "", args
	}
	n := len(args)
	return fmt.Sprintf(` AND %s >= $%d AND %s < $%d`, at, n+1, at, n+2), append(args, l.lo(), l.hi())
}

// class reads a stored status class; what names the row for the error, and
// is only called then (a description built for each of millions of rows
// was a fifth of the load's garbage).
func (l *dayLoad) class(word string, what func() string) (recon.StatusClass, error) {
	c, ok := recon.ParseStatusClass(word)
	if !ok {
		return c, fmt.Errorf("%s: stored status class %q is not one recon knows", what(), word)
	}
	return c, nil
}

func (l *dayLoad) orders() error {
	for _, f := range l.a.LedgerFiles("orders") {
		places := l.places.Of(f.ID)
		cond, args := l.inDay(f, "created_at", []any{l.m, f.ID})
		err := l.each(`SELECT line, order_id, amount, currency, status, class, created_at, transaction_id, payment_method
			FROM orders WHERE merchant_id = $1 AND file_id = $2`+cond+` ORDER BY seq`, args, func(r *rawRow) error {
			line := r.Bytes()
			o := recon.Order{OrderID: r.String(), Amount: recon.Amount(r.Int()), Currency: r.Word(), Status: r.Word()}
			class := r.Word()
			o.CreatedAt, o.TransactionID, o.PaymentMethod = recon.Instant(r.Int()), r.String(), r.Word()
			var err error
			if o.Class, err = l.class(class, func() string { return "order " + o.OrderID }); err != nil {
				return err
			}
			o.Place = places.At(line)
			l.a.Order(o, f)
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func (l *dayLoad) payouts() error {
	for _, f := range l.a.LedgerFiles("payouts") {
		places := l.places.Of(f.ID)
		cond, args := l.inDay(f, "requested_at", []any{l.m, f.ID})
		err := l.each(`SELECT line, payout_order_id, amount, currency, status, class, transfer_mode, beneficiary_account,
				beneficiary_ifsc, beneficiary_vpa, utr, utr_corrupted, utr_raw, requested_at
			FROM payouts WHERE merchant_id = $1 AND file_id = $2`+cond+` ORDER BY seq`, args, func(r *rawRow) error {
			line := r.Bytes()
			p := recon.Payout{PayoutID: r.String(), Amount: recon.Amount(r.Int()), Currency: r.Word(), Status: r.Word()}
			class := r.Word()
			p.TransferMode, p.BeneficiaryAccount, p.BeneficiaryIFSC = r.Word(), r.String(), r.Word()
			p.BeneficiaryVPA, p.UTR, p.UTRCorrupted, p.UTRRaw = r.String(), r.String(), r.Bool(), r.String()
			p.RequestedAt = recon.Instant(r.Int())
			var err error
			if p.Class, err = l.class(class, func() string { return "payout " + p.PayoutID }); err != nil {
				return err
			}
			p.Place = places.At(line)
			l.a.Payout(p, f)
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// gatewayColumns are a gateway record's columns as gatewayRow reads them.
const gatewayColumns = `g.id, coalesce(g.file_id, 0), g.line, g.entity, g.key, g.amount, g.currency, g.status, g.class,
	g.transaction_id, g.utr, g.beneficiary_account, g.beneficiary_ifsc, g.beneficiary_vpa, g.created_at, g.fetched_at`

func (l *dayLoad) gatewayRow(r *rawRow) error {
	id, file, line := r.Int(), r.Int(), r.Bytes()
	g := recon.GatewayRecord{Entity: recon.Entity(r.Word()), Key: r.String(), Amount: recon.Amount(r.Int()),
		Currency: r.Word(), Status: r.Word()}
	class := r.Word()
	g.TransactionID, g.UTR, g.BeneficiaryAccount = r.String(), r.String(), r.String()
	g.BeneficiaryIFSC, g.BeneficiaryVPA = r.Word(), r.String()
	g.CreatedAt = recon.Instant(r.Int())
	fetched := r.Int()
	var err error
	if g.Class, err = l.class(class, func() string { return "gateway record of " + string(g.Entity) + " " + g.Key }); err != nil {
		return err
	}
	if file == 0 {
		g.Place = recon.PlaceOf("api", string(line))
	} else {
		g.Place = l.places.Of(file).At(line)
	}
	return l.a.Gateway(g, file, id, fetched)
}

// ledgerTable names a ledger's kind, entity, table, key column and the
// column of a row's own time.
type ledgerTable struct{ kind, entity, table, key, at string }

var ledgerTables = []ledgerTable{
	{"orders", "PAYIN", "orders", "order_id", "created_at"},
	{"payouts", "PAYOUT", "payouts", "payout_order_id", "requested_at"},
}

// joinLedgers runs, for each ledger file of the date, a join from its keys
// into target (a table aliased alias, with entity and key columns), with
// more conditions in where from argument 5 on.
func (l *dayLoad) joinLedgers(columns, target, alias, where string, more []any, row func(*rawRow) error) error {
	for _, t := range ledgerTables {
		for _, f := range l.a.LedgerFiles(t.kind) {
			args := append([]any{l.m, f.ID, t.entity}, more...)
			cond, args := l.inDay(f, "l."+t.at, args)
			err := l.each(`SELECT `+columns+` FROM `+t.table+` l JOIN `+target+` ON `+alias+`.merchant_id = l.merchant_id
				AND `+alias+`.entity = $3 AND `+alias+`.key = l.`+t.key+`
				WHERE l.merchant_id = $1 AND l.file_id = $2`+where+cond, args, row)
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// keyArrays splits keys into entity and key arrays, for unnest.
func keyArrays(keys []recon.DayKey) ([]string, []string) {
	entities, refs := make([]string, len(keys)), make([]string, len(keys))
	for i, k := range keys {
		entities[i], refs[i] = string(k.Entity), k.Key
	}
	return entities, refs
}

func (l *dayLoad) gateway() error {
	err := l.each(`SELECT entity, key FROM gateway_records WHERE merchant_id = $1 AND created_at >= $2 AND created_at < $3
		ORDER BY created_at, entity, key`, []any{l.m, l.lo(), l.hi()}, func(r *rawRow) error {
		l.a.CreatedInDay(recon.Entity(r.Word()), r.String())
		return nil
	})
	if err != nil {
		return err
	}
	if err := l.joinLedgers(gatewayColumns, "gateway_records g", "g", "", nil, l.gatewayRow); err != nil {
		return err
	}
	entities, refs := keyArrays(l.a.GatewayOnly())
	return l.each(`SELECT `+gatewayColumns+` FROM unnest($2::text[], $3::text[]) AS k(entity, key)
		JOIN gateway_records g ON g.merchant_id = $1 AND g.entity = k.entity AND g.key = k.key`,
		[]any{l.m, entities, refs}, l.gatewayRow)
}

// ledgerRoles are the roles whose files hold ledger rows of some date.
const ledgerRoles = `('orders', 'orders_prev', 'orders_next', 'payouts', 'payouts_prev', 'payouts_next')`

// inLedgers is the condition that a key k.entity, k.key has a row in a
// ledger file some date reads.
const inLedgers = `EXISTS (SELECT 1 FROM orders o JOIN day_sources ds ON ds.merchant_id = o.merchant_id AND ds.file_id = o.file_id
		WHERE o.merchant_id = $1 AND k.entity = 'PAYIN' AND o.order_id = k.key AND ds.role IN ` + ledgerRoles + `)
	OR EXISTS (SELECT 1 FROM payouts p JOIN day_sources ds ON ds.merchant_id = p.merchant_id AND ds.file_id = p.file_id
		WHERE p.merchant_id = $1 AND k.entity = 'PAYOUT' AND p.payout_order_id = k.key AND ds.role IN ` + ledgerRoles + `)`

func (l *dayLoad) elsewhere() error {
	entities, refs := keyArrays(l.a.ElsewhereCandidates())
	return l.each(`SELECT k.entity, k.key FROM unnest($2::text[], $3::text[]) AS k(entity, key) WHERE `+inLedgers,
		[]any{l.m, entities, refs}, func(r *rawRow) error {
			l.a.SetElsewhere(recon.DayKey{Entity: recon.Entity(r.Word()), Key: r.String()})
			return nil
		})
}

// deliveryColumns are a delivery's columns as deliveryRow reads them.
const deliveryColumns = `w.file_id, w.line, w.received_at, w.timestamp, w.event, w.entity, w.key, w.class, w.amount,
	w.currency, w.transaction_id, w.utr, w.body_sha256, w.verified, w.stale, w.problem`

// deliveryRow reads a row of deliveryColumns into the assembly, as one of
// the day's own logs or another.
func (l *dayLoad) deliveryRow(own bool) func(*rawRow) error {
	return func(r *rawRow) error {
		file, line := r.Int(), r.Int()
		dv := recon.Delivery{Place: l.places.Of(file).Src.At(int(line)), ReceivedAt: recon.Instant(r.Int()),
			Timestamp: r.Int(), Event: r.Word(), Entity: recon.Entity(r.Word()), Key: r.String()}
		class := r.Word()
		amount, hasAmount := r.NullInt()
		dv.Currency, dv.TransactionID, dv.UTR = r.Word(), r.String(), r.String()
		sum, verified := r.Bytes(), r.Bytes()
		dv.Stale, dv.Problem = r.Bool(), r.Word()
		var err error
		if dv.Class, err = l.class(class, func() string { return "delivery at " + dv.Place.String() }); err != nil {
			return err
		}
		if hasAmount {
			dv.HasAmount, dv.Amount = true, recon.Amount(amount)
		}
		if len(sum) != hex.EncodedLen(len(dv.BodySHA256)) {
			return fmt.Errorf("delivery at %s: stored body hash %q is not a SHA-256", dv.Place, sum)
		}
		if _, err := hex.Decode(dv.BodySHA256[:], sum); err != nil {
			return fmt.Errorf("delivery at %s: stored body hash %q: %w", dv.Place, sum, err)
		}
		var ok bool
		if dv.Verified, ok = recon.ParseVerifyMethod(string(verified)); !ok {
			return fmt.Errorf("delivery at %s: stored verification %q is none of \"\", \"raw\", \"canonical\"", dv.Place, verified)
		}
		l.a.Delivery(dv, own)
		return nil
	}
}

func (l *dayLoad) deliveries() error {
	own := l.a.OwnLogs()
	for _, id := range own {
		err := l.each(`SELECT `+deliveryColumns+` FROM deliveries w WHERE w.merchant_id = $1 AND w.file_id = $2 ORDER BY w.line`,
			[]any{l.m, id}, l.deliveryRow(true))
		if err != nil {
			return err
		}
	}
	others := l.a.OtherLogs()
	if len(others) == 0 {
		return nil
	}
	// Other logs: deliveries of the day's keys, or repeating a body the
	// day's own logs hold.
	row := l.deliveryRow(false)
	if err := l.joinLedgers(deliveryColumns, "deliveries w", "w", " AND w.file_id = ANY($4)", []any{others}, row); err != nil {
		return err
	}
	entities, refs := keyArrays(l.a.GatewayOnly())
	err := l.each(`SELECT `+deliveryColumns+` FROM unnest($2::text[], $3::text[]) AS k(entity, key)
		JOIN deliveries w ON w.merchant_id = $1 AND w.entity = k.entity AND w.key = k.key AND w.file_id = ANY($4)`,
		[]any{l.m, entities, refs, others}, row)
	if err != nil {
		return err
	}
	if len(own) == 0 {
		return nil
	}
	return l.each(`SELECT `+deliveryColumns+` FROM deliveries w WHERE w.merchant_id = $1 AND w.file_id = ANY($2)
		AND w.body_sha256 IN (SELECT body_sha256 FROM deliveries WHERE merchant_id = $1 AND file_id = ANY($3))`,
		[]any{l.m, others, own}, row)
}

func (l *dayLoad) known() error {
	entities, refs := keyArrays(l.a.KnownCandidates())
	return l.each(`SELECT k.entity, k.key FROM unnest($2::text[], $3::text[]) AS k(entity, key) WHERE `+inLedgers+`
		OR EXISTS (SELECT 1 FROM gateway_records g WHERE g.merchant_id = $1 AND g.entity = k.entity AND g.key = k.key
			AND (g.file_id IS NULL OR g.file_id IN (SELECT file_id FROM day_sources WHERE merchant_id = $1)))`,
		[]any{l.m, entities, refs}, func(r *rawRow) error {
			l.a.SetKnown(recon.DayKey{Entity: recon.Entity(r.Word()), Key: r.String()})
			return nil
		})
}

func (l *dayLoad) pulls() error {
	return l.each(`SELECT entity, key, outcome FROM pulls WHERE merchant_id = $1`, []any{l.m}, func(r *rawRow) error {
		l.a.Pull(recon.Entity(r.Word()), r.String(), recon.PullOutcome(r.Word()))
		return nil
	})
}
