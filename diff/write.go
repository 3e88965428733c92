package diff

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WriteJSON writes d as diff.json.
func WriteJSON(w io.Writer, d *Diff) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(d)
}

// textLimit is how many lines WriteText prints per group before it refers
// to diff.json for the rest.
const textLimit = 12

// WriteText writes a summary of d for a terminal.
func WriteText(w io.Writer, d *Diff) error {
	b := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	s := d.Summary

	p("Changes from %s to %s\n", runLine(d.Old), runLine(d.New))
	for _, warn := range d.Warnings {
		p("warning: %s\n", warn)
	}

	p("\nFindings: %d new, %d resolved, %d still open (%d newly waived, %d waiver lapsed)\n",
		s.FindingsNew, s.FindingsResolved, s.FindingsStillOpen, s.NewlyWaived, s.WaiverLapsed)
	for _, f := range d.Findings.New {
		p("  new       %-8s %-28s %s\n", f.Severity, f.Rule, findingText(f))
	}
	for _, f := range d.Findings.Resolved {
		p("  resolved  %-8s %-28s %s\n", f.Severity, f.Rule, findingText(f))
	}
	for _, f := range d.Findings.StillOpen {
		switch {
		case f.WaiverChange != "":
			p("  %-9s %-8s %-28s %s\n", f.WaiverChange, f.Severity, f.Rule, findingText(f))
		case f.SeverityBefore != "":
			p("  %-9s %-8s %-28s %s (was %s)\n", "severity", f.Severity, f.Rule, findingText(f), f.SeverityBefore)
		}
	}
	if len(d.ExpiredWaivers) > 0 {
		p("\nWaivers expired since the previous run: %d\n", len(d.ExpiredWaivers))
		for _, x := range d.ExpiredWaivers {
			p("  %s %s: owner %s, expired %s; now shows %d %s\n", x.Rule, x.Subject, x.Owner, x.Expires,
				len(x.Matched), plural(len(x.Matched), "finding", "findings"))
		}
	}

	if len(d.Users) > 0 {
		p("\nUsers: %d changed\n", len(d.Users))
		for _, u := range d.Users {
			p("  %s: %s\n", userLabel(u.UserName, u.User), strings.Join(userFacts(u), "; "))
		}
	}

	p("\nAccess: %d %s for %d %s (gained %d, lost %d, depth up %d, depth down %d, scope moved %d)\n",
		len(d.Access), plural(len(d.Access), "change", "changes"), s.UsersWithAccess, plural(s.UsersWithAccess, "user", "users"),
		s.AccessGained, s.AccessLost, s.DepthUp, s.DepthDown, s.ScopeMoved)
	for i := 0; i < len(d.Access); {
		j := i
		for j < len(d.Access) && d.Access[j].UserID == d.Access[i].UserID {
			j++
		}
		writeUserAccess(b, d.Access[i:j])
		i = j
	}

	if len(d.Roles) > 0 {
		p("\nRoles: %d %s\n", len(d.Roles), plural(len(d.Roles), "change", "changes"))
		for _, r := range d.Roles {
			p("  %s\n", roleText(r))
		}
	}

	writeLicenses(b, d.Licenses)
	return b.Flush()
}

func runLine(r RunInfo) string {
	return fmt.Sprintf("%s (%s, as of %s)", r.Dir, r.Environment, r.AsOf)
}

func findingText(f FindingRef) string {
	msg := f.Message
	if msg == "" {
		msg = f.SubjectName
	}
	if f.Waived {
		msg += " [waived]"
	}
	return msg
}

func userLabel(name, domain string) string {
	switch {
	case name == "":
		return domain
	case domain == "":
		return name
	}
	return name + " <" + domain + ">"
}

func userFacts(u UserChange) []string {
	var f []string
	if u.Added {
		f = append(f, "new user")
	}
	if u.Removed {
		f = append(f, "no longer in the export")
	}
	if u.State != nil {
		f = append(f, u.State.To)
	}
	if u.AccessMode != nil {
		f = append(f, "access mode "+u.AccessMode.From+" -> "+u.AccessMode.To)
	}
	if u.BusinessUnit != nil {
		f = append(f, "moved from "+u.BusinessUnit.From+" to "+u.BusinessUnit.To)
	}
	for _, r := range u.RolesAdded {
		f = append(f, "role "+r+" assigned")
	}
	for _, r := range u.RolesRemoved {
		f = append(f, "role "+r+" removed")
	}
	for _, t := range u.TeamsJoined {
		f = append(f, "joined "+t)
	}
	for _, t := range u.TeamsLeft {
		f = append(f, "left "+t)
	}
	return f
}

func depthText(d string) string {
	if d == "" {
		return "none"
	}
	return d
}

// writeUserAccess prints one user's access changes grouped by cause.
func writeUserAccess(b *bufio.Writer, changes []AccessChange) {
	first := changes[0]
	fmt.Fprintf(b, "  %s\n", userLabel(first.UserName, first.User))
	type group struct {
		cause Cause
		items []AccessChange
	}
	var groups []*group
	index := map[Cause]*group{}
	for _, a := range changes {
		g := index[a.Cause]
		if g == nil {
			g = &group{cause: a.Cause}
			index[a.Cause] = g
			groups = append(groups, g)
		}
		g.items = append(g.items, a)
	}
	for _, g := range groups {
		fmt.Fprintf(b, "    %s: %s\n", strings.ReplaceAll(g.cause.Kind, "_", " "), g.cause.Detail)
		for k, a := range g.items {
			if k == textLimit {
				fmt.Fprintf(b, "      ... and %d more (see diff.json)\n", len(g.items)-k)
				break
			}
			table := a.Table
			if table == "" {
				table = "(no table)"
			}
			line := fmt.Sprintf("%-11s %-28s %-10s %s -> %s", strings.ReplaceAll(a.Change, "_", " "), table, a.Privilege,
				depthText(a.OldDepth), depthText(a.NewDepth))
			if a.Change == ScopeMoved {
				line += fmt.Sprintf(" (in %s, was %s)", a.NewScope, a.OldScope)
			}
			fmt.Fprintf(b, "      %s\n", strings.TrimRight(line, " "))
		}
	}
}

