package xlsx

import (
	"context"
	"fmt"
	"strings"

	"github.com/d365audit/d365audit/queries/access"
	"github.com/d365audit/d365audit/queries/vocab"
	"github.com/xuri/excelize/v2"
)

// accessLayout is how the workbook lays out the effective-access matrix, for
// the Summary to say.
type accessLayout struct {
	of          matrixOf
	missing     bool  // the Report carries no matrix
	userRows    int64 // user x table rows of the full matrix
	profileRows int64 // profile x table rows, when shown by profile
	roleRows    int64 // role x table rows, when shown by role
	byProfile   bool  // too big for MaxAccessSheets sheets: shown by profile
	byRole      bool  // the profiles too: shown by role
	sheets      []*sheetSpec
}

// privilegeTitles are the role editor's column names for
// vocab.TableRights, in its order.
var privilegeTitles = [8]string{"Create", "Read", "Write", "Delete", "Append", "Append To", "Assign", "Share"}

// rowKind is what a matrix sheet's rows are about.
type rowKind int

const (
	rowsByUser rowKind = iota
	rowsByProfile
	rowsByRole
)

// accessLayouts lays out the effective-access matrix: a single export's,
// or, in a tenant run, each environment's on sheets of its own ("Access
// prod"). The environments share the budget of MaxAccessSheets sheets,
// counted in rows (each gets its share; see fits), so a tenant's workbook
// is no slower to write or open than one environment's: with a whole sheet
// each, 20 environments wrote 20 sheets of a million rows, minutes of work
// and a workbook nobody can open.
func (wb *workbook) accessLayouts() ([]accessLayout, error) {
	if !wb.rep.IsTenant() {
		a, err := wb.accessSheets(matrixOf{m: wb.rep.Access, profiles: wb.rep.AccessProfiles, sharedBy: 1,
			name: func(s string) string { return s }})
		return []accessLayout{a}, err
	}
	var out []accessLayout
	labels := envSheetLabels(wb.rep.EnvironmentNames())
	for i, e := range wb.rep.Environments {
		mo := matrixOf{env: e.Name, m: e.Access, sharedBy: len(wb.rep.Environments),
			name: func(s string) string { return s + " " + labels[i] }}
		if e.Access != nil {
			mo.profiles = int64(len(e.Access.Matrix().Profiles) - 1) // Profiles[0] is no profile
		}
		a, err := wb.accessSheets(mo)
		if err != nil {
			return nil, fmt.Errorf("environment %s: %w", e.Name, err)
		}
		out = append(out, a)
	}
	return out, nil
}

// matrixOf is one matrix to lay out: a single export's, or an
// environment's, with how its sheets are named.
type matrixOf struct {
	env      string // "" for a single export
	m        *access.AccessMatrix
	profiles int64                    // access profiles
	sharedBy int                      // how many matrices share the MaxAccessSheets sheets: 1, or a tenant's environments
	name     func(base string) string // the sheet of this matrix called base
}

// fits says whether sheet s of matrix mo stays within mo's share of the
// MaxAccessSheets sheets: all of them for a single export, one part in
// sharedBy for each of a tenant's environments, counted in rows.
func (wb *workbook) fits(mo matrixOf, s *sheetSpec) bool {
	return s.rows*int64(mo.sharedBy) <= int64(wb.opts.MaxAccessSheets)*wb.capacity(s)
}

// budget says how much of the workbook a matrix that did not fit may
// take, ending in its verb: "1 sheets hold" ("of 1,048,576 rows" with
// rowsToo), or a tenant environment's share.
func (wb *workbook) budget(mo matrixOf, rowsToo bool) string {
	sheets, rows := wb.opts.MaxAccessSheets, countText(int64(wb.opts.MaxSheetRows))
	if mo.sharedBy > 1 {
		return fmt.Sprintf("its environment's share of the workbook holds (%s of %s rows shared by %d environments)",
			plural(sheets, "sheet"), rows, mo.sharedBy)
	}
	if rowsToo {
		return fmt.Sprintf("%d sheets of %s rows hold", sheets, rows)
	}
	return fmt.Sprintf("%d sheets hold", sheets)
}

