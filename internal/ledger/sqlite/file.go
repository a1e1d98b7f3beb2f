package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/recon"
)

// SourceFile returns the stored record of a file, or nil when it was never
// loaded.
func (s *DB) SourceFile(ctx context.Context, kind, path string) (*ledger.StoredFile, error) {
	var f ledger.StoredFile
	err := s.db.GetContext(ctx, &f, `SELECT id, kind, path, sha256, previous_sha256, size, rows_read, rows_accepted, rows_rejected,
			numeric_keys, settings_sha256, stamp
		FROM source_files WHERE kind = ? AND path = ?`, kind, path)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find source file %s: %w", path, err)
	}
	return &f, nil
}

// SetStamp keeps stamp as the stamp of a stored file whose content was
// hashed again and found unchanged (touched, copied over itself).
func (s *DB) SetStamp(ctx context.Context, kind, path, stamp string) error {
	if _, err := s.exec(ctx, `UPDATE source_files SET stamp = ? WHERE kind = ? AND path = ?`, stamp, kind, path); err != nil {
		return fmt.Errorf("record source file %s: %w", path, err)
	}
	return nil
}

// LoadFile replaces everything stored from one source file, in one
// transaction: read is called with a Loader and inserts the file's records;
// f's counts are then stored with its hash. A failure leaves the store as it
// was, so a re-run reads the file again. Its pages are copied from the WAL
// into the database file in the background (checkpointer).
func (s *DB) LoadFile(ctx context.Context, f *recon.SourceFile, read func(ledger.Loader) error) error {
	err := s.withLoadTx(ctx, func(tx *sqlx.Tx, conn *sqlx.Conn) error { return s.loadFile(ctx, tx, conn, f, read) })
	if err == nil {
		s.ckpt.request()
	}
	return err
}

func (s *DB) loadFile(ctx context.Context, tx *sqlx.Tx, conn *sqlx.Conn, f *recon.SourceFile, read func(ledger.Loader) error) error {
	prev := ""
	var id int64
	var firstGateway, lastGateway sql.NullInt64
	err := tx.QueryRowxContext(ctx, `SELECT id, sha256, first_gateway_id, last_gateway_id FROM source_files
		WHERE kind = ? AND path = ?`, f.Kind, f.Path).Scan(&id, &prev, &firstGateway, &lastGateway)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		res, err := tx.ExecContext(ctx, `INSERT INTO source_files
			(kind, path, sha256, size, rows_read, rows_accepted, rows_rejected, loaded_at) VALUES (?, ?, ?, ?, 0, 0, 0, ?)`,
			f.Kind, f.Path, f.SHA256, f.Size, ledger.Nanos(s.Now()))
		if err != nil {
			return fmt.Errorf("record source file %s: %w", f.Path, err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
	case err != nil:
		return fmt.Errorf("find source file %s: %w", f.Path, err)
	default:
		// A key table's entries go first: they are found from the rows'.
		gatewayRows := `file_id = ?`
		args := []any{id}
		if firstGateway.Valid && lastGateway.Valid {
			// gateway_records has no index on file_id: its records are found
			// by the ids they took (an empty range for a file that stored
			// none), and only for a file loaded before those ids were kept
			// (NULL) by a scan of every record.
			gatewayRows, args = `id BETWEEN ? AND ? AND file_id = ?`, []any{firstGateway.Int64, lastGateway.Int64, id}
		}
		for _, c := range []struct {
			table, where string
			args         []any
		}{
			{"delivery_keys", `(key_hash, file_id, line) IN (SELECT key_hash, file_id, line FROM deliveries WHERE file_id = ?)`, []any{id}},
			{"gateway_keys", `(key_hash, fetched_at, id) IN (SELECT key_hash, fetched_at, id FROM gateway_records WHERE ` + gatewayRows + `)`, args},
			{"orders", `file_id = ?`, []any{id}},
			{"payouts", `file_id = ?`, []any{id}},
			{"gateway_records", gatewayRows, args},
			{"deliveries", `file_id = ?`, []any{id}},
			{"rejects", `file_id = ?`, []any{id}},
		} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+c.table+` WHERE `+c.where, c.args...); err != nil {
				return fmt.Errorf("clear %s of %s: %w", c.table, f.Path, err)
			}
		}
	}
	// The file's gateway records take the ids after the greatest there is
	// now: the transaction is the store's only writer.
	var before int64
	if err := tx.GetContext(ctx, &before, `SELECT coalesce(max(id), 0) FROM gateway_records`); err != nil {
		return err
	}
	l := &loader{w: newBulkWriter(ctx, conn), fileID: id, now: ledger.Nanos(s.Now()), gatewayID: before,
		gatewayKeys:  keyRuns{insert: gatewayKeyInsert, dir: filepath.Dir(s.path)},
		deliveryKeys: keyRuns{insert: deliveryKeyInsert, dir: filepath.Dir(s.path)}}
	defer l.w.close()
	defer l.gatewayKeys.release()
	defer l.deliveryKeys.release()
	if err := read(l); err != nil {
		return err
	}
	if err := l.flushKeys(); err != nil {
		return fmt.Errorf("store rows of %s: %w", f.Path, err)
	}
	if err := l.w.finish(); err != nil {
		return fmt.Errorf("store rows of %s: %w", f.Path, err)
	}
	if prev != "" && prev != f.SHA256 {
		f.PreviousSHA256 = prev
	}
	_, err = tx.ExecContext(ctx, `UPDATE source_files SET sha256 = ?, previous_sha256 = ?, size = ?,
		rows_read = ?, rows_accepted = ?, rows_rejected = ?, numeric_keys = ?, loaded_at = ?, settings_sha256 = ?,
		first_gateway_id = ?, last_gateway_id = ?, stamp = ? WHERE id = ?`,
		f.SHA256, f.PreviousSHA256, f.Size, f.Read, f.Accepted, f.Rejected, f.NumericKeys, ledger.Nanos(s.Now()), f.Settings,
		before+1, l.gatewayID, f.Stamp, id) // the ids the file's records took; an empty range when none, as a ledger's
	if err != nil {
		return fmt.Errorf("record source file %s: %w", f.Path, err)
	}
	return nil
}

