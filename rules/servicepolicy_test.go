package rules

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The default policy requires every Customer Insights - Journeys service
// user of Microsoft's page, with its Entra application id: all ten rows of
// its table, not a sample.
func TestDefaultPolicyHasEveryJourneysServiceUser(t *testing.T) {
	seed := filepath.Join("..", "..", "shared", "seeds", "001_e3f2d65353e721b6.txt")
	b, err := os.ReadFile(seed)
	if err != nil {
		t.Skipf("seed page not found at %s (it sits beside the clone in CI): %v", seed, err)
	}
	text := string(b)
	start := strings.Index(text, "### Customer Insights - Journeys service users")
	if start < 0 {
		t.Fatal("the seed has no \"Customer Insights - Journeys service users\" section")
	}
	text = text[start:]
	if end := strings.Index(text[4:], "###"); end > 0 {
		text = text[:end+4]
	}
	row := regexp.MustCompile(`(?m)^\|\s*([^|]+?)\s*\|\s*([0-9a-fA-F-]{36})\s*\|`)
	want := map[string]string{}
	for _, m := range row.FindAllStringSubmatch(text, -1) {
		want[strings.ToLower(m[2])] = m[1]
	}
	if len(want) != 10 || want["ba069707-8fa6-41af-b08d-2d01a0d731e5"] != "D365 Workflow" {
		t.Fatalf("the seed's table has %d service users, want 10 with D365 Workflow: %v", len(want), want)
	}
	p, err := DefaultPolicy()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, a := range p.Apps {
		if a.ID != "customer-insights-journeys" {
			continue
		}
		for _, s := range a.ServiceUsers {
			if s.ApplicationID != "" {
				got[strings.ToLower(s.ApplicationID)] = s.Name
			}
		}
	}
	for id, name := range want {
		if got[id] != name {
			t.Errorf("default policy: service user %s (%s) is %q", name, id, got[id])
		}
	}
	if len(got) != len(want) {
		t.Errorf("default policy has %d service users with an application id, the page %d", len(got), len(want))
	}
}
