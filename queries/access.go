package queries

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/d365audit/d365audit/store"
)

// Depths in rising order; a depth's rank is its index.
var Depths = []string{"team", "basic", "local", "deep", "global"}

// DepthRank returns the rank of a depth name, or -1.
func DepthRank(depth string) int {
	for i, d := range Depths {
		if strings.EqualFold(d, depth) {
			return i
		}
	}
	return -1
}

// AccessRow is one cell of the effective-access matrix (OUTPUT.md).
type AccessRow struct {
	User      string `json:"user"`
	Table     string `json:"table"`
	Privilege string `json:"privilege"`
	Depth     string `json:"depth"`
	Sources   string `json:"sources"`
}

// FieldAccessRow is one secured column a user can reach.
type FieldAccessRow struct {
	User    string `json:"user"`
	Table   string `json:"table"`
	Column  string `json:"column"`
	Read    bool   `json:"read"`
	Create  bool   `json:"create"`
	Update  bool   `json:"update"`
	Sources string `json:"sources"`
}

// User is a systemuser as the access questions name it.
type User struct {
	ID, DomainName, FullName string
	Disabled                 bool
	AccessMode               int64
}

// FindUsers returns the users a selector names: a systemuserid, a
// domainname or a full name, compared case-insensitively.
func FindUsers(ctx context.Context, db *store.DB, selector string) ([]User, error) {
	var out []User
	sel := strings.ToLower(strings.Trim(strings.TrimSpace(selector), "{}"))
	err := db.Query(ctx, "find user "+selector,
		`SELECT systemuserid, domainname, coalesce(fullname, ''), isdisabled, accessmode FROM systemusers
		 WHERE systemuserid = ? OR lower(domainname) = ? OR lower(trim(fullname)) = ? ORDER BY domainname, systemuserid`,
		func(rows *sql.Rows) error {
			var u User
			if err := rows.Scan(&u.ID, &u.DomainName, &u.FullName, &u.Disabled, &u.AccessMode); err != nil {
				return err
			}
			out = append(out, u)
			return nil
		}, sel, sel, sel)
	return out, err
}

const accessColumns = `"user", "table", privilege, depth, sources`

// UserAccess returns one user's effective access, optionally on one table.
// The query names the user's profile: the matrix is a view, and a filter on
// the profile is applied before its aggregation (on a filter on the user,
// DuckDB would aggregate every profile first).
func UserAccess(ctx context.Context, db *store.DB, userID, table string) ([]AccessRow, error) {
	profile, err := db.QueryInt(ctx, "profile of "+userID, `SELECT profileid FROM user_profiles WHERE systemuserid = ?`, userID)
	if err != nil {
		return nil, err
	}
	q := `SELECT ` + accessColumns + ` FROM effective_access WHERE profileid = ? AND systemuserid = ?`
	args := []any{profile, userID}
	if table != "" {
		q += ` AND "table" = lower(?)`
		args = append(args, table)
	}
	q += ` ORDER BY "table", privilege`
	return scanAccess(ctx, db, "access of "+userID, q, args...)
}

// WhoCan returns every user who holds privilege on table at minDepth or
// above, highest depth first.
func WhoCan(ctx context.Context, db *store.DB, table, privilege, minDepth string) ([]AccessRow, error) {
	rank := 0
	if minDepth != "" {
		if rank = DepthRank(minDepth); rank < 0 {
			return nil, fmt.Errorf("unknown depth %q (one of %s)", minDepth, strings.Join(Depths, ", "))
		}
	}
	q := `SELECT ` + accessColumns + ` FROM effective_access
	      WHERE "table" = lower(?) AND lower(privilege) = lower(?) AND depth_rank >= ?
	      ORDER BY depth_rank DESC, "user"`
	return scanAccess(ctx, db, "who can "+privilege+" "+table, q, table, privilege, rank)
}

func scanAccess(ctx context.Context, db *store.DB, what, q string, args ...any) ([]AccessRow, error) {
	var out []AccessRow
	err := db.Query(ctx, what, q, func(rows *sql.Rows) error {
		var r AccessRow
		if err := rows.Scan(&r.User, &r.Table, &r.Privilege, &r.Depth, &r.Sources); err != nil {
			return err
		}
		out = append(out, r)
		return nil
	}, args...)
	return out, err
}

// UserFieldAccess returns the secured columns one user can reach.
func UserFieldAccess(ctx context.Context, db *store.DB, userID, table string) ([]FieldAccessRow, error) {
	q := `SELECT "user", "table", "column", canread, cancreate, canupdate, sources FROM user_field_access WHERE systemuserid = ?`
	args := []any{userID}
	if table != "" {
		q += ` AND "table" = lower(?)`
		args = append(args, table)
	}
	q += ` ORDER BY "table", "column"`
	var out []FieldAccessRow
	err := db.Query(ctx, "field access of "+userID, q, func(rows *sql.Rows) error {
		var r FieldAccessRow
		if err := rows.Scan(&r.User, &r.Table, &r.Column, &r.Read, &r.Create, &r.Update, &r.Sources); err != nil {
			return err
		}
		out = append(out, r)
		return nil
	}, args...)
	return out, err
}

// ProfileCount is the number of distinct access profiles: how many
// different grant sets the environment's users have (role explosion).
func ProfileCount(ctx context.Context, db *store.DB) (int64, error) {
	return db.QueryInt(ctx, "count access profiles", `SELECT count(*) FROM access_profiles`)
}
