package xlsx

import (
	"fmt"
	"strings"

	"github.com/d365audit/d365audit/queries/access"
	"github.com/d365audit/d365audit/queries/licenses"
	"github.com/d365audit/d365audit/queries/reportdata"
	"github.com/d365audit/d365audit/reports"
	"github.com/d365audit/d365audit/rules"
	"github.com/xuri/excelize/v2"
)

// Sheet names. Numbered copies ("Access 2") are made when a sheet is split.
const (
	sheetSummary        = "Summary"
	sheetFindings       = "Findings"
	sheetUsers          = "Users"
	sheetRoles          = "Roles"
	sheetRoleChanges    = "Role changes"
	sheetTeams          = "Teams"
	sheetLicenses       = "Licenses"
	sheetLicenseWaste   = "License waste"
	sheetAccess         = "Access"
	sheetAccessProfiles = "Access profiles"
	sheetUserProfiles   = "User profiles"
	sheetAccessRoles    = "Access by role"
	sheetFieldSecurity  = "Field security"
	sheetRunInfo        = "Run info"
)

// sheets lists every sheet after the Summary, in workbook order, with the
// rows each will get; the access matrix's layout depends on its size.
func (wb *workbook) sheets() ([]*sheetSpec, []accessLayout, error) {
	layouts, err := wb.accessLayouts()
	if err != nil {
		return nil, nil, err
	}
	var out []*sheetSpec
	if wb.rep.Changes != nil {
		out = append(out, wb.changesSheet())
	}
	out = append(out, wb.findingsSheet())
	out = append(out, wb.acrossSheets()...)
	out = append(out, wb.usersSheet(), wb.rolesSheet(), wb.roleChangesSheet(), wb.teamsSheet(),
		wb.licensesSheet(), wb.licenseWasteSheet())
	for _, a := range layouts {
		out = append(out, a.sheets...)
	}
	out = append(out, wb.fieldSecuritySheet(), wb.runInfoSheet())
	return out, layouts, nil
}

// atLeastOne: an empty table still gets one row, a note saying it is empty.
func atLeastOne(n int) int64 {
	if n == 0 {
		return 1
	}
	return int64(n)
}

// findingsSheet: one row per finding, coloured by severity; a waived
// finding is grey and italic and names its waiver.
func (wb *workbook) findingsSheet() *sheetSpec {
	titles := map[string]string{}
	for _, r := range wb.rep.Rules {
		titles[r.ID] = r.Title
	}
	return &sheetSpec{
		name: sheetFindings, table: true, rows: atLeastOne(len(wb.rep.Findings)),
		columns: wb.envColumns([]column{{"Severity", 10}, {"Rule", 30}, {"Rule title", 40}, {"Subject type", 19}, {"Subject", 32},
			{"Business unit", 18}, {"Message", 90}, {"Waived", 8}, {"Waiver owner", 30}, {"Waiver expires", 14},
			{"Waiver reason", 50}, {"Evidence", 60}, {"Subject ID", 38}, {"Fingerprint", 60}}),
		freeze: wb.envFreeze(0),
		write: listRows(wb.rep.Findings, text("No findings.", wb.st.note), func(f rules.Finding) []excelize.Cell {
			style, sev := 0, wb.st.severity[f.Severity]
			owner, expires, reason := "", "", ""
			if f.Waived {
				style, sev = wb.st.waived, wb.st.waived
			}
			if f.Waiver != nil {
				owner, expires, reason = f.Waiver.Owner, f.Waiver.Expires, f.Waiver.Reason
			}
			return wb.envRow(f.Environment, text(f.Severity, sev), text(f.Rule, style), text(titles[f.Rule], style),
				text(f.SubjectType, style), text(f.SubjectName, style), text(f.BusinessUnit, style),
				text(f.Message, style), text(yesNo(f.Waived), style), text(owner, style),
				text(expires, style), text(reason, style), text(string(f.Evidence), style),
				text(f.SubjectID, style), text(f.Fingerprint, style))
		}),
	}
}

