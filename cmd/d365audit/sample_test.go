package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSampleTenantValidates writes a tenant through the CLI and runs
// validate on every environment it wrote, as a user would.
func TestSampleTenantValidates(t *testing.T) {
	out := filepath.Join(t.TempDir(), "tenant")
	code, stdout, errOut := runCLI(t, "sample", "--users", "60", "--environments", "4", "--compact", "--format", "csv", "--out", out)
	if code != exitOK {
		t.Fatalf("sample: exit %d, %s", code, errOut)
	}
	for _, want := range []string{"4 environments (prod, test, dev, default)", "holds a role in test only"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("sample output lacks %q:\n%s", want, stdout)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "graph", "users.json")); err != nil {
		t.Errorf("no graph/users.json: %v", err)
	}
	envs, err := os.ReadDir(filepath.Join(out, "environments"))
	if err != nil || len(envs) != 4 {
		t.Fatalf("environments/: %d folders, %v", len(envs), err)
	}
	for _, e := range envs {
		dir := filepath.Join(out, "environments", e.Name())
		if _, err := os.Stat(filepath.Join(dir, "graph")); err == nil {
			t.Errorf("%s has a graph/ folder: Graph is the tenant's, once", dir)
		}
		code, vout, verr := runCLI(t, "validate", "--input", dir)
		if code != exitOK || !strings.Contains(vout, "0 errors, 0 dangling references, 0 notices") {
			t.Errorf("validate %s: exit %d, %s\n%s", e.Name(), code, verr, vout)
		}
	}
}

func TestSampleRefusesBadEnvironments(t *testing.T) {
	for _, n := range []string{"0", "-2", "100"} {
		code, _, errOut := runCLI(t, "sample", "--users", "60", "--environments", n, "--out", filepath.Join(t.TempDir(), "x"))
		if code != exitBadInput || !strings.Contains(errOut, "--environments "+n) {
			t.Errorf("--environments %s: exit %d, %s", n, code, errOut)
		}
	}
}
