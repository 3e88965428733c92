package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A tenant that granted only Organization.Read.All exports subscribedSkus
// without users: the seat findings still run and the run never says it had
// no Graph data while a finding prices idle seats.
func TestRunWithSubscribedSkusOnly(t *testing.T) {
	dir := copySample(t)
	for _, f := range []string{"users.json", "users.2.json"} {
		if err := os.Remove(filepath.Join(dir, "graph", f)); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, errOut := runCLI(t, "run", "--input", dir, "--out", out, "--prices", filepath.Join(dir, "prices.csv"),
		"--policy", filepath.Join(dir, "policy.yaml"))
	if code != exitOK {
		t.Fatalf("exit %d: %s\n%s", code, errOut, stdout)
	}
	if strings.Contains(stdout, "License review: not performed") || strings.Contains(stdout, "no Graph") {
		t.Errorf("console says the review was not performed:\n%s", stdout)
	}
	// DYN365_ENTERPRISE_SALES: 19 enabled, 15 consumed, USD 105: 4 idle seats, 420 a month.
	for _, want := range []string{"LIC_UNUSED_SEATS", "License waste: 4 seats, USD 420.00 a month, 5040.00 a year",
		"no graph/users.json: idle seats per SKU only"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("console lacks %q:\n%s", want, stdout)
		}
	}
	b, err := os.ReadFile(filepath.Join(out, "findings.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Findings []struct{ Rule string } `json:"findings"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	rules := map[string]bool{}
	for _, f := range doc.Findings {
		rules[f.Rule] = true
	}
	if !rules["LIC_UNUSED_SEATS"] || !rules["LIC_OVERCONSUMED"] || rules["LIC_INACTIVE"] {
		t.Errorf("findings by rule = %v: want the seat rules and no per-user license rule", rules)
	}
	if tool, err := exec.LookPath("pdftotext"); err == nil {
		text, err := exec.Command(tool, "-layout", filepath.Join(out, "report.pdf"), "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		if s := string(text); strings.Contains(s, "No Graph export") || !strings.Contains(s, "No graph/users.json") {
			t.Errorf("report.pdf says there was no Graph export, or not that users.json is missing")
		}
	}
}

// Negative unit counts and absurd prices are located input errors (exit 2),
// not a crash of the money arithmetic (exit 3).
func TestValidateRejectsImpossibleLicenseNumbers(t *testing.T) {
	cases := []struct {
		name, file, from, to, want string
	}{
		{"negative consumedUnits", "graph/subscribedSkus.json", `"consumedUnits": 15,`, `"consumedUnits": -15,`,
			"graph/subscribedSkus.json: $.value[0].consumedunits: -15 is negative"},
		{"negative price", "prices.csv", "POWERAPPS_PER_USER,20.00", "POWERAPPS_PER_USER,-20.00",
			"prices.csv: line 5, column monthly_price: -20.00 is negative"},
		{"absurd price", "prices.csv", "POWERAPPS_PER_USER,20.00", "POWERAPPS_PER_USER,9999999999999",
			"prices.csv: line 5, column monthly_price: 9999999999999 is not a plausible monthly price"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir, _ := editSample(t, c.file, c.from, c.to)
			for _, cmd := range [][]string{{"validate", "--input", dir, "--prices", filepath.Join(dir, "prices.csv")},
				{"run", "--input", dir, "--out", filepath.Join(t.TempDir(), "out"), "--prices", filepath.Join(dir, "prices.csv")}} {
				code, stdout, errOut := runCLI(t, cmd...)
				if code != exitBadInput {
					t.Errorf("%s: exit %d, want %d: %s", cmd[0], code, exitBadInput, errOut)
				}
				if !strings.Contains(stdout+errOut, c.want) {
					t.Errorf("%s: output lacks %q:\n%s\n%s", cmd[0], c.want, stdout, errOut)
				}
			}
		})
	}
}
