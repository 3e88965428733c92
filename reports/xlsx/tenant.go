package xlsx

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/d365audit/d365audit/queries/tenant"
	"github.com/d365audit/d365audit/reports"
	"github.com/d365audit/d365audit/rules"
	"github.com/xuri/excelize/v2"
)

// A tenant run's workbook: the sheets of a single export gain an
// Environment column (first, so an auditor filters on it), each
// environment's access matrix gets sheets of its own, and four sheets
// look across the environments.

// The sheets of a tenant run only.
const (
	sheetPeopleAcross = "People x environments"
	sheetAdmins       = "Administrators"
	sheetRoleDrift    = "Role drift"
	sheetAccessSpread = "Access spread"
)

// envColumns puts an Environment column before cols in a tenant run;
// a single export's columns are unchanged.
func (wb *workbook) envColumns(cols []column) []column {
	if !wb.rep.IsTenant() {
		return cols
	}
	return append([]column{{"Environment", 14}}, cols...)
}

// envFreeze is how many columns to keep in view: the Environment column
// too in a tenant run.
func (wb *workbook) envFreeze(n int) int {
	if wb.rep.IsTenant() {
		return n + 1
	}
	return n
}

// envRow starts a row with its environment in a tenant run (see
// envColumns).
func (wb *workbook) envRow(env string, cells ...excelize.Cell) []excelize.Cell {
	if !wb.rep.IsTenant() {
		return cells
	}
	return append([]excelize.Cell{text(env, 0)}, cells...)
}

// maxSheetName is the most characters Excel allows in a sheet name.
const maxSheetName = 31

// matrixBases are the names of the matrix sheets an environment may get
// (see accessSheets); the longest decides how long an environment's label
// in a sheet name may be.
var matrixBases = []string{sheetAccess, sheetAccessProfiles, sheetUserProfiles, sheetAccessRoles}

// envSheetLabels are the environments' labels in sheet names ("Access
// prod"): the characters a sheet name may not hold become "_", a long name
// is cut so that the longest matrix sheet with a split's " 12" still fits,
// and a label that would repeat another's (two names alike in their
// first characters) ends in "~" and the environment's number instead.
func envSheetLabels(envs []string) []string {
	longest := 0
	for _, b := range matrixBases {
		longest = max(longest, utf8.RuneCountInString(b))
	}
	room := maxSheetName - longest - 1 - 3
	labels := make([]string, len(envs))
	used := map[string]bool{}
	for i, env := range envs {
		label := []rune(strings.Map(func(r rune) rune {
			if strings.ContainsRune(`[]:*?/\'`, r) {
				return '_'
			}
			return r
		}, env))
		if len(label) > room {
			label = label[:room]
		}
		if used[strings.ToLower(string(label))] { // Excel's sheet names ignore case
			tag := []rune(fmt.Sprintf("~%d", i+1))
			label = append(label[:min(len(label), room-len(tag))], tag...)
		}
		labels[i] = string(label)
		used[strings.ToLower(labels[i])] = true
	}
	return labels
}

// acrossSheets are a tenant run's views across its environments.
func (wb *workbook) acrossSheets() []*sheetSpec {
	if !wb.rep.IsTenant() {
		return nil
	}
	return []*sheetSpec{wb.peopleAcrossSheet(), wb.adminsSheet(), wb.roleDriftSheet(), wb.accessSpreadSheet()}
}

// envHeads are one column per environment, width w.
func (wb *workbook) envHeads(w float64) []column {
	cols := make([]column, len(wb.rep.Environments))
	for i, e := range wb.rep.Environments {
		cols[i] = column{e.Name, w}
	}
	return cols
}

// peopleAcrossSheet: one row per person (by Entra object id), one column
// per environment with the roles they hold there, or "disabled", "no role",
// "no user".
func (wb *workbook) peopleAcrossSheet() *sheetSpec {
	people := reports.PeopleAcross(wb.rep.Across.People)
	envs := wb.rep.EnvironmentNames()
	cols := append([]column{{"Person", 30}, {"Domain name", 36}, {"Environments", 9}, {"Access mode", 18}, {"Kind", 12}},
		wb.envHeads(40)...)
	cols = append(cols, column{"Entra object ID", 38})
	return &sheetSpec{
		name: sheetPeopleAcross, table: true, freeze: 1, rows: atLeastOne(len(people)), columns: cols,
		intro: [][]excelize.Cell{{text("Each person (linked across environments by their Entra object ID) and, per environment, "+
			"the roles they hold there directly or through a team; disabled = a disabled user; no user = none in that "+
			"environment; no role = enabled, without a role.", wb.st.note)}},
		write: listRows(people, text("No person has a user with an Entra object ID.", wb.st.note), func(p reports.PersonAcross) []excelize.Cell {
			kind := "person"
			if p.Application {
				kind = "application"
			}
			cells := []excelize.Cell{text(p.Person, 0), text(p.DomainName, 0), num(len(p.In), 0),
				text(p.AccessModes(envs), 0), text(kind, 0)}
			for _, e := range envs {
				cells = append(cells, text(p.Presence(e), 0))
			}
			return append(cells, text(p.EntraID, 0))
		}),
	}
}