// usersSheet: who each user is, what they hold and how, and how many
// findings name them.
func (wb *workbook) usersSheet() *sheetSpec {
	return &sheetSpec{
		name: sheetUsers, table: true, freeze: wb.envFreeze(1), rows: atLeastOne(len(wb.rep.Users)),
		columns: wb.envColumns([]column{{"Full name", 30}, {"Domain name", 36}, {"Business unit", 18},
			{"Access mode", 16}, {"State", 9}, {"Kind", 12}, {"Licenses", 30}, {"Direct roles", 50},
			{"Roles through teams", 60}, {"Open findings", 8}, {"Worst open severity", 10},
			{"Waived findings", 8}, {"Access profile", 9}, {"User ID", 38}}),
		write: listRows(wb.rep.Users, text("No users.", wb.st.note), func(u reportdata.UserRow) []excelize.Cell {
			k := subjectKey(u.Environment, "user", u.ID)
			state, kind := "enabled", "person"
			if u.Disabled {
				state = "disabled"
			}
			if u.Application {
				kind = "application"
			}
			worst, worstStyle := "", 0
			if r, ok := wb.counts.worst[k]; ok {
				worst = rules.Severities[r]
				worstStyle = wb.st.severity[worst]
			}
			return wb.envRow(u.Environment, text(u.FullName, 0), text(u.DomainName, 0), text(u.BusinessUnit, 0),
				text(reportdata.AccessModeName(u.AccessMode), 0), text(state, 0), text(kind, 0),
				text(strings.Join(u.Licenses, "; "), 0), text(strings.Join(u.DirectRoles, "; "), 0),
				text(strings.Join(u.TeamRoles, "; "), 0), num(wb.counts.open[k], 0), text(worst, worstStyle),
				num(wb.counts.waived[k], 0), text(profile(u.ProfileID), 0), text(u.ID, 0))
		}),
	}
}

// profile names an access profile as the access matrix does.
func profile(id int64) string {
	if id == 0 {
		return ""
	}
	return fmt.Sprintf("P%05d", id)
}

// rolesSheet: one row per root role with its business-unit copies, where
// it came from, whether it drifted from the baseline, and who holds it.
func (wb *workbook) rolesSheet() *sheetSpec {
	changes := map[string]int{}
	for _, c := range wb.rep.RoleChanges {
		changes[c.Environment+"\x00"+c.RoleID]++
	}
	return &sheetSpec{
		name: sheetRoles, table: true, freeze: wb.envFreeze(1), rows: atLeastOne(len(wb.rep.Roles)),
		columns: wb.envColumns([]column{{"Role", 40}, {"Business unit", 18}, {"BU copies", 9}, {"Origin", 11},
			{"Solution", 11}, {"Against baseline", 17}, {"Changed privileges", 10}, {"Privileges", 10},
			{"Holders", 9}, {"Direct holders", 9}, {"Holders through teams", 9}, {"Open findings", 8},
			{"Template ID", 38}, {"Role ID", 38}}),
		write: listRows(wb.rep.Roles, text("No roles.", wb.st.note), func(r reportdata.RoleRow) []excelize.Cell {
			origin, solution := "custom", "unmanaged"
			if r.OutOfBox {
				origin = "out-of-box"
			}
			if r.Managed {
				solution = "managed"
			}
			return wb.envRow(r.Environment, text(r.Name, 0), text(r.BusinessUnit, 0), num(r.Copies, 0), text(origin, 0),
				text(solution, 0), text(againstBaseline(r), 0), num(changes[r.Environment+"\x00"+r.ID], 0), num(r.Privileges, 0),
				num(r.Holders, 0), num(r.DirectHolders, 0), num(r.TeamHolders, 0),
				num(wb.counts.open[subjectKey(r.Environment, "role", r.ID)], 0), text(r.TemplateID, 0), text(r.ID, 0))
		}),
	}
}

// againstBaseline says how a role compares with the baseline: custom
// roles have none to compare with.
func againstBaseline(r reportdata.RoleRow) string {
	switch {
	case r.Baseline && r.Modified:
		return "modified"
	case r.Baseline:
		return "unchanged"
	case r.OutOfBox:
		return "not in baseline"
	}
	return ""
}