func roleText(r RoleChange) string {
	where := r.BusinessUnit
	if r.Root {
		where = "root, " + where
	} else {
		where = "copy in " + where
	}
	head := fmt.Sprintf("%s (%s; %d %s)", r.Role, where, r.Holders, plural(int(r.Holders), "holder", "holders"))
	switch r.Change {
	case RoleAdded:
		return head + ": new role, " + r.Detail
	case RoleRemoved:
		return head + ": role deleted, had " + r.Detail
	case RoleRenamed, RoleInheritance:
		return head + ": " + r.Detail
	}
	return fmt.Sprintf("%s: %s %s -> %s (%s)", head, r.Privilege, depthText(r.OldDepth), depthText(r.NewDepth),
		strings.ReplaceAll(r.Change, "_", " "))
}

func writeLicenses(b *bufio.Writer, l LicenseChanges) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	p("\nLicenses:")
	if !l.Reviewed {
		p(" not compared: %s\n", l.Note)
		return
	}
	p(" %d assigned, %d removed; %d %s changed\n", count(l.Assignments, Assigned), count(l.Assignments, Removed),
		len(l.SKUs), plural(len(l.SKUs), "SKU", "SKUs"))
	if l.Note != "" {
		p("  note: %s\n", l.Note)
	}
	for k, a := range l.Assignments {
		if k == textLimit {
			p("  ... and %d more (see diff.json)\n", len(l.Assignments)-k)
			break
		}
		price := ""
		if l.Priced && a.Paid {
			price = fmt.Sprintf(" (%s %.2f a month)", l.Currency, a.MonthlyPrice)
		}
		p("  %-9s %-28s %s%s\n", a.Change, a.SKU, userLabel(a.UserName, a.User), price)
	}
	for _, s := range l.SKUs {
		switch s.Change {
		case Added:
			p("  SKU %s: new subscription, %d enabled, %d consumed\n", s.SKU, s.NewEnabled, s.NewConsumed)
		case Removed:
			p("  SKU %s: subscription gone (had %d enabled, %d consumed)\n", s.SKU, s.OldEnabled, s.OldConsumed)
		default:
			var parts []string
			if s.OldStatus != s.NewStatus {
				parts = append(parts, "status "+s.OldStatus+" -> "+s.NewStatus)
			}
			parts = append(parts, fmt.Sprintf("enabled %d -> %d, consumed %d -> %d, idle %d -> %d",
				s.OldEnabled, s.NewEnabled, s.OldConsumed, s.NewConsumed, s.OldIdle, s.NewIdle))
			if s.OldMonthlyPrice != s.NewMonthlyPrice {
				parts = append(parts, fmt.Sprintf("price %.2f -> %.2f", s.OldMonthlyPrice, s.NewMonthlyPrice))
			}
			p("  SKU %s: %s\n", s.SKU, strings.Join(parts, ", "))
		}
	}
	if !l.Priced {
		p("  Wasted seats: %d -> %d\n", l.Waste.OldSeats, l.Waste.NewSeats)
		return
	}
	p("  Waste: %d -> %d seats; %s\n", l.Waste.OldSeats, l.Waste.NewSeats, costText(l.Currency, l.Waste))
	for _, c := range l.WasteByCategory {
		p("    %-22s %d -> %d seats; %s\n", c.Category+":", c.OldSeats, c.NewSeats, costText(l.Currency, c.Cost))
	}
	for k, w := range l.WasteLines {
		if k == textLimit {
			p("    ... and %d more (see diff.json)\n", len(l.WasteLines)-k)
			break
		}
		who := w.UserName
		if who == "" {
			who = "idle seats"
		}
		switch w.Change {
		case Added:
			p("    + %s, %s, %s: %s (%.2f a month)\n", w.Category, who, w.SKU, w.Reason, w.NewMonthly)
		case Removed:
			p("    - %s, %s, %s: no longer wasted (was %.2f a month)\n", w.Category, who, w.SKU, w.OldMonthly)
		default:
			p("    ~ %s, %s, %s: %d -> %d seats (%.2f -> %.2f a month)\n", w.Category, who, w.SKU, w.OldSeats, w.NewSeats,
				w.OldMonthly, w.NewMonthly)
		}
	}
	p("  Spend (enabled paid seats): %d -> %d seats; %s\n", l.Spend.OldSeats, l.Spend.NewSeats, costText(l.Currency, l.Spend))
}

func costText(currency string, c Cost) string {
	return fmt.Sprintf("%s %.2f -> %.2f a month (%+.2f), %.2f -> %.2f a year (%+.2f)",
		currency, c.OldMonthly, c.NewMonthly, c.DeltaMonthly, c.OldAnnual, c.NewAnnual, c.DeltaAnnual)
}

func count(as []AssignmentChange, change string) int {
	n := 0
	for _, a := range as {
		if a.Change == change {
			n++
		}
	}
	return n
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
