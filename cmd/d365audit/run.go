package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/d365audit/d365audit/audit"
	"github.com/d365audit/d365audit/diff"
	"github.com/d365audit/d365audit/internal/progress"
	"github.com/d365audit/d365audit/reports"
	"github.com/d365audit/d365audit/reports/summary"
	"github.com/d365audit/d365audit/rules"
)

type runOptions struct {
	audit.Options
	failOn  string
	now     string
	verbose bool
}

func newRunCommand() *cli.Command {
	var o runOptions
	return &cli.Command{
		Name:  "run",
		Usage: "the whole audit: ingest, effective access, rules, and every output file",
		Description: "Reads the export (and the baseline, price list, policy and waivers beside it or named by\n" +
			"flags) and writes findings.json, findings.csv, access.parquet, audit.duckdb and manifest.json\n" +
			"into --out. Exit status: 0 done; 1 findings at or above --fail-on; 2 bad input or usage\n" +
			"(nothing written); 3 internal error.",
		Flags: []cli.Flag{
			inputFlag(&o.Input, "export `DIR`"),
			outFlag(&o.Out, "output `DIR`: new, empty, or a previous run's with --force; never inside --input"),
			forceFlag(&o.Force, "replace the previous run in --out (a folder holding files no run wrote is refused even so)"),
			baselineFlag(&o.Baseline),
			pricesFlag(&o.Prices),
			policyFlag(&o.Policy, "policy `FILE` (default: DIR/policy.yaml, else the built-in policy)"),
			&cli.StringFlag{Name: "waivers", Usage: "waivers `FILE` (default: DIR/waivers.yaml)", Destination: &o.Waivers},
			&cli.StringFlag{Name: "sku-catalog", Usage: "a newer copy of Microsoft's licensing `CSV` (product names and service plan identifiers); default: built in", Destination: &o.SKUCatalog},
			rulesDirFlag(&o.RulesDir, "`DIR` of the organisation's own rules (*.sql), added to the built-in ones"),
			&cli.StringFlag{Name: "previous", Usage: "a previous run's output `DIR`: also write diff.json and show what changed", Destination: &o.Previous},
			&cli.StringFlag{Name: "now", Usage: "the run's clock as RFC 3339 or YYYY-MM-DD (reproducible runs); the policy's as_of, if set, is the audit date", Destination: &o.now},
			&cli.BoolFlag{Name: "verbose", Usage: "also print each stage's seconds and peak memory as it ends (telemetry, for benchmarks)", Destination: &o.verbose},
			&cli.StringFlag{Name: "fail-on", Usage: "exit 1 when an open finding is at `SEVERITY` or above (critical, high, medium, low, info)", Destination: &o.failOn},
		},
		Action: action(func(ctx context.Context, cmd *cli.Command) error { return runAudit(ctx, o, cmd.Writer, cmd.ErrWriter) }),
	}
}

func runAudit(ctx context.Context, o runOptions, w, errW io.Writer) error {
	if o.failOn != "" && rules.SeverityRank(o.failOn) < 0 {
		return badInput(fmt.Errorf("--fail-on %q: expected one of %s", o.failOn, strings.Join(rules.Severities, ", ")))
	}
	o.ToolVersion = toolVersion()
	if o.now != "" {
		t, err := parseNow(o.now)
		if err != nil {
			return badInput(err)
		}
		o.Now = t
	}
	if o.verbose {
		o.Log = errW
	}
	o.Progress = progress.New(errW)
	rep, err := audit.Run(ctx, o.Options)
	o.Progress.Close()
	var ie *audit.InputError
	if errors.As(err, &ie) {
		for _, p := range ie.Problems {
			fmt.Fprintf(errW, "  %-18s %s\n", p.Kind.String()+":", p)
		}
		return badInput(ie.Err)
	}
	if err != nil {
		return err
	}
	files := []string{audit.ReportXLSX, audit.PDFFile, audit.FindingsJSON, audit.FindingsCSV, audit.AccessFile, audit.DatabaseFile}
	if rep.Changes != nil {
		files = append(files, diff.OutputFile)
	}
	files = append(files, audit.ManifestFile)
	if err := (summary.Writer{Dir: o.Out, Files: files}).Write(ctx, w, rep); err != nil {
		return err
	}
	if o.failOn != "" {
		if n := reports.AtOrAbove(rep.Findings, o.failOn); n > 0 {
			return &exitError{code: exitFindings, err: fmt.Errorf("%d open %s at %s or above", n, plural(n, "finding", "findings"), o.failOn)}
		}
	}
	return nil
}

func newRulesCommand() *cli.Command {
	var dir, format string
	return &cli.Command{
		Name:  "rules",
		Usage: "the rule catalogue: ID, severity, title",
		Flags: []cli.Flag{
			rulesDirFlag(&dir, "also list the organisation's own rules in `DIR`"),
			formatFlag(&format, tableFormats),
		},
		Action: action(func(ctx context.Context, cmd *cli.Command) error {
			if err := checkFormat(format, tableFormats); err != nil {
				return err
			}
			builtin, err := rules.Builtin()
			if err != nil {
				return err
			}
			sets := [][]rules.Rule{builtin}
			if dir != "" {
				own, err := rules.LoadDir(dir)
				if err != nil {
					return badInput(err)
				}
				sets = append(sets, own)
			}
			all, err := rules.Catalogue(sets...)
			if err != nil {
				return badInput(err)
			}
			w := cmd.Writer
			switch format {
			case "json":
				return writeJSON(w, all)
			case "csv":
				t := newCSVTable(w, "id", "severity", "title")
				for _, r := range all {
					t.row(r.ID, r.Severity, r.Title)
				}
				return t.flush()
			}
			fmt.Fprintf(w, "Rule set %s: %d rules\n\n", rules.Version, len(all))
			t := newTextTable("id", "severity", "title")
			for _, r := range all {
				t.add(r.ID, r.Severity, r.Title)
			}
			t.write(w)
			return nil
		}),
	}
}

func parseNow(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("--now %q: expected RFC 3339 (2026-11-20T08:00:00Z) or YYYY-MM-DD", s)
}
