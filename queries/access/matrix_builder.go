package access

import (
	"sort"
)

// MatrixBuilder assembles a Matrix from its parts without a tenant, for the
// tests and benchmarks of the writers that read one.
type MatrixBuilder struct {
	m *Matrix
}

// MatrixSource is one way a profile holds a role: its text as the sources
// column writes it ("ROLE@BU direct"), and whether it is a team role whose
// members do not inherit it.
type MatrixSource struct {
	RoleID, Text  string
	TeamNoInherit bool
}

// NewMatrixBuilder starts an empty matrix.
func NewMatrixBuilder() *MatrixBuilder {
	return &MatrixBuilder{m: newMatrix()}
}

// Cell adds a (table, privilege) cell and returns its pt_id. Cells must be
// added in output order: by table ("" last), then privilege.
func (b *MatrixBuilder) Cell(table, privilege string) int32 {
	b.m.Cells = append(b.m.Cells, CellInfo{Table: table, Privilege: privilege})
	return int32(len(b.m.Cells) - 1)
}

// Role gives a role its grants: pt_id -> privilegedepthmask.
func (b *MatrixBuilder) Role(id, name string, masks map[int32]int8) {
	var gs []grant
	for pt, mask := range masks {
		gs = append(gs, grant{pt: pt, mask: mask & 15})
	}
	sort.Slice(gs, func(i, j int) bool { return gs[i].pt < gs[j].pt })
	b.m.grants[id] = gs
	b.m.roleOf[id] = id
	b.m.roles = append(b.m.roles, RoleGrants{ID: id, Label: name})
}

// Profile adds an access profile of class (vocab.ClassFull, ClassRead,
// ClassAdministrative, ClassDisabled) holding sources, and returns its id.
func (b *MatrixBuilder) Profile(class string, sources ...MatrixSource) int64 {
	sorted := append([]MatrixSource(nil), sources...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Text < sorted[j].Text })
	p := Profile{ID: int64(len(b.m.Profiles)), Class: class}
	for _, s := range sorted {
		if len(p.texts) == 0 || p.texts[len(p.texts)-1] != s.Text {
			p.texts = append(p.texts, s.Text)
		} else {
			p.sharedSlots = true
		}
		p.sources = append(p.sources, profileSource{roleid: s.RoleID, slot: uint8(len(p.texts) - 1), teamNoInherit: s.TeamNoInherit})
	}
	b.m.Profiles = append(b.m.Profiles, p)
	return p.ID
}

// User adds a user of a profile.
func (b *MatrixBuilder) User(id, domainName string, profile int64) {
	b.m.Users = append(b.m.Users, MatrixUser{ID: id, DomainName: domainName, Profile: profile})
	b.m.Profiles[profile].Users++
}

// Matrix returns the matrix, its users in output order (by domain name).
func (b *MatrixBuilder) Matrix() *Matrix {
	sort.SliceStable(b.m.Users, func(i, j int) bool { return b.m.Users[i].DomainName < b.m.Users[j].DomainName })
	b.m.finishRoles()
	b.m.index()
	return b.m
}