// roleChangesSheet: each out-of-box role's privileges that differ from
// the baseline, depth before and after.
func (wb *workbook) roleChangesSheet() *sheetSpec {
	none := "No role matched a baseline role (was a baseline given?): nothing to compare."
	for _, r := range wb.rep.Roles {
		if r.Baseline {
			none = "No out-of-box role differs from its baseline."
		}
	}
	return &sheetSpec{
		name: sheetRoleChanges, table: true, freeze: wb.envFreeze(1), rows: atLeastOne(len(wb.rep.RoleChanges)),
		columns: wb.envColumns([]column{{"Role", 40}, {"Privilege", 40}, {"Change", 10}, {"Baseline depth", 14},
			{"Actual depth", 14}, {"Role ID", 38}}),
		write: listRows(wb.rep.RoleChanges, text(none, wb.st.note), func(c reportdata.RoleChange) []excelize.Cell {
			return wb.envRow(c.Environment, text(c.Role, 0), text(c.Privilege, 0), text(c.Change, 0),
				wb.depthCell(c.BaselineDepth), wb.depthCell(c.ActualDepth), text(c.RoleID, 0))
		}),
	}
}

// teamsSheet: one row per team, with its members and roles.
func (wb *workbook) teamsSheet() *sheetSpec {
	return &sheetSpec{
		name: sheetTeams, table: true, freeze: wb.envFreeze(1), rows: atLeastOne(len(wb.rep.Teams)),
		columns: wb.envColumns([]column{{"Team", 36}, {"Type", 20}, {"Business unit", 18}, {"Default", 8},
			{"Members", 9}, {"Roles", 60}, {"Open findings", 8}, {"Entra object ID", 38}, {"Team ID", 38}}),
		write: listRows(wb.rep.Teams, text("No teams.", wb.st.note), func(t reportdata.TeamRow) []excelize.Cell {
			return wb.envRow(t.Environment, text(t.Name, 0), text(reportdata.TeamTypeName(t.Type), 0), text(t.BusinessUnit, 0),
				text(yesNo(t.Default), 0), num(t.Members, 0), text(strings.Join(t.Roles, "; "), 0),
				num(wb.counts.open[subjectKey(t.Environment, "team", t.ID)], 0), text(t.EntraObject, 0), text(t.ID, 0))
		}),
	}
}

// licenseNotes says what the license review could not see.
func (wb *workbook) licenseNotes() []string {
	l := wb.rep.Licenses
	var notes []string
	if !l.HasGraph {
		notes = append(notes, "No Graph export (graph/subscribedSkus.json): licenses were not reviewed.")
	} else if !l.HasUsers {
		notes = append(notes, "No graph/users.json: idle seats per SKU only; the licenses of each user were not reviewed.")
	}
	if note := l.CatalogNote(); note != "" {
		notes = append(notes, note)
	}
	if !l.HasPrices {
		notes = append(notes, "No price list: counts only.")
	} else if l.Currency != "" {
		notes = append(notes, "Prices in "+l.Currency+", from the price list.")
	}
	return notes
}

