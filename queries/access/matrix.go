package access

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/bits"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/d365audit/d365audit/queries/vocab"
	"github.com/d365audit/d365audit/store"
)

// Matrix is the effective-access matrix held in the compact form it is
// computed from: each held role's grants, each access profile's role
// sources, and each user's profile. A user's cells are expanded on demand,
// in output order, so the whole matrix (180 million cells at 100,000 users)
// is never held anywhere: access.parquet and the workbook stream it.
//
// It computes exactly what the SQL model does (sql/050_profile_access.sql,
// which stays the definition ad-hoc SQL, the rules and the comparison with
// a previous run read); the property test holds both to a naive model.
type Matrix struct {
	// Cells describes each (table, privilege) cell by pt_id; index 0 is
	// unused (pt_id counts from 1).
	Cells []CellInfo
	// Profiles by profile id (index 0 unused).
	Profiles []Profile
	// Users in output order (user_rank).
	Users []MatrixUser

	tableOf []int32 // pt_id -> its table's number; each miscellaneous privilege its own
	// profile id -> its MatrixRows once counted (-1 before); atomic, as
	// access.parquet and the workbook read the matrix side by side
	rowCounts []atomic.Int32

	grants map[string][]grant // held roleid -> its grants, by pt_id
	roles  []RoleGrants       // each distinct set of grants, by label
	roleOf map[string]string  // held roleid -> the role whose grants it takes (a RoleGrants ID)
}

// RoleGrants is a role whose grants someone holds, standing for the
// business-unit copies that take its privileges; Holders counts the users
// who hold it or one of its copies, directly or through a team.
type RoleGrants struct {
	ID, Label string
	Holders   int64
}

// CellInfo is one (table, privilege) cell of the matrix; Table is "" for
// a miscellaneous privilege, whose Privilege is its full name.
type CellInfo struct {
	Table, Privilege string
	business         bool // an Administrative-mode user holds nothing here
}

// Profile is an access profile: users whose grants are identical.
type Profile struct {
	ID      int64
	Class   string // full, read, administrative or disabled
	Users   int64
	sources []profileSource // by slot
	texts   []string        // slot -> source text ("ROLE@BU direct")
	// sharedSlots: two sources have one text (two roles of one name in
	// one business unit), so a slot can grant a cell at two depths
	sharedSlots bool
}

type profileSource struct {
	roleid        string
	slot          uint8
	teamNoInherit bool // held through a team, and members do not inherit the role
}

// MatrixUser is a user and their access profile.
type MatrixUser struct {
	ID, DomainName string
	Profile        int64
}

type grant struct {
	pt   int32
	mask int8 // privilegedepthmask & 15
}

// SourceSet is a set of a profile's source slots (at most 128, as in SQL).
type SourceSet struct{ Lo, Hi uint64 }

func (s SourceSet) with(slot uint8) SourceSet {
	if slot < 64 {
		s.Lo |= 1 << slot
	} else {
		s.Hi |= 1 << (slot - 64)
	}
	return s
}

// Cell is one privilege a profile holds: its pt_id, the depth's rank
// (vocab.Depths) and the slots of the sources that grant it.
//
// Ranks records the depth each granting source gives, one base-6 digit
// (rank + 1) per source in slot order: with Sources, it tells two cells of
// a profile apart exactly when their sources texts differ, so that writers
// make a text once and reuse it (CellKey). It is 0 where it cannot: more
// than 24 sources grant the cell, or two of the profile's sources share a
// text (and so a slot).
type Cell struct {
	PT      int32
	Rank    int8
	Sources SourceSet
	Ranks   uint64
}

// maxRanks is the largest Ranks that takes one more digit.
const maxRanks = (math.MaxUint64 - 5) / 6

// ranksUnknown marks a Ranks that overflowed; cells get 0 instead.
const ranksUnknown = math.MaxUint64

// LoadMatrix reads the matrix's parts from a database the models were built
// in (an audit in memory, or audit.duckdb).
func LoadMatrix(ctx context.Context, db *store.DB) (*Matrix, error) {
	m := newMatrix()
	for _, load := range []func(context.Context, *store.DB) error{m.loadCells, m.loadProfiles, m.loadSources, m.loadGrants, m.loadUsers} {
		if err := load(ctx, db); err != nil {
			return nil, err
		}
	}
	m.finishRoles()
	m.index()
	return m, nil
}

func newMatrix() *Matrix {
	return &Matrix{Cells: []CellInfo{{}}, Profiles: []Profile{{}}, grants: map[string][]grant{}, roleOf: map[string]string{}}
}

