package ingest

import "strings"

// arenaSize is an arena's allocation: the text fields of two or three
// gateway records or webhook deliveries (about 150 bytes each), so that a
// record's text costs less than one allocation instead of one a field.
const arenaSize = 512

// arena copies the text fields of records into shared allocations. The
// strings it returns are never written again (the builder only appends,
// and a full buffer is left, not reused), and each keeps its whole buffer
// alive, so an arena serves records that are kept or dropped alike, as the
// records a file's parse hands on to be stored, a few at a time, are.
type arena struct {
	b strings.Builder
}

// string returns a copy of b in the arena.
func (a *arena) string(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if a.b.Cap()-a.b.Len() < len(b) {
		// A new buffer rather than a larger copy of this one: the strings
		// already handed out point into this one and keep it.
		a.b = strings.Builder{}
		a.b.Grow(max(arenaSize, len(b)))
	}
	n := a.b.Len()
	a.b.Write(b)
	return a.b.String()[n:]
}