// adminsSheet: who holds System Administrator (enabled) where, and
// whether in every environment.
func (wb *workbook) adminsSheet() *sheetSpec {
	admins := wb.rep.Across.Admins
	envs := wb.rep.EnvironmentNames()
	cols := append([]column{{"Person", 30}, {"Domain name", 36}, {"Administrator in", 11}, {"Every environment", 11}},
		wb.envHeads(12)...)
	cols = append(cols, column{"Entra object ID", 38})
	return &sheetSpec{
		name: sheetAdmins, table: true, freeze: 1, rows: atLeastOne(len(admins)), columns: cols,
		intro: [][]excelize.Cell{{text("Who holds System Administrator, as an enabled user, in which environments; "+
			"most environments first.", wb.st.note)}},
		write: listRows(admins, text("No enabled user holds System Administrator.", wb.st.note), func(a tenant.TenantAdmin) []excelize.Cell {
			cells := []excelize.Cell{text(a.Person, 0), text(a.DomainName, 0), num(len(a.Environments), 0),
				text(yesNo(a.EveryEnvironment), 0)}
			for _, e := range envs {
				mark := ""
				if reports.AdminIn(a, e) {
					mark = "admin"
				}
				cells = append(cells, text(mark, wb.st.center))
			}
			return append(cells, text(a.EntraID, 0))
		}),
	}
}

// roleDriftSheet: each privilege of a role (same name in two or more
// environments) whose depth differs between them, one column per
// environment.
func (wb *workbook) roleDriftSheet() *sheetSpec {
	drift := reports.DriftRows(wb.rep.Across.Drift)
	envs := wb.rep.EnvironmentNames()
	cols := append([]column{{"Role", 36}, {"Origin", 11}, {"Privilege", 40}}, wb.envHeads(12)...)
	return &sheetSpec{
		name: sheetRoleDrift, table: true, freeze: 3, rows: atLeastOne(len(drift)), columns: cols,
		intro: [][]excelize.Cell{{text("Roles of the same name in two or more environments whose privileges differ: per "+
			"privilege, its depth in each environment; none = the role lacks it there; blank = no such role there.", wb.st.note)}},
		write: listRows(drift, text("No role of the same name differs between environments.", wb.st.note), func(d reports.DriftAcross) []excelize.Cell {
			origin := "out-of-box"
			if d.Custom {
				origin = "custom"
			}
			cells := []excelize.Cell{text(d.Role, 0), text(origin, 0), text(d.Privilege, 0)}
			for _, e := range envs {
				cells = append(cells, wb.depthCell(d.Depths[e]))
			}
			return cells
		}),
	}
}

// accessSpreadSheet: the people whose effective access differs between
// two of their environments, most cells first.
func (wb *workbook) accessSpreadSheet() *sheetSpec {
	spread := wb.rep.Across.Spread
	return &sheetSpec{
		name: sheetAccessSpread, table: true, freeze: 1, rows: atLeastOne(len(spread)),
		columns: []column{{"Person", 30}, {"Domain name", 36}, {"Environments", 9}, {"Environment A", 16},
			{"Environment B", 16}, {"Cells differing", 10}, {"Entra object ID", 38}},
		intro: [][]excelize.Cell{{text("People with users in two or more environments whose effective access differs, most "+
			"first: the pair of their environments that differs most, in cells (table and privilege) whose depth differs.", wb.st.note)}},
		write: listRows(spread, text("No person's access differs between their environments.", wb.st.note), func(s tenant.AccessSpread) []excelize.Cell {
			return []excelize.Cell{text(s.Person, 0), text(s.DomainName, 0), num(s.Environments, 0), text(s.EnvA, 0),
				text(s.EnvB, 0), num(s.Cells, 0), text(s.EntraID, 0)}
		}),
	}
}

// environmentTable is the Summary's table of a tenant's environments:
// size and findings by severity each.
func (wb *workbook) environmentTable(c *cursor) error {
	st := wb.st
	if err := c.line(text("Environments", st.section)); err != nil {
		return err
	}
	// Six columns, A to F, as the Summary's other tables: its charts sit
	// from column H.
	head := []string{"Environment", "Users", "Roles", "Open", "Waived", "Open by severity; organization"}
	if err := c.line(wb.headerCells(head)...); err != nil {
		return err
	}
	for _, e := range wb.rep.Environments {
		f := e.Findings
		open := f.Critical + f.High + f.Medium + f.Low + f.Info
		detail := fmt.Sprintf("critical %d, high %d, medium %d, low %d, info %d", f.Critical, f.High, f.Medium, f.Low, f.Info)
		if e.Organization != "" {
			detail += "; " + e.Organization
		}
		if err := c.line(text(e.Name, st.bold), num(e.Users, 0), num(e.Roles, 0), num(open, 0), num(f.Waived, 0),
			text(detail, 0)); err != nil {
			return err
		}
	}
	tenantWide := 0
	for _, f := range wb.rep.Findings {
		if f.Environment == rules.TenantScope {
			tenantWide++
		}
	}
	c.row++
	return c.line(text(fmt.Sprintf("%s across the tenant (environment %s): the license review's.", plural(tenantWide, "finding"),
		rules.TenantScope), st.note))
}