// licensesSheet: seats per subscribed SKU, then the waste per category.
// It is free-form (two small tables), so it has no autofilter.
func (wb *workbook) licensesSheet() *sheetSpec {
	l := wb.rep.Licenses
	st := wb.st
	return &sheetSpec{
		name: sheetLicenses,
		columns: []column{{"", 34}, {"", 12}, {"", 12}, {"", 12}, {"", 11}, {"", 10}, {"", 12}, {"", 12}, {"", 12},
			{"", 10}, {"", 9}, {"", 12}, {"", 50}, {"", 11}, {"", 13}, {"", 16}},
		write: func(emit emitRow) error {
			if err := emit(text("Licenses", st.title)); err != nil {
				return err
			}
			for _, n := range wb.licenseNotes() {
				if err := emit(text(n, st.note)); err != nil {
					return err
				}
			}
			if err := emit(); err != nil {
				return err
			}
			if err := emit(text("Subscribed SKUs", st.section)); err != nil {
				return err
			}
			head := []string{"Part number", "Enabled", "Consumed", "Idle", "Suspended", "Warning", "Price per month",
				"Idle per month", "Idle per year", "Assigned users", "Kind", "Status", "Product", "Locked out", "Over-consumed",
				"Seats or capacity"}
			if err := emit(wb.headerCells(head)...); err != nil {
				return err
			}
			if len(l.SKUs) == 0 {
				if err := emit(text("No SKUs.", st.note)); err != nil {
					return err
				}
			}
			for _, s := range l.SKUs {
				price := excelize.Cell{}
				if s.MonthlyPrice != nil {
					price = num(*s.MonthlyPrice, st.money)
				}
				if err := emit(text(s.PartNumber, 0), num(s.Enabled, 0), num(s.Consumed, 0), num(s.Idle, 0),
					num(s.Suspended, 0), num(s.Warning, 0), price, wb.money(s.IdleMonthly, 0), wb.money(s.IdleAnnual, 0),
					num(len(s.AssignedTo), 0), text(s.Kind, 0), text(s.Status, 0), text(s.ProductName, 0),
					num(s.LockedOut, 0), num(s.Over, 0), text(seatsOrCapacity(s), 0)); err != nil {
					return err
				}
			}
			if err := emit(); err != nil {
				return err
			}
			if err := emit(text("License waste by category", st.section)); err != nil {
				return err
			}
			if err := emit(wb.headerCells([]string{"Category", "Seats", "Per month", "Per year"})...); err != nil {
				return err
			}
			if len(l.Categories) == 0 {
				if err := emit(text("No wasted seats.", st.note)); err != nil {
					return err
				}
			} else {
				var seats int64
				for _, c := range l.Categories {
					seats += c.Seats
					if err := emit(text(c.Category, 0), num(c.Seats, 0), wb.money(c.Monthly, 0), wb.money(c.Annual, 0)); err != nil {
						return err
					}
				}
				if err := emit(text("Total", st.bold), num(seats, st.bold), wb.money(l.TotalMonthly, st.moneyBold),
					wb.money(l.TotalAnnual, st.moneyBold)); err != nil {
					return err
				}
			}
			return wb.licenseNeedRows(emit)
		},
	}
}

// money is an amount, or an empty cell without a price list: a 0 there
// would claim the waste costs nothing.
func (wb *workbook) money(v float64, style int) excelize.Cell {
	if !wb.rep.Licenses.HasPrices {
		return excelize.Cell{}
	}
	if style == 0 {
		style = wb.st.money
	}
	return num(v, style)
}

func (wb *workbook) headerCells(titles []string) []excelize.Cell {
	out := make([]excelize.Cell, len(titles))
	for i, t := range titles {
		out[i] = text(t, wb.st.headerLine) // one line: free-form rows keep their height
	}
	return out
}

// section heads a section of a free-form sheet: a blank row, the title and
// the column headings; when n, the rows to follow, is 0 and empty is not
// "", a note says so.
func (wb *workbook) section(title string, n int, empty string, heads ...string) [][]excelize.Cell {
	rows := [][]excelize.Cell{{}, {text(title, wb.st.section)}, wb.headerCells(heads)}
	if n == 0 && empty != "" {
		rows = append(rows, []excelize.Cell{text(empty, wb.st.note)})
	}
	return rows
}

// licenseWasteSheet: one row per wasted seat, in the first category that
// applies, with what it costs.
func (wb *workbook) licenseWasteSheet() *sheetSpec {
	l := wb.rep.Licenses
	none := "No wasted seats."
	if notes := wb.licenseNotes(); !l.HasGraph && len(notes) > 0 {
		none = notes[0]
	}
	return &sheetSpec{
		name: sheetLicenseWaste, table: true, rows: atLeastOne(len(l.Waste)),
		columns: []column{{"Category", 24}, {"User", 30}, {"SKU", 28}, {"Product", 40}, {"Seats", 8},
			{"Per month", 12}, {"Per year", 12}, {"Reason", 70}, {"User ID", 38}},
		write: listRows(l.Waste, text(none, wb.st.note), func(w licenses.WasteLine) []excelize.Cell {
			return []excelize.Cell{text(w.Category, 0), text(w.UserName, 0), text(w.SKUPart, 0), text(w.ProductName, 0),
				num(w.Seats, 0), wb.money(w.Monthly, 0), wb.money(w.Annual, 0), text(w.Reason, 0), text(w.UserID, 0)}
		}),
	}
}

