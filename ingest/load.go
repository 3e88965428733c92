// Package ingest reads an export of a Dataverse environment (and of its
// tenant's Microsoft Graph licenses) in any of the shapes of INPUT.md and
// lands it in one typed canonical schema in DuckDB, through Arrow record
// batches. It reports every problem it finds, located by file, row and
// column, instead of stopping at the first.
package ingest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/d365audit/d365audit/store"
)

// Options says where the inputs are.
type Options struct {
	Input    string // the export directory
	Baseline string // baseline roles: a Roles/ folder of role XML or a reference export; default Input/baseline
	Prices   string // price list CSV; default Input/prices.csv
	// GraphOnly reads only the Microsoft Graph files (graph/) and the price
	// list: a tenant folder's licenses, which all its environments share.
	GraphOnly bool
}

// TableStat is what was loaded into one canonical table.
type TableStat struct {
	Name    string
	Present bool // false: no file for it; the table exists, empty
	Rows    int64
}

// Result is the outcome of a load: what was read and what is wrong with it.
type Result struct {
	Tables   []TableStat
	Files    []FileStat
	Problems []Problem // at most 20 per file, column and kind, then a line saying how many more
	counts   map[Kind]int
}

// Count returns the number of problems of kind, those not listed included.
func (r *Result) Count(kind Kind) int {
	return r.counts[kind]
}

// Rows returns the number of rows loaded over all tables.
func (r *Result) Rows() int64 {
	var n int64
	for _, t := range r.Tables {
		n += t.Rows
	}
	return n
}

// Present reports whether table name came with the inputs.
func (r *Result) Present(name string) bool {
	for _, t := range r.Tables {
		if t.Name == name {
			return t.Present
		}
	}
	return false
}

