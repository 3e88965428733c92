package pdf

import (
	"fmt"
	"strings"

	"github.com/d365audit/d365audit/diff"
)

// The "Changes since the last run" section of report.pdf, present only when
// the run was compared with a previous one (run --previous). It summarises
// diff.json in a few bounded lists, as diff.WriteText does on a terminal;
// every list stops after maxList rows and refers to diff.json.

const changesTitle = "Changes since the last run"

// changesSection follows the executive summary when rep.Changes is set.
func (d *doc) changesSection() {
	c := d.rep.Changes
	if c == nil {
		return
	}
	d.chapter(changesTitle, changesTitle, 40)
	d.paragraph(fmt.Sprintf("This run of %s as of %s compared with the previous run as of %s. This section summarises "+
		"what changed; diff.json, written beside this report, lists every change.",
		orDash(c.New.Environment), orDash(c.New.AsOf), orDash(c.Old.AsOf)), body)
	d.gap(2)
	// Warnings say why the comparison may mislead: they come first.
	for _, w := range c.Warnings {
		d.note("Warning: "+w+".", small)
	}
	d.keyValues(d.changeFigures(), 40, small)
	d.gap(4)

	d.changedFindings("New findings", "In this run and not in the previous one.", c.Findings.New, "No new finding.")
	d.changedFindings("Resolved findings", "In the previous run and not in this one.", c.Findings.Resolved,
		"No finding was resolved.")
	d.waiverChanges(c)
	d.accessChanges(c)
	d.roleDrift(c)
	d.licenseChanges(c.Licenses)
}

// changeFigures are the section's key figures.
func (d *doc) changeFigures() [][2]string {
	c := d.rep.Changes
	s := c.Summary
	runLine := func(r diff.RunInfo) string {
		parts := []string{"as of " + orDash(r.AsOf)}
		if r.RuleSetVersion != "" {
			parts = append(parts, "rule set "+r.RuleSetVersion)
		}
		if r.ToolVersion != "" {
			parts = append(parts, "d365audit "+r.ToolVersion)
		}
		if r.Dir != "" {
			parts = append(parts, r.Dir)
		}
		return strings.Join(parts, ", ")
	}
	shown := 0
	for _, x := range c.ExpiredWaivers {
		shown += len(x.Matched)
	}
	expired := "none since the previous run"
	if n := s.WaiversExpired; n > 0 {
		expired = fmt.Sprintf("%s %s in force in the previous run %s expired; the %s %s they hid %s open again",
			count(n), plural(n, "waiver", "waivers"), plural(n, "has", "have"), count(shown),
			plural(shown, "finding", "findings"), plural(shown, "is", "are"))
	}
	rows := [][2]string{
		{"Previous run", runLine(c.Old)},
		{"This run", runLine(c.New)},
		{"Findings", fmt.Sprintf("%s new, %s resolved, %s still open (%s newly waived, %s %s lapsed)",
			count(s.FindingsNew), count(s.FindingsResolved), count(s.FindingsStillOpen), count(s.NewlyWaived),
			count(s.WaiverLapsed), plural(s.WaiverLapsed, "waiver", "waivers"))},
		{"Expired waivers", expired},
		{"Users", fmt.Sprintf("%s changed (added, removed, enabled or disabled, moved, roles or teams)", count(s.UsersChanged))},
		{"Access", fmt.Sprintf("%s %s for %s %s: %s gained, %s lost, %s depth up, %s depth down, %s scope moved",
			count(len(c.Access)), plural(len(c.Access), "change", "changes"), count(s.UsersWithAccess),
			plural(s.UsersWithAccess, "user", "users"), count(s.AccessGained), count(s.AccessLost),
			count(s.DepthUp), count(s.DepthDown), count(s.ScopeMoved))},
		{"Roles", fmt.Sprintf("%s %s to role privileges, names or inheritance", count(s.RoleChanges),
			plural(s.RoleChanges, "change", "changes"))},
	}
	l := c.Licenses
	switch {
	case !l.Reviewed:
		rows = append(rows, [2]string{"Licenses", "not compared: " + orDash(l.Note)})
	default:
		rows = append(rows, [2]string{"Licenses", fmt.Sprintf("%s assigned, %s removed; %s %s changed",
			count(s.LicensesAssigned), count(s.LicensesRemoved), count(s.SKUChanges), plural(s.SKUChanges, "SKU", "SKUs"))})
		if l.Priced {
			rows = append(rows, [2]string{"License waste", fmt.Sprintf("%s a month (%s → %s), %s a year (%s → %s)",
				signedMoney(l.Waste.DeltaMonthly, l.Currency), money(l.Waste.OldMonthly, ""), money(l.Waste.NewMonthly, ""),
				signedMoney(l.Waste.DeltaAnnual, l.Currency), money(l.Waste.OldAnnual, ""), money(l.Waste.NewAnnual, ""))})
		} else {
			rows = append(rows, [2]string{"License waste", fmt.Sprintf("%s → %s wasted seats (no price list: counts only)",
				thousands(l.Waste.OldSeats), thousands(l.Waste.NewSeats))})
		}
	}
	return rows
}