// finishRoles counts each role's holders (enabled users), orders the roles
// by label, and tells apart two distinct roles of one name by their ids.
func (m *Matrix) finishRoles() {
	holders := map[string]int64{}
	for i := 1; i < len(m.Profiles); i++ {
		p := &m.Profiles[i]
		if p.Class == vocab.ClassDisabled {
			continue
		}
		seen := map[string]bool{}
		for _, s := range p.sources {
			if rep := m.roleOf[s.roleid]; !seen[rep] {
				seen[rep] = true
				holders[rep] += p.Users
			}
		}
	}
	sort.Slice(m.roles, func(i, j int) bool {
		a, b := m.roles[i], m.roles[j]
		return a.Label < b.Label || a.Label == b.Label && a.ID < b.ID
	})
	named := map[string]int{}
	for _, r := range m.roles {
		named[r.Label]++
	}
	for i := range m.roles {
		r := &m.roles[i]
		r.Holders = holders[r.ID]
		if named[r.Label] > 1 {
			r.Label += " (" + r.ID + ")"
		}
	}
}

func (m *Matrix) loadCells(ctx context.Context, db *store.DB) error {
	return db.Query(ctx, "matrix cells", `
		SELECT DISTINCT pt_id, table_name, privilege, business_table FROM privilege_tables ORDER BY pt_id`,
		func(rows *sql.Rows) error {
			var id int64
			var c CellInfo
			if err := rows.Scan(&id, &c.Table, &c.Privilege, &c.business); err != nil {
				return err
			}
			if id != int64(len(m.Cells)) {
				return fmt.Errorf("pt_id %d out of sequence", id)
			}
			m.Cells = append(m.Cells, c)
			return nil
		})
}

func (m *Matrix) loadProfiles(ctx context.Context, db *store.DB) error {
	return db.Query(ctx, "matrix profiles", `
		SELECT p.profileid, c.access_class, p.users
		FROM access_profiles p JOIN user_access_class c ON c.systemuserid = p.representative ORDER BY p.profileid`,
		func(rows *sql.Rows) error {
			var p Profile
			if err := rows.Scan(&p.ID, &p.Class, &p.Users); err != nil {
				return err
			}
			if p.ID != int64(len(m.Profiles)) {
				return fmt.Errorf("profile %d out of sequence", p.ID)
			}
			m.Profiles = append(m.Profiles, p)
			return nil
		})
}

func (m *Matrix) loadSources(ctx context.Context, db *store.DB) error {
	return db.Query(ctx, "matrix profile sources", `
		SELECT profileid, slot, roleid, via = 'team' AND coalesce(isinherited, 1) = 0, source_text
		FROM profile_sources ORDER BY profileid, slot, roleid`,
		func(rows *sql.Rows) error {
			var id int64
			var s profileSource
			var slot int
			var text string
			if err := rows.Scan(&id, &slot, &s.roleid, &s.teamNoInherit, &text); err != nil {
				return err
			}
			if id < 1 || id >= int64(len(m.Profiles)) || slot < 0 || slot > 127 {
				return fmt.Errorf("profile source %d/%d out of range", id, slot)
			}
			s.slot = uint8(slot)
			p := &m.Profiles[id]
			p.sources = append(p.sources, s)
			if slot == len(p.texts) {
				p.texts = append(p.texts, text)
			} else {
				p.sharedSlots = true
			}
			return nil
		})
}

// loadGrants reads the grants of the held roles. Business-unit copies of a
// role share their root's grants, so each distinct set is read once, under
// the role whose rows they are (role_grant_sources).
func (m *Matrix) loadGrants(ctx context.Context, db *store.DB) error {
	const held = `SELECT roleid FROM profile_sources`
	err := db.Query(ctx, "matrix role grant sources", `
		SELECT roleid, source_roleid FROM role_grant_sources WHERE roleid IN (`+held+`)`,
		func(rows *sql.Rows) error {
			var id, source string
			if err := rows.Scan(&id, &source); err != nil {
				return err
			}
			m.roleOf[id] = source
			return nil
		})
	if err != nil {
		return err
	}
	bySource := map[string][]grant{}
	err = db.Query(ctx, "matrix role grants", `
		SELECT g.source_roleid, pt.pt_id, g.privilegedepthmask & 15
		FROM source_privilege_grants g JOIN privilege_tables pt USING (privilegeid)
		WHERE g.source_roleid IN (SELECT source_roleid FROM role_grant_sources WHERE roleid IN (`+held+`))
		ORDER BY g.source_roleid, pt.pt_id`,
		func(rows *sql.Rows) error {
			var id string
			var g grant
			if err := rows.Scan(&id, &g.pt, &g.mask); err != nil {
				return err
			}
			// two privileges of one role on the same cell (names that map
			// to one table and right) are one grant at the broader depth:
			// each source then gives each cell one depth
			gs := bySource[id]
			if n := len(gs); n > 0 && gs[n-1].pt == g.pt {
				gs[n-1].mask |= g.mask
				return nil
			}
			bySource[id] = append(gs, g)
			return nil
		})
	if err != nil {
		return err
	}
	for id, source := range m.roleOf {
		m.grants[id] = bySource[source]
	}
	return db.Query(ctx, "matrix role names", `
		SELECT DISTINCT s.source_roleid, r.name
		FROM role_grant_sources s JOIN roles r ON r.roleid = s.source_roleid
		WHERE s.roleid IN (`+held+`)`,
		func(rows *sql.Rows) error {
			var rg RoleGrants
			if err := rows.Scan(&rg.ID, &rg.Label); err != nil {
				return err
			}
			m.roles = append(m.roles, rg)
			m.grants[rg.ID] = bySource[rg.ID]
			return nil
		})
}

