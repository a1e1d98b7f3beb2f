package ledger

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kwikpaisa/recon/internal/recon"
)

// Key identifies an exception (SPEC §8).
type Key struct {
	Date      string
	Category  recon.Category
	Entity    recon.Entity
	Reference string
}

func (k Key) String() string {
	return fmt.Sprintf("%s %s %s %s", k.Date, k.Category, k.Entity, k.Reference)
}

// AuditEntry is one change of an exception's state.
type AuditEntry struct {
	ID    int64
	Key   Key
	At    string // RFC 3339, UTC
	Who   string
	From  recon.State
	To    recon.State
	Owner string
	Note  string
	RunID string // the run that made the change, or ""
}

// Workflow is an exception's current state, owner and note.
type Workflow struct {
	State recon.State
	Owner string
	Note  string
	ByRun bool // the latest entry was a run's
}

// Change is a change a person asks for.
type Change struct {
	Key   Key
	To    recon.State
	Owner *string // nil keeps the current owner
	Note  string
	Who   string
}

// ErrNoException is returned for a key the store has no exception for.
var ErrNoException = errors.New("no such exception")

// AmbiguousError is returned when a key without an entity matches
// exceptions of several entities.
type AmbiguousError struct {
	Key      Key
	Entities []recon.Entity
}

func (e *AmbiguousError) Error() string {
	names := make([]string, len(e.Entities))
	for i, en := range e.Entities {
		names[i] = string(en)
	}
	return fmt.Sprintf("%s %s on %s is reported for several entities (%s)", e.Key.Category, e.Key.Reference,
		e.Key.Date, strings.Join(names, ", "))
}
