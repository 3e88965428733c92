package pdf

import (
	"fmt"
	"strings"

	"github.com/d365audit/d365audit/diff"
)

// The "Changes since the last run" section of report.pdf, present only when
// the run was compared with a previous one (run --previous). It summarises
// diff.json in a few bounded lists, as diff.WriteText does on a terminal;
// every list stops after pdfMaxList rows and refers to diff.json.

const pdfChangesTitle = "Changes since the last run"

// changesSection follows the executive summary when rep.Changes is set.
func (d *pdfDoc) changesSection() {
	c := d.rep.Changes
	if c == nil {
		return
	}
	d.running = pdfChangesTitle
	d.pdf.AddPage()
	d.heading(pdfChangesTitle, pdfH1, 0, 40)
	d.paragraph(fmt.Sprintf("This run of %s as of %s compared with the previous run as of %s. This section summarises "+
		"what changed; diff.json, written beside this report, lists every change.",
		pdfOrDash(c.New.Environment), pdfOrDash(c.New.AsOf), pdfOrDash(c.Old.AsOf)), pdfBody)
	d.gap(2)
	// Warnings say why the comparison may mislead: they come first.
	for _, w := range c.Warnings {
		d.note("Warning: "+w+".", pdfSmall)
	}
	d.keyValues(d.changeFigures(), 40, pdfSmall)
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
func (d *pdfDoc) changeFigures() [][2]string {
	c := d.rep.Changes
	s := c.Summary
	runLine := func(r diff.RunInfo) string {
		parts := []string{"as of " + pdfOrDash(r.AsOf)}
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
			pdfCount(n), pdfPlural(n, "waiver", "waivers"), pdfPlural(n, "has", "have"), pdfCount(shown),
			pdfPlural(shown, "finding", "findings"), pdfPlural(shown, "is", "are"))
	}
	rows := [][2]string{
		{"Previous run", runLine(c.Old)},
		{"This run", runLine(c.New)},
		{"Findings", fmt.Sprintf("%s new, %s resolved, %s still open (%s newly waived, %s %s lapsed)",
			pdfCount(s.FindingsNew), pdfCount(s.FindingsResolved), pdfCount(s.FindingsStillOpen), pdfCount(s.NewlyWaived),
			pdfCount(s.WaiverLapsed), pdfPlural(s.WaiverLapsed, "waiver", "waivers"))},
		{"Expired waivers", expired},
		{"Users", fmt.Sprintf("%s changed (added, removed, enabled or disabled, moved, roles or teams)", pdfCount(s.UsersChanged))},
		{"Access", fmt.Sprintf("%s %s for %s %s: %s gained, %s lost, %s depth up, %s depth down, %s scope moved",
			pdfCount(len(c.Access)), pdfPlural(len(c.Access), "change", "changes"), pdfCount(s.UsersWithAccess),
			pdfPlural(s.UsersWithAccess, "user", "users"), pdfCount(s.AccessGained), pdfCount(s.AccessLost),
			pdfCount(s.DepthUp), pdfCount(s.DepthDown), pdfCount(s.ScopeMoved))},
		{"Roles", fmt.Sprintf("%s %s to role privileges, names or inheritance", pdfCount(s.RoleChanges),
			pdfPlural(s.RoleChanges, "change", "changes"))},
	}
	l := c.Licenses
	switch {
	case !l.Reviewed:
		rows = append(rows, [2]string{"Licenses", "not compared: " + pdfOrDash(l.Note)})
	default:
		rows = append(rows, [2]string{"Licenses", fmt.Sprintf("%s assigned, %s removed; %s %s changed",
			pdfCount(s.LicensesAssigned), pdfCount(s.LicensesRemoved), pdfCount(s.SKUChanges), pdfPlural(s.SKUChanges, "SKU", "SKUs"))})
		if l.Priced {
			rows = append(rows, [2]string{"License waste", fmt.Sprintf("%s a month (%s → %s), %s a year (%s → %s)",
				pdfSignedMoney(l.Waste.DeltaMonthly, l.Currency), pdfMoney(l.Waste.OldMonthly, ""), pdfMoney(l.Waste.NewMonthly, ""),
				pdfSignedMoney(l.Waste.DeltaAnnual, l.Currency), pdfMoney(l.Waste.OldAnnual, ""), pdfMoney(l.Waste.NewAnnual, ""))})
		} else {
			rows = append(rows, [2]string{"License waste", fmt.Sprintf("%s → %s wasted seats (no price list: counts only)",
				pdfThousands(l.Waste.OldSeats), pdfThousands(l.Waste.NewSeats))})
		}
	}
	return rows
}

