package diff

import (
	"context"
	"database/sql"
	_ "embed"
	"fmt"
	"sort"
	"strings"

	"github.com/d365audit/d365audit/store"
)

// Kinds of access change of one user on one table and privilege.
const (
	Gained     = "gained"      // no access before
	Lost       = "lost"        // no access now
	DepthUp    = "depth_up"    // broader depth now
	DepthDown  = "depth_down"  // narrower depth now
	ScopeMoved = "scope_moved" // same Local or Deep depth, counted from other business units
)

// Kinds of cause of an access change. A change gets one: the first that
// applies in this order: user added or removed; state or access mode;
// business unit; direct role; team membership; team roles; role privileges;
// else other. A cause applies only when it accounts for the change: access
// gained or broadened needs a role gained (through a direct assignment, a
// team, or a role edit) that grants the privilege at the new depth; access
// lost or narrowed, a role lost that granted it at the old depth. A
// business-unit move accounts for scope moves and for what comes with it in
// Dataverse, the swap of each direct role for its copy in the new business
// unit and of the default team; for anything else it is the cause only when
// nothing more specific is.
const (
	CauseUserAdded      = "user_added"      // the user is new in the export
	CauseUserRemoved    = "user_removed"    // the user is no longer in the export
	CauseUserState      = "user_state"      // enabled / disabled, or the access mode
	CauseBusinessUnit   = "business_unit"   // the user moved business unit
	CauseDirectRole     = "direct_role"     // a role assigned to or removed from the user
	CauseTeamMembership = "team_membership" // the user joined or left a team that holds the role
	CauseTeamRoles      = "team_roles"      // a team of the user was given or lost a role
	CauseRolePrivileges = "role_privileges" // a role the user holds in both runs grants otherwise
	CauseOther          = "other"           // none of the above: Detail explains what is known
)

// AccessChange is one user's access to one table and privilege, before and
// after. A depth of "" is no access.
type AccessChange struct {
	// Environment is the change's environment when two tenant runs are
	// compared.
	Environment string `json:"environment,omitempty"`
	UserID      string `json:"systemuserid"`
	User        string `json:"user"` // domainname
	UserName    string `json:"user_name"`
	Table       string `json:"table"` // "" for a privilege that names no table
	Privilege   string `json:"privilege"`
	Change      string `json:"change"`
	OldDepth    string `json:"old_depth"`
	NewDepth    string `json:"new_depth"`
	// The business units a Local or Deep depth is counted from.
	OldScope   string `json:"old_scope,omitempty"`
	NewScope   string `json:"new_scope,omitempty"`
	OldSources string `json:"old_sources"`
	NewSources string `json:"new_sources"`
	Cause      Cause  `json:"cause"`
}

// Cause says why an access changed.
type Cause struct {
	Kind   string `json:"kind"`
	Detail string `json:"detail"`
}

// UserChange is what changed on one user, whether or not it changed access.
type UserChange struct {
	// Environment is the change's environment when two tenant runs are
	// compared.
	Environment  string      `json:"environment,omitempty"`
	UserID       string      `json:"systemuserid"`
	User         string      `json:"user"`
	UserName     string      `json:"user_name"`
	Added        bool        `json:"added,omitempty"`
	Removed      bool        `json:"removed,omitempty"`
	State        *Transition `json:"state,omitempty"`       // enabled / disabled
	AccessMode   *Transition `json:"access_mode,omitempty"` // Read-Write, Administrative, Read, ...
	BusinessUnit *Transition `json:"businessunit,omitempty"`
	RolesAdded   []string    `json:"roles_added,omitempty"` // direct assignments, Role@BU
	RolesRemoved []string    `json:"roles_removed,omitempty"`
	TeamsJoined  []string    `json:"teams_joined,omitempty"`
	TeamsLeft    []string    `json:"teams_left,omitempty"`
}

// Transition is a value before and after.
type Transition struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// accessSetup: macros and the user, role-source and role-grant comparisons
// the access changes and their causes are built from; {db} is replaced by
// old and new where a statement is per run.
//
//go:embed sql/access.sql
var accessSetup string

// rootsOfRoles makes d_roots_old and d_roots_new: each role's root role
// and grant source (whose privilege rows it takes) as each run stored them
// in role_roots. A run written before role_roots held source_roleid stored
// the sources of its expanded roles only, not of a role held only in the
// other run: its sources are derived as the model does, own rows or the
// root's. A run written before role_roots existed took one step up
// parentrootroleid, and its access was computed that way, so that is what
// it is compared as.
func rootsOfRoles(ctx context.Context, db *store.DB) error {
	for _, run := range []string{"old", "new"} {
		stored, err := db.QueryInt(ctx, "role_roots in "+run,
			`SELECT count(*) FROM duckdb_columns() WHERE database_name = ? AND table_name = 'role_roots'
			   AND column_name IN ('rootroleid', 'source_roleid')`, run)
		if err != nil {
			return err
		}
		q := fmt.Sprintf(`CREATE TABLE d_roots_%[1]s AS SELECT roleid, rootroleid, source_roleid FROM %[1]s.role_roots`, run)
		if stored < 2 {
			roots := fmt.Sprintf(`SELECT roleid, rootroleid FROM %s.role_roots`, run)
			if stored == 0 {
				roots = fmt.Sprintf(`SELECT roleid, coalesce(parentrootroleid, roleid) AS rootroleid FROM %s.roles`, run)
			}
			q = fmt.Sprintf(`CREATE TABLE d_roots_%[1]s AS
				SELECT roleid, rootroleid, CASE WHEN roleid IN (SELECT roleid FROM %[1]s.roleprivilegescollection)
				                                THEN roleid ELSE rootroleid END AS source_roleid
				FROM (%[2]s)`, run, roots)
		}
		if err := db.Exec(ctx, "roots of roles in "+run, q); err != nil {
			return err
		}
	}
	return nil
}

