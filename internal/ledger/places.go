package ledger

import "github.com/kwikpaisa/recon/internal/recon"

// Placer makes the places of one file's stored lines: a line number (most
// are) is a place of the file's source, found once; any other line
// ("Sheet!row", the API's call) is read whole. A store's load makes a
// place for each of a day's millions of rows: recon.PlaceOf would look the
// file's source up, and copy the line, for each.
type Placer struct {
	path string
	Src  recon.PlaceSource
}

// NewPlacer returns the placer of the file at path.
func NewPlacer(path string) Placer { return Placer{path: path, Src: recon.SourceOf(path, "")} }

// At returns the place of a stored line of the file.
func (p Placer) At(line []byte) recon.Place {
	if n := lineNo(line); n > 0 {
		return p.Src.At(n)
	}
	return recon.PlaceOf(p.path, string(line))
}

// Placers finds the placer of each file by its id, once. One load, one
// goroutine: a reader on another connection has its own.
type Placers struct {
	paths  map[int64]string // every source file's path
	byFile map[int64]Placer
}

// NewPlacers returns the placers of the files of paths (id → path).
func NewPlacers(paths map[int64]string) Placers {
	return Placers{paths: paths, byFile: map[int64]Placer{}}
}

// Of returns the placer of the file with id file.
func (p Placers) Of(file int64) Placer {
	pl, ok := p.byFile[file]
	if !ok {
		pl = NewPlacer(p.paths[file])
		p.byFile[file] = pl
	}
	return pl
}

// lineNo returns the line number a stored line is, or 0 when it is not
// only a number of at most nine digits without a leading zero.
func lineNo(line []byte) int {
	if len(line) == 0 || len(line) > 9 || line[0] == '0' {
		return 0
	}
	n := 0
	for _, c := range line {
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + int(c-'0')
	}
	return n
}
