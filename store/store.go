// Package store owns the DuckDB database of an audit: it opens it, pins the
// one connection every statement runs on, and loads Arrow record streams into
// tables. Every other package talks to DuckDB through it, so statement errors
// are wrapped in one place and say what was being done.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	duckdb "github.com/duckdb/duckdb-go/v2"
)

// DB is an open DuckDB database with one pinned connection. DuckDB's Arrow
// views are registered per connection, so the loader and the queries that
// read the views must share it.
type DB struct {
	db    *sql.DB
	conn  *sql.Conn
	arrow *duckdb.Arrow
	// scratch is the directory of a scratch database, removed on Close.
	scratch string
}

// Open opens (or creates) the DuckDB database at path; "" is an in-memory
// database.
func Open(ctx context.Context, path string) (*DB, error) {
	connector, err := duckdb.NewConnector(path, nil)
	if err != nil {
		return nil, fmt.Errorf("open duckdb %q: %w", path, err)
	}
	db := sql.OpenDB(connector)
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to duckdb %q: %w", path, err)
	}
	var ar *duckdb.Arrow
	err = conn.Raw(func(dc any) error {
		a, err := duckdb.NewArrowFromConn(dc.(driver.Conn))
		ar = a
		return err
	})
	if err != nil {
		conn.Close()
		db.Close()
		return nil, fmt.Errorf("arrow interface of duckdb %q: %w", path, err)
	}
	return &DB{db: db, conn: conn, arrow: ar}, nil
}

// OpenScratch opens a new database in a file of a new temporary directory
// (its name starting with prefix), which Close removes: a database larger
// than memory, which DuckDB keeps on disk as it needs.
func OpenScratch(ctx context.Context, prefix string) (*DB, error) {
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		return nil, fmt.Errorf("scratch database: %w", err)
	}
	d, err := Open(ctx, filepath.Join(dir, "scratch.duckdb"))
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	d.scratch = dir
	return d, nil
}

// Close closes the connection and the database, and removes a scratch
// database's directory.
func (d *DB) Close() error {
	err := d.conn.Close()
	if cerr := d.db.Close(); err == nil {
		err = cerr
	}
	if d.scratch != "" {
		if rerr := os.RemoveAll(d.scratch); err == nil {
			err = rerr
		}
	}
	return err
}

// Exec runs a statement that returns no rows. what says what it is for, and
// leads the error.
func (d *DB) Exec(ctx context.Context, what, query string, args ...any) error {
	defer traceTime(what, time.Now())
	if _, err := d.conn.ExecContext(ctx, query, args...); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// Query runs a query and hands each row to scan.
func (d *DB) Query(ctx context.Context, what, query string, scan func(*sql.Rows) error, args ...any) error {
	defer traceTime(what, time.Now())
	rows, err := d.conn.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// trace prints each statement's time to stderr (D365AUDIT_TRACE=1), to
// find the slow one when a tenant is large.
var trace = os.Getenv("D365AUDIT_TRACE") != ""

func traceTime(what string, start time.Time) {
	if trace {
		fmt.Fprintf(os.Stderr, "trace: %-60s %7.2f s\n", what, time.Since(start).Seconds())
	}
}

// QueryInt returns the single integer a query yields.
func (d *DB) QueryInt(ctx context.Context, what, query string, args ...any) (int64, error) {
	var n int64
	if err := d.conn.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("%s: %w", what, err)
	}
	return n, nil
}

// ExecScript runs a SQL script statement by statement, so that an error
// names the statement (what, statement N) rather than the whole script.
// Statements end at a line ending in a semicolon; scripts have no
// semicolon that ends a line inside a string ('; ' separators are fine),
// and a comment line ending in one ends nothing.
func (d *DB) ExecScript(ctx context.Context, what, script string) error {
	for i, stmt := range SplitStatements(script) {
		if err := d.Exec(ctx, fmt.Sprintf("%s, statement %d", what, i+1), stmt); err != nil {
			return err
		}
	}
	return nil
}

// SplitStatements splits a script as ExecScript runs it.
func SplitStatements(script string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(script, "\n") {
		cur.WriteString(line)
		cur.WriteString("\n")
		if t := strings.TrimSpace(line); strings.HasSuffix(t, ";") && !strings.HasPrefix(t, "--") {
			if s := strings.TrimSpace(cur.String()); s != ";" {
				out = append(out, s)
			}
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" && !onlyComments(s) {
		out = append(out, s)
	}
	return out
}

func onlyComments(s string) bool {
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "--") {
			return false
		}
	}
	return true
}

