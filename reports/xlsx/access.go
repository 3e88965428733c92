package xlsx

import (
	"context"
	"fmt"
	"strings"

	"github.com/d365audit/d365audit/queries"
	"github.com/xuri/excelize/v2"
)

// xlAccess is how the workbook lays out the effective-access matrix, for
// the Summary to say.
type xlAccess struct {
	missing     bool  // the Report carries no matrix
	userRows    int64 // user x table rows of the full matrix
	profileRows int64 // profile x table rows, when shown by profile
	roleRows    int64 // role x table rows, when shown by role
	byProfile   bool  // too big for MaxAccessSheets sheets: shown by profile
	byRole      bool  // the profiles too: shown by role
	sheets      []*xlSheet
}

// xlPrivilegeTitles are the role editor's column names for
// queries.TablePrivileges, in its order.
var xlPrivilegeTitles = [8]string{"Create", "Read", "Write", "Delete", "Append", "Append To", "Assign", "Share"}

// xlWho is what a matrix sheet's rows are about.
type xlWho int

const (
	xlByUser xlWho = iota
	xlByProfile
	xlByRole
)

// accessSheets chooses the matrix's layout. The full matrix (one row per
// user and table) is the most useful, so it is kept, split across up to
// MaxAccessSheets sheets. Beyond that the workbook would be too slow to
// write and to open, so the matrix is shown per access profile (users with
// identical grants share one) with a user -> profile sheet; and when even
// that does not fit (tens of thousands of users, most with a profile of
// their own), each held role's grants are shown, the role editor's view,
// and the Users sheet says who holds which role. access.parquet always has
// the full matrix.
func (wb *workbook) accessSheets() (xlAccess, error) {
	var a xlAccess
	m := wb.rep.Access
	if m == nil {
		a.missing = true
		a.sheets = []*xlSheet{{name: xlAccessSheet, columns: []xlColumn{{"", 80}}, write: func(emit xlEmit) error {
			return emit(xlText("The effective-access matrix was not computed for this report.", wb.st.note))
		}}}
		return a, nil
	}
	var err error
	if a.userRows, err = m.UserRows(wb.ctx); err != nil {
		return a, err
	}
	full := wb.matrixSheet(xlAccessSheet, "Effective access by user", a.userRows, xlByUser, m.EachUserRow)
	full.intro = append(full.intro, []excelize.Cell{xlText("One row per user and table, one column per privilege, as the "+
		"Dataverse role editor shows a role. The depth is the broadest over every role the user holds, directly or "+
		"through a team; Sources lists each grant as ROLE@BU direct or team:TEAM with the broadest depth it gives on the table, "+
		"the grants that decide the depth first.", wb.st.note)})
	if wb.partsNeeded(full) <= int64(wb.opts.MaxAccessSheets) {
		a.sheets = []*xlSheet{full}
		return a, nil
	}
	if a.profileRows, err = m.ProfileRows(wb.ctx); err != nil {
		return a, err
	}
	profiles := wb.matrixSheet(xlAccessProfiles, "Effective access by access profile", a.profileRows, xlByProfile, m.EachProfileRow)
	profiles.intro = append(profiles.intro, []excelize.Cell{xlText(fmt.Sprintf("The full matrix has %s rows (user x table), "+
		"more than %d sheets hold, so it is shown once per access profile: users with identical grants share one. "+
		"Each user's profile is on the sheet %s (and on %s); the full matrix is in access.parquet.",
		xlCount(a.userRows), wb.opts.MaxAccessSheets, xlUserProfiles, xlUsers), wb.st.note)})
	if wb.partsNeeded(profiles) <= int64(wb.opts.MaxAccessSheets) {
		a.byProfile = true
		a.sheets = []*xlSheet{profiles, wb.userProfilesSheet()}
		return a, nil
	}
	a.byRole = true
	if a.roleRows, err = m.RoleRows(wb.ctx); err != nil {
		return a, err
	}
	roles := wb.matrixSheet(xlAccessRoles, "Access granted by each held role", a.roleRows, xlByRole, m.EachRoleRow)
	roles.intro = append(roles.intro, []excelize.Cell{xlText(fmt.Sprintf("The full matrix has %s rows (user x table) in "+
		"%s access profiles (%s rows), more than %d sheets hold, so the workbook shows what each role that someone holds "+
		"grants, as the role editor does; business-unit copies of a role grant what it does. A user's access is the "+
		"broadest depth over the roles the sheet %s lists for them (a Basic grant of a team role whose members do not "+
		"inherit it reaches only the team's records). The full matrix, with the source of every grant, is in "+
		"access.parquet; d365audit access --user and who-can answer from audit.duckdb.",
		xlCount(a.userRows), xlCount(wb.rep.AccessProfiles), xlCount(a.profileRows), wb.opts.MaxAccessSheets, xlUsers), wb.st.note)})
	a.sheets = []*xlSheet{roles}
	return a, nil
}