// changedFindings lists new or resolved findings.
func (d *doc) changedFindings(title, intro string, fs []diff.FindingRef, none string) {
	d.heading(fmt.Sprintf("%s (%s)", title, count(len(fs))), h2, 1, 20)
	if len(fs) == 0 {
		d.paragraph(none, body)
		d.gap(4)
		return
	}
	d.paragraph(intro, muted)
	d.gap(1)
	shown := firstN(fs, maxList)
	var rows [][]string
	for _, f := range shown {
		msg := f.Message
		if msg == "" {
			msg = orDash(f.SubjectName)
		}
		if f.Waived || f.WasWaived {
			msg += " [waived]"
		}
		rows = append(rows, []string{sevTitle(f.Severity), f.Rule, changeSubject(f), msg})
	}
	d.table(makeColumns("Severity", 0.09, "Rule", 0.3, "Subject", 0.16, "Finding", 0.45), rows)
	d.changesMore(len(fs) - len(shown))
	d.gap(3)
}

// waiverChanges: waivers that expired, and findings still open whose waiver
// or severity changed. Nothing when there are none.
func (d *doc) waiverChanges(c *diff.Diff) {
	var changed []diff.FindingRef
	for _, f := range c.Findings.StillOpen {
		if f.WaiverChange != "" || f.SeverityBefore != "" {
			changed = append(changed, f)
		}
	}
	if len(changed) == 0 && len(c.ExpiredWaivers) == 0 {
		return
	}
	d.heading("Waiver and severity changes", h2, 1, 20)
	if len(c.ExpiredWaivers) > 0 {
		d.paragraph("Waivers in force in the previous run that have expired: the findings they hid (Open) are open again.", muted)
		d.gap(1)
		shown := firstN(c.ExpiredWaivers, maxList)
		var rows [][]string
		for _, x := range shown {
			rows = append(rows, []string{x.Rule, x.Subject, orDash(x.Owner), orDash(x.Expires), count(len(x.Matched))})
		}
		d.table(makeColumns("Rule", 0.3, "~Subject", 0.27, "~Owner", 0.25, "Expired", 0.11, ">Open", 0.07), rows)
		d.changesMore(len(c.ExpiredWaivers) - len(shown))
	}
	if len(changed) > 0 {
		d.paragraph("Findings open in both runs whose waiver or severity changed.", muted)
		d.gap(1)
		shown := firstN(changed, maxList)
		var rows [][]string
		for _, f := range shown {
			what := f.WaiverChange
			if f.SeverityBefore != "" {
				if what != "" {
					what += "; "
				}
				what += "severity was " + f.SeverityBefore
			}
			rows = append(rows, []string{sevTitle(f.Severity), f.Rule, changeSubject(f), what})
		}
		d.table(makeColumns("Severity", 0.09, "Rule", 0.3, "Subject", 0.31, "Change", 0.3), rows)
		d.changesMore(len(changed) - len(shown))
	}
	d.gap(3)
}

// accessGroup is one user's access changes with one cause.
type accessGroup struct {
	first                         diff.AccessChange
	gained, lost, up, down, scope int
}

