package audit

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/d365audit/d365audit/ingest"
	"github.com/d365audit/d365audit/queries/access"
	"github.com/d365audit/d365audit/queries/licenses"
	"github.com/d365audit/d365audit/queries/tenant"
	"github.com/d365audit/d365audit/reports"
	"github.com/d365audit/d365audit/rules"
	"github.com/d365audit/d365audit/store"
)

// A tenant folder holds the exports of several environments of one tenant
// and the tenant's Microsoft Graph files once:
//
//	ROOT/graph/                 subscribedSkus.json, users.json (the tenant's licenses)
//	ROOT/environments/NAME/     an export as INPUT.md describes it, without graph/
//	ROOT/policy.yaml, waivers.yaml, prices.csv, baseline/   (optional, for every environment)
//
// Each environment is loaded and modelled in a DuckDB schema of its own
// (env_NAME) by exactly the code that runs one export, so a tenant's
// environment gets the findings it would get alone. The license rules run
// once, in the schema "tenant", over the people of every environment linked
// by their Entra object id (azureactivedirectoryobjectid): systemuserid
// differs from one environment to the next.
const (
	TenantEnvironmentsDir = "environments"
	tenantSchema          = "tenant"
)

var envNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// IsTenant says whether dir is a tenant folder (it has environments/).
func IsTenant(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, TenantEnvironmentsDir))
	return err == nil && st.IsDir()
}

// TenantEnvironmentDirs lists the environments of a tenant folder, name to
// export directory, in name order: what validate checks one by one.
func TenantEnvironmentDirs(root string) (names, dirs []string, err error) {
	envs, err := tenantEnvironments(root)
	for _, e := range envs {
		names, dirs = append(names, e.name), append(dirs, e.dir)
	}
	return names, dirs, err
}

// tenantEnv is one environment of a tenant folder.
type tenantEnv struct {
	name, dir, schema string
}

// tenantEnvironments lists the environments of a tenant folder in name
// order. Every entry of environments/ must be an export directory; names
// that differ only in case would be one folder on Windows.
func tenantEnvironments(root string) ([]tenantEnv, error) {
	dir := filepath.Join(root, TenantEnvironmentsDir)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", dir, err)
	}
	var envs []tenantEnv
	seen := map[string]string{}
	for _, e := range entries {
		rel := TenantEnvironmentsDir + "/" + e.Name()
		if !e.IsDir() {
			return nil, fmt.Errorf("%s: %s is a file; environments/ holds one export directory per environment", root, rel)
		}
		if !envNamePattern.MatchString(e.Name()) {
			return nil, fmt.Errorf("%s: %s: an environment's folder name is letters, digits, '.', '_' and '-' "+
				"(it names the environment's DuckDB schema and its access.parquet partition)", root, rel)
		}
		if other, ok := seen[strings.ToLower(e.Name())]; ok {
			return nil, fmt.Errorf("%s: environments %s and %s differ only in case", root, other, e.Name())
		}
		seen[strings.ToLower(e.Name())] = e.Name()
		if st, err := os.Stat(filepath.Join(dir, e.Name(), "graph")); err == nil && st.IsDir() {
			return nil, fmt.Errorf("%s: %s/graph: a tenant's Graph files are the whole tenant's; put them once in graph/ at the tenant folder's root", root, rel)
		}
		envs = append(envs, tenantEnv{name: e.Name(), dir: filepath.Join(dir, e.Name()), schema: "env_" + e.Name()})
	}
	if len(envs) == 0 {
		return nil, fmt.Errorf("%s: environments/ holds no environment; put each environment's export in environments/NAME/", root)
	}
	sort.Slice(envs, func(i, j int) bool { return envs[i].name < envs[j].name })
	return envs, nil
}

