package gen

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/d365audit/d365audit/internal/testenv"
)

// tenantOpts is the small tenant the tests write: four environments, so
// that the default environment is among them.
var tenantOpts = Options{Users: 120, Seed: 5, Environments: 4, Compact: true, Format: "csv"}

// TestTenantLayout checks the agreed folder layout and that every
// environment is a valid export on its own, as validate loads it.
func TestTenantLayout(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"csv", "json"} {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			opts := tenantOpts
			opts.Format = format
			dir, st := write(t, opts)
			files := testenv.ReadTree(t, dir)
			if len(files) != st.Files {
				t.Errorf("%d files, stats say %d", len(files), st.Files)
			}
			for _, name := range []string{"graph/subscribedSkus.json", "graph/users.json", "prices.csv", "policy.yaml"} {
				if files[name] == nil {
					t.Errorf("no %s", name)
				}
			}
			names := EnvironmentNames(4)
			if !slices.Equal(names, []string{"prod", "test", "dev", "default"}) {
				t.Errorf("environments %v", names)
			}
			for name := range files {
				top, rest, _ := strings.Cut(name, "/")
				switch top {
				case "graph", "baseline", "prices.csv", "policy.yaml":
				case "environments":
					env, file, _ := strings.Cut(rest, "/")
					if !slices.Contains(names, env) || strings.Contains(file, "/") {
						t.Errorf("%s: not an export file of a known environment", name)
					}
				default:
					t.Errorf("%s: outside the tenant layout", name)
				}
			}
			users := 0
			for _, env := range names {
				_, res := testenv.LoadResult(t, filepath.Join(dir, "environments", env))
				for _, p := range res.Problems {
					t.Errorf("%s: %s: %s", env, p.Kind, p)
				}
				for _, ts := range res.Tables {
					// Graph and the reference inputs sit in the tenant's
					// root, once, not in the environment's folder.
					reference := strings.HasPrefix(ts.Name, "graph") || strings.HasPrefix(ts.Name, "baseline") || ts.Name == "prices"
					if !ts.Present && !reference {
						t.Errorf("%s: table %s is missing", env, ts.Name)
					}
					if ts.Name == "systemusers" {
						users += int(ts.Rows)
					}
				}
			}
			if users != st.Users {
				t.Errorf("%d systemusers rows loaded, stats say %d", users, st.Users)
			}
		})
	}
}

// TestTenantSameSeedSameTree hashes the whole tree of two runs.
func TestTenantSameSeedSameTree(t *testing.T) {
	t.Parallel()
	hash := func(opts Options) string {
		dir, _ := write(t, opts)
		files := testenv.ReadTree(t, dir)
		var names []string
		for n := range files {
			names = append(names, n)
		}
		slices.Sort(names)
		h := sha256.New()
		for _, n := range names {
			h.Write([]byte(n + "\x00"))
			h.Write(files[n])
		}
		return hex.EncodeToString(h.Sum(nil))
	}
	a, b := hash(tenantOpts), hash(tenantOpts)
	if a != b {
		t.Errorf("two runs of one seed: %s and %s", a, b)
	}
	other := tenantOpts
	other.Seed++
	if hash(other) == a {
		t.Error("seeds 5 and 6 give the same tenant")
	}
}

// builtTenant is a tenant in memory: prod, the plan and the other
// environments.
type builtTenant struct {
	plan *tenantPlan
	envs []*tenant // envs[0] is prod
}

func buildTenant(opts Options) builtTenant {
	prod := build(opts)
	plan := planTenant(prod, envDefs(opts.Environments))
	bt := builtTenant{plan: plan, envs: []*tenant{prod}}
	for e := 1; e < opts.Environments; e++ {
		bt.envs = append(bt.envs, plan.environment(e))
	}
	return bt
}

// TestTenantPeople checks the realism the issue asks for: one Entra user
// per person across environments with a systemuserid of each, people
// spread over several environments, role copies with ids of their own,
// drifting custom roles, and licenses wasted in one environment only.
func TestTenantPeople(t *testing.T) {
	t.Parallel()
	for _, opts := range []Options{tenantOpts, {Users: 5000, Seed: 3, Environments: 12}} {
		bt := buildTenant(opts)
		prod := bt.envs[0]
		byAAD := map[string]*user{}
		for i := range prod.users {
			if u := &prod.users[i]; u.aad != "" {
				byAAD[u.aad] = u
			}
		}
		ids := map[string]string{} // systemuserid -> environment
		envsOf := map[string]int{}
		for e, env := range bt.envs {
			name := bt.plan.envs[e].name
			for _, u := range env.users {
				if prev, ok := ids[u.id]; ok {
					t.Fatalf("%d users: systemuserid %s in %s and %s", opts.Users, u.id, prev, name)
				}
				ids[u.id] = name
				if u.aad == "" {
					continue
				}
				p := byAAD[u.aad]
				if p == nil || p.login != u.login || p.full != u.full {
					t.Fatalf("%d users: %s in %s is not prod's Entra user %s", opts.Users, u.login, name, u.aad)
				}
				if u.kind == kindPerson {
					envsOf[u.aad]++
				}
			}
		}
		spread := map[int]int{}
		for _, k := range envsOf {
			spread[min(k, 4)]++
		}
		if spread[2]+spread[3]+spread[4] < len(envsOf)/5 {
			t.Errorf("%d users: people per number of environments %v", opts.Users, spread)
		}
		// Role copies: the same names, other ids; some custom roles drift.
		drifted := 0
		for e := 1; e < len(bt.envs); e++ {
			env := bt.envs[e]
			for i := range env.roles {
				a, b := &prod.roles[i], &env.roles[i]
				if a.name != b.name || a.copies[0] == b.copies[0] {
					t.Fatalf("role %s: name %q or id not its own in %s", a.name, b.name, bt.plan.envs[e].name)
				}
				if a.custom && !slices.Equal(a.grants, b.grants) {
					drifted++
				}
			}
		}
		if drifted == 0 {
			t.Errorf("%d users: no custom role drifts", opts.Users)
		}
		checkWaste(t, bt)
	}
}

