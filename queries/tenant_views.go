package queries

import (
	"context"
	_ "embed"
	"fmt"
	"strings"

	"github.com/d365audit/d365audit/store"
)

//go:embed tenant/cross_environment.sql
var crossEnvironment string

// sysAdminTemplate is the role template id of System Administrator, the
// same in every environment (dataverse-security.md).
const sysAdminTemplate = "627090ff-40a3-4053-8790-584edc5be201"

// tenantGather are the tables BuildCrossEnvironment gathers from each
// environment's schema (%[1]s) into the tenant's, each row with its
// environment (%[2]s).
var tenantGather = []struct{ table, query string }{
	{"tenant_user_roles", `SELECT %[2]s AS environment, lower(u.azureactivedirectoryobjectid) AS entraid, s.systemuserid,
		r.name AS role, s.via, s.teamname,
		coalesce(r.roletemplateid = '` + sysAdminTemplate + `', false) OR lower(r.name) = 'system administrator' AS is_admin
		FROM %[1]s.user_role_sources s JOIN %[1]s.systemusers u USING (systemuserid) JOIN %[1]s.roles r USING (roleid)
		WHERE u.azureactivedirectoryobjectid IS NOT NULL`},
	// root roles only: a business unit's copy has its root's privileges
	{"tenant_roles", `SELECT %[2]s AS environment, r.roleid, r.name AS role,
		r.roletemplateid IS NULL AND NOT coalesce(r.ismanaged, false) AS custom
		FROM %[1]s.roles r WHERE r.parentrootroleid IS NULL OR r.parentrootroleid = r.roleid`},
	{"tenant_role_privileges", `SELECT %[2]s AS environment, r.name AS role, lower(p.name) AS privilege,
		mask_rank(rp.privilegedepthmask) AS depth_rank
		FROM %[1]s.roles r JOIN %[1]s.roleprivilegescollection rp USING (roleid) JOIN %[1]s.privileges p USING (privilegeid)
		WHERE r.parentrootroleid IS NULL OR r.parentrootroleid = r.roleid`},
	{"tenant_user_profiles", `SELECT %[2]s AS environment, lower(u.azureactivedirectoryobjectid) AS entraid, up.profileid
		FROM %[1]s.user_profiles up JOIN %[1]s.systemusers u USING (systemuserid)
		WHERE u.azureactivedirectoryobjectid IS NOT NULL AND NOT u.isdisabled`},
	{"tenant_profile_cells", `SELECT %[2]s AS environment, profileid, table_name, privilege, depth_rank
		FROM %[1]s.profile_access`},
}

// BuildCrossEnvironment builds the views across a tenant's environments in
// the current (tenant) schema, after BuildTenantLicenses: people x
// environments, administrators, role drift and access spread
// (tenant/cross_environment.sql).
func BuildCrossEnvironment(ctx context.Context, db *store.DB, envs []TenantEnvironment) error {
	if err := db.ExecScript(ctx, "access vocabulary", Vocabulary); err != nil {
		return err
	}
	for _, g := range tenantGather {
		parts := make([]string, len(envs))
		for i, e := range envs {
			parts[i] = fmt.Sprintf(g.query, store.Ident(e.Schema), store.Literal(e.Name))
		}
		q := fmt.Sprintf("CREATE OR REPLACE TABLE %s AS %s", g.table, strings.Join(parts, "\nUNION ALL\n"))
		if err := db.Exec(ctx, "gather "+g.table, q); err != nil {
			return err
		}
	}
	return db.ExecScript(ctx, "cross-environment views", crossEnvironment)
}
