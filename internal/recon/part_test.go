package recon

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestPartRanges: the parts of an entity cover every hash once, in order.
func TestPartRanges(t *testing.T) {
	for of := 1; of <= 64; of++ {
		next := int64(math.MinInt64)
		for no := range of {
			lo, hi := Part{Entity: EntityPayin, No: no, Of: of}.HashRange()
			if lo != next || hi < lo {
				t.Fatalf("part %d of %d: [%d, %d], want it to start at %d", no, of, lo, hi, next)
			}
			if no == of-1 {
				if hi != math.MaxInt64 {
					t.Fatalf("last part of %d ends at %d", of, hi)
				}
				break
			}
			next = hi + 1
		}
	}
}

// TestPartsHoldEachKeyOnce: every key, and every delivery, is in exactly
// one part of DayParts, and the parts are about even.
// TestPartNo checks that PartNo names the part whose range holds a hash,
// at both ends of every range and at random.
func TestPartNo(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for of := 1; of <= 64; of++ {
		for no := range of {
			lo, hi := Part{Entity: EntityPayin, No: no, Of: of}.HashRange()
			for _, h := range []int64{lo, hi, lo + (hi-lo)/2} {
				if got := PartNo(h, of); got != no {
					t.Fatalf("PartNo(%d, %d) = %d, want %d (range [%d, %d])", h, of, got, no, lo, hi)
				}
			}
		}
		for range 1000 {
			h := int64(rng.Uint64())
			no := PartNo(h, of)
			if lo, hi := (Part{Entity: EntityPayin, No: no, Of: of}).HashRange(); h < lo || h > hi {
				t.Fatalf("PartNo(%d, %d) = %d, whose range is [%d, %d]", h, of, no, lo, hi)
			}
		}
	}
}

func TestPartsHoldEachKeyOnce(t *testing.T) {
	parts := DayParts(100_000, 20_000, 25_000)
	if len(parts) != 6 || parts[3] != (Part{Entity: EntityPayin, No: 3, Of: 4}) || parts[5] != (Part{Entity: EntityPayout, No: 1, Of: 2}) {
		t.Fatalf("DayParts = %+v, want 4 pay-in parts, then 2 of the payouts (parts of half as many)", parts)
	}
	count := make([]int, len(parts))
	for i := range 100_000 {
		for _, d := range []struct {
			entity Entity
			key    string
		}{{EntityPayin, fmt.Sprintf("ORD20261124%07d", i)}, {EntityPayout, fmt.Sprintf("PO%d", i)}, {"", ""}, {EntityPayin, ""}} {
			in, inD := 0, 0
			for j, p := range parts {
				if p.Has(d.entity, d.key) {
					in++
					if d.entity == EntityPayin && d.key != "" {
						count[j]++
					}
				}
				if p.HasDelivery(d.entity, d.key) {
					inD++
				}
			}
			if d.key != "" && in != 1 || inD != 1 {
				t.Fatalf("%s %q: in %d parts, its deliveries in %d; want 1 each", d.entity, d.key, in, inD)
			}
		}
	}
	for j := range 4 {
		if count[j] < 22_000 || count[j] > 28_000 {
			t.Errorf("part %d holds %d of 100,000 pay-ins", j, count[j])
		}
	}
}

func TestDayPartsWhole(t *testing.T) {
	for _, c := range []struct{ orders, payouts, partKeys int }{{10, 10, 0}, {10, 10, 20}, {0, 0, 1}} {
		if got := DayParts(c.orders, c.payouts, c.partKeys); len(got) != 1 || !got[0].Whole() {
			t.Errorf("DayParts%v = %+v, want the whole day", c, got)
		}
	}
	if got := DayParts(10, 7, 15); len(got) != 2 || got[0].Entity != EntityPayin || got[0].Of != 1 || got[1].Entity != EntityPayout {
		t.Errorf("DayParts(10, 7, 15) = %+v, want the pay-ins, then the payouts", got)
	}
}