// changedFindings lists new or resolved findings.
func (d *pdfDoc) changedFindings(title, intro string, fs []diff.FindingRef, none string) {
	d.heading(fmt.Sprintf("%s (%s)", title, pdfCount(len(fs))), pdfH2, 1, 20)
	if len(fs) == 0 {
		d.paragraph(none, pdfBody)
		d.gap(4)
		return
	}
	d.paragraph(intro, pdfMuted)
	d.gap(1)
	shown := fs
	if len(shown) > pdfMaxList {
		shown = shown[:pdfMaxList]
	}
	var rows [][]string
	for _, f := range shown {
		msg := f.Message
		if msg == "" {
			msg = pdfOrDash(f.SubjectName)
		}
		if f.Waived || f.WasWaived {
			msg += " [waived]"
		}
		rows = append(rows, []string{pdfSevTitle(f.Severity), f.Rule, pdfChangeSubject(f), msg})
	}
	d.table(pdfCols("Severity", 0.09, "Rule", 0.3, "Subject", 0.16, "Finding", 0.45), rows)
	d.changesMore(len(fs) - len(shown))
	d.gap(3)
}

// waiverChanges: waivers that expired, and findings still open whose waiver
// or severity changed. Nothing when there are none.
func (d *pdfDoc) waiverChanges(c *diff.Diff) {
	var changed []diff.FindingRef
	for _, f := range c.Findings.StillOpen {
		if f.WaiverChange != "" || f.SeverityBefore != "" {
			changed = append(changed, f)
		}
	}
	if len(changed) == 0 && len(c.ExpiredWaivers) == 0 {
		return
	}
	d.heading("Waiver and severity changes", pdfH2, 1, 20)
	if len(c.ExpiredWaivers) > 0 {
		d.paragraph("Waivers in force in the previous run that have expired: the findings they hid (Open) are open again.", pdfMuted)
		d.gap(1)
		shown := c.ExpiredWaivers
		if len(shown) > pdfMaxList {
			shown = shown[:pdfMaxList]
		}
		var rows [][]string
		for _, x := range shown {
			rows = append(rows, []string{x.Rule, x.Subject, pdfOrDash(x.Owner), pdfOrDash(x.Expires), pdfCount(len(x.Matched))})
		}
		d.table(pdfCols("Rule", 0.3, "~Subject", 0.27, "~Owner", 0.25, "Expired", 0.11, ">Open", 0.07), rows)
		d.changesMore(len(c.ExpiredWaivers) - len(shown))
	}
	if len(changed) > 0 {
		d.paragraph("Findings open in both runs whose waiver or severity changed.", pdfMuted)
		d.gap(1)
		shown := changed
		if len(shown) > pdfMaxList {
			shown = shown[:pdfMaxList]
		}
		var rows [][]string
		for _, f := range shown {
			what := f.WaiverChange
			if f.SeverityBefore != "" {
				if what != "" {
					what += "; "
				}
				what += "severity was " + f.SeverityBefore
			}
			rows = append(rows, []string{pdfSevTitle(f.Severity), f.Rule, pdfChangeSubject(f), what})
		}
		d.table(pdfCols("Severity", 0.09, "Rule", 0.3, "Subject", 0.31, "Change", 0.3), rows)
		d.changesMore(len(changed) - len(shown))
	}
	d.gap(3)
}

// pdfAccessGroup is one user's access changes with one cause.
type pdfAccessGroup struct {
	first                         diff.AccessChange
	gained, lost, up, down, scope int
}

