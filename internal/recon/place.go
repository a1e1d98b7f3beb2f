package recon

import (
	"strconv"
	"sync"
	"sync/atomic"
)

// Place says where a record came from: a file and a line in it. For a CSV
// or a JSON-lines file the line is the 1-based line number; for an XLSX
// file it is "Sheet!row". A record fetched from the API has the file "api"
// and the call for its line.
//
// A Place is 8 bytes, in each of a day's millions of records: the number
// of its source (a file, and what its lines start with: "Sheet!" for a
// sheet, nothing for a text file) and its line number. The sources are
// kept once for the process, as few as the files it reads.
type Place struct {
	src  uint32 // in sources; 0 is no place
	line uint32 // 0 for none: the source's prefix is the whole line
}

// PlaceSource is a file's places, or a sheet's of a workbook.
type PlaceSource struct{ id uint32 }

type placeSource struct{ file, prefix string }

// sources holds every source a place names, by number: a source is added
// to a copy of the list, and its number is found in ids, so neither a
// place nor a known source takes a lock.
var sources struct {
	mu   sync.Mutex // adding
	ids  sync.Map   // placeSource → uint32
	list atomic.Pointer[[]placeSource]
}

func init() {
	list := []placeSource{{}} // 0: no place
	sources.list.Store(&list)
}

// SourceOf returns the places of file whose lines start with prefix
// ("Sheet1!" for a sheet, "" for a text file).
func SourceOf(file, prefix string) PlaceSource {
	ps := placeSource{file, prefix}
	if ps == (placeSource{}) {
		return PlaceSource{}
	}
	if id, ok := sources.ids.Load(ps); ok {
		return PlaceSource{id.(uint32)}
	}
	sources.mu.Lock()
	defer sources.mu.Unlock()
	if id, ok := sources.ids.Load(ps); ok {
		return PlaceSource{id.(uint32)}
	}
	old := *sources.list.Load()
	list := append(old[:len(old):len(old)], ps)
	sources.list.Store(&list)
	id := uint32(len(old))
	sources.ids.Store(ps, id)
	return PlaceSource{id}
}

// At returns the place at line n (n ≥ 1) of the source.
func (s PlaceSource) At(n int) Place { return Place{src: s.id, line: uint32(n)} }

// PlaceOf returns the place of a file and a line as written: a line
// number, "Sheet!row", or any other word (the API's call).
func PlaceOf(file, line string) Place {
	prefix, n := line, 0
	if i := lastNonDigit(line); i < len(line)-1 && line[i+1] != '0' {
		if v, err := strconv.ParseUint(line[i+1:], 10, 32); err == nil {
			prefix, n = line[:i+1], int(v)
		}
	}
	return SourceOf(file, prefix).At(n)
}

// lastNonDigit returns the index of the last byte of s that is not an
// ASCII digit, or -1.
func lastNonDigit(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] < '0' || s[i] > '9' {
			return i
		}
	}
	return -1
}

func (p Place) source() placeSource { return (*sources.list.Load())[p.src] }

// File returns the place's file ("" for no place).
func (p Place) File() string { return p.source().file }

// Line returns the place's line as written: "12", "Sheet1!12", or the
// API's call.
func (p Place) Line() string {
	if p.line == 0 {
		return p.source().prefix
	}
	return string(p.AppendLine(nil))
}

// AppendLine appends the place's line to dst.
func (p Place) AppendLine(dst []byte) []byte {
	dst = append(dst, p.source().prefix...)
	if p.line == 0 {
		return dst
	}
	return strconv.AppendUint(dst, uint64(p.line), 10)
}

// LineNo returns the place's line number when its line is only a number,
// else 0.
func (p Place) LineNo() int {
	if p.line == 0 || p.source().prefix != "" {
		return 0
	}
	return int(p.line)
}

func (p Place) String() string {
	ps := p.source()
	if ps.file == "" {
		return ""
	}
	b := []byte(ps.file)
	if p.line != 0 || ps.prefix != "" {
		b = p.AppendLine(append(b, ':'))
	}
	return string(b)
}

// Packed returns p as one number, which UnpackPlace turns back into p: for
// a place set aside on disk and read back by the same process (its sources
// are the process's).
func (p Place) Packed() uint64 { return uint64(p.src)<<32 | uint64(p.line) }

// UnpackPlace returns the place Packed returned v for.
func UnpackPlace(v uint64) Place { return Place{src: uint32(v >> 32), line: uint32(v)} }
