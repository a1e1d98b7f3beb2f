package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/recon"
)

// pullCandidates selects the keys a pull of a date needs: the ledger keys
// of the day come from its own ledger files and from those of the dates
// before and after (their rows dated the day, SPEC §1). Parameters:
// 1 date, 2 from, 3 to, 4 first date of the re-check window, 5 answers
// newer than this are fresh.
const pullCandidates = `
WITH live AS (SELECT file_id FROM day_sources),
cand(entity, key, why) AS (
	SELECT 'PAYIN', o.order_id, 'day' FROM day_sources ds JOIN orders o ON o.file_id = ds.file_id
		WHERE ds.business_date = ?1 AND ds.role IN ('orders', 'orders_prev', 'orders_next') AND o.created_at >= ?2 AND o.created_at < ?3
	UNION ALL
	SELECT 'PAYOUT', p.payout_order_id, 'day' FROM day_sources ds JOIN payouts p ON p.file_id = ds.file_id
		WHERE ds.business_date = ?1 AND ds.role IN ('payouts', 'payouts_prev', 'payouts_next') AND p.requested_at >= ?2 AND p.requested_at < ?3
	UNION ALL
	SELECT w.entity, w.key, 'webhook' FROM day_sources ds JOIN deliveries w ON w.file_id = ds.file_id
		WHERE ds.business_date = ?1 AND ds.role IN ('webhooks', 'webhooks_next') AND w.entity IN ('PAYIN', 'PAYOUT')
			AND w.key <> '' AND w.verified <> '' AND w.stale = 0 AND w.problem = ''
			AND NOT EXISTS (SELECT 1 FROM orders o WHERE w.entity = 'PAYIN' AND o.order_id = w.key AND o.file_id IN (SELECT file_id FROM live))
			AND NOT EXISTS (SELECT 1 FROM payouts p WHERE w.entity = 'PAYOUT' AND p.payout_order_id = w.key AND p.file_id IN (SELECT file_id FROM live))
	UNION ALL
	SELECT entity, reference, 'recheck' FROM exceptions
		WHERE business_date >= ?4 AND business_date < ?1 AND entity IN ('PAYIN', 'PAYOUT')
),
keys AS (SELECT entity, key, min(why) AS why FROM cand GROUP BY entity, key)
SELECT k.entity, k.key, k.why FROM keys k
WHERE (k.why = 'recheck' OR coalesce((
		SELECT g.class FROM gateway_keys gk CROSS JOIN gateway_records g ON g.id = gk.id
		WHERE gk.key_hash = recon_key_hash(k.entity, k.key) AND g.entity = k.entity AND g.key = k.key AND (g.file_id IS NULL OR g.file_id IN (SELECT file_id FROM live))
		ORDER BY gk.fetched_at DESC, gk.id DESC LIMIT 1), 'PENDING') = 'PENDING')
	AND NOT EXISTS (SELECT 1 FROM pulls p WHERE p.entity = k.entity AND p.key = k.key
		AND p.outcome <> 'failed' AND p.pulled_at >= ?5)
ORDER BY k.entity, k.key`

// PullCandidates returns, sorted, the keys a pull of date (the day [from,
// to)) must ask for: every ledger key of the day whose latest gateway
// record is missing or not final, every key only a verified webhook knows,
// and every key of an exception reported for a date in [recheckFrom,
// date). A key answered (found or not found) at or after freshSince is
// left out: a pull that was stopped half-way and started again asks only
// for what it lacks.
func (s *DB) PullCandidates(ctx context.Context, date string, from, to time.Time, recheckFrom string, freshSince time.Time) ([]ledger.PullKey, error) {
	var keys []ledger.PullKey
	err := s.db.SelectContext(ctx, &keys, pullCandidates, date, ledger.Nanos(from), ledger.Nanos(to), recheckFrom, ledger.Nanos(freshSince))
	if err != nil {
		return nil, fmt.Errorf("select keys to pull for %s: %w", date, err)
	}
	return keys, nil
}

// SavePull stores one key's pull in one transaction: the record found, if
// any, as a pulled gateway record (no file, raw JSON kept), and the
// outcome, replacing the key's previous one.
func (s *DB) SavePull(ctx context.Context, p *ledger.PullResult) error {
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		exec := func(q string, args ...any) error {
			_, err := tx.ExecContext(ctx, q, args...)
			return err
		}
		if p.Record != nil {
			var args argRow
			args.Null() // the next id
			args.Null() // no file: a pulled record
			fetched, hash := ledger.Nanos(p.At), recon.KeyHash(p.Record.Entity, p.Record.Key)
			ledger.GatewayValues(&args, fetched, p.Record, true)
			args.Int(hash)
			res, err := tx.ExecContext(ctx, insertGatewayQuery, args...)
			if err != nil {
				return fmt.Errorf("store pulled record %s: %w", p.Key, err)
			}
			id, err := res.LastInsertId()
			if err != nil {
				return fmt.Errorf("store pulled record %s: %w", p.Key, err)
			}
			if err := exec(gatewayKeyInsert, hash, fetched, id); err != nil {
				return fmt.Errorf("store pulled record %s: %w", p.Key, err)
			}
		}
		err := exec(`INSERT INTO pulls (entity, key, outcome, attempts, error, pulled_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (entity, key) DO UPDATE SET outcome = excluded.outcome, attempts = excluded.attempts,
				error = excluded.error, pulled_at = excluded.pulled_at`,
			string(p.Entity), p.Key, string(p.Outcome), p.Attempts, p.Error, ledger.Nanos(p.At))
		if err != nil {
			return fmt.Errorf("store pull of %s: %w", p.Key, err)
		}
		if p.Date == "" {
			return nil
		}
		err = exec(`INSERT INTO pull_activity (business_date, entity, key, requests, retries, rate_limited)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (business_date, entity, key) DO UPDATE SET requests = requests + excluded.requests,
				retries = retries + excluded.retries, rate_limited = rate_limited + excluded.rate_limited`,
			p.Date, string(p.Entity), p.Key, p.Attempts, p.Retries, p.RateLimited)
		if err != nil {
			return fmt.Errorf("store pull figures of %s: %w", p.Key, err)
		}
		return nil
	})
}

// PullTotals returns the figures of a business date's status pulls over
// all its runs: the keys asked, the requests, retries and 429 answers they
// took, and how many of those keys the gateway last answered not found, or
// not at all (failed).
func (s *DB) PullTotals(ctx context.Context, date string) (recon.PullStats, error) {
	var t recon.PullStats
	err := s.db.QueryRowxContext(ctx, `SELECT count(*), coalesce(sum(a.requests), 0), coalesce(sum(a.retries), 0),
			coalesce(sum(a.rate_limited), 0),
			coalesce(sum(p.outcome = 'failed'), 0), coalesce(sum(p.outcome = 'not_found'), 0)
		FROM pull_activity a JOIN pulls p ON p.entity = a.entity AND p.key = a.key
		WHERE a.business_date = ?`, date).Scan(&t.Keys, &t.Requests, &t.Retries, &t.RateLimited, &t.Failures, &t.NotFound)
	if err != nil {
		return t, fmt.Errorf("read pull figures of %s: %w", date, err)
	}
	return t, nil
}
