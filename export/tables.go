package export

import "strings"

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
// set of INPUT.md, required ones first.
var dataverseTables = []Table{
	dv("businessunits", true, needBusinessUnit, "businessunitid", "name", "_parentbusinessunitid_value"),
	dv("systemusers", true, needUser, "systemuserid", "domainname", "fullname", "internalemailaddress",
		"_businessunitid_value", "isdisabled", "accessmode", "applicationid", "azureactivedirectoryobjectid",
		"islicensed", "invitestatuscode", "createdon", "_parentsystemuserid_value", "_positionid_value", "title"),
	dv("roles", true, needRole, "roleid", "name", "_businessunitid_value", "_parentrootroleid_value",
		"_roletemplateid_value", "ismanaged", "isinherited", "iscustomizable", "modifiedon", "overwritetime",
		"solutionid", "componentstate"),
	dv("privileges", true, needRole, "privilegeid", "name", "accessright", "canbebasic", "canbelocal",
		"canbedeep", "canbeglobal"),
	dv("roleprivilegescollection", true, needRole, "roleid", "privilegeid", "privilegedepthmask"),
	dv("systemuserrolescollection", true, needUser+" and "+needRole, "systemuserid", "roleid"),
	dv("teams", false, needTeam, "teamid", "name", "teamtype", "_businessunitid_value",
		"azureactivedirectoryobjectid", "membershiptype", "isdefault"),
	dv("teammemberships", false, needTeam, "teamid", "systemuserid"),
	dv("teamrolescollection", false, needTeam+" and "+needRole, "teamid", "roleid"),
	dv("fieldsecurityprofiles", false, needFieldProfile, "fieldsecurityprofileid", "name"),
	dv("fieldpermissions", false, needFieldProfile, "_fieldsecurityprofileid_value", "entityname",
		"attributelogicalname", "canread", "cancreate", "canupdate"),
	dv("systemuserprofilescollection", false, needFieldProfile+" and "+needUser, "systemuserid", "fieldsecurityprofileid"),
	dv("teamprofilescollection", false, needFieldProfile+" and "+needTeam, "teamid", "fieldsecurityprofileid"),
	dv("organizations", false, needOrganization, "name", "orgdborgsettings"),
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

func dv(name string, required bool, needs string, columns ...string) Table {
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
