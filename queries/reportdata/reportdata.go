package reportdata

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/d365audit/d365audit/ingest"
	"github.com/d365audit/d365audit/store"
)

// UserRow is one systemuser as the Users sheet shows it.
type UserRow struct {
	// Environment is the row's environment in a tenant run.
	Environment  string   `json:"environment,omitempty"`
	ID           string   `json:"id"`
	DomainName   string   `json:"domainname"`
	FullName     string   `json:"fullname"`
	BusinessUnit string   `json:"businessunit"`
	AccessMode   int64    `json:"accessmode"`
	Disabled     bool     `json:"disabled"`
	Application  bool     `json:"application"`
	Licenses     []string `json:"licenses"`     // SKU part numbers from Graph
	DirectRoles  []string `json:"direct_roles"` // ROLE@BU
	TeamRoles    []string `json:"team_roles"`   // ROLE@BU via team:NAME
	ProfileID    int64    `json:"profile"`
}

// RoleRow is one root role with its business-unit copies.
type RoleRow struct {
	// Environment is the row's environment in a tenant run.
	Environment   string `json:"environment,omitempty"`
	ID            string `json:"id"`
	Name          string `json:"name"`
	BusinessUnit  string `json:"businessunit"`
	Copies        int64  `json:"copies"` // rows sharing this root, the root included
	OutOfBox      bool   `json:"out_of_box"`
	Managed       bool   `json:"managed"`
	TemplateID    string `json:"template_id"`
	Baseline      bool   `json:"in_baseline"` // matched a baseline role
	Modified      bool   `json:"modified"`    // differs from its baseline
	Privileges    int64  `json:"privileges"`
	Holders       int64  `json:"holders"` // users holding any copy, any way
	DirectHolders int64  `json:"direct_holders"`
	TeamHolders   int64  `json:"team_holders"`
}

// RoleChange is one privilege of an out-of-box role that differs from the
// baseline.
type RoleChange struct {
	// Environment is the row's environment in a tenant run.
	Environment   string `json:"environment,omitempty"`
	Role          string `json:"role"`
	RoleID        string `json:"role_id"`
	Privilege     string `json:"privilege"`
	Change        string `json:"change"` // added, removed, changed
	BaselineDepth string `json:"baseline_depth"`
	ActualDepth   string `json:"actual_depth"`
}

// TeamRow is one team.
type TeamRow struct {
	// Environment is the row's environment in a tenant run.
	Environment  string   `json:"environment,omitempty"`
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	Type         int64    `json:"teamtype"`
	BusinessUnit string   `json:"businessunit"`
	Default      bool     `json:"default"`
	EntraObject  string   `json:"entra_object_id"`
	Members      int64    `json:"members"`
	Roles        []string `json:"roles"`
}

// TeamTypeName names a teamtype.
func TeamTypeName(t int64) string {
	switch t {
	case 0:
		return "Owner"
	case 1:
		return "Access"
	case 2:
		return "Entra security group"
	case 3:
		return "Microsoft 365 group"
	}
	return fmt.Sprint(t)
}

// AccessModeName names an accessmode as Dataverse does ("Read-Write"),
// or gives its number when it is none of them.
func AccessModeName(m int64) string {
	if name, ok := ingest.AccessModes.Label(m); ok {
		return name
	}
	return fmt.Sprint(m)
}

// Users returns every systemuser, by full name.
func Users(ctx context.Context, db *store.DB) ([]UserRow, error) {
	return store.Collect(ctx, db, "users for the report", `
		SELECT u.systemuserid, u.domainname, coalesce(u.fullname, ''), coalesce(bu.name, ''), u.accessmode, u.isdisabled,
		       u.applicationid IS NOT NULL,
		       (SELECT string_agg(DISTINCT coalesce(s.skupartnumber, l.skuid), chr(31) ORDER BY coalesce(s.skupartnumber, l.skuid))
		          FROM graph_assignedlicenses l LEFT JOIN graph_subscribedskus s USING (skuid)
		         WHERE l.userid = u.azureactivedirectoryobjectid),
		       (SELECT string_agg(DISTINCT r.name || '@' || coalesce(rb.name, ''), chr(31) ORDER BY r.name || '@' || coalesce(rb.name, ''))
		          FROM user_role_sources s JOIN roles r USING (roleid) LEFT JOIN businessunits rb ON rb.businessunitid = r.businessunitid
		         WHERE s.systemuserid = u.systemuserid AND s.via = 'direct'),
		       (SELECT string_agg(DISTINCT r.name || '@' || coalesce(rb.name, '') || ' via team:' || s.teamname, chr(31)
		                          ORDER BY r.name || '@' || coalesce(rb.name, '') || ' via team:' || s.teamname)
		          FROM user_role_sources s JOIN roles r USING (roleid) LEFT JOIN businessunits rb ON rb.businessunitid = r.businessunitid
		         WHERE s.systemuserid = u.systemuserid AND s.via = 'team'),
		       coalesce(up.profileid, 0)
		FROM systemusers u
		LEFT JOIN businessunits bu USING (businessunitid)
		LEFT JOIN user_profiles up USING (systemuserid)
		ORDER BY lower(coalesce(u.fullname, u.domainname)), u.systemuserid`,
		func(rows *sql.Rows, u *UserRow) error {
			var lic, direct, team sql.NullString
			if err := rows.Scan(&u.ID, &u.DomainName, &u.FullName, &u.BusinessUnit, &u.AccessMode, &u.Disabled, &u.Application,
				&lic, &direct, &team, &u.ProfileID); err != nil {
				return err
			}
			u.Licenses, u.DirectRoles, u.TeamRoles = store.SplitList(lic), store.SplitList(direct), store.SplitList(team)
			return nil
		})
}

