package ingest

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/d365audit/d365audit/queries/vocab"
)

// The canonical schema: every export, whatever its format, lands in these
// tables with these column types. Names are the Dataverse logical names of
// INPUT.md; Graph and reference inputs get tables of their own.

// Type is the canonical type of a column.
type Type int

const (
	String  Type = iota
	GUID         // lower-case, no braces, stored as VARCHAR
	Bool         // true/false, 1/0, Yes/No, or the Web API's {"Value": b}
	Int          // option sets and counts
	Time         // ISO 8601, stored as UTC TIMESTAMP
	Decimal      // money, DECIMAL(18,4)
)

func (t Type) String() string {
	return [...]string{"text", "GUID", "boolean", "integer", "timestamp", "decimal"}[t]
}

// sqlType is the DuckDB type a column has in its table.
func (t Type) sqlType() string {
	return [...]string{"VARCHAR", "VARCHAR", "BOOLEAN", "BIGINT", "TIMESTAMP", "DECIMAL(18,4)"}[t]
}

// Column is one canonical column.
type Column struct {
	Name     string
	Type     Type
	Required bool // the file must have the column and every row a value
	// Allowed, for an Int column holding an option set or a flag value,
	// lists the only values it may hold; any other is a structural error,
	// since the audit would read it as something it is not.
	Allowed *OptionSet
	// Lookup: the Web API returns the column as _NAME_value (a lookup to
	// another table); export selects it so, and ingest reads either form.
	Lookup bool
	// Check, when set, vets a converted non-null value: it returns why the
	// value cannot be right ("" when it can), reported as a structural
	// problem at the value's file, row and column.
	Check func(v any) string
}

// Option is one documented value of an option set, with its label.
type Option struct {
	Value int64
	Label string
}

// OptionSet is the documented values of an integer column (INPUT.md,
// dataverse-security.md). Noun names what a value is, for messages:
// "3 is not a depth (expected 1 Basic, 2 Local, 4 Deep or 8 Global)".
type OptionSet struct {
	Noun    string
	Options []Option
}

// allows reports whether v is one of the set's values. The sets are a few
// values long: a scan is as cheap as a map lookup.
// Label is the documented label of v, or false.
func (s *OptionSet) Label(v int64) (string, bool) {
	for _, o := range s.Options {
		if o.Value == v {
			return o.Label, true
		}
	}
	return "", false
}

func (s *OptionSet) allows(v int64) bool {
	for _, o := range s.Options {
		if o.Value == v {
			return true
		}
	}
	return false
}