// accessChanges: the access changes grouped by user and cause, in the
// diff's order (by user).
func (d *doc) accessChanges(c *diff.Diff) {
	s := c.Summary
	d.heading(fmt.Sprintf("Access changes (%s)", count(len(c.Access))), h2, 1, 25)
	if len(c.Access) == 0 {
		d.paragraph("No user's effective access changed.", body)
		d.gap(4)
		return
	}
	var groups []*accessGroup
	index := map[string]*accessGroup{}
	for _, a := range c.Access {
		key := a.UserID + "\x00" + a.Cause.Kind + "\x00" + a.Cause.Detail
		g := index[key]
		if g == nil {
			g = &accessGroup{first: a}
			index[key] = g
			groups = append(groups, g)
		}
		switch a.Change {
		case diff.Gained:
			g.gained++
		case diff.Lost:
			g.lost++
		case diff.DepthUp:
			g.up++
		case diff.DepthDown:
			g.down++
		case diff.ScopeMoved:
			g.scope++
		}
	}
	d.paragraph(fmt.Sprintf("%s %s of effective access for %s %s, one row per user and cause: the first cause that "+
		"accounts for the change (user added or removed, enabled or disabled, business unit, direct role, team "+
		"membership, team roles, role privileges). diff.json lists each table and privilege.",
		count(len(c.Access)), plural(len(c.Access), "change", "changes"), count(s.UsersWithAccess),
		plural(s.UsersWithAccess, "user", "users")), muted)
	d.gap(1)
	shown := firstN(groups, maxList)
	num := func(n int) string {
		if n == 0 {
			return "-"
		}
		return count(n)
	}
	var rows [][]string
	for _, g := range shown {
		a := g.first
		user := a.UserName
		if strings.TrimSpace(user) == "" {
			user = orDash(a.User)
		}
		rows = append(rows, []string{user, causeText(a.Cause), num(g.gained), num(g.lost), num(g.up), num(g.down),
			num(g.scope), accessExample(a)})
	}
	d.table(makeColumns("User", 0.16, "Cause", 0.29, ">Gained", 0.08, ">Lost", 0.06, ">Depth up", 0.07,
		">Depth down", 0.07, ">Scope moved", 0.08, "~Example", 0.19), rows)
	d.changesMore(len(groups) - len(shown))
	d.gap(3)
}

// causeText: "Team membership: joined team Finance Approvers (…)".
func causeText(c diff.Cause) string {
	kind := strings.ReplaceAll(c.Kind, "_", " ")
	if kind != "" {
		kind = strings.ToUpper(kind[:1]) + kind[1:]
	}
	if c.Detail == "" {
		return orDash(kind)
	}
	return kind + ": " + strings.ReplaceAll(c.Detail, " -> ", " → ")
}

// accessExample: "account read: deep → none".
func accessExample(a diff.AccessChange) string {
	what := a.Privilege
	if a.Table != "" {
		what = a.Table + " " + a.Privilege
	}
	return fmt.Sprintf("%s: %s → %s", what, depthText(a.OldDepth), depthText(a.NewDepth))
}

func depthText(depth string) string {
	if depth == "" {
		return "none"
	}
	return depth
}

// roleDrift: what changed in the roles themselves.
func (d *doc) roleDrift(c *diff.Diff) {
	d.heading(fmt.Sprintf("Role drift (%s)", count(len(c.Roles))), h2, 1, 20)
	if len(c.Roles) == 0 {
		d.paragraph("No role changed between the runs.", body)
		d.gap(4)
		return
	}
	d.paragraph("Roles whose privileges, name or inheritance changed between the runs; holders are counted in this run "+
		"(in the previous one for a role deleted).", muted)
	d.gap(1)
	shown := firstN(c.Roles, maxList)
	var rows [][]string
	for _, r := range shown {
		where := "copy in " + orDash(r.BusinessUnit)
		if r.Root {
			where = "root, " + orDash(r.BusinessUnit)
		}
		var what string
		switch r.Change {
		case diff.RoleAdded:
			what = "new role: " + r.Detail
		case diff.RoleRemoved:
			what = "role deleted, had " + r.Detail
		case diff.RoleRenamed, diff.RoleInheritance:
			what = r.Detail
		default:
			what = fmt.Sprintf("%s %s → %s", r.Privilege, depthText(r.OldDepth), depthText(r.NewDepth))
		}
		rows = append(rows, []string{r.Role, where, strings.ReplaceAll(r.Change, "_", " "), what, thousands(r.Holders)})
	}
	d.table(makeColumns("Role", 0.25, "Business unit", 0.17, "Change", 0.13, "What", 0.35, ">Holders", 0.1), rows)
	d.changesMore(len(c.Roles) - len(shown))
	d.gap(3)
}

