package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v3"

	"github.com/d365audit/d365audit/review"
)

func newReviewCommand() *cli.Command {
	var o review.Options
	var by, reviewersFile string
	return &cli.Command{
		Name:  "review",
		Usage: "a user access review from a run: one workbook per reviewer, then collect the decisions",
		UsageText: "d365audit review --run RUNDIR --out DIR [--by manager|businessunit] [--reviewers FILE] [--due DATE] [--id ID] [--previous DIR]\n" +
			"d365audit review collect --campaign DIR --out RESULTDIR FILE...",
		Description: "Writes DIR/REVIEWER.xlsx for every reviewer and DIR/campaign.json from the output of\n" +
			"d365audit run. Each row is a person, a role and how it is held (direct or through a team);\n" +
			"the reviewer fills Decision (Keep / Revoke) and Comment. --by manager (the default) sends\n" +
			"each person's roles to their manager (parentsystemuserid), else to the business unit's\n" +
			"owner from --reviewers; --by businessunit to the owner (a workbook per business unit\n" +
			"without --reviewers). People without a reviewer go to unassigned.xlsx. --reviewers is a CSV\n" +
			"of \"business unit,reviewer\" lines (name or id; a unit without a line takes its parent's).\n" +
			"Then: d365audit review collect. Exit status: 0 done; 2 bad input or usage; 3 internal error.",
		// review's flags are its own, not collect's (which has an --out of
		// its own), and the action checks --run and --out: collect runs
		// without them.
		Flags: localFlags(
			&cli.StringFlag{Name: "run", Usage: "the run's output `DIR` (required)", Destination: &o.Run},
			optional(outFlag(&o.Out, "campaign `DIR` (required; created if missing)")),
			&cli.StringFlag{Name: "by", Value: review.ByManager, Usage: "reviewers by `manager` or businessunit", Destination: &by},
			&cli.StringFlag{Name: "reviewers", Usage: "`FILE` of business unit owners: CSV lines \"business unit,reviewer\"", Destination: &reviewersFile},
			&cli.StringFlag{Name: "due", Usage: "decisions due on `DATE` (YYYY-MM-DD; default the run's as-of date + 30 days)", Destination: &o.Due},
			&cli.StringFlag{Name: "id", Usage: "campaign `ID` (default: derived from the run, --by, --reviewers, --due and --previous)", Destination: &o.ID},
			&cli.StringFlag{Name: "previous", Usage: "the previous campaign's `DIR` (or collect's output of it, with its decisions): what changed since", Destination: &o.Previous},
		),
		Commands: []*cli.Command{newReviewCollectCommand()},
		Action: action(func(ctx context.Context, cmd *cli.Command) error {
			if cmd.NArg() > 0 {
				return badInput(fmt.Errorf("review: unexpected argument %q (did you mean review collect?)", cmd.Args().First()))
			}
			if o.Run == "" || o.Out == "" {
				return badInput(errors.New("review: --run and --out are required"))
			}
			o.By = by
			if reviewersFile != "" {
				b, err := os.ReadFile(reviewersFile)
				if err != nil {
					return badInput(fmt.Errorf("--reviewers: %w", err))
				}
				if o.Reviewers, err = review.ReadReviewers(bytes.NewReader(b), reviewersFile); err != nil {
					return reviewErr(err)
				}
			}
			c, err := review.Build(ctx, o)
			if err != nil {
				return reviewErr(err)
			}
			if err := review.Write(ctx, c, o.Out, ""); err != nil {
				return reviewErr(err)
			}
			printCampaign(cmd.Writer, c, o.Out)
			return nil
		}),
	}
}

func printCampaign(w io.Writer, c *review.Campaign, dir string) {
	fmt.Fprintf(w, "Campaign %s: %d items for %d reviewers, due %s (access of %s as of %s)\n",
		c.ID, len(c.Items), len(c.Reviewers), c.Due, c.Run.Environment, c.Run.AsOf)
	for _, rv := range c.Reviewers {
		fmt.Fprintf(w, "  %-40s %5d %-5s  %s\n", rv.Reviewer, rv.Items, plural(rv.Items, "item", "items"), filepath.Join(dir, rv.File))
	}
	for _, warn := range c.Warnings {
		fmt.Fprintf(w, "Warning: %s\n", warn)
	}
	if c.Previous != nil {
		fmt.Fprintf(w, "Since campaign %s: %d items no longer held\n", c.Previous.ID, len(c.Removed))
	}
	fmt.Fprintf(w, "Written to %s: %d workbooks, %s\n", dir, len(c.Reviewers), review.CampaignFile)
}

func newReviewCollectCommand() *cli.Command {
	var campaign, out string
	return &cli.Command{
		Name:      "collect",
		Usage:     "read the returned workbooks: decisions.csv, revocations.csv and review.pdf",
		ArgsUsage: "FILE...",
		Description: "Checks that every FILE is a workbook of the campaign in --campaign, once per reviewer, and that\n" +
			"no item row was changed, then writes decisions.csv, revocations.csv, review.pdf and a copy of\n" +
			"campaign.json into --out. A refused workbook is named with the row; nothing is written then.\n" +
			"Reviewers whose workbook is not given leave their items undecided. Exit status: 0 done;\n" +
			"2 bad input (a refused workbook) or usage; 3 internal error.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "campaign", Usage: "the campaign `DIR` (with campaign.json)", Required: true, Destination: &campaign},
			outFlag(&out, "result `DIR` (created if missing)"),
		},
		Action: action(func(ctx context.Context, cmd *cli.Command) error {
			res, err := review.Collect(campaign, cmd.Args().Slice())
			if err != nil {
				return reviewErr(err)
			}
			if err := review.WriteResults(res, out); err != nil {
				return err
			}
			kept, revoked, undecided := res.Counts()
			w := cmd.Writer
			fmt.Fprintf(w, "Campaign %s: %d items: %d kept, %d revoked, %d undecided\n", res.Campaign.ID, len(res.Decisions), kept, revoked, undecided)
			for _, s := range res.Reviewers() {
				fmt.Fprintf(w, "  %-40s %-12s kept %d, revoked %d, undecided %d\n", s.Reviewer, s.Status(), s.Kept, s.Revoked, s.Undecided)
			}
			fmt.Fprintf(w, "Written to %s: %s, %s, %s, %s\n", out, review.DecisionsFile, review.RevocationsFile, review.EvidenceFile, review.CampaignFile)
			return nil
		}),
	}
}

// reviewErr marks the review package's input errors as bad input (exit 2).
func reviewErr(err error) error {
	if errors.Is(err, review.ErrBadInput) {
		return badInput(err)
	}
	return err
}