// Roles returns every root role with its copies and holders.
func Roles(ctx context.Context, db *store.DB) ([]RoleRow, error) {
	return store.Collect(ctx, db, "roles for the report", `
		WITH roots AS (
		    SELECT r.*, rr.rootroleid FROM roles r JOIN role_roots rr USING (roleid)
		),
		held AS (
		    SELECT ro.rootroleid, s.systemuserid, s.via FROM user_role_sources s JOIN roots ro USING (roleid)
		)
		SELECT r.roleid, r.name, coalesce(bu.name, ''),
		       (SELECT count(*) FROM roots c WHERE c.rootroleid = r.roleid),
		       r.roletemplateid IS NOT NULL OR (coalesce(r.ismanaged, false) AND m.roleid IS NOT NULL),
		       coalesce(r.ismanaged, false), coalesce(r.roletemplateid, ''),
		       m.roleid IS NOT NULL,
		       EXISTS (SELECT 1 FROM role_drift d WHERE d.roleid = r.roleid),
		       (SELECT count(*) FROM roleprivilegescollection rp WHERE rp.roleid = r.roleid),
		       (SELECT count(DISTINCT systemuserid) FROM held h WHERE h.rootroleid = r.roleid),
		       (SELECT count(DISTINCT systemuserid) FROM held h WHERE h.rootroleid = r.roleid AND h.via = 'direct'),
		       (SELECT count(DISTINCT systemuserid) FROM held h WHERE h.rootroleid = r.roleid AND h.via = 'team')
		FROM roots r
		LEFT JOIN businessunits bu USING (businessunitid)
		LEFT JOIN role_baseline_match m ON m.roleid = r.roleid
		WHERE r.rootroleid = r.roleid
		ORDER BY lower(r.name), r.roleid`,
		func(rows *sql.Rows, r *RoleRow) error {
			return rows.Scan(&r.ID, &r.Name, &r.BusinessUnit, &r.Copies, &r.OutOfBox, &r.Managed, &r.TemplateID,
				&r.Baseline, &r.Modified, &r.Privileges, &r.Holders, &r.DirectHolders, &r.TeamHolders)
		})
}

// RoleChanges returns every difference of an out-of-box role from its
// baseline.
func RoleChanges(ctx context.Context, db *store.DB) ([]RoleChange, error) {
	return store.Collect(ctx, db, "role changes for the report", `
		SELECT r.name, d.roleid, d.privilege, d.change, coalesce(d.baseline_depth, ''), coalesce(d.actual_depth, '')
		FROM role_drift d JOIN roles r USING (roleid) ORDER BY lower(r.name), d.roleid, lower(d.privilege)`,
		func(rows *sql.Rows, c *RoleChange) error {
			return rows.Scan(&c.Role, &c.RoleID, &c.Privilege, &c.Change, &c.BaselineDepth, &c.ActualDepth)
		})
}

// Teams returns every team with its members and roles.
func Teams(ctx context.Context, db *store.DB) ([]TeamRow, error) {
	return store.Collect(ctx, db, "teams for the report", `
		SELECT t.teamid, t.name, t.teamtype, coalesce(bu.name, ''), coalesce(t.isdefault, false), coalesce(t.azureactivedirectoryobjectid, ''),
		       (SELECT count(*) FROM teammemberships tm WHERE tm.teamid = t.teamid),
		       (SELECT string_agg(DISTINCT r.name || '@' || coalesce(rb.name, ''), chr(31) ORDER BY r.name || '@' || coalesce(rb.name, ''))
		          FROM teamrolescollection tr JOIN roles r USING (roleid) LEFT JOIN businessunits rb ON rb.businessunitid = r.businessunitid
		         WHERE tr.teamid = t.teamid)
		FROM teams t LEFT JOIN businessunits bu USING (businessunitid)
		ORDER BY lower(t.name), t.teamid`,
		func(rows *sql.Rows, t *TeamRow) error {
			var roles sql.NullString
			if err := rows.Scan(&t.ID, &t.Name, &t.Type, &t.BusinessUnit, &t.Default, &t.EntraObject, &t.Members, &roles); err != nil {
				return err
			}
			t.Roles = store.SplitList(roles)
			return nil
		})
}
