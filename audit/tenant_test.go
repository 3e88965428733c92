package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/d365audit/d365audit/internal/testenv"
	"github.com/d365audit/d365audit/rules"
	"github.com/d365audit/d365audit/store"
)

func findingsOf(fs []rules.Finding, rule string) []rules.Finding {
	var out []rules.Finding
	for _, f := range fs {
		if f.Rule == rule {
			out = append(out, f)
		}
	}
	return out
}

// A person with a paid license and a role only in the second environment is
// not license waste, and still has no role in the first: people are linked
// across environments by their Entra object id, not their systemuserid.
func TestTenantLinksPeopleByEntraID(t *testing.T) {
	root := testenv.WriteTenant(t, filepath.Join("..", "samples", "contoso"))
	ctx := context.Background()
	a, err := Prepare(ctx, Options{Input: root, Now: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	rep := a.Report
	if len(rep.Environments) != 2 || rep.Environments[0].Name != "prod" || rep.Environments[1].Name != "sales" {
		t.Fatalf("environments = %+v", rep.Environments)
	}
	for _, f := range findingsOf(rep.Findings, "LIC_NO_ROLE") {
		if strings.Contains(f.SubjectName, "Noah Fischer") {
			t.Errorf("LIC_NO_ROLE on Noah Fischer, who holds a role in sales: %s", f.Message)
		}
	}
	var prodNoRole, salesNoRole bool
	for _, f := range findingsOf(rep.Findings, "USER_NO_ROLE") {
		if f.SubjectName == "Noah Fischer" {
			prodNoRole = prodNoRole || f.Environment == "prod" && f.SubjectID == testenv.NoahProdID
			salesNoRole = salesNoRole || f.Environment == "sales"
		}
	}
	if !prodNoRole || salesNoRole {
		t.Errorf("USER_NO_ROLE on Noah Fischer: in prod %v (want true), in sales %v (want false)", prodNoRole, salesNoRole)
	}
	// every input named by its path in the tenant folder, the tenant's once
	count := map[string]int{}
	for _, in := range rep.Inputs {
		count[in.File]++
		top := strings.SplitN(in.File, "/", 2)[0]
		if !slices.Contains([]string{"environments", "graph", "baseline", "prices.csv", "policy.yaml", "waivers.yaml"}, top) {
			t.Errorf("input %s is not named by its path in the tenant folder", in.File)
		}
	}
	if count["prices.csv"] != 1 || count["baseline/Roles/Basic User.xml"] != 1 || count["environments/sales/roles.json"] != 1 {
		t.Errorf("inputs listed: prices.csv %d, baseline/Roles/Basic User.xml %d, environments/sales/roles.json %d (want 1 each)",
			count["prices.csv"], count["baseline/Roles/Basic User.xml"], count["environments/sales/roles.json"])
	}
	for _, f := range rep.Findings {
		if f.Environment == "" {
			t.Errorf("finding without environment: %s %s", f.Rule, f.Fingerprint)
		}
		if strings.HasPrefix(f.Rule, "LIC_") && f.Rule != "LIC_RESTRICTED_TABLE_UNLICENSED" && f.Environment != rules.TenantScope {
			t.Errorf("%s is a tenant finding, got environment %q", f.Rule, f.Environment)
		}
	}
	// the views across environments
	var admins, drift int64
	var topPerson string
	var topCells int64
	err = a.db.Query(ctx, "cross-environment views", `SELECT
		(SELECT count(*) FROM tenant.tenant_admins WHERE person = 'Noah Fischer' AND environments = ['sales'] AND NOT every_environment),
		(SELECT count(DISTINCT environment) FROM tenant.tenant_role_drift WHERE role = 'Contoso Payment Creator'),
		(SELECT person FROM tenant.tenant_access_spread ORDER BY cells_differing DESC, person LIMIT 1),
		(SELECT max(cells_differing) FROM tenant.tenant_access_spread)`, func(rows *sql.Rows) error {
		return rows.Scan(&admins, &drift, &topPerson, &topCells)
	})
	if err != nil {
		t.Fatal(err)
	}
	if admins != 1 || drift != 2 || topPerson != "Noah Fischer" || topCells == 0 {
		t.Errorf("Noah Fischer admin only in sales: %d rows (want 1); Contoso Payment Creator drifts in %d environments (want 2); "+
			"access differs most for %q, %d cells (want Noah Fischer, > 0)", admins, drift, topPerson, topCells)
	}
	// Every environment's own findings are those of its export alone (but
	// the license rules', which the tenant judges).
	single, err := Prepare(ctx, Options{Input: filepath.Join("..", "samples", "contoso"), Now: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	defer single.Close()
	// (an environment's name is its folder's in a tenant, the policy's alone)
	key := func(f rules.Finding) string {
		if f.SubjectType == "environment" {
			return f.Rule
		}
		return strings.TrimPrefix(f.Fingerprint, "prod/")
	}
	want := map[string]bool{}
	for _, f := range single.Report.Findings {
		if !strings.HasPrefix(f.Rule, "LIC_") || f.Rule == "LIC_RESTRICTED_TABLE_UNLICENSED" {
			want[key(f)] = true
		}
	}
	got := map[string]bool{}
	for _, f := range rep.Findings {
		if f.Environment == "prod" {
			got[key(f)] = true
		}
	}
	for fp := range want {
		if !got[fp] {
			t.Errorf("prod alone finds %s, the tenant run does not", fp)
		}
	}
	for fp := range got {
		if !want[fp] {
			t.Errorf("the tenant run finds %s in prod, prod alone does not", fp)
		}
	}
}

// A tenant folder that is wrong says where, and nothing is written.
func TestTenantFolderErrors(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name  string
		spoil func(root string) error
		want  string
	}{
		{"graph in an environment", func(root string) error {
			return os.MkdirAll(filepath.Join(root, TenantEnvironmentsDir, "sales", "graph"), 0o755)
		}, "environments/sales/graph: a tenant's Graph files are the whole tenant's"},
		{"a file among the environments", func(root string) error {
			return os.WriteFile(filepath.Join(root, TenantEnvironmentsDir, "notes.txt"), []byte("x"), 0o644)
		}, "environments/notes.txt is a file"},
		{"a name that is no schema", func(root string) error {
			return os.Rename(filepath.Join(root, TenantEnvironmentsDir, "sales"), filepath.Join(root, TenantEnvironmentsDir, "sales=eu"))
		}, "environments/sales=eu: an environment's folder name is letters"},
		{"no environment", func(root string) error {
			if err := os.RemoveAll(filepath.Join(root, TenantEnvironmentsDir)); err != nil {
				return err
			}
			return os.Mkdir(filepath.Join(root, TenantEnvironmentsDir), 0o755)
		}, "environments/ holds no environment"},
		{"a bad row in one environment", func(root string) error {
			p := filepath.Join(root, TenantEnvironmentsDir, "sales", "roleprivilegescollection.csv")
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(p, append(b, []byte("0a0a0a0a-0000-4000-8000-000000000009,"+testenv.PaymentCreator+",not-a-guid,8\n")...), 0o644)
		}, "input error"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := testenv.WriteTenant(t, filepath.Join("..", "samples", "contoso"))
			if err := c.spoil(root); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "run")
			_, err := Run(ctx, Options{Input: root, Out: out})
			var ie *InputError
			if !errors.As(err, &ie) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want an input error with %q", err, c.want)
			}
			if c.name == "a bad row in one environment" {
				found := false
				for _, p := range ie.Problems {
					found = found || p.File == "environments/sales/roleprivilegescollection.csv"
				}
				if !found {
					t.Errorf("no problem names environments/sales/roleprivilegescollection.csv: %v", ie.Problems)
				}
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("%s was written", out)
			}
		})
	}
}