// reject is the message for a value outside the set.
func (s *OptionSet) reject(v int64) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d is not %s (expected ", v, s.Noun)
	for i, o := range s.Options {
		switch {
		case i == 0:
		case i == len(s.Options)-1:
			b.WriteString(" or ")
		default:
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%d %s", o.Value, o.Label)
	}
	b.WriteString(")")
	return b.String()
}

func options(noun string, opts ...Option) *OptionSet { return &OptionSet{Noun: noun, Options: opts} }

// depthOptions are the depth bits a role privilege row may hold, as the
// access vocabulary names them.
func depthOptions() []Option {
	var opts []Option
	for _, l := range vocab.MaskLevels {
		opts = append(opts, Option{int64(l.Bit), l.Name})
	}
	return opts
}

// The option sets of INPUT.md and dataverse-security.md. AccessModes also
// names the modes in reports (reportdata.AccessModeName).
var (
	AccessModes = options("an access mode", Option{0, "Read-Write"}, Option{1, "Administrative"}, Option{2, "Read"},
		Option{3, "Support User"}, Option{4, "Non-interactive"}, Option{5, "Delegated Admin"})
	inviteStatuses = options("an invitation status", Option{0, "Not Sent"}, Option{1, "Invited"}, Option{2, "Near Expired"},
		Option{3, "Expired"}, Option{4, "Accepted"}, Option{5, "Rejected"}, Option{6, "Revoked"})
	inheritances = options("an inheritance", Option{0, "Team privileges only"},
		Option{1, "Direct User (Basic) access level and Team privileges"})
	// componentstate is not in INPUT.md: Dataverse's componentstate option
	// set on every solution-aware table.
	componentStates = options("a component state", Option{0, "Published"}, Option{1, "Unpublished"},
		Option{2, "Deleted"}, Option{3, "Deleted Unpublished"})
	// A privilege's accessright is one right, or 0 for a miscellaneous
	// privilege (dataverse-security.md 1.1: 8 and 64-32768 are unused).
	accessRights = options("an access right", Option{0, "None"}, Option{1, "Read"}, Option{2, "Write"}, Option{4, "Append"},
		Option{16, "AppendTo"}, Option{32, "Create"}, Option{65536, "Delete"}, Option{262144, "Share"}, Option{524288, "Assign"})
	// A role privilege row holds exactly one depth: no row is None.
	depths    = options("a depth", depthOptions()...)
	teamTypes = options("a team type", Option{0, "Owner"}, Option{1, "Access"}, Option{2, "Microsoft Entra security group"},
		Option{3, "Microsoft 365 group"})
	membershipTypes = options("a membership type", Option{0, "Members and guests"}, Option{1, "Members"},
		Option{2, "Owners"}, Option{3, "Guests"})
	fieldPermissions = options("a field permission", Option{0, "Not allowed"}, Option{4, "Allowed"})
)

// Ref is a reference from a column to the key of another table. A value that
// names no row there is a dangling reference: kept as a data-quality fact,
// not rejected.
type Ref struct {
	Column string
	Table  string
	Target string // the column referenced in Table
}

// Table is one canonical table.
type Table struct {
	Name     string
	Required bool     // the audit cannot run without it
	Key      []string // primary key; duplicates are structural errors
	Columns  []Column
	Refs     []Ref
	// KeepExtra keeps columns the schema does not know, as a JSON object in
	// the column "extra" (INPUT.md: unknown columns are kept, not rejected).
	KeepExtra bool
}

// Column returns the column called name, or false.
func (t *Table) Column(name string) (Column, bool) {
	for _, c := range t.Columns {
		if c.Name == name {
			return c, true
		}
	}
	return Column{}, false
}

func req(name string, t Type) Column { return Column{Name: name, Type: t, Required: true} }
func opt(name string, t Type) Column { return Column{Name: name, Type: t} }

// lookup marks a column that the Web API returns as _NAME_value.
func lookup(c Column) Column {
	c.Lookup = true
	return c
}

// oneOf restricts an Int column to an option set.
func oneOf(c Column, set *OptionSet) Column {
	c.Allowed = set
	return c
}

// maxGraphUnits is the largest count Graph can report: its unit counts are
// Int32.
const maxGraphUnits = 1<<31 - 1

// units is an optional Graph unit count (consumedUnits, prepaidUnits.*): a
// count of licenses, so never negative, and an Int32 in Graph.
func units(name string) Column {
	c := opt(name, Int)
	c.Check = func(v any) string {
		switch n := v.(int64); {
		case n < 0:
			return fmt.Sprintf("%d is negative: a count of license units is 0 or more", n)
		case n > maxGraphUnits:
			return fmt.Sprintf("%d is more units than Graph can report (at most %d)", n, maxGraphUnits)
		}
		return ""
	}
	return c
}

// MaxMonthlyPrice is the highest monthly price per unit the price list may
// give. The dearest Dynamics 365 / Power Platform SKUs cost a few thousand a
// month per unit; a price above this is a typo (a missing decimal point, a
// yearly total, cents), and it would overflow the money arithmetic.
const MaxMonthlyPrice = 1_000_000

// price is a required monthly price per unit: 0 or more, at most
// MaxMonthlyPrice.
func price(name string) Column {
	c := req(name, Decimal)
	c.Check = func(v any) string {
		s := v.(string)
		f, err := strconv.ParseFloat(s, 64)
		switch {
		case err != nil:
			return fmt.Sprintf("not a decimal number: %s", quote(s))
		case f < 0:
			return fmt.Sprintf("%s is negative: a monthly price is 0 or more (free licenses cost 0)", s)
		case f > MaxMonthlyPrice:
			return fmt.Sprintf("%s is not a plausible monthly price per unit (at most %d): a yearly total, cents, or a missing decimal point?", s, MaxMonthlyPrice)
		}
		return ""
	}
	return c
}

// Provenance columns every table carries, so any row can be traced back to
// its file and row in error messages and in the audit database.
const (
	FileColumn = "_file"
	RowColumn  = "_row" // CSV: line number; JSON: index in the value array; Parquet: row
)

// Dataverse tables of INPUT.md, in dependency order (referenced tables first).
var dataverseTables = []Table{
	{Name: "businessunits", Required: true, Key: []string{"businessunitid"}, KeepExtra: true,
		Columns: []Column{req("businessunitid", GUID), req("name", String), lookup(opt("parentbusinessunitid", GUID))},
		Refs:    []Ref{{"parentbusinessunitid", "businessunits", "businessunitid"}}},
	{Name: "systemusers", Required: true, Key: []string{"systemuserid"}, KeepExtra: true,
		Columns: []Column{
			req("systemuserid", GUID), req("domainname", String), opt("fullname", String),
			opt("internalemailaddress", String), lookup(req("businessunitid", GUID)), req("isdisabled", Bool),
			oneOf(req("accessmode", Int), AccessModes), opt("applicationid", GUID), opt("azureactivedirectoryobjectid", GUID),
			opt("islicensed", Bool), oneOf(opt("invitestatuscode", Int), inviteStatuses), opt("createdon", Time),
			lookup(opt("parentsystemuserid", GUID)), lookup(opt("positionid", GUID)), opt("title", String),
		},
		Refs: []Ref{{"businessunitid", "businessunits", "businessunitid"}, {"parentsystemuserid", "systemusers", "systemuserid"}}},
	{Name: "roles", Required: true, Key: []string{"roleid"}, KeepExtra: true,
		Columns: []Column{
			req("roleid", GUID), req("name", String), lookup(req("businessunitid", GUID)), lookup(opt("parentrootroleid", GUID)),
			lookup(opt("roletemplateid", GUID)), opt("ismanaged", Bool), oneOf(opt("isinherited", Int), inheritances), opt("iscustomizable", Bool),
			opt("modifiedon", Time), opt("overwritetime", Time), opt("solutionid", GUID), oneOf(opt("componentstate", Int), componentStates),
		},
		Refs: []Ref{{"businessunitid", "businessunits", "businessunitid"}, {"parentrootroleid", "roles", "roleid"}}},
	{Name: "privileges", Required: true, Key: []string{"privilegeid"}, KeepExtra: true,
		Columns: []Column{
			req("privilegeid", GUID), req("name", String), oneOf(req("accessright", Int), accessRights),
			opt("canbebasic", Bool), opt("canbelocal", Bool), opt("canbedeep", Bool), opt("canbeglobal", Bool),
		}},
	{Name: "privilegeobjecttypecodes", Key: []string{"privilegeid", "objecttypecode"}, KeepExtra: true,
		Columns: []Column{req("privilegeid", GUID), req("objecttypecode", String)},
		Refs:    []Ref{{"privilegeid", "privileges", "privilegeid"}}},
	{Name: "roleprivilegescollection", Required: true, Key: []string{"roleid", "privilegeid"}, KeepExtra: true,
		Columns: []Column{req("roleid", GUID), req("privilegeid", GUID), oneOf(req("privilegedepthmask", Int), depths)},
		Refs:    []Ref{{"roleid", "roles", "roleid"}, {"privilegeid", "privileges", "privilegeid"}}},
	{Name: "systemuserrolescollection", Required: true, Key: []string{"systemuserid", "roleid"}, KeepExtra: true,
		Columns: []Column{req("systemuserid", GUID), req("roleid", GUID)},
		Refs:    []Ref{{"systemuserid", "systemusers", "systemuserid"}, {"roleid", "roles", "roleid"}}},
	{Name: "teams", Key: []string{"teamid"}, KeepExtra: true,
		Columns: []Column{
			req("teamid", GUID), req("name", String), oneOf(req("teamtype", Int), teamTypes), lookup(req("businessunitid", GUID)),
			opt("azureactivedirectoryobjectid", GUID), oneOf(opt("membershiptype", Int), membershipTypes), opt("isdefault", Bool),
		},
		Refs: []Ref{{"businessunitid", "businessunits", "businessunitid"}}},
	{Name: "teammemberships", Key: []string{"teamid", "systemuserid"}, KeepExtra: true,
		Columns: []Column{req("teamid", GUID), req("systemuserid", GUID)},
		Refs:    []Ref{{"teamid", "teams", "teamid"}, {"systemuserid", "systemusers", "systemuserid"}}},
	{Name: "teamrolescollection", Key: []string{"teamid", "roleid"}, KeepExtra: true,
		Columns: []Column{req("teamid", GUID), req("roleid", GUID)},
		Refs:    []Ref{{"teamid", "teams", "teamid"}, {"roleid", "roles", "roleid"}}},
	{Name: "fieldsecurityprofiles", Key: []string{"fieldsecurityprofileid"}, KeepExtra: true,
		Columns: []Column{req("fieldsecurityprofileid", GUID), req("name", String)}},
	{Name: "fieldpermissions", Key: []string{"fieldsecurityprofileid", "entityname", "attributelogicalname"}, KeepExtra: true,
		Columns: []Column{
			lookup(req("fieldsecurityprofileid", GUID)), req("entityname", String), req("attributelogicalname", String),
			oneOf(opt("canread", Int), fieldPermissions), oneOf(opt("cancreate", Int), fieldPermissions),
			oneOf(opt("canupdate", Int), fieldPermissions),
		},
		Refs: []Ref{{"fieldsecurityprofileid", "fieldsecurityprofiles", "fieldsecurityprofileid"}}},
	{Name: "systemuserprofilescollection", Key: []string{"systemuserid", "fieldsecurityprofileid"}, KeepExtra: true,
		Columns: []Column{req("systemuserid", GUID), req("fieldsecurityprofileid", GUID)},
		Refs: []Ref{{"systemuserid", "systemusers", "systemuserid"},
			{"fieldsecurityprofileid", "fieldsecurityprofiles", "fieldsecurityprofileid"}}},
	{Name: "teamprofilescollection", Key: []string{"teamid", "fieldsecurityprofileid"}, KeepExtra: true,
		Columns: []Column{req("teamid", GUID), req("fieldsecurityprofileid", GUID)},
		Refs: []Ref{{"teamid", "teams", "teamid"},
			{"fieldsecurityprofileid", "fieldsecurityprofiles", "fieldsecurityprofileid"}}},
	{Name: "organizations", KeepExtra: true,
		Columns: []Column{opt("name", String), opt("orgdborgsettings", String)}},
}

// Graph tables, flattened from the subscribedSkus and users bodies.
var graphTables = []Table{
	{Name: "graph_subscribedskus", Key: []string{"skuid"},
		Columns: []Column{
			req("skuid", GUID), req("skupartnumber", String), opt("capabilitystatus", String), units("consumedunits"),
			units("enabledunits"), units("suspendedunits"), units("warningunits"), units("lockedoutunits"),
			// appliesto is "User" or "Company" (tenant-level: capacity, never
			// a seat); serviceplans is the SKU's plans as a JSON array of
			// {"id", "name"}, to classify SKUs the catalogue does not know.
			opt("appliesto", String), opt("serviceplans", String),
		}},
	{Name: "graph_users", Key: []string{"id"},
		Columns: []Column{
			req("id", GUID), opt("userprincipalname", String), opt("displayname", String), opt("accountenabled", Bool),
			opt("usertype", String), opt("createddatetime", Time), opt("department", String), opt("externaluserstate", String),
			// hassigninactivity tells "never signed in" (true, dates null) from
			// "not exported" (false): LIC_INACTIVE needs the difference.
			opt("hassigninactivity", Bool), opt("lastsignindatetime", Time), opt("lastsuccessfulsignindatetime", Time),
		}},
	{Name: "graph_assignedlicenses", Key: []string{"userid", "skuid"},
		Columns: []Column{req("userid", GUID), req("skuid", GUID), opt("disabledplans", String)},
		Refs:    []Ref{{"userid", "graph_users", "id"}, {"skuid", "graph_subscribedskus", "skuid"}}},
}

// Reference inputs: baseline roles and the price list.
var referenceTables = []Table{
	{Name: "baseline_roles", Key: []string{"roleid"},
		Columns: []Column{
			req("roleid", GUID), req("name", String), opt("roletemplateid", GUID), opt("parentrootroleid", GUID),
			oneOf(opt("isinherited", Int), inheritances), opt("source", String),
		}},
	{Name: "baseline_roleprivileges", Key: []string{"roleid", "privilegename"},
		Columns: []Column{req("roleid", GUID), req("privilegename", String), oneOf(req("privilegedepthmask", Int), depths)},
		Refs:    []Ref{{"roleid", "baseline_roles", "roleid"}}},
	{Name: "prices", Key: []string{"sku_part_number"},
		Columns: []Column{req("sku_part_number", String), price("monthly_price"), req("currency", String), opt("kind", String)}},
}

// Tables is the whole canonical schema, in load order.
func Tables() []Table {
	all := make([]Table, 0, len(dataverseTables)+len(graphTables)+len(referenceTables))
	all = append(all, dataverseTables...)
	all = append(all, graphTables...)
	return append(all, referenceTables...)
}

// TableByName returns the canonical table called name.
func TableByName(name string) (*Table, bool) {
	for _, group := range [][]Table{dataverseTables, graphTables, referenceTables} {
		for i := range group {
			if group[i].Name == name {
				return &group[i], true
			}
		}
	}
	return nil, false
}
