package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/d365audit/d365audit/ingest"
	"github.com/d365audit/d365audit/store"
)

const samples = "../samples/contoso"

func runOn(t *testing.T, input, out string, now time.Time) {
	t.Helper()
	if _, err := Run(context.Background(), Options{Input: input, Out: out, Now: now, ToolVersion: "test"}); err != nil {
		t.Fatal(err)
	}
}

var generatedAt = regexp.MustCompile(`"generated_at": "[^"]*"`)

func TestRunTwiceGivesIdenticalFindings(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	runOn(t, samples, a, time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC))
	runOn(t, samples, b, time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC))
	for _, name := range []string{FindingsJSON, FindingsCSV, AccessFile} {
		x, _ := os.ReadFile(filepath.Join(a, name))
		y, _ := os.ReadFile(filepath.Join(b, name))
		if name == FindingsJSON {
			x, y = generatedAt.ReplaceAll(x, nil), generatedAt.ReplaceAll(y, nil)
		}
		if len(x) == 0 || !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs over the same input (%d and %d bytes)", name, len(x), len(y))
		}
	}
	// audit.duckdb's tables hold the same rows in the same order (the file
	// itself differs by a few bytes of DuckDB's storage)
	x, y := tableDigests(t, filepath.Join(a, DatabaseFile)), tableDigests(t, filepath.Join(b, DatabaseFile))
	if len(x) < 50 {
		t.Fatalf("audit.duckdb has %d tables", len(x))
	}
	for name, d := range x {
		if name != "audit_context" && y[name] != d { // audit_context holds the run's clock
			t.Errorf("table %s differs between two runs over the same input", name)
		}
	}
}

// tableDigests hashes each table of a DuckDB file, its rows in stored order.
func tableDigests(t *testing.T, path string) map[string]string {
	t.Helper()
	db, err := store.OpenReadOnly(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	names, err := db.QueryStrings(context.Background(), "tables", `SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'`)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, n := range names {
		d, err := db.QueryStrings(context.Background(), "digest "+n,
			fmt.Sprintf(`SELECT coalesce(md5(string_agg(CAST(t AS VARCHAR), chr(10))), '') FROM %s t`, store.Ident(n)))
		if err != nil {
			t.Fatal(err)
		}
		out[n] = d[0]
	}
	return out
}

func TestManifestFingerprintsInputsAndOutputs(t *testing.T) {
	out := t.TempDir()
	runOn(t, samples, out, time.Time{})
	var m struct {
		RuleSetVersion string `json:"rule_set_version"`
		Inputs         []struct{ File, Kind, SHA256 string }
		Outputs        []struct{ File, SHA256 string }
	}
	b, err := os.ReadFile(filepath.Join(out, ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m.RuleSetVersion == "" {
		t.Error("manifest has no rule-set version")
	}
	inputs := map[string]string{}
	for _, in := range m.Inputs {
		inputs[in.File] = in.SHA256
	}
	for _, want := range []string{"systemusers.json", "systemusers.2.json", "graph/users.json", "prices.csv", "policy.yaml", "waivers.yaml", "baseline/Roles/Salesperson.xml"} {
		if len(inputs[want]) != 64 {
			t.Errorf("manifest lacks the SHA-256 of input %s", want)
		}
	}
	outputs := map[string]string{}
	for _, o := range m.Outputs {
		outputs[o.File] = o.SHA256
	}
	for _, name := range []string{FindingsJSON, FindingsCSV, AccessFile, DatabaseFile} {
		sum, _, err := ingest.HashFile(filepath.Join(out, name))
		if err != nil || outputs[name] != sum {
			t.Errorf("manifest SHA-256 of %s = %q, file hashes to %q (%v)", name, outputs[name], sum, err)
		}
	}
	entries, _ := os.ReadDir(out)
	for _, e := range entries {
		if e.Name()[0] == '.' {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

func TestBadInputWritesNothing(t *testing.T) {
	in := t.TempDir()
	if err := os.WriteFile(filepath.Join(in, "systemusers.csv"), []byte("systemuserid\nnot-a-guid\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	_, err := Run(context.Background(), Options{Input: in, Out: out})
	var ie *InputError
	if !errors.As(err, &ie) || len(ie.Problems) == 0 {
		t.Fatalf("err = %v; want an InputError with problems", err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("output directory was created for a bad input")
	}
}

func TestBadPolicyIsAnInputError(t *testing.T) {
	p := filepath.Join(t.TempDir(), "policy.yaml")
	os.WriteFile(p, []byte("thresholds:\n  system_administrator_maximum: 3\n"), 0o644)
	_, err := Run(context.Background(), Options{Input: samples, Out: t.TempDir(), Policy: p})
	var ie *InputError
	if !errors.As(err, &ie) {
		t.Fatalf("err = %v; want an InputError naming the unknown key", err)
	}
}
