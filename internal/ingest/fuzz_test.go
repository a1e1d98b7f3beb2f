package ingest

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kwikpaisa/recon/internal/recon"
)

// The fuzz targets' seed corpora live in testdata/fuzz/<Target>, written
// from the seed lists below by go test -run TestFuzzCorpus -fuzzcorpus.

var writeCorpus = flag.Bool("fuzzcorpus", false, "rewrite testdata/fuzz from the seed lists")

var amountSeeds = []string{
	"105.00", "₹ 1,23,456.78", "Rs. 1,234.50", "INR 99", "1 234.00", "100.500", ".5", "0", "",
	"-5.00", "(5.00)", "1.234", "12,50", "1,2345", "1e3", "NaN", "Inf", "1.2.3", "٣٤٥", "99999999999999",
	"9999999999999.99", "00000000000000000001.00", "1,,000", ",100", "100,", "₹", "Rs.", "\u00a0100\u202f",
	"0x10", "+5", "1_000", "1.", "..", "१००", "10\x00", "\xff", "105.00000000000001", "5.23223E+11",
}

var timeSeeds = []string{
	"2026-11-24T10:15:02+05:30", "2026-11-24T04:45:02Z", "2026-11-24 10:15:02", "2026-11-24 10:15", "2026-11-24",
	"24-11-2026 10:15 AM", "24-11-2026 10:15 pm", "24/11/2026 10:15:02", "24/11/2026", "2026-11-24 10:15:02.500",
	"2026-02-30", "11/24/2026", "yesterday", "", "2026-11-24T10:15:02.123456789+05:30", "24-11-2026 13:15 PM",
	"0000-01-01", "9999-12-31 23:59:59", "2026-11-24 10:15:02.", "2026-11-24 10:15:02.99999999999",
	"24/11/2026 24:00", "2026-11-24T10:15:02+25:00", "46350.4375", "2016-12-31 23:59:60",
	"24-Nov-2026 10:05", "24 nov 2026 10:05:09 P.M.", "24.11.26", "31/02/2026", "24/13/2026", "24-Okt-2026",
	"5/1/26 9:05 am", "24-Sept-2026", "24/11/2026 00:30 AM",
}

var utrSeeds = []string{
	" 523223000000 ", "hdfcn12345678901", "'523223000000", `="523223000000"`, "5232 2300\u00a00000\u200b",
	"NA", "n/a", "-", "0", "null", "None", "pending", "0000000", "", "5.23223E+11", "5.23223e11",
	"1234567890123456", "5E", "E5", "1.2.3E4", `="`, "'", "=\"\"", "\u200b", "ß", "ǆ", "0.0", "\xff",
}

var csvSeeds = []string{
	"order_id,amount,status,created_at\nORD-1,105.00,paid,2026-11-24 10:15\n",
	"\ufeffOrder No;Amount (INR);Payment Status;Order Date\r\nA;\"1,23,456.78\";Captured;24/11/2026\r\n",
	"order id,amount,status,date\nA,\"10,paid,2026-11-24\nB,10,paid,2026-11-24\n",
	"order id,amount,status,date\nA,1\"0,paid,2026-11-24\nB,10,paid,2026-11-24\n",
	"order id,amount,status,date\n\"A\nB\",10,paid,2026-11-24\nC,-1,paid,x\n",
	"order id,amount,status,date\n,,,\n\n \n",
	"order id,order_id,amount,status,date\n",
	"", "\n", "\xff\xfe", "PK\x03\x04", "a\x00b",
	"order id;amount,status;date\nA;1,2;paid;2026-11-24\n",
	"order id,amount,status,date\r\nA,1,paid,2026-11-24\rB,2,paid,2026-11-24\r\n",
	"\ufeffsep=;\rorder id;amount;status;date\rA;\"1,500.00\";paid;\"24/11/2026\r\"\rB;2;paid;2026-11-24\r",
	"order id,status,date,amount\nA,paid,2026-11-24,1,500.00\nB,paid,2026-11-24\nC,paid,2026-11-24,2\n",
}

func FuzzParseAmount(f *testing.F) {
	for _, s := range amountSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAmount(s)
		if plain, ok := plainAmount(s); ok {
			if all, err := parseAmount(s); err != nil || all != plain {
				t.Fatalf("plainAmount(%q) = %v; parseAmount reads %v, %v", s, plain, all, err)
			}
		}
		if err != nil {
			if a != 0 {
				t.Fatalf("ParseAmount(%q) = %v with error %v; want 0", s, a, err)
			}
			return
		}
		if a < 0 || a > recon.MaxAmount {
			t.Fatalf("ParseAmount(%q) = %v, out of range", s, a)
		}
		text := fmt.Sprintf("%d.%02d", a/100, a%100)
		back, err := ParseAmount(text)
		if err != nil || back != a {
			t.Fatalf("ParseAmount(%q) = %v; re-reading %q gives %v, %v", s, a, text, back, err)
		}
		if a.String() != text {
			t.Fatalf("Amount(%d).String() = %q, want %q", a, a.String(), text)
		}
	})
}

