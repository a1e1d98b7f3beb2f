package ingest

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

// byteByByte is lineLimit's Read as it was before its IndexByte path: every
// byte in turn. TestLineLimitAsByteByByte holds the two together.
func byteByByte(r io.Reader) (out []byte, line int, err error) {
	l := &lineLimit{r: r, line: 1}
	p := make([]byte, 4096)
	for {
		n, rerr := l.r.Read(p)
		for _, c := range p[:n] {
			switch {
			case c == '\n' && l.afterCR:
				l.afterCR = false
				continue
			case c == '\r':
				c, l.afterCR = '\n', true
			default:
				l.afterCR = false
			}
			out = append(out, c)
			if c == '\n' {
				l.line++
				l.run = 0
			} else if l.run++; l.run > maxCSVLine {
				return out, l.line, fmt.Errorf("line %d is longer than %d MB; this is not a ledger row", l.line, maxCSVLine>>20)
			}
		}
		if rerr == io.EOF {
			return out, l.line, nil
		}
	}
}

// chunks reads b a random few bytes at a time, as a pipe or a slow disk
// hands them, so that line ends fall across reads.
type chunks struct {
	b []byte
	r *rand.Rand
}

func (c *chunks) Read(p []byte) (int, error) {
	if len(c.b) == 0 {
		return 0, io.EOF
	}
	n := min(len(p), len(c.b), 1+c.r.IntN(64))
	copy(p, c.b[:n])
	c.b = c.b[n:]
	return n, nil
}

// TestLineLimitAsByteByByte: lineLimit hands on the same bytes, counts the
// same lines and fails on the same line as a byte-by-byte reading, for
// files of LF, CRLF and CR alone, mixed, a CRLF split across two reads, and
// lines over maxCSVLine.
func TestLineLimitAsByteByByte(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	docs := map[string]string{
		"empty":            "",
		"no line end":      "order_id,amount",
		"long last line":   "a,b\n" + strings.Repeat("x", maxCSVLine+1),
		"long line":        "a,b\nc,d\n" + strings.Repeat("y", maxCSVLine+5) + "\ne,f\n",
		"just long enough": strings.Repeat("z", maxCSVLine) + "\n" + strings.Repeat("z", maxCSVLine) + "\r\n",
	}
	for i := range 200 {
		var b strings.Builder
		for range r.IntN(50) {
			b.WriteString(strings.Repeat("ORD,1.00", r.IntN(4)))
			b.WriteString([]string{"\n", "\r\n", "\r", "\n\n", "\r\r\n"}[r.IntN(5)])
		}
		docs[fmt.Sprint("random ", i)] = b.String()
	}
	for name, doc := range docs {
		want, wantLine, wantErr := byteByByte(&chunks{b: []byte(doc), r: rand.New(rand.NewPCG(5, 6))})
		l := &lineLimit{r: &chunks{b: []byte(doc), r: rand.New(rand.NewPCG(7, 8))}, line: 1}
		got, err := io.ReadAll(l)
		if fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Errorf("%s: error %v, want %v", name, err, wantErr)
			continue
		}
		if err == nil && (!bytes.Equal(got, want) || l.line != wantLine) {
			t.Errorf("%s: %q at line %d, want %q at line %d", name, got, l.line, want, wantLine)
		}
	}
}

// BenchmarkLineLimit reads 20 MB of a tier M orders ledger's rows.
func BenchmarkLineLimit(b *testing.B) {
	doc := bytes.Repeat([]byte("ORD202611240000001,26420.25,INR,failed,2026-11-24 00:44:48,KPTXN619166955561,CARD\n"), 250_000)
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if _, err := io.Copy(io.Discard, &lineLimit{r: bytes.NewReader(doc), line: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
