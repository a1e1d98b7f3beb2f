package ingest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/kwikpaisa/recon/internal/recon"
)

// ReadOrders reads an order ledger (CSV or XLSX, told apart by content) and
// sends each order and each rejected row to sink.
func ReadOrders(ctx context.Context, path string, opts Options, sink Sink) (Counts, error) {
	opts = opts.withDefaults()
	return readLedger(ctx, path, orderFields, opts.OrderColumns, &opts, false, func(r *row, cols columns) (*recon.Order, *fieldError) {
		o := &recon.Order{}
		if fe := parseOrder(r, cols, &opts, o); fe != nil {
			return nil, fe
		}
		o.Place = r.place
		return o, nil
	}, nil, sink.Order, sink.Reject)
}

// ReadPayouts reads a payout ledger (CSV or XLSX) and sends each payout and
// each rejected row to sink.
func ReadPayouts(ctx context.Context, path string, opts Options, sink Sink) (Counts, error) {
	opts = opts.withDefaults()
	return readLedger(ctx, path, payoutFields, opts.PayoutColumns, &opts, false, func(r *row, cols columns) (*recon.Payout, *fieldError) {
		p := &recon.Payout{}
		if fe := parsePayout(r, cols, &opts, p); fe != nil {
			return nil, fe
		}
		p.Place = r.place
		return p, nil
	}, nil, sink.Payout, sink.Reject)
}

// rowSource yields a ledger's rows, header first; io.EOF at the end. A row
// that cannot be read at all comes back as a *recon.Reject error.
type rowSource interface {
	next() (*row, error)
	close() error
}

// ledgerItem is one row of a ledger as a parsing worker left it: a record,
// or a reject.
type ledgerItem[T any] struct {
	rec T
	rej *recon.Reject
	// numericKey says the record's key came from a numeric XLSX cell,
	// where a spreadsheet drops leading zeros.
	numericKey bool
	place      recon.Place // the row's, for a reject of check
}

// ledgerJob is a batch of consecutive rows of a ledger (or the rejects of
// rows that could not be read) and, once a worker has parsed them, their
// items.
type ledgerJob[T any] struct {
	rows  []*row // nil where the row is a reject already
	items []ledgerItem[T]
	done  chan struct{}
}