func FuzzParseTime(f *testing.F) {
	for _, s := range timeSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseTime(s, ist)
		if err != nil {
			if !got.IsZero() {
				t.Fatalf("ParseTime(%q) = %v with error %v; want the zero time", s, got, err)
			}
			return
		}
		if got.Location() != time.UTC {
			t.Fatalf("ParseTime(%q) is in %v, want UTC", s, got.Location())
		}
		// The instant written back as a naive business-zone time reads as
		// the same instant.
		text := got.In(ist).Format("2006-01-02 15:04:05.999999999")
		back, err := ParseTime(text, ist)
		if err != nil || !back.Equal(got) {
			t.Fatalf("ParseTime(%q) = %v; re-reading %q gives %v, %v", s, got, text, back, err)
		}
	})
}

func FuzzNormalizeUTR(f *testing.F) {
	for _, s := range utrSeeds {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, numeric bool) {
		utr, corrupted := NormalizeUTR(s, numeric)
		if corrupted && utr != "" {
			t.Fatalf("NormalizeUTR(%q) = %q, corrupted; a corrupted UTR must be absent", s, utr)
		}
		if utr == "" {
			return
		}
		if strings.ContainsAny(utr, " \t\u00a0\u200b\ufeff") || utr != strings.ToUpper(utr) {
			t.Fatalf("NormalizeUTR(%q) = %q: spaces left or not upper case", s, utr)
		}
		again, c2 := NormalizeUTR(utr, false)
		if again != utr || c2 {
			t.Fatalf("NormalizeUTR is not idempotent: %q → %q → %q (corrupted %v)", s, utr, again, c2)
		}
	})
}

// FuzzReadOrdersCSV reads whole files: whatever the bytes, the reader does
// not panic, either fails with an error naming the file or accounts for
// every row (read = accepted + rejected), and every accepted order and
// every reject is well formed.
func FuzzReadOrdersCSV(f *testing.F) {
	for _, s := range csvSeeds {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "orders.csv")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		var orders, rejects int
		sink := Sink{
			Order: func(o *recon.Order) error {
				orders++
				if o.OrderID == "" || o.OrderID != strings.TrimSpace(o.OrderID) || o.Amount < 0 || o.Class == recon.StatusNone ||
					o.Currency == "" || o.CreatedAt.IsZero() || o.Place.Line() == "" {
					t.Fatalf("accepted a malformed order %+v", o)
				}
				return nil
			},
			Reject: func(r *recon.Reject) error {
				rejects++
				if r.File != path || r.Reason == "" {
					t.Fatalf("reject without place or reason: %+v", r)
				}
				if _, err := strconv.Atoi(r.Line); err != nil {
					t.Fatalf("reject line %q is not a line number", r.Line)
				}
				return nil
			},
		}
		counts, err := ReadOrders(context.Background(), path, testOptions(), sink)
		if err != nil {
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		if counts.Read != counts.Accepted+counts.Rejected || counts.Accepted != orders || counts.Rejected != rejects {
			t.Fatalf("counts %+v; sink saw %d orders, %d rejects", counts, orders, rejects)
		}
	})
}

// TestFuzzCorpus keeps testdata/fuzz in step with the seed lists: each
// seed is a committed corpus file, so go test runs them all and a fuzzer
// starts from them.
func TestFuzzCorpus(t *testing.T) {
	corpora := map[string][]string{}
	for _, s := range amountSeeds {
		corpora["FuzzParseAmount"] = append(corpora["FuzzParseAmount"], fmt.Sprintf("string(%q)\n", s))
	}
	for _, s := range timeSeeds {
		corpora["FuzzParseTime"] = append(corpora["FuzzParseTime"], fmt.Sprintf("string(%q)\n", s))
	}
	for _, s := range utrSeeds {
		for _, n := range []bool{false, true} {
			corpora["FuzzNormalizeUTR"] = append(corpora["FuzzNormalizeUTR"], fmt.Sprintf("string(%q)\nbool(%v)\n", s, n))
		}
	}
	for _, s := range csvSeeds {
		corpora["FuzzReadOrdersCSV"] = append(corpora["FuzzReadOrdersCSV"], fmt.Sprintf("[]byte(%q)\n", s))
	}
	for _, s := range gatewaySeeds {
		corpora["FuzzParseGatewayRecord"] = append(corpora["FuzzParseGatewayRecord"], fmt.Sprintf("string(%q)\n", s))
	}
	for _, s := range deliverySeeds {
		corpora["FuzzParseDelivery"] = append(corpora["FuzzParseDelivery"], fmt.Sprintf("string(%q)\n", s))
	}
	for _, s := range plainReadSeeds() {
		corpora["FuzzPlainRead"] = append(corpora["FuzzPlainRead"], fmt.Sprintf("string(%q)\n", s))
	}
	for _, s := range xlsxSeeds {
		corpora["FuzzReadPayoutsXLSX"] = append(corpora["FuzzReadPayoutsXLSX"], fmt.Sprintf("string(%q)\nstring(%q)\n", s[0], s[1]))
	}
	for target, seeds := range corpora {
		for i, seed := range seeds {
			path := filepath.Join("testdata", "fuzz", target, fmt.Sprintf("seed-%02d", i))
			want := "go test fuzz v1\n" + seed
			if *writeCorpus {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			got, err := os.ReadFile(path)
			if err != nil || string(got) != want {
				t.Errorf("%s is missing or stale (go test ./internal/ingest -run TestFuzzCorpus -fuzzcorpus): %v", path, err)
			}
		}
	}
}
