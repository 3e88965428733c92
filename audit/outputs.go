package audit

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/d365audit/d365audit/diff"
	"github.com/d365audit/d365audit/ingest"
	"github.com/d365audit/d365audit/queries/access"
	"github.com/d365audit/d365audit/reports"
	"github.com/d365audit/d365audit/reports/pdf"
	"github.com/d365audit/d365audit/reports/tabular"
	"github.com/d365audit/d365audit/reports/xlsx"
	"github.com/d365audit/d365audit/store"
	"golang.org/x/sync/errgroup"
)

// outputStep is one output file and how to write it under a temporary name.
type outputStep struct {
	name  string
	write func(tmp string) error
	stage string // the stage a step ends, if any
}

// writeOutputs writes every output file under a temporary name and renames
// it into place, so a reader (or a crash) never sees half a file. The
// manifest comes last: it fingerprints the others.
//
// access.parquet, the largest, is written beside the others: it is Go's
// work on both cores, while the database copy is DuckDB's and the reports
// keep one core busy, so side by side they take little more than the
// parquet alone. The files do not depend on the order.
func writeOutputs(ctx context.Context, db *store.DB, out, previous string, rep *reports.Report, clock *stageClock) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("create output directory: %w", err)
	}
	// The report writers, by the file each writes.
	writers := map[string]reports.Writer{
		FindingsJSON: tabular.FindingsJSON{},
		FindingsCSV:  tabular.FindingsCSV{},
		AccessFile:   tabular.AccessParquet{},
		PDFFile:      pdf.Writer{},
		ReportXLSX:   xlsx.Writer{Options: xlsx.Options{TmpDir: out}},
	}
	render := func(name, stage string) outputStep {
		return outputStep{name, streamTo(func(w io.Writer) error { return writers[name].Write(ctx, w, rep) }), stage}
	}
	findings := []outputStep{render(FindingsJSON, ""), render(FindingsCSV, "findings")}
	parquet := render(AccessFile, "parquet")
	if rep.IsTenant() { // a folder, partitioned by environment
		parquet.write = func(tmp string) error { return writeAccessPartitions(tmp, rep.Environments) }
	}
	database := outputStep{DatabaseFile, func(tmp string) error { return copyDatabase(ctx, db, tmp, rep.IsTenant()) }, "database"}
	compare := outputStep{diff.OutputFile, func(tmp string) error {
		d, err := diff.Compare(ctx, previous, out)
		if err != nil {
			return err
		}
		rep.Changes = d
		return streamTo(func(w io.Writer) error { return diff.WriteJSON(w, d) })(tmp)
	}, "diff"}
	document := render(PDFFile, "pdf")
	workbook := render(ReportXLSX, "workbook")
	// Lanes run side by side, each in order. The comparison with a previous
	// run reads the database, and the reports show the comparison.
	lanes := [][]outputStep{{parquet}, {database}, {document, workbook}}
	if previous != "" {
		lanes = [][]outputStep{{parquet}, {database, compare, document, workbook}}
	}
	// the findings stage runs from the end of the rules
	written, err := writeSteps(out, findings, func(stage string, _ time.Time) { clock.done(stage) })
	if err != nil {
		return err
	}
	clock.begin("parquet", "database", "pdf", "workbook")
	var run errgroup.Group
	laneWritten := make([][]string, len(lanes))
	for i, steps := range lanes {
		run.Go(func() (err error) { laneWritten[i], err = writeSteps(out, steps, clock.doneSince); return err })
	}
	if err := run.Wait(); err != nil {
		return err
	}
	// the manifest lists the outputs in one order, whichever lane ended first
	for _, name := range []string{AccessFile, DatabaseFile, diff.OutputFile, PDFFile, ReportXLSX} {
		for _, w := range laneWritten {
			if slices.Contains(w, name) {
				written = append(written, name)
			}
		}
	}
	if previous == "" { // a replaced run's comparison is not this run's
		os.Remove(filepath.Join(out, diff.OutputFile))
	}
	return atomicWrite(out, ManifestFile, streamTo(func(w io.Writer) error {
		return writeManifest(w, out, written, rep, append(clock.ordered(), clock.total()))
	}))
}

// writeSteps writes steps in order and returns the files written; done
// closes each step's stage.
func writeSteps(out string, steps []outputStep, done func(stage string, start time.Time)) ([]string, error) {
	var written []string
	for _, s := range steps {
		start := time.Now()
		if err := atomicWrite(out, s.name, s.write); err != nil {
			return written, err
		}
		written = append(written, s.name)
		if s.stage != "" {
			done(s.stage, start)
		}
	}
	return written, nil
}

