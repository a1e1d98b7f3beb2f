package ingest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"sync"

	"github.com/kwikpaisa/recon/internal/recon"
)

// maxLine bounds one JSON line: a line longer than this is rejected, not
// read into memory.
const maxLine = 4 << 20

// Batches of lines go from the reading goroutine to the parsing workers;
// a batch holds up to batchLines lines or about batchBytes bytes.
const (
	batchLines = 512
	batchBytes = 256 << 10
)

// lineBatch is a run of consecutive lines of a file and, once a worker has
// parsed them, their results.
type lineBatch[T any] struct {
	nums    []int  // 1-based line numbers
	ends    []int  // end offset of each line in buf
	long    []bool // the line was longer than maxLine (its text is dropped)
	buf     []byte
	results []parsed[T]
	done    chan struct{}
}

func (b *lineBatch[T]) line(i int) []byte {
	start := 0
	if i > 0 {
		start = b.ends[i-1]
	}
	return b.buf[start:b.ends[i]]
}

// parsed is what a worker made of one line.
type parsed[T any] struct {
	rec T
	bad *fieldError
}

// parseLines reads a JSON-lines file, parses its non-blank lines on every
// core with parse, and hands each result to emit in file order, on the
// caller's goroutine: rec when bad is nil. A line over maxLine is rejected
// with its number without being parsed. Memory is bounded by the batches in
// flight, whatever the file's size.
func parseLines[T any](ctx context.Context, path string, counts *Counts, reject func(*recon.Reject) error,
	parse func(line []byte) (T, *fieldError), emit func(n int, rec T) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := runtime.GOMAXPROCS(0)
	work := make(chan *lineBatch[T], workers)
	ordered := make(chan *lineBatch[T], linesReadAhead/batchLines)
	free := make(chan *lineBatch[T], cap(ordered)+workers+1) // batches to reuse
	var readErr error
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range work {
				b.results = b.results[:0]
				for i := range b.nums {
					var p parsed[T]
					if !b.long[i] {
						p.rec, p.bad = parse(b.line(i))
					}
					b.results = append(b.results, p)
				}
				close(b.done)
			}
		}()
	}
	go func() {
		defer close(ordered)
		defer close(work)
		// A batch goes to the workers before it joins the ordered queue, so
		// that every batch the consumer waits for is being parsed.
		readErr = readBatches(ctx, f, path, free, func(b *lineBatch[T]) bool {
			select {
			case work <- b:
			case <-ctx.Done():
				return false
			}
			select {
			case ordered <- b:
				return true
			case <-ctx.Done():
				return false
			}
		})
	}()

	var emitErr error
	for b := range ordered {
		<-b.done
		if emitErr == nil && ctx.Err() == nil {
			emitErr = emitBatch(path, b, counts, reject, emit)
			if emitErr != nil {
				cancel()
			}
		}
		select {
		case free <- b:
		default:
		}
	}
	wg.Wait()
	if emitErr != nil {
		return emitErr
	}
	if readErr != nil {
		return readErr
	}
	return ctx.Err()
}

// emitBatch hands one parsed batch to emit and reject, in line order.
func emitBatch[T any](path string, b *lineBatch[T], counts *Counts, reject func(*recon.Reject) error, emit func(int, T) error) error {
	for i, n := range b.nums {
		p := b.results[i]
		switch {
		case b.long[i]:
			counts.reject()
			if err := emitReject(reject, &recon.Reject{File: path, Line: strconv.Itoa(n), Reason: fmt.Sprintf("line is longer than %d bytes", maxLine)}); err != nil {
				return err
			}
		case p.bad != nil:
			counts.reject()
			if err := emitReject(reject, &recon.Reject{File: path, Line: strconv.Itoa(n), Column: p.bad.column, Value: p.bad.value, Reason: p.bad.reason}); err != nil {
				return err
			}
		default:
			counts.accept()
			if err := emit(n, p.rec); err != nil {
				return err
			}
		}
	}
	return nil
}

// readBatches reads r into batches of non-blank lines (trimmed, the first
// line's BOM dropped) and sends each; send returns false to stop.
func readBatches[T any](ctx context.Context, r io.Reader, path string, free chan *lineBatch[T], send func(*lineBatch[T]) bool) error {
	br := bufio.NewReaderSize(r, 1<<16)
	var b *lineBatch[T]
	newBatch := func() {
		select {
		case b = <-free:
			b.nums, b.ends, b.long, b.buf = b.nums[:0], b.ends[:0], b.long[:0], b.buf[:0]
		default:
			b = &lineBatch[T]{buf: make([]byte, 0, batchBytes+batchBytes/4)}
		}
		b.done = make(chan struct{})
	}
	newBatch()
	flush := func() bool {
		if len(b.nums) == 0 {
			return true
		}
		if !send(b) {
			return false
		}
		newBatch()
		return true
	}
	for n := 1; ; n++ {
		if n%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		start := len(b.buf)
		var tooLong bool
		var err error
		b.buf, tooLong, err = appendLine(br, b.buf)
		if err == io.EOF {
			flush()
			return nil
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
		line := bytes.TrimSpace(b.buf[start:])
		if n == 1 {
			line = bytes.TrimPrefix(line, utf8BOM)
		}
		if tooLong {
			line = nil
		}
		if len(line) == 0 && !tooLong {
			b.buf = b.buf[:start]
			continue
		}
		// Keep the trimmed line at the end of buf.
		b.buf = append(b.buf[:start], line...)
		b.nums = append(b.nums, n)
		b.ends = append(b.ends, len(b.buf))
		b.long = append(b.long, tooLong)
		if len(b.nums) >= batchLines || len(b.buf) >= batchBytes {
			if !flush() {
				return ctx.Err()
			}
		}
	}
}

// appendLine appends the next line, without its newline, to buf. A line
// longer than maxLine is consumed and reported as too long, and nothing of
// it is kept.
func appendLine(br *bufio.Reader, buf []byte) (out []byte, tooLong bool, err error) {
	start := len(buf)
	for {
		frag, err := br.ReadSlice('\n')
		if !tooLong && len(buf)-start+len(frag) <= maxLine {
			buf = append(buf, frag...)
		} else if !tooLong {
			tooLong = true
			buf = buf[:start]
		}
		switch err {
		case nil:
			return bytes.TrimSuffix(buf, []byte("\n")), tooLong, nil
		case bufio.ErrBufferFull:
			continue
		case io.EOF:
			if len(buf) == start && !tooLong {
				return buf, false, io.EOF
			}
			return buf, tooLong, nil
		default:
			return buf, false, err
		}
	}
}

func emitReject(reject func(*recon.Reject) error, r *recon.Reject) error {
	if reject == nil {
		return nil
	}
	return reject(r)
}