// readLedger reads a ledger: one goroutine reads the rows and finds the
// header, and parses them, a batch at a time, or, parallel, hands the
// batches to a worker per core (parse must then be safe to call from
// several goroutines); the caller's goroutine then hands each record, in
// file order, to check, when not nil, which may reject it (what one row
// says of the rows before it), counts it, and hands records to emit and
// rejects to reject. A nil emit or reject discards. A ledger whose records
// go to the store is not read in parallel: the store's writing takes the
// other core (an order ledger's ingest took 0.1 s longer at tier M).
func readLedger[T any](ctx context.Context, path string, fields []field, override map[string]string, opts *Options, parallel bool,
	parse func(*row, columns) (T, *fieldError), check func(T) *fieldError, emit func(T) error, reject func(*recon.Reject) error) (Counts, error) {
	var counts Counts
	src, err := openLedger(path, opts)
	if err != nil {
		return counts, err
	}
	defer src.close()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := 0
	if parallel {
		workers = runtime.GOMAXPROCS(0)
	}
	work := make(chan *ledgerJob[T], workers)
	ordered := make(chan *ledgerJob[T], ledgerReadAhead/ledgerBatchRows)
	var cols columns
	keyCol := -1 // the order or payout id's column, whose numeric cells are counted
	parseJob := func(j *ledgerJob[T]) {
		for i, r := range j.rows {
			if r == nil {
				continue
			}
			if rec, fe := parse(r, cols); fe != nil {
				j.items[i].rej = &recon.Reject{File: path, Line: r.place.Line(), Column: fe.column, Value: fe.value, Reason: fe.reason}
			} else {
				j.items[i] = ledgerItem[T]{rec: rec, numericKey: r.isNumeric(keyCol), place: r.place}
			}
		}
		close(j.done)
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for j := range work {
				parseJob(j)
			}
		})
	}
	var readErr error
	go func() {
		defer close(ordered)
		defer close(work)
		// cols and keyCol are set before the first job goes to a worker.
		readErr = readRows(ctx, path, src, fields, override, &cols, &keyCol, func(j *ledgerJob[T]) error {
			// A job goes to the workers before it joins the ordered queue,
			// so that every job the caller waits for is being parsed.
			if workers == 0 {
				parseJob(j)
			} else {
				select {
				case work <- j:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			select {
			case ordered <- j:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	var emitErr error
	for j := range ordered {
		<-j.done
		if emitErr != nil {
			continue // drain: the reader stops at its next batch
		}
		for _, it := range j.items {
			if it.rej == nil && check != nil {
				if fe := check(it.rec); fe != nil {
					it.rej = &recon.Reject{File: path, Line: it.place.Line(), Column: fe.column, Value: fe.value, Reason: fe.reason}
				}
			}
			if it.rej != nil {
				counts.reject()
				if emitErr = emitReject(reject, it.rej); emitErr != nil {
					break
				}
				continue
			}
			counts.accept()
			if it.numericKey {
				counts.NumericKeys++
			}
			if emit != nil {
				if emitErr = emit(it.rec); emitErr != nil {
					break
				}
			}
		}
		if emitErr != nil {
			cancel()
		}
	}
	wg.Wait()
	if emitErr != nil {
		return counts, emitErr
	}
	return counts, readErr
}

// ledgerBatchRows is how many rows go to a worker at once.
const ledgerBatchRows = 256

// readRows reads src's rows and finds the header (setting cols and keyCol),
// and hands every row after it, in jobs of ledgerBatchRows, to send.
func readRows[T any](ctx context.Context, path string, src rowSource, fields []field, override map[string]string,
	cols *columns, keyCol *int, send func(*ledgerJob[T]) error) error {
	newJob := func() *ledgerJob[T] {
		return &ledgerJob[T]{rows: make([]*row, 0, ledgerBatchRows), items: make([]ledgerItem[T], 0, ledgerBatchRows), done: make(chan struct{})}
	}
	job := newJob()
	flush := func() error {
		if len(job.rows) == 0 {
			return nil
		}
		if err := send(job); err != nil {
			return err
		}
		job = newJob()
		return nil
	}
	for n := 0; ; n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		r, err := src.next()
		if err == io.EOF {
			break
		}
		var rej *recon.Reject
		if errors.As(err, &rej) {
			job.rows, job.items = append(job.rows, nil), append(job.items, ledgerItem[T]{rej: rej})
		} else if err != nil {
			return err
		} else if r.empty() {
			continue
		} else if *cols == nil {
			if *cols, err = resolveHeader(path, r.cells, fields, override); err != nil {
				return err
			}
			if isKeyField(fields[0]) {
				*keyCol = (*cols)[fields[0].name]
			}
			continue
		} else {
			job.rows, job.items = append(job.rows, r), append(job.items, ledgerItem[T]{})
		}
		if len(job.rows) == ledgerBatchRows {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if *cols == nil {
		return fmt.Errorf("%s: file is empty (no header row)", path)
	}
	return nil
}

var (
	zipMagic   = []byte("PK\x03\x04")
	utf8BOM    = []byte("\xef\xbb\xbf")
	utf16LEBOM = []byte("\xff\xfe")
	utf16BEBOM = []byte("\xfe\xff")
	oleMagic   = []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
)

// maxCSVLine bounds one physical line of a CSV ledger: a longer one is not
// a ledger row, and is not read into memory.
const maxCSVLine = 4 << 20

// openLedger opens a CSV or an XLSX ledger, told apart by its first bytes
// rather than its name.
func openLedger(path string, opts *Options) (rowSource, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(f, 1<<16)
	head, _ := br.Peek(1 << 12)
	switch {
	case bytes.HasPrefix(head, zipMagic):
		f.Close()
		return openXLSX(path, opts.Sheet)
	case bytes.HasPrefix(head, utf16LEBOM), bytes.HasPrefix(head, utf16BEBOM):
		f.Close()
		return nil, fmt.Errorf("%s: file is UTF-16 text; save it as UTF-8 CSV", path)
	case bytes.HasPrefix(head, oleMagic):
		f.Close()
		return nil, fmt.Errorf("%s: file is an old Excel .xls or a password-protected workbook; save it as .xlsx without a password, or as CSV", path)
	case bytes.IndexByte(head, 0) >= 0:
		f.Close()
		return nil, fmt.Errorf("%s: not a CSV or XLSX file (binary content)", path)
	}
	if bytes.HasPrefix(head, utf8BOM) {
		br.Discard(len(utf8BOM))
		head = head[len(utf8BOM):]
	}
	comma, named, err := excelSeparator(head)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if !named {
		comma = detectDelimiter(head)
	}
	cr := csv.NewReader(&lineLimit{r: br, path: path, line: 1})
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	return &csvSource{f: f, r: cr, path: path, src: recon.SourceOf(path, ""), sepLine: named}, nil
}

// excelSeparator reads the "sep=;" (or "sep=,") first line Excel writes to
// name a file's delimiter: named is false when the file has none.
func excelSeparator(head []byte) (comma rune, named bool, err error) {
	if len(head) < 5 || !bytes.EqualFold(head[:4], []byte("sep=")) {
		return 0, false, nil
	}
	if rest := head[5:]; len(rest) > 0 && rest[0] != '\r' && rest[0] != '\n' {
		return 0, false, nil // not a line of its own: a header that starts "sep="
	}
	switch head[4] {
	case ',', ';':
		return rune(head[4]), true, nil
	}
	return 0, false, fmt.Errorf("line 1 names the delimiter %q (sep=); recon reads files delimited by , or ;", head[4])
}

// detectDelimiter picks ',' or ';', whichever the first line has more of
// outside quotes.
func detectDelimiter(head []byte) rune {
	var commas, semis int
	inQuote := false
	for _, c := range head {
		switch {
		case c == '"':
			inQuote = !inQuote
		case inQuote:
		case c == '\n', c == '\r':
			if semis > commas {
				return ';'
			}
			return ','
		case c == ',':
			commas++
		case c == ';':
			semis++
		}
	}
	if semis > commas {
		return ';'
	}
	return ','
}

type csvSource struct {
	f    *os.File
	r    *csv.Reader
	path string
	src  recon.PlaceSource // the file's places
	// sepLine is set while Excel's "sep=" first line is still to skip.
	sepLine bool
	// width is the header's number of fields, once read: every row must
	// have as many (SPEC §2.1).
	width int
	// ahead is set when the record after a quote error was read ahead.
	ahead    bool
	aheadRow *row
	aheadErr error
}

func (s *csvSource) next() (*row, error) {
	var r *row
	var err error
	if s.ahead {
		r, err, s.ahead, s.aheadRow, s.aheadErr = s.aheadRow, s.aheadErr, false, nil, nil
	} else {
		r, err = s.read()
	}
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return r, err
	}
	rej := &recon.Reject{File: s.path, Line: strconv.Itoa(pe.StartLine),
		Reason: fmt.Sprintf("%s (line %d, character %d)", csvReason(pe.Err), pe.Line, pe.Column)}
	if !errors.Is(pe.Err, csv.ErrQuote) {
		return nil, rej
	}
	// A quote error is either a stray quote in one row (reject the row,
	// read on) or a quoted value that never closes and swallowed the rest
	// of the file (it cannot be read): reading ahead tells which.
	s.aheadRow, s.aheadErr = s.read()
	if s.aheadErr == io.EOF {
		return nil, fmt.Errorf("%s:%d: a quoted value that starts on line %d is not closed properly; the file cannot be read past it", s.path, pe.Line, pe.StartLine)
	}
	s.ahead = true
	return nil, rej
}

// read returns the next record as a row, with the line it starts on.
func (s *csvSource) read() (*row, error) {
	rec, err := s.r.Read()
	if err == io.EOF {
		return nil, io.EOF
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return nil, pe
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", s.path, err)
	}
	line, _ := s.r.FieldPos(0)
	if s.sepLine {
		s.sepLine = false
		if line == 1 {
			return s.read()
		}
	}
	r := &row{cells: rec, place: s.src.At(line)}
	switch {
	case r.empty():
	case s.width == 0:
		s.width = len(rec) // the header: the first row that is not blank
	case len(rec) != s.width:
		// A value split in two (an unquoted 1,500.00) or a row cut short
		// would put every value after it under another column's name.
		return nil, &recon.Reject{File: s.path, Line: strconv.Itoa(line), Value: rowText(rec, s.r.Comma),
			Reason: fieldCountReason(len(rec), s.width, s.r.Comma)}
	}
	return r, nil
}

// fieldCountReason says why a row with got fields, under a header of want,
// is rejected, and what to do about it.
func fieldCountReason(got, want int, comma rune) string {
	if got < want {
		return fmt.Sprintf("row has %d fields, header has %d: the row is cut short or a %c is missing, so its values "+
			"cannot be put under the header's columns; export the file again or complete the row", got, want, comma)
	}
	if comma == ',' {
		return fmt.Sprintf("row has %d fields, header has %d: an unquoted amount with a thousands separator such as "+
			"1,500.00 shifts columns; quote it or remove the separator", got, want)
	}
	return fmt.Sprintf("row has %d fields, header has %d: a value containing %c that is not in quotes shifts "+
		"columns; quote it or remove the %c", got, want, comma, comma)
}

// rowText is a rejected row's fields as they stood on its line, cut to
// about maxRowText bytes: enough for a person to find the row.
func rowText(fields []string, comma rune) string {
	const maxRowText = 200
	var b strings.Builder
	for i, f := range fields {
		if i > 0 {
			b.WriteRune(comma)
		}
		b.WriteString(f)
		if b.Len() > maxRowText {
			break
		}
	}
	s := b.String()
	if len(s) <= maxRowText {
		return s
	}
	cut := maxRowText
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// lineLimit hands the CSV reader every line end as '\n' (CRLF, LF, and
// CR alone, which encoding/csv does not end a line at: a CR-only file
// would be one row) and fails a read once a physical line passes
// maxCSVLine bytes. Line numbers then count the lines a person sees.
type lineLimit struct {
	r       io.Reader
	path    string
	line    int  // current line number
	run     int  // bytes since the last line end
	afterCR bool // the last byte read was a CR: a LF next is its CRLF's
}

func (l *lineLimit) Read(p []byte) (int, error) {
	for {
		n, err := l.r.Read(p)
		if !l.afterCR && bytes.IndexByte(p[:n], '\r') < 0 {
			// No CR, as in most files: nothing to rewrite, only lines to
			// count and measure, found with IndexByte rather than a byte at
			// a time (the orders' ledger is read on one goroutine).
			if err := l.count(p[:n]); err != nil {
				return 0, err
			}
			if n > 0 || err != nil {
				return n, err
			}
			continue
		}
		w := 0
		for _, c := range p[:n] {
			switch {
			case c == '\n' && l.afterCR:
				l.afterCR = false
				continue // the CR before it ended the line
			case c == '\r':
				c, l.afterCR = '\n', true
			default:
				l.afterCR = false
			}
			p[w] = c
			w++
			if c == '\n' {
				l.line++
				l.run = 0
			} else if l.run++; l.run > maxCSVLine {
				return 0, fmt.Errorf("line %d is longer than %d MB; this is not a ledger row", l.line, maxCSVLine>>20)
			}
		}
		if w > 0 || n == 0 || err != nil {
			return w, err
		}
	}
}

// count counts the lines of b, which holds no CR, and fails once a line
// passes maxCSVLine bytes, as Read's loop does.
func (l *lineLimit) count(b []byte) error {
	for {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			i = len(b)
		}
		if l.run += i; l.run > maxCSVLine {
			return fmt.Errorf("line %d is longer than %d MB; this is not a ledger row", l.line, maxCSVLine>>20)
		}
		if i == len(b) {
			return nil
		}
		l.line++
		l.run = 0
		b = b[i+1:]
	}
}

// csvReason says in plain words why a CSV row could not be split.
func csvReason(err error) string {
	switch {
	case errors.Is(err, csv.ErrBareQuote):
		return "row is not valid CSV: a value contains a quote mark but is not itself in quotes"
	case errors.Is(err, csv.ErrQuote):
		return "row is not valid CSV: a quoted value has text after its closing quote"
	}
	return "row is not valid CSV: " + err.Error()
}

func (s *csvSource) close() error { return s.f.Close() }

// isKeyField says whether a ledger's first field is the key it is matched
// on, which must stay exact: an order or payout id.
func isKeyField(f field) bool { return f.name == "order_id" || f.name == "payout_order_id" }
