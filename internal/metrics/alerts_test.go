package metrics

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kwikpaisa/recon/internal/export"
	"github.com/kwikpaisa/recon/internal/recon"
)

const alertsDir = "../../deploy/prometheus"

// TestAlertRulesNameRealMetrics reads the shipped alerting rules: every
// recon_ metric an expression names, with every label it selects on, is
// one this package writes, so that no alert waits forever on a name that
// never comes. With promtool on the PATH (Debian's prometheus package),
// the file is also checked and its unit tests (recon-alerts.test.yml) run.
func TestAlertRulesNameRealMetrics(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(alertsDir, "recon-alerts.yml"))
	if err != nil {
		t.Fatal(err)
	}
	reg, err := Registry(Run{Date: "2026-11-24", Version: "test", Succeeded: true, Summary: []export.Metric{
		{Section: "webhooks", Item: "webhooks.jsonl", Name: "deliveries", Value: "10"},
		{Section: "webhooks", Item: "webhooks.jsonl", Name: "invalid", Value: "1"},
	}, Exceptions: []recon.Exception{{Category: recon.Unverified, Severity: recon.SeverityHigh}}})
	if err != nil {
		t.Fatal(err)
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	labels := map[string]map[string]map[string]bool{} // metric → label → values
	for _, f := range families {
		ls := map[string]map[string]bool{}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if ls[l.GetName()] == nil {
					ls[l.GetName()] = map[string]bool{}
				}
				ls[l.GetName()][l.GetValue()] = true
			}
		}
		labels[f.GetName()] = ls
	}
	selector := regexp.MustCompile(`(recon_[a-z_]+)(\{[^}]*\})?`)
	matcher := regexp.MustCompile(`([a-z_]+)="([^"]*)"`)
	exprs := 0
	for _, line := range strings.Split(string(b), "\n") {
		expr, ok := strings.CutPrefix(strings.TrimSpace(line), "expr:")
		if !ok {
			continue
		}
		exprs++
		for _, sel := range selector.FindAllStringSubmatch(expr, -1) {
			name, ok := labels[sel[1]]
			if !ok {
				t.Errorf("%s: metric %s is not one recon writes", strings.TrimSpace(expr), sel[1])
				continue
			}
			for _, m := range matcher.FindAllStringSubmatch(sel[2], -1) {
				if !name[m[1]][m[2]] {
					t.Errorf("%s: %s{%s=%q} is not a series recon writes", strings.TrimSpace(expr), sel[1], m[1], m[2])
				}
			}
		}
	}
	if exprs < 5 {
		t.Errorf("read %d alert expressions, want the shipped rules (at least 5)", exprs)
	}

	promtool, err := exec.LookPath("promtool")
	if err != nil {
		// CI installs it (.ci/run); there its absence is a failure.
		if os.Getenv("CI") == "true" {
			t.Fatalf("promtool (Debian's prometheus package) is not installed and CI=true: .ci/run installs it")
		}
		t.Log("promtool not installed: the rules' syntax and unit tests are not run")
		return
	}
	for _, args := range [][]string{{"check", "rules", "recon-alerts.yml"}, {"test", "rules", "recon-alerts.test.yml"}} {
		cmd := exec.Command(promtool, args...)
		cmd.Dir = alertsDir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}