// matrixSheet lays out a matrix sheet: the legend above the header, then
// who (a user, a profile and its number of users, or a role and its number
// of holders), table, the eight privileges, the miscellaneous privileges
// (which name no table) and the sources.
func (wb *workbook) matrixSheet(name, title string, rows int64, who xlWho,
	each func(context.Context, func(queries.MatrixRow) error) error) *xlSheet {
	var cols []xlColumn
	count := map[string]int64{} // users of a profile, holders of a role
	switch who {
	case xlByUser:
		cols = []xlColumn{{"User", 42}}
	case xlByProfile:
		cols = []xlColumn{{"Profile", 9}, {"Users", 8}}
		for _, p := range wb.rep.Access.Matrix().Profiles[1:] {
			count[queries.ProfileLabel(p.ID)] = p.Users
		}
	case xlByRole:
		cols = []xlColumn{{"Role", 36}, {"Holders", 8}}
		for _, r := range wb.rep.Access.Roles() {
			count[r.Label] = r.Holders
		}
	}
	cols = append(cols, xlColumn{"Table", 28})
	for _, t := range xlPrivilegeTitles {
		cols = append(cols, xlColumn{t, 10})
	}
	cols = append(cols, xlColumn{"Miscellaneous privilege", 34}, xlColumn{"Misc. depth", 10})
	if who != xlByRole {
		cols = append(cols, xlColumn{"Sources", 90})
	}
	first := len(cols) - 10 // column index (0-based) of Create
	if who != xlByRole {
		first--
	}
	legend := make([]excelize.Cell, first+len(queries.Depths))
	legend[0] = xlText(title, wb.st.section)
	for i, d := range []string{"global", "deep", "local", "basic", "team"} {
		legend[first+i] = wb.depthCell(d)
	}
	return &xlSheet{
		name: name, table: true, freeze: first, columns: cols,
		rows: max(rows, 1), // an empty matrix gets a note row
		intro: [][]excelize.Cell{
			legend,
			{xlText("Legend: ● global = Organization, ◕ deep = Parent: Child Business Units, ◑ local = Business Unit, "+
				"◔ basic = User (the role editor's names); ◌ team = only records owned by a team of the user (a Basic grant "+
				"of a team role whose members do not inherit it); blank = no access. A depth cell's value is its rank, "+
				"1 team to 5 global: a number filter >= 3 finds local and above.", wb.st.note)},
		},
		write: func(emit xlEmit) error {
			if rows == 0 {
				return emit(xlText("No user holds any privilege.", wb.st.note))
			}
			cells := make([]excelize.Cell, len(cols))
			return each(wb.ctx, func(r queries.MatrixRow) error {
				cells = cells[:0]
				cells = append(cells, xlText(r.User, 0))
				if who != xlByUser {
					cells = append(cells, xlNum(count[r.User], 0))
				}
				cells = append(cells, xlText(r.Table, 0))
				misc, miscDepth := excelize.Cell{}, excelize.Cell{}
				if r.Table == "" { // a miscellaneous privilege: its depth is Depths[0]
					misc, miscDepth = xlText(r.Misc, 0), wb.depthCell(r.Depths[0])
					for range r.Depths {
						cells = append(cells, excelize.Cell{})
					}
				} else {
					for _, d := range r.Depths {
						cells = append(cells, wb.depthCell(d))
					}
				}
				cells = append(cells, misc, miscDepth)
				if who != xlByRole {
					cells = append(cells, xlText(r.Sources, 0))
				}
				return emit(cells...)
			})
		},
	}
}

// depthCell shows a depth as the role editor's circle and its word, in a
// fill that deepens with reach; its value is the depth's rank, 1 to 5 (see
// xlDepthSymbols). No depth is an empty cell; an unknown one, its text.
func (wb *workbook) depthCell(depth string) excelize.Cell {
	d := strings.ToLower(depth)
	if r := queries.DepthRank(d); r >= 0 {
		return xlNum(r+1, wb.st.depth[d])
	}
	return xlText(depth, 0)
}

// userProfilesSheet: each user and their access profile, to read a user's
// access off the profile sheet.
func (wb *workbook) userProfilesSheet() *xlSheet {
	users := len(wb.rep.Access.Matrix().Users)
	return &xlSheet{
		name: xlUserProfiles, table: true, rows: xlAtLeastOne(users),
		columns: []xlColumn{{"User", 40}, {"Profile", 9}},
		intro:   [][]excelize.Cell{{xlText("Each user's access profile; the profile's access is on the sheet "+xlAccessProfiles+".", wb.st.note)}},
		write: func(emit xlEmit) error {
			if users == 0 {
				return emit(xlText("No users.", wb.st.note))
			}
			return wb.rep.Access.EachUserProfile(wb.ctx, func(p queries.UserProfile) error {
				return emit(xlText(p.User, 0), xlText(queries.ProfileLabel(p.ProfileID), 0))
			})
		},
	}
}

// xlCount writes a count with thousands separators.
func xlCount(n int64) string {
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