// prepareTenant prepares the run of a tenant folder: each environment as
// prepareExport would, the license model and rules once for the tenant.
func prepareTenant(ctx context.Context, opts Options, in *runInputs) (*Audit, error) {
	envs, err := tenantEnvironments(opts.Input)
	if err != nil {
		return nil, &InputError{Err: err}
	}
	clock := newStageClock(opts.Log, opts.Progress)
	clock.begin("ingest")
	db, err := openTenantDB(ctx)
	if err != nil {
		clock.close()
		return nil, err
	}
	keep := false
	defer func() {
		if !keep {
			clock.close()
			db.Close()
		}
	}()
	t := &tenantRun{db: db, opts: opts, in: in, envs: envs}
	if err := t.load(ctx); err != nil {
		return nil, err
	}
	clock.done("ingest")
	clock.begin("access")
	if err := t.model(ctx); err != nil {
		return nil, err
	}
	clock.done("access")
	clock.begin("rules")
	rep, err := t.rules(ctx)
	if err != nil {
		return nil, err
	}
	clock.done("rules")
	clock.begin("findings")
	if err := t.collect(ctx, rep); err != nil {
		return nil, err
	}
	keep = true
	return &Audit{Report: rep, db: db, clock: clock}, nil
}

// tenantMemory is DuckDB's memory limit in a tenant run, unless
// D365AUDIT_MEMORY_LIMIT says otherwise (DuckDB's units: "3GB").
const tenantMemory = "2GB"

// openTenantDB opens the database a tenant run builds its models in: a
// file in a temporary directory, removed on Close, with a memory limit. A
// tenant holds every environment's roles and privileges (millions of rows
// each at scale, whatever the number of users), which in memory grew by
// 300 MB an environment; on a file DuckDB keeps what it does not need in
// memory on disk.
func openTenantDB(ctx context.Context) (*store.DB, error) {
	limit := tenantMemory
	if v := os.Getenv("D365AUDIT_MEMORY_LIMIT"); v != "" {
		limit = v
	}
	db, err := store.OpenScratch(ctx, "d365audit-tenant-")
	if err != nil {
		return nil, err
	}
	if err := db.Exec(ctx, "memory limit", "SET memory_limit = "+store.Literal(limit)); err != nil {
		db.Close()
		return nil, fmt.Errorf("D365AUDIT_MEMORY_LIMIT %q: %w", limit, err)
	}
	return db, nil
}

// tenantRun is a tenant run being prepared.
type tenantRun struct {
	db    *store.DB
	opts  Options
	in    *runInputs
	envs  []tenantEnv
	graph *ingest.Result
	files []reports.Input
	// per environment, in the order of envs
	privileges []access.PrivilegeSources
	matrices   []*access.Matrix
}

// use makes schema the one unqualified names resolve in.
func (t *tenantRun) use(ctx context.Context, schema string) error {
	return t.db.Exec(ctx, "use schema "+schema, "USE "+store.Ident(schema))
}

