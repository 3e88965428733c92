package xlsx

import (
	"fmt"
	"strings"

	"github.com/d365audit/d365audit/diff"
	"github.com/xuri/excelize/v2"
)

// sheetChanges is the sheet of what changed since the previous run; the
// workbook has it, right after the Summary, only when the Report has
// Changes (run --previous).
const sheetChanges = "Changes since last run"

// changesFactLabel is the Summary's key-fact label for the changes; its value
// links to the sheet.
const changesFactLabel = "Changes since last run"

// changesFact is the Summary's one line on the changes: findings, access,
// and what the license waste did to the cost.
func (wb *workbook) changesFact() string {
	d := wb.rep.Changes
	s := d.Summary
	waste := "licenses not compared"
	switch l := d.Licenses; {
	case l.Reviewed && l.Priced:
		waste = fmt.Sprintf("license waste %s %+.2f a month / %+.2f a year", l.Currency, l.Waste.DeltaMonthly, l.Waste.DeltaAnnual)
	case l.Reviewed:
		waste = fmt.Sprintf("wasted license seats %+d (no prices)", l.Waste.NewSeats-l.Waste.OldSeats)
	}
	return fmt.Sprintf("Changes since the run of %s: %d new / %d resolved findings, %s for %s; %s (sheet %s)",
		d.Old.AsOf, s.FindingsNew, s.FindingsResolved, plural(len(d.Access), "access change"),
		plural(s.UsersWithAccess, "user"), waste, sheetChanges)
}

