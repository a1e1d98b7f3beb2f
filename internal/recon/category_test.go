package recon

import (
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"testing"
)

// TestCategoryTableComplete reads the Category constants from the source
// and checks that each has exactly one row of categoryTable, with a
// report, a known severity and advice: a category added without its row
// fails here, not in a finance team's workbook.
func TestCategoryTableComplete(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "exception.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var consts []Category
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, spec := range g.Specs {
			v := spec.(*ast.ValueSpec)
			if id, ok := v.Type.(*ast.Ident); ok && id.Name == "Category" {
				for _, val := range v.Values {
					lit := val.(*ast.BasicLit)
					consts = append(consts, Category(lit.Value[1:len(lit.Value)-1]))
				}
			}
		}
	}
	if len(consts) < 30 {
		t.Fatalf("found %d Category constants in exception.go; the test no longer reads them", len(consts))
	}
	reports := []Report{ReportMismatches, ReportDuplicates, ReportMissingUTR, ReportSettlements}
	for _, c := range consts {
		n := 0
		for _, info := range categoryTable {
			if info.category == c {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s has %d rows in categoryTable, want 1", c, n)
			continue
		}
		info, _ := c.info()
		if !slices.Contains(reports, info.report) {
			t.Errorf("%s: report %q", c, info.report)
		}
		if info.severity.Rank() < 0 || info.unmoved != "" && info.unmoved.Rank() < 0 {
			t.Errorf("%s: severity %q/%q", c, info.severity, info.unmoved)
		}
		if info.todo == "" {
			t.Errorf("%s: no advice", c)
		}
	}
	if len(categoryTable) != len(consts) {
		t.Errorf("categoryTable has %d rows for %d categories", len(categoryTable), len(consts))
	}
	// The table is in report order, then alphabetical.
	for i := 1; i < len(categoryTable); i++ {
		a, b := categoryTable[i-1], categoryTable[i]
		ra, rb := slices.Index(reports, a.report), slices.Index(reports, b.report)
		if ra > rb || ra == rb && a.category > b.category {
			t.Errorf("categoryTable: %s before %s is out of order", a.category, b.category)
		}
	}
}

// TestCategorySeverity: a category whose severity depends on money moving
// says so; the others do not.
func TestCategorySeverity(t *testing.T) {
	tests := []struct {
		c            Category
		moved, still Severity
	}{
		{StatusMismatch, SeverityCritical, SeverityInfo},
		{MissingInLedger, SeverityCritical, SeverityInfo},
		{AmountMismatch, SeverityCritical, SeverityCritical},
		{FeeMismatch, SeverityHigh, SeverityHigh},
		{TaxMismatch, SeverityMedium, SeverityMedium},
		{WebhookOrphan, SeverityLow, SeverityLow},
		{Category("NOT_A_CATEGORY"), SeverityInfo, SeverityInfo},
	}
	for _, tt := range tests {
		if got := tt.c.Severity(true); got != tt.moved {
			t.Errorf("%s.Severity(moved) = %s, want %s", tt.c, got, tt.moved)
		}
		if got := tt.c.Severity(false); got != tt.still {
			t.Errorf("%s.Severity(not moved) = %s, want %s", tt.c, got, tt.still)
		}
	}
}