// load reads the tenant's Graph files and price list into the tenant schema, and each
// environment's export into its schema. The problems of every file are
// gathered before anything fails, each named by its path in the tenant
// folder.
func (t *tenantRun) load(ctx context.Context) error {
	prices := t.opts.Prices
	if prices == "" {
		prices = beside(t.opts.Input, "prices.csv")
	}
	baseline := t.opts.Baseline
	if baseline == "" {
		baseline = beside(t.opts.Input, "baseline")
	}
	var problems []ingest.Problem
	structural := 0
	if err := t.db.Exec(ctx, "create tenant schema", "CREATE SCHEMA "+store.Ident(tenantSchema)); err != nil {
		return err
	}
	if err := t.use(ctx, tenantSchema); err != nil {
		return err
	}
	graph, err := ingest.Load(ctx, t.db, ingest.Options{Input: t.opts.Input, Prices: prices, GraphOnly: true})
	if err != nil {
		return err
	}
	t.graph = graph
	problems = append(problems, graph.Problems...)
	structural += graph.Count(ingest.Structural)
	t.files = inputList(t.opts.Input, graph.Files)
	listed := map[string]bool{}
	for _, f := range t.files {
		listed[f.File] = true
	}
	for _, e := range t.envs {
		if err := t.db.Exec(ctx, "create schema "+e.schema, "CREATE SCHEMA "+store.Ident(e.schema)); err != nil {
			return err
		}
		if err := t.use(ctx, e.schema); err != nil {
			return err
		}
		envBaseline := t.opts.Baseline
		if envBaseline == "" && beside(e.dir, "baseline") == "" {
			envBaseline = baseline
		}
		res, err := ingest.Load(ctx, t.db, ingest.Options{Input: e.dir, Baseline: envBaseline, Prices: prices})
		if err != nil {
			return fmt.Errorf("environment %s: %w", e.name, err)
		}
		// Files are named by their path in the tenant folder: an
		// environment's under environments/NAME/, the tenant's price list
		// and baseline (read for every environment) as the tenant's, once.
		where := func(file string) string {
			for _, shared := range []string{prices, envBaseline} {
				if s := filepath.ToSlash(shared); s != "" && (file == s || strings.HasPrefix(file, s+"/")) {
					if rel, err := filepath.Rel(t.opts.Input, filepath.FromSlash(file)); err == nil && !strings.HasPrefix(rel, "..") {
						return filepath.ToSlash(rel)
					}
					return file
				}
			}
			if filepath.IsAbs(file) || strings.HasPrefix(file, "..") {
				return file
			}
			return TenantEnvironmentsDir + "/" + e.name + "/" + file
		}
		for _, p := range res.Problems {
			p.File = where(p.File)
			problems = append(problems, p)
		}
		structural += res.Count(ingest.Structural)
		for _, f := range inputList(e.dir, res.Files) {
			if f.File = where(f.File); !listed[f.File] {
				listed[f.File] = true
				t.files = append(t.files, f)
			}
		}
		if err := t.shareGraph(ctx); err != nil {
			return err
		}
	}
	if structural > 0 {
		return &InputError{Err: fmt.Errorf("%s: %d input %s: nothing written", t.opts.Input, structural, plural(structural, "error", "errors")),
			Problems: problems}
	}
	sort.SliceStable(t.files, func(i, j int) bool { return t.files[i].File < t.files[j].File })
	return t.use(ctx, "main")
}

// shareGraph replaces the current environment's empty Graph tables with
// views of the tenant's, and records them as present when they are.
func (t *tenantRun) shareGraph(ctx context.Context) error {
	for _, name := range []string{"graph_subscribedskus", "graph_users", "graph_assignedlicenses"} {
		q := fmt.Sprintf(`DROP TABLE %[1]s; CREATE VIEW %[1]s AS SELECT * FROM %[3]s.%[1]s;
			UPDATE ingest_tables SET present = m.present, row_count = m.row_count
			FROM %[3]s.ingest_tables m WHERE m.table_name = %[2]s AND ingest_tables.table_name = %[2]s`,
			store.Ident(name), store.Literal(name), store.Ident(tenantSchema))
		if err := t.db.ExecScript(ctx, "share "+name, q); err != nil {
			return err
		}
	}
	return nil
}

// model builds each environment's access and license models in its schema,
// then the tenant's license model.
func (t *tenantRun) model(ctx context.Context) error {
	lopts := licenses.LicenseOptions{Catalog: t.in.catalog.skus, CatalogSource: t.in.catalog.source,
		DynamicsPlans: t.in.catalog.plans, FreeSKUs: t.in.policy.FreeSKUs,
		InactiveDays: t.in.policy.Thresholds.InactiveDays, AsOf: t.in.asOf}
	// A policy name that no environment has is a mistake; one that some
	// environments lack (a custom table of production only) is not.
	missing := map[string]int{}
	var order []string
	for _, e := range t.envs {
		if err := t.use(ctx, e.schema); err != nil {
			return err
		}
		problems, err := modelEnvironment(ctx, t.db, t.in.policy, e.name, t.in.asOf)
		if err != nil {
			return fmt.Errorf("environment %s: %w", e.name, err)
		}
		for _, p := range problems {
			if missing[p] == 0 {
				order = append(order, p)
			}
			missing[p]++
		}
		privileges, err := access.ReadPrivilegeSources(ctx, t.db)
		if err != nil {
			return err
		}
		t.privileges = append(t.privileges, privileges)
		if err := licenses.BuildLicenses(ctx, t.db, lopts); err != nil {
			return fmt.Errorf("environment %s: %w", e.name, err)
		}
		m, err := access.LoadMatrix(ctx, t.db)
		if err != nil {
			return fmt.Errorf("environment %s: %w", e.name, err)
		}
		t.matrices = append(t.matrices, m)
	}
	var nowhere []string
	for _, p := range order {
		if missing[p] == len(t.envs) {
			nowhere = append(nowhere, p)
		}
	}
	if len(nowhere) > 0 {
		return inputErr("policy %s names what no environment of the tenant has (a rule on it would never fire):\n  %s",
			t.in.policy.Source(), strings.Join(nowhere, "\n  "))
	}
	if err := t.use(ctx, tenantSchema); err != nil {
		return err
	}
	if err := licenses.BuildTenantLicenses(ctx, t.db, lopts, t.environments()); err != nil {
		return err
	}
	if err := tenant.BuildCrossEnvironment(ctx, t.db, t.environments()); err != nil {
		return err
	}
	if err := tenant.BuildAccessSpread(ctx, t.db, t.environments(), t.matrices); err != nil {
		return err
	}
	return t.use(ctx, "main")
}

