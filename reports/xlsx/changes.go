package xlsx

import (
	"fmt"
	"strings"

	"github.com/d365audit/d365audit/diff"
	"github.com/xuri/excelize/v2"
)

// xlChanges is the sheet of what changed since the previous run; the
// workbook has it, right after the Summary, only when the Report has
// Changes (run --previous).
const xlChanges = "Changes since last run"

// xlChangesFact is the Summary's key-fact label for the changes; its value
// links to the sheet.
const xlChangesFact = "Changes since last run"

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
		d.Old.AsOf, s.FindingsNew, s.FindingsResolved, xlPlural(len(d.Access), "access change"),
		xlPlural(s.UsersWithAccess, "user"), waste, xlChanges)
}

// changesSheet: the two runs, the counts, then one small table per kind of
// change. The access changes can run to millions of rows: they are
// streamed, and cut where the sheet would overflow, with a row that says
// how many more diff.json holds. Free-form, like Licenses: no autofilter.
func (wb *workbook) changesSheet() *xlSheet {
	d, st := wb.rep.Changes, wb.st
	return &xlSheet{
		name: xlChanges,
		columns: []xlColumn{{"", 34}, {"", 26}, {"", 26}, {"", 44}, {"", 14}, {"", 12}, {"", 12}, {"", 20}, {"", 20},
			{"", 16}, {"", 60}, {"", 12}, {"", 12}, {"", 14}},
		write: func(emit xlEmit) error {
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
					if err := emit(xlText(fmt.Sprintf("… %s more, see diff.json", xlCount(int64(len(d.Access)-i))),
						st.bold)); err != nil {
						return err
					}
					break
				}
				if err := emit(xlText(a.User, 0), xlText(a.UserName, 0), xlText(a.Table, 0), xlText(a.Privilege, 0),
					xlText(xlWords(a.Change), 0), wb.changeDepth(a.OldDepth), wb.changeDepth(a.NewDepth),
					xlText(a.OldScope, 0), xlText(a.NewScope, 0), xlText(xlWords(a.Cause.Kind), 0),
					xlText(a.Cause.Detail, 0)); err != nil {
					return err
				}
			}
			if len(d.Access) == 0 {
				if err := emit(xlText("No access changed.", st.note)); err != nil {
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
		{xlText("Changes since last run", st.title)},
		{xlText("What changed between the previous run and this one, compared from the findings.json and audit.duckdb "+
			"of both; diff.json holds the same, in full.", st.note)},
		{},
		wb.headerCells([]string{"Run", "Directory", "Environment", "As of", "Generated at", "Tool version", "Rule set"}),
	}
	for _, r := range []struct {
		label string
		run   diff.RunInfo
	}{{"Previous run", d.Old}, {"This run", d.New}} {
		rows = append(rows, []excelize.Cell{xlText(r.label, st.label), xlText(r.run.Dir, 0), xlText(r.run.Environment, 0),
			xlText(r.run.AsOf, 0), xlText(r.run.GeneratedAt, 0), xlText(r.run.ToolVersion, 0), xlText(r.run.RuleSetVersion, 0)})
	}
	for _, w := range d.Warnings {
		rows = append(rows, []excelize.Cell{xlText("Warning: "+w, st.bold)})
	}

	rows = append(rows, []excelize.Cell{}, []excelize.Cell{xlText("Summary", st.section)},
		wb.headerCells([]string{"Change", "Count"}))
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
		rows = append(rows, []excelize.Cell{xlText(c.label, 0), xlNum(c.n, 0)})
	}

	findings := func(title string, fs []diff.FindingRef, extra string) {
		head := []string{"Rule", "Severity", "Subject", "Message", "Fingerprint"}
		if extra != "" {
			head = append(head, extra)
		}
		rows = append(rows, []excelize.Cell{}, []excelize.Cell{xlText(fmt.Sprintf("%s (%d)", title, len(fs)), st.section)},
			wb.headerCells(head))
		if len(fs) == 0 {
			rows = append(rows, []excelize.Cell{xlText("None.", st.note)})
		}
		for _, f := range fs {
			row := []excelize.Cell{xlText(f.Rule, 0), xlText(f.Severity, st.severity[f.Severity]), xlText(f.SubjectName, 0),
				xlText(f.Message, 0), xlText(f.Fingerprint, 0)}
			if extra != "" {
				change := f.WaiverChange
				if f.SeverityBefore != "" {
					change = strings.TrimPrefix(change+"; severity was "+f.SeverityBefore, "; ")
				}
				row = append(row, xlText(change, 0))
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

	rows = append(rows, []excelize.Cell{}, []excelize.Cell{xlText(fmt.Sprintf("Waivers expired since the previous run (%d)",
		len(d.ExpiredWaivers)), st.section)},
		wb.headerCells([]string{"Rule", "Subject", "Owner", "Reason", "Expires", "Findings shown again", "Fingerprints"}))
	if len(d.ExpiredWaivers) == 0 {
		rows = append(rows, []excelize.Cell{xlText("None.", st.note)})
	}
	for _, x := range d.ExpiredWaivers {
		rows = append(rows, []excelize.Cell{xlText(x.Rule, 0), xlText(x.Subject, 0), xlText(x.Owner, 0), xlText(x.Reason, 0),
			xlText(x.Expires, 0), xlNum(len(x.Matched), 0), xlText(strings.Join(x.Matched, " "), 0)})
	}

	rows = append(rows, []excelize.Cell{}, []excelize.Cell{xlText(fmt.Sprintf("Access changes (%s for %s)",
		xlCount(int64(len(d.Access))), xlPlural(s.UsersWithAccess, "user")), st.section)},
		wb.headerCells([]string{"User", "Name", "Table", "Privilege", "Change", "Old depth", "New depth", "Old scope",
			"New scope", "Cause", "Cause detail"}))
	return rows
}

// changesAfter: the role and license changes, below the access changes.
func (wb *workbook) changesAfter(d *diff.Diff) [][]excelize.Cell {
	st, l := wb.st, d.Licenses
	rows := [][]excelize.Cell{{}, {xlText(fmt.Sprintf("Role changes (%d)", len(d.Roles)), st.section)},
		wb.headerCells([]string{"Role", "Business unit", "Root or copy", "Privilege", "Change", "Old depth", "New depth",
			"Holders", "Detail"})}
	if len(d.Roles) == 0 {
		rows = append(rows, []excelize.Cell{xlText("None.", st.note)})
	}
	for _, r := range d.Roles {
		kind := "copy"
		if r.Root {
			kind = "root"
		}
		rows = append(rows, []excelize.Cell{xlText(r.Role, 0), xlText(r.BusinessUnit, 0), xlText(kind, 0),
			xlText(r.Privilege, 0), xlText(xlWords(r.Change), 0), wb.changeDepth(r.OldDepth), wb.changeDepth(r.NewDepth),
			xlNum(r.Holders, 0), xlText(r.Detail, 0)})
	}

	rows = append(rows, []excelize.Cell{}, []excelize.Cell{xlText("Licenses", st.section)})
	if !l.Reviewed {
		return append(rows, []excelize.Cell{xlText("Not compared: "+l.Note+".", st.note)})
	}
	if l.Note != "" {
		rows = append(rows, []excelize.Cell{xlText("Note: "+l.Note+".", st.note)})
	}
	if l.Priced && l.Currency != "" {
		rows = append(rows, []excelize.Cell{xlText("Prices in "+l.Currency+", from the price lists.", st.note)})
	}
	money := func(v float64, style int) excelize.Cell {
		if !l.Priced {
			return excelize.Cell{}
		}
		if style == 0 {
			style = st.money
		}
		return xlNum(v, style)
	}

	rows = append(rows, []excelize.Cell{}, []excelize.Cell{xlText(fmt.Sprintf("License assignments added or removed (%d)",
		len(l.Assignments)), st.section)},
		wb.headerCells([]string{"User", "Name", "SKU", "Product", "Change", "Paid", "Per month"}))
	if len(l.Assignments) == 0 {
		rows = append(rows, []excelize.Cell{xlText("None.", st.note)})
	}
	for _, a := range l.Assignments {
		rows = append(rows, []excelize.Cell{xlText(a.User, 0), xlText(a.UserName, 0), xlText(a.SKU, 0), xlText(a.Product, 0),
			xlText(a.Change, 0), xlText(xlYesNo(a.Paid), 0), money(a.MonthlyPrice, 0)})
	}

	rows = append(rows, []excelize.Cell{}, []excelize.Cell{xlText(fmt.Sprintf("SKU changes (%d)", len(l.SKUs)), st.section)},
		wb.headerCells([]string{"SKU", "Product", "Change", "Old status", "New status", "Old enabled", "New enabled",
			"Old consumed", "New consumed", "Old idle", "New idle", "Old price", "New price", "Spend delta per month"}))
	if len(l.SKUs) == 0 {
		rows = append(rows, []excelize.Cell{xlText("None.", st.note)})
	}
	for _, s := range l.SKUs {
		rows = append(rows, []excelize.Cell{xlText(s.SKU, 0), xlText(s.Product, 0), xlText(s.Change, 0),
			xlText(s.OldStatus, 0), xlText(s.NewStatus, 0), xlNum(s.OldEnabled, 0), xlNum(s.NewEnabled, 0),
			xlNum(s.OldConsumed, 0), xlNum(s.NewConsumed, 0), xlNum(s.OldIdle, 0), xlNum(s.NewIdle, 0),
			money(s.OldMonthlyPrice, 0), money(s.NewMonthlyPrice, 0), money(s.SpendDeltaMonthly, 0)})
	}

	rows = append(rows, []excelize.Cell{}, []excelize.Cell{xlText("License waste by category", st.section)},
		wb.headerCells([]string{"Category", "Old seats", "New seats", "Old per month", "New per month", "Delta per month",
			"Old per year", "New per year", "Delta per year"}))
	cost := func(label string, c diff.Cost, style, moneyStyle int) []excelize.Cell {
		return []excelize.Cell{xlText(label, style), xlNum(c.OldSeats, style), xlNum(c.NewSeats, style),
			money(c.OldMonthly, moneyStyle), money(c.NewMonthly, moneyStyle), money(c.DeltaMonthly, moneyStyle),
			money(c.OldAnnual, moneyStyle), money(c.NewAnnual, moneyStyle), money(c.DeltaAnnual, moneyStyle)}
	}
	if len(l.WasteByCategory) == 0 {
		rows = append(rows, []excelize.Cell{xlText("No category changed.", st.note)})
	}
	for _, c := range l.WasteByCategory {
		rows = append(rows, cost(c.Category, c.Cost, 0, 0))
	}
	rows = append(rows, cost("Total waste", l.Waste, st.bold, st.moneyBold),
		cost("Spend (enabled paid seats)", l.Spend, st.bold, st.moneyBold))

	rows = append(rows, []excelize.Cell{}, []excelize.Cell{xlText(fmt.Sprintf("Waste lines that changed (%d)",
		len(l.WasteLines)), st.section)},
		wb.headerCells([]string{"Category", "User", "SKU", "Reason", "Change", "Old seats", "New seats", "Old per month",
			"New per month"}))
	if len(l.WasteLines) == 0 {
		rows = append(rows, []excelize.Cell{xlText("None.", st.note)})
	}
	for _, w := range l.WasteLines {
		who := w.UserName
		if who == "" {
			who = "idle seats"
		}
		rows = append(rows, []excelize.Cell{xlText(w.Category, 0), xlText(who, 0), xlText(w.SKU, 0), xlText(w.Reason, 0),
			xlText(w.Change, 0), xlNum(w.OldSeats, 0), xlNum(w.NewSeats, 0), money(w.OldMonthly, 0), money(w.NewMonthly, 0)})
	}
	return rows
}

// changeDepth is a depth of the diff: its symbol, or "none" for no access.
func (wb *workbook) changeDepth(depth string) excelize.Cell {
	if depth == "" {
		return xlText("none", wb.st.center)
	}
	return wb.depthCell(depth)
}

// xlWords turns a diff code ("depth_up", "user_state") into words.
func xlWords(code string) string { return strings.ReplaceAll(code, "_", " ") }
