package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/recon"
)

// SourceFile returns the stored record of a file, or nil when it was never
// loaded.
func (s *DB) SourceFile(ctx context.Context, kind, path string) (*ledger.StoredFile, error) {
	var f ledger.StoredFile
	err := s.pool.QueryRow(ctx, `SELECT id, kind, path, sha256, previous_sha256, size, rows_read, rows_accepted,
			rows_rejected, numeric_keys, settings_sha256, stamp
		FROM source_files WHERE merchant_id = $1 AND kind = $2 AND path = $3`, s.merchant, kind, path).Scan(
		&f.ID, &f.Kind, &f.Path, &f.SHA256, &f.PreviousSHA256, &f.Size, &f.Read, &f.Accepted, &f.Rejected,
		&f.NumericKeys, &f.Settings, &f.Stamp)
	if errNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find source file %s: %w", path, s.scrub(err))
	}
	return &f, nil
}

// SetStamp keeps stamp as the stamp of a stored file whose content was
// hashed again and found unchanged.
func (s *DB) SetStamp(ctx context.Context, kind, path, stamp string) error {
	err := s.exec(ctx, `UPDATE source_files SET stamp = $4 WHERE merchant_id = $1 AND kind = $2 AND path = $3`,
		s.merchant, kind, path, stamp)
	if err != nil {
		return fmt.Errorf("record source file %s: %w", path, err)
	}
	return nil
}

// LoadFile replaces everything stored from one source file, in one
// transaction: read is called with a Loader whose rows go in with COPY;
// f's counts are then stored with its hash. A failure leaves the store as
// it was.
func (s *DB) LoadFile(ctx context.Context, f *recon.SourceFile, read func(ledger.Loader) error) error {
	return s.withTx(ctx, func(tx pgx.Tx) error {
		var id int64
		prev := ""
		err := tx.QueryRow(ctx, `SELECT id, sha256 FROM source_files WHERE merchant_id = $1 AND kind = $2 AND path = $3
			FOR UPDATE`, s.merchant, f.Kind, f.Path).Scan(&id, &prev)
		switch {
		case errNoRows(err):
			err = tx.QueryRow(ctx, `INSERT INTO source_files (merchant_id, kind, path, sha256, size, rows_read, rows_accepted,
				rows_rejected, loaded_at) VALUES ($1, $2, $3, $4, $5, 0, 0, 0, $6) RETURNING id`,
				s.merchant, f.Kind, f.Path, f.SHA256, f.Size, ledger.Nanos(s.Now())).Scan(&id)
			if err != nil {
				return fmt.Errorf("record source file %s: %w", f.Path, err)
			}
		case err != nil:
			return fmt.Errorf("find source file %s: %w", f.Path, err)
		default:
			for _, table := range []string{"orders", "payouts", "gateway_records", "deliveries", "rejects"} {
				if _, err := tx.Exec(ctx, `DELETE FROM `+table+` WHERE merchant_id = $1 AND file_id = $2`, s.merchant, id); err != nil {
					return fmt.Errorf("clear %s of %s: %w", table, f.Path, err)
				}
			}
		}
		l := &loader{ctx: ctx, tx: tx, m: s.merchant, file: id, now: ledger.Nanos(s.Now())}
		if err := read(l); err != nil {
			// The transaction is rolled back: not under a copy in flight.
			l.wait() //nolint:errcheck // the read's error is the one to report
			return err
		}
		if err := l.flush(); err != nil {
			return fmt.Errorf("store rows of %s: %w", f.Path, err)
		}
		// A table just filled keeps the planner's figures of the empty one
		// until autovacuum comes by, minutes later, and the day's load is
		// then planned for no rows (nested loops over every key). ANALYZE
		// counts this transaction's own rows, and fails with it.
		for _, t := range loaderTables {
			if l.sent[t.slot] == 0 {
				continue
			}
			if _, err := tx.Exec(ctx, `ANALYZE `+t.name); err != nil {
				return fmt.Errorf("analyze %s after %s: %w", t.name, f.Path, err)
			}
		}
		if prev != "" && prev != f.SHA256 {
			f.PreviousSHA256 = prev
		}
		_, err = tx.Exec(ctx, `UPDATE source_files SET sha256 = $3, previous_sha256 = $4, size = $5, rows_read = $6,
			rows_accepted = $7, rows_rejected = $8, numeric_keys = $9, loaded_at = $10, settings_sha256 = $11, stamp = $12
			WHERE merchant_id = $1 AND id = $2`,
			s.merchant, id, f.SHA256, f.PreviousSHA256, f.Size, f.Read, f.Accepted, f.Rejected, f.NumericKeys,
			ledger.Nanos(s.Now()), f.Settings, f.Stamp)
		if err != nil {
			return fmt.Errorf("record source file %s: %w", f.Path, err)
		}
		return nil
	})
}

