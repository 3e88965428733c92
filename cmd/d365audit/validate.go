package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v3"

	"github.com/d365audit/d365audit/audit"
	"github.com/d365audit/d365audit/ingest"
	"github.com/d365audit/d365audit/queries/access"
	"github.com/d365audit/d365audit/store"
)

type validateOptions struct {
	ingest.Options
	// tenantEnvironment: the export is an environment of a tenant, whose
	// Graph files are the tenant's, not missing.
	tenantEnvironment bool
}

func newValidateCommand() *cli.Command {
	var opts validateOptions
	return &cli.Command{
		Name:  "validate",
		Usage: "read an export and report every problem in it; writes nothing",
		Description: "Loads every file of the export (and the baseline and price list beside it or named by flags)\n" +
			"and lists every problem with file, row and column. Exit status 2 when the export cannot be\n" +
			"audited (malformed file, missing table or column, wrong type, duplicate key); dangling\n" +
			"references are listed but kept, as findings of DATA_DANGLING_REFERENCE.",
		Flags: []cli.Flag{
			inputFlag(&opts.Input, "export `DIR`"),
			baselineFlag(&opts.Baseline),
			pricesFlag(&opts.Prices),
		},
		Action: action(func(ctx context.Context, cmd *cli.Command) error {
			return validate(ctx, opts, cmd.Writer)
		}),
	}
}

// validate loads the export into a throwaway in-memory database and prints
// what it read and every problem.
func validate(ctx context.Context, opts validateOptions, w io.Writer) error {
	if err := audit.CheckInputDir(opts.Input); err != nil {
		return badInput(err)
	}
	if audit.IsTenant(opts.Input) {
		return validateTenant(ctx, opts, w)
	}
	n, err := validateOne(ctx, opts, w, "Export")
	if err != nil {
		return err
	}
	if n > 0 {
		return badInput(fmt.Errorf("%s: %d %s: the export cannot be audited", opts.Input, n, plural(n, "error", "errors")))
	}
	return nil
}

// validateTenant checks a tenant folder: its Graph files and price list,
// then each environment's export with the tenant's baseline and prices, as
// run reads them.
func validateTenant(ctx context.Context, opts validateOptions, w io.Writer) error {
	names, dirs, err := audit.TenantEnvironmentDirs(opts.Input)
	if err != nil {
		return badInput(err)
	}
	graph := opts
	graph.GraphOnly = true
	errs, err := validateOne(ctx, graph, w, "Tenant (Graph files and price list)")
	if err != nil {
		return err
	}
	failed := []string{}
	if errs > 0 {
		failed = append(failed, "graph")
	}
	for i, dir := range dirs {
		env := opts
		env.Input = dir
		if env.Prices == "" {
			env.Prices = besideDir(opts.Input, "prices.csv")
		}
		if env.Baseline == "" && besideDir(dir, "baseline") == "" {
			env.Baseline = besideDir(opts.Input, "baseline")
		}
		fmt.Fprintln(w)
		env.tenantEnvironment = true
		n, err := validateOne(ctx, env, w, "Environment "+names[i]+":")
		if err != nil {
			return err
		}
		if n > 0 {
			failed = append(failed, names[i])
		}
		errs += n
	}
	fmt.Fprintf(w, "\nTenant: %d %s, %d %s\n", len(names), plural(len(names), "environment", "environments"), errs, plural(errs, "error", "errors"))
	if errs > 0 {
		return badInput(fmt.Errorf("%s: %d %s (in %s): the tenant cannot be audited", opts.Input, errs, plural(errs, "error", "errors"),
			strings.Join(failed, ", ")))
	}
	return nil
}

func besideDir(dir, name string) string {
	p := filepath.Join(dir, name)
	if _, err := os.Stat(p); err == nil {
		return p
	}
	return ""
}

// validateOne loads one export (or a tenant's Graph files), prints what it
// holds and its problems under title, and returns its structural errors.
func validateOne(ctx context.Context, opts validateOptions, w io.Writer, title string) (int, error) {
	db, err := store.Open(ctx, "")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	res, err := ingest.Load(ctx, db, opts.Options)
	if err != nil {
		return 0, err
	}
	var sources *access.PrivilegeSources
	if res.Present("privileges") && res.Count(ingest.Structural) == 0 {
		if err := access.MapPrivileges(ctx, db); err != nil {
			return 0, err
		}
		s, err := access.ReadPrivilegeSources(ctx, db)
		if err != nil {
			return 0, err
		}
		sources = &s
	}
	printValidation(w, title, opts.Input, res, opts.tenantEnvironment)
	if sources != nil {
		fmt.Fprintf(w, "%s\n", privilegeSourcesLine(*sources))
	}
	return res.Count(ingest.Structural), nil
}

func printValidation(w io.Writer, title, input string, res *ingest.Result, tenantEnvironment bool) {
	fmt.Fprintf(w, "%s %s\n\n", title, input)
	files := map[string]int{}
	for _, f := range res.Files {
		files[f.Table]++
	}
	fmt.Fprintf(w, "  %-30s %5s %12s\n", "table", "files", "rows")
	tables, absent := 0, 0
	for _, t := range res.Tables {
		if !t.Present && tenantEnvironment && strings.HasPrefix(t.Name, "graph_") {
			continue // the tenant's graph/ holds them
		}
		if !t.Present {
			absent++
			continue
		}
		tables++
		fmt.Fprintf(w, "  %-30s %5d %12s\n", t.Name, files[t.Name], thousands(t.Rows))
	}
	if absent > 0 {
		fmt.Fprintf(w, "\nNot in the export (rules that need them are not evaluated):")
		for _, t := range res.Tables {
			if !t.Present && !(tenantEnvironment && strings.HasPrefix(t.Name, "graph_")) {
				fmt.Fprintf(w, " %s", t.Name)
			}
		}
		fmt.Fprintln(w)
	}
	if len(res.Problems) > 0 {
		fmt.Fprintln(w, "\nProblems:")
		for _, p := range res.Problems {
			fmt.Fprintf(w, "  %-18s %s\n", p.Kind.String()+":", p)
		}
	}
	errs, dangling, notices := res.Count(ingest.Structural), res.Count(ingest.Dangling), res.Count(ingest.Notice)
	fmt.Fprintf(w, "\nSummary: %d tables, %s rows, %d %s, %d dangling %s, %d %s\n",
		tables, thousands(res.Rows()), errs, plural(errs, "error", "errors"),
		dangling, plural(dangling, "reference", "references"), notices, plural(notices, "notice", "notices"))
}

// privilegeSourcesLine says where the privileges' tables came from: an
// auditor should know how much of the matrix rests on names.
func privilegeSourcesLine(s access.PrivilegeSources) string {
	line := fmt.Sprintf("Privileges: %s; table from privilegeobjecttypecodes %s, guessed from the name %s (%s of them through the built-in map of out-of-box names), miscellaneous %s",
		thousands(s.Total), thousands(s.ObjectTypeCode), thousands(s.Guessed()), thousands(s.Builtin), thousands(s.Misc))
	if s.Guessed() > 0 {
		line += "\n  export privilegeobjecttypecodes with a row for every privilege to read every table from the data"
	}
	return line
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// thousands formats n with comma separators, as auditors read counts.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
