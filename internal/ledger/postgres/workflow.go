package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/recon"
)

// The exception workflow of SPEC §8, as the SQLite store keeps it: an
// exception's state, owner and note are those of the latest entry of the
// append-only exception_audit table for its key.

// FindKey completes a key whose entity may be empty: it returns the one
// stored exception it names, ledger.ErrNoException, or an
// *ledger.AmbiguousError.
func (s *DB) FindKey(ctx context.Context, k ledger.Key) (ledger.Key, error) {
	q := `SELECT entity FROM exceptions WHERE merchant_id = $1 AND business_date = $2 AND category = $3 AND reference = $4`
	args := []any{s.merchant, k.Date, string(k.Category), k.Reference}
	if k.Entity != "" {
		q += ` AND entity = $5`
		args = append(args, string(k.Entity))
	}
	rows, err := s.pool.Query(ctx, q+` ORDER BY entity`, args...)
	if err != nil {
		return k, fmt.Errorf("find exception %s: %w", k, s.scrub(err))
	}
	entities, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return k, fmt.Errorf("find exception %s: %w", k, s.scrub(err))
	}
	return ledger.ResolveEntity(k, entities)
}

// Record applies changes in one transaction: each becomes an audit entry
// from the key's current state, or, when any fails, none does.
func (s *DB) Record(ctx context.Context, changes []ledger.Change) ([]ledger.AuditEntry, error) {
	at := s.Now().UTC().Format(time.RFC3339Nano)
	var out []ledger.AuditEntry
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		var err error
		out, err = ledger.RecordChanges(changes, at,
			func(k ledger.Key) (ledger.Workflow, bool, error) { return s.current(ctx, tx, k) },
			func(e ledger.AuditEntry) (int64, error) { return s.appendAudit(ctx, tx, e) })
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// querier is a pool or a transaction.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// Current returns the workflow of a stored exception, or
// ledger.ErrNoException.
func (s *DB) Current(ctx context.Context, k ledger.Key) (ledger.Workflow, error) {
	w, live, err := s.current(ctx, s.pool, k)
	if err == nil && !live {
		err = fmt.Errorf("%s: %w", k, ledger.ErrNoException)
	}
	return w, s.scrub(err)
}

// current returns a key's workflow and whether the store holds the
// exception.
func (s *DB) current(ctx context.Context, q querier, k ledger.Key) (ledger.Workflow, bool, error) {
	var resolvedOn string
	err := q.QueryRow(ctx, `SELECT resolved_on FROM exceptions WHERE merchant_id = $1 AND business_date = $2
		AND category = $3 AND entity = $4 AND reference = $5`,
		s.merchant, k.Date, string(k.Category), string(k.Entity), k.Reference).Scan(&resolvedOn)
	live := err == nil
	if err != nil && !errNoRows(err) {
		return ledger.Workflow{}, false, err
	}
	w := ledger.Derived(resolvedOn)
	var to, owner, note, runID string
	err = q.QueryRow(ctx, `SELECT to_state, owner, note, run_id FROM exception_audit
		WHERE merchant_id = $1 AND business_date = $2 AND category = $3 AND entity = $4 AND reference = $5
		ORDER BY id DESC LIMIT 1`, s.merchant, k.Date, string(k.Category), string(k.Entity), k.Reference).Scan(
		&to, &owner, &note, &runID)
	switch {
	case err == nil:
		w = ledger.Workflow{State: recon.State(to), Owner: owner, Note: note, ByRun: runID != ""}
	case !errNoRows(err):
		return ledger.Workflow{}, false, err
	}
	return w, live, nil
}

func (s *DB) appendAudit(ctx context.Context, tx pgx.Tx, e ledger.AuditEntry) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO exception_audit (merchant_id, business_date, category, entity, reference, at,
		who, from_state, to_state, owner, note, run_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
		RETURNING id`, s.merchant, e.Key.Date, string(e.Key.Category), string(e.Key.Entity), e.Key.Reference, e.At,
		e.Who, string(e.From), string(e.To), e.Owner, e.Note, e.RunID).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("record %s: %w", e.Key, err)
	}
	return id, nil
}

// latest returns the latest audit entry of each key of date that has one.
func (s *DB) latest(ctx context.Context, q querier, date string) (map[string]ledger.KeyFlow, error) {
	rows, err := q.Query(ctx, `SELECT DISTINCT ON (category, entity, reference) category, entity, reference, to_state,
			owner, note, run_id
		FROM exception_audit WHERE merchant_id = $1 AND business_date = $2
		ORDER BY category, entity, reference, id DESC`, s.merchant, date)
	if err != nil {
		return nil, fmt.Errorf("states of %s: %w", date, s.scrub(err))
	}
	defer rows.Close()
	out := map[string]ledger.KeyFlow{}
	for rows.Next() {
		var c, e, r, to, owner, note, runID string
		if err := rows.Scan(&c, &e, &r, &to, &owner, &note, &runID); err != nil {
			return nil, err
		}
		out[ledger.ExceptionKey(recon.Category(c), recon.Entity(e), r)] = ledger.KeyFlow{
			Key:      ledger.Key{Date: date, Category: recon.Category(c), Entity: recon.Entity(e), Reference: r},
			Workflow: ledger.Workflow{State: recon.State(to), Owner: owner, Note: note, ByRun: runID != ""},
		}
	}
	return out, s.scrub(rows.Err())
}

// ApplyStates fills the State, Owner and Note of each exception from the
// store; an exception's Date names its business date.
func (s *DB) ApplyStates(ctx context.Context, exs []recon.Exception) error {
	return ledger.ApplyFlows(exs, func(date string) (map[string]ledger.KeyFlow, error) { return s.latest(ctx, s.pool, date) })
}

// Audit returns the audit trail, oldest first; a non-empty date keeps
// that business date's entries only.
func (s *DB) Audit(ctx context.Context, date string) ([]ledger.AuditEntry, error) {
	q := `SELECT id, business_date, category, entity, reference, at, who, from_state, to_state, owner, note, run_id
		FROM exception_audit WHERE merchant_id = $1`
	args := []any{s.merchant}
	if date != "" {
		q += ` AND business_date = $2`
		args = append(args, date)
	}
	rows, err := s.pool.Query(ctx, q+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("read the audit trail: %w", s.scrub(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ledger.AuditEntry, error) {
		var e ledger.AuditEntry
		var c, en, from, to string
		err := r.Scan(&e.ID, &e.Key.Date, &c, &en, &e.Key.Reference, &e.At, &e.Who, &from, &to, &e.Owner, &e.Note, &e.RunID)
		e.Key.Category, e.Key.Entity, e.From, e.To = recon.Category(c), recon.Entity(en), recon.State(from), recon.State(to)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("read the audit trail: %w", s.scrub(err))
	}
	return out, nil
}

// List returns the stored exceptions across dates that f selects, with
// their state, owner and note and their age on f.Today, by date,
// category, entity, reference.
func (s *DB) List(ctx context.Context, f ledger.Filter) ([]ledger.Listed, error) {
	q := `SELECT ` + exceptionColumns + `, resolved_on, business_date FROM exceptions WHERE merchant_id = $1`
	args := []any{s.merchant}
	if f.Date != "" {
		args = append(args, f.Date)
		q += fmt.Sprintf(` AND business_date = $%d`, len(args))
	}
	if f.Category != "" {
		args = append(args, string(f.Category))
		q += fmt.Sprintf(` AND category = $%d`, len(args))
	}
	rows, err := s.pool.Query(ctx, q+` ORDER BY business_date, category, entity, reference`, args...)
	if err != nil {
		return nil, fmt.Errorf("list exceptions: %w", s.scrub(err))
	}
	defer rows.Close()
	var out []ledger.Listed
	for rows.Next() {
		var l ledger.Listed
		var evidence string
		if err := scanException(rows, &l.Exception, &evidence, &l.ResolvedOn, &l.Date); err != nil {
			return nil, err
		}
		l.Evidence = strings.Fields(evidence)
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, s.scrub(err)
	}
	flows := map[string]map[string]ledger.KeyFlow{}
	kept := out[:0]
	for _, l := range out {
		byKey, ok := flows[l.Date]
		if !ok {
			if byKey, err = s.latest(ctx, s.pool, l.Date); err != nil {
				return nil, err
			}
			flows[l.Date] = byKey
		}
		w := ledger.Derived(l.ResolvedOn)
		if kf, ok := byKey[ledger.ExceptionKey(l.Category, l.Entity, l.Reference)]; ok {
			w = kf.Workflow
		}
		l.State, l.Owner, l.Note = w.State, w.Owner, w.Note
		l.AgeDays = recon.AgeDays(l.FirstSeen, f.Today)
		if f.Open && !l.State.Open() || f.OlderThan > 0 && l.AgeDays <= f.OlderThan {
			continue
		}
		kept = append(kept, l)
	}
	return kept, nil
}
