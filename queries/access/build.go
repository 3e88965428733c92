// Package access is the access model of the audit: held roles, role
// privileges with business-unit copies, privilege-to-table mapping, access
// profiles, the effective-access matrix and field security, and the
// questions asked of it (access, who-can). Each SQL model is one embedded
// .sql file with one job; Build runs them in order over the canonical
// tables that ingest loaded, after the vocabulary's macros (queries/vocab).
//
// The matrix is defined twice. The SQL views (sql/050_profile_access.sql)
// are the definition that ad-hoc SQL, the rules, the license model and the
// comparison of two runs read. Matrix (matrix.go) computes the same cells
// from the compact parts the views are built on and expands one user at a
// time, so access.parquet and the workbook stream 180 million cells at
// 100,000 users without any of them being held; the views, asked for the
// whole matrix, cannot do that in a laptop's memory. The property test holds
// both to one naive model; the depth vocabulary they share is queries/vocab.
package access

import (
	"context"
	"database/sql"
	"embed"
	"io/fs"
	"sort"

	"github.com/d365audit/d365audit/queries/vocab"
	"github.com/d365audit/d365audit/store"
)

//go:embed sql/*.sql
var models embed.FS

// DefaultBusinessTables are the tables an Administrative-mode user holds
// nothing on (OUTPUT.md), unless the policy lists others.
var DefaultBusinessTables = []string{"account", "contact", "lead", "opportunity", "campaign", "incident",
	"quote", "salesorder", "invoice", "competitor", "product", "list"}

// Options tunes the models.
type Options struct {
	BusinessTables []string // nil: DefaultBusinessTables
}

// Build runs every model over the canonical tables in db.
func Build(ctx context.Context, db *store.DB, opts Options) error {
	tables := opts.BusinessTables
	if tables == nil {
		tables = DefaultBusinessTables
	}
	if err := db.Exec(ctx, "create policy_business_tables",
		`CREATE OR REPLACE TABLE policy_business_tables (table_name VARCHAR)`); err != nil {
		return err
	}
	for _, t := range tables {
		if err := db.Exec(ctx, "fill policy_business_tables", `INSERT INTO policy_business_tables VALUES (lower(?))`, t); err != nil {
			return err
		}
	}
	names, err := fs.Glob(models, "sql/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	// depth_name, mask_rank, grant_depth_rank: every model after may use them
	if err := db.ExecScript(ctx, "access vocabulary", vocab.SQL); err != nil {
		return err
	}
	return runModels(ctx, db, names)
}

// privilegeMapModels are the models MapPrivileges runs: the reference facts
// and the privilege -> table map, which need nothing but the privileges.
var privilegeMapModels = []string{"sql/000_reference.sql", "sql/030_privilege_table_map.sql"}

// MapPrivileges maps the export's privileges to tables and rights
// (privilege_table_map) without building the rest of the models: validate
// reports how the tables were found before any policy is read.
func MapPrivileges(ctx context.Context, db *store.DB) error {
	return runModels(ctx, db, privilegeMapModels)
}

// PrivilegeSources counts where the privileges' tables came from.
type PrivilegeSources struct {
	Total int64 `json:"total"`
	// ObjectTypeCode: from privilegeobjecttypecodes, the data.
	ObjectTypeCode int64 `json:"objecttypecode"`
	// Builtin: from the name, through the built-in map of out-of-box names
	// that are not their table (prvReadOrder: salesorder).
	Builtin int64 `json:"builtin_map"`
	// Name: from the name as written (prvReadcontoso_Payment).
	Name int64 `json:"name"`
	// Misc: miscellaneous privileges, which have no table.
	Misc int64 `json:"miscellaneous"`
}

// Add sums two counts: a tenant's privileges are its environments'.
func (s PrivilegeSources) Add(o PrivilegeSources) PrivilegeSources {
	return PrivilegeSources{Total: s.Total + o.Total, ObjectTypeCode: s.ObjectTypeCode + o.ObjectTypeCode,
		Builtin: s.Builtin + o.Builtin, Name: s.Name + o.Name, Misc: s.Misc + o.Misc}
}

// Guessed is the number of privileges whose table was taken from the name.
func (s PrivilegeSources) Guessed() int64 { return s.Builtin + s.Name }

// ReadPrivilegeSources counts privilege_table_map by table_source.
func ReadPrivilegeSources(ctx context.Context, db *store.DB) (PrivilegeSources, error) {
	var s PrivilegeSources
	err := db.Query(ctx, "privilege table sources",
		`SELECT count(*), count(*) FILTER (table_source = 'objecttypecode'), count(*) FILTER (table_source = 'builtin'),
		        count(*) FILTER (table_source = 'name'), count(*) FILTER (table_source = 'misc')
		 FROM privilege_table_map`,
		func(rows *sql.Rows) error {
			return rows.Scan(&s.Total, &s.ObjectTypeCode, &s.Builtin, &s.Name, &s.Misc)
		})
	return s, err
}

// runModels runs model files in the order given, statement by statement.
func runModels(ctx context.Context, db *store.DB, names []string) error {
	for _, name := range names {
		text, err := models.ReadFile(name)
		if err != nil {
			return err
		}
		if err := db.ExecScript(ctx, "model "+name, string(text)); err != nil {
			return err
		}
	}
	return nil
}
