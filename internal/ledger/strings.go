package ledger

import "unsafe"

// Strings makes the strings of a day's stored rows as a store's load reads
// them. The words a column repeats (a currency, a status, an IFSC) are
// interned; the rest are carved from shared blocks, so a day's millions of
// short ids cost one allocation per block instead of one each. A string
// keeps its block alive, as the day's records keep their strings anyway.
// The zero value is ready; one load, one goroutine.
type Strings struct {
	words  map[string]string
	block  []byte // what is left of the block strings are carved from
	blocks int    // blocks allocated so far
}

// maxWords bounds the interned words: a column of ids read as words would
// otherwise keep every id twice.
const maxWords = 4096

// Word returns b as a string, the same string for each b that repeats.
func (s *Strings) Word(b []byte) string {
	if w, ok := s.words[string(b)]; ok {
		return w
	}
	w := string(b)
	if s.words == nil {
		s.words = map[string]string{}
	}
	if len(s.words) < maxWords {
		s.words[w] = w
	}
	return w
}

// Keep returns b as a new string carved from the current block.
func (s *Strings) Keep(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > 512 {
		return string(b)
	}
	if len(s.block) < len(b) {
		// 4 KiB first, then doubling to 1 MiB: a small load wastes little.
		s.block = make([]byte, 4096<<min(s.blocks, 8))
		s.blocks++
	}
	n := copy(s.block, b)
	str := unsafe.String(&s.block[0], n)
	s.block = s.block[n:]
	return str
}
