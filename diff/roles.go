package diff

import (
	"context"
	"database/sql"
	_ "embed"

	"github.com/d365audit/d365audit/store"
)

// Kinds of role change between two runs.
const (
	RoleAdded        = "role_added"        // a root role that the old run did not have
	RoleRemoved      = "role_removed"      // a root role that the new run does not have
	RoleRenamed      = "renamed"           // Detail: the old name
	RoleInheritance  = "inheritance"       // isinherited changed: Detail says from what to what
	PrivilegeAdded   = "privilege_added"   // the role grants a privilege it did not
	PrivilegeRemoved = "privilege_removed" // the role no longer grants a privilege
	// DepthUp and DepthDown: the privilege's depth changed.
)

// RoleChange is one change to a role between the runs: to a root role, or to
// a business-unit copy whose privileges changed otherwise than its root's.
// Privileges are compared by name, roles by roleid.
type RoleChange struct {
	// Environment is the change's environment when two tenant runs are
	// compared.
	Environment  string `json:"environment,omitempty"`
	RoleID       string `json:"roleid"`
	Role         string `json:"role"`
	BusinessUnit string `json:"businessunit"`
	Root         bool   `json:"root"`
	Change       string `json:"change"`
	Privilege    string `json:"privilege,omitempty"`
	OldDepth     string `json:"old_depth,omitempty"`
	NewDepth     string `json:"new_depth,omitempty"`
	Detail       string `json:"detail,omitempty"`
	// Holders counts the users who hold the role (a root role: any of its
	// business-unit copies) in the new run, or in the old run for a role
	// removed.
	Holders int64 `json:"holders"`
}

// rolesQuery compares the privilege rows of the roles with rows of their own
// (d_role_rows_old and d_role_rows_new, built by compareAccess): a copy
// without rows of its own grants what its root does, and changes with it.
//
//go:embed sql/roles.sql
var rolesQuery string

func compareRoles(ctx context.Context, db *store.DB) ([]RoleChange, error) {
	out := []RoleChange{}
	err := db.Query(ctx, "compare roles", rolesQuery, func(rows *sql.Rows) error {
		var c RoleChange
		if err := rows.Scan(&c.RoleID, &c.Role, &c.BusinessUnit, &c.Root, &c.Change, &c.Privilege, &c.OldDepth, &c.NewDepth,
			&c.Detail, &c.Holders); err != nil {
			return err
		}
		out = append(out, c)
		return nil
	})
	return out, err
}
