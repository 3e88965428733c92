package reports

import (
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
	byProfile   bool  // too big for MaxAccessSheets sheets: shown by profile
	sheets      []*xlSheet
}

// xlPrivilegeTitles are the role editor's column names for
// queries.TablePrivileges, in its order.
var xlPrivilegeTitles = [8]string{"Create", "Read", "Write", "Delete", "Append", "Append To", "Assign", "Share"}

// accessSheets chooses the matrix's layout. The full matrix (one row per
// user and table) is the most useful, so it is kept, split across up to
// MaxAccessSheets sheets; beyond that the workbook would be too slow to
// write and to open, and the matrix is shown per access profile (users
// with identical grants share one) with a user -> profile sheet.
// access.parquet always has the full matrix.
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
	if a.profileRows, err = m.ProfileRows(wb.ctx); err != nil {
		return a, err
	}
	if a.profileRows <= xlProfilesInMemory {
		if wb.profiles, err = wb.loadProfiles(); err != nil {
			return a, err
		}
		a.userRows = wb.profiles.userRows()
	} else if a.userRows, err = m.UserRows(wb.ctx); err != nil {
		return a, err
	}
	full := wb.matrixSheet(xlAccessSheet, "Effective access by user", a.userRows, false, wb.eachUserRow)
	full.intro = append(full.intro, []excelize.Cell{xlText("One row per user and table, one column per privilege, as the "+
		"Dataverse role editor shows a role. The depth is the broadest over every role the user holds, directly or "+
		"through a team; Sources lists each grant as ROLE@BU direct or team:TEAM.", wb.st.note)})
	if wb.partsNeeded(full) <= int64(wb.opts.MaxAccessSheets) {
		a.sheets = []*xlSheet{full}
		return a, nil
	}
	a.byProfile = true
	profiles := wb.matrixSheet(xlAccessProfiles, "Effective access by access profile", a.profileRows, true, wb.eachProfileRow)
	profiles.intro = append(profiles.intro, []excelize.Cell{xlText(fmt.Sprintf("The full matrix has %s rows (user x table), "+
		"more than %d sheets hold, so it is shown once per access profile: users with identical grants share one. "+
		"Each user's profile is on the sheet %s (and on %s); the full matrix is in access.parquet.",
		xlCount(a.userRows), wb.opts.MaxAccessSheets, xlUserProfiles, xlUsers), wb.st.note)})
	a.sheets = []*xlSheet{profiles, wb.userProfilesSheet()}
	return a, nil
}

// xlProfilesInMemory is the most profile rows the workbook holds in memory
// (a few hundred bytes each) to expand into the user matrix; past it, the
// matrix streams from the database. A variable for the tests.
var xlProfilesInMemory int64 = 1_000_000

// xlProfiles is the matrix per access profile, held in memory, and every
// user's profile: a user's rows are exactly their profile's, so the user
// matrix is expanded from it in user order. Having DuckDB group and sort
// millions of user rows instead took minutes and gigabytes at 100,000
// users; the profile matrix is a few hundred thousand rows.
type xlProfiles struct {
	rows  []queries.MatrixRow   // every profile's rows, in profile order
	index map[int64][2]int      // profile -> rows[from:to]
	users []queries.UserProfile // every user, by domain name
	count map[int64]int64       // users per profile
}