// accessSheets chooses the matrix's layout. The full matrix (one row per
// user and table) is the most useful, so it is kept, split across up to
// MaxAccessSheets sheets. Beyond that the workbook would be too slow to
// write and to open, so the matrix is shown per access profile (users with
// identical grants share one) with a user -> profile sheet; and when even
// that does not fit (tens of thousands of users, most with a profile of
// their own), each held role's grants are shown, the role editor's view,
// and the Users sheet says who holds which role. access.parquet always has
// the full matrix.
func (wb *workbook) accessSheets(mo matrixOf) (accessLayout, error) {
	a := accessLayout{of: mo}
	m := mo.m
	if m == nil {
		a.missing = true
		a.sheets = []*sheetSpec{{name: mo.name(sheetAccess), base: sheetAccess, columns: []column{{"", 80}}, write: func(emit emitRow) error {
			return emit(text("The effective-access matrix was not computed for this report.", wb.st.note))
		}}}
		return a, nil
	}
	var err error
	if a.userRows, err = m.UserRows(wb.ctx); err != nil {
		return a, err
	}
	full := wb.matrixSheet(mo, sheetAccess, "Effective access by user", a.userRows, rowsByUser, m.EachUserRow)
	full.intro = append(full.intro, []excelize.Cell{text("One row per user and table, one column per privilege, as the "+
		"Dataverse role editor shows a role. The depth is the broadest over every role the user holds, directly or "+
		"through a team; Sources lists each grant as ROLE@BU direct or team:TEAM with the broadest depth it gives on the table, "+
		"the grants that decide the depth first.", wb.st.note)})
	if wb.fits(mo, full) {
		a.sheets = []*sheetSpec{full}
		return a, nil
	}
	if a.profileRows, err = m.ProfileRows(wb.ctx); err != nil {
		return a, err
	}
	profiles := wb.matrixSheet(mo, sheetAccessProfiles, "Effective access by access profile", a.profileRows, rowsByProfile, m.EachProfileRow)
	profiles.intro = append(profiles.intro, []excelize.Cell{text(fmt.Sprintf("The full matrix has %s rows (user x table), "+
		"more than %s, so it is shown once per access profile: users with identical grants share one. "+
		"Each user's profile is on the sheet %s (and on %s); the full matrix is in access.parquet.",
		countText(a.userRows), wb.budget(mo, false), mo.name(sheetUserProfiles), sheetUsers), wb.st.note)})
	if wb.fits(mo, profiles) {
		a.byProfile = true
		a.sheets = []*sheetSpec{profiles, wb.userProfilesSheet(mo)}
		return a, nil
	}
	a.byRole = true
	if a.roleRows, err = m.RoleRows(wb.ctx); err != nil {
		return a, err
	}
	roles := wb.matrixSheet(mo, sheetAccessRoles, "Access granted by each held role", a.roleRows, rowsByRole, m.EachRoleRow)
	roles.intro = append(roles.intro, []excelize.Cell{text(fmt.Sprintf("The full matrix has %s rows (user x table) in "+
		"%s access profiles (%s rows), more than %s, so the workbook shows what each role that someone holds "+
		"grants, as the role editor does; business-unit copies of a role grant what it does. A user's access is the "+
		"broadest depth over the roles the sheet %s lists for them (a Basic grant of a team role whose members do not "+
		"inherit it reaches only the team's records). The full matrix, with the source of every grant, is in "+
		"access.parquet; d365audit access --user and who-can answer from audit.duckdb.",
		countText(a.userRows), countText(mo.profiles), countText(a.profileRows), wb.budget(mo, false), sheetUsers), wb.st.note)})
	a.sheets = []*sheetSpec{roles}
	return a, nil
}

