package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/d365audit/d365audit/samples/gen"
)

type sampleOptions struct {
	out string
	gen.Options
}

func newSampleCommand() *cli.Command {
	var o sampleOptions
	return &cli.Command{
		Name:  "sample",
		Usage: "generate a realistic export of any size, to try or benchmark the audit",
		Description: "Writes a synthetic but realistic Dataverse export into --out: a business-unit tree four levels\n" +
			"deep, about 800 tables and 6,500 privileges, out-of-box and custom roles copied into every\n" +
			"business unit, users, teams, field security, Graph users and licenses, and beside them a price\n" +
			"list, a policy and a baseline of the out-of-box roles. The same --seed gives the same files.\n" +
			"--out must not exist or be empty: nothing is overwritten.\n\n" +
			"--environments N (N > 1) writes a tenant instead: --out/graph/ once for the tenant and\n" +
			"--out/environments/NAME/ (prod, test, dev, default, emea, ...) each an export of its own. Every one of\n" +
			"the --users users has an account in prod; people also work in other environments under the same Entra\n" +
			"object id with another systemuserid there, custom roles drift between environments, and some paid\n" +
			"licenses are wasted in one environment but not tenant-wide. --compact writes a much smaller catalogue\n" +
			"and business-unit tree, for checked-in fixtures such as samples/tenant-contoso.",
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "users", Aliases: []string{"n"}, Usage: fmt.Sprintf("number of Dataverse users, at least %d", gen.MinUsers), Required: true, Destination: &o.Users},
			outFlag(&o.out, "output `DIR` (must not exist or be empty)"),
			&cli.Int64Flag{Name: "seed", Usage: "random `SEED`; the same seed gives the same files", Value: 1, Destination: &o.Seed},
			&cli.StringFlag{Name: "format", Usage: "json (Web API response bodies) or csv; Graph files are JSON either way", Value: "json", Destination: &o.Format},
			&cli.IntFlag{Name: "environments", Usage: fmt.Sprintf("number of environments of the tenant, 1 to %d; more than 1 writes graph/ and environments/NAME/", gen.MaxEnvironments), Value: 1, Destination: &o.Environments},
			&cli.BoolFlag{Name: "compact", Usage: "a small catalogue (about 200 tables) and business-unit tree, for checked-in fixtures", Destination: &o.Compact},
			&cli.IntFlag{Name: "page-size", Usage: "rows per Web API page (json)", Value: gen.DefaultPageSize, Destination: &o.PageSize},
		},
		Action: action(func(ctx context.Context, cmd *cli.Command) error { return sample(o, cmd.Writer) }),
	}
}

func sample(o sampleOptions, w io.Writer) error {
	if o.Users < gen.MinUsers || o.Users > gen.MaxUsers {
		return badInput(fmt.Errorf("--users %d: expected %d to %s", o.Users, gen.MinUsers, thousands(gen.MaxUsers)))
	}
	if o.Environments < 1 || o.Environments > gen.MaxEnvironments {
		return badInput(fmt.Errorf("--environments %d: expected 1 to %d", o.Environments, gen.MaxEnvironments))
	}
	if st, err := os.Stat(o.out); err == nil && !st.IsDir() {
		return badInput(fmt.Errorf("--out %s: not a directory", o.out))
	}
	if err := checkFormat(o.Format, []string{"json", "csv"}); err != nil {
		return err
	}
	start := time.Now()
	st, err := gen.Write(o.out, o.Options)
	if errors.Is(err, gen.ErrNotEmpty) {
		return badInput(fmt.Errorf("--out %s: not empty; choose a new directory (nothing is overwritten)", o.out))
	}
	if err != nil {
		return err
	}
	if st.Environments > 1 {
		fmt.Fprintf(w, "Generated tenant %s: %d environments (%s), %s Entra users, %s systemusers rows, %s roles rows, %s teams; %d files, %s bytes in %.1f s (seed %d, %s)\n",
			o.out, st.Environments, strings.Join(gen.EnvironmentNames(st.Environments), ", "), thousands(int64(st.GraphUsers)),
			thousands(int64(st.Users)), thousands(int64(st.RoleRows)), thousands(int64(st.Teams)),
			st.Files, thousands(st.Bytes), time.Since(start).Seconds(), o.Seed, o.Format)
		if k := st.KeyPerson; k.UPN != "" {
			fmt.Fprintf(w, "A paid license wasted in %s but not tenant-wide: %s (Entra object id %s) holds a role in %s only\n",
				k.NoRoleIn, k.UPN, k.EntraID, k.RoleIn)
		}
		return nil
	}
	fmt.Fprintf(w, "Generated %s: %s users, %d business units, %s roles rows, %s teams; %d files, %s bytes in %.1f s (seed %d, %s)\n",
		o.out, thousands(int64(st.Users)), st.BusinessUnits, thousands(int64(st.RoleRows)), thousands(int64(st.Teams)),
		st.Files, thousands(st.Bytes), time.Since(start).Seconds(), o.Seed, o.Format)
	return nil
}