func (wb *workbook) loadProfiles() (*xlProfiles, error) {
	m := wb.rep.Access
	p := &xlProfiles{index: map[int64][2]int{}, count: map[int64]int64{}}
	intern := map[string]string{} // tables, depths and sources repeat across profiles
	in := func(s string) string {
		if v, ok := intern[s]; ok {
			return v
		}
		intern[s] = s
		return s
	}
	err := m.EachProfileRow(wb.ctx, func(r queries.MatrixRow) error {
		id := xlProfileID(r.User)
		r.Table, r.Misc, r.Sources = in(r.Table), in(r.Misc), in(r.Sources)
		for i := range r.Depths {
			r.Depths[i] = in(r.Depths[i])
		}
		span, ok := p.index[id]
		if !ok {
			span = [2]int{len(p.rows), len(p.rows)}
		}
		if span[1] != len(p.rows) {
			return fmt.Errorf("access profile %s: rows not together", r.User)
		}
		p.rows = append(p.rows, r)
		span[1]++
		p.index[id] = span
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = m.EachUserProfile(wb.ctx, func(u queries.UserProfile) error {
		p.users = append(p.users, u)
		p.count[u.ProfileID]++
		return nil
	})
	return p, err
}

// userRows counts the rows of the user matrix.
func (p *xlProfiles) userRows() int64 {
	var n int64
	for _, u := range p.users {
		span := p.index[u.ProfileID]
		n += int64(span[1] - span[0])
	}
	return n
}

// eachUserRow streams the matrix user by user, as EachUserRow does.
func (wb *workbook) eachUserRow(fn func(queries.MatrixRow) error) error {
	p := wb.profiles
	if p == nil {
		return wb.rep.Access.EachUserRow(wb.ctx, fn)
	}
	for _, u := range p.users {
		span := p.index[u.ProfileID]
		for _, r := range p.rows[span[0]:span[1]] {
			r.User = u.User
			if err := fn(r); err != nil {
				return err
			}
		}
	}
	return nil
}

// eachProfileRow streams the matrix profile by profile.
func (wb *workbook) eachProfileRow(fn func(queries.MatrixRow) error) error {
	if wb.profiles == nil {
		return wb.rep.Access.EachProfileRow(wb.ctx, fn)
	}
	for _, r := range wb.profiles.rows {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// usersOf counts the users who have a profile.
func (wb *workbook) usersOf(label string) int64 {
	id := xlProfileID(label)
	if wb.profiles != nil {
		return wb.profiles.count[id]
	}
	if wb.profileUsers == nil {
		wb.profileUsers = map[int64]int64{}
		for _, u := range wb.rep.Users {
			wb.profileUsers[u.ProfileID]++
		}
	}
	return wb.profileUsers[id]
}

// matrixSheet lays out a matrix sheet: the legend above the header, then
// who (a user, or a profile and its number of users), table, the eight
// privileges, the miscellaneous privileges (which name no table) and the
// sources.
func (wb *workbook) matrixSheet(name, title string, rows int64, byProfile bool,
	each func(func(queries.MatrixRow) error) error) *xlSheet {
	cols := []xlColumn{{"User", 42}}
	if byProfile {
		cols = []xlColumn{{"Profile", 9}, {"Users", 8}}
	}
	cols = append(cols, xlColumn{"Table", 28})
	for _, t := range xlPrivilegeTitles {
		cols = append(cols, xlColumn{t, 10})
	}
	cols = append(cols, xlColumn{"Miscellaneous privilege", 34}, xlColumn{"Misc. depth", 10}, xlColumn{"Sources", 90})
	first := len(cols) - 11 // column index (0-based) of Create
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
			return each(func(r queries.MatrixRow) error {
				cells = cells[:0]
				cells = append(cells, xlText(r.User, 0))
				if byProfile {
					cells = append(cells, xlNum(wb.usersOf(r.User), 0))
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
				cells = append(cells, misc, miscDepth, xlText(r.Sources, 0))
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

// xlProfileID reads the number back from a profile label "P00012".
func xlProfileID(label string) int64 {
	var n int64
	for _, c := range strings.TrimPrefix(label, "P") {
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + int64(c-'0')
	}
	return n
}

// userProfilesSheet: each user and their access profile, to read a user's
// access off the profile sheet.
func (wb *workbook) userProfilesSheet() *xlSheet {
	users := len(wb.rep.Users)
	if wb.profiles != nil {
		users = len(wb.profiles.users)
	}
	return &xlSheet{
		name: xlUserProfiles, table: true, rows: xlAtLeastOne(users),
		columns: []xlColumn{{"User", 40}, {"Profile", 9}},
		intro:   [][]excelize.Cell{{xlText("Each user's access profile; the profile's access is on the sheet "+xlAccessProfiles+".", wb.st.note)}},
		write: func(emit xlEmit) error {
			if users == 0 {
				return emit(xlText("No users.", wb.st.note))
			}
			write := func(p queries.UserProfile) error { return emit(xlText(p.User, 0), xlText(xlProfile(p.ProfileID), 0)) }
			if wb.profiles == nil {
				return wb.rep.Access.EachUserProfile(wb.ctx, write)
			}
			for _, p := range wb.profiles.users {
				if err := write(p); err != nil {
					return err
				}
			}
			return nil
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
