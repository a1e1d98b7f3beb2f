package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/recon"
)

// pullCandidates selects the keys a pull of a date needs, as the SQLite
// store's query does. Parameters: 1 merchant, 2 date, 3 from, 4 to, 5
// first date of the re-check window, 6 answers newer than this are fresh.
const pullCandidates = `
WITH live AS (SELECT file_id FROM day_sources WHERE merchant_id = $1),
cand(entity, key, why) AS (
	SELECT 'PAYIN', o.order_id, 'day' FROM day_sources ds JOIN orders o ON o.merchant_id = ds.merchant_id AND o.file_id = ds.file_id
		WHERE ds.merchant_id = $1 AND ds.business_date = $2 AND ds.role IN ('orders', 'orders_prev', 'orders_next')
			AND o.created_at >= $3 AND o.created_at < $4
	UNION ALL
	SELECT 'PAYOUT', p.payout_order_id, 'day' FROM day_sources ds JOIN payouts p ON p.merchant_id = ds.merchant_id AND p.file_id = ds.file_id
		WHERE ds.merchant_id = $1 AND ds.business_date = $2 AND ds.role IN ('payouts', 'payouts_prev', 'payouts_next')
			AND p.requested_at >= $3 AND p.requested_at < $4
	UNION ALL
	SELECT w.entity, w.key, 'webhook' FROM day_sources ds JOIN deliveries w ON w.merchant_id = ds.merchant_id AND w.file_id = ds.file_id
		WHERE ds.merchant_id = $1 AND ds.business_date = $2 AND ds.role IN ('webhooks', 'webhooks_next')
			AND w.entity IN ('PAYIN', 'PAYOUT') AND w.key <> '' AND w.verified <> '' AND NOT w.stale AND w.problem = ''
			AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.merchant_id = $1 AND w.entity = 'PAYIN' AND o.order_id = w.key
				AND o.file_id IN (SELECT file_id FROM live))
			AND NOT EXISTS (SELECT 1 FROM payouts p WHERE p.merchant_id = $1 AND w.entity = 'PAYOUT' AND p.payout_order_id = w.key
				AND p.file_id IN (SELECT file_id FROM live))
	UNION ALL
	SELECT entity, reference, 'recheck' FROM exceptions
		WHERE merchant_id = $1 AND business_date >= $5 AND business_date < $2 AND entity IN ('PAYIN', 'PAYOUT')
),
keys AS (SELECT entity, key, min(why) AS why FROM cand GROUP BY entity, key)
SELECT k.entity, k.key, k.why FROM keys k
WHERE (k.why = 'recheck' OR coalesce((
		SELECT g.class FROM gateway_records g
		WHERE g.merchant_id = $1 AND g.entity = k.entity AND g.key = k.key
			AND (g.file_id IS NULL OR g.file_id IN (SELECT file_id FROM live))
		ORDER BY g.fetched_at DESC, g.id DESC LIMIT 1), 'PENDING') = 'PENDING')
	AND NOT EXISTS (SELECT 1 FROM pulls p WHERE p.merchant_id = $1 AND p.entity = k.entity AND p.key = k.key
		AND p.outcome <> 'failed' AND p.pulled_at >= $6)
ORDER BY k.entity COLLATE "C", k.key COLLATE "C"`

// PullCandidates returns, sorted, the keys a pull of date (the day [from,
// to)) must ask for, as the SQLite store selects them.
func (s *DB) PullCandidates(ctx context.Context, date string, from, to time.Time, recheckFrom string, freshSince time.Time) ([]ledger.PullKey, error) {
	rows, err := s.pool.Query(ctx, pullCandidates, s.merchant, date, ledger.Nanos(from), ledger.Nanos(to), recheckFrom, ledger.Nanos(freshSince))
	if err != nil {
		return nil, fmt.Errorf("select keys to pull for %s: %w", date, s.scrub(err))
	}
	keys, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ledger.PullKey, error) {
		var k ledger.PullKey
		var entity string
		err := r.Scan(&entity, &k.Key, &k.Why)
		k.Entity = recon.Entity(entity)
		return k, err
	})
	if err != nil {
		return nil, fmt.Errorf("select keys to pull for %s: %w", date, s.scrub(err))
	}
	return keys, nil
}

// SavePull stores one key's pull in one transaction: the record found, if
// any, as a pulled gateway record (no file, raw JSON kept), and the
// outcome, replacing the key's previous one.
func (s *DB) SavePull(ctx context.Context, p *ledger.PullResult) error {
	return s.withTx(ctx, func(tx pgx.Tx) error {
		if p.Record != nil {
			c := newCopyRows(gatewayTable, 0)
			c.row()
			c.Text(s.merchant)
			c.Null() // no file
			ledger.GatewayValues(c, ledger.Nanos(p.At), p.Record, true)
			if err := c.end(); err != nil {
				return err
			}
			if err := copyIn(ctx, tx, c); err != nil {
				return fmt.Errorf("store pulled record %s: %w", p.Key, err)
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO pulls (merchant_id, entity, key, outcome, attempts, error, pulled_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (merchant_id, entity, key) DO UPDATE SET outcome = excluded.outcome, attempts = excluded.attempts,
				error = excluded.error, pulled_at = excluded.pulled_at`,
			s.merchant, string(p.Entity), p.Key, string(p.Outcome), p.Attempts, p.Error, ledger.Nanos(p.At))
		if err != nil {
			return fmt.Errorf("store pull of %s: %w", p.Key, err)
		}
		if p.Date == "" {
			return nil
		}
		_, err = tx.Exec(ctx, `INSERT INTO pull_activity (merchant_id, business_date, entity, key, requests, retries,
				rate_limited) VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (merchant_id, business_date, entity, key) DO UPDATE SET
				requests = pull_activity.requests + excluded.requests, retries = pull_activity.retries + excluded.retries,
				rate_limited = pull_activity.rate_limited + excluded.rate_limited`,
			s.merchant, p.Date, string(p.Entity), p.Key, p.Attempts, p.Retries, p.RateLimited)
		if err != nil {
			return fmt.Errorf("store pull figures of %s: %w", p.Key, err)
		}
		return nil
	})
}

// PullTotals returns the figures of a business date's status pulls over
// all its runs.
func (s *DB) PullTotals(ctx context.Context, date string) (recon.PullStats, error) {
	var t recon.PullStats
	err := s.pool.QueryRow(ctx, `SELECT count(*), coalesce(sum(a.requests), 0), coalesce(sum(a.retries), 0),
			coalesce(sum(a.rate_limited), 0), count(*) FILTER (WHERE p.outcome = 'failed'),
			count(*) FILTER (WHERE p.outcome = 'not_found')
		FROM pull_activity a JOIN pulls p ON p.merchant_id = a.merchant_id AND p.entity = a.entity AND p.key = a.key
		WHERE a.merchant_id = $1 AND a.business_date = $2`, s.merchant, date).Scan(
		&t.Keys, &t.Requests, &t.Retries, &t.RateLimited, &t.Failures, &t.NotFound)
	if err != nil {
		return t, fmt.Errorf("read pull figures of %s: %w", date, s.scrub(err))
	}
	return t, nil
}