// accessChanges: the access changes grouped by user and cause, in the
// diff's order (by user).
func (d *pdfDoc) accessChanges(c *diff.Diff) {
	s := c.Summary
	d.heading(fmt.Sprintf("Access changes (%s)", pdfCount(len(c.Access))), pdfH2, 1, 25)
	if len(c.Access) == 0 {
		d.paragraph("No user's effective access changed.", pdfBody)
		d.gap(4)
		return
	}
	var groups []*pdfAccessGroup
	index := map[string]*pdfAccessGroup{}
	for _, a := range c.Access {
		key := a.UserID + "\x00" + a.Cause.Kind + "\x00" + a.Cause.Detail
		g := index[key]
		if g == nil {
			g = &pdfAccessGroup{first: a}
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
		pdfCount(len(c.Access)), pdfPlural(len(c.Access), "change", "changes"), pdfCount(s.UsersWithAccess),
		pdfPlural(s.UsersWithAccess, "user", "users")), pdfMuted)
	d.gap(1)
	shown := groups
	if len(shown) > pdfMaxList {
		shown = shown[:pdfMaxList]
	}
	num := func(n int) string {
		if n == 0 {
			return "-"
		}
		return pdfCount(n)
	}
	var rows [][]string
	for _, g := range shown {
		a := g.first
		user := a.UserName
		if strings.TrimSpace(user) == "" {
			user = pdfOrDash(a.User)
		}
		rows = append(rows, []string{user, pdfCauseText(a.Cause), num(g.gained), num(g.lost), num(g.up), num(g.down),
			num(g.scope), pdfAccessExample(a)})
	}
	d.table(pdfCols("User", 0.16, "Cause", 0.29, ">Gained", 0.08, ">Lost", 0.06, ">Depth up", 0.07,
		">Depth down", 0.07, ">Scope moved", 0.08, "~Example", 0.19), rows)
	d.changesMore(len(groups) - len(shown))
	d.gap(3)
}

// pdfCauseText: "Team membership: joined team Finance Approvers (…)".
func pdfCauseText(c diff.Cause) string {
	kind := strings.ReplaceAll(c.Kind, "_", " ")
	if kind != "" {
		kind = strings.ToUpper(kind[:1]) + kind[1:]
	}
	if c.Detail == "" {
		return pdfOrDash(kind)
	}
	return kind + ": " + strings.ReplaceAll(c.Detail, " -> ", " → ")
}

// pdfAccessExample: "account read: deep → none".
func pdfAccessExample(a diff.AccessChange) string {
	what := a.Privilege
	if a.Table != "" {
		what = a.Table + " " + a.Privilege
	}
	return fmt.Sprintf("%s: %s → %s", what, pdfDepthText(a.OldDepth), pdfDepthText(a.NewDepth))
}

func pdfDepthText(depth string) string {
	if depth == "" {
		return "none"
	}
	return depth
}

// roleDrift: what changed in the roles themselves.
func (d *pdfDoc) roleDrift(c *diff.Diff) {
	d.heading(fmt.Sprintf("Role drift (%s)", pdfCount(len(c.Roles))), pdfH2, 1, 20)
	if len(c.Roles) == 0 {
		d.paragraph("No role changed between the runs.", pdfBody)
		d.gap(4)
		return
	}
	d.paragraph("Roles whose privileges, name or inheritance changed between the runs; holders are counted in this run "+
		"(in the previous one for a role deleted).", pdfMuted)
	d.gap(1)
	shown := c.Roles
	if len(shown) > pdfMaxList {
		shown = shown[:pdfMaxList]
	}
	var rows [][]string
	for _, r := range shown {
		where := "copy in " + pdfOrDash(r.BusinessUnit)
		if r.Root {
			where = "root, " + pdfOrDash(r.BusinessUnit)
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
			what = fmt.Sprintf("%s %s → %s", r.Privilege, pdfDepthText(r.OldDepth), pdfDepthText(r.NewDepth))
		}
		rows = append(rows, []string{r.Role, where, strings.ReplaceAll(r.Change, "_", " "), what, pdfThousands(r.Holders)})
	}
	d.table(pdfCols("Role", 0.25, "Business unit", 0.17, "Change", 0.13, "What", 0.35, ">Holders", 0.1), rows)
	d.changesMore(len(c.Roles) - len(shown))
	d.gap(3)
}

