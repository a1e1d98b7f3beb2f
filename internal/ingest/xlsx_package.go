package ingest

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
)

// The parts of an XLSX package around the sheet: relationships, small
// XML parts and the shared-string table.

type rel struct {
	ID     string `xml:"Id,attr"`
	Type   string `xml:"Type,attr"`
	Target string `xml:"Target,attr"`
}

// readRels reads a relationships part, resolving each target against dir.
func readRels(files map[string]*zip.File, name, dir string) ([]rel, error) {
	var doc struct {
		Rels []rel `xml:"Relationship"`
	}
	if err := decodePart(files, name, &doc); err != nil {
		return nil, err
	}
	for i := range doc.Rels {
		t := doc.Rels[i].Target
		if strings.HasPrefix(t, "/") {
			doc.Rels[i].Target = strings.TrimPrefix(t, "/")
		} else {
			doc.Rels[i].Target = path.Join(dir, t)
		}
	}
	return doc.Rels, nil
}

// decodePart decodes a small XML part of the package.
func decodePart(files map[string]*zip.File, name string, v any) error {
	f, ok := files[name]
	if !ok {
		return fmt.Errorf("part %s is missing", name)
	}
	if f.UncompressedSize64 > 64<<20 {
		return fmt.Errorf("part %s is too large", name)
	}
	rc, err := f.Open()
	if err != nil {
		return fmt.Errorf("part %s: %w", name, err)
	}
	defer rc.Close()
	if err := xml.NewDecoder(rc).Decode(v); err != nil {
		return fmt.Errorf("part %s: %w", name, err)
	}
	return nil
}

// readSharedStrings streams the shared-string table: each <si> is the text
// of its <t> elements (rich-text runs joined), phonetic hints left out.
func readSharedStrings(f *zip.File) ([]string, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	dec := xml.NewDecoder(rc)
	var out []string
	var b strings.Builder
	total := 0
	inSI, inT, inPh := false, false, false
	for {
		tok, err := dec.RawToken()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "si":
				inSI = true
				b.Reset()
			case "t":
				inT = inSI && !inPh
			case "rPh":
				inPh = true
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "si":
				inSI = false
				total += b.Len()
				if total > maxSharedStrings {
					return nil, errors.New("shared strings are too large")
				}
				out = append(out, b.String())
			case "t":
				inT = false
			case "rPh":
				inPh = false
			}
		case xml.CharData:
			if inT {
				b.Write(t)
			}
		}
	}
}
