package main

import (
	"context"
	"fmt"
	"io"

	"github.com/urfave/cli/v3"

	"github.com/d365audit/d365audit/audit"
	"github.com/d365audit/d365audit/ingest"
	"github.com/d365audit/d365audit/queries/access"
	"github.com/d365audit/d365audit/store"
)

type validateOptions struct {
	ingest.Options
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
			&cli.StringFlag{Name: "input", Aliases: []string{"i"}, Usage: "export `DIR`", Required: true, Destination: &opts.Input},
			&cli.StringFlag{Name: "baseline", Usage: "baseline roles `DIR` (default: DIR/baseline)", Destination: &opts.Baseline},
			&cli.StringFlag{Name: "prices", Usage: "price list `FILE` (default: DIR/prices.csv)", Destination: &opts.Prices},
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
	db, err := store.Open(ctx, "")
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := ingest.Load(ctx, db, opts.Options)
	if err != nil {
		return err
	}
	var sources *access.PrivilegeSources
	if res.Present("privileges") && res.Count(ingest.Structural) == 0 {
		if err := access.MapPrivileges(ctx, db); err != nil {
			return err
		}
		s, err := access.ReadPrivilegeSources(ctx, db)
		if err != nil {
			return err
		}
		sources = &s
	}
	printValidation(w, opts.Input, res)
	if sources != nil {
		fmt.Fprintf(w, "%s\n", privilegeSourcesLine(*sources))
	}
	if n := res.Count(ingest.Structural); n > 0 {
		return badInput(fmt.Errorf("%s: %d %s: the export cannot be audited", opts.Input, n, plural(n, "error", "errors")))
	}
	return nil
}

func printValidation(w io.Writer, input string, res *ingest.Result) {
	fmt.Fprintf(w, "Export %s\n\n", input)
	files := map[string]int{}
	for _, f := range res.Files {
		files[f.Table]++
	}
	fmt.Fprintf(w, "  %-30s %5s %12s\n", "table", "files", "rows")
	tables, absent := 0, 0
	for _, t := range res.Tables {
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
			if !t.Present {
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
