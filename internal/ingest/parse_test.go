package ingest

import (
	"fmt"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Asia/Kolkata on a machine without zoneinfo

	"github.com/kwikpaisa/recon/internal/recon"
)

func TestParseAmount(t *testing.T) {
	tests := []struct {
		in   string
		want recon.Amount
		err  string // a substring of the error; "" means accepted
	}{
		{in: "105.00", want: 10500},
		{in: "105", want: 10500},
		{in: "105.5", want: 10550},
		{in: ".5", want: 50},
		{in: "₹ 1,23,456.78", want: 12345678},
		{in: "Rs. 1,234.50", want: 123450},
		{in: "INR 99", want: 9900},
		{in: "1 234.00", want: 123400},
		{in: "100.500", want: 10050},
		{in: "0", want: 0},
		{in: "", err: "empty"},
		{in: "   ", err: "empty"},
		{in: "-5.00", err: "negative"},
		{in: "(5.00)", err: "negative"},
		{in: "1.234", err: "more than 2 decimal places"},
		{in: "12,50", err: "thousands separator"},
		{in: "1,2345", err: "thousands separator"},
		{in: "1.234,56", err: "decimal comma"},
		{in: "1.234.567,8", err: "decimal comma"},
		{in: "1.23,4", err: "not a number"},
		{in: "1e3", err: "not a number"},
		{in: "NaN", err: "not a number"},
		{in: "abc", err: "not a number"},
		{in: "1.2.3", err: "not a number"},
		{in: "٣٤٥", err: "not a number"},
		{in: "1e309", err: "not a number"},
		{in: "99999999999999", err: "too large"},
	}
	for _, tt := range tests {
		got, err := ParseAmount(tt.in)
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("ParseAmount(%q) error %v, want %v", tt.in, err, tt.want)
		case tt.err == "" && got != tt.want:
			t.Errorf("ParseAmount(%q) = %v, want %v", tt.in, got, tt.want)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("ParseAmount(%q) = %v, %v; want error containing %q", tt.in, got, err, tt.err)
		}
	}
}

