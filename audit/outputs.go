package audit

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/d365audit/d365audit/diff"
	"github.com/d365audit/d365audit/ingest"
	"github.com/d365audit/d365audit/reports"
	"github.com/d365audit/d365audit/store"
)

// writeOutputs writes every output file under a temporary name and renames
// it into place, so a reader (or a crash) never sees half a file. The
// manifest comes last: it fingerprints the others.
// errSkip: a step that has nothing to write this time (no previous run).
var errSkip = errors.New("nothing to write")

func writeOutputs(ctx context.Context, db *store.DB, out, previous string, rep *reports.Report, clock *stageClock) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("create output directory: %w", err)
	}
	var written []string
	steps := []struct {
		name  string
		write func(tmp string) error
		stage string // the stage a step ends, if any
	}{
		{FindingsJSON, streamTo(func(w io.Writer) error { return reports.WriteFindingsJSON(w, rep) }), ""},
		{FindingsCSV, streamTo(func(w io.Writer) error { return reports.WriteFindingsCSV(w, rep) }), "findings"},
		{AccessFile, streamTo(func(w io.Writer) error { return reports.WriteAccessParquet(w, rep.Access.Matrix()) }), "parquet"},
		// The database is written before the reports: the comparison with a
		// previous run reads it, and the reports show the comparison.
		{DatabaseFile, func(tmp string) error { return copyDatabase(ctx, db, tmp) }, "database"},
		{diff.OutputFile, func(tmp string) error {
			if previous == "" {
				return errSkip
			}
			d, err := diff.Compare(ctx, previous, out)
			if err != nil {
				return err
			}
			rep.Changes = d
			return streamTo(func(w io.Writer) error { return diff.WriteJSON(w, d) })(tmp)
		}, "diff"},
		{PDFFile, streamTo(func(w io.Writer) error { return reports.WritePDF(w, rep) }), "pdf"},
		// The workbook streams the access matrix from the database, so it is
		// written while the database is open; its temporary files go beside it.
		{ReportXLSX, streamTo(func(w io.Writer) error {
			return reports.WriteWorkbookContext(ctx, w, rep, reports.WorkbookOptions{TmpDir: out})
		}), "workbook"},
	}
	for _, s := range steps {
		if err := atomicWrite(out, s.name, s.write); errors.Is(err, errSkip) {
			continue
		} else if err != nil {
			return err
		}
		written = append(written, s.name)
		if s.stage != "" {
			clock.done(s.stage)
		}
	}
	return atomicWrite(out, ManifestFile, streamTo(func(w io.Writer) error {
		return writeManifest(w, out, written, rep, append(clock.stages, clock.total()))
	}))
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
	os.Remove(tmp)
	if err := write(tmp); err != nil {
		os.Remove(tmp)
		if errors.Is(err, errSkip) {
			return err
		}
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := os.Rename(tmp, final); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// copyDatabase copies the in-memory audit database, every table and view,
// into a DuckDB file for ad-hoc SQL and for access / who-can.
func copyDatabase(ctx context.Context, db *store.DB, path string) error {
	os.Remove(path)
	if err := db.Exec(ctx, "attach output database", fmt.Sprintf("ATTACH %s AS audit_out", sqlString(path))); err != nil {
		return err
	}
	err := db.Exec(ctx, "copy audit database", "COPY FROM DATABASE memory TO audit_out")
	if derr := db.Exec(ctx, "detach output database", "DETACH audit_out"); err == nil {
		err = derr
	}
	os.Remove(path + ".wal")
	return err
}

func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

type manifest struct {
	Tool           string          `json:"tool"`
	ToolVersion    string          `json:"tool_version"`
	RuleSetVersion string          `json:"rule_set_version"`
	GeneratedAt    string          `json:"generated_at"`
	AsOf           string          `json:"as_of"`
	Environment    string          `json:"environment"`
	Policy         string          `json:"policy"`
	Rules          manifestRules   `json:"rules"`
	Inputs         []reports.Input `json:"inputs"`
	Outputs        []outputFile    `json:"outputs"`
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
		Environment: rep.Environment, Policy: rep.Policy,
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
		sum, size, err := ingest.HashFile(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		m.Outputs = append(m.Outputs, outputFile{File: name, Bytes: size, SHA256: sum})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(m)
}
