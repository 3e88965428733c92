package licenses

import (
	"context"
	_ "embed"
	"fmt"
	"strings"

	"github.com/d365audit/d365audit/queries/tenant"
	"github.com/d365audit/d365audit/store"
)

var (
	//go:embed tenant_people.sql
	tenantPeople string
	//go:embed tenant_needs.sql
	tenantNeeds string
)

// BuildTenantLicenses builds the license model of a tenant in the current
// schema, which holds the tenant's Graph files and price list, after every environment's models (Build, BuildLicenses) were built
// in its own schema: one set of licenses judged over the people of every
// environment, linked by their Entra object id (azureactivedirectoryobjectid;
// systemuserid differs per environment). The tables are the single
// environment's (license_skus, license_assignments, license_waste,
// license_person_needs, ...), so the tenant's license rules and review read
// them unchanged; a person's systemuserid there is their Entra object id.
func BuildTenantLicenses(ctx context.Context, db *store.DB, opts LicenseOptions, envs []tenant.Environment) error {
	if err := licenseSetup(ctx, db, opts); err != nil {
		return err
	}
	users, needs := make([]string, len(envs)), make([]string, len(envs))
	for i, e := range envs {
		s, name := store.Ident(e.Schema), store.Literal(e.Name)
		users[i] = fmt.Sprintf(`SELECT %[2]s AS environment, u.systemuserid, lower(u.azureactivedirectoryobjectid) AS entraid,
			u.fullname, u.domainname, u.isdisabled, u.accessmode, u.applicationid, bu.name AS businessunit,
			EXISTS (SELECT 1 FROM %[1]s.user_role_sources r WHERE r.systemuserid = u.systemuserid) AS holds_role
			FROM %[1]s.systemusers u LEFT JOIN %[1]s.businessunits bu USING (businessunitid)
			WHERE u.azureactivedirectoryobjectid IS NOT NULL`, s, name)
		needs[i] = fmt.Sprintf(`SELECT %[2]s AS environment, lower(u.azureactivedirectoryobjectid) AS entraid, n.*
			FROM %[1]s.license_restricted_needs n JOIN %[1]s.systemusers u USING (systemuserid)
			WHERE u.azureactivedirectoryobjectid IS NOT NULL`, s, name)
	}
	if err := db.Exec(ctx, "tenant users", "CREATE OR REPLACE TABLE tenant_user_environments AS "+
		strings.Join(users, "\nUNION ALL\n")+"\nORDER BY entraid, environment"); err != nil {
		return err
	}
	if err := db.Exec(ctx, "tenant restricted needs", "CREATE OR REPLACE TABLE tenant_restricted_needs AS "+
		strings.Join(needs, "\nUNION ALL\n")); err != nil {
		return err
	}
	return runLicenseModels(ctx, db, licenseScript{"tenant people", tenantPeople}, licenseScript{"restricted tables", restrictedTables},
		licenseScript{"license model", licenseModel}, licenseScript{"tenant restricted-table needs", tenantNeeds},
		licenseScript{"license needs per person", personNeeds})
}
