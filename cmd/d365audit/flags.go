package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/urfave/cli/v3"
)

// The flags several commands declare, each with one home, so that its
// name, alias, whether it is required and how it is checked read the same
// in every command. Where commands mean something of their own by a flag
// (what --out receives, what --input may be) they pass its usage.

// inputFlag is --input, -i: what the command reads. Always required.
func inputFlag(dest *string, usage string) *cli.StringFlag {
	return &cli.StringFlag{Name: "input", Aliases: []string{"i"}, Usage: usage, Required: true, Destination: dest}
}

// outFlag is --out, -o: where the command writes. Required unless the
// command says otherwise (optional).
func outFlag(dest *string, usage string) *cli.StringFlag {
	return &cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: usage, Required: true, Destination: dest}
}

// optional is f not required: the command does without it, or checks it
// itself.
func optional(f *cli.StringFlag) *cli.StringFlag {
	f.Required = false
	return f
}

// forceFlag is --force: replace what a previous command wrote at --out.
func forceFlag(dest *bool, usage string) *cli.BoolFlag {
	return &cli.BoolFlag{Name: "force", Usage: usage, Destination: dest}
}

// baselineFlag is --baseline: the out-of-box roles an export is compared
// with, read beside it unless named.
func baselineFlag(dest *string) *cli.StringFlag {
	return &cli.StringFlag{Name: "baseline", Usage: "baseline roles `DIR` (default: DIR/baseline)", Destination: dest}
}

// pricesFlag is --prices: the price list, read beside the export unless
// named.
func pricesFlag(dest *string) *cli.StringFlag {
	return &cli.StringFlag{Name: "prices", Usage: "price list `FILE` (default: DIR/prices.csv)", Destination: dest}
}

// policyFlag is --policy: the policy file, read beside the export unless
// named.
func policyFlag(dest *string, usage string) *cli.StringFlag {
	return &cli.StringFlag{Name: "policy", Usage: usage, Destination: dest}
}

// rulesDirFlag is --rules-dir: the organisation's own rules.
func rulesDirFlag(dest *string, usage string) *cli.StringFlag {
	return &cli.StringFlag{Name: "rules-dir", Usage: usage, Destination: dest}
}

// tableFlag is --table, -t: a table by its logical name.
func tableFlag(dest *string, usage string) *cli.StringFlag {
	return &cli.StringFlag{Name: "table", Aliases: []string{"t"}, Usage: usage, Destination: dest}
}

// The formats a command's answer can be printed in; the first, for a
// terminal, is the default.
var (
	tableFormats = []string{"table", "csv", "json"} // access, who-can, rules
	textFormats  = []string{"text", "json"}         // diff
)

// formatFlag is --format, -f: how the command prints its answer, one of
// formats (checked by checkFormat).
func formatFlag(dest *string, formats []string) *cli.StringFlag {
	choices := append([]string{formats[0] + " (for a terminal)"}, formats[1:]...)
	return &cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: formats[0],
		Usage: "output `FORMAT`: " + orList(choices), Destination: dest}
}

// checkFormat refuses a --format that is none of formats.
func checkFormat(format string, formats []string) error {
	if slices.Contains(formats, format) {
		return nil
	}
	return badInput(fmt.Errorf("--format %q: expected %s", format, orList(formats)))
}

// orList reads "a, b or c".
func orList(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

// localFlags keeps flags to the command that declares them: its
// subcommands do not inherit them.
func localFlags(flags ...*cli.StringFlag) []cli.Flag {
	local := make([]cli.Flag, len(flags))
	for i, f := range flags {
		f.Local = true
		local[i] = f
	}
	return local
}