// QueryStrings returns the first column of every row a query yields, as
// strings, in the query's order.
func (d *DB) QueryStrings(ctx context.Context, what, query string, args ...any) ([]string, error) {
	return Collect(ctx, d, what, query, func(rows *sql.Rows, s *string) error { return rows.Scan(s) }, args...)
}

// Collect runs a query and returns one value per row, each filled by
// scan; no rows is a nil slice.
func Collect[T any](ctx context.Context, d *DB, what, query string, scan func(rows *sql.Rows, v *T) error, args ...any) ([]T, error) {
	var out []T
	err := d.Query(ctx, what, query, func(rows *sql.Rows) error {
		var v T
		if err := scan(rows, &v); err != nil {
			return err
		}
		out = append(out, v)
		return nil
	}, args...)
	return out, err
}

// InsertValues inserts rows (each of the table's columns, in order) into
// table, a few hundred per statement: one statement per row would be as
// many round trips.
func (d *DB) InsertValues(ctx context.Context, table string, rows [][]any) error {
	const batch = 200
	for start := 0; start < len(rows); start += batch {
		end := min(start+batch, len(rows))
		var b strings.Builder
		var args []any
		b.WriteString("INSERT INTO " + Ident(table) + " VALUES ")
		for i, row := range rows[start:end] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(" + strings.TrimSuffix(strings.Repeat("?, ", len(row)), ", ") + ")")
			args = append(args, row...)
		}
		if err := d.Exec(ctx, "fill "+table, b.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// SplitList reads a list a query joined with chr(31) (string_agg,
// array_to_string): a separator no name contains, so the list comes back
// as it was. NULL and "" are the empty list, never nil, so that JSON says [].
func SplitList(s sql.NullString) []string {
	if !s.Valid || s.String == "" {
		return []string{}
	}
	return strings.Split(s.String, "\x1f")
}

// CreateTableFromArrow creates table name from the record stream r. selectList
// is the SELECT list applied to the stream (casts to the table's SQL types);
// "*" keeps the Arrow types. The stream is scanned exactly once: DuckDB's
// registered Arrow views cannot be scanned twice (a second scan silently
// returns no rows), so the view is dropped right after the CREATE.
func (d *DB) CreateTableFromArrow(ctx context.Context, name, selectList string, r array.RecordReader) error {
	view := "arrow_in_" + name
	release, err := d.arrow.RegisterView(r, view)
	if err != nil {
		return fmt.Errorf("register arrow stream for %s: %w", name, err)
	}
	defer release()
	stmt := fmt.Sprintf("CREATE OR REPLACE TABLE %s AS SELECT %s FROM %s", Ident(name), selectList, Ident(view))
	if _, err := d.conn.ExecContext(ctx, stmt); err != nil {
		return fmt.Errorf("load table %s: %w", name, err)
	}
	if _, err := d.conn.ExecContext(ctx, "DROP VIEW IF EXISTS "+Ident(view)); err != nil {
		return fmt.Errorf("drop arrow view of %s: %w", name, err)
	}
	return nil
}

// Ident quotes an SQL identifier.
func Ident(name string) string {
	out := make([]byte, 0, len(name)+2)
	out = append(out, '"')
	for i := 0; i < len(name); i++ {
		if name[i] == '"' {
			out = append(out, '"')
		}
		out = append(out, name[i])
	}
	return string(append(out, '"'))
}

// OpenReadOnly opens an existing DuckDB database file for queries only, so
// questions asked after a run can never change its evidence.
func OpenReadOnly(ctx context.Context, path string) (*DB, error) {
	return Open(ctx, path+"?access_mode=read_only")
}

// HasTable reports whether a table or view called name exists in the
// current schema (a tenant run builds each environment in its own).
func (d *DB) HasTable(ctx context.Context, name string) (bool, error) {
	n, err := d.QueryInt(ctx, "look up table "+name,
		`SELECT count(*) FROM information_schema.tables WHERE table_name = ? AND table_schema = current_schema()`, name)
	return n > 0, err
}

// Literal quotes s as an SQL string literal, for the statements that cannot
// take it as a parameter (DDL, ATTACH).
func Literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