func (m *Matrix) loadUsers(ctx context.Context, db *store.DB) error {
	return db.Query(ctx, "matrix users", `
		SELECT u.systemuserid, u.domainname, up.profileid
		FROM user_profiles up JOIN systemusers u USING (systemuserid) ORDER BY up.user_rank`,
		func(rows *sql.Rows) error {
			var u MatrixUser
			if err := rows.Scan(&u.ID, &u.DomainName, &u.Profile); err != nil {
				return err
			}
			if u.Profile < 1 || u.Profile >= int64(len(m.Profiles)) {
				return fmt.Errorf("user %s: profile %d out of range", u.DomainName, u.Profile)
			}
			m.Users = append(m.Users, u)
			return nil
		})
}

// Expander computes profiles' cells; it keeps scratch space sized to the
// matrix, so one is made per goroutine and reused.
type Expander struct {
	m       *Matrix
	rank    []int8 // by pt_id; -1: not held
	sources []SourceSet
	ranks   []uint64 // Cell.Ranks being built
	held    []uint64 // bitmap of pt_ids touched, to emit them in order
}

// NewExpander returns an expander for m.
func (m *Matrix) NewExpander() *Expander {
	e := &Expander{m: m, rank: make([]int8, len(m.Cells)), sources: make([]SourceSet, len(m.Cells)), ranks: make([]uint64, len(m.Cells)),
		held: make([]uint64, (len(m.Cells)+63)/64)}
	for i := range e.rank {
		e.rank[i] = -1
	}
	return e
}

// Cells appends profile p's cells to buf in pt_id order (table, then
// privilege; miscellaneous privileges last) and returns it. The depth of a
// cell is the highest over its grants (dataverse-security.md 2.1); a Basic
// grant of a team role whose members do not inherit it reaches only the
// team's records (2.3); a disabled user holds nothing, a Read-mode user only
// reads, and an Administrative-mode user holds nothing on business tables.
func (e *Expander) Cells(p *Profile, buf []Cell) []Cell {
	if p.Class == vocab.ClassDisabled {
		return buf
	}
	cells := e.m.Cells
	for _, s := range p.sources {
		for _, g := range e.m.grants[s.roleid] {
			c := &cells[g.pt]
			if (p.Class == vocab.ClassRead && c.Privilege != "read") || (p.Class == vocab.ClassAdministrative && c.business) {
				continue
			}
			r := vocab.GrantRank(g.mask, s.teamNoInherit)
			if r > e.rank[g.pt] {
				e.rank[g.pt] = r
			}
			e.sources[g.pt] = e.sources[g.pt].with(s.slot)
			if d := e.ranks[g.pt]; d <= maxRanks {
				e.ranks[g.pt] = d*6 + uint64(r) + 1
			} else {
				e.ranks[g.pt] = ranksUnknown
			}
			e.held[g.pt>>6] |= 1 << (g.pt & 63)
		}
	}
	for w, word := range e.held {
		for word != 0 {
			pt := int32(w<<6 + bits.TrailingZeros64(word))
			word &= word - 1
			ranks := e.ranks[pt]
			if ranks == ranksUnknown || p.sharedSlots {
				ranks = 0
			}
			buf = append(buf, Cell{PT: pt, Rank: e.rank[pt], Sources: e.sources[pt], Ranks: ranks})
			e.rank[pt], e.sources[pt], e.ranks[pt] = -1, SourceSet{}, 0
		}
		e.held[w] = 0
	}
	return buf
}

// CellKey identifies a cell's sources text within one access profile:
// cells with equal keys have the same text. It is (Sources, Ranks), or the
// cell itself where Ranks is 0.
type CellKey struct {
	Sources SourceSet
	Ranks   uint64
	PT      int32
}

// Key is c's CellKey.
func (c *Cell) Key() CellKey {
	if c.Ranks == 0 {
		return CellKey{PT: c.PT}
	}
	return CellKey{Sources: c.Sources, Ranks: c.Ranks, PT: -1}
}

