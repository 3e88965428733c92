package export

import (
	"strings"

	"github.com/d365audit/d365audit/ingest"
)

// Source is the service a table is read from.
type Source string

const (
	Dataverse Source = "dataverse"
	Graph     Source = "graph"
)

// Table is one file set of INPUT.md and the request that fills it.
type Table struct {
	// Name is the entity set name, and so the file name (NAME.json,
	// NAME.2.json, ...); graph tables are written under graph/.
	Name   string
	Source Source
	// Required tables are the ones INPUT.md marks with *: the audit cannot
	// run without them, so the export fails when one is refused.
	Required bool
	// Query is the request below the service's API root, with $select of
	// exactly the columns INPUT.md lists (lookups as _x_value).
	Query string
	// Needs is the permission a 403 on this table most likely lacks, said
	// the way an administrator grants it.
	Needs string
}

// Dir is the table's directory inside the export ("" or "graph").
func (t Table) Dir() string {
	if t.Source == Graph {
		return "graph"
	}
	return ""
}

// Read-only role privileges, as the Power Platform admin center names them.
const (
	needBusinessUnit = "Organization-level Read on Business Unit (prvReadBusinessUnit)"
	needUser         = "Organization-level Read on User (prvReadUser)"
	needRole         = "Organization-level Read on Security Role (prvReadRole)"
	needTeam         = "Organization-level Read on Team (prvReadTeam)"
	needFieldProfile = "Organization-level Read on Field Security Profile (prvReadFieldSecurityProfile)"
	needOrganization = "Organization-level Read on Organization (prvReadOrganization)"
)

// dataverseTables are the Web API queries of docs/EXPORT.md, one per entity
// set of INPUT.md, required ones first; their columns are the ingest
// schema's.
var dataverseTables = []Table{
	dv("businessunits", true, needBusinessUnit),
	dv("systemusers", true, needUser),
	dv("roles", true, needRole),
	dv("privileges", true, needRole),
	dv("roleprivilegescollection", true, needRole),
	dv("systemuserrolescollection", true, needUser+" and "+needRole),
	dv("teams", false, needTeam),
	dv("teammemberships", false, needTeam),
	dv("teamrolescollection", false, needTeam+" and "+needRole),
	dv("fieldsecurityprofiles", false, needFieldProfile),
	dv("fieldpermissions", false, needFieldProfile),
	dv("systemuserprofilescollection", false, needFieldProfile+" and "+needUser),
	dv("teamprofilescollection", false, needFieldProfile+" and "+needTeam),
	dv("organizations", false, needOrganization),
}

// privilegeTable has no entity set (docs/EXPORT.md): it is built from the
// privileges each table's metadata lists. It is optional; without it
// ingest derives the table from the privilege name.
var privilegeTable = Table{
	Name:   "privilegeobjecttypecodes",
	Source: Dataverse,
	Query:  "EntityDefinitions?$select=LogicalName,Privileges",
	Needs:  "read access to table metadata (EntityDefinitions), which every Dataverse user has unless it was removed",
}

// graphUserColumns are the user properties INPUT.md reads; signInActivity
// is added when asked for, since it needs more permissions and licences.
var graphUserColumns = []string{"id", "userPrincipalName", "displayName", "accountEnabled", "userType",
	"assignedLicenses", "createdDateTime", "department", "externalUserState"}

// graphTables are the two Graph inputs of INPUT.md.
func graphTables(signInActivity bool) []Table {
	cols := append([]string(nil), graphUserColumns...)
	usersNeed := "Microsoft Graph application permission User.Read.All with admin consent"
	if signInActivity {
		cols = append(cols, "signInActivity")
		usersNeed += ", and for signInActivity also AuditLog.Read.All and a tenant with Microsoft Entra ID P1 or P2 " +
			"(or pass --no-sign-in to leave the sign-in dates out)"
	}
	return []Table{
		{Name: "subscribedSkus", Source: Graph, Query: "v1.0/subscribedSkus",
			Needs: "Microsoft Graph application permission Organization.Read.All with admin consent"},
		{Name: "users", Source: Graph, Query: "v1.0/users?$select=" + strings.Join(cols, ",") + "&$top=999",
			Needs: usersNeed},
	}
}

// dv is the request for a Dataverse table: $select of exactly the columns
// of the ingest schema (ingest/schema.go), lookups as _x_value, so that
// what is exported is what is read.
func dv(name string, required bool, needs string) Table {
	t, ok := ingest.TableByName(name)
	if !ok {
		panic("export: no ingest table " + name) // a programming error, caught by every test
	}
	columns := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		columns[i] = c.Name
		if c.Lookup {
			columns[i] = "_" + c.Name + "_value"
		}
	}
	return Table{Name: name, Source: Dataverse, Required: required, Needs: needs,
		Query: name + "?$select=" + strings.Join(columns, ",")}
}

// Tables is every table an export with these settings reads, in the order
// they are requested: Dataverse's required tables first, so a refused one
// fails the export before the long optional ones run.
func Tables(graph, signInActivity bool) []Table {
	all := append(append([]Table(nil), dataverseTables...), privilegeTable)
	if graph {
		all = append(all, graphTables(signInActivity)...)
	}
	return all
}
