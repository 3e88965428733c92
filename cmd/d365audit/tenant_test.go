package main

import (
	"encoding/csv"
	"path/filepath"
	"strings"
	"testing"

	"github.com/d365audit/d365audit/internal/testenv"
)

// who-can and access on a tenant ask every environment, with an environment
// column, or the one --environment names; the same answers from the tenant
// folder and from its run.
func TestAccessQuestionsOnATenant(t *testing.T) {
	root := testenv.WriteTenant(t, contoso)
	out := filepath.Join(t.TempDir(), "run")
	if code, _, errOut := runCLI(t, "run", "-i", root, "-o", out); code != exitOK && code != exitFindings {
		t.Fatalf("run: exit %d: %s", code, errOut)
	}
	// a review campaign is one environment's: a tenant run is refused, not mixed
	code, _, errOut := runCLI(t, "review", "--run", out, "--out", filepath.Join(t.TempDir(), "campaign"))
	if code != exitBadInput || !strings.Contains(errOut, "is a tenant run (prod, sales): a review campaign covers one environment") {
		t.Errorf("review of a tenant run: exit %d: %s", code, errOut)
	}
	for _, input := range []string{root, out} {
		// Noah Fischer holds System Administrator in sales only
		code, stdout, errOut := runCLI(t, "who-can", "-i", input, "-t", "contoso_payment", "-p", "delete", "-f", "csv")
		if code != exitOK {
			t.Fatalf("%s: who-can: exit %d: %s", input, code, errOut)
		}
		rows, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(rows[0], ","); got != "environment,user,full_name,business_unit,table,privilege,depth,sources" {
			t.Fatalf("header %s", got)
		}
		envsOfNoah := map[string]bool{}
		perEnv := map[string]int{}
		for _, r := range rows[1:] {
			perEnv[r[0]]++
			if r[2] == "Noah Fischer" {
				envsOfNoah[r[0]] = true
			}
		}
		if !envsOfNoah["sales"] || envsOfNoah["prod"] || perEnv["sales"] != perEnv["prod"]+1 {
			t.Errorf("%s: Noah Fischer can delete payments in %v (want sales only); rows per environment %v", input, envsOfNoah, perEnv)
		}
		code, stdout, errOut = runCLI(t, "who-can", "-i", input, "-t", "contoso_payment", "-p", "delete", "--environment", "prod", "-f", "csv")
		if code != exitOK || strings.Contains(stdout, ",sales,") || strings.Count(stdout, "\nprod,") != perEnv["prod"] {
			t.Errorf("%s: --environment prod: exit %d %s\n%s", input, code, errOut, stdout)
		}
		code, _, errOut = runCLI(t, "who-can", "-i", input, "-t", "contoso_payment", "-p", "delete", "--environment", "prd")
		if code != exitBadInput || !strings.Contains(errOut, "--environment prd: the tenant has no such environment; did you mean prod?") {
			t.Errorf("%s: --environment prd: exit %d: %s", input, code, errOut)
		}
		code, stdout, errOut = runCLI(t, "access", "-i", input, "-u", "noah.fischer@contosopharma.com", "-t", "contoso_payment")
		if code != exitOK || !strings.Contains(stdout, "Environment prod: Noah Fischer") || !strings.Contains(stdout, "Environment sales: Noah Fischer") {
			t.Errorf("%s: access: exit %d %s\n%s", input, code, errOut, stdout)
		}
	}
}
