package access

import (
	"context"
	"fmt"

	"github.com/d365audit/d365audit/queries/vocab"
)

// AccessMatrix lays the effective-access matrix out as the Dataverse role
// editor shows a role (MatrixRow), by user or by access profile, streaming
// it from the Matrix: at 100,000 users it has millions of rows.
type AccessMatrix struct {
	m *Matrix
}

// NewAccessMatrix lays out m.
func NewAccessMatrix(m *Matrix) *AccessMatrix { return &AccessMatrix{m: m} }

// Matrix is the matrix laid out.
func (a *AccessMatrix) Matrix() *Matrix { return a.m }

// UserRows counts the rows EachUserRow yields.
func (a *AccessMatrix) UserRows(ctx context.Context) (int64, error) {
	rows := a.m.ProfileRowCounts()
	var n int64
	for _, u := range a.m.Users {
		n += int64(rows[u.Profile])
	}
	return n, ctx.Err()
}

// ProfileRows counts the rows EachProfileRow yields.
func (a *AccessMatrix) ProfileRows(ctx context.Context) (int64, error) {
	var n int64
	for _, r := range a.m.ProfileRowCounts()[1:] {
		n += int64(r)
	}
	return n, ctx.Err()
}

// EachUserRow calls fn for every user and table (and miscellaneous
// privilege), ordered by user.
func (a *AccessMatrix) EachUserRow(ctx context.Context, fn func(MatrixRow) error) error {
	return a.m.EachUser(func(u *MatrixUser, p *Profile, cells []Cell) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		return a.eachRow(u.DomainName, p, cells, fn)
	})
}

// EachProfileRow calls fn for every profile and table; User holds the
// profile's label (ProfileLabel).
func (a *AccessMatrix) EachProfileRow(ctx context.Context, fn func(MatrixRow) error) error {
	e := a.m.NewExpander()
	var buf []Cell
	for i := 1; i < len(a.m.Profiles); i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		p := &a.m.Profiles[i]
		buf = e.Cells(p, buf[:0])
		if err := a.eachRow(ProfileLabel(p.ID), p, buf, fn); err != nil {
			return err
		}
	}
	return nil
}

// MatrixRow is one user and table of the access matrix, laid out as the role
// editor shows a role: a depth per privilege ("" where none), and the
// sources of every grant on the table. Miscellaneous privileges come as
// rows whose Table is empty and whose Misc names the privilege.
type MatrixRow struct {
	User    string
	Table   string
	Misc    string
	Depths  [8]string // in vocab.TableRights order
	Sources string
}

// ProfileLabel names an access profile in reports: P00012.
func ProfileLabel(id int64) string { return fmt.Sprintf("P%05d", id) }

// eachRow lays one user's (or profile's) cells out as rows: the cells of a
// table (consecutive in pt_id order) make one row, with the sources of
// every grant on it (each at the broadest depth it gives on the table);
// each miscellaneous privilege makes a row of its own,
// after the tables.
// p gives the sources' text; without it, Sources is empty.
func (a *AccessMatrix) eachRow(who string, p *Profile, cells []Cell, fn func(MatrixRow) error) error {
	pts := make([]int32, 0, len(vocab.TableRights))
	for i := 0; i < len(cells); {
		info := a.m.Cells[cells[i].PT]
		r := MatrixRow{User: who, Table: info.Table}
		pts = append(pts[:0], cells[i].PT)
		if info.Table == "" {
			r.Misc, r.Depths[0] = info.Privilege, vocab.Depths[cells[i].Rank]
			i++
		} else {
			pts = pts[:0]
			for table := a.m.tableOf[cells[i].PT]; i < len(cells) && a.m.tableOf[cells[i].PT] == table; i++ {
				c := cells[i]
				pts = append(pts, c.PT)
				if k := tablePrivilegeIndex(a.m.Cells[c.PT].Privilege); k >= 0 {
					r.Depths[k] = vocab.Depths[c.Rank]
				}
			}
		}
		if p != nil {
			r.Sources = a.m.SourcesText(p, pts...)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

func tablePrivilegeIndex(privilege string) int {
	for i, p := range vocab.TableRights {
		if p == privilege {
			return i
		}
	}
	return -1
}

// UserProfile is a user and the access profile they share.
type UserProfile struct {
	User      string
	ProfileID int64
}

// EachUserProfile calls fn for every user and their profile, by domain name.
func (a *AccessMatrix) EachUserProfile(ctx context.Context, fn func(UserProfile) error) error {
	for _, u := range a.m.Users {
		if err := fn(UserProfile{User: u.DomainName, ProfileID: u.Profile}); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// Roles are the roles whose grants someone holds, by label.
func (a *AccessMatrix) Roles() []RoleGrants { return a.m.roles }

// RoleRows counts the rows EachRoleRow yields.
func (a *AccessMatrix) RoleRows(ctx context.Context) (int64, error) {
	var n int64
	err := a.EachRoleRow(ctx, func(MatrixRow) error { n++; return nil })
	return n, err
}

// EachRoleRow calls fn for every held role and table, as the role editor
// shows the role: each grant at its own depth (a Basic grant of a team role
// whose members do not inherit it is shown as basic). User holds the
// role's label; Sources is empty.
func (a *AccessMatrix) EachRoleRow(ctx context.Context, fn func(MatrixRow) error) error {
	var cells []Cell
	for _, r := range a.m.roles {
		if err := ctx.Err(); err != nil {
			return err
		}
		cells = cells[:0]
		for _, g := range a.m.grants[r.ID] {
			// grants are in pt_id order; several privileges may share a cell
			rank := vocab.GrantRank(g.mask, false)
			if n := len(cells); n > 0 && cells[n-1].PT == g.pt {
				cells[n-1].Rank = max(cells[n-1].Rank, rank)
				continue
			}
			cells = append(cells, Cell{PT: g.pt, Rank: rank})
		}
		if err := a.eachRow(r.Label, nil, cells, fn); err != nil {
			return err
		}
	}
	return nil
}