func TestParseTime(t *testing.T) {
	ist := time.FixedZone("IST", 19800)
	want := time.Date(2026, 11, 24, 10, 15, 2, 0, ist).UTC()
	wantMin := time.Date(2026, 11, 24, 10, 15, 0, 0, ist).UTC()
	tests := []struct {
		in   string
		want time.Time
		err  bool
	}{
		{in: "2026-11-24T10:15:02+05:30", want: want},
		{in: "2026-11-24T04:45:02Z", want: want},
		{in: "2026-11-23T23:45:02-05:00", want: want}, // an offset not the zone's
		{in: "2026-11-24T10:15:02.180+05:30", want: want.Add(180 * time.Millisecond)},
		{in: "2026-11-24 10:15:02", want: want},
		{in: "2026-11-24 10:15", want: wantMin},
		{in: "2026-11-24", want: time.Date(2026, 11, 24, 0, 0, 0, 0, ist).UTC()},
		{in: "24-11-2026 10:15 AM", want: wantMin},
		{in: "24-11-2026 10:15 pm", want: wantMin.Add(12 * time.Hour)},
		{in: "24/11/2026 10:15:02", want: want},
		{in: "24/11/2026", want: time.Date(2026, 11, 24, 0, 0, 0, 0, ist).UTC()},
		{in: "2026-11-24 10:15:02.500", want: want.Add(500 * time.Millisecond)},
		{in: "5/1/2026 9:05", want: time.Date(2026, 1, 5, 9, 5, 0, 0, ist).UTC()},
		{in: "24/1/2026", want: time.Date(2026, 1, 24, 0, 0, 0, 0, ist).UTC()},
		{in: "5-11-2026 9:05 AM", want: time.Date(2026, 11, 5, 9, 5, 0, 0, ist).UTC()},
		// The day-first forms of Indian exports (SPEC §2.1).
		{in: "24-11-2026 10:15", want: wantMin},
		{in: "24/11/2026 10:15 AM", want: wantMin},
		{in: "24/11/2026 10:15:02 am", want: want},
		{in: "24-Nov-2026 10:15", want: wantMin},
		{in: "24-NOV-2026 10:15:02", want: want},
		{in: "24 Nov 2026", want: time.Date(2026, 11, 24, 0, 0, 0, 0, ist).UTC()},
		{in: "24 Nov 2026 10:15 PM", want: wantMin.Add(12 * time.Hour)},
		{in: "24/11/26 10:15", want: wantMin},
		{in: "24.11.2026", want: time.Date(2026, 11, 24, 0, 0, 0, 0, ist).UTC()},
		{in: "24.11.26", want: time.Date(2026, 11, 24, 0, 0, 0, 0, ist).UTC()},
		{in: "24.11.2026 10:15:02", want: want},
		{in: "5/1/26", want: time.Date(2026, 1, 5, 0, 0, 0, 0, ist).UTC()},
		{in: "03/04/2026", want: time.Date(2026, 4, 3, 0, 0, 0, 0, ist).UTC()}, // day first always
		{in: "24-Sept-2026", want: time.Date(2026, 9, 24, 0, 0, 0, 0, ist).UTC()},
		{in: "24-11-2026 12:00 AM", want: time.Date(2026, 11, 24, 0, 0, 0, 0, ist).UTC()},
		{in: "24-11-2026 12:00 PM", want: time.Date(2026, 11, 24, 12, 0, 0, 0, ist).UTC()},
		{in: "29/02/2028", want: time.Date(2028, 2, 29, 0, 0, 0, 0, ist).UTC()},
		// Near misses.
		{in: "31/02/2026", err: true},
		{in: "29/02/2026", err: true},
		{in: "24/13/2026", err: true},
		{in: "00/11/2026", err: true},
		{in: "24-Okt-2026", err: true}, // German
		{in: "24-Mär-2026", err: true},
		{in: "24-Novembre-2026", err: true},
		{in: "24/11-2026", err: true}, // two separators
		{in: "24/11/2026 25:00", err: true},
		{in: "24/11/2026 10:60", err: true},
		{in: "24/11/2026 13:05 PM", err: true},
		{in: "24/11/2026 00:30 AM", err: true},
		{in: "24/11/2026 10:15 XM", err: true},
		{in: "24/11/2026T10:15", err: true},
		{in: "24/11/202", err: true},
		{in: "24/11/20266", err: true},
		{in: "124/11/2026", err: true},
		{in: "2026/11/24", err: true},
		{in: "2026-1-5", err: true},
		{in: "2026-02-30", err: true},
		{in: "11/24/2026", err: true}, // month-first is not read
		{in: "yesterday", err: true},
		{in: "", err: true},
	}
	for _, tt := range tests {
		got, err := ParseTime(tt.in, ist)
		if tt.err {
			if err == nil {
				t.Errorf("ParseTime(%q) = %v, want an error", tt.in, got)
			}
			continue
		}
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

// TestParseTimeOwnOffset: a time written at the zone's own offset, as a
// webhook log's received_at is (a million times a day), is read without an
// allocation: no fixed zone is made for it.
func TestParseTimeOwnOffset(t *testing.T) {
	for _, zone := range []*time.Location{time.FixedZone("IST", 19800), mustLoadLocation(t, "Asia/Kolkata")} {
		allocs := testing.AllocsPerRun(100, func() {
			if _, err := ParseTime("2026-11-24T00:45:19.180+05:30", zone); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("ParseTime in %s: %v allocations a call, want 0", zone, allocs)
		}
	}
}

func mustLoadLocation(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestParseSerialDate(t *testing.T) {
	ist := time.FixedZone("IST", 19800)
	got, err := ParseSerialDate("46350.4375", ist) // 2026-11-24 10:30 IST
	want := time.Date(2026, 11, 24, 10, 30, 0, 0, ist)
	if err != nil || !got.Equal(want) {
		t.Fatalf("ParseSerialDate = %v, %v; want %v", got, err, want)
	}
}

func TestNormalizeUTR(t *testing.T) {
	tests := []struct {
		in        string
		numeric   bool
		want      string
		corrupted bool
	}{
		{in: " 523223000000 ", want: "523223000000"},
		{in: "hdfcn12345678901", want: "HDFCN12345678901"},
		{in: "'523223000000", want: "523223000000"},
		{in: `="523223000000"`, want: "523223000000"},
		{in: "5232 2300\u00a00000\u200b", want: "523223000000"},
		{in: "NA"}, {in: "n/a"}, {in: "-"}, {in: "0"}, {in: "null"}, {in: "None"}, {in: "pending"}, {in: "0000000"}, {in: ""},
		{in: "5.23223E+11", corrupted: true},
		{in: "5.23223e11", corrupted: true},
		{in: "1234567890123456", numeric: true, corrupted: true},
		{in: "1234567890123456", numeric: false, want: "1234567890123456"},
		{in: "523223000000", numeric: true, want: "523223000000"},
	}
	for _, tt := range tests {
		got, corrupted := NormalizeUTR(tt.in, tt.numeric)
		if got != tt.want || corrupted != tt.corrupted {
			t.Errorf("NormalizeUTR(%q, %v) = %q, %v; want %q, %v", tt.in, tt.numeric, got, corrupted, tt.want, tt.corrupted)
		}
	}
}

func TestParseID(t *testing.T) {
	for _, ok := range []string{"ORD-1", " 00123 ", "abcXYZ"} {
		if _, err := ParseID(ok); err != nil {
			t.Errorf("ParseID(%q) = %v, want accepted", ok, err)
		}
	}
	if got, _ := ParseID(" 00123 "); got != "00123" {
		t.Errorf("ParseID keeps leading zeros: got %q", got)
	}
	for _, bad := range []string{"", "ORD-1\u200b", "ORD-\u0410", "ORD\x00"} {
		if _, err := ParseID(bad); err == nil {
			t.Errorf("ParseID(%q) accepted, want refused", bad)
		}
	}
}

// TestParseIDEveryByte: an id holding any one byte, or a rune beyond
// ASCII, is read as the check of every rune reads it, whether or not the
// byte is printable ASCII.
func TestParseIDEveryByte(t *testing.T) {
	var ids []string
	for b := range 256 {
		ids = append(ids, "ORD"+string([]byte{byte(b)})+"1")
	}
	ids = append(ids, "ORD\u00ad1", "ORD\u200b1", "ORD\u04101", "ORD\ufeff1", "\u00a0ORD1")
	for _, id := range ids {
		got, err := ParseID(id)
		want, wantErr := checkIDRunes(strings.TrimSpace(id))
		if got != want || fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Errorf("ParseID(%q) = %q, %v; checking every rune gives %q, %v", id, got, err, want, wantErr)
		}
	}
}

func TestStatusTable(t *testing.T) {
	st := DefaultStatuses()
	tests := []struct {
		entity recon.Entity
		word   string
		want   recon.StatusClass
	}{
		{recon.EntityPayin, "Captured", recon.StatusSuccess},
		{recon.EntityPayin, "UN_PAID", recon.StatusNotPaid},
		{recon.EntityPayin, "user dropped", recon.StatusNotPaid},
		{recon.EntityPayin, "partially-refunded", recon.StatusRefunded},
		{recon.EntityPayout, "cancelled", recon.StatusFailed},
		{recon.EntityPayout, "QUEUED", recon.StatusPending},
		{recon.EntityPayout, "returned", recon.StatusReversed},
	}
	for _, tt := range tests {
		if got, err := st.Class(tt.entity, tt.word); err != nil || got != tt.want {
			t.Errorf("Class(%s, %q) = %v, %v; want %v", tt.entity, tt.word, got, err, tt.want)
		}
	}
	if _, err := st.Class(recon.EntityPayin, "reversed"); err == nil {
		t.Error("a payout-only status was accepted for a pay-in")
	}
}
