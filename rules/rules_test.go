package rules

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/d365audit/d365audit/ingest/skucatalog"
	"github.com/d365audit/d365audit/internal/testenv"
	"github.com/d365audit/d365audit/queries/access"
	"github.com/d365audit/d365audit/queries/licenses"
	"github.com/d365audit/d365audit/store"
)

// Every rule of RULES.md.
var specRules = []string{
	"USER_NO_ROLE", "USER_DISABLED_HOLDS_ROLES", "ROLE_OOB_MODIFIED", "ROLE_INTERNAL_HELD_BY_PERSON",
	"SVC_USER_MISSING", "SVC_USER_ROLE_MISSING", "SVC_USER_DISABLED", "FLS_PROFILE_MISSING", "ADMIN_EXCESS",
	"NONINTERACTIVE_LIMIT", "MKT_ROLE_NEEDS_CORE", "MKT_ENTERPRISE_ROLE", "PRIV_HIGH_RISK", "SOD_CONFLICT",
	"ROLE_UNUSED", "TEAM_EMPTY_WITH_ROLES", "ROLE_REDUNDANT_DIRECT", "DATA_DANGLING_REFERENCE",
	"LIC_DISABLED_USER", "LIC_NO_ROLE", "LIC_NOT_REQUIRED", "LIC_INACTIVE", "LIC_UNUSED_SEATS", "LIC_OVERCONSUMED",
	"LIC_MULTIPLE_BASE",
}

func TestCatalogueMetadata(t *testing.T) {
	rs, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Catalogue(rs); err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if !strings.HasSuffix(r.Source, r.ID+".sql") {
			t.Errorf("rule %s lives in %s; name the file after the ID", r.ID, r.Source)
		}
		if SeverityRank(r.Severity) < 0 || r.Title == "" || r.Rationale == "" || r.Remediation == "" || len(r.References) == 0 {
			t.Errorf("rule %s: incomplete metadata", r.ID)
		}
	}
}

// auditDB loads an export, applies SQL mutations, materialises the policy,
// builds the models and returns the database ready for rules.
func auditDB(t *testing.T, dir string, mutations string, policy *Policy) *store.DB {
	t.Helper()
	ctx := context.Background()
	db := testenv.Load(t, dir)
	if err := db.ExecScript(ctx, "fixture "+dir, mutations); err != nil {
		t.Fatal(err)
	}
	asOf, err := policy.AsOfTime(mustTime("2026-11-20"))
	if err != nil {
		t.Fatal(err)
	}
	if err := policy.Materialize(ctx, db, "test", asOf); err != nil {
		t.Fatal(err)
	}
	if err := access.Build(ctx, db, access.Options{BusinessTables: policy.BusinessTables}); err != nil {
		t.Fatal(err)
	}
	catalog, err := skucatalog.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if err := licenses.BuildLicenses(ctx, db, licenses.LicenseOptions{Catalog: catalog, FreeSKUs: policy.FreeSKUs,
		InactiveDays: policy.Thresholds.InactiveDays, AsOf: asOf}); err != nil {
		t.Fatal(err)
	}
	return db
}

// fixtureDir holds the rule fixtures; "-- include:" names resolve against it.
const fixtureDir = "testdata/fixtures"

var (
	expectLine  = regexp.MustCompile(`(?m)^-- expect: (.+)$`)
	includeLine = regexp.MustCompile(`^-- include: (.+)$`)
)

// readFixture returns a fixture's own text and the script to run: the text
// with every "-- include: NAME.sql" line replaced by NAME.sql's script
// (NAME relative to dir). Includes let a bad fixture read as its good one
// plus the change that makes it bad, and let fixtures share setup such as
// an app's service users.
func readFixture(dir, name string) (text, script string, err error) {
	raw, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return "", "", err
	}
	script, err = expandIncludes(dir, string(raw), []string{name})
	return string(raw), script, err
}

// expandIncludes expands the include lines of text. text is the content of
// chain's last file; chain is the path of includes that led to it, kept to
// detect and name a cycle.
func expandIncludes(dir, text string, chain []string) (string, error) {
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		m := includeLine.FindStringSubmatch(strings.TrimRight(line, "\r"))
		if m == nil {
			continue
		}
		name := strings.TrimSpace(m[1])
		if slices.Contains(chain, name) {
			return "", fmt.Errorf("fixture include cycle: %s", strings.Join(append(chain, name), " includes "))
		}
		raw, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return "", fmt.Errorf("fixture %s includes %s: %w", chain[len(chain)-1], name, err)
		}
		if expectLine.Match(raw) {
			return "", fmt.Errorf("fixture %s includes %s, which has -- expect: lines; only the including fixture's own count", chain[len(chain)-1], name)
		}
		included, err := expandIncludes(dir, string(raw), append(slices.Clip(chain), name))
		if err != nil {
			return "", err
		}
		lines[i] = strings.TrimRight(included, "\n")
	}
	return strings.Join(lines, "\n"), nil
}

