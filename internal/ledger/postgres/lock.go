package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kwikpaisa/recon/internal/ledger"
)

// lockPoll is how often a waiting LockDate asks for the lock again.
const lockPoll = 200 * time.Millisecond

// LockDate takes the date's run lock: a session advisory lock, held by a
// connection of its own until unlock. The server frees it when that
// connection drops, so a killed run leaves no lock behind. Who holds it
// is recorded in date_locks, for the message of a run refused.
func (s *DB) LockDate(ctx context.Context, date, holder string, wait bool, waiting func(*ledger.LockedError)) (func() error, error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("lock date %s: %w", date, s.scrub(err))
	}
	key := "recon-date:" + s.merchant + ":" + date
	told := false
	for {
		var got bool
		if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock(hashtextextended($1, 0))`, key).Scan(&got); err != nil {
			conn.Release()
			return nil, fmt.Errorf("lock date %s: %w", date, s.scrub(err))
		}
		if got {
			break
		}
		held := &ledger.LockedError{Date: date, Where: "advisory lock in " + s.name}
		_ = conn.QueryRow(ctx, `SELECT holder FROM date_locks WHERE merchant_id = $1 AND business_date = $2`,
			s.merchant, date).Scan(&held.Holder)
		if !wait {
			conn.Release()
			return nil, held
		}
		if !told && waiting != nil {
			waiting(held)
			told = true
		}
		select {
		case <-ctx.Done():
			conn.Release()
			return nil, ctx.Err()
		case <-time.After(lockPoll):
		}
	}
	_, err = conn.Exec(ctx, `INSERT INTO date_locks (merchant_id, business_date, holder, since) VALUES ($1, $2, $3, $4)
		ON CONFLICT (merchant_id, business_date) DO UPDATE SET holder = excluded.holder, since = excluded.since`,
		s.merchant, date, holder, ledger.Nanos(s.Now()))
	if err != nil {
		conn.Release()
		return nil, fmt.Errorf("lock date %s: %w", date, s.scrub(err))
	}
	s.mu.Lock()
	if s.locks == nil {
		s.locks = map[*pgxpool.Conn]bool{}
	}
	s.locks[conn] = true
	s.mu.Unlock()
	return func() error {
		s.mu.Lock()
		held := s.locks[conn]
		delete(s.locks, conn)
		s.mu.Unlock()
		if !held {
			return nil // released by Close
		}
		defer conn.Release()
		ctx := context.Background()
		_, _ = conn.Exec(ctx, `DELETE FROM date_locks WHERE merchant_id = $1 AND business_date = $2 AND holder = $3`,
			s.merchant, date, holder)
		if _, err := conn.Exec(ctx, `SELECT pg_advisory_unlock(hashtextextended($1, 0))`, key); err != nil {
			return fmt.Errorf("unlock date %s: %w", date, s.scrub(err))
		}
		return nil
	}, nil
}
