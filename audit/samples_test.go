package audit

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// Every case planted in samples/contoso (samples/README.md) is found, and
// nothing else: the golden list is exactly the README's planted subjects,
// so a counter-example that fires fails the test.
func TestSamplesPlantedCases(t *testing.T) {
	rep, err := Run(context.Background(), Options{Input: samples, Out: t.TempDir(), Now: time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, f := range rep.Findings {
		lines = append(lines, fmt.Sprintf("%-8s %-28s %-40s waived=%v", f.Severity, f.Rule, f.SubjectName, f.Waived))
	}
	got := strings.Join(lines, "\n") + "\n"
	const golden = "testdata/samples_findings.golden"
	if *update {
		os.WriteFile(golden, []byte(got), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("findings on samples/contoso differ from %s (run with -update after checking samples/README.md):\n%s", golden, got)
	}
	if len(rep.NotEvaluated) != 0 {
		t.Errorf("rules not evaluated on the complete sample: %v", rep.NotEvaluated)
	}

	// The license hand calculation of samples/README.md: $1,037 a month, $12,444 a year.
	l := rep.Licenses
	if l.TotalMonthly != 1037 || l.TotalAnnual != 12444 {
		t.Errorf("license waste %v/month %v/year, want 1037 and 12444", l.TotalMonthly, l.TotalAnnual)
	}
	want2 := map[string]float64{"disabled user": 246, "no role": 105, "license not required": 125, "inactive": 141, "idle seats": 420}
	for _, c := range l.Categories {
		if want2[c.Category] != c.Monthly {
			t.Errorf("category %s: %v a month, want %v", c.Category, c.Monthly, want2[c.Category])
		}
	}
}