// SetDaySources records which files make up a business date's sources,
// replacing what the date had.
func (s *DB) SetDaySources(ctx context.Context, date string, roles map[string]recon.SourceFile) error {
	return s.withTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM day_sources WHERE merchant_id = $1 AND business_date = $2`, s.merchant, date); err != nil {
			return fmt.Errorf("clear sources of %s: %w", date, err)
		}
		for role, f := range roles {
			_, err := tx.Exec(ctx, `INSERT INTO day_sources (merchant_id, business_date, role, file_id)
				SELECT $1, $2, $3, id FROM source_files WHERE merchant_id = $1 AND kind = $4 AND path = $5`,
				s.merchant, date, role, f.Kind, f.Path)
			if err != nil {
				return fmt.Errorf("record sources of %s: %w", date, err)
			}
		}
		return nil
	})
}

// DayRejects returns the rejected rows of a date's source files, file by
// file in role order, each in file order; the neighbours' ledgers' are
// their own date's.
func (s *DB) DayRejects(ctx context.Context, date string) ([]recon.Reject, error) {
	rows, err := s.pool.Query(ctx, `SELECT f.path, r.line, r.field, r.value, r.reason
		FROM day_sources ds JOIN source_files f ON f.merchant_id = ds.merchant_id AND f.id = ds.file_id
			JOIN rejects r ON r.merchant_id = f.merchant_id AND r.file_id = f.id
		WHERE ds.merchant_id = $1 AND ds.business_date = $2
			AND ds.role NOT IN ('orders_prev', 'orders_next', 'payouts_prev', 'payouts_next')
		ORDER BY CASE ds.role WHEN 'orders' THEN 1 WHEN 'payouts' THEN 2 WHEN 'gateway' THEN 3
			WHEN 'webhooks' THEN 4 ELSE 5 END, ds.role, r.seq`, s.merchant, date)
	if err != nil {
		return nil, fmt.Errorf("read rejects of %s: %w", date, s.scrub(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (recon.Reject, error) {
		var rj recon.Reject
		err := r.Scan(&rj.File, &rj.Line, &rj.Column, &rj.Value, &rj.Reason)
		return rj, err
	})
	if err != nil {
		return nil, fmt.Errorf("read rejects of %s: %w", date, s.scrub(err))
	}
	return out, nil
}

// DayRoles says which sources a date was run with.
func (s *DB) DayRoles(ctx context.Context, date string) (map[string]bool, error) {
	rows, err := s.pool.Query(ctx, `SELECT role FROM day_sources WHERE merchant_id = $1 AND business_date = $2`, s.merchant, date)
	if err != nil {
		return nil, fmt.Errorf("sources of %s: %w", date, s.scrub(err))
	}
	roles, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("sources of %s: %w", date, s.scrub(err))
	}
	out := map[string]bool{}
	for _, r := range roles {
		out[r] = true
	}
	return out, nil
}