// fieldSecuritySheet: every secured column a user can reach, and how.
func (wb *workbook) fieldSecuritySheet() *sheetSpec {
	return &sheetSpec{
		name: sheetFieldSecurity, table: true, freeze: wb.envFreeze(1), rows: atLeastOne(len(wb.rep.FieldAccess)),
		columns: wb.envColumns([]column{{"User", 36}, {"Table", 24}, {"Column", 28}, {"Read", 7},
			{"Create", 7}, {"Update", 7}, {"Sources", 80}}),
		write: listRows(wb.rep.FieldAccess, text("No user can reach a secured column.", wb.st.note), func(r access.FieldAccessRow) []excelize.Cell {
			return wb.envRow(r.Environment, text(r.User, 0), text(r.Table, 0), text(r.Column, 0), text(yesNo(r.Read), 0),
				text(yesNo(r.Create), 0), text(yesNo(r.Update), 0), text(r.Sources, 0))
		}),
	}
}

// runInfoSheet: what the run read and with what, so an auditor can tie the
// workbook to its inputs: versions, every input with its SHA-256, rules not
// evaluated and why, the waivers and what became of them, the catalogue.
func (wb *workbook) runInfoSheet() *sheetSpec {
	rep, st := wb.rep, wb.st
	return &sheetSpec{
		name:    sheetRunInfo,
		columns: []column{{"", 44}, {"", 34}, {"", 30}, {"", 12}, {"", 12}, {"", 66}, {"", 60}, {"", 60}, {"", 40}},
		write: func(emit emitRow) error {
			pairs := [][2]string{
				{"Tool", "d365audit " + rep.ToolVersion},
				{"Rule-set version", rep.RuleSetVersion},
				{"Run time (UTC)", runTime(rep)},
				{"As of", date(rep.AsOf)},
				{"Environment", rep.Environment},
				{"Policy", rep.Policy},
			}
			if rep.IsTenant() {
				pairs = append(pairs, [2]string{"Environments", strings.Join(rep.EnvironmentNames(), ", ")})
			}
			rows := [][]excelize.Cell{{text("Run info", st.title)}, {}}
			for _, p := range pairs {
				rows = append(rows, []excelize.Cell{text(p[0], st.label), text(p[1], 0)})
			}
			rows = append(rows, wb.section("Inputs", 0, "", "File", "Kind", "Format", "Rows", "Bytes", "SHA-256")...)
			for _, in := range rep.Inputs {
				rows = append(rows, []excelize.Cell{text(in.File, 0), text(in.Kind, 0), text(in.Format, 0),
					num(in.Rows, 0), num(in.Bytes, 0), text(in.SHA256, 0)})
			}
			rows = append(rows, wb.section("Rules not evaluated", len(rep.NotEvaluated), "Every rule was evaluated.", "Rule", "Why")...)
			for _, n := range rep.NotEvaluated {
				rows = append(rows, []excelize.Cell{text(n.Rule, 0), text(n.Why, 0)})
			}
			rows = append(rows, wb.section("Waivers", len(rep.Waivers), "No waivers.", "Rule", "Subject", "Owner", "Expires",
				"Status", "Findings hidden", "Reason")...)
			for _, w := range rep.Waivers {
				status := "in force"
				if w.Expired {
					status = "expired"
				} else if len(w.Matched) == 0 {
					status = "matches nothing"
				}
				rows = append(rows, []excelize.Cell{text(w.Rule, 0), text(w.Subject, 0), text(w.Owner, 0),
					text(w.Expires, 0), text(status, 0), num(wb.hidden(w), 0), text(w.Reason, 0)})
			}
			rows = append(rows, wb.section("Rule catalogue", 0, "", "Rule", "Severity", "Title", "Evaluated", "Open findings",
				"Rationale", "Remediation", "References", "Source")...)
			evaluated := map[string]bool{}
			for _, id := range rep.Evaluated {
				evaluated[id] = true
			}
			open := map[string]int{}
			for _, f := range rep.Findings {
				if !f.Waived {
					open[f.Rule]++
				}
			}
			for _, r := range rep.Rules {
				rows = append(rows, []excelize.Cell{text(r.ID, 0), text(r.Severity, st.severity[r.Severity]), text(r.Title, 0),
					text(yesNo(evaluated[r.ID]), 0), num(open[r.ID], 0), text(r.Rationale, 0), text(r.Remediation, 0),
					text(strings.Join(r.References, " "), 0), text(r.Source, 0)})
			}
			for _, cells := range rows {
				if err := emit(cells...); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

// hidden counts the findings a waiver hides in this run: an expired
// waiver hides none, and a finding two waivers match counts for the first.
func (wb *workbook) hidden(w rules.WaiverStatus) int {
	n := 0
	for _, f := range wb.rep.Findings {
		if f.Waived && f.Waiver != nil && f.Waiver.Rule == w.Rule && f.Waiver.Subject == w.Subject && f.Waiver.Expires == w.Expires {
			n++
		}
	}
	return n
}

// runTime is the run's time as the workbook shows it.
func runTime(rep *reports.Report) string {
	if rep.GeneratedAt.IsZero() {
		return ""
	}
	return rep.GeneratedAt.UTC().Format("2006-01-02 15:04:05")
}

// seatsOrCapacity says whether a SKU's units are user seats or tenant-level
// capacity (never idle seats).
func seatsOrCapacity(s reports.SKULine) string {
	if s.Capacity {
		return "capacity"
	}
	return "seats"
}

// licenseNeedRows: per person, the Dynamics 365 licenses their access to
// restricted tables needs beside the ones they hold, and the right-sizing
// candidates (to review, not waste).
func (wb *workbook) licenseNeedRows(emit emitRow) error {
	l, st := wb.rep.Licenses, wb.st
	if len(l.People) == 0 {
		return nil
	}
	if err := emit(); err != nil {
		return err
	}
	if err := emit(text("Dynamics 365 licenses needed and held", st.section)); err != nil {
		return err
	}
	if err := emit(text("Status: unlicensed = writes to a restricted table none of their licenses allows; needed = every "+
		"restricted-table write is licensed; candidate = a paid Dynamics 365 seat used for no restricted-table write, to "+
		"review (app access is not in the export), not waste. Difference: the seat's monthly price less Power Apps per user's.", st.note)); err != nil {
		return err
	}
	if err := emit(wb.headerCells([]string{"Person", "Status", "Restricted tables written", "Not covered", "Licenses that allow them",
		"Licenses held", "Dynamics 365 seats", "Difference per month", "Domain name"})...); err != nil {
		return err
	}
	for _, p := range l.People {
		diff := excelize.Cell{}
		if p.MonthlyDifference != nil {
			diff = wb.money(*p.MonthlyDifference, 0)
		}
		if err := emit(text(p.UserName, 0), text(p.Status, 0), text(strings.Join(p.Tables, ", "), 0),
			text(strings.Join(p.Uncovered, ", "), 0), text(strings.Join(p.AllowedBy, "; "), 0),
			text(strings.Join(p.Licenses, "; "), 0), text(strings.Join(p.Seats, ", "), 0), diff,
			text(p.DomainName, 0)); err != nil {
			return err
		}
	}
	return nil
}

// listRows is the body of a sheet that lists items, a row each: the cells
// row makes of each item, or the one line none says when there are no
// items (an empty table would read as "not computed").
func listRows[T any](items []T, none excelize.Cell, row func(T) []excelize.Cell) func(emitRow) error {
	return func(emit emitRow) error {
		if len(items) == 0 {
			return emit(none)
		}
		for _, item := range items {
			if err := emit(row(item)...); err != nil {
				return err
			}
		}
		return nil
	}
}