// licenseChanges: what the license changes did to the waste and the spend.
func (d *pdfDoc) licenseChanges(l diff.LicenseChanges) {
	d.heading("License cost effect", pdfH2, 1, 25)
	if !l.Reviewed {
		d.paragraph("Not compared: "+pdfOrDash(l.Note), pdfBody.with(pdfColMuted))
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
		pdfCount(assigned), pdfPlural(assigned, "license", "licenses"), pdfCount(removed), pdfCount(len(l.SKUs)),
		pdfPlural(len(l.SKUs), "SKU", "SKUs")), pdfBody)
	if l.Note != "" {
		d.paragraph(l.Note, pdfMuted)
	}
	d.gap(1)
	if !l.Priced {
		d.paragraph("No price list in one of the runs: counts only. Wasted seats by category, previous run → this run; "+
			"only the categories that changed.", pdfMuted)
		d.gap(1)
		var rows [][]string
		for _, c := range l.WasteByCategory {
			rows = append(rows, []string{c.Category, pdfSeatsChange(c.Cost)})
		}
		rows = append(rows, []string{"All wasted seats", pdfSeatsChange(l.Waste)})
		d.table(pdfCols("Category", 0.7, ">Seats", 0.3), rows)
	} else {
		cur := pdfOrDash(l.Currency)
		d.paragraph("Wasted seats by category, previous run → this run, in "+cur+"; only the categories that changed.", pdfMuted)
		d.gap(1)
		var rows [][]string
		row := func(label string, c diff.Cost) []string {
			return []string{label, pdfSeatsChange(c),
				pdfMoney(c.OldMonthly, "") + " → " + pdfMoney(c.NewMonthly, ""), pdfSignedMoney(c.DeltaMonthly, ""),
				pdfMoney(c.OldAnnual, "") + " → " + pdfMoney(c.NewAnnual, ""), pdfSignedMoney(c.DeltaAnnual, "")}
		}
		for _, c := range l.WasteByCategory {
			rows = append(rows, row(c.Category, c.Cost))
		}
		rows = append(rows, row("All waste", l.Waste), row("Spend (enabled paid seats)", l.Spend))
		d.table(pdfCols("Category", 0.22, ">Seats", 0.1, ">Per month", 0.18, ">Change a month", 0.12,
			">Per year", 0.24, ">Change a year", 0.14), rows)
	}
	d.wasteLineChanges(l)
}

// wasteLineChanges: the wasted seats that appeared, went or changed.
func (d *pdfDoc) wasteLineChanges(l diff.LicenseChanges) {
	if len(l.WasteLines) == 0 {
		return
	}
	d.heading("Wasted seats that changed", pdfH3, -1, 15)
	shown := l.WasteLines
	if len(shown) > pdfMaxList {
		shown = shown[:pdfMaxList]
	}
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
			month = pdfMoney(w.OldMonthly, "") + " → " + pdfMoney(w.NewMonthly, "")
		}
		rows = append(rows, []string{change, w.Category, who, w.SKU, w.Reason, month})
	}
	last := "Seats"
	if l.Priced {
		last = "Per month (" + pdfOrDash(l.Currency) + ")"
	}
	d.table(pdfCols("Change", 0.12, "Category", 0.12, "User", 0.14, "SKU", 0.26, "Reason", 0.21, ">"+last, 0.15), rows)
	d.changesMore(len(l.WasteLines) - len(shown))
}

func pdfSeatsChange(c diff.Cost) string {
	return fmt.Sprintf("%s → %s", pdfThousands(c.OldSeats), pdfThousands(c.NewSeats))
}

// changesMore is the line under a list of changes that was cut short.
func (d *pdfDoc) changesMore(n int) {
	if n > 0 {
		d.paragraph(pdfAndMore(n, "diff.json"), pdfSmallB)
	}
}

// pdfChangeSubject names a changed finding's subject.
func pdfChangeSubject(f diff.FindingRef) string {
	name := pdfOrDash(f.SubjectName)
	switch f.SubjectType {
	case "", "user":
		return name
	}
	return name + " (" + f.SubjectType + ")"
}

// pdfSignedMoney writes a change of an amount with its sign: USD +36.00,
// USD -69.00; no change is 0.00.
func pdfSignedMoney(v float64, currency string) string {
	abs := v
	if abs < 0 {
		abs = -abs
	}
	s := pdfMoney(abs, "")
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
