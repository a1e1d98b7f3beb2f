package ledger

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/kwikpaisa/recon/internal/recon"
)

type orderRow struct {
	Path          string `db:"path"`
	Line          string `db:"line"`
	OrderID       string `db:"order_id"`
	Amount        int64  `db:"amount"`
	Currency      string `db:"currency"`
	Status        string `db:"status"`
	Class         string `db:"class"`
	CreatedAt     int64  `db:"created_at"`
	TransactionID string `db:"transaction_id"`
	PaymentMethod string `db:"payment_method"`
}

func (s *DB) loadOrders(ctx context.Context, tx *sqlx.Tx, d *recon.Day, from, to time.Time) error {
	rows, err := tx.QueryxContext(ctx, `SELECT f.path, o.line, o.order_id, o.amount, o.currency, o.status, o.class,
			o.created_at, o.transaction_id, o.payment_method
		FROM day_sources ds JOIN source_files f ON f.id = ds.file_id JOIN orders o ON o.file_id = f.id
		WHERE ds.business_date = ? AND ds.role = 'orders' ORDER BY o.seq`, d.Date)
	if err != nil {
		return err
	}
	defer rows.Close()
	lo, hi := nanos(from), nanos(to)
	for rows.Next() {
		var r orderRow
		if err := rows.StructScan(&r); err != nil {
			return err
		}
		if r.CreatedAt < lo || r.CreatedAt >= hi {
			d.OutOfDay["orders"]++
			continue
		}
		d.Orders = append(d.Orders, recon.Order{
			OrderID: r.OrderID, Amount: recon.Amount(r.Amount), Currency: r.Currency, Status: r.Status,
			Class: recon.StatusClass(r.Class), CreatedAt: instant(r.CreatedAt), TransactionID: r.TransactionID,
			PaymentMethod: r.PaymentMethod, Place: recon.Place{File: r.Path, Line: r.Line},
		})
	}
	return rows.Err()
}

type payoutRow struct {
	Path               string `db:"path"`
	Line               string `db:"line"`
	PayoutID           string `db:"payout_order_id"`
	Amount             int64  `db:"amount"`
	Currency           string `db:"currency"`
	Status             string `db:"status"`
	Class              string `db:"class"`
	TransferMode       string `db:"transfer_mode"`
	BeneficiaryAccount string `db:"beneficiary_account"`
	BeneficiaryIFSC    string `db:"beneficiary_ifsc"`
	BeneficiaryVPA     string `db:"beneficiary_vpa"`
	UTR                string `db:"utr"`
	UTRCorrupted       bool   `db:"utr_corrupted"`
	UTRRaw             string `db:"utr_raw"`
	RequestedAt        int64  `db:"requested_at"`
}

func (s *DB) loadPayouts(ctx context.Context, tx *sqlx.Tx, d *recon.Day, from, to time.Time) error {
	rows, err := tx.QueryxContext(ctx, `SELECT f.path, p.line, p.payout_order_id, p.amount, p.currency, p.status,
			p.class, p.transfer_mode, p.beneficiary_account, p.beneficiary_ifsc, p.beneficiary_vpa, p.utr,
			p.utr_corrupted, p.utr_raw, p.requested_at
		FROM day_sources ds JOIN source_files f ON f.id = ds.file_id JOIN payouts p ON p.file_id = f.id
		WHERE ds.business_date = ? AND ds.role = 'payouts' ORDER BY p.seq`, d.Date)
	if err != nil {
		return err
	}
	defer rows.Close()
	lo, hi := nanos(from), nanos(to)
	for rows.Next() {
		var r payoutRow
		if err := rows.StructScan(&r); err != nil {
			return err
		}
		if r.RequestedAt < lo || r.RequestedAt >= hi {
			d.OutOfDay["payouts"]++
			continue
		}
		d.Payouts = append(d.Payouts, recon.Payout{
			PayoutID: r.PayoutID, Amount: recon.Amount(r.Amount), Currency: r.Currency, Status: r.Status,
			Class: recon.StatusClass(r.Class), TransferMode: r.TransferMode, BeneficiaryAccount: r.BeneficiaryAccount,
			BeneficiaryIFSC: r.BeneficiaryIFSC, BeneficiaryVPA: r.BeneficiaryVPA, UTR: r.UTR,
			UTRCorrupted: r.UTRCorrupted, UTRRaw: r.UTRRaw, RequestedAt: instant(r.RequestedAt),
			Place: recon.Place{File: r.Path, Line: r.Line},
		})
	}
	return rows.Err()
}

