package bench

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCheckPlanted(t *testing.T) {
	const planted = "category,entity,reference,note\n" +
		"AMOUNT_MISMATCH,PAYIN,ORD-AMT-1,x\n" +
		"DUPLICATE_UTR,PAYOUT,PO-1,x\nDUPLICATE_UTR,PAYOUT,PO-2,x\n" +
		"REJECT,PAYIN,ORD-BAD,x\n"
	const header = "category,entity,reference,severity\n"
	tests := []struct {
		name    string
		reports map[string]string
		want    Check
	}{
		{"exactly the planted", map[string]string{
			"mismatches.csv":  header + "AMOUNT_MISMATCH,PAYIN,ORD-AMT-1,HIGH\n",
			"duplicates.csv":  header + "DUPLICATE_UTR,PAYOUT,PO-1,HIGH\nDUPLICATE_UTR,PAYOUT,PO-2,HIGH\n",
			"missing_utr.csv": header,
		}, Check{Planted: 3, Reported: 3}},
		{"one missed, one unplanted, one repeated", map[string]string{
			"mismatches.csv":  header + "STATUS_MISMATCH,PAYIN,ORD-9,HIGH\n",
			"duplicates.csv":  header + "DUPLICATE_UTR,PAYOUT,PO-1,HIGH\nDUPLICATE_UTR,PAYOUT,PO-2,HIGH\n",
			"missing_utr.csv": header + "DUPLICATE_UTR,PAYOUT,PO-2,HIGH\n",
		}, Check{Planted: 3, Reported: 4, Differences: []Difference{
			{Category: "AMOUNT_MISMATCH", Planted: 1, Missed: []string{"PAYIN ORD-AMT-1"}},
			{Category: "DUPLICATE_UTR", Planted: 2, Reported: 3, Repeated: []string{"PAYOUT PO-2"}},
			{Category: "STATUS_MISMATCH", Reported: 1, Unplanted: []string{"PAYIN ORD-9"}},
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			day, reports := t.TempDir(), t.TempDir()
			writeFiles(t, day, map[string]string{"planted.csv": planted})
			writeFiles(t, reports, tt.reports)
			got, err := CheckPlanted(day, reports)
			if err != nil {
				t.Fatalf("CheckPlanted: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("CheckPlanted=%+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestCheckPlantedMissingReport(t *testing.T) {
	day := t.TempDir()
	writeFiles(t, day, map[string]string{"planted.csv": "category,entity,reference,note\n"})
	if _, err := CheckPlanted(day, t.TempDir()); err == nil {
		t.Fatal("CheckPlanted of a folder without reports: no error, want one")
	}
}

// TestSaveLast: the figures saved are given back, each tier's latest, but
// only those of the same build: a ratio of two builds says nothing.
// Figures saved before builds were recorded are of no build.
func TestSaveLast(t *testing.T) {
	cache := t.TempDir()
	if err := os.WriteFile(filepath.Join(cache, wallsFile), []byte(`{"L": 200, "M": 15}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := saveLast(cache, wallsFile, "S", 2, "a"); err != nil {
		t.Fatalf("saveLast S: %v", err)
	}
	if _, err := saveLast(cache, wallsFile, "M", 25, "a"); err != nil {
		t.Fatalf("saveLast M: %v", err)
	}
	if _, err := saveLast(cache, peaksFile, "M", 1<<30, "a"); err != nil {
		t.Fatalf("saveLast M's peak: %v", err)
	}
	got, err := saveLast(cache, wallsFile, "S", 3, "a")
	if err != nil {
		t.Fatalf("saveLast S again: %v", err)
	}
	if want := map[string]float64{"S": 3, "M": 25}; !reflect.DeepEqual(got, want) {
		t.Errorf("walls %v, want %v", got, want)
	}
	got, err = saveLast(cache, peaksFile, "M+settlements", 1<<29, "a")
	if err != nil {
		t.Fatalf("saveLast M+settlements's peak: %v", err)
	}
	if want := map[string]float64{"M": 1 << 30, "M+settlements": 1 << 29}; !reflect.DeepEqual(got, want) {
		t.Errorf("peaks %v, want %v", got, want)
	}
	// Another build sees its own figures only; the first build's stay.
	got, err = saveLast(cache, wallsFile, "M3", 80, "b")
	if err != nil {
		t.Fatalf("saveLast M3 of build b: %v", err)
	}
	if want := map[string]float64{"M3": 80}; !reflect.DeepEqual(got, want) {
		t.Errorf("walls of build b %v, want %v", got, want)
	}
	got, err = saveLast(cache, wallsFile, "M", 24, "a")
	if err != nil {
		t.Fatalf("saveLast M of build a: %v", err)
	}
	if want := map[string]float64{"S": 3, "M": 24}; !reflect.DeepEqual(got, want) {
		t.Errorf("walls of build a %v, want %v", got, want)
	}
}

// TestBuildOf: a binary's build is named by its bytes.
func TestBuildOf(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	for p, body := range map[string]string{a: "one binary", b: "another"} {
		if err := os.WriteFile(p, []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ida, err := buildOf(a)
	if err != nil {
		t.Fatal(err)
	}
	idb, err := buildOf(b)
	if err != nil || ida == idb || len(ida) != 16 {
		t.Errorf("builds %q and %q (%v); want two of 16 hex digits", ida, idb, err)
	}
	if _, err := buildOf(filepath.Join(dir, "missing")); err == nil {
		t.Error("build of a missing binary: no error")
	}
}
