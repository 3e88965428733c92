// Package summary writes the few lines the run command prints when a run
// ends: the findings by severity and by rule, the rules not evaluated, the
// license review, the comparison with the previous run, expired waivers,
// and where the files went.
package summary

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/d365audit/d365audit/reports"
)

// Writer writes the run's summary.
type Writer struct {
	Dir   string   // the output directory
	Files []string // the files written there, in the order to name them
}

// Write writes the summary of rep. A failed write stops the lines that
// follow and is returned once, at the end.
func (x Writer) Write(_ context.Context, w io.Writer, rep *reports.Report) error {
	ew := &errWriter{w: w}
	s := reports.Summarize(rep.Findings)
	fmt.Fprintf(ew, "Audit of %s as of %s: %d findings (critical %d, high %d, medium %d, low %d, info %d; waived %d)\n",
		rep.Environment, rep.AsOf.Format("2006-01-02"), len(rep.Findings), s.Critical, s.High, s.Medium, s.Low, s.Info, s.Waived)
	for _, e := range rep.Environments {
		c := e.Findings
		fmt.Fprintf(ew, "  environment %s: %d users, %d roles; findings critical %d, high %d, medium %d, low %d, info %d; waived %d\n",
			e.Name, e.Users, e.Roles, c.Critical, c.High, c.Medium, c.Low, c.Info, c.Waived)
	}
	fmt.Fprintf(ew, "Rules: %d evaluated, %d not evaluated; %d access profiles\n", len(rep.Evaluated), len(rep.NotEvaluated), rep.AccessProfiles)
	for _, ne := range rep.NotEvaluated {
		fmt.Fprintf(ew, "  not evaluated: %s: %s\n", ne.Rule, ne.Why)
	}
	counts := map[string]int{}
	severity := map[string]string{}
	var order []string
	for _, f := range rep.Findings {
		if f.Waived {
			continue
		}
		if counts[f.Rule] == 0 {
			order = append(order, f.Rule)
			severity[f.Rule] = f.Severity
		}
		counts[f.Rule]++
	}
	if len(order) > 0 {
		fmt.Fprintln(ew, "Open findings by rule:")
		for _, r := range order {
			fmt.Fprintf(ew, "  %-8s %-32s %3d\n", severity[r], r, counts[r])
		}
	}
	l := rep.Licenses
	switch {
	case !l.HasGraph:
		fmt.Fprintln(ew, "License review: not performed (no graph/subscribedSkus.json in the export)")
	case !l.HasPrices:
		fmt.Fprintf(ew, "License review: %d wasted seats; costs need a price list (--prices)\n", wastedSeats(l))
	default:
		fmt.Fprintf(ew, "License waste: %d seats, %s %.2f a month, %.2f a year\n", wastedSeats(l), l.Currency, l.TotalMonthly, l.TotalAnnual)
	}
	if l.Candidates > 0 {
		line := fmt.Sprintf("Right-sizing candidates (to review, not waste): %d people hold a Dynamics 365 seat their access uses for no restricted-table write", l.Candidates)
		if l.HasPrices && l.CandidateMonthly > 0 {
			line += fmt.Sprintf("; as Power Apps per user: %s %.2f a month less", l.Currency, l.CandidateMonthly)
		}
		fmt.Fprintln(ew, line)
	}
	if note := l.CatalogNote(); note != "" {
		fmt.Fprintln(ew, "License review: "+note)
	}
	if l.HasGraph && !l.HasUsers {
		fmt.Fprintln(ew, "License review: no graph/users.json: idle seats per SKU only; the licenses of each user were not reviewed")
	}
	if c := rep.Changes; c != nil {
		s := c.Summary
		fmt.Fprintf(ew, "Since the run of %s: %d new, %d resolved, %d still open findings; %d access changes for %d users; %d role changes (see diff.json)\n",
			c.Old.AsOf, s.FindingsNew, s.FindingsResolved, s.FindingsStillOpen,
			s.AccessGained+s.AccessLost+s.DepthUp+s.DepthDown+s.ScopeMoved, s.UsersWithAccess, s.RoleChanges)
	}
	for _, ws := range rep.Waivers {
		if ws.Expired {
			fmt.Fprintf(ew, "Expired waiver (no longer hides its finding): %s %s, owner %s, expired %s\n", ws.Rule, ws.Subject, ws.Owner, ws.Expires)
		}
	}
	_, err := fmt.Fprintf(ew, "Written to %s: %s\n", x.Dir, strings.Join(x.Files, ", "))
	return err
}

// errWriter keeps the first write error and drops the writes after it, so
// the summary's many Fprintf calls need no error check each.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

// wastedSeats counts the seats of every waste category.
func wastedSeats(l reports.LicenseReview) int64 {
	var n int64
	for _, c := range l.Categories {
		n += c.Seats
	}
	return n
}
