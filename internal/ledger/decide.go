package ledger

import (
	"fmt"
	"sort"
	"strings"

	"github.com/kwikpaisa/recon/internal/recon"
)

// The decisions every store makes the same way when runs and people change
// exceptions: what a re-check of an earlier date writes (PlanRecheck),
// what a run's data does to a person's workflow (SettleEntries) and what a
// person's change records (Change.Entry). A store reads what they need and
// writes what they return, in one transaction.

// StoredException is what a store holds of one exception of a date.
type StoredException struct {
	Category   recon.Category
	Entity     recon.Entity
	Reference  string
	FirstSeen  string
	FoundOn    string
	ResolvedOn string // "" while open
}

func (s StoredException) key() string { return ExceptionKey(s.Category, s.Entity, s.Reference) }

// RecheckPlan is what a re-check writes, in this order: Replace's rows
// deleted, Insert's inserted (found on the run's date), Update's updated
// in place (keeping first_seen and found_on, resolved_on cleared), and
// Resolve's resolved on the run's date.
type RecheckPlan struct {
	Replace []StoredException
	Insert  []recon.Exception
	Update  []recon.Exception
	Resolve []StoredException
	Result  Recheck
}

// PlanRecheck decides the re-check by a run of runDate of the earlier date
// date, which stored before and now reports exs. A row reported again
// keeps its first_seen and found_on; a row no longer reported is resolved
// on runDate; a row reported for the first time, or again after an earlier
// resolution, is found on runDate, first seen on date at the latest.
// Counting by found_on and resolved_on makes a re-run of runDate count the
// same.
func PlanRecheck(date, runDate string, before []StoredException, exs []recon.Exception) RecheckPlan {
	p := RecheckPlan{Result: Recheck{Date: date}}
	stored := make(map[string]*StoredException, len(before))
	for i := range before {
		stored[before[i].key()] = &before[i]
	}
	now := make(map[string]bool, len(exs))
	for _, e := range exs {
		k := ExceptionKey(e.Category, e.Entity, e.Reference)
		now[k] = true
		prev, ok := stored[k]
		if !ok || prev.ResolvedOn != "" && prev.ResolvedOn < runDate {
			if ok {
				p.Replace = append(p.Replace, *prev)
			}
			if e.FirstSeen == "" || e.FirstSeen > date {
				e.FirstSeen = date
			}
			p.Insert = append(p.Insert, e)
			p.Result.New++
		} else {
			e.FirstSeen = prev.FirstSeen
			p.Update = append(p.Update, e)
			if prev.FoundOn == runDate {
				p.Result.New++ // found by an earlier run of the same date
			} else {
				p.Result.StillOpen++
			}
		}
		e.AgeDays = recon.AgeDays(e.FirstSeen, runDate)
		p.Result.Open = append(p.Result.Open, e)
	}
	for _, r := range before {
		if now[r.key()] || r.ResolvedOn != "" && r.ResolvedOn < runDate {
			continue
		}
		p.Resolve = append(p.Resolve, r)
		p.Result.Resolved++
	}
	sort.Slice(p.Resolve, func(i, j int) bool { return p.Resolve[i].key() < p.Resolve[j].key() })
	return p
}

// ReportedKeys is the set of the ExceptionKeys of exs.
func ReportedKeys(exs []recon.Exception) map[string]bool {
	out := make(map[string]bool, len(exs))
	for i := range exs {
		out[ExceptionKey(exs[i].Category, exs[i].Entity, exs[i].Reference)] = true
	}
	return out
}

// RunWho is the audit trail's "who" for a change a run made.
const RunWho = "recon run"

// KeyFlow is a key's workflow as its latest audit entry left it.
type KeyFlow struct {
	Key Key
	Workflow
}

// Derived is the workflow of a stored exception with no audit entry.
func Derived(resolvedOn string) Workflow {
	if resolvedOn != "" {
		return Workflow{State: recon.StateResolved, ByRun: true}
	}
	return Workflow{State: recon.StateOpen}
}

