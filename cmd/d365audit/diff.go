package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v3"

	"github.com/d365audit/d365audit/diff"
)

type diffOptions struct {
	oldDir, newDir, out, format string
}

func newDiffCommand() *cli.Command {
	var o diffOptions
	return &cli.Command{
		Name:      "diff",
		Usage:     "what changed between two runs: findings, waivers, access and why, roles, licenses and cost",
		ArgsUsage: "OLD NEW",
		Description: "OLD and NEW are output directories of d365audit run (each with findings.json and\n" +
			"audit.duckdb), the previous run first. Prints a summary (--format text) or diff.json\n" +
			"(--format json); --out also writes diff.json to FILE. Exit status: 0 done; 2 bad input or\n" +
			"usage; 3 internal error.",
		Flags: []cli.Flag{
			optional(outFlag(&o.out, "also write diff.json to `FILE`")),
			formatFlag(&o.format, textFormats),
		},
		Action: action(func(ctx context.Context, cmd *cli.Command) error {
			if cmd.NArg() != 2 {
				return usageError(cmd, fmt.Errorf("expected two run directories, OLD and NEW; got %d arguments", cmd.NArg()))
			}
			o.oldDir, o.newDir = cmd.Args().Get(0), cmd.Args().Get(1)
			return runDiff(ctx, o, cmd.Writer)
		}),
	}
}

func runDiff(ctx context.Context, o diffOptions, w io.Writer) error {
	if err := checkFormat(o.format, textFormats); err != nil {
		return err
	}
	d, err := diff.Compare(ctx, o.oldDir, o.newDir)
	if errors.Is(err, diff.ErrNotARun) {
		return badInput(err)
	}
	if err != nil {
		return err
	}
	if o.out != "" {
		if err := writeDiffFile(o.out, d); err != nil {
			return err
		}
	}
	if o.format == "json" {
		return diff.WriteJSON(w, d)
	}
	return diff.WriteText(w, d)
}

// writeDiffFile writes diff.json through a temporary file and a rename, as
// run writes its outputs.
func writeDiffFile(path string, d *diff.Diff) error {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("--out %s: %w", path, err)
		}
	}
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".partial")
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("--out %s: %w", path, err)
	}
	if err := diff.WriteJSON(f, d); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("--out %s: %w", path, err)
	}
	return nil
}
