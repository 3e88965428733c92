package audit

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/d365audit/d365audit/reports"
	"github.com/d365audit/d365audit/reports/tabular"
	"github.com/d365audit/d365audit/rules"
	"github.com/d365audit/d365audit/store"
)

// The outputs of a tenant run that differ from one export's:
//
//   - access.parquet is a folder partitioned the Hive way,
//     access.parquet/environment=NAME/access.parquet, so DuckDB, Spark or
//     Trino read all of it or one environment without the others:
//     read_parquet('access.parquet/*/*.parquet', hive_partitioning = true).
//   - audit.duckdb keeps each environment's tables in its schema env_NAME,
//     the tenant's license model in the schema tenant, and has in main a
//     view of every table with an environment column: the environments'
//     rows together (license_* and graph_* are the tenant's).

// accessPartition is the file of one environment in the access folder.
func accessPartition(env string) string {
	return "environment=" + env + "/" + AccessFile
}

// writeAccessPartitions writes each environment's effective-access matrix
// into dir, one partition each.
func writeAccessPartitions(dir string, envs []reports.EnvironmentRun) error {
	for _, e := range envs {
		path := filepath.Join(dir, filepath.FromSlash(accessPartition(e.Name)))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		matrix := e.Access.Matrix()
		write := streamTo(func(w io.Writer) error { return tabular.WriteAccessParquet(w, matrix) })
		if err := write(path); err != nil {
			return fmt.Errorf("environment %s: %w", e.Name, err)
		}
	}
	return nil
}

// outputFiles lists the files of one output, relative to dir: the output
// itself, or the files of an output folder in name order.
func outputFiles(dir, name string) ([]string, error) {
	st, err := os.Stat(filepath.Join(dir, name))
	if err != nil || !st.IsDir() {
		return []string{name}, err
	}
	var files []string
	err = filepath.WalkDir(filepath.Join(dir, name), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		files = append(files, filepath.ToSlash(rel))
		return err
	})
	sort.Strings(files)
	return files, err
}

// tenantOwned are the tables main takes from the tenant schema alone: the
// tenant's license model and Graph files (each environment holds views of
// the Graph tables, and its own license model, which the tenant's replaces).
func tenantOwned(name string) bool {
	return strings.HasPrefix(name, "license_") || strings.HasPrefix(name, "graph_") || strings.HasPrefix(name, "tenant_") ||
		name == "sku_catalog" || name == "prices"
}

// tenantViews makes the views of audit_out's main schema: for each table
// or view of the environments, their rows together with an environment
// column; for the tenant's own tables, those.
func tenantViews(ctx context.Context, db *store.DB) error {
	schemas := map[string][]string{} // name -> schemas holding it
	hasEnv := map[string]bool{}      // "schema.name" that has an environment column of its own
	err := db.Query(ctx, "list output columns", `
		SELECT schema_name || '.' || table_name FROM duckdb_columns() WHERE database_name = 'audit_out' AND column_name = 'environment'`,
		func(rows *sql.Rows) error {
			var n string
			err := rows.Scan(&n)
			hasEnv[n] = true
			return err
		})
	if err != nil {
		return err
	}
	err = db.Query(ctx, "list output tables", `
		SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'audit_out'
		UNION ALL
		SELECT schema_name, view_name FROM duckdb_views() WHERE database_name = 'audit_out' AND NOT internal
		ORDER BY 2, 1`, func(rows *sql.Rows) error {
		var schema, name string
		if err := rows.Scan(&schema, &name); err != nil {
			return err
		}
		schemas[name] = append(schemas[name], schema)
		return nil
	})
	if err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(schemas)) {
		in := schemas[name]
		if slices.Contains(in, "main") {
			continue
		}
		var parts []string
		if slices.Contains(in, tenantSchema) && tenantOwned(name) {
			parts = []string{fmt.Sprintf("SELECT * FROM %s.%s", store.Ident(tenantSchema), store.Ident(name))}
		} else {
			for _, s := range in {
				env, ok := strings.CutPrefix(s, "env_")
				if s == tenantSchema { // the Graph files' own load
					env, ok = rules.TenantScope, strings.HasPrefix(name, "ingest_") || strings.HasPrefix(name, "dq_")
				}
				if ok {
					star := "*"
					if hasEnv[s+"."+name] { // the policy's audit_context names it too
						star = "* EXCLUDE (environment)"
					}
					parts = append(parts, fmt.Sprintf("SELECT %s AS environment, %s FROM %s.%s", store.Literal(env), star, store.Ident(s), store.Ident(name)))
				}
			}
		}
		if len(parts) == 0 {
			continue
		}
		q := fmt.Sprintf("CREATE VIEW audit_out.main.%s AS %s", store.Ident(name), strings.Join(parts, "\nUNION ALL BY NAME\n"))
		if err := db.Exec(ctx, "tenant view "+name, q); err != nil {
			return err
		}
	}
	return nil
}
