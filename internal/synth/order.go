package synth

import (
	"bufio"
	"cmp"
	"container/heap"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
)

// timeOrder writes lines in the order of their times, as a gateway exports
// its records (by creation) and a merchant's server stores webhooks (by
// receipt), not in the order the generator makes them, which is by key.
// Lines of one time keep the order given. Memory stays bounded whatever
// the size of the day: sorted runs of at most runBytes are spilled to
// temporary files beside the output and merged at the end.
type timeOrder struct {
	w        io.Writer
	dir      string // of the temporary runs
	runBytes int
	buf      []byte // the lines of the run being gathered
	lines    []timedLine
	seq      int64
	runs     []*os.File
}

type timedLine struct {
	at, seq  int64
	off, len int
}

// defaultRunBytes bounds a timeOrder's memory.
const defaultRunBytes = 16 << 20

func newTimeOrder(w io.Writer, dir string, runBytes int) *timeOrder {
	return &timeOrder{w: w, dir: dir, runBytes: runBytes}
}

// add queues one line (its bytes are copied) to be written at time at.
func (o *timeOrder) add(at int64, line []byte) error {
	o.lines = append(o.lines, timedLine{at: at, seq: o.seq, off: len(o.buf), len: len(line)})
	o.seq++
	o.buf = append(o.buf, line...)
	if len(o.buf) >= o.runBytes {
		return o.spill()
	}
	return nil
}

func (o *timeOrder) sort() {
	slices.SortFunc(o.lines, func(a, b timedLine) int { return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.seq, b.seq)) })
}

// spill writes the gathered lines, sorted, to a run file of their own.
func (o *timeOrder) spill() error {
	o.sort()
	f, err := os.CreateTemp(o.dir, ".run-*")
	if err != nil {
		return err
	}
	o.runs = append(o.runs, f)
	w := bufio.NewWriterSize(f, 1<<20)
	var head [20]byte
	for _, l := range o.lines {
		binary.LittleEndian.PutUint64(head[0:], uint64(l.at))
		binary.LittleEndian.PutUint64(head[8:], uint64(l.seq))
		binary.LittleEndian.PutUint32(head[16:], uint32(l.len))
		w.Write(head[:])
		w.Write(o.buf[l.off : l.off+l.len])
	}
	if err := w.Flush(); err != nil {
		return err
	}
	o.buf, o.lines = o.buf[:0], o.lines[:0]
	return nil
}

// finish writes every line, in order, and removes the runs.
func (o *timeOrder) finish() error {
	defer o.remove()
	if len(o.runs) == 0 {
		o.sort()
		for _, l := range o.lines {
			if _, err := o.w.Write(o.buf[l.off : l.off+l.len]); err != nil {
				return err
			}
		}
		return nil
	}
	if len(o.lines) > 0 {
		if err := o.spill(); err != nil {
			return err
		}
	}
	h := make(runHeap, 0, len(o.runs))
	for _, f := range o.runs {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return err
		}
		r := &run{r: bufio.NewReaderSize(f, 1<<20)}
		ok, err := r.next()
		if err != nil {
			return fmt.Errorf("read %s: %w", f.Name(), err)
		}
		if ok {
			h = append(h, r)
		}
	}
	heap.Init(&h)
	for len(h) > 0 {
		r := h[0]
		if _, err := o.w.Write(r.line); err != nil {
			return err
		}
		ok, err := r.next()
		if err != nil {
			return err
		}
		if ok {
			heap.Fix(&h, 0)
		} else {
			heap.Pop(&h)
		}
	}
	return nil
}

// remove closes and removes the run files.
func (o *timeOrder) remove() {
	for _, f := range o.runs {
		f.Close()
		os.Remove(f.Name())
	}
	o.runs = nil
}

// run is one spilled run being merged: its next line.
type run struct {
	r       *bufio.Reader
	at, seq int64
	line    []byte
}

func (r *run) next() (bool, error) {
	var head [20]byte
	if _, err := io.ReadFull(r.r, head[:]); err != nil {
		if errors.Is(err, io.EOF) {
			return false, nil
		}
		return false, err
	}
	r.at, r.seq = int64(binary.LittleEndian.Uint64(head[0:])), int64(binary.LittleEndian.Uint64(head[8:]))
	n := int(binary.LittleEndian.Uint32(head[16:]))
	if cap(r.line) < n {
		r.line = make([]byte, n)
	}
	r.line = r.line[:n]
	_, err := io.ReadFull(r.r, r.line)
	return true, err
}

type runHeap []*run

func (h runHeap) Len() int { return len(h) }
func (h runHeap) Less(i, j int) bool {
	return h[i].at < h[j].at || h[i].at == h[j].at && h[i].seq < h[j].seq
}
func (h runHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *runHeap) Push(x any)   { *h = append(*h, x.(*run)) }
func (h *runHeap) Pop() any {
	old := *h
	r := old[len(old)-1]
	*h = old[:len(old)-1]
	return r
}
