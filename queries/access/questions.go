package access

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"github.com/d365audit/d365audit/internal/guid"
	"github.com/d365audit/d365audit/internal/suggest"
	"github.com/d365audit/d365audit/queries/vocab"
	"github.com/d365audit/d365audit/store"
)

// AccessRow is one cell of the effective-access matrix (OUTPUT.md).
type AccessRow struct {
	// Environment is the row's environment when a tenant is asked.
	Environment string `json:"environment,omitempty"`
	User        string `json:"user"`
	Table       string `json:"table"`
	Privilege   string `json:"privilege"`
	Depth       string `json:"depth"`
	Sources     string `json:"sources"`
	// FullName and BusinessUnit say who the domain name is: who-can fills
	// them, for the person reading the answer.
	FullName     string `json:"full_name,omitempty"`
	BusinessUnit string `json:"business_unit,omitempty"`
}

// FieldAccessRow is one secured column a user can reach.
type FieldAccessRow struct {
	// Environment is the row's environment in a tenant run.
	Environment string `json:"environment,omitempty"`
	User        string `json:"user"`
	Table       string `json:"table"`
	Column      string `json:"column"`
	Read        bool   `json:"read"`
	Create      bool   `json:"create"`
	Update      bool   `json:"update"`
	Sources     string `json:"sources"`
}

// User is a systemuser as the access questions name it.
type User struct {
	ID, DomainName, FullName, BusinessUnit string
	Disabled                               bool
	AccessMode                             int64
}

// FindUsers returns the users a selector names: a systemuserid, a
// domainname or a full name, compared case-insensitively.
func FindUsers(ctx context.Context, db *store.DB, selector string) ([]User, error) {
	sel := guid.Key(selector)
	return store.Collect(ctx, db, "find user "+selector,
		`SELECT u.systemuserid, u.domainname, coalesce(u.fullname, ''), coalesce(bu.name, u.businessunitid), u.isdisabled, u.accessmode
		 FROM systemusers u LEFT JOIN businessunits bu USING (businessunitid)
		 WHERE u.systemuserid = ? OR lower(u.domainname) = ? OR lower(trim(u.fullname)) = ? ORDER BY u.domainname, u.systemuserid`,
		func(rows *sql.Rows, u *User) error {
			return rows.Scan(&u.ID, &u.DomainName, &u.FullName, &u.BusinessUnit, &u.Disabled, &u.AccessMode)
		}, sel, sel, sel)
}

// accessColumns are an AccessRow's columns of effective_access; who the
// user is (full name, business unit) only who-can fills.
const accessColumns = `"user", "table", privilege, depth, sources, '', ''`

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
// above, highest depth first, with their full name and business unit.
// table and privilege are as ResolvePrivilege returns them.
func WhoCan(ctx context.Context, db *store.DB, table, privilege, minDepth string) ([]AccessRow, error) {
	rank := 0
	if minDepth != "" {
		if rank = vocab.DepthRank(minDepth); rank < 0 {
			return nil, fmt.Errorf("unknown depth %q (one of %s)", minDepth, vocab.DepthNames)
		}
	}
	q := `SELECT e."user", e."table", e.privilege, e.depth, e.sources, coalesce(u.fullname, ''), coalesce(bu.name, '')
	      FROM effective_access e JOIN systemusers u USING (systemuserid)
	      LEFT JOIN businessunits bu ON bu.businessunitid = u.businessunitid
	      WHERE e."table" = lower(?) AND lower(e.privilege) = lower(?) AND e.depth_rank >= ?
	      ORDER BY e.depth_rank DESC, e."user"`
	return scanAccess(ctx, db, "who can "+privilege+" "+table, q, table, privilege, rank)
}

func scanAccess(ctx context.Context, db *store.DB, what, q string, args ...any) ([]AccessRow, error) {
	return store.Collect(ctx, db, what, q, func(rows *sql.Rows, r *AccessRow) error {
		return rows.Scan(&r.User, &r.Table, &r.Privilege, &r.Depth, &r.Sources, &r.FullName, &r.BusinessUnit)
	}, args...)
}

// QuestionError is a question the export cannot answer truthfully: a
// table, privilege or user it does not know (with the closest names it
// does know), or a right a table has no privilege for. The answer to a
// misspelt question is this error, never an empty result.
type QuestionError struct{ msg string }

func (e *QuestionError) Error() string { return e.msg }

func questionErr(format string, args ...any) error {
	return &QuestionError{msg: fmt.Sprintf(format, args...)}
}

func notFound(what, name string, known []string) error {
	return questionErr("the export has no %s %s%s", what, name, suggest.DidYouMean(name, known))
}

