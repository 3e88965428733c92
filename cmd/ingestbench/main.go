// Command ingestbench measures ingest against DuckDB's own readers. Each
// process runs exactly one measured path, so an outside timer
// (/usr/bin/time, see scripts/bench-ingest.sh) sees that path's wall time and
// peak RSS alone, with nothing left over from another path in the heap.
//
//	ingestbench gen --rows N --dir D         write a synthetic export: CSV in D, JSON in D/json
//	ingestbench ours --dir D                 ingest.Load D into an in-memory database
//	ingestbench duckdb-csv --file F          CREATE TABLE t AS SELECT * FROM read_csv(F)
//	ingestbench duckdb-json --file F         CREATE TABLE t AS SELECT * FROM read_json(F)
//
// Each measured path prints one line, "rows=N seconds=S", S being the time
// of the load alone (without process start and opening DuckDB).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/d365audit/d365audit/ingest"
	"github.com/d365audit/d365audit/internal/synth"
	"github.com/d365audit/d365audit/store"
)

const usage = `usage:
  ingestbench gen --rows N --dir D       write a synthetic export: CSV in D, JSON in D/json
  ingestbench ours --dir D [--cpuprofile F]
  ingestbench duckdb-csv --file F
  ingestbench duckdb-json --file F
  ingestbench floor --dir D             read a whole export with DuckDB's own readers alone
`

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "ingestbench:", err)
		if errors.Is(err, flag.ErrHelp) || errors.Is(err, errUsage) {
			fmt.Fprint(os.Stderr, usage)
			os.Exit(2)
		}
		os.Exit(1)
	}
}

var errUsage = errors.New("bad usage")

func run(ctx context.Context, args []string, w io.Writer) error {
	if len(args) == 0 {
		return errUsage
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	fs.SetOutput(io.Discard) // main prints the usage once
	switch args[0] {
	case "gen":
		rows := fs.Int("rows", 1_000_000, "systemusers rows")
		dir := fs.String("dir", "", "output directory")
		if err := parse(fs, args[1:], "dir", dir); err != nil {
			return err
		}
		return gen(w, *dir, *rows)
	case "ours":
		dir := fs.String("dir", "", "export directory")
		prof := fs.String("cpuprofile", "", "write a CPU profile of the load to `FILE`")
		if err := parse(fs, args[1:], "dir", dir); err != nil {
			return err
		}
		return ours(ctx, w, *dir, *prof)
	case "floor":
		dir := fs.String("dir", "", "export directory")
		if err := parse(fs, args[1:], "dir", dir); err != nil {
			return err
		}
		return floor(ctx, w, *dir)
	case "duckdb-csv", "duckdb-json":
		file := fs.String("file", "", "input file")
		if err := parse(fs, args[1:], "file", file); err != nil {
			return err
		}
		return duckdb(ctx, w, "read_"+strings.TrimPrefix(args[0], "duckdb-"), *file)
	}
	return fmt.Errorf("%w: unknown subcommand %q", errUsage, args[0])
}

// parse parses args and requires the flag name (pointed to by val) to be set.
func parse(fs *flag.FlagSet, args []string, name string, val *string) error {
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %s: %v", errUsage, fs.Name(), err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: %s: unexpected argument %q", errUsage, fs.Name(), fs.Arg(0))
	}
	if *val == "" {
		return fmt.Errorf("%w: %s: --%s is required", errUsage, fs.Name(), name)
	}
	return nil
}

func gen(w io.Writer, dir string, rows int) error {
	start := time.Now()
	t := synth.Targets{CSV: dir, JSON: filepath.Join(dir, "json")}
	if err := synth.Write(t, rows); err != nil {
		return err
	}
	fmt.Fprintf(w, "wrote %d rows to %s/systemusers.csv and %s/systemusers.json in %.2fs\n",
		rows, t.CSV, t.JSON, time.Since(start).Seconds())
	return nil
}

// ours loads dir the way validate and audit do. A structural problem means
// the benchmark did not measure a clean load, so it fails instead of
// printing a number.
func ours(ctx context.Context, w io.Writer, dir, profile string) error {
	db, err := store.Open(ctx, "")
	if err != nil {
		return err
	}
	defer db.Close()
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	start := time.Now()
	res, err := ingest.Load(ctx, db, ingest.Options{Input: dir})
	if err != nil {
		return err
	}
	secs := time.Since(start).Seconds()
	if n := res.Count(ingest.Structural); n > 0 {
		shown := 0
		for _, p := range res.Problems {
			if p.Kind == ingest.Structural && shown < 20 {
				fmt.Fprintln(os.Stderr, p)
				shown++
			}
		}
		return fmt.Errorf("%s: load reported %d structural problems: not a clean load, nothing measured", dir, n)
	}
	var rows int64
	for _, t := range res.Tables {
		if t.Name == "systemusers" {
			rows = t.Rows
		}
	}
	fmt.Fprintf(w, "rows=%d seconds=%.3f total_rows=%d\n", rows, secs, res.Rows())
	return nil
}

// duckdb loads file with DuckDB's own reader, through the same store.DB
// (same DuckDB build and settings) as our loader.
func duckdb(ctx context.Context, w io.Writer, reader, file string) error {
	if _, err := os.Stat(file); err != nil {
		return err
	}
	db, err := store.Open(ctx, "")
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	lit := "'" + strings.ReplaceAll(file, "'", "''") + "'"
	if err := db.Exec(ctx, reader, "CREATE TABLE t AS SELECT * FROM "+reader+"("+lit+")"); err != nil {
		return err
	}
	secs := time.Since(start).Seconds()
	rows, err := db.QueryInt(ctx, "count rows", "SELECT count(*) FROM t")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "rows=%d seconds=%.3f\n", rows, secs)
	return nil
}

// floor reads every file of a whole export with DuckDB's own readers alone
// (read_json on each Web API body's value array, read_csv on each CSV): the
// floor that the end-to-end benchmark compares our ingest stage with.
func floor(ctx context.Context, w io.Writer, dir string) error {
	var files []string
	for _, pattern := range []string{"*.json", "*.csv", "graph/*.json"} {
		m, err := filepath.Glob(filepath.Join(dir, pattern))
		if err != nil {
			return err
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		return fmt.Errorf("no export files in %s", dir)
	}
	db, err := store.Open(ctx, "")
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	var rows int64
	for i, f := range files {
		lit := "'" + strings.ReplaceAll(f, "'", "''") + "'"
		q := fmt.Sprintf("CREATE TABLE t%d AS SELECT * FROM read_csv(%s)", i, lit)
		if strings.HasSuffix(f, ".json") {
			q = fmt.Sprintf("CREATE TABLE t%d AS SELECT unnest(value, recursive := true) FROM read_json(%s, maximum_object_size = 1073741824)", i, lit)
		}
		if err := db.Exec(ctx, "read "+f, q); err != nil {
			return err
		}
		n, err := db.QueryInt(ctx, "count", fmt.Sprintf("SELECT count(*) FROM t%d", i))
		if err != nil {
			return err
		}
		rows += n
	}
	fmt.Fprintf(w, "files=%d rows=%d seconds=%.3f\n", len(files), rows, time.Since(start).Seconds())
	return nil
}
