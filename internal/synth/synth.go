// Package synth writes a synthetic business day in the formats of SPEC §2:
// an order ledger, a payout ledger, a gateway dump and a signed webhook log,
// with exceptions planted at known keys. The same parameters always write
// the same bytes. The fixture day and the benchmarks are made with it.
package synth

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	"github.com/kwikpaisa/recon/internal/kwikpaisa"
)

// Params say what day to write.
type Params struct {
	Date    string // YYYY-MM-DD, a business day in IST
	Orders  int    // ordinary orders, besides the planted ones
	Payouts int    // ordinary payouts, besides the planted ones
	Seed    uint64
	// WebhookSecret signs the webhook log.
	WebhookSecret string
	// Plant adds the planted exceptions (see plant.go).
	Plant bool
}

// Planted is one exception the generator planted on purpose.
type Planted struct {
	Category  string
	Entity    string
	Reference string
	Note      string
}

// ist is the zone of the business day and of the gateway's timestamps.
var ist = time.FixedZone("IST", 5*3600+1800)

// Day is a generated day before it is written.
type Day struct {
	Date     time.Time // midnight IST
	Orders   [][]string
	Payouts  [][]string
	Gateway  []map[string]any
	Webhooks []Webhook
	Planted  []Planted
	secret   string
	rng      *rand.Rand
	seq      int
}

// Webhook is one stored delivery, before it is signed.
type Webhook struct {
	Event      string
	Data       map[string]any
	ReceivedAt time.Time
	// Skew is X-Timestamp − received_at.
	Skew time.Duration
	// Forge signs with a wrong secret; Canonical signs the canonical JSON
	// of the body instead of the body; Raw, when set, is the body as is.
	Forge, Canonical bool
	Raw              string
	// Repeat delivers the same body this many extra times.
	Repeat int
}

var orderHeader = []string{"order_id", "amount", "currency", "status", "created_at", "transaction_id", "payment_method"}
var payoutHeader = []string{"payout_order_id", "amount", "currency", "status", "transfer_mode", "beneficiary_account",
	"beneficiary_ifsc", "beneficiary_vpa", "utr", "requested_at"}

// Generate builds a day in memory. For large days use Write, which streams
// the ordinary rows.
func Generate(p Params) (*Day, error) {
	date, err := time.ParseInLocation("2006-01-02", p.Date, ist)
	if err != nil {
		return nil, fmt.Errorf("date %q: %w", p.Date, err)
	}
	d := &Day{Date: date, secret: p.WebhookSecret, rng: rand.New(rand.NewPCG(p.Seed, p.Seed^0x9e3779b97f4a7c15))}
	for i := 0; i < p.Orders; i++ {
		d.ordinaryOrder()
	}
	for i := 0; i < p.Payouts; i++ {
		d.ordinaryPayout()
	}
	if p.Plant {
		d.plant()
	}
	return d, nil
}

// Write generates a day and writes orders.csv, payouts.csv, gateway.jsonl,
// webhooks.jsonl and planted.csv into dir.
func Write(dir string, p Params) ([]Planted, error) {
	d, err := Generate(p)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	steps := []struct {
		name  string
		write func(*bufio.Writer) error
	}{
		{"orders.csv", func(w *bufio.Writer) error { return writeCSV(w, orderHeader, d.Orders) }},
		{"payouts.csv", func(w *bufio.Writer) error { return writeCSV(w, payoutHeader, d.Payouts) }},
		{"gateway.jsonl", d.writeGateway},
		{"webhooks.jsonl", d.writeWebhooks},
		{"planted.csv", d.writePlanted},
	}
	for _, st := range steps {
		if err := writeFile(filepath.Join(dir, st.name), st.write); err != nil {
			return nil, fmt.Errorf("write %s: %w", st.name, err)
		}
	}
	return d.Planted, nil
}

func writeFile(path string, write func(*bufio.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if err := write(w); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func writeCSV(w *bufio.Writer, header []string, rows [][]string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

func (d *Day) writeGateway(w *bufio.Writer) error {
	for _, g := range d.Gateway {
		b, err := marshal(g)
		if err != nil {
			return err
		}
		w.Write(b)
		w.WriteByte('\n')
	}
	return nil
}

func (d *Day) writeWebhooks(w *bufio.Writer) error {
	for _, wh := range d.Webhooks {
		body := wh.Raw
		if body == "" {
			b, err := marshal(map[string]any{"event": wh.Event, "data": wh.Data})
			if err != nil {
				return err
			}
			body = string(b)
		}
		ts := strconv.FormatInt(wh.ReceivedAt.Add(wh.Skew).Unix(), 10)
		signed := []byte(body)
		if wh.Canonical {
			// Store the body with its keys in another order, signed over
			// its canonical form.
			var err error
			if signed, err = kwikpaisa.CanonicalJSON(signed); err != nil {
				return err
			}
			body = reorder(body)
		}
		secret := d.secret
		if wh.Forge {
			secret = "not-the-merchant-secret"
		}
		line := map[string]any{
			"received_at": wh.ReceivedAt.In(ist).Format("2006-01-02T15:04:05.000-07:00"),
			"headers":     map[string]string{"X-Signature": kwikpaisa.Sign(secret, signed, ts), "X-Timestamp": ts},
			"body":        body,
		}
		b, err := marshal(line)
		if err != nil {
			return err
		}
		for i := 0; i <= wh.Repeat; i++ {
			w.Write(b)
			w.WriteByte('\n')
		}
	}
	return nil
}

func (d *Day) writePlanted(w *bufio.Writer) error {
	sort.Slice(d.Planted, func(i, j int) bool {
		a, b := d.Planted[i], d.Planted[j]
		if a.Category != b.Category {
			return a.Category < b.Category
		}
		return a.Reference < b.Reference
	})
	rows := make([][]string, len(d.Planted))
	for i, p := range d.Planted {
		rows[i] = []string{p.Category, p.Entity, p.Reference, p.Note}
	}
	return writeCSV(w, []string{"category", "entity", "reference", "note"}, rows)
}

// marshal writes JSON without HTML escaping, keys sorted (maps) as
// encoding/json does.
func marshal(v any) ([]byte, error) {
	var buf jsonBuffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.b[:len(buf.b)-1], nil
}

type jsonBuffer struct{ b []byte }

func (j *jsonBuffer) Write(p []byte) (int, error) { j.b = append(j.b, p...); return len(p), nil }

// reorder rewrites a body {"data":…,"event":…} as {"event":…,"data":…} with
// a space after each colon: the same JSON, other bytes.
func reorder(body string) string {
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		return body
	}
	return `{"event": ` + string(m["event"]) + `, "data": ` + string(m["data"]) + `}`
}