// Two tenant runs compare: an environment added, and in an environment both
// have, the access a person gained, named with the environment.
func TestTenantRunsCompare(t *testing.T) {
	ctx := context.Background()
	root := testenv.WriteTenant(t, filepath.Join("..", "samples", "contoso"))
	old := filepath.Join(t.TempDir(), "old")
	if _, err := Run(ctx, Options{Input: root, Out: old, Now: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	// a third environment; Noah Fischer gets a role in prod too
	testenv.CopyEnvironment(t, root, "prod", "dev")
	roles := filepath.Join(root, TenantEnvironmentsDir, "prod", "systemuserrolescollection.csv")
	b, err := os.ReadFile(roles)
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, []byte("0a0a0a0a-0000-4000-8000-000000000002,"+testenv.NoahProdID+",35ea0aac-a259-eb11-8b8b-000d3a0a966b,Noah Fischer,System Administrator\n")...)
	if err := os.WriteFile(roles, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "new")
	rep, err := Run(ctx, Options{Input: root, Out: out, Previous: old, Now: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	d := rep.Changes
	if d == nil || d.Environments == nil || strings.Join(d.Environments.Added, ",") != "dev" || len(d.Environments.Removed) != 0 {
		t.Fatalf("environments changed: %+v", d.Environments)
	}
	gained := map[string]int{}
	for _, a := range d.Access {
		if a.UserName == "Noah Fischer" {
			gained[a.Environment]++
		}
	}
	if gained["prod"] == 0 || gained["sales"] != 0 {
		t.Errorf("Noah Fischer's access changes by environment: %v (want prod only)", gained)
	}
	resolved := false
	for _, f := range d.Findings.Resolved {
		resolved = resolved || f.Rule == "USER_NO_ROLE" && f.Environment == "prod" && f.SubjectName == "Noah Fischer"
	}
	if !resolved {
		t.Errorf("USER_NO_ROLE of Noah Fischer in prod is not resolved: %+v", d.Findings.Resolved)
	}
}

// A tenant run replaces its own previous run with --force: the partitioned
// access.parquet folder is its own.
func TestTenantRunReplacesItsRun(t *testing.T) {
	ctx := context.Background()
	root := testenv.WriteTenant(t, filepath.Join("..", "samples", "contoso"))
	out := filepath.Join(t.TempDir(), "run")
	for i := 0; i < 2; i++ {
		if _, err := Run(ctx, Options{Input: root, Out: out, Force: true}); err != nil {
			t.Fatalf("run %d: %v", i+1, err)
		}
	}
	for _, env := range []string{"prod", "sales"} {
		if _, err := os.Stat(filepath.Join(out, AccessFile, filepath.FromSlash(accessPartition(env)))); err != nil {
			t.Error(err)
		}
	}
	// DuckDB reads the partitions as one table with an environment column
	db, err := store.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	envs, err := db.QueryStrings(ctx, "partitions", fmt.Sprintf(`SELECT DISTINCT environment FROM read_parquet(%s, hive_partitioning = true) ORDER BY 1`,
		store.Literal(filepath.ToSlash(filepath.Join(out, AccessFile))+"/*/*.parquet")))
	if err != nil || strings.Join(envs, ",") != "prod,sales" {
		t.Errorf("environments in access.parquet: %v, %v", envs, err)
	}
}