// licenseChanges: what the license changes did to the waste and the spend.
func (d *doc) licenseChanges(l diff.LicenseChanges) {
	d.heading("License cost effect", h2, 1, 25)
	if !l.Reviewed {
		d.paragraph("Not compared: "+orDash(l.Note), body.with(colMuted))
		d.gap(4)
		return
	}
	assigned, removed := 0, 0
	for _, a := range l.Assignments {
		if a.Change == diff.Assigned {
			assigned++
		} else {
			removed++
		}
	}
	d.paragraph(fmt.Sprintf("%s %s assigned, %s removed; %s subscribed %s changed seats, status or price.",
		count(assigned), plural(assigned, "license", "licenses"), count(removed), count(len(l.SKUs)),
		plural(len(l.SKUs), "SKU", "SKUs")), body)
	if l.Note != "" {
		d.paragraph(l.Note, muted)
	}
	d.gap(1)
	if !l.Priced {
		d.paragraph("No price list in one of the runs: counts only. Wasted seats by category, previous run → this run; "+
			"only the categories that changed.", muted)
		d.gap(1)
		var rows [][]string
		for _, c := range l.WasteByCategory {
			rows = append(rows, []string{c.Category, seatsChange(c.Cost)})
		}
		rows = append(rows, []string{"All wasted seats", seatsChange(l.Waste)})
		d.table(makeColumns("Category", 0.7, ">Seats", 0.3), rows)
	} else {
		cur := orDash(l.Currency)
		d.paragraph("Wasted seats by category, previous run → this run, in "+cur+"; only the categories that changed.", muted)
		d.gap(1)
		var rows [][]string
		row := func(label string, c diff.Cost) []string {
			return []string{label, seatsChange(c),
				money(c.OldMonthly, "") + " → " + money(c.NewMonthly, ""), signedMoney(c.DeltaMonthly, ""),
				money(c.OldAnnual, "") + " → " + money(c.NewAnnual, ""), signedMoney(c.DeltaAnnual, "")}
		}
		for _, c := range l.WasteByCategory {
			rows = append(rows, row(c.Category, c.Cost))
		}
		rows = append(rows, row("All waste", l.Waste), row("Spend (enabled paid seats)", l.Spend))
		d.table(makeColumns("Category", 0.22, ">Seats", 0.1, ">Per month", 0.18, ">Change a month", 0.12,
			">Per year", 0.24, ">Change a year", 0.14), rows)
	}
	d.wasteLineChanges(l)
}

// wasteLineChanges: the wasted seats that appeared, went or changed.
func (d *doc) wasteLineChanges(l diff.LicenseChanges) {
	if len(l.WasteLines) == 0 {
		return
	}
	d.heading("Wasted seats that changed", h3, -1, 15)
	shown := firstN(l.WasteLines, maxList)
	var rows [][]string
	for _, w := range shown {
		who := w.UserName
		if who == "" {
			who = "idle seats"
		}
		change := map[string]string{diff.Added: "now wasted", diff.Removed: "no longer wasted", diff.Changed: "changed"}[w.Change]
		if change == "" {
			change = w.Change
		}
		month := fmt.Sprintf("%d → %d", w.OldSeats, w.NewSeats)
		if l.Priced {
			month = money(w.OldMonthly, "") + " → " + money(w.NewMonthly, "")
		}
		rows = append(rows, []string{change, w.Category, who, w.SKU, w.Reason, month})
	}
	last := "Seats"
	if l.Priced {
		last = "Per month (" + orDash(l.Currency) + ")"
	}
	d.table(makeColumns("Change", 0.12, "Category", 0.12, "User", 0.14, "SKU", 0.26, "Reason", 0.21, ">"+last, 0.15), rows)
	d.changesMore(len(l.WasteLines) - len(shown))
}

func seatsChange(c diff.Cost) string {
	return fmt.Sprintf("%s → %s", thousands(c.OldSeats), thousands(c.NewSeats))
}

// changesMore is the line under a list of changes that was cut short.
func (d *doc) changesMore(n int) {
	if n > 0 {
		d.paragraph(andMore(n, "diff.json"), smallB)
	}
}

// changeSubject names a changed finding's subject.
func changeSubject(f diff.FindingRef) string {
	name := orDash(f.SubjectName)
	switch f.SubjectType {
	case "", "user":
		return name
	}
	return name + " (" + f.SubjectType + ")"
}

// signedMoney writes a change of an amount with its sign: USD +36.00,
// USD -69.00; no change is 0.00.
func signedMoney(v float64, currency string) string {
	abs := v
	if abs < 0 {
		abs = -abs
	}
	s := money(abs, "")
	switch {
	case s == "0.00":
	case v < 0:
		s = "-" + s
	default:
		s = "+" + s
	}
	if currency != "" {
		return currency + " " + s
	}
	return s
}
