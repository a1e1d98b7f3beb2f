package ingest

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"

	"github.com/kwikpaisa/recon/internal/recon"
)

// An XLSX ledger is read by streaming its sheet's XML straight out of the
// zip: one row in memory at a time, each cell with its stored type. A
// workbook's shared strings are held in memory (every XLSX reader must).
//
// excelize's streaming Rows iterator is not used to read because it gives
// cell values without their type, and a ledger must know a number cell from
// a text cell: "123456789012345678" typed as text is a good UTR, the same
// digits in a number cell were rounded by the spreadsheet. excelize writes
// the workbooks the tests read back.

const (
	maxSharedStrings = 256 << 20 // bytes of shared-string text held in memory
	maxColumns       = 16384     // XFD, the last column Excel has
	maxCellText      = 32767 * 4 // Excel's 32,767 characters, in UTF-8 bytes at most
)

// xlsxSource streams one sheet's rows.
type xlsxSource struct {
	path     string
	sheet    string
	src      recon.PlaceSource // the sheet's places: "Sheet!row"
	zr       *zip.ReadCloser
	part     io.ReadCloser
	dec      *xml.Decoder
	sst      []string
	date1904 bool
	rowNum   int
	inRow    bool
	done     bool
}

func openXLSX(file, sheet string) (rowSource, error) {
	zr, err := zip.OpenReader(file)
	if err != nil {
		return nil, fmt.Errorf("%s: not a readable XLSX workbook (%v); is the file complete?", file, err)
	}
	s := &xlsxSource{path: file, zr: zr}
	if err := s.open(sheet); err != nil {
		zr.Close()
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return s, nil
}

// open finds the sheet, loads the shared strings and starts the sheet's
// XML stream.
func (s *xlsxSource) open(want string) error {
	files := make(map[string]*zip.File, len(s.zr.File))
	for _, f := range s.zr.File {
		files[strings.TrimPrefix(f.Name, "/")] = f
	}
	wbPath := "xl/workbook.xml"
	if rels, err := readRels(files, "_rels/.rels", ""); err == nil {
		for _, r := range rels {
			if strings.HasSuffix(r.Type, "/officeDocument") {
				wbPath = r.Target
			}
		}
	}
	var wb struct {
		Pr struct {
			Date1904 string `xml:"date1904,attr"`
		} `xml:"workbookPr"`
		Sheets []struct {
			Name  string `xml:"name,attr"`
			State string `xml:"state,attr"` // "hidden" or "veryHidden"; empty is visible
			ID    string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := decodePart(files, wbPath, &wb); err != nil {
		return fmt.Errorf("not a readable XLSX workbook: %w", err)
	}
	s.date1904 = wb.Pr.Date1904 == "1" || wb.Pr.Date1904 == "true"
	if len(wb.Sheets) == 0 {
		return errors.New("workbook has no sheet")
	}
	pick := -1
	if want == "" {
		// The first sheet a person sees (SPEC §2.1): a hidden first sheet
		// is often a lookup table or an export's scratch.
		for i, sh := range wb.Sheets {
			if sh.State == "" || sh.State == "visible" {
				pick = i
				break
			}
		}
		if pick < 0 {
			return errors.New("workbook has no visible sheet; name the sheet to read in the configuration")
		}
	} else {
		for i, sh := range wb.Sheets {
			if sh.Name == want {
				pick = i
				break
			}
		}
		for i, sh := range wb.Sheets {
			if pick < 0 && strings.EqualFold(sh.Name, want) {
				pick = i
			}
		}
	}
	if pick < 0 {
		names := make([]string, len(wb.Sheets))
		for i, sh := range wb.Sheets {
			names[i] = strconv.Quote(sh.Name)
		}
		return fmt.Errorf("workbook has no sheet %q (it has %s)", want, strings.Join(names, ", "))
	}
	s.sheet = wb.Sheets[pick].Name
	s.src = recon.SourceOf(s.path, s.sheet+"!")

	dir := path.Dir(wbPath)
	relPath := path.Join(dir, "_rels", path.Base(wbPath)+".rels")
	rels, err := readRels(files, relPath, dir)
	if err != nil {
		return fmt.Errorf("not a readable XLSX workbook: %w", err)
	}
	sheetPath, sstPath := "", path.Join(dir, "sharedStrings.xml")
	for _, r := range rels {
		if r.ID == wb.Sheets[pick].ID {
			sheetPath = r.Target
		}
		if strings.HasSuffix(r.Type, "/sharedStrings") {
			sstPath = r.Target
		}
	}
	f, ok := files[sheetPath]
	if !ok {
		return fmt.Errorf("sheet %q is missing from the workbook", s.sheet)
	}
	if sf, ok := files[sstPath]; ok {
		if s.sst, err = readSharedStrings(sf); err != nil {
			return fmt.Errorf("shared strings are damaged: %w", err)
		}
	}
	if s.part, err = f.Open(); err != nil {
		return fmt.Errorf("sheet %q cannot be read: %w", s.sheet, err)
	}
	s.dec = xml.NewDecoder(s.part)
	return nil
}

// next returns the next row with a cell in it; rows the sheet skips are
// not returned (they would be empty).
func (s *xlsxSource) next() (*row, error) {
	if s.done {
		return nil, io.EOF
	}
	for {
		tok, err := s.dec.RawToken()
		if err == io.EOF {
			s.done = true
			return nil, io.EOF
		}
		if err != nil {
			return nil, s.damaged(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local == "row" {
				n := s.rowNum + 1
				if v := attr(t, "r"); v != "" {
					if n, err = strconv.Atoi(v); err != nil || n < 1 || n > 1<<20 {
						return nil, s.damaged(fmt.Errorf("row number %q", v))
					}
				}
				s.rowNum = n
				return s.readRow()
			}
		case xml.EndElement:
			if t.Name.Local == "sheetData" {
				s.done = true
				return nil, io.EOF
			}
		}
	}
}

func (s *xlsxSource) damaged(err error) error {
	near := s.rowNum
	if !s.inRow {
		near++
	}
	return fmt.Errorf("%s: sheet %q is damaged near row %d (%v); is the file complete?", s.path, s.sheet, near, err)
}

// readRow reads the cells of the row just opened.
func (s *xlsxSource) readRow() (*row, error) {
	r := &row{place: s.src.At(s.rowNum), date1904: s.date1904}
	s.inRow = true
	defer func() { s.inRow = false }()
	col := 0
	for {
		tok, err := s.dec.RawToken()
		if err != nil {
			return nil, s.damaged(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local != "c" {
				if err := s.skip(); err != nil {
					return nil, s.damaged(err)
				}
				continue
			}
			col++
			if ref := attr(t, "r"); ref != "" {
				c, ok := columnOf(ref)
				if !ok {
					return nil, s.damaged(fmt.Errorf("cell reference %q", ref))
				}
				col = c
			}
			if col > maxColumns {
				return nil, s.damaged(fmt.Errorf("column %d is past the last column", col))
			}
			val, numeric, err := s.readCell(t)
			if err != nil {
				return nil, err
			}
			if val == "" {
				continue
			}
			for len(r.cells) < col-1 {
				r.cells = append(r.cells, "")
				r.numeric = append(r.numeric, false)
			}
			if len(r.cells) >= col {
				return nil, s.damaged(fmt.Errorf("cell %s appears twice or out of order", attr(t, "r")))
			}
			r.cells = append(r.cells, val)
			r.numeric = append(r.numeric, numeric)
		case xml.EndElement:
			if t.Name.Local == "row" {
				return r, nil
			}
		}
	}
}

// readCell reads one <c> element: its value as text, and whether it is a
// number cell. The value is the <v> text, or for an inline string the <t>
// texts of its <is> (phonetic hints left out).
func (s *xlsxSource) readCell(start xml.StartElement) (string, bool, error) {
	typ := attr(start, "t")
	var v, inline strings.Builder
	var stack []string
	for {
		tok, err := s.dec.RawToken()
		if err != nil {
			return "", false, s.damaged(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			stack = append(stack, t.Name.Local)
		case xml.EndElement:
			if len(stack) == 0 {
				return s.cellValue(typ, v.String(), inline.String())
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 {
				continue
			}
			if v.Len()+inline.Len()+len(t) > maxCellText {
				return "", false, s.damaged(fmt.Errorf("a cell holds more than %d characters, more than a spreadsheet allows", maxCellText))
			}
			switch stack[len(stack)-1] {
			case "v":
				v.Write(t)
			case "t":
				if len(stack) < 2 || stack[len(stack)-2] != "rPh" {
					inline.Write(t)
				}
			}
		}
	}
}

// skip reads past the end of the element just started. (Decoder.Skip
// cannot be mixed with RawToken, which the reader uses for speed.)
func (s *xlsxSource) skip() error {
	for depth := 1; depth > 0; {
		tok, err := s.dec.RawToken()
		if err != nil {
			return err
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		}
	}
	return nil
}

func (s *xlsxSource) cellValue(typ, v, inline string) (string, bool, error) {
	switch typ {
	case "s":
		if v == "" {
			return "", false, nil
		}
		i, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || i < 0 || i >= len(s.sst) {
			return "", false, s.damaged(fmt.Errorf("shared string %q does not exist", v))
		}
		return s.sst[i], false, nil
	case "inlineStr":
		return inline, false, nil
	case "str", "e":
		return v, false, nil
	case "b":
		if strings.TrimSpace(v) == "1" {
			return "TRUE", false, nil
		}
		return "FALSE", false, nil
	case "d":
		// An ISO 8601 date cell holds a wall-clock time.
		v = strings.TrimSuffix(strings.TrimSpace(v), "Z")
		return strings.Replace(v, "T", " ", 1), false, nil
	}
	v = strings.TrimSpace(v)
	return v, v != "", nil
}

func attr(e xml.StartElement, name string) string {
	for _, a := range e.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// columnOf returns the 1-based column of a cell reference such as "AB12".
func columnOf(ref string) (int, bool) {
	col, i := 0, 0
	for ; i < len(ref) && i < 4; i++ {
		c := ref[i] | 0x20 // lower case
		if c < 'a' || c > 'z' {
			break
		}
		col = col*26 + int(c-'a'+1)
	}
	if i == 0 || i == len(ref) || !allDigits(ref[i:]) {
		return 0, false
	}
	return col, true
}

func (s *xlsxSource) close() error {
	if s.part != nil {
		s.part.Close()
	}
	return s.zr.Close()
}