// loader inserts the records of one file inside LoadFile's transaction,
// many rows to a cgo call (bulk.go), and their key entries a sorted run at
// a time (keytable.go).
type loader struct {
	w                         *bulkWriter
	fileID                    int64
	now                       int64
	seq                       int64
	gatewayID                 int64 // the id the last gateway record took
	gatewayKeys, deliveryKeys keyRuns
}

// flushKeys inserts the key entries still gathered.
func (l *loader) flushKeys() error {
	if err := l.gatewayKeys.flush(l.w); err != nil {
		return err
	}
	return l.deliveryKeys.flush(l.w)
}

// key gathers a key entry.
func (l *loader) key(k *keyRuns, e keyEntry) error {
	if err := k.add(e); err != nil {
		return fmt.Errorf("store rows: %w", err)
	}
	return nil
}

// exec queues one row of a single-row INSERT … VALUES (…) statement.
func (l *loader) exec(query string, args ...any) error {
	if err := l.w.add(query, args...); err != nil {
		return fmt.Errorf("store rows: %w", err)
	}
	return nil
}

// end queues the row b.
func (l *loader) end(b *bulkRow) error {
	if err := l.w.end(b); err != nil {
		return fmt.Errorf("store rows: %w", err)
	}
	return nil
}

func (l *loader) next() int64 { l.seq++; return l.seq }

