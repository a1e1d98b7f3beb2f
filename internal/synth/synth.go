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
	"strings"
	"time"
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
	// SettleDir, when set, writes the settlement reports and bank
	// statements of the day (settle.go) under it, and plants their
	// exceptions in set 0.
	SettleDir string
	// PlantRate, when Plant is set, plants copies of the whole set of
	// exceptions until they number about PlantRate × (Orders + Payouts).
	// Zero plants one set. The first set is the same for every rate.
	PlantRate float64
	// KeyOrder writes the gateway dump and the webhook log in the order
	// the generator makes their keys. Without it they come as a real
	// export does: the dump by creation time, pay-ins and payouts
	// interleaved, and the log by receipt time.
	KeyOrder bool
	// runBytes bounds the memory that puts the lines in time order (16
	// MiB); tests make it small.
	runBytes int
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

// generator writes a day as it makes it. Rows wait in Orders, Payouts, Gateway and
// Webhooks only until flush writes them, so memory stays bounded whatever
// the size of the day; Planted keeps every planted exception.
type generator struct {
	Date     time.Time // midnight IST
	Orders   [][]string
	Payouts  [][]string
	Gateway  []gatewayRecord
	Webhooks []Webhook
	Planted  []Planted
	secret   string
	rng      *rand.Rand
	seq      int
	utrs     map[uint64]bool // the UTRs drawn (utr)
	out      *sinks
	// settle writes the settlement side of the day; nil without one.
	settle        *settler
	settlePlanted []plantedSettlement
	settleExtra   []srow
	settleErr     error // the first failure to write a settlement row
	// settleOwn is set while the settlement cases are planted: their
	// orders settle as planted, not the next day.
	settleOwn bool
}

// gatewayRecord is one record of the gateway dump, with the time the
// gateway created it (the dump is in that order).
type gatewayRecord struct {
	created time.Time
	fields  map[string]any
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

// Write generates a day and writes orders.csv, payouts.csv, gateway.jsonl,
// webhooks.jsonl and planted.csv into dir. The rows are written as they are
// made: memory does not grow with the size of the day.
func Write(dir string, p Params) ([]Planted, error) {
	date, err := time.ParseInLocation("2006-01-02", p.Date, ist)
	if err != nil {
		return nil, fmt.Errorf("date %q: %w", p.Date, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	if p.runBytes <= 0 {
		p.runBytes = defaultRunBytes
	}
	out, err := openSinks(dir, p.KeyOrder, p.runBytes)
	if err != nil {
		return nil, err
	}
	defer out.abort()
	d := &generator{Date: date, secret: p.WebhookSecret, rng: rand.New(rand.NewPCG(p.Seed, p.Seed^0x9e3779b97f4a7c15)), out: out}
	if p.SettleDir != "" {
		if d.settle, err = newSettler(p.SettleDir, date); err != nil {
			return nil, fmt.Errorf("settlements: %w", err)
		}
	}
	if err := d.generate(p); err != nil {
		return nil, err
	}
	if d.settle != nil {
		if d.settleErr != nil {
			return nil, fmt.Errorf("settlements: %w", d.settleErr)
		}
		if err := d.settle.finish(d.settlePlanted, d.settleExtra); err != nil {
			return nil, fmt.Errorf("settlements: %w", err)
		}
	}
	if err := out.close(); err != nil {
		return nil, err
	}
	if err := writeFile(filepath.Join(dir, "planted.csv"), d.writePlanted); err != nil {
		return nil, fmt.Errorf("write planted.csv: %w", err)
	}
	return d.Planted, nil
}

// generate makes the ordinary rows, then the planted sets, flushing as it goes.
func (d *generator) generate(p Params) error {
	for i := 0; i < p.Orders; i++ {
		d.ordinaryOrder()
		if err := d.flush(); err != nil {
			return err
		}
	}
	for i := 0; i < p.Payouts; i++ {
		d.ordinaryPayout()
		if err := d.flush(); err != nil {
			return err
		}
	}
	if !p.Plant {
		return nil
	}
	want := p.PlantRate * float64(p.Orders+p.Payouts)
	for set := 0; set == 0 || float64(len(d.Planted)) < want; set++ {
		d.plant(set)
		if set == 0 && d.settle != nil {
			d.plantSettlements()
		}
		if err := d.flush(); err != nil {
			return err
		}
	}
	return nil
}

// flush writes the waiting rows to their files and empties the queues.
func (d *generator) flush() error {
	for _, r := range d.Orders {
		if err := d.out.orders.Write(r); err != nil {
			return fmt.Errorf("write orders.csv: %w", err)
		}
	}
	for _, r := range d.Payouts {
		if err := d.out.payouts.Write(r); err != nil {
			return fmt.Errorf("write payouts.csv: %w", err)
		}
	}
	for _, g := range d.Gateway {
		if err := d.out.gatewayLine(g.created, g.fields); err != nil {
			return fmt.Errorf("write gateway.jsonl: %w", err)
		}
	}
	for _, wh := range d.Webhooks {
		if err := d.out.webhookLine(d.secret, wh); err != nil {
			return fmt.Errorf("write webhooks.jsonl: %w", err)
		}
	}
	clear(d.Orders)
	clear(d.Payouts)
	clear(d.Gateway)
	clear(d.Webhooks)
	d.Orders, d.Payouts, d.Gateway, d.Webhooks = d.Orders[:0], d.Payouts[:0], d.Gateway[:0], d.Webhooks[:0]
	return nil
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

func (d *generator) writePlanted(w *bufio.Writer) error {
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

// reorder rewrites a body {"data":…,"event":…} as {"event":…,"data":…} with
// a space after each colon: the same JSON, other bytes.
func reorder(body string) string {
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		return body
	}
	return `{"event": ` + string(m["event"]) + `, "data": ` + string(m["data"]) + `}`
}

// Tier is a named size of day for the benchmarks (issue 8).
type Tier struct {
	Name            string
	Orders, Payouts int
	PlantRate       float64
}

// TierOf returns the tier named S, M, M3 or L (case-insensitive). M3 and L
// measure growth (issue 20): each costs about three times the one below,
// L's day is ten gigabytes of files, and it runs only on demand.
func TierOf(name string) (Tier, error) {
	switch strings.ToUpper(name) {
	case "S":
		return Tier{Name: "S", Orders: 100_000, Payouts: 20_000, PlantRate: 0.005}, nil
	case "M":
		return Tier{Name: "M", Orders: 1_000_000, Payouts: 200_000, PlantRate: 0.005}, nil
	case "M3":
		return Tier{Name: "M3", Orders: 3_000_000, Payouts: 600_000, PlantRate: 0.005}, nil
	case "L":
		return Tier{Name: "L", Orders: 10_000_000, Payouts: 2_000_000, PlantRate: 0.005}, nil
	}
	return Tier{}, fmt.Errorf("unknown tier %q: want S (100,000 orders), M (1,000,000), M3 (3,000,000) or L (10,000,000)", name)
}