func (t *tenantRun) environments() []tenant.Environment {
	out := make([]tenant.Environment, len(t.envs))
	for i, e := range t.envs {
		out[i] = tenant.Environment{Name: e.name, Schema: e.schema}
	}
	return out
}

// rules runs the environment rules in each environment and the tenant rules
// once, and starts the report. An environment's findings carry its name,
// and their fingerprints start with it: the same rule on the same role in
// two environments is two findings.
func (t *tenantRun) rules(ctx context.Context) (*reports.Report, error) {
	rep := &reports.Report{
		Environment: tenantName(t.in.policy, t.opts.Input), GeneratedAt: t.in.now, AsOf: t.in.asOf,
		ToolVersion: t.opts.ToolVersion, RuleSetVersion: rules.Version, Policy: t.in.policy.Source(), Rules: t.in.catalogue,
	}
	evaluated := map[string]bool{}
	notEvaluated := map[string]string{}
	record := func(o *rules.Outcome, env string) {
		for _, id := range o.Evaluated {
			evaluated[id] = true
		}
		for _, n := range o.NotEvaluated {
			why := n.Why
			if env != "" {
				why = env + ": " + why
			}
			if prev, ok := notEvaluated[n.Rule]; ok {
				why = prev + "; " + why
			}
			notEvaluated[n.Rule] = why
		}
	}
	envRules := rules.InScope(t.in.catalogue, rules.ScopeEnvironment)
	for i, e := range t.envs {
		if err := t.use(ctx, e.schema); err != nil {
			return nil, err
		}
		o, err := rules.Run(ctx, t.db, envRules, t.in.policy)
		if err != nil {
			return nil, fmt.Errorf("environment %s: %w", e.name, err)
		}
		record(o, e.name)
		for j := range o.Findings {
			f := &o.Findings[j]
			f.Environment = e.name
			f.Fingerprint = e.name + "/" + f.Fingerprint
		}
		rep.Findings = append(rep.Findings, o.Findings...)
		profiles, err := access.ProfileCount(ctx, t.db)
		if err != nil {
			return nil, err
		}
		rep.AccessProfiles += profiles
		run := reports.EnvironmentRun{Name: e.name, Findings: rules.Summarize(o.Findings),
			Access: access.NewAccessMatrix(t.matrices[i])}
		run.Organization = organizationName(ctx, t.db)
		if run.Users, run.Roles, err = environmentCounts(ctx, t.db); err != nil {
			return nil, err
		}
		rep.Environments = append(rep.Environments, run)
	}
	if err := t.use(ctx, tenantSchema); err != nil {
		return nil, err
	}
	o, err := rules.RunTenant(ctx, t.db, t.in.catalogue, t.in.policy)
	if err != nil {
		return nil, fmt.Errorf("tenant: %w", err)
	}
	record(o, "")
	for j := range o.Findings {
		o.Findings[j].Environment = rules.TenantScope
	}
	rep.Findings = append(rep.Findings, o.Findings...)
	rules.SortFindings(rep.Findings)
	for _, r := range t.in.catalogue {
		switch {
		case evaluated[r.ID] && notEvaluated[r.ID] == "":
			rep.Evaluated = append(rep.Evaluated, r.ID)
		case evaluated[r.ID]: // evaluated where it could be: say where not
			rep.Evaluated = append(rep.Evaluated, r.ID)
			rep.NotEvaluated = append(rep.NotEvaluated, rules.NotEvaluated{Rule: r.ID, Why: "not in " + notEvaluated[r.ID]})
		case notEvaluated[r.ID] != "":
			rep.NotEvaluated = append(rep.NotEvaluated, rules.NotEvaluated{Rule: r.ID, Why: notEvaluated[r.ID]})
		}
	}
	rep.Waivers = rules.ApplyWaivers(rep.Findings, t.in.waivers, t.in.asOf)
	return rep, t.use(ctx, "main")
}