// TestRuleFixtures: every rule has a bad fixture that flags (the subjects
// its "-- expect:" lines name) and a good one that does not.
func TestRuleFixtures(t *testing.T) {
	rs, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		t.Run(r.ID, func(t *testing.T) {
			t.Parallel() // each fixture has its own database
			policy, err := LoadPolicy(optionalFile(filepath.Join(fixtureDir, r.ID+".policy.yaml")))
			if err != nil {
				t.Fatal(err)
			}
			for _, kind := range []string{"bad", "good"} {
				name := r.ID + "." + kind + ".sql"
				if _, err := os.Stat(filepath.Join(fixtureDir, name)); err != nil {
					t.Fatalf("rule %s has no %s fixture: %v", r.ID, kind, err)
				}
				text, script, err := readFixture(fixtureDir, name)
				if err != nil {
					t.Fatal(err)
				}
				db := auditDB(t, "testdata/base", script, policy)
				out, err := Run(context.Background(), db, []Rule{r}, policy)
				if err != nil {
					t.Fatal(err)
				}
				if len(out.NotEvaluated) > 0 {
					t.Fatalf("%s: not evaluated: %v", kind, out.NotEvaluated)
				}
				if kind == "good" {
					for _, f := range out.Findings {
						t.Errorf("good fixture flags %s (%s): %s", f.Fingerprint, f.SubjectName, f.Message)
					}
					continue
				}
				if len(out.Findings) == 0 {
					t.Fatalf("bad fixture: no finding")
				}
				// Only the bad fixture's own lines say what it expects: what it
				// includes is a good fixture or shared setup, which expects nothing.
				for _, m := range expectLine.FindAllStringSubmatch(text, -1) {
					want := strings.TrimSpace(m[1])
					found := false
					for _, f := range out.Findings {
						if f.SubjectID == want || f.SubjectName == want || f.Fingerprint == want {
							found = true
						}
					}
					if !found {
						t.Errorf("bad fixture: no finding on %q; got %v", want, fingerprints(out.Findings))
					}
				}
			}
		})
	}
}

// Includes expand in place, nested ones too; a missing file, a cycle and an
// included "-- expect:" line (which would silently count for nothing) fail.
func TestFixtureIncludes(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("shared/setup.sql", "SELECT 1;\n")
	write("X.good.sql", "-- include: shared/setup.sql\nSELECT 2;\n")
	write("X.bad.sql", "-- include: X.good.sql\n-- expect: someone\nSELECT 3;\n")
	text, script, err := readFixture(dir, "X.bad.sql")
	if err != nil {
		t.Fatal(err)
	}
	if want := "SELECT 1;\nSELECT 2;\n-- expect: someone\nSELECT 3;\n"; script != want {
		t.Errorf("script = %q, want %q", script, want)
	}
	if want := "-- include: X.good.sql\n-- expect: someone\nSELECT 3;\n"; text != want {
		t.Errorf("text = %q, want the fixture's own %q", text, want)
	}

	write("missing.sql", "-- include: nowhere.sql\n")
	write("cycle-a.sql", "-- include: cycle-b.sql\n")
	write("cycle-b.sql", "-- include: cycle-a.sql\n")
	write("expects.sql", "-- include: X.bad.sql\n")
	for name, want := range map[string]string{
		"missing.sql": "fixture missing.sql includes nowhere.sql",
		"cycle-a.sql": "fixture include cycle: cycle-a.sql includes cycle-b.sql includes cycle-a.sql",
		"expects.sql": "fixture expects.sql includes X.bad.sql, which has -- expect: lines",
	} {
		if _, _, err := readFixture(dir, name); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want it to say %q", name, err, want)
		}
	}
}

// On the clean base tenant no rule fires.
func TestBaseTenantIsClean(t *testing.T) {
	rs, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	policy, _ := LoadPolicy("")
	db := auditDB(t, "testdata/base", "", policy)
	out, err := Run(context.Background(), db, rs, policy)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range out.Findings {
		t.Errorf("base tenant: %s: %s", f.Fingerprint, f.Message)
	}
}

func TestRuleBreakingTheContractFailsWithItsID(t *testing.T) {
	policy, _ := LoadPolicy("")
	db := auditDB(t, "testdata/base", "", policy)
	bad, err := Parse("inline", "-- id: BROKEN_RULE\n-- title: t\n-- severity: low\n-- rationale: r\n-- remediation: m\n-- references: [x]\nSELECT 'user' AS subject_type, systemuserid AS subject_id FROM systemusers")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Run(context.Background(), db, []Rule{bad}, policy)
	if err == nil || !strings.Contains(err.Error(), "rule BROKEN_RULE") || !strings.Contains(err.Error(), "must return") {
		t.Fatalf("err = %v", err)
	}
}

func TestSpecRulesAllPresent(t *testing.T) {
	rs, _ := Builtin()
	have := map[string]bool{}
	for _, r := range rs {
		have[r.ID] = true
	}
	for _, id := range specRules {
		if !have[id] {
			t.Errorf("RULES.md rule %s has no SQL file", id)
		}
	}
}

func fingerprints(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Fingerprint+" ("+f.SubjectName+")")
	}
	return out
}

func optionalFile(p string) string {
	if _, err := os.Stat(p); err == nil {
		return p
	}
	return ""
}