type gatewayRow struct {
	ID                 int64   `db:"id"`
	Path               *string `db:"path"`
	Line               string  `db:"line"`
	Entity             string  `db:"entity"`
	Key                string  `db:"key"`
	GatewayID          string  `db:"gateway_id"`
	Amount             int64   `db:"amount"`
	Currency           string  `db:"currency"`
	Status             string  `db:"status"`
	Class              string  `db:"class"`
	TransactionID      string  `db:"transaction_id"`
	BankReference      string  `db:"bank_reference"`
	UTR                string  `db:"utr"`
	PaymentMethod      string  `db:"payment_method"`
	TransferMode       string  `db:"transfer_mode"`
	BeneficiaryAccount string  `db:"beneficiary_account"`
	BeneficiaryIFSC    string  `db:"beneficiary_ifsc"`
	BeneficiaryVPA     string  `db:"beneficiary_vpa"`
	FailureReason      string  `db:"failure_reason"`
	CreatedAt          int64   `db:"created_at"`
	SettledAt          int64   `db:"settled_at"`
	FetchedAt          int64   `db:"fetched_at"`
}

func (r *gatewayRow) record() recon.GatewayRecord {
	place := recon.Place{File: "api", Line: r.Line}
	if r.Path != nil {
		place.File = *r.Path
	}
	return recon.GatewayRecord{
		Entity: recon.Entity(r.Entity), Key: r.Key, GatewayID: r.GatewayID, Amount: recon.Amount(r.Amount),
		Currency: r.Currency, Status: r.Status, Class: recon.StatusClass(r.Class), TransactionID: r.TransactionID,
		BankReference: r.BankReference, UTR: r.UTR, PaymentMethod: r.PaymentMethod, TransferMode: r.TransferMode,
		BeneficiaryAccount: r.BeneficiaryAccount, BeneficiaryIFSC: r.BeneficiaryIFSC,
		BeneficiaryVPA: r.BeneficiaryVPA, FailureReason: r.FailureReason, CreatedAt: instant(r.CreatedAt),
		SettledAt: instant(r.SettledAt), FetchedAt: instant(r.FetchedAt), Place: place,
	}
}

// dayKeys selects the (entity, key) pairs of a date: its ledgers' keys and
// the keys of gateway records created in the day. Parameters: date, date,
// from, to.
const dayKeys = `
	SELECT 'PAYIN' AS entity, o.order_id AS key FROM day_sources ds JOIN orders o ON o.file_id = ds.file_id
		WHERE ds.business_date = ? AND ds.role = 'orders'
	UNION
	SELECT 'PAYOUT', p.payout_order_id FROM day_sources ds JOIN payouts p ON p.file_id = ds.file_id
		WHERE ds.business_date = ? AND ds.role = 'payouts'
	UNION
	SELECT entity, key FROM gateway_records WHERE created_at >= ? AND created_at < ?`