// Load reads the inputs into db. Problems with the inputs come back in the
// Result; the error is for failures of the machine (an unreadable
// directory, DuckDB failing).
func Load(ctx context.Context, db *store.DB, opts Options) (*Result, error) {
	ps := &Problems{}
	st, err := os.Stat(opts.Input)
	if err != nil {
		return nil, fmt.Errorf("input %s: %w", opts.Input, err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("input %s is not a directory", opts.Input)
	}
	found, err := discover(opts.Input, ps)
	if err != nil {
		return nil, err
	}
	l := &loader{db: db, ps: ps, res: &Result{}}
	tables := append(append([]Table(nil), dataverseTables...), graphTables...)
	if opts.GraphOnly {
		tables = graphTables
	}
	for _, t := range tables {
		t := t
		files := found.files[t.Name]
		if len(files) == 0 && t.Required {
			ps.addf(Structural, t.Name, "", "", "required table is missing: expected %s.json, %s.csv or %s.parquet", t.Name, t.Name, t.Name)
		}
		if err := l.loadFiles(ctx, &t, t.Name, files); err != nil {
			return nil, err
		}
	}
	if err := l.loadReferences(ctx, opts); err != nil {
		return nil, err
	}
	if err := l.checkKeys(ctx); err != nil {
		return nil, err
	}
	if err := l.checkReferences(ctx); err != nil {
		return nil, err
	}
	if !opts.GraphOnly {
		if err := l.checkRoleLoops(ctx); err != nil {
			return nil, err
		}
	}
	if err := l.writeCatalog(ctx); err != nil {
		return nil, err
	}
	l.res.Problems = ps.List()
	l.res.counts = map[Kind]int{}
	for _, k := range []Kind{Structural, Dangling, Notice} {
		l.res.counts[k] = ps.Count(k)
	}
	return l.res, nil
}

type loader struct {
	db  *store.DB
	ps  *Problems
	res *Result
}

// loadFiles loads table t from files under the table name name (an empty
// table when there are none).
func (l *loader) loadFiles(ctx context.Context, t *Table, name string, files []inputFile) error {
	return l.loadStream(ctx, t, name, len(files) > 0, filesFeed(ctx, files))
}

func (l *loader) loadStream(ctx context.Context, t *Table, name string, present bool, feed feedFunc) error {
	s := newTableStream(t, l.ps, feed)
	defer s.Release()
	if err := l.db.CreateTableFromArrow(ctx, name, selectList(t), s); err != nil {
		return err
	}
	l.res.Tables = append(l.res.Tables, TableStat{Name: name, Present: present, Rows: s.rows})
	for _, st := range s.stats {
		st.Table = name
		l.res.Files = append(l.res.Files, st)
	}
	return nil
}

// checkKeys reports rows that repeat a table's primary key.
func (l *loader) checkKeys(ctx context.Context) error {
	for _, ts := range l.res.Tables {
		t, ok := TableByName(ts.Name)
		if !ok || len(t.Key) == 0 || ts.Rows == 0 {
			continue
		}
		keys := make([]string, len(t.Key))
		for i, k := range t.Key {
			keys[i] = quoteIdent(k)
		}
		keyList := strings.Join(keys, ", ")
		// Find the duplicated keys first and build location lists only for
		// them: ordered lists over every key took 7 s and 1 GB at 1M rows.
		q := fmt.Sprintf(`WITH dup AS (SELECT %[1]s FROM %[2]s WHERE %[3]s GROUP BY %[1]s HAVING count(*) > 1)
			SELECT concat_ws(', ', %[1]s), list(_file ORDER BY _file, _row), list(_row ORDER BY _file, _row)
			FROM %[2]s SEMI JOIN dup USING (%[1]s) GROUP BY %[1]s ORDER BY 1`,
			keyList, quoteIdent(t.Name), notNull(t.Key))
		err := l.db.Query(ctx, "check keys of "+t.Name, q, func(rows *sql.Rows) error {
			var key string
			var files, rowNums []any
			if err := rows.Scan(&key, &files, &rowNums); err != nil {
				return err
			}
			first := fmt.Sprint(files[0]) + ": " + l.locationOf(fmt.Sprint(files[0]), rowNums[0])
			for i := 1; i < len(files); i++ {
				l.ps.addf(Structural, fmt.Sprint(files[i]), l.locationOf(fmt.Sprint(files[i]), rowNums[i]), strings.Join(t.Key, "+"),
					"duplicate key %s: already at %s", key, first)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func notNull(cols []string) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = quoteIdent(c) + " IS NOT NULL"
	}
	return strings.Join(parts, " AND ")
}

// DanglingTable holds the references that name no row: facts for the
// DATA_DANGLING_REFERENCE rule.
const DanglingTable = "dq_dangling_references"

// checkReferences finds every reference to a row the export does not hold,
// records it in DanglingTable and reports it.
func (l *loader) checkReferences(ctx context.Context) error {
	if err := l.db.Exec(ctx, "create "+DanglingTable, `CREATE OR REPLACE TABLE `+DanglingTable+` (
		table_name VARCHAR, column_name VARCHAR, value VARCHAR, target_table VARCHAR,
		"_file" VARCHAR, "_row" BIGINT)`); err != nil {
		return err
	}
	for _, ts := range l.res.Tables {
		t, ok := TableByName(ts.Name)
		if !ok || ts.Rows == 0 {
			continue
		}
		for _, ref := range t.Refs {
			insert := fmt.Sprintf(`INSERT INTO %s
				SELECT '%s', '%s', s.%s, '%s', s._file, s._row FROM %s s
				WHERE s.%s IS NOT NULL AND NOT EXISTS (SELECT 1 FROM %s r WHERE r.%s = s.%s)
				ORDER BY s._file, s._row`,
				DanglingTable, t.Name, ref.Column, quoteIdent(ref.Column), ref.Table, quoteIdent(t.Name),
				quoteIdent(ref.Column), quoteIdent(ref.Table), quoteIdent(ref.Target), quoteIdent(ref.Column))
			if err := l.db.Exec(ctx, fmt.Sprintf("check references %s.%s", t.Name, ref.Column), insert); err != nil {
				return err
			}
		}
	}
	return l.db.Query(ctx, "list dangling references",
		`SELECT table_name, column_name, value, target_table, _file, _row FROM `+DanglingTable+` ORDER BY _file, _row, column_name`,
		func(rows *sql.Rows) error {
			var table, col, value, target, file string
			var row int64
			if err := rows.Scan(&table, &col, &value, &target, &file, &row); err != nil {
				return err
			}
			l.ps.addf(Dangling, file, l.locationOf(file, row), col, "%s names no row of %s", value, target)
			return nil
		})
}

// writeCatalog records what was read, for the manifest and for rules that
// must know whether an optional table came with the export.
func (l *loader) writeCatalog(ctx context.Context) error {
	if err := l.db.Exec(ctx, "create ingest_tables",
		`CREATE OR REPLACE TABLE ingest_tables (table_name VARCHAR, present BOOLEAN, row_count BIGINT)`); err != nil {
		return err
	}
	for _, t := range l.res.Tables {
		if err := l.db.Exec(ctx, "record ingest_tables", `INSERT INTO ingest_tables VALUES (?, ?, ?)`, t.Name, t.Present, t.Rows); err != nil {
			return err
		}
	}
	if err := l.db.Exec(ctx, "create ingest_files", `CREATE OR REPLACE TABLE ingest_files
		(table_name VARCHAR, file VARCHAR, format VARCHAR, row_count BIGINT, bytes BIGINT, sha256 VARCHAR)`); err != nil {
		return err
	}
	sort.SliceStable(l.res.Files, func(i, j int) bool { return l.res.Files[i].File < l.res.Files[j].File })
	for _, f := range l.res.Files {
		if err := l.db.Exec(ctx, "record ingest_files", `INSERT INTO ingest_files VALUES (?, ?, ?, ?, ?, ?)`,
			f.Table, f.File, string(f.Format), f.Rows, f.Bytes, f.SHA256); err != nil {
			return err
		}
	}
	return nil
}

// locationOf formats a row position for a message, by the file's format:
// a CSV line, a JSON path, a Parquet row.
func (l *loader) locationOf(file string, row any) string {
	switch strings.ToLower(filepath.Ext(file)) {
	case ".csv":
		return fmt.Sprintf("line %v", row)
	case ".json":
		path := "$.value"
		for _, f := range l.res.Files {
			if f.File == file && f.RowPath != "" {
				path = f.RowPath
			}
		}
		return fmt.Sprintf("%s[%v]", path, row)
	case ".xml":
		return ""
	}
	return fmt.Sprintf("row %v", row)
}

// chainRole is a role row that names another role as its root.
type chainRole struct {
	id, parent, name, file string
	row                    int64
}

// checkRoleLoops reports parentrootroleid chains that loop (A -> B -> A):
// a BU copy names its root role, or another copy that leads there
// (DATA_ROLE_ROOT_CHAIN); a chain with no root has no privileges to take
// and no role to be matched on, so the audit cannot place its roles. Each
// loop is reported once, at the row of its first role in reading order.
func (l *loader) checkRoleLoops(ctx context.Context) error {
	var order []string
	roles := map[string]chainRole{}
	err := l.db.Query(ctx, "check role chains",
		`SELECT roleid, parentrootroleid, name, _file, _row FROM roles
		 WHERE roleid IS NOT NULL AND parentrootroleid IS NOT NULL AND parentrootroleid <> roleid
		 ORDER BY _file, _row`,
		func(rows *sql.Rows) error {
			var r chainRole
			var name sql.NullString
			if err := rows.Scan(&r.id, &r.parent, &name, &r.file, &r.row); err != nil {
				return err
			}
			r.name = name.String
			if _, dup := roles[r.id]; !dup { // a repeated key is reported as such
				roles[r.id] = r
				order = append(order, r.id)
			}
			return nil
		})
	if err != nil {
		return err
	}
	const (
		onPath = 1
		done   = 2
	)
	state := make(map[string]int, len(roles))
	for _, start := range order {
		var path []chainRole
		id := start
		for {
			r, ok := roles[id]
			if !ok || state[id] == done {
				break // the chain ends: at a root, a role not in the export, or a chain already walked
			}
			if state[id] == onPath { // the path from id on is a loop
				i := 0
				for path[i].id != id {
					i++
				}
				l.reportRoleLoop(path[i:])
				break
			}
			state[id] = onPath
			path = append(path, r)
			id = r.parent
		}
		for _, r := range path {
			state[r.id] = done
		}
	}
	return nil
}

// reportRoleLoop reports one loop of roles, from its first role in reading
// order.
func (l *loader) reportRoleLoop(loop []chainRole) {
	first := 0
	for i, r := range loop {
		if f := loop[first]; r.file < f.file || r.file == f.file && r.row < f.row {
			first = i
		}
	}
	loop = append(append([]chainRole(nil), loop[first:]...), loop[:first]...)
	head := loop[0]
	const maxShown = 8
	var b strings.Builder
	b.WriteString("the root-role chain loops: ")
	for i, r := range loop {
		if i == maxShown {
			fmt.Fprintf(&b, "... (%d roles in all) -> ", len(loop))
			break
		}
		fmt.Fprintf(&b, "%s %s", r.id, quote(r.name))
		if i > 0 {
			where := l.locationOf(r.file, r.row)
			if r.file != head.file {
				where = r.file + ": " + where
			}
			fmt.Fprintf(&b, " (%s)", where)
		}
		b.WriteString(" -> ")
	}
	fmt.Fprintf(&b, "%s again: no role in it is a root (one naming itself or no role)", head.id)
	l.ps.addf(Structural, head.file, l.locationOf(head.file, head.row), "parentrootroleid", "%s", b.String())
}
