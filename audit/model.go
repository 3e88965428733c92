package audit

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/d365audit/d365audit/ingest"
	"github.com/d365audit/d365audit/internal/suggest"
	"github.com/d365audit/d365audit/queries/access"
	"github.com/d365audit/d365audit/rules"
	"github.com/d365audit/d365audit/store"
)

// ModelOptions name what the access questions (access, who-can) are asked
// of.
type ModelOptions struct {
	// Input is an export directory, a run's output directory, or the
	// audit.duckdb a run wrote.
	Input string
	// Policy is the policy file for an export; "" takes policy.yaml beside
	// it, as run does. A run's database already holds the policy it was
	// built with, so Policy must be "" for a run.
	Policy string
	// Now is the clock for the policy's as_of; zero means time.Now.
	Now time.Time
	// Environment is the one environment of a tenant to ask; "" asks every
	// one.
	Environment string
}

// Model is the effective-access model the access questions are asked of:
// one export's or run's, or a tenant's, each environment in its schema.
type Model struct {
	DB *store.DB
	// envs are a tenant's environments to ask, in name order; nil for one
	// export.
	envs []tenantEnv
}

// Close closes the model's database.
func (m *Model) Close() error { return m.DB.Close() }

// IsTenant says whether the model is a tenant's.
func (m *Model) IsTenant() bool { return m.envs != nil }

// Each calls fn once per environment asked, with unqualified names
// resolving in that environment's schema; name is "" for one export.
func (m *Model) Each(ctx context.Context, fn func(name string) error) error {
	if m.envs == nil {
		return fn("")
	}
	for _, e := range m.envs {
		if err := m.DB.Exec(ctx, "use schema "+e.schema, "USE "+store.Ident(e.schema)); err != nil {
			return err
		}
		if err := fn(e.name); err != nil {
			return err
		}
	}
	return nil
}

// selectEnvironment keeps the environment asked for, an *InputError when
// there is no such environment.
func (m *Model) selectEnvironment(input, env string) error {
	if env == "" {
		return nil
	}
	if m.envs == nil {
		return inputErr("--environment %s: %s is one environment's, not a tenant's", env, input)
	}
	var names []string
	for _, e := range m.envs {
		if e.name == env {
			m.envs = []tenantEnv{e}
			return nil
		}
		names = append(names, e.name)
	}
	return inputErr("--environment %s: the tenant has no such environment%s (it has %s)", env,
		suggest.DidYouMean(env, names), strings.Join(names, ", "))
}

// OpenModel gives the database holding the effective-access model, built
// exactly as run builds it (the same policy: business tables, environment,
// as_of), or the one a run left behind, opened read-only. Every error that
// is the input's fault is an *InputError.
func OpenModel(ctx context.Context, o ModelOptions) (*Model, error) {
	m, err := openModel(ctx, o)
	if err != nil {
		return nil, err
	}
	if err := m.selectEnvironment(o.Input, o.Environment); err != nil {
		m.Close()
		return nil, err
	}
	return m, nil
}

func openModel(ctx context.Context, o ModelOptions) (*Model, error) {
	st, err := os.Stat(o.Input)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, inputErr("--input %s does not exist", o.Input)
		}
		return nil, inputErr("--input %s: %v", o.Input, err)
	}
	dbFile := o.Input
	if st.IsDir() {
		dbFile = filepath.Join(o.Input, DatabaseFile)
		if _, err := os.Stat(dbFile); err != nil {
			if IsTenant(o.Input) {
				return openTenantExport(ctx, o)
			}
			db, err := openExport(ctx, o)
			if err != nil {
				return nil, err
			}
			return &Model{DB: db}, nil
		}
	}
	if o.Policy != "" {
		return nil, inputErr("--policy applies to an export; %s is a run, whose model was built with the policy of that run", o.Input)
	}
	db, err := openRunDatabase(ctx, o.Input, dbFile)
	if err != nil {
		return nil, err
	}
	m := &Model{DB: db}
	// a tenant run keeps each environment in a schema env_NAME
	err = db.Query(ctx, "list environments", `SELECT schema_name FROM duckdb_schemas()
		WHERE schema_name LIKE 'env\_%' ESCAPE '\' AND database_name = current_database() ORDER BY schema_name`,
		func(rows *sql.Rows) error {
			var schema string
			if err := rows.Scan(&schema); err != nil {
				return err
			}
			m.envs = append(m.envs, tenantEnv{name: strings.TrimPrefix(schema, "env_"), schema: schema})
			return nil
		})
	if err != nil {
		db.Close()
		return nil, err
	}
	return m, nil
}