// changesSheet: the two runs, the counts, then one small table per kind of
// change. The access changes can run to millions of rows: they are
// streamed, and cut where the sheet would overflow, with a row that says
// how many more diff.json holds. Free-form, like Licenses: no autofilter.
func (wb *workbook) changesSheet() *sheetSpec {
	d, st := wb.rep.Changes, wb.st
	return &sheetSpec{
		name: sheetChanges,
		columns: []column{{"", 34}, {"", 26}, {"", 26}, {"", 44}, {"", 14}, {"", 12}, {"", 12}, {"", 20}, {"", 20},
			{"", 16}, {"", 60}, {"", 12}, {"", 12}, {"", 14}},
		write: func(emit emitRow) error {
			pre, post := wb.changesBefore(d), wb.changesAfter(d)
			for _, cells := range pre {
				if err := emit(cells...); err != nil {
					return err
				}
			}
			// The access changes get the rows the other sections leave.
			budget := len(d.Access)
			if len(pre)+len(d.Access)+len(post) > wb.opts.MaxSheetRows {
				budget = max(0, wb.opts.MaxSheetRows-len(pre)-len(post)-1)
			}
			for i, a := range d.Access {
				if i == budget {
					if err := emit(text(fmt.Sprintf("… %s more, see diff.json", countText(int64(len(d.Access)-i))),
						st.bold)); err != nil {
						return err
					}
					break
				}
				if err := emit(text(a.User, 0), text(a.UserName, 0), text(a.Table, 0), text(a.Privilege, 0),
					text(words(a.Change), 0), wb.changeDepth(a.OldDepth), wb.changeDepth(a.NewDepth),
					text(a.OldScope, 0), text(a.NewScope, 0), text(words(a.Cause.Kind), 0),
					text(a.Cause.Detail, 0)); err != nil {
					return err
				}
			}
			if len(d.Access) == 0 {
				if err := emit(text("No access changed.", st.note)); err != nil {
					return err
				}
			}
			for _, cells := range post {
				if err := emit(cells...); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

// changesBefore: the rows above the access changes' data rows.
func (wb *workbook) changesBefore(d *diff.Diff) [][]excelize.Cell {
	st, s := wb.st, d.Summary
	rows := [][]excelize.Cell{
		{text("Changes since last run", st.title)},
		{text("What changed between the previous run and this one, compared from the findings.json and audit.duckdb "+
			"of both; diff.json holds the same, in full.", st.note)},
		{},
		wb.headerCells([]string{"Run", "Directory", "Environment", "As of", "Generated at", "Tool version", "Rule set"}),
	}
	for _, r := range []struct {
		label string
		run   diff.RunInfo
	}{{"Previous run", d.Old}, {"This run", d.New}} {
		rows = append(rows, []excelize.Cell{text(r.label, st.label), text(r.run.Dir, 0), text(r.run.Environment, 0),
			text(r.run.AsOf, 0), text(r.run.GeneratedAt, 0), text(r.run.ToolVersion, 0), text(r.run.RuleSetVersion, 0)})
	}
	for _, w := range d.Warnings {
		rows = append(rows, []excelize.Cell{text("Warning: "+w, st.bold)})
	}

	rows = append(rows, wb.section("Summary", 0, "", "Change", "Count")...)
	for _, c := range []struct {
		label string
		n     int
	}{
		{"New findings", s.FindingsNew}, {"Resolved findings", s.FindingsResolved},
		{"Findings still open", s.FindingsStillOpen}, {"Newly waived", s.NewlyWaived}, {"Waiver lapsed", s.WaiverLapsed},
		{"Waivers expired", s.WaiversExpired}, {"Users changed", s.UsersChanged},
		{"Access changes", len(d.Access)}, {"Users with access changes", s.UsersWithAccess},
		{"Access gained", s.AccessGained}, {"Access lost", s.AccessLost}, {"Depth up", s.DepthUp},
		{"Depth down", s.DepthDown}, {"Scope moved", s.ScopeMoved}, {"Access changes of unknown cause", s.AccessCausesOther},
		{"Role changes", s.RoleChanges}, {"Licenses assigned", s.LicensesAssigned},
		{"Licenses removed", s.LicensesRemoved}, {"SKU changes", s.SKUChanges},
	} {
		rows = append(rows, []excelize.Cell{text(c.label, 0), num(c.n, 0)})
	}

	findings := func(title string, fs []diff.FindingRef, extra string) {
		head := []string{"Rule", "Severity", "Subject", "Message", "Fingerprint"}
		if extra != "" {
			head = append(head, extra)
		}
		rows = append(rows, wb.section(fmt.Sprintf("%s (%d)", title, len(fs)), len(fs), "None.", head...)...)
		for _, f := range fs {
			row := []excelize.Cell{text(f.Rule, 0), text(f.Severity, st.severity[f.Severity]), text(f.SubjectName, 0),
				text(f.Message, 0), text(f.Fingerprint, 0)}
			if extra != "" {
				change := f.WaiverChange
				if f.SeverityBefore != "" {
					change = strings.TrimPrefix(change+"; severity was "+f.SeverityBefore, "; ")
				}
				row = append(row, text(change, 0))
			}
			rows = append(rows, row)
		}
	}
	findings("New findings", d.Findings.New, "")
	findings("Resolved findings", d.Findings.Resolved, "")
	var changed []diff.FindingRef
	for _, f := range d.Findings.StillOpen {
		if f.WaiverChange != "" || f.SeverityBefore != "" {
			changed = append(changed, f)
		}
	}
	findings("Still open, waiver or severity changed", changed, "Change")

	rows = append(rows, wb.section(fmt.Sprintf("Waivers expired since the previous run (%d)", len(d.ExpiredWaivers)),
		len(d.ExpiredWaivers), "None.", "Rule", "Subject", "Owner", "Reason", "Expires", "Findings shown again", "Fingerprints")...)
	for _, x := range d.ExpiredWaivers {
		rows = append(rows, []excelize.Cell{text(x.Rule, 0), text(x.Subject, 0), text(x.Owner, 0), text(x.Reason, 0),
			text(x.Expires, 0), num(len(x.Matched), 0), text(strings.Join(x.Matched, " "), 0)})
	}

	return append(rows, wb.section(fmt.Sprintf("Access changes (%s for %s)", countText(int64(len(d.Access))),
		plural(s.UsersWithAccess, "user")), 0, "", "User", "Name", "Table", "Privilege", "Change", "Old depth", "New depth",
		"Old scope", "New scope", "Cause", "Cause detail")...)
}

// changesAfter: the role and license changes, below the access changes.
func (wb *workbook) changesAfter(d *diff.Diff) [][]excelize.Cell {
	st, l := wb.st, d.Licenses
	rows := wb.section(fmt.Sprintf("Role changes (%d)", len(d.Roles)), len(d.Roles), "None.", "Role", "Business unit",
		"Root or copy", "Privilege", "Change", "Old depth", "New depth", "Holders", "Detail")
	for _, r := range d.Roles {
		kind := "copy"
		if r.Root {
			kind = "root"
		}
		rows = append(rows, []excelize.Cell{text(r.Role, 0), text(r.BusinessUnit, 0), text(kind, 0),
			text(r.Privilege, 0), text(words(r.Change), 0), wb.changeDepth(r.OldDepth), wb.changeDepth(r.NewDepth),
			num(r.Holders, 0), text(r.Detail, 0)})
	}

	rows = append(rows, []excelize.Cell{}, []excelize.Cell{text("Licenses", st.section)})
	if !l.Reviewed {
		return append(rows, []excelize.Cell{text("Not compared: "+l.Note+".", st.note)})
	}
	if l.Note != "" {
		rows = append(rows, []excelize.Cell{text("Note: "+l.Note+".", st.note)})
	}
	if l.Priced && l.Currency != "" {
		rows = append(rows, []excelize.Cell{text("Prices in "+l.Currency+", from the price lists.", st.note)})
	}
	money := func(v float64, style int) excelize.Cell {
		if !l.Priced {
			return excelize.Cell{}
		}
		if style == 0 {
			style = st.money
		}
		return num(v, style)
	}

	rows = append(rows, wb.section(fmt.Sprintf("License assignments added or removed (%d)", len(l.Assignments)),
		len(l.Assignments), "None.", "User", "Name", "SKU", "Product", "Change", "Paid", "Per month")...)
	for _, a := range l.Assignments {
		rows = append(rows, []excelize.Cell{text(a.User, 0), text(a.UserName, 0), text(a.SKU, 0), text(a.Product, 0),
			text(a.Change, 0), text(yesNo(a.Paid), 0), money(a.MonthlyPrice, 0)})
	}

	rows = append(rows, wb.section(fmt.Sprintf("SKU changes (%d)", len(l.SKUs)), len(l.SKUs), "None.", "SKU", "Product",
		"Change", "Old status", "New status", "Old enabled", "New enabled", "Old consumed", "New consumed", "Old idle",
		"New idle", "Old price", "New price", "Spend delta per month")...)
	for _, s := range l.SKUs {
		rows = append(rows, []excelize.Cell{text(s.SKU, 0), text(s.Product, 0), text(s.Change, 0),
			text(s.OldStatus, 0), text(s.NewStatus, 0), num(s.OldEnabled, 0), num(s.NewEnabled, 0),
			num(s.OldConsumed, 0), num(s.NewConsumed, 0), num(s.OldIdle, 0), num(s.NewIdle, 0),
			money(s.OldMonthlyPrice, 0), money(s.NewMonthlyPrice, 0), money(s.SpendDeltaMonthly, 0)})
	}

	rows = append(rows, wb.section("License waste by category", len(l.WasteByCategory), "No category changed.", "Category",
		"Old seats", "New seats", "Old per month", "New per month", "Delta per month", "Old per year", "New per year",
		"Delta per year")...)
	cost := func(label string, c diff.Cost, style, moneyStyle int) []excelize.Cell {
		return []excelize.Cell{text(label, style), num(c.OldSeats, style), num(c.NewSeats, style),
			money(c.OldMonthly, moneyStyle), money(c.NewMonthly, moneyStyle), money(c.DeltaMonthly, moneyStyle),
			money(c.OldAnnual, moneyStyle), money(c.NewAnnual, moneyStyle), money(c.DeltaAnnual, moneyStyle)}
	}
	for _, c := range l.WasteByCategory {
		rows = append(rows, cost(c.Category, c.Cost, 0, 0))
	}
	rows = append(rows, cost("Total waste", l.Waste, st.bold, st.moneyBold),
		cost("Spend (enabled paid seats)", l.Spend, st.bold, st.moneyBold))

	rows = append(rows, wb.section(fmt.Sprintf("Waste lines that changed (%d)", len(l.WasteLines)), len(l.WasteLines),
		"None.", "Category", "User", "SKU", "Reason", "Change", "Old seats", "New seats", "Old per month", "New per month")...)
	for _, w := range l.WasteLines {
		who := w.UserName
		if who == "" {
			who = "idle seats"
		}
		rows = append(rows, []excelize.Cell{text(w.Category, 0), text(who, 0), text(w.SKU, 0), text(w.Reason, 0),
			text(w.Change, 0), num(w.OldSeats, 0), num(w.NewSeats, 0), money(w.OldMonthly, 0), money(w.NewMonthly, 0)})
	}
	return rows
}

// changeDepth is a depth of the diff: its symbol, or "none" for no access.
func (wb *workbook) changeDepth(depth string) excelize.Cell {
	if depth == "" {
		return text("none", wb.st.center)
	}
	return wb.depthCell(depth)
}

// words turns a diff code ("depth_up", "user_state") into words.
func words(code string) string { return strings.ReplaceAll(code, "_", " ") }