func (s *DB) loadGateway(ctx context.Context, tx *sqlx.Tx, d *recon.Day, from, to time.Time) error {
	rows, err := tx.QueryxContext(ctx, `WITH k AS (`+dayKeys+`)
		SELECT g.id, f.path, g.line, g.entity, g.key, g.gateway_id, g.amount, g.currency, g.status, g.class,
			g.transaction_id, g.bank_reference, g.utr, g.payment_method, g.transfer_mode, g.beneficiary_account,
			g.beneficiary_ifsc, g.beneficiary_vpa, g.failure_reason, g.created_at, g.settled_at, g.fetched_at
		FROM k JOIN gateway_records g ON g.entity = k.entity AND g.key = k.key
		LEFT JOIN source_files f ON f.id = g.file_id
		WHERE g.file_id IS NULL OR g.file_id IN (SELECT file_id FROM day_sources)
		ORDER BY g.entity, g.key, g.fetched_at, g.id`,
		d.Date, d.Date, nanos(from), nanos(to))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r gatewayRow
		if err := rows.StructScan(&r); err != nil {
			return err
		}
		g := r.record()
		// Rows come oldest first within a key: the last one wins.
		if n := len(d.Gateway); n > 0 && d.Gateway[n-1].Entity == g.Entity && d.Gateway[n-1].Key == g.Key {
			d.Gateway[n-1] = g
			continue
		}
		d.Gateway = append(d.Gateway, g)
	}
	if err := rows.Err(); err != nil {
		return err
	}

	// Keys of the day's gateway records with a ledger row in another date's
	// ledger: those are not missing in the ledger.
	rows2, err := tx.QueryxContext(ctx, `
		SELECT DISTINCT g.entity, g.key FROM gateway_records g
		WHERE g.created_at >= ? AND g.created_at < ? AND (
			(g.entity = 'PAYIN' AND EXISTS (SELECT 1 FROM orders o JOIN day_sources ds ON ds.file_id = o.file_id
				WHERE o.order_id = g.key AND ds.business_date <> ? AND ds.role = 'orders'))
			OR (g.entity = 'PAYOUT' AND EXISTS (SELECT 1 FROM payouts p JOIN day_sources ds ON ds.file_id = p.file_id
				WHERE p.payout_order_id = g.key AND ds.business_date <> ? AND ds.role = 'payouts')))`,
		nanos(from), nanos(to), d.Date, d.Date)
	if err != nil {
		return err
	}
	defer rows2.Close()
	for rows2.Next() {
		var e, k string
		if err := rows2.Scan(&e, &k); err != nil {
			return err
		}
		d.LedgerElsewhere[recon.Entity(e)][k] = true
	}
	return rows2.Err()
}

type deliveryRow struct {
	Path          string `db:"path"`
	Line          int64  `db:"line"`
	ReceivedAt    int64  `db:"received_at"`
	Timestamp     int64  `db:"timestamp"`
	Event         string `db:"event"`
	Entity        string `db:"entity"`
	Key           string `db:"key"`
	Class         string `db:"class"`
	Amount        *int64 `db:"amount"`
	Currency      string `db:"currency"`
	TransactionID string `db:"transaction_id"`
	UTR           string `db:"utr"`
	BodySHA256    string `db:"body_sha256"`
	Verified      string `db:"verified"`
	Stale         bool   `db:"stale"`
	Problem       string `db:"problem"`
}