// openTenantExport loads a tenant folder and builds each environment's
// access model, as run does, without the rules.
func openTenantExport(ctx context.Context, o ModelOptions) (*Model, error) {
	envs, err := tenantEnvironments(o.Input)
	if err != nil {
		return nil, &InputError{Err: err}
	}
	in := &runInputs{}
	if in.policy, in.now, in.asOf, err = o.policy(); err != nil {
		return nil, err
	}
	if in.catalog, err = loadSKUCatalog(""); err != nil {
		return nil, err
	}
	db, err := openTenantDB(ctx)
	if err != nil {
		return nil, err
	}
	t := &tenantRun{db: db, opts: Options{Input: o.Input}, in: in, envs: envs}
	if err = t.load(ctx); err == nil {
		err = t.model(ctx)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return &Model{DB: db, envs: envs}, nil
}

// openRunDatabase opens a run's audit.duckdb read-only, nothing re-read.
func openRunDatabase(ctx context.Context, input, path string) (*store.DB, error) {
	db, err := store.OpenReadOnly(ctx, path)
	if err != nil {
		return nil, inputErr("--input %s: neither an export directory, a run directory nor a DuckDB file: %v", input, err)
	}
	ok, err := db.HasTable(ctx, "effective_access")
	if err != nil || !ok {
		db.Close()
		return nil, inputErr("--input %s: a DuckDB file without the audit's tables (not written by d365audit run)", input)
	}
	return db, nil
}

// openExport loads an export into a database in memory and builds the
// access model over it.
func openExport(ctx context.Context, o ModelOptions) (*store.DB, error) {
	policy, _, asOf, err := o.policy()
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, "")
	if err != nil {
		return nil, err
	}
	res, err := ingest.Load(ctx, db, ingest.Options{Input: o.Input})
	if err == nil {
		err = structuralError(o.Input, res)
	}
	if err == nil {
		_, err = buildAccessModel(ctx, db, policy, o.Input, asOf)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// policy reads the policy the questions are asked under, and the run's
// clock and as_of date from it.
func (o ModelOptions) policy() (policy *rules.Policy, now, asOf time.Time, err error) {
	if policy, _, err = loadPolicy(o.Input, o.Policy); err != nil {
		return nil, now, asOf, err
	}
	now = runClock(o.Now)
	if asOf, err = policy.AsOfTime(now); err != nil {
		return nil, now, asOf, &InputError{Err: err}
	}
	return policy, now, asOf, nil
}

// runClock is the time a run takes as now: t, or the time, to the second.
func runClock(t time.Time) time.Time {
	if t.IsZero() {
		t = time.Now()
	}
	return t.UTC().Truncate(time.Second)
}

// loadPolicy reads the policy a run of input uses: path, else policy.yaml
// beside the export, else the built-in default. It returns the file read
// ("" for the default).
func loadPolicy(input, path string) (*rules.Policy, string, error) {
	if path == "" {
		path = beside(input, "policy.yaml")
	}
	policy, err := rules.LoadPolicy(path)
	if err != nil {
		return nil, "", &InputError{Err: err}
	}
	return policy, path, nil
}

// buildAccessModel writes the policy into the database and builds the
// access models from it: the one way every command gets its model. It
// returns the environment's name. A policy naming tables or privileges
// the export does not have is an *InputError.
func buildAccessModel(ctx context.Context, db *store.DB, policy *rules.Policy, input string, asOf time.Time) (string, error) {
	env := environmentName(ctx, db, policy, input)
	problems, err := modelEnvironment(ctx, db, policy, env, asOf)
	if err != nil {
		return "", err
	}
	if len(problems) > 0 {
		return "", inputErr("policy %s names what the export does not have (a rule on it would never fire):\n  %s",
			policy.Source(), strings.Join(problems, "\n  "))
	}
	return env, nil
}

// modelEnvironment writes the policy for environment env into the current
// schema and builds the access models from it. It returns what the policy
// names that the export does not have.
func modelEnvironment(ctx context.Context, db *store.DB, policy *rules.Policy, env string, asOf time.Time) ([]string, error) {
	if err := policy.Materialize(ctx, db, env, asOf); err != nil {
		return nil, err
	}
	if err := access.Build(ctx, db, access.Options{BusinessTables: policy.BusinessTables}); err != nil {
		return nil, err
	}
	return policy.CheckNames(ctx, db)
}

// structuralError is the error an export with structural problems gives:
// the first few, and where to see them all.
func structuralError(input string, res *ingest.Result) error {
	n := res.Count(ingest.Structural)
	if n == 0 {
		return nil
	}
	var first []string
	for _, p := range res.Problems {
		if p.Kind == ingest.Structural && len(first) < 3 {
			first = append(first, p.String())
		}
	}
	return &InputError{
		Err: fmt.Errorf("%s has %d input %s, e.g.\n  %s\nrun d365audit validate --input %s for all of them",
			input, n, plural(n, "error", "errors"), strings.Join(first, "\n  "), input),
		Problems: res.Problems,
	}
}

func inputErr(format string, args ...any) error {
	return &InputError{Err: fmt.Errorf(format, args...)}
}
