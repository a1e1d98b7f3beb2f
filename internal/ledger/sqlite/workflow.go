package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/recon"
)

// The exception workflow of SPEC §8. An exception's state, owner and note
// are those of the latest entry of the append-only exception_audit table
// for its key (date, category, entity, reference); a key with no entry is
// OPEN, or RESOLVED once a run's re-check resolved it. The trail is kept
// apart from the exceptions table, which runs replace, so a re-run never
// loses what a person recorded.

// FindKey completes a key whose entity may be empty: it returns the one
// stored exception it names, ledger.ErrNoException, or an *ledger.AmbiguousError.
func (s *DB) FindKey(ctx context.Context, k ledger.Key) (ledger.Key, error) {
	var entities []string
	q := `SELECT entity FROM exceptions WHERE business_date = ? AND category = ? AND reference = ?`
	args := []any{k.Date, string(k.Category), k.Reference}
	if k.Entity != "" {
		q += ` AND entity = ?`
		args = append(args, string(k.Entity))
	}
	if err := s.db.SelectContext(ctx, &entities, q+` ORDER BY entity`, args...); err != nil {
		return k, fmt.Errorf("find exception %s: %w", k, err)
	}
	return ledger.ResolveEntity(k, entities)
}

// Record applies changes in one transaction: each becomes an audit entry
// from the key's current state, or, when any fails (a key with no
// exception, a state that needs a note without one), none does. A change
// that alters nothing (same state, owner and note) records nothing.
// It returns the entries recorded.
func (s *DB) Record(ctx context.Context, changes []ledger.Change) ([]ledger.AuditEntry, error) {
	at := s.Now().UTC().Format(time.RFC3339Nano)
	var out []ledger.AuditEntry
	err := s.withTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		out, err = ledger.RecordChanges(changes, at,
			func(k ledger.Key) (ledger.Workflow, bool, error) { return current(ctx, tx, k) },
			func(e ledger.AuditEntry) (int64, error) { return appendAudit(ctx, tx, e) })
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Current returns the workflow of a stored exception, or ledger.ErrNoException.
func (s *DB) Current(ctx context.Context, k ledger.Key) (ledger.Workflow, error) {
	w, live, err := current(ctx, s.db, k)
	if err == nil && !live {
		err = fmt.Errorf("%s: %w", k, ledger.ErrNoException)
	}
	return w, err
}

// current returns a key's workflow and whether the store holds the
// exception.
func current(ctx context.Context, q sqlx.QueryerContext, k ledger.Key) (ledger.Workflow, bool, error) {
	var resolvedOn string
	err := sqlx.GetContext(ctx, q, &resolvedOn, `SELECT resolved_on FROM exceptions WHERE business_date = ? AND category = ?
		AND entity = ? AND reference = ?`, k.Date, string(k.Category), string(k.Entity), k.Reference)
	live := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return ledger.Workflow{}, false, err
	}
	w := ledger.Derived(resolvedOn)
	var last struct {
		To    string `db:"to_state"`
		Owner string `db:"owner"`
		Note  string `db:"note"`
		RunID string `db:"run_id"`
	}
	err = sqlx.GetContext(ctx, q, &last, `SELECT to_state, owner, note, run_id FROM exception_audit
		WHERE business_date = ? AND category = ? AND entity = ? AND reference = ? ORDER BY id DESC LIMIT 1`,
		k.Date, string(k.Category), string(k.Entity), k.Reference)
	switch {
	case err == nil:
		w = ledger.Workflow{State: recon.State(last.To), Owner: last.Owner, Note: last.Note, ByRun: last.RunID != ""}
	case !errors.Is(err, sql.ErrNoRows):
		return ledger.Workflow{}, false, err
	}
	return w, live, nil
}

func appendAudit(ctx context.Context, tx *sqlx.Tx, e ledger.AuditEntry) (int64, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO exception_audit (business_date, category, entity, reference, at, who,
		from_state, to_state, owner, note, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Key.Date, string(e.Key.Category), string(e.Key.Entity), e.Key.Reference, e.At, e.Who,
		string(e.From), string(e.To), e.Owner, e.Note, e.RunID)
	if err != nil {
		return 0, fmt.Errorf("record %s: %w", e.Key, err)
	}
	return res.LastInsertId()
}

// settle records what a run's data did to the exceptions of date, before
// the run replaces or updates them: reported holds the ledger.ExceptionKey of
// every exception the run reports for date now. An exception stored and
// open that is no longer reported was settled by the data: it becomes
// RESOLVED, whatever a person had set. One that a run had resolved and
// that is reported again re-opens. A person's state otherwise holds.
func (s *DB) settle(ctx context.Context, tx *sqlx.Tx, date, runDate, runID string, reported map[string]bool) error {
	type row struct {
		Category   string `db:"category"`
		Entity     string `db:"entity"`
		Reference  string `db:"reference"`
		ResolvedOn string `db:"resolved_on"`
	}
	var rows []row
	if err := tx.SelectContext(ctx, &rows, `SELECT category, entity, reference, resolved_on FROM exceptions
		WHERE business_date = ?`, date); err != nil {
		return fmt.Errorf("states of %s: %w", date, err)
	}
	flows, err := latest(ctx, tx, date)
	if err != nil {
		return err
	}
	stored := make([]ledger.StoredException, len(rows))
	for i, r := range rows {
		stored[i] = ledger.StoredException{Category: recon.Category(r.Category), Entity: recon.Entity(r.Entity),
			Reference: r.Reference, ResolvedOn: r.ResolvedOn}
	}
	at := s.Now().UTC().Format(time.RFC3339Nano)
	for _, e := range ledger.SettleEntries(date, runDate, runID, at, stored, flows, reported) {
		if _, err := appendAudit(ctx, tx, e); err != nil {
			return err
		}
	}
	return nil
}

