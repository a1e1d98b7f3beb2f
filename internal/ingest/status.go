package ingest

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kwikpaisa/recon/internal/recon"
)

// StatusTable maps status words to classes for each entity (SPEC §2.1). The
// gateway's words (PAID, UN_PAID, QUEUED…) are in the default table too.
type StatusTable struct {
	payin  map[string]recon.StatusClass
	payout map[string]recon.StatusClass
}

// DefaultStatuses returns the synonym table of SPEC §2.1, with the
// gateway's own status words.
func DefaultStatuses() *StatusTable {
	t := &StatusTable{payin: map[string]recon.StatusClass{}, payout: map[string]recon.StatusClass{}}
	add := func(m map[string]recon.StatusClass, c recon.StatusClass, words ...string) {
		for _, w := range words {
			m[statusKey(w)] = c
		}
	}
	add(t.payin, recon.StatusSuccess, "success", "paid", "captured", "completed")
	add(t.payin, recon.StatusNotPaid, "failed", "failure", "declined", "expired", "cancelled", "user_dropped", "un_paid")
	add(t.payin, recon.StatusPending, "pending", "processing", "initiated", "created", "attempted")
	add(t.payin, recon.StatusRefunded, "refunded", "partially_refunded")
	add(t.payout, recon.StatusSuccess, "success", "processed", "paid", "completed")
	add(t.payout, recon.StatusFailed, "failed", "failure", "rejected", "cancelled")
	add(t.payout, recon.StatusPending, "pending", "processing", "queued", "initiated", "on_hold")
	add(t.payout, recon.StatusReversed, "reversed", "returned")
	return t
}

// Set maps word to class for entity, replacing the default.
func (t *StatusTable) Set(entity recon.Entity, word string, class recon.StatusClass) {
	t.table(entity)[statusKey(word)] = class
}

// Class returns the class of a status word, or an error naming the word.
func (t *StatusTable) Class(entity recon.Entity, word string) (recon.StatusClass, error) {
	if strings.TrimSpace(word) == "" {
		return recon.StatusNone, fmt.Errorf("status is empty")
	}
	c, ok := lookupStatus(t.table(entity), word)
	if !ok {
		section := "orders"
		if entity == recon.EntityPayout {
			section = "payouts"
		}
		// The reason says how to teach recon the word: the configuration
		// line that maps it.
		return recon.StatusNone, fmt.Errorf("status %q is not a known %s status; if it is one, map it in the configuration: "+
			"[statuses.%s] %s = \"<%s>\"", strings.TrimSpace(word), strings.ToLower(string(entity)), section,
			tomlKey(strings.ToLower(strings.TrimSpace(word))), strings.ReplaceAll(classList(entity), ", ", "|"))
	}
	return c, nil
}

func (t *StatusTable) table(entity recon.Entity) map[string]recon.StatusClass {
	if entity == recon.EntityPayout {
		return t.payout
	}
	return t.payin
}

// lookupStatus finds word's class in m, its key folded into a buffer on
// the stack: the lookup of a string made from bytes allocates nothing, on
// the line of every record of a dump.
func lookupStatus(m map[string]recon.StatusClass, word string) (recon.StatusClass, bool) {
	var buf [32]byte
	c, ok := m[string(appendStatusKey(buf[:0], word))]
	return c, ok
}

// statusKey folds case, spaces and hyphens: "User Dropped" = "user_dropped".
// A word already folded is returned as it is.
func statusKey(s string) string {
	var buf [32]byte
	if k := appendStatusKey(buf[:0], s); string(k) != s {
		return string(k)
	}
	return s
}

// appendStatusKey appends the key of s (statusKey) to dst.
func appendStatusKey(dst []byte, s string) []byte {
	for _, r := range strings.TrimSpace(s) {
		if r == ' ' || r == '-' {
			r = '_'
		} else {
			r = unicode.ToLower(r)
		}
		dst = utf8.AppendRune(dst, r)
	}
	return dst
}

// classes are the status classes each entity may have (SPEC §2.1).
var classes = map[recon.Entity][]recon.StatusClass{
	recon.EntityPayin:  {recon.StatusSuccess, recon.StatusNotPaid, recon.StatusPending, recon.StatusRefunded},
	recon.EntityPayout: {recon.StatusSuccess, recon.StatusFailed, recon.StatusPending, recon.StatusReversed},
}

// StatusesFrom returns the default synonym table with the configured words
// added: payin and payout map a status word as the ledger writes it to a
// class name (SUCCESS, NOT_PAID, FAILED, PENDING, REFUNDED, REVERSED), case-
// insensitively. A configured word replaces the default meaning of the same
// word. A class an entity cannot have is an error naming the word.
func StatusesFrom(payin, payout map[string]string) (*StatusTable, error) {
	t := DefaultStatuses()
	for _, e := range []struct {
		entity recon.Entity
		words  map[string]string
	}{{recon.EntityPayin, payin}, {recon.EntityPayout, payout}} {
		for word, name := range e.words {
			if statusKey(word) == "" {
				return nil, fmt.Errorf("%s status synonyms: an empty status word", strings.ToLower(string(e.entity)))
			}
			class, ok := classOf(e.entity, name)
			if !ok {
				return nil, fmt.Errorf("%s status %q: %q is not a %s status class (use %s)", strings.ToLower(string(e.entity)),
					word, name, strings.ToLower(string(e.entity)), classList(e.entity))
			}
			t.Set(e.entity, word, class)
		}
	}
	return t, nil
}

func classOf(entity recon.Entity, name string) (recon.StatusClass, bool) {
	want := strings.ToUpper(strings.TrimSpace(strings.ReplaceAll(name, "-", "_")))
	for _, c := range classes[entity] {
		if c.String() == want {
			return c, true
		}
	}
	return recon.StatusNone, false
}

func classList(entity recon.Entity) string {
	names := make([]string, len(classes[entity]))
	for i, c := range classes[entity] {
		names[i] = c.String()
	}
	return strings.Join(names, ", ")
}

// tomlKey writes a key as TOML needs it: bare when it can be, else quoted.
func tomlKey(k string) string {
	if k != "" && strings.IndexFunc(k, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-')
	}) < 0 {
		return k
	}
	return strconv.Quote(k)
}