func streamTo(fn func(io.Writer) error) func(string) error {
	return func(tmp string) error {
		f, err := os.Create(tmp)
		if err != nil {
			return err
		}
		w := bufio.NewWriterSize(f, 1<<20)
		if err := fn(w); err != nil {
			f.Close()
			return err
		}
		if err := w.Flush(); err != nil {
			f.Close()
			return err
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
}

// atomicWrite writes name in dir through a temporary file and a rename.
func atomicWrite(dir, name string, write func(tmp string) error) error {
	final := filepath.Join(dir, name)
	tmp := filepath.Join(dir, "."+name+".partial")
	os.RemoveAll(tmp)
	if err := write(tmp); err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("write %s: %w", name, err)
	}
	// A directory (a tenant's partitioned access.parquet) cannot be renamed
	// over what a previous run left; a file can, and is, atomically.
	if st, err := os.Stat(tmp); err == nil && st.IsDir() {
		os.RemoveAll(final)
	} else if st, err := os.Stat(final); err == nil && st.IsDir() {
		os.RemoveAll(final)
	}
	if err := os.Rename(tmp, final); err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// copyDatabase copies the in-memory audit database, every table and view,
// into a DuckDB file for ad-hoc SQL and for access / who-can. The schema
// is copied first, then each table's rows in a fixed order: the tables
// computed in parallel have no row order of their own, and two runs over
// the same input must give the same tables, rows in the same order. (The
// file itself is not byte-identical: DuckDB's storage differs by a few
// bytes from one write to the next, in one thread or many.)
func copyDatabase(ctx context.Context, db *store.DB, path string, tenant bool) error {
	os.Remove(path)
	if err := db.Exec(ctx, "attach output database", fmt.Sprintf("ATTACH %s AS audit_out", store.Literal(path))); err != nil {
		return err
	}
	err := copyTables(ctx, db)
	if err == nil && tenant {
		err = tenantViews(ctx, db)
	}
	if derr := db.Exec(ctx, "detach output database", "DETACH audit_out"); err == nil {
		err = derr
	}
	os.Remove(path + ".wal")
	return err
}

func copyTables(ctx context.Context, db *store.DB) error {
	// the audit's own database: memory, or a tenant run's scratch file
	from, err := db.QueryStrings(ctx, "audit database", "SELECT current_database()")
	if err != nil {
		return err
	}
	src := store.Ident(from[0])
	if err := db.Exec(ctx, "copy audit database schema", "COPY FROM DATABASE "+src+" TO audit_out (SCHEMA)"); err != nil {
		return err
	}
	type table struct{ schema, name string }
	var tables []table
	err = db.Query(ctx, "list audit tables", `
		SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = current_database() AND NOT temporary
		ORDER BY schema_name, table_name`,
		func(rows *sql.Rows) error {
			var t table
			if err := rows.Scan(&t.schema, &t.name); err != nil {
				return err
			}
			tables = append(tables, t)
			return nil
		})
	if err != nil {
		return err
	}
	for _, t := range tables {
		name := store.Ident(t.schema) + "." + store.Ident(t.name)
		// The tables ingest loaded hold the export's rows in file order,
		// the same every time; sorting them (millions of role privileges
		// in each environment of a tenant) took most of the copy.
		order := " ORDER BY ALL"
		if _, input := ingest.TableByName(t.name); input {
			order = ""
		}
		q := fmt.Sprintf("INSERT INTO audit_out.%[1]s SELECT * FROM %[2]s.%[1]s%[3]s", name, src, order)
		if err := db.Exec(ctx, "copy table "+t.schema+"."+t.name, q); err != nil {
			return err
		}
	}
	return nil
}

type manifest struct {
	Tool           string `json:"tool"`
	ToolVersion    string `json:"tool_version"`
	RuleSetVersion string `json:"rule_set_version"`
	GeneratedAt    string `json:"generated_at"`
	AsOf           string `json:"as_of"`
	Environment    string `json:"environment"`
	// Environments are a tenant run's; left out for one export.
	Environments []reports.EnvironmentRun `json:"environments,omitempty"`
	Policy       string                   `json:"policy"`
	Rules        manifestRules            `json:"rules"`
	// Privileges says where the privileges' tables came from: how much of
	// the matrix rests on names rather than privilegeobjecttypecodes.
	Privileges access.PrivilegeSources `json:"privilege_tables"`
	Inputs     []reports.Input         `json:"inputs"`
	Outputs    []outputFile            `json:"outputs"`
	// Stages are wall time and peak memory per stage: they differ from run
	// to run, so the manifest is the one output that is not reproducible.
	Stages []Stage `json:"stages"`
}

type manifestRules struct {
	Evaluated    []string `json:"evaluated"`
	NotEvaluated any      `json:"not_evaluated"`
}

type outputFile struct {
	File   string `json:"file"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

func writeManifest(w io.Writer, dir string, written []string, rep *reports.Report, stages []Stage) error {
	m := manifest{
		Tool: "d365audit", ToolVersion: rep.ToolVersion, RuleSetVersion: rep.RuleSetVersion,
		GeneratedAt: rep.GeneratedAt.UTC().Format(time.RFC3339), AsOf: rep.AsOf.Format("2006-01-02"),
		Environment: rep.Environment, Environments: rep.Environments, Policy: rep.Policy, Privileges: rep.Privileges,
		Rules:  manifestRules{Evaluated: rep.Evaluated, NotEvaluated: rep.NotEvaluated},
		Inputs: rep.Inputs,
		Stages: stages,
	}
	if m.Rules.Evaluated == nil {
		m.Rules.Evaluated = []string{}
	}
	if rep.NotEvaluated == nil {
		m.Rules.NotEvaluated = []any{}
	}
	for _, name := range written {
		files, err := outputFiles(dir, name)
		if err != nil {
			return err
		}
		for _, f := range files {
			sum, size, err := ingest.HashFile(filepath.Join(dir, f))
			if err != nil {
				return err
			}
			m.Outputs = append(m.Outputs, outputFile{File: f, Bytes: size, SHA256: sum})
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(m)
}
