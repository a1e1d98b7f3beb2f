package ingest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/kwikpaisa/recon/internal/recon"
)

// maxLine bounds one JSON line: a line longer than this is rejected, not
// read into memory.
const maxLine = 4 << 20

// readLines calls each for every non-blank line of a JSON-lines file with
// its 1-based number. A line over maxLine is rejected with its number.
func readLines(ctx context.Context, path string, counts *Counts, reject func(*recon.Reject) error, each func(n int, line []byte) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<16)
	for n := 1; ; n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		line, tooLong, err := readLine(br)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
		if tooLong {
			counts.reject()
			if err := emitReject(reject, &recon.Reject{File: path, Line: strconv.Itoa(n), Reason: fmt.Sprintf("line is longer than %d bytes", maxLine)}); err != nil {
				return err
			}
			continue
		}
		line = bytes.TrimSpace(line)
		if n == 1 {
			line = bytes.TrimPrefix(line, utf8BOM)
		}
		if len(line) == 0 {
			continue
		}
		if err := each(n, line); err != nil {
			return err
		}
	}
}

// readLine returns the next line without its newline. A line longer than
// maxLine is consumed and reported as too long.
func readLine(br *bufio.Reader) (line []byte, tooLong bool, err error) {
	var buf []byte
	for {
		frag, err := br.ReadSlice('\n')
		if len(buf)+len(frag) <= maxLine {
			buf = append(buf, frag...)
		} else {
			tooLong = true
		}
		switch err {
		case nil:
			return bytes.TrimSuffix(buf, []byte("\n")), tooLong, nil
		case bufio.ErrBufferFull:
			continue
		case io.EOF:
			if len(buf) == 0 && !tooLong {
				return nil, false, io.EOF
			}
			return buf, tooLong, nil
		default:
			return nil, false, err
		}
	}
}

func emitReject(reject func(*recon.Reject) error, r *recon.Reject) error {
	if reject == nil {
		return nil
	}
	return reject(r)
}

// jsonObject decodes one JSON object keeping numbers exact.
func jsonObject(data []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("more than one JSON value on the line")
	}
	if m == nil {
		return nil, fmt.Errorf("not a JSON object")
	}
	return m, nil
}

// str returns a field as text: a string as is, a number exactly as written,
// a boolean as true/false, null or absent as "".
func str(m map[string]any, key string) string {
	switch v := m[key].(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}