const insertOrder = `INSERT INTO orders (file_id, seq, line, order_id, amount, currency, status, class, created_at,
	transaction_id, payment_method) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// Order stores an order row.
func (l *loader) Order(o *recon.Order) error {
	b := l.w.row(insertOrder, 11)
	b.Int(l.fileID)
	ledger.OrderValues(b, l.next(), o)
	return l.end(b)
}

const insertPayout = `INSERT INTO payouts (file_id, seq, line, payout_order_id, amount, currency, status, class,
	transfer_mode, beneficiary_account, beneficiary_ifsc, beneficiary_vpa, utr, utr_corrupted, utr_raw, requested_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// Payout stores a payout row.
func (l *loader) Payout(p *recon.Payout) error {
	b := l.w.row(insertPayout, 16)
	b.Int(l.fileID)
	ledger.PayoutValues(b, l.next(), p)
	return l.end(b)
}

// Gateway stores a gateway record read from a dump. Its id is given, the
// one after the last record's, so that its key entry can name it.
func (l *loader) Gateway(g *recon.GatewayRecord) error {
	l.gatewayID++
	hash := recon.KeyHash(g.Entity, g.Key)
	b := l.w.row(insertGatewayQuery, 24)
	b.Int(l.gatewayID)
	b.Int(l.fileID)
	ledger.GatewayValues(b, l.now, g, false)
	b.Int(hash)
	if err := l.end(b); err != nil {
		return err
	}
	return l.key(&l.gatewayKeys, keyEntry{hash, l.now, l.gatewayID})
}

// insertGatewayQuery stores a gateway record: its id (NULL for the next),
// its file (NULL for a pulled record), the values of ledger.GatewayValues
// and the hash of its entity and key (recon.KeyHash).
const insertGatewayQuery = `INSERT INTO gateway_records (id, file_id, line, entity, key, gateway_id, amount, currency,
	status, class, transaction_id, bank_reference, utr, payment_method, transfer_mode, beneficiary_account,
	beneficiary_ifsc, beneficiary_vpa, failure_reason, created_at, settled_at, fetched_at, raw, key_hash)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// insertDelivery stores a delivery: its file, the values of
// ledger.DeliveryValues and the hash of its entity and key.
const insertDelivery = `INSERT INTO deliveries (file_id, line, received_at, timestamp, event, entity, key, class,
	amount, currency, transaction_id, utr, body_sha256, verified, stale, problem, key_hash)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// Delivery stores a webhook delivery.
func (l *loader) Delivery(d *recon.Delivery) error {
	hash := recon.KeyHash(d.Entity, d.Key)
	b := l.w.row(insertDelivery, 17)
	b.Int(l.fileID)
	ledger.DeliveryValues(b, d)
	b.Int(hash)
	if err := l.end(b); err != nil {
		return err
	}
	return l.key(&l.deliveryKeys, keyEntry{hash, l.fileID, int64(d.Place.LineNo())})
}

// Reject stores a rejected row.
func (l *loader) Reject(r *recon.Reject) error {
	return l.exec(`INSERT INTO rejects (file_id, seq, line, column, value, reason) VALUES (?, ?, ?, ?, ?, ?)`,
		l.fileID, l.next(), r.Line, r.Column, strings.ToValidUTF8(r.Value, "\uFFFD"), r.Reason)
}

// SetDaySources records which files make up a business date's sources,
// replacing what the date had: role → path (a role with an empty path is
// removed). Each file must have been loaded.
func (s *DB) SetDaySources(ctx context.Context, date string, roles map[string]recon.SourceFile) error {
	return s.withTx(ctx, func(tx *sqlx.Tx) error {
		// A run of a date whose files are unchanged writes nothing: the
		// rows its parts kept serve only a store unchanged (parts.go).
		if same, err := sameDaySources(ctx, tx, date, roles); err != nil || same {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM day_sources WHERE business_date = ?`, date); err != nil {
			return fmt.Errorf("clear sources of %s: %w", date, err)
		}
		for role, f := range roles {
			_, err := tx.ExecContext(ctx, `INSERT INTO day_sources (business_date, role, file_id)
				SELECT ?, ?, id FROM source_files WHERE kind = ? AND path = ?`, date, role, f.Kind, f.Path)
			if err != nil {
				return fmt.Errorf("record sources of %s: %w", date, err)
			}
		}
		return nil
	})
}

// sameDaySources reports whether date's sources are roles already.
func sameDaySources(ctx context.Context, tx *sqlx.Tx, date string, roles map[string]recon.SourceFile) (bool, error) {
	var have []struct {
		Role, Kind, Path string
	}
	err := tx.SelectContext(ctx, &have, `SELECT ds.role, f.kind, f.path FROM day_sources ds
		JOIN source_files f ON f.id = ds.file_id WHERE ds.business_date = ?`, date)
	if err != nil {
		return false, fmt.Errorf("read sources of %s: %w", date, err)
	}
	want := 0
	for _, f := range roles {
		if f.Path != "" {
			want++
		}
	}
	if len(have) != want {
		return false, nil
	}
	for _, h := range have {
		if f, ok := roles[h.Role]; !ok || f.Kind != h.Kind || f.Path != h.Path {
			return false, nil
		}
	}
	return true, nil
}

// DayRejects returns the rejected rows of a date's source files, file by
// file in role order, each in file order. The ledgers of the dates before
// and after, read for their rows dated the day, are left out: their own
// date's run reports their rejects.
func (s *DB) DayRejects(ctx context.Context, date string) ([]recon.Reject, error) {
	rows, err := s.db.QueryxContext(ctx, `SELECT f.path, r.line, r.column, r.value, r.reason
		FROM day_sources ds JOIN source_files f ON f.id = ds.file_id JOIN rejects r ON r.file_id = f.id
		WHERE ds.business_date = ? AND ds.role NOT IN ('orders_prev', 'orders_next', 'payouts_prev', 'payouts_next')
		ORDER BY CASE ds.role WHEN 'orders' THEN 1 WHEN 'payouts' THEN 2 WHEN 'gateway' THEN 3
			WHEN 'webhooks' THEN 4 ELSE 5 END, r.seq`, date)
	if err != nil {
		return nil, fmt.Errorf("read rejects of %s: %w", date, err)
	}
	defer rows.Close()
	var out []recon.Reject
	for rows.Next() {
		var r recon.Reject
		if err := rows.Scan(&r.File, &r.Line, &r.Column, &r.Value, &r.Reason); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
