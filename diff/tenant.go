package diff

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/d365audit/d365audit/queries/vocab"
	"github.com/d365audit/d365audit/store"
)

// EnvironmentChanges are the environments one tenant run has and the other
// has not.
type EnvironmentChanges struct {
	Added   []string `json:"added"`
	Removed []string `json:"removed"`
}

// compareTenants compares two tenant runs. A tenant run's audit.duckdb keeps
// each environment in a schema env_NAME and the license model in the schema
// tenant; the comparisons read old.TABLE and new.TABLE, so each is made in a
// database of its own where old and new are views of one environment's
// schema of each run (or of the tenant's, for the licenses). The access and
// role changes of each environment both runs have carry its name.
func compareTenants(ctx context.Context, oldDir, newDir string, oldDoc, newDoc *findingsDoc) (*Diff, error) {
	if len(oldDoc.Environments) == 0 || len(newDoc.Environments) == 0 {
		return nil, fmt.Errorf("%s and %s: a tenant run compares with a tenant run, one export's run with one export's", oldDir, newDir)
	}
	d := &Diff{SchemaVersion: SchemaVersion, Old: oldDoc.info(oldDir), New: newDoc.info(newDir), Warnings: []string{},
		Environments: &EnvironmentChanges{Added: []string{}, Removed: []string{}}}
	d.Warnings = append(d.Warnings, warnings(d.Old, d.New)...)
	d.Findings, d.ExpiredWaivers = compareFindings(oldDoc, newDoc)
	var common []string
	for _, e := range newDoc.Environments {
		if slices.Contains(oldDoc.Environments, e) {
			common = append(common, e)
		} else {
			d.Environments.Added = append(d.Environments.Added, e)
		}
	}
	for _, e := range oldDoc.Environments {
		if !slices.Contains(newDoc.Environments, e) {
			d.Environments.Removed = append(d.Environments.Removed, e)
		}
	}
	for _, env := range common {
		err := withSchemas(ctx, oldDir, newDir, "env_"+env, func(db *store.DB) error {
			var one Diff
			if err := compareAccess(ctx, db, &one); err != nil {
				return err
			}
			roles, err := compareRoles(ctx, db)
			if err != nil {
				return err
			}
			for i := range one.Users {
				one.Users[i].Environment = env
			}
			for i := range one.Access {
				one.Access[i].Environment = env
			}
			for i := range roles {
				roles[i].Environment = env
			}
			d.Users = append(d.Users, one.Users...)
			d.Access = append(d.Access, one.Access...)
			d.Roles = append(d.Roles, roles...)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("environment %s: %w", env, err)
		}
	}
	err := withSchemas(ctx, oldDir, newDir, "tenant", func(db *store.DB) (err error) {
		d.Licenses, err = compareLicenses(ctx, db)
		return err
	})
	if err != nil {
		return nil, err
	}
	if d.Users == nil {
		d.Users = []UserChange{}
	}
	if d.Access == nil {
		d.Access = []AccessChange{}
	}
	if d.Roles == nil {
		d.Roles = []RoleChange{}
	}
	d.summarize()
	return d, nil
}

// withSchemas gives fn a database in which old.T and new.T are the tables
// and views of schema in the old and the new run.
func withSchemas(ctx context.Context, oldDir, newDir, schema string, fn func(db *store.DB) error) error {
	db, err := store.Open(ctx, "")
	if err != nil {
		return err
	}
	defer db.Close()
	for _, a := range []struct{ alias, dir string }{{"old", oldDir}, {"new", newDir}} {
		run := a.alias + "_run"
		path := filepath.Join(a.dir, DatabaseFile)
		if err := db.Exec(ctx, "attach "+path, fmt.Sprintf("ATTACH %s AS %s (READ_ONLY)", store.Literal(path), run)); err != nil {
			return fmt.Errorf("%s: %w: %v", a.dir, ErrNotARun, err)
		}
		if err := db.Exec(ctx, "attach "+a.alias, fmt.Sprintf("ATTACH ':memory:' AS %s", a.alias)); err != nil {
			return err
		}
		names, err := db.QueryStrings(ctx, "list "+schema, `
			SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = ?
			UNION SELECT view_name FROM duckdb_views() WHERE database_name = ? AND schema_name = ? AND NOT internal
			ORDER BY 1`, run, schema, run, schema)
		if err != nil {
			return err
		}
		if len(names) == 0 {
			return fmt.Errorf("%s: %w (its audit.duckdb has no schema %s)", a.dir, ErrNotARun, schema)
		}
		for _, n := range names {
			q := fmt.Sprintf("CREATE VIEW %s.main.%s AS SELECT * FROM %s.%s.%s", a.alias, store.Ident(n), run, store.Ident(schema), store.Ident(n))
			if err := db.Exec(ctx, "view "+a.alias+"."+n, q); err != nil {
				return err
			}
		}
		if schema != "tenant" {
			if err := checkTables(ctx, db, a.alias, a.dir); err != nil {
				return err
			}
		}
	}
	if err := db.ExecScript(ctx, "access vocabulary", vocab.SQL); err != nil {
		return err
	}
	return fn(db)
}