func (s *DB) loadDeliveries(ctx context.Context, tx *sqlx.Tx, d *recon.Day, from, to time.Time) error {
	var logPath []string
	if err := tx.SelectContext(ctx, &logPath, `SELECT f.path FROM day_sources ds JOIN source_files f ON f.id = ds.file_id
		WHERE ds.business_date = ? AND ds.role = 'webhooks'`, d.Date); err != nil {
		return err
	}
	if len(logPath) == 1 {
		d.DayLog = logPath[0]
	}
	// Every delivery of the day's logs, and every stored delivery of a key
	// of the day or of a body delivered in the day.
	rows, err := tx.QueryxContext(ctx, `
		WITH k AS (`+dayKeys+`),
		dayfiles AS (SELECT file_id FROM day_sources WHERE business_date = ? AND role IN ('webhooks', 'webhooks_next')),
		live AS (SELECT file_id FROM day_sources WHERE role IN ('webhooks', 'webhooks_next'))
		SELECT f.path, w.line, w.received_at, w.timestamp, w.event, w.entity, w.key, w.class, w.amount, w.currency,
			w.transaction_id, w.utr, w.body_sha256, w.verified, w.stale, w.problem
		FROM deliveries w JOIN source_files f ON f.id = w.file_id
		WHERE w.file_id IN (SELECT file_id FROM live) AND (
			w.file_id IN (SELECT file_id FROM dayfiles)
			OR EXISTS (SELECT 1 FROM k WHERE k.entity = w.entity AND k.key = w.key)
			OR w.body_sha256 IN (SELECT body_sha256 FROM deliveries WHERE file_id IN (SELECT file_id FROM dayfiles)))
		ORDER BY f.path, w.line`,
		d.Date, d.Date, nanos(from), nanos(to), d.Date)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r deliveryRow
		if err := rows.StructScan(&r); err != nil {
			return err
		}
		dv := recon.Delivery{
			Place: recon.Place{File: r.Path, Line: itoa(r.Line)}, ReceivedAt: instant(r.ReceivedAt),
			Timestamp: r.Timestamp, Event: r.Event, Entity: recon.Entity(r.Entity), Key: r.Key,
			Class: recon.StatusClass(r.Class), Currency: r.Currency, TransactionID: r.TransactionID, UTR: r.UTR,
			BodySHA256: r.BodySHA256, Verified: recon.VerifyMethod(r.Verified), Stale: r.Stale, Problem: r.Problem,
		}
		if r.Amount != nil {
			dv.Amount, dv.HasAmount = recon.Amount(*r.Amount), true
		}
		d.Deliveries = append(d.Deliveries, dv)
	}
	return rows.Err()
}

func (s *DB) loadPulls(ctx context.Context, tx *sqlx.Tx, d *recon.Day) error {
	rows, err := tx.QueryxContext(ctx, `SELECT entity, key, outcome FROM pulls`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var e, k, outcome string
		if err := rows.Scan(&e, &k, &outcome); err != nil {
			return err
		}
		if m := d.Pulls[recon.Entity(e)]; m != nil {
			m[k] = recon.PullOutcome(outcome)
		}
	}
	return rows.Err()
}

// loadKnownKeys finds the keys of the day's own-log deliveries that a
// ledger of any date (inside its day or not) or a stored gateway record
// knows: a delivery for such a key is not an orphan.
func (s *DB) loadKnownKeys(ctx context.Context, tx *sqlx.Tx, d *recon.Day) error {
	rows, err := tx.QueryxContext(ctx, `
		SELECT DISTINCT w.entity, w.key FROM deliveries w
		JOIN day_sources ds ON ds.file_id = w.file_id AND ds.business_date = ? AND ds.role = 'webhooks'
		WHERE w.key <> '' AND (
			(w.entity = 'PAYIN' AND EXISTS (SELECT 1 FROM orders o JOIN day_sources d2 ON d2.file_id = o.file_id
				WHERE o.order_id = w.key AND d2.role = 'orders'))
			OR (w.entity = 'PAYOUT' AND EXISTS (SELECT 1 FROM payouts p JOIN day_sources d2 ON d2.file_id = p.file_id
				WHERE p.payout_order_id = w.key AND d2.role = 'payouts'))
			OR EXISTS (SELECT 1 FROM gateway_records g WHERE g.entity = w.entity AND g.key = w.key
				AND (g.file_id IS NULL OR g.file_id IN (SELECT file_id FROM day_sources))))`, d.Date)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var e, k string
		if err := rows.Scan(&e, &k); err != nil {
			return err
		}
		if m := d.KnownKeys[recon.Entity(e)]; m != nil {
			m[k] = true
		}
	}
	return rows.Err()
}