// CellSourcesText is SourcesText for one cell, read from the cell's Ranks
// where it has them (no grant is looked up).
func (m *Matrix) CellSourcesText(p *Profile, c *Cell) string {
	if c.Ranks == 0 {
		return m.SourcesText(p, c.PT)
	}
	ranks := make([]int8, len(p.texts))
	for i := range ranks {
		ranks[i] = -1
	}
	// the last digit is the highest slot's
	d := c.Ranks
	for half := 1; half >= 0; half-- {
		word := [2]uint64{c.Sources.Lo, c.Sources.Hi}[half]
		for word != 0 {
			top := 63 - bits.LeadingZeros64(word)
			word &^= 1 << top
			ranks[half*64+top] = int8(d%6) - 1
			d /= 6
		}
	}
	return p.rankedText(ranks)
}

// SourcesText is the sources column of OUTPUT.md for profile p's cells
// pts (one cell, or a workbook row's): each grant as its source's text and
// the depth it gives, "ROLE@BU direct (global)" (over several cells, the
// broadest), the deciding grants first, then the others by depth, in text
// order within a depth; joined by "; ". The depths are read from the
// sources' grants, so the text never depends on how a cell was keyed.
func (m *Matrix) SourcesText(p *Profile, pts ...int32) string {
	ranks := make([]int8, len(p.texts))
	for i := range ranks {
		ranks[i] = -1
	}
	for _, s := range p.sources {
		gs := m.grants[s.roleid]
		for _, pt := range pts {
			k := sort.Search(len(gs), func(i int) bool { return gs[i].pt >= pt })
			if k < len(gs) && gs[k].pt == pt {
				if r := vocab.GrantRank(gs[k].mask, s.teamNoInherit); r > ranks[s.slot] {
					ranks[s.slot] = r
				}
			}
		}
	}
	return p.rankedText(ranks)
}

// rankedText writes the sources of a profile whose ranks (by slot; -1
// for none) are given, highest rank first, in slot (text) order within a
// rank.
func (p *Profile) rankedText(ranks []int8) string {
	var b strings.Builder
	for rank := int8(len(vocab.Depths) - 1); rank >= 0; rank-- {
		for slot, r := range ranks {
			if r != rank {
				continue
			}
			if b.Len() > 0 {
				b.WriteString("; ")
			}
			b.WriteString(p.texts[slot])
			b.WriteString(" (")
			b.WriteString(vocab.Depths[rank])
			b.WriteString(")")
		}
	}
	return b.String()
}

// EachUser calls fn for every user in output order with their profile and
// cells; cells is reused after fn returns.
func (m *Matrix) EachUser(fn func(u *MatrixUser, p *Profile, cells []Cell) error) error {
	e := m.NewExpander()
	var buf []Cell
	for i := range m.Users {
		u := &m.Users[i]
		p := &m.Profiles[u.Profile]
		buf = e.Cells(p, buf[:0])
		if n := &m.rowCounts[u.Profile]; n.Load() < 0 {
			n.Store(m.rowsOf(buf))
		}
		if err := fn(u, p, buf); err != nil {
			return err
		}
	}
	return nil
}

// index numbers the tables and sizes the row counts, once the cells and
// profiles are known.
func (m *Matrix) index() {
	m.tableOf = make([]int32, len(m.Cells))
	n := int32(0)
	for pt := 1; pt < len(m.Cells); pt++ {
		if c := m.Cells[pt]; c.Table == "" || c.Table != m.Cells[pt-1].Table {
			n++
		}
		m.tableOf[pt] = n
	}
	m.rowCounts = make([]atomic.Int32, len(m.Profiles))
	for i := range m.rowCounts {
		m.rowCounts[i].Store(-1)
	}
}

// rowsOf counts the MatrixRows of cells in pt_id order: a row per table
// (its cells are consecutive), and one per miscellaneous privilege.
func (m *Matrix) rowsOf(cells []Cell) int32 {
	var rows int32
	for i, c := range cells {
		if i == 0 || m.tableOf[c.PT] != m.tableOf[cells[i-1].PT] {
			rows++
		}
	}
	return rows
}

// ProfileRowCounts is each profile's number of MatrixRows (by profile id;
// index 0 unused), counted while access.parquet was written, or now.
func (m *Matrix) ProfileRowCounts() []int32 {
	e := m.NewExpander()
	var buf []Cell
	counts := make([]int32, len(m.rowCounts))
	for id := 1; id < len(counts); id++ {
		n := &m.rowCounts[id]
		if n.Load() < 0 {
			buf = e.Cells(&m.Profiles[id], buf[:0])
			n.Store(m.rowsOf(buf))
		}
		counts[id] = n.Load()
	}
	return counts
}