// otherDetail explains a change nothing in the two exports accounts for.
const otherDetail = "no change to the user's state, business unit, roles, teams or to the privileges of the roles held " +
	"explains it (privilege metadata or the policy may have changed)"

func compareAccess(ctx context.Context, db *store.DB, d *Diff) error {
	if err := rootsOfRoles(ctx, db); err != nil {
		return err
	}
	for i, stmt := range store.SplitStatements(accessSetup) {
		runs := []string{""}
		if strings.Contains(stmt, "{db}") {
			runs = []string{"old", "new"}
		}
		for _, run := range runs {
			if err := db.Exec(ctx, fmt.Sprintf("compare access, step %d", i+1), strings.ReplaceAll(stmt, "{db}", run)); err != nil {
				return err
			}
		}
	}
	d.Access = []AccessChange{}
	err := db.Query(ctx, "read access changes", accessChangesQuery,
		func(rows *sql.Rows) error {
			var a AccessChange
			if err := rows.Scan(&a.UserID, &a.User, &a.UserName, &a.Table, &a.Privilege, &a.Change, &a.OldDepth, &a.NewDepth,
				&a.OldScope, &a.NewScope, &a.OldSources, &a.NewSources, &a.Cause.Kind, &a.Cause.Detail); err != nil {
				return err
			}
			if a.Change != ScopeMoved {
				// the scope says something only when the depth is the same
				a.OldScope, a.NewScope = "", ""
			}
			if a.Cause.Kind == "" {
				a.Cause = Cause{Kind: CauseOther, Detail: otherDetail}
			}
			d.Access = append(d.Access, a)
			return nil
		})
	if err != nil {
		return err
	}
	d.Users, err = userChanges(ctx, db)
	return err
}

// userChanges lists what changed on each user: presence, state, access mode,
// business unit, direct roles, team memberships.
func userChanges(ctx context.Context, db *store.DB) ([]UserChange, error) {
	byID := map[string]*UserChange{}
	err := db.Query(ctx, "read user changes", userChangesQuery,
		func(rows *sql.Rows) error {
			var u UserChange
			var inOld, inNew, state, mode, bu bool
			var s1, s2, m1, m2, b1, b2 string
			if err := rows.Scan(&u.UserID, &u.User, &u.UserName, &inOld, &inNew, &s1, &s2, &m1, &m2, &b1, &b2, &state, &mode, &bu); err != nil {
				return err
			}
			u.Added, u.Removed = !inOld, !inNew
			if state {
				u.State = &Transition{s1, s2}
			}
			if mode {
				u.AccessMode = &Transition{m1, m2}
			}
			if bu {
				u.BusinessUnit = &Transition{b1, b2}
			}
			byID[u.UserID] = &u
			return nil
		})
	if err != nil {
		return nil, err
	}
	err = readListChanges(ctx, db, "read direct role changes", roleAssignmentChangesQuery,
		byID, func(u *UserChange) (added, removed *[]string) { return &u.RolesAdded, &u.RolesRemoved })
	if err != nil {
		return nil, err
	}
	err = readListChanges(ctx, db, "read team membership changes", teamMembershipChangesQuery,
		byID, func(u *UserChange) (joined, left *[]string) { return &u.TeamsJoined, &u.TeamsLeft })
	if err != nil {
		return nil, err
	}
	out := []UserChange{}
	for _, u := range byID {
		if !u.Added && !u.Removed && u.State == nil && u.AccessMode == nil && u.BusinessUnit == nil &&
			len(u.RolesAdded)+len(u.RolesRemoved)+len(u.TeamsJoined)+len(u.TeamsLeft) == 0 {
			continue
		}
		for _, l := range [][]string{u.RolesAdded, u.RolesRemoved, u.TeamsJoined, u.TeamsLeft} {
			sort.Strings(l)
		}
		out = append(out, *u)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].User != out[j].User {
			return out[i].User < out[j].User
		}
		return out[i].UserID < out[j].UserID
	})
	return out, nil
}

// readListChanges runs query, whose rows are (systemuserid, label, added),
// and files each label in the user's list of additions or removals that
// lists gives (roles added or removed, teams joined or left).
func readListChanges(ctx context.Context, db *store.DB, what, query string, byID map[string]*UserChange,
	lists func(*UserChange) (added, removed *[]string)) error {
	return db.Query(ctx, what, query, func(rows *sql.Rows) error {
		var id, label string
		var isAdded bool
		if err := rows.Scan(&id, &label, &isAdded); err != nil {
			return err
		}
		if u := byID[id]; u != nil {
			added, removed := lists(u)
			if isAdded {
				*added = append(*added, label)
			} else {
				*removed = append(*removed, label)
			}
		}
		return nil
	})
}

// The queries that read the comparison, one file each in sql/.
var (
	//go:embed sql/access_changes.sql
	accessChangesQuery string
	//go:embed sql/user_changes.sql
	userChangesQuery string
	//go:embed sql/role_assignment_changes.sql
	roleAssignmentChangesQuery string
	//go:embed sql/team_membership_changes.sql
	teamMembershipChangesQuery string
)