// latest returns the latest audit entry of each key of date that has one.
func latest(ctx context.Context, tx sqlx.QueryerContext, date string) (map[string]ledger.KeyFlow, error) {
	rows, err := tx.QueryxContext(ctx, `SELECT a.category, a.entity, a.reference, a.to_state, a.owner, a.note, a.run_id
		FROM exception_audit a WHERE a.business_date = ? AND a.id = (SELECT max(b.id) FROM exception_audit b
		WHERE b.business_date = a.business_date AND b.category = a.category AND b.entity = a.entity
		AND b.reference = a.reference)`, date)
	if err != nil {
		return nil, fmt.Errorf("states of %s: %w", date, err)
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
	return out, rows.Err()
}

// ApplyStates fills the State, Owner and Note of each exception from the
// store; an exception's Date names its business date.
func (s *DB) ApplyStates(ctx context.Context, exs []recon.Exception) error {
	return ledger.ApplyFlows(exs, func(date string) (map[string]ledger.KeyFlow, error) { return latest(ctx, s.db, date) })
}

// Audit returns the audit trail, oldest first; a non-empty date keeps
// that business date's entries only.
func (s *DB) Audit(ctx context.Context, date string) ([]ledger.AuditEntry, error) {
	q := `SELECT id, business_date, category, entity, reference, at, who, from_state, to_state, owner, note, run_id
		FROM exception_audit`
	var args []any
	if date != "" {
		q += ` WHERE business_date = ?`
		args = append(args, date)
	}
	rows, err := s.db.QueryxContext(ctx, q+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("read the audit trail: %w", err)
	}
	defer rows.Close()
	var out []ledger.AuditEntry
	for rows.Next() {
		var e ledger.AuditEntry
		var c, en, from, to string
		if err := rows.Scan(&e.ID, &e.Key.Date, &c, &en, &e.Key.Reference, &e.At, &e.Who, &from, &to, &e.Owner,
			&e.Note, &e.RunID); err != nil {
			return nil, err
		}
		e.Key.Category, e.Key.Entity, e.From, e.To = recon.Category(c), recon.Entity(en), recon.State(from), recon.State(to)
		out = append(out, e)
	}
	return out, rows.Err()
}

// List returns the stored exceptions across dates that f selects, with
// their state, owner and note and their age on f.Today, by date,
// category, entity, reference.
func (s *DB) List(ctx context.Context, f ledger.Filter) ([]ledger.Listed, error) {
	q := `SELECT business_date, category, entity, reference, severity, provisional, first_seen, ledger_amount,
		gateway_amount, difference, ledger_status, gateway_status, webhook_status, ledger_utr, gateway_utr, detail,
		evidence, resolved_on FROM exceptions WHERE 1 = 1`
	var args []any
	if f.Date != "" {
		q += ` AND business_date = ?`
		args = append(args, f.Date)
	}
	if f.Category != "" {
		q += ` AND category = ?`
		args = append(args, string(f.Category))
	}
	rows, err := s.db.QueryxContext(ctx, q+` ORDER BY business_date, category, entity, reference`, args...)
	if err != nil {
		return nil, fmt.Errorf("list exceptions: %w", err)
	}
	defer rows.Close()
	var out []ledger.Listed
	for rows.Next() {
		var l ledger.Listed
		var c, en, sev, evidence string
		var la, ga, diff sql.NullInt64
		if err := rows.Scan(&l.Date, &c, &en, &l.Reference, &sev, &l.Provisional, &l.FirstSeen, &la, &ga, &diff,
			&l.LedgerStatus, &l.GatewayStatus, &l.WebhookStatus, &l.LedgerUTR, &l.GatewayUTR, &l.Detail, &evidence,
			&l.ResolvedOn); err != nil {
			return nil, err
		}
		l.Category, l.Entity, l.Severity = recon.Category(c), recon.Entity(en), recon.Severity(sev)
		l.LedgerAmount, l.GatewayAmount, l.Difference = nullAmount(la), nullAmount(ga), nullAmount(diff)
		l.Evidence = strings.Fields(evidence)
		l.AgeDays = recon.AgeDays(l.FirstSeen, f.Today)
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	flows := map[string]map[string]ledger.KeyFlow{}
	kept := out[:0]
	for _, l := range out {
		byKey, ok := flows[l.Date]
		if !ok {
			if byKey, err = latest(ctx, s.db, l.Date); err != nil {
				return nil, err
			}
			flows[l.Date] = byKey
		}
		w := ledger.Derived(l.ResolvedOn)
		if kf, ok := byKey[ledger.ExceptionKey(l.Category, l.Entity, l.Reference)]; ok {
			w = kf.Workflow
		}
		l.State, l.Owner, l.Note = w.State, w.Owner, w.Note
		if f.Open && !l.State.Open() || f.OlderThan > 0 && l.AgeDays <= f.OlderThan {
			continue
		}
		kept = append(kept, l)
	}
	return kept, nil
}
