// Package tenant models what spans the environments of a tenant run: the
// views across them (people x environments, administrators, role drift,
// access spread), built in the tenant's schema from each environment's
// (env_NAME). The tenant's license model is licenses.BuildTenantLicenses.
package tenant

import (
	"context"
	"database/sql"
	_ "embed"
	"fmt"
	"strings"

	"github.com/d365audit/d365audit/queries/vocab"
	"github.com/d365audit/d365audit/store"
)

// Environment is one environment of a tenant run: its name and the DuckDB
// schema its export and models were built in.
type Environment struct {
	Name   string
	Schema string
}

//go:embed cross_environment.sql
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
}

// BuildCrossEnvironment builds the views across a tenant's environments in
// the current (tenant) schema, after BuildTenantLicenses: people x
// environments, administrators and role drift (cross_environment.sql);
// BuildAccessSpread adds the access spread.
func BuildCrossEnvironment(ctx context.Context, db *store.DB, envs []Environment) error {
	if err := db.ExecScript(ctx, "access vocabulary", vocab.SQL); err != nil {
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

// CrossEnvironment is what the views across a tenant's environments show,
// for the reports.
type CrossEnvironment struct {
	People []PersonEnvironment
	Admins []TenantAdmin
	Drift  []RoleDrift
	Spread []AccessSpread
}

// PersonEnvironment is one person's user in one environment.
type PersonEnvironment struct {
	EntraID, Person, DomainName, Environment string
	Enabled, ApplicationUser                 bool
	AccessMode                               int64
	Roles                                    string
}

// TenantAdmin is a person holding System Administrator somewhere.
type TenantAdmin struct {
	EntraID, Person, DomainName string
	Environments                []string
	EveryEnvironment            bool
}

// RoleDrift is one privilege of a role whose depth differs between
// environments, at one environment.
type RoleDrift struct {
	Role        string
	Custom      bool
	Privilege   string
	Environment string
	Depth       string
}

// AccessSpread is a person whose effective access differs between two of
// their environments, by this many cells.
type AccessSpread struct {
	EntraID, Person, DomainName string
	Environments                int64
	EnvA, EnvB                  string
	Cells                       int64
}

// ReadCrossEnvironment reads the views BuildCrossEnvironment made, from the
// current (tenant) schema.
func ReadCrossEnvironment(ctx context.Context, db *store.DB) (CrossEnvironment, error) {
	var c CrossEnvironment
	err := db.Query(ctx, "read people x environments", `
		SELECT entraid, person, coalesce(domainname, ''), environment, enabled, application_user, accessmode, roles
		FROM tenant_person_environments ORDER BY person, entraid, environment`, func(rows *sql.Rows) error {
		var p PersonEnvironment
		err := rows.Scan(&p.EntraID, &p.Person, &p.DomainName, &p.Environment, &p.Enabled, &p.ApplicationUser, &p.AccessMode, &p.Roles)
		c.People = append(c.People, p)
		return err
	})
	if err != nil {
		return c, err
	}
	err = db.Query(ctx, "read administrators", `
		SELECT entraid, person, coalesce(domainname, ''), environments, every_environment FROM tenant_admins
		ORDER BY admin_in DESC, person, entraid`, func(rows *sql.Rows) error {
		var a TenantAdmin
		var envs []any
		err := rows.Scan(&a.EntraID, &a.Person, &a.DomainName, &envs, &a.EveryEnvironment)
		for _, e := range envs {
			a.Environments = append(a.Environments, fmt.Sprint(e))
		}
		c.Admins = append(c.Admins, a)
		return err
	})
	if err != nil {
		return c, err
	}
	err = db.Query(ctx, "read role drift", `
		SELECT role, custom, privilege, environment, depth FROM tenant_role_drift ORDER BY role, privilege, environment`,
		func(rows *sql.Rows) error {
			var d RoleDrift
			err := rows.Scan(&d.Role, &d.Custom, &d.Privilege, &d.Environment, &d.Depth)
			c.Drift = append(c.Drift, d)
			return err
		})
	if err != nil {
		return c, err
	}
	err = db.Query(ctx, "read access spread", `
		SELECT entraid, person, coalesce(domainname, ''), environments, env_a, env_b, cells_differing FROM tenant_access_spread
		WHERE cells_differing > 0 ORDER BY cells_differing DESC, person, entraid`, func(rows *sql.Rows) error {
		var s AccessSpread
		err := rows.Scan(&s.EntraID, &s.Person, &s.DomainName, &s.Environments, &s.EnvA, &s.EnvB, &s.Cells)
		c.Spread = append(c.Spread, s)
		return err
	})
	return c, err
}
