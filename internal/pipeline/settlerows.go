package pipeline

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/kwikpaisa/recon/internal/match"
	"github.com/kwikpaisa/recon/internal/recon"
)

// settleChunkBytes is how much of one share's rows settleRows gathers
// before it writes them out together.
const settleChunkBytes = 64 << 10

// settleRows holds the rows of a day's settlement reports by share of the
// day's orders (each of the pay-ins' parts of its split, recon.PartNo of the
// order id's key hash, in sub shares, match.SubShare), each share's in file
// order, until the share's pay-ins are matched. One share is held in memory; more are set aside in a
// temporary file, unlinked at once, so that a run holds one share's rows:
// a day of ten million orders has some nine million in its window.
type settleRows struct {
	parts, sub int // shares: parts × sub
	shares     int
	mem        []recon.SettlementRow // one share
	f          *os.File
	size       int64
	bufs       [][]byte
	chunks     [][][2]int64 // by share: offset, length
	rows       []int        // by share
}

// newSettleRows makes a settleRows of parts parts of sub shares each.
func newSettleRows(parts, sub int) (*settleRows, error) {
	sr := &settleRows{parts: max(1, parts), sub: max(1, sub)}
	sr.shares = sr.parts * sr.sub
	if sr.shares == 1 {
		return sr, nil
	}
	f, err := os.CreateTemp("", ".recon-settlements-*")
	if err != nil {
		return nil, fmt.Errorf("set the settlement rows aside by part: %w", err)
	}
	if err := os.Remove(f.Name()); err != nil {
		f.Close()
		return nil, fmt.Errorf("set the settlement rows aside by part: %w", err)
	}
	sr.f, sr.bufs, sr.chunks, sr.rows = f, make([][]byte, sr.shares), make([][][2]int64, sr.shares), make([]int, sr.shares)
	return sr, nil
}

// add sets r aside in its share.
func (sr *settleRows) add(r *recon.SettlementRow) error {
	if sr.shares == 1 {
		sr.mem = append(sr.mem, *r)
		return nil
	}
	no := recon.PartNo(recon.KeyHash(recon.EntityPayin, r.OrderID), sr.parts)*sr.sub + match.SubShare(r.OrderID, sr.sub)
	b := sr.bufs[no]
	if b == nil {
		b = make([]byte, 0, settleChunkBytes)
	}
	b = appendSettlementRow(b, r)
	sr.bufs[no] = b
	sr.rows[no]++
	if len(b) >= settleChunkBytes-512 {
		return sr.flush(no)
	}
	return nil
}

// flush writes share no's gathered rows at the end of the file.
func (sr *settleRows) flush(no int) error {
	b := sr.bufs[no]
	if len(b) == 0 {
		return nil
	}
	if _, err := sr.f.Write(b); err != nil {
		return fmt.Errorf("set the settlement rows aside by part in %s: %w", os.TempDir(), err)
	}
	sr.chunks[no] = append(sr.chunks[no], [2]int64{sr.size, int64(len(b))})
	sr.size += int64(len(b))
	sr.bufs[no] = b[:0]
	return nil
}

// done writes out what the shares gathered: every row was added.
func (sr *settleRows) done() error {
	for no := range sr.bufs {
		if err := sr.flush(no); err != nil {
			return err
		}
	}
	sr.bufs = nil
	return nil
}

// share returns the rows of share no (sub share j of part i: i×sub + j), in
// the order added.
func (sr *settleRows) share(no int) ([]recon.SettlementRow, error) {
	if sr.shares == 1 {
		return sr.mem, nil
	}
	out := make([]recon.SettlementRow, 0, sr.rows[no])
	words := map[string]string{} // settlement ids, UTRs and methods repeat
	var buf []byte
	for _, c := range sr.chunks[no] {
		buf = slices.Grow(buf[:0], int(c[1]))[:c[1]]
		if _, err := sr.f.ReadAt(buf, c[0]); err != nil {
			return nil, fmt.Errorf("read the settlement rows set aside: %w", err)
		}
		// The rows' own values (order and transaction ids) are cut from
		// one string of the chunk: a string each was most of the read's
		// allocations. The share's rows go together once judged.
		chunk := string(buf)
		for off := 0; off < len(chunk); {
			var r recon.SettlementRow
			var err error
			if off, err = readSettlementRow(buf, chunk, off, &r, words); err != nil {
				return nil, err
			}
			out = append(out, r)
		}
	}
	return out, nil
}

func (sr *settleRows) close() {
	if sr.f != nil {
		sr.f.Close()
		sr.f = nil
	}
	sr.mem = nil
}

// appendSettlementRow appends r, encoded, to b.
func appendSettlementRow(b []byte, r *recon.SettlementRow) []byte {
	for _, s := range []string{r.SettlementID, r.UTR, r.OrderID, r.TransactionID, r.PaymentMethod} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	for _, v := range []int64{int64(r.SettledAt), int64(r.Amount), int64(r.Fee), int64(r.Tax), int64(r.Net)} {
		b = binary.AppendVarint(b, v)
	}
	has := byte(0)
	if r.HasAmounts {
		has = 1
	}
	b = append(b, byte(r.Type), has)
	return binary.AppendUvarint(b, r.Place.Packed())
}

var errSettleRow = errors.New("read the settlement rows set aside: a row runs past its chunk")

// readSettlementRow decodes the row at off in buf into r, and returns where
// the next begins. chunk is buf as a string: the words are shared among
// rows, the other values are cut from it.
func readSettlementRow(buf []byte, chunk string, off int, r *recon.SettlementRow, words map[string]string) (int, error) {
	str := func(word bool) (string, error) {
		n, k := binary.Uvarint(buf[off:])
		if k <= 0 || uint64(len(buf)-off-k) < n {
			return "", errSettleRow
		}
		off += k
		v := chunk[off : off+int(n)]
		off += int(n)
		if !word {
			return v, nil
		}
		if s, ok := words[v]; ok {
			return s, nil
		}
		s := strings.Clone(v) // not the chunk's: a word outlives it in the settlements' totals
		words[s] = s
		return s, nil
	}
	var err error
	for _, f := range []struct {
		dst  *string
		word bool
	}{{&r.SettlementID, true}, {&r.UTR, true}, {&r.OrderID, false}, {&r.TransactionID, false}, {&r.PaymentMethod, true}} {
		if *f.dst, err = str(f.word); err != nil {
			return 0, err
		}
	}
	var ints [5]int64
	for i := range ints {
		v, k := binary.Varint(buf[off:])
		if k <= 0 {
			return 0, errSettleRow
		}
		ints[i], off = v, off+k
	}
	r.SettledAt, r.Amount, r.Fee, r.Tax, r.Net = recon.Instant(ints[0]), recon.Amount(ints[1]), recon.Amount(ints[2]), recon.Amount(ints[3]), recon.Amount(ints[4])
	if len(buf)-off < 2 {
		return 0, errSettleRow
	}
	r.Type, r.HasAmounts = recon.EventType(buf[off]), buf[off+1] == 1
	off += 2
	p, k := binary.Uvarint(buf[off:])
	if k <= 0 {
		return 0, errSettleRow
	}
	r.Place = recon.UnpackPlace(p)
	return off + k, nil
}