// matrixSheet lays out a matrix sheet: the legend above the header, then
// who (a user, a profile and its number of users, or a role and its number
// of holders), table, the eight privileges, the miscellaneous privileges
// (which name no table) and the sources.
func (wb *workbook) matrixSheet(mo matrixOf, base, title string, rows int64, who rowKind,
	each func(context.Context, func(access.MatrixRow) error) error) *sheetSpec {
	var cols []column
	count := map[string]int64{} // users of a profile, holders of a role
	switch who {
	case rowsByUser:
		cols = []column{{"User", 42}}
	case rowsByProfile:
		cols = []column{{"Profile", 9}, {"Users", 8}}
		for _, p := range mo.m.Matrix().Profiles[1:] {
			count[access.ProfileLabel(p.ID)] = p.Users
		}
	case rowsByRole:
		cols = []column{{"Role", 36}, {"Holders", 8}}
		for _, r := range mo.m.Roles() {
			count[r.Label] = r.Holders
		}
	}
	cols = append(cols, column{"Table", 28})
	for _, t := range privilegeTitles {
		cols = append(cols, column{t, 10})
	}
	cols = append(cols, column{"Miscellaneous privilege", 34}, column{"Misc. depth", 10})
	if who != rowsByRole {
		cols = append(cols, column{"Sources", 90})
	}
	first := len(cols) - 10 // column index (0-based) of Create
	if who != rowsByRole {
		first--
	}
	legend := make([]excelize.Cell, first+len(vocab.Depths))
	legend[0] = text(title, wb.st.section)
	for i, d := range []string{"global", "deep", "local", "basic", "team"} {
		legend[first+i] = wb.depthCell(d)
	}
	return &sheetSpec{
		name: mo.name(base), base: base, table: true, freeze: first, columns: cols,
		rows: max(rows, 1), // an empty matrix gets a note row
		intro: [][]excelize.Cell{
			legend,
			{text("Legend: ● global = Organization, ◕ deep = Parent: Child Business Units, ◑ local = Business Unit, "+
				"◔ basic = User (the role editor's names); ◌ team = only records owned by a team of the user (a Basic grant "+
				"of a team role whose members do not inherit it); blank = no access. A depth cell's value is its rank, "+
				"1 team to 5 global: a number filter >= 3 finds local and above.", wb.st.note)},
		},
		write: func(emit emitRow) error {
			if rows == 0 {
				return emit(text("No user holds any privilege.", wb.st.note))
			}
			cells := make([]excelize.Cell, len(cols))
			return each(wb.ctx, func(r access.MatrixRow) error {
				cells = cells[:0]
				cells = append(cells, text(r.User, 0))
				if who != rowsByUser {
					cells = append(cells, num(count[r.User], 0))
				}
				cells = append(cells, text(r.Table, 0))
				misc, miscDepth := excelize.Cell{}, excelize.Cell{}
				if r.Table == "" { // a miscellaneous privilege: its depth is Depths[0]
					misc, miscDepth = text(r.Misc, 0), wb.depthCell(r.Depths[0])
					for range r.Depths {
						cells = append(cells, excelize.Cell{})
					}
				} else {
					for _, d := range r.Depths {
						cells = append(cells, wb.depthCell(d))
					}
				}
				cells = append(cells, misc, miscDepth)
				if who != rowsByRole {
					cells = append(cells, text(r.Sources, 0))
				}
				return emit(cells...)
			})
		},
	}
}

// depthCell shows a depth as the role editor's circle and its word, in a
// fill that deepens with reach; its value is the depth's rank, 1 to 5 (see
// depthSymbols). No depth is an empty cell; an unknown one, its text.
func (wb *workbook) depthCell(depth string) excelize.Cell {
	d := strings.ToLower(depth)
	if r := vocab.DepthRank(d); r >= 0 {
		return num(r+1, wb.st.depth[d])
	}
	return text(depth, 0)
}

// userProfilesSheet: each user and their access profile, to read a user's
// access off the profile sheet.
func (wb *workbook) userProfilesSheet(mo matrixOf) *sheetSpec {
	users := len(mo.m.Matrix().Users)
	return &sheetSpec{
		name: mo.name(sheetUserProfiles), base: sheetUserProfiles, table: true, rows: atLeastOne(users),
		columns: []column{{"User", 40}, {"Profile", 9}},
		intro:   [][]excelize.Cell{{text("Each user's access profile; the profile's access is on the sheet "+mo.name(sheetAccessProfiles)+".", wb.st.note)}},
		write: func(emit emitRow) error {
			if users == 0 {
				return emit(text("No users.", wb.st.note))
			}
			return mo.m.EachUserProfile(wb.ctx, func(p access.UserProfile) error {
				return emit(text(p.User, 0), text(access.ProfileLabel(p.ProfileID), 0))
			})
		},
	}
}

// countText writes a count with thousands separators.
func countText(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return s
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