// collect reads the tables the reports render: each environment's, marked
// with its name, and the tenant's license review.
func (t *tenantRun) collect(ctx context.Context, rep *reports.Report) error {
	for i, e := range t.envs {
		if err := t.use(ctx, e.schema); err != nil {
			return err
		}
		var one reports.Report
		if err := collectTables(ctx, t.db, &one); err != nil {
			return err
		}
		for j := range one.Users {
			one.Users[j].Environment = e.name
		}
		for j := range one.Roles {
			one.Roles[j].Environment = e.name
		}
		for j := range one.RoleChanges {
			one.RoleChanges[j].Environment = e.name
		}
		for j := range one.Teams {
			one.Teams[j].Environment = e.name
		}
		for j := range one.FieldAccess {
			one.FieldAccess[j].Environment = e.name
		}
		rep.Users = append(rep.Users, one.Users...)
		rep.Roles = append(rep.Roles, one.Roles...)
		rep.RoleChanges = append(rep.RoleChanges, one.RoleChanges...)
		rep.Teams = append(rep.Teams, one.Teams...)
		rep.FieldAccess = append(rep.FieldAccess, one.FieldAccess...)
		rep.Privileges = rep.Privileges.Add(t.privileges[i])
	}
	if err := t.use(ctx, tenantSchema); err != nil {
		return err
	}
	var err error
	rep.Licenses, err = licenses.ReadLicenseReview(ctx, t.db, t.graph.Present("graph_subscribedskus"), t.graph.Present("prices"))
	if err != nil {
		return err
	}
	rep.Licenses.HasUsers = t.graph.Present("graph_users")
	if rep.Across, err = tenant.ReadCrossEnvironment(ctx, t.db); err != nil {
		return err
	}
	rep.Inputs = t.files
	for _, ref := range []struct{ path, kind string }{{t.in.policyPath, "policy"}, {t.in.waiversPath, "waivers"}} {
		if ref.path == "" {
			continue
		}
		in, err := hashInput(t.opts.Input, ref.path, ref.kind)
		if err != nil {
			return err
		}
		rep.Inputs = append(rep.Inputs, in)
	}
	return t.use(ctx, "main")
}

// tenantName: the policy's environment name, else the input folder's name
// (a tenant's, or an export's without an organization name).
func tenantName(p *rules.Policy, input string) string {
	if p.Environment != "" {
		return p.Environment
	}
	abs, _ := filepath.Abs(input)
	return filepath.Base(abs)
}

func organizationName(ctx context.Context, db *store.DB) string {
	var name string
	_ = db.Query(ctx, "organization name", `SELECT name FROM organizations WHERE name IS NOT NULL ORDER BY name LIMIT 1`,
		func(rows *sql.Rows) error { return rows.Scan(&name) })
	return name
}

// environmentCounts counts an environment's users and roles.
func environmentCounts(ctx context.Context, db *store.DB) (users, roles int, err error) {
	u, err := db.QueryInt(ctx, "count users", `SELECT count(*) FROM systemusers`)
	if err != nil {
		return 0, 0, err
	}
	r, err := db.QueryInt(ctx, "count roles", `SELECT count(*) FROM roles`)
	return int(u), int(r), err
}