// SettleEntries decides what a run's data does to the exceptions of date
// before the run replaces or updates them: stored are the date's stored
// exceptions, flows the latest audit entry of each key that has one (by
// ExceptionKey), reported the keys the run reports for date now. An
// exception stored and open that is no longer reported was settled by the
// data: it becomes RESOLVED, whatever a person had set. One that a run had
// resolved and that is reported again re-opens. A person's state otherwise
// holds. The entries come in key order, at at.
func SettleEntries(date, runDate, runID, at string, stored []StoredException, flows map[string]KeyFlow,
	reported map[string]bool) []AuditEntry {
	type item struct {
		key  Key
		flow Workflow
		live bool // stored and not resolved
	}
	items := map[string]*item{}
	for _, r := range stored {
		k := Key{Date: date, Category: r.Category, Entity: r.Entity, Reference: r.Reference}
		items[r.key()] = &item{key: k, flow: Derived(r.ResolvedOn), live: r.ResolvedOn == ""}
	}
	for ek, f := range flows {
		it := items[ek]
		if it == nil {
			it = &item{key: f.Key}
			items[ek] = it
		}
		it.flow = f.Workflow
	}
	keys := make([]string, 0, len(items))
	for ek := range items {
		keys = append(keys, ek)
	}
	sort.Strings(keys) // entries in key order: the trail reads the same run to run
	var out []AuditEntry
	for _, ek := range keys {
		it := items[ek]
		settledByRun := it.flow.State == recon.StateResolved && it.flow.ByRun
		e := AuditEntry{Key: it.key, At: at, Who: RunWho, From: it.flow.State, Owner: it.flow.Owner, RunID: runID}
		switch {
		case reported[ek] && settledByRun:
			e.To, e.Note = recon.StateOpen, "reported again by the run of "+runDate
		case !reported[ek] && it.live && !settledByRun:
			e.To, e.Note = recon.StateResolved, "settled: no longer reported by the run of "+runDate
		default:
			continue
		}
		out = append(out, e)
	}
	return out
}

// Check refuses a change to a state that needs a note without one.
func (c Change) Check() error {
	if c.To.NeedsNote() && strings.TrimSpace(c.Note) == "" {
		return fmt.Errorf("%s: %s needs a note saying what was done", c.Key, c.To)
	}
	return nil
}

// Entry is the audit entry c makes at at from the key's current workflow,
// and false when it would alter nothing (same state, owner and note).
func (c Change) Entry(cur Workflow, at string) (AuditEntry, bool) {
	owner := cur.Owner
	if c.Owner != nil {
		owner = *c.Owner
	}
	if cur.State == c.To && cur.Owner == owner && cur.Note == c.Note {
		return AuditEntry{}, false
	}
	return AuditEntry{Key: c.Key, At: at, Who: c.Who, From: cur.State, To: c.To, Owner: owner, Note: c.Note}, true
}

// RecordChanges is what Store.Record does inside its transaction, the same
// in every store: each change is checked, compared with its key's current
// workflow (current; false when the store holds no such exception) and,
// when it alters something, appended to the audit trail (appendAudit
// returns the entry's id). The first failure fails them all.
func RecordChanges(changes []Change, at string, current func(Key) (Workflow, bool, error),
	appendAudit func(AuditEntry) (int64, error)) ([]AuditEntry, error) {
	var out []AuditEntry
	for _, c := range changes {
		if err := c.Check(); err != nil {
			return nil, err
		}
		cur, live, err := current(c.Key)
		if err != nil {
			return nil, err
		}
		if !live {
			return nil, fmt.Errorf("%s: %w", c.Key, ErrNoException)
		}
		e, changed := c.Entry(cur, at)
		if !changed {
			continue
		}
		if e.ID, err = appendAudit(e); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// ResolveEntity completes k with the one entity the store holds an
// exception of k's date, category and reference under (entities, as
// found): ErrNoException when none, an *AmbiguousError when several.
func ResolveEntity(k Key, entities []string) (Key, error) {
	switch len(entities) {
	case 0:
		return k, fmt.Errorf("%s %s on %s: %w", k.Category, k.Reference, k.Date, ErrNoException)
	case 1:
		k.Entity = recon.Entity(entities[0])
		return k, nil
	}
	amb := &AmbiguousError{Key: k}
	for _, e := range entities {
		amb.Entities = append(amb.Entities, recon.Entity(e))
	}
	return k, amb
}

// ApplyFlows sets each exception's state, owner and note from the latest
// audit entries of its date (latest reads a date's, once a date); an
// exception without any is open and unowned.
func ApplyFlows(exs []recon.Exception, latest func(date string) (map[string]KeyFlow, error)) error {
	byDate := map[string]map[string]KeyFlow{}
	for i := range exs {
		e := &exs[i]
		flows, ok := byDate[e.Date]
		if !ok {
			var err error
			if flows, err = latest(e.Date); err != nil {
				return err
			}
			byDate[e.Date] = flows
		}
		e.State, e.Owner, e.Note = recon.StateOpen, "", ""
		if f, ok := flows[ExceptionKey(e.Category, e.Entity, e.Reference)]; ok {
			e.State, e.Owner, e.Note = f.State, f.Owner, f.Note
		}
	}
	return nil
}
