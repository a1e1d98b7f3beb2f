package ingest

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kwikpaisa/recon/internal/recon"
)

var ist = time.FixedZone("IST", 19800)

// collected is everything a reader sent to its sink.
type collected struct {
	orders     []recon.Order
	payouts    []recon.Payout
	gateway    []recon.GatewayRecord
	deliveries []recon.Delivery
	rejects    []recon.Reject
}

func (c *collected) sink() Sink {
	return Sink{
		Order:    func(o *recon.Order) error { c.orders = append(c.orders, *o); return nil },
		Payout:   func(p *recon.Payout) error { c.payouts = append(c.payouts, *p); return nil },
		Gateway:  func(g *recon.GatewayRecord) error { c.gateway = append(c.gateway, *g); return nil },
		Delivery: func(d *recon.Delivery) error { c.deliveries = append(c.deliveries, *d); return nil },
		Reject:   func(r *recon.Reject) error { c.rejects = append(c.rejects, *r); return nil },
	}
}

type readFunc func(ctx context.Context, path string, opts Options, sink Sink) (Counts, error)

// mustRead reads path with read and checks read = accepted + rejected and
// that the counts agree with what reached the sink.
func mustRead(t *testing.T, read readFunc, path string, opts Options) (*collected, Counts) {
	t.Helper()
	var c collected
	counts, err := read(context.Background(), path, opts, c.sink())
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	checkCounts(t, &c, counts)
	return &c, counts
}

func checkCounts(t *testing.T, c *collected, counts Counts) {
	t.Helper()
	accepted := len(c.orders) + len(c.payouts) + len(c.gateway) + len(c.deliveries)
	if counts.Read != counts.Accepted+counts.Rejected || counts.Accepted != accepted || counts.Rejected != len(c.rejects) {
		t.Errorf("counts %+v, sink got %d accepted and %d rejected; want read = accepted + rejected", counts, accepted, len(c.rejects))
	}
}

// writeFile writes content to name in a fresh temporary folder.
func writeFile(t testing.TB, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func testOptions() Options {
	o := DefaultOptions(ist)
	o.WebhookSecrets = []string{"whsec_test"}
	return o
}

func rejectOf(c *collected, line string) *recon.Reject {
	for i := range c.rejects {
		if c.rejects[i].Line == line {
			return &c.rejects[i]
		}
	}
	return nil
}
