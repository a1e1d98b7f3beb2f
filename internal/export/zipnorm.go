package export

import (
	"archive/zip"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// excelize writes a workbook's parts in the order of Go maps (its stream
// sheets, the default content types), so two workbooks of the same report
// would differ in bytes though not in cells. canonicalZip rewrites the
// archive with its parts sorted by name and [Content_Types].xml's entries
// sorted, copying every other part's compressed bytes unchanged: the same
// report always gives the same workbook bytes.

const contentTypesPart = "[Content_Types].xml"

// canonicalZip copies the zip archive in src (size bytes) to w in
// canonical order.
func canonicalZip(w io.Writer, src io.ReaderAt, size int64) error {
	zr, err := zip.NewReader(src, size)
	if err != nil {
		return fmt.Errorf("read back the workbook: %w", err)
	}
	files := slices.Clone(zr.File)
	slices.SortFunc(files, func(a, b *zip.File) int { return strings.Compare(a.Name, b.Name) })
	zw := zip.NewWriter(w)
	for _, f := range files {
		if f.Name != contentTypesPart {
			if err := zw.Copy(f); err != nil {
				return err
			}
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return err
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return err
		}
		if b, err = canonicalContentTypes(b); err != nil {
			return err
		}
		fw, err := zw.Create(f.Name)
		if err != nil {
			return err
		}
		if _, err := fw.Write(b); err != nil {
			return err
		}
	}
	return zw.Close()
}

type contentTypes struct {
	XMLName   xml.Name      `xml:"http://schemas.openxmlformats.org/package/2006/content-types Types"`
	Defaults  []contentType `xml:"Default"`
	Overrides []contentType `xml:"Override"`
}

type contentType struct {
	Extension   string `xml:",attr,omitempty"`
	PartName    string `xml:",attr,omitempty"`
	ContentType string `xml:",attr"`
}

// canonicalContentTypes sorts the defaults by extension and the overrides
// by part name.
func canonicalContentTypes(b []byte) ([]byte, error) {
	var ct contentTypes
	if err := xml.Unmarshal(b, &ct); err != nil {
		return nil, fmt.Errorf("read back %s: %w", contentTypesPart, err)
	}
	slices.SortFunc(ct.Defaults, func(a, b contentType) int { return strings.Compare(a.Extension, b.Extension) })
	slices.SortFunc(ct.Overrides, func(a, b contentType) int { return strings.Compare(a.PartName, b.PartName) })
	out, err := xml.Marshal(ct)
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), out...), nil
}

// spoolZip lets write build an archive in a temporary file, then copies it
// to w in canonical order. A temporary file, not memory: a million-row
// workbook is tens of megabytes.
func spoolZip(w io.Writer, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp("", "recon-workbook-*.zip")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	if err := write(tmp); err != nil {
		return err
	}
	size, err := tmp.Seek(0, io.SeekCurrent)
	if err != nil {
		return err
	}
	return canonicalZip(w, tmp, size)
}