// ResolvePrivilege turns what a person asks about into the matrix's table
// and privilege: a full privilege name (prvDeleteAccount: delete on
// account; prvBulkDelete: the miscellaneous privilege), or a table and a
// right. Names are compared without regard to case. A table or privilege
// the export does not have is a *NotFoundError; so is a right the table has
// no privilege for (who-can would answer "nobody", which is not the truth:
// nobody can be granted it). Those are *QuestionError.
func ResolvePrivilege(ctx context.Context, db *store.DB, table, privilege string) (string, string, error) {
	table, privilege = strings.ToLower(strings.TrimSpace(table)), strings.TrimSpace(privilege)
	if strings.HasPrefix(strings.ToLower(privilege), "prv") {
		var t, p string
		err := db.Query(ctx, "privilege "+privilege,
			`SELECT table_name, privilege FROM privilege_tables WHERE lower(name) = lower(?) ORDER BY privilegeid LIMIT 1`,
			func(rows *sql.Rows) error { return rows.Scan(&t, &p) }, privilege)
		if err != nil {
			return "", "", err
		}
		if t == "" && p == "" {
			names, err := distinct(ctx, db, `SELECT DISTINCT name FROM privilege_tables`)
			if err != nil {
				return "", "", err
			}
			return "", "", notFound("privilege", privilege, names)
		}
		if table != "" && table != t {
			where := "is a miscellaneous privilege"
			if t != "" {
				where = "is " + p + " on " + t
			}
			return "", "", questionErr("%s %s, not a privilege on %s: leave out the table", privilege, where, table)
		}
		return t, p, nil
	}
	if !vocab.IsTableRight(privilege) {
		return "", "", questionErr("privilege %q is not one of %s, nor a full privilege name (prvDeleteAccount, prvBulkDelete)",
			privilege, strings.Join(vocab.TableRights, ", "))
	}
	privilege = strings.ToLower(privilege)
	if table == "" {
		return "", "", questionErr("%s needs a table, or give the full privilege name (prv%s...)", privilege, privilege)
	}
	rights, err := TableRightsOf(ctx, db, table)
	if err != nil {
		return "", "", err
	}
	for _, r := range rights {
		if r == privilege {
			return table, privilege, nil
		}
	}
	return "", "", questionErr("the export has no %s privilege on %s (it has %s)", privilege, table, strings.Join(rights, ", "))
}

// TableRightsOf returns the rights the export has privileges for on a
// table; a table it has none on is a *NotFoundError.
func TableRightsOf(ctx context.Context, db *store.DB, table string) ([]string, error) {
	table = strings.ToLower(strings.TrimSpace(table))
	rights, err := distinct(ctx, db, `SELECT DISTINCT privilege FROM privilege_tables WHERE table_name = ?`, table)
	if err != nil || len(rights) > 0 {
		return rights, err
	}
	tables, err := distinct(ctx, db, `SELECT DISTINCT table_name FROM privilege_tables WHERE table_name <> ''`)
	if err != nil {
		return nil, err
	}
	return nil, notFound("table", table, tables)
}

// SuggestUsers returns the users' names closest to a selector that named
// nobody.
func SuggestUsers(ctx context.Context, db *store.DB, selector string) (string, error) {
	names, err := distinct(ctx, db, `SELECT domainname FROM systemusers UNION SELECT trim(fullname) FROM systemusers WHERE fullname IS NOT NULL`)
	if err != nil {
		return "", err
	}
	return suggest.DidYouMean(selector, names), nil
}

// distinct returns a query's names, sorted.
func distinct(ctx context.Context, db *store.DB, q string, args ...any) ([]string, error) {
	out, err := db.QueryStrings(ctx, "names", q, args...)
	sort.Strings(out)
	return out, err
}

// fieldAccessColumns are a FieldAccessRow's columns of user_field_access.
const fieldAccessColumns = `SELECT "user", "table", "column", canread, cancreate, canupdate, sources FROM user_field_access`

// UserFieldAccess returns the secured columns one user can reach.
func UserFieldAccess(ctx context.Context, db *store.DB, userID, table string) ([]FieldAccessRow, error) {
	q := fieldAccessColumns + ` WHERE systemuserid = ?`
	args := []any{userID}
	if table != "" {
		q += ` AND "table" = lower(?)`
		args = append(args, table)
	}
	q += ` ORDER BY "table", "column"`
	return scanFieldAccess(ctx, db, "field access of "+userID, q, args...)
}

// FieldAccess returns every user's reachable secured columns, for the
// reports.
func FieldAccess(ctx context.Context, db *store.DB) ([]FieldAccessRow, error) {
	return scanFieldAccess(ctx, db, "field security for the report", fieldAccessColumns+` ORDER BY "user", "table", "column"`)
}

func scanFieldAccess(ctx context.Context, db *store.DB, what, q string, args ...any) ([]FieldAccessRow, error) {
	return store.Collect(ctx, db, what, q, func(rows *sql.Rows, r *FieldAccessRow) error {
		return rows.Scan(&r.User, &r.Table, &r.Column, &r.Read, &r.Create, &r.Update, &r.Sources)
	}, args...)
}

// ProfileCount is the number of distinct access profiles: how many
// different grant sets the environment's users have (role explosion).
func ProfileCount(ctx context.Context, db *store.DB) (int64, error) {
	return db.QueryInt(ctx, "count access profiles", `SELECT count(*) FROM access_profiles`)
}