// checkWaste finds the two license cases: a person with a paid license
// who holds a role only outside prod, and one who holds none anywhere.
func checkWaste(t *testing.T, bt builtTenant) {
	t.Helper()
	rolesIn := map[string][]string{} // Entra id -> environments where the person holds a role
	present := map[string]int{}
	for e, env := range bt.envs {
		holds := env.roleHolders()
		for i, u := range env.users {
			if u.kind != kindPerson {
				continue
			}
			present[u.aad]++
			if holds[i] {
				rolesIn[u.aad] = append(rolesIn[u.aad], bt.plan.envs[e].name)
			}
		}
	}
	elsewhere, nowhere := 0, 0
	for _, u := range bt.envs[0].users {
		if u.kind != kindPerson || u.disabled || u.licenses&paidLicenses == 0 {
			continue
		}
		switch r := rolesIn[u.aad]; {
		case len(r) == 0:
			nowhere++
		case !slices.Contains(r, "prod"):
			elsewhere++
		}
	}
	if elsewhere == 0 || nowhere == 0 {
		t.Errorf("%d users: %d licensed people with a role only outside prod, %d with no role anywhere",
			bt.envs[0].opts.Users, elsewhere, nowhere)
	}
	nowhereTwice := false
	for i, f := range bt.plan.fate {
		if f == fateNowhere && present[bt.envs[0].users[i].aad] > 1 {
			nowhereTwice = true
		}
	}
	if !nowhereTwice {
		t.Error("no person without a role anywhere has an account in two environments")
	}
	if b := bt.plan.bare; b < 0 {
		t.Error("no person with roles in prod and none in test")
	} else if u := bt.envs[0].users[b]; !slices.Contains(rolesIn[u.aad], "prod") || slices.Contains(rolesIn[u.aad], "test") {
		t.Errorf("%s holds roles in %v, want prod and not test", u.login, rolesIn[u.aad])
	}
	key := bt.plan.keyPerson()
	if key < 0 {
		t.Fatal("no key person")
	}
	u := bt.envs[0].users[key]
	if r := rolesIn[u.aad]; !slices.Equal(r, []string{"test"}) {
		t.Errorf("key person %s holds roles in %v, want only test", u.login, r)
	}
}

// sampleTenant is samples/tenant-contoso: d365audit sample --users 50
// --environments 3 --compact --format csv --seed 17.
var sampleTenant = Options{Users: 50, Seed: 17, Environments: 3, Compact: true, Format: "csv"}

// TestTenantSample regenerates samples/tenant-contoso and compares it,
// byte for byte, with the checked-in copy (samples/README.md has the
// command).
func TestTenantSample(t *testing.T) {
	t.Parallel()
	dir, _ := write(t, sampleTenant)
	got, want := testenv.ReadTree(t, dir), testenv.ReadTree(t, "../tenant-contoso")
	for name, body := range got {
		if !bytes.Equal(body, want[name]) {
			t.Errorf("samples/tenant-contoso/%s differs from the generator's (regenerate: see samples/README.md)", name)
		}
	}
	for name := range want {
		if got[name] == nil {
			t.Errorf("samples/tenant-contoso/%s is not generated", name)
		}
	}
}

// BenchmarkTenant20x100k writes the benchmark tenant of issue 17: 20
// environments, 100,000 users. Run it with
// go test -tags=duckdb_arrow -run '^$' -bench Tenant20x100k -benchtime 1x ./samples/gen
func BenchmarkTenant20x100k(b *testing.B) {
	for i := 0; i < b.N; i++ {
		dir := filepath.Join(b.TempDir(), "tenant")
		st, err := Write(dir, Options{Users: 100_000, Seed: 1, Environments: 20})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(st.Bytes)/1e6, "MB")
		b.ReportMetric(float64(st.Users), "systemusers")
		if err := os.RemoveAll(dir); err != nil {
			b.Fatal(err)
		}
	}
}
