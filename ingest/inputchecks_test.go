package ingest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/d365audit/d365audit/ingest/internal/testfiles"
)

// Input the audit must not swallow (issue 15): each case is accepted by a
// lenient reader and would change findings, so each is a structural
// problem, located by file, row and column. Every case states the whole
// list of structural problems the load must report, exactly.

// edit replaces the only occurrence of old in file with new.
type edit struct {
	file, old, new string
}

func applyEdits(t *testing.T, dir string, edits []edit) {
	t.Helper()
	for _, e := range edits {
		path := filepath.Join(dir, e.file)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(string(b), e.old); n != 1 {
			t.Fatalf("%s holds %q %d times, want once", e.file, e.old, n)
		}
		testfiles.Write(t, path, strings.Replace(string(b), e.old, e.new, 1))
	}
}

type inputCase struct {
	name  string
	base  string // testdata/formats/csv or testdata/formats/json
	edits []edit
	files map[string]string // written whole, after the edits
	want  []string          // every structural problem, in order
}

func runInputCases(t *testing.T, cases []inputCase) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := testfiles.TempCopy(t, c.base)
			applyEdits(t, dir, c.edits)
			for name, content := range c.files {
				testfiles.Write(t, filepath.Join(dir, name), content)
			}
			_, res := loadDir(t, Options{Input: dir})
			got := structural(res)
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("structural problems:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(c.want, "\n  "))
			}
			if n := res.Count(Structural); n != len(c.want) {
				t.Errorf("Count(Structural) = %d, want %d", n, len(c.want))
			}
		})
	}
}

const (
	csvDir  = "testdata/formats/csv"
	jsonDir = "testdata/formats/json"
)

func TestOptionSetValues(t *testing.T) {
	runInputCases(t, []inputCase{
		{name: "accessmode", base: csvDir,
			edits: []edit{{"systemusers.csv", "Zoë Müller,0a1b2c3d-0000-4000-8000-000000000001,No,0,", "Zoë Müller,0a1b2c3d-0000-4000-8000-000000000001,No,6,"}},
			want:  []string{"systemusers.csv: line 2, column accessmode: 6 is not an access mode (expected 0 Read-Write, 1 Administrative, 2 Read, 3 Support User, 4 Non-interactive or 5 Delegated Admin)"}},
		{name: "accessmode negative", base: jsonDir,
			edits: []edit{{"systemusers.json", `"accessmode": 0`, `"accessmode": -1`}},
			want:  []string{"systemusers.json: $.value[0].accessmode: -1 is not an access mode (expected 0 Read-Write, 1 Administrative, 2 Read, 3 Support User, 4 Non-interactive or 5 Delegated Admin)"}},
		{name: "invitestatuscode", base: jsonDir,
			edits: []edit{{"systemusers.json", `"title": "CFO"`, `"title": "CFO", "invitestatuscode": 7`}},
			want:  []string{"systemusers.json: $.value[0].invitestatuscode: 7 is not an invitation status (expected 0 Not Sent, 1 Invited, 2 Near Expired, 3 Expired, 4 Accepted, 5 Rejected or 6 Revoked)"}},
		{name: "teamtype", base: csvDir,
			edits: []edit{{"teams.csv", "Auditors (Entra),2,", "Auditors (Entra),4,"}},
			want:  []string{"teams.csv: line 3, column teamtype: 4 is not a team type (expected 0 Owner, 1 Access, 2 Microsoft Entra security group or 3 Microsoft 365 group)"}},
		{name: "membershiptype", base: csvDir,
			edits: []edit{{"teams.csv", "cc000000-0000-4000-8000-000000000001,0,false", "cc000000-0000-4000-8000-000000000001,4,false"}},
			want:  []string{"teams.csv: line 3, column membershiptype: 4 is not a membership type (expected 0 Members and guests, 1 Members, 2 Owners or 3 Guests)"}},
		{name: "isinherited", base: csvDir,
			edits: []edit{{"roles.csv", "Contoso Auditor,0a1b2c3d-0000-4000-8000-000000000001,7c000000-0000-4000-8000-000000000003,,false,0,", "Contoso Auditor,0a1b2c3d-0000-4000-8000-000000000001,7c000000-0000-4000-8000-000000000003,,false,2,"}},
			want:  []string{"roles.csv: line 4, column isinherited: 2 is not an inheritance (expected 0 Team privileges only or 1 Direct User (Basic) access level and Team privileges)"}},
		{name: "componentstate", base: jsonDir,
			edits: []edit{{"roles.json", `"modifiedon": "2025-06-01T10:00:00Z",
      "componentstate": 0
    },
    {
      "@odata.etag": "W/\"1234\"",
      "roleid": "7c000000-0000-4000-8000-000000000002"`, `"modifiedon": "2025-06-01T10:00:00Z",
      "componentstate": 4
    },
    {
      "@odata.etag": "W/\"1234\"",
      "roleid": "7c000000-0000-4000-8000-000000000002"`}},
			want: []string{"roles.json: $.value[0].componentstate: 4 is not a component state (expected 0 Published, 1 Unpublished, 2 Deleted or 3 Deleted Unpublished)"}},
		{name: "accessright combined", base: csvDir,
			edits: []edit{{"privileges.csv", "prvWriteAccount,2,", "prvWriteAccount,3,"}},
			want:  []string{"privileges.csv: line 3, column accessright: 3 is not an access right (expected 0 None, 1 Read, 2 Write, 4 Append, 16 AppendTo, 32 Create, 65536 Delete, 262144 Share or 524288 Assign)"}},
		{name: "depth mask combined", base: csvDir,
			edits: []edit{{"roleprivilegescollection.csv", "{9D000000-0000-4000-8000-000000000002},8", "{9D000000-0000-4000-8000-000000000002},3"}},
			want:  []string{"roleprivilegescollection.csv: line 3, column privilegedepthmask: 3 is not a depth (expected 1 Basic, 2 Local, 4 Deep or 8 Global)"}},
		{name: "depth mask zero", base: jsonDir,
			edits: []edit{{"roleprivilegescollection.json", `"privilegedepthmask": 2`, `"privilegedepthmask": 0`}},
			want:  []string{"roleprivilegescollection.json: $.value[3].privilegedepthmask: 0 is not a depth (expected 1 Basic, 2 Local, 4 Deep or 8 Global)"}},
		{name: "field permissions", base: csvDir,
			edits: []edit{{"fieldpermissions.csv", "contoso_ssn,4,4,4", "contoso_ssn,1,4,3"}},
			want: []string{
				"fieldpermissions.csv: line 3, column canread: 1 is not a field permission (expected 0 Not allowed or 4 Allowed)",
				"fieldpermissions.csv: line 3, column canupdate: 3 is not a field permission (expected 0 Not allowed or 4 Allowed)",
			}},
		// A baseline export goes through the same tables, located in its
		// own files.
		{name: "baseline export depth mask", base: csvDir,
			files: map[string]string{
				"baseline/roles.csv": "roleid,name,businessunitid,parentrootroleid\n" +
					"7c000000-0000-4000-8000-000000000001,System Administrator,0a1b2c3d-0000-4000-8000-000000000001,\n",
				"baseline/privileges.csv": "privilegeid,name,accessright\n9d000000-0000-4000-8000-000000000001,prvReadAccount,1\n",
				"baseline/roleprivilegescollection.csv": "roleid,privilegeid,privilegedepthmask\n" +
					"7c000000-0000-4000-8000-000000000001,9d000000-0000-4000-8000-000000000001,12\n",
			},
			want: []string{"baseline/roleprivilegescollection.csv: line 2, column privilegedepthmask: 12 is not a depth (expected 1 Basic, 2 Local, 4 Deep or 8 Global)"}},
		{name: "baseline role XML isinherited", base: csvDir,
			files: map[string]string{"baseline/Roles/Salesperson.xml": `<?xml version="1.0" encoding="utf-8"?>
<Role id="{6089cdb9-00c4-ed11-83ff-00224803a83a}" name="Salesperson" isinherited="2">
  <RolePrivileges>
    <RolePrivilege name="prvReadAccount" level="Global" />
  </RolePrivileges>
</Role>
`},
			want: []string{"baseline/Roles/Salesperson.xml, column isinherited: 2 is not an inheritance (expected 0 Team privileges only or 1 Direct User (Basic) access level and Team privileges)"}},
	})
}

// Every documented value passes, and the sets sit on integer columns only.
func TestOptionSetsAllowDocumentedValues(t *testing.T) {
	for _, tb := range Tables() {
		for _, c := range tb.Columns {
			if c.Allowed == nil {
				continue
			}
			if c.Type != Int {
				t.Errorf("%s.%s: an option set on a %s column", tb.Name, c.Name, c.Type)
			}
			for _, o := range c.Allowed.Options {
				if !c.Allowed.allows(o.Value) {
					t.Errorf("%s.%s: %d refused", tb.Name, c.Name, o.Value)
				}
			}
		}
	}
}

func TestInvalidUTF8(t *testing.T) {
	runInputCases(t, []inputCase{
		// DuckDB refused the text: the load failed as a machine error.
		{name: "CSV value", base: csvDir,
			edits: []edit{{"systemusers.csv", "Zoë Müller", "Zo\xeb M\xfcller"}},
			want:  []string{`systemusers.csv: line 2, column fullname: invalid UTF-8: "Zo\xeb M\xfcller" (files must be UTF-8)`}},
		{name: "CSV quoted value over two lines, unknown column", base: csvDir,
			files: map[string]string{"fieldsecurityprofiles.csv": "fieldsecurityprofileid,name,description\n" +
				"4f000000-0000-4000-8000-000000000001,Contoso Salary Fields,\"Gehalt,\nPr\xe4mie\"\n"},
			want: []string{`fieldsecurityprofiles.csv: line 2, column description: invalid UTF-8: "Gehalt,\nPr\xe4mie" (files must be UTF-8)`}},
		{name: "CSV column name", base: csvDir,
			files: map[string]string{"fieldsecurityprofiles.csv": "fieldsecurityprofileid,name,Beschr\xe4nkung\n" +
				"4f000000-0000-4000-8000-000000000001,Contoso Salary Fields,x\n"},
			want: []string{`fieldsecurityprofiles.csv: line 1: invalid UTF-8 in a column name: "Beschr\xe4nkung" (files must be UTF-8)`}},
		// encoding/json replaced the bytes with U+FFFD: accepted, the
		// name silently changed.
		{name: "JSON value", base: jsonDir,
			edits: []edit{{"systemusers.json", "Zoë Müller", "Zo\xeb M\xfcller"}},
			want:  []string{`systemusers.json: $.value[0].fullname: invalid UTF-8: "Zo\xeb M\xfcller" (files must be UTF-8)`}},
		{name: "JSON value with an escape", base: jsonDir,
			edits: []edit{{"systemusers.json", `"title": "CFO"`, "\"title\": \"CFO \\\"Finan\xe7as\\\"\""}},
			want:  []string{`systemusers.json: $.value[0].title: invalid UTF-8: "CFO \\\"Finan\xe7as\\\"" (files must be UTF-8)`}},
		{name: "JSON key", base: jsonDir,
			edits: []edit{{"teams.json", `"isdefault": false`, "\"isdefault\": false, \"Abteilungsgr\xf6\xdfe\": 3"}},
			want:  []string{`teams.json: $.value[1]: invalid UTF-8 in a key: "Abteilungsgr\xf6\xdfe" (files must be UTF-8)`}},
		{name: "JSON nested Graph value", base: jsonDir,
			edits: []edit{{"graph/users.json", `"efb87545-963c-4e0d-99df-69c6916d9eb0"`, "\"efb87545-963c-4e0d-99df-69c6916d9e\xb0\""}},
			want:  []string{`graph/users.json: $.value[0].assignedLicenses[1].disabledPlans[0]: invalid UTF-8: "efb87545-963c-4e0d-99df-69c6916d9e\xb0" (files must be UTF-8)`}},
	})
}

func TestJSONBodyProblems(t *testing.T) {
	runInputCases(t, []inputCase{
		// Both arrays' rows were loaded, the second numbered from 0 again.
		{name: "second array", base: jsonDir,
			edits: []edit{{"teams.json", "    }\n  ]\n}", "    }\n  ],\n  \"value\": []\n}"}},
			want:  []string{`teams.json: "value" appears twice (the second at offset 799): a response body has one row array`}},
		// The users pages fill two tables; what is wrong with the file
		// itself was listed once per table.
		{name: "Graph users page read by two tables", base: jsonDir,
			edits: []edit{{"graph/users.json", `"department": "Finance"`, `"department": Finance`}},
			want:  []string{`graph/users.json: $.value[0]: malformed JSON at offset 91: invalid character 'F' looking for beginning of value`}},
		{name: "Graph users row not an object", base: jsonDir,
			edits: []edit{{"graph/users.json", "\"value\": [\n", "\"value\": [\n    17,\n"}},
			want:  []string{`graph/users.json: $.value[0]: expected an object, found the number 17`}},
	})
}

func TestRoleRootLoops(t *testing.T) {
	const (
		sysAdmin = "System Administrator,0a1b2c3d-0000-4000-8000-000000000001,"
		auditor  = "Contoso Auditor,0a1b2c3d-0000-4000-8000-000000000001,"
	)
	// parent edits the parentrootroleid of the role row that starts with
	// row (its name and business unit) from role n to role m.
	parent := func(row string, n, m int) edit {
		return edit{"roles.csv", fmt.Sprintf("%s7c000000-0000-4000-8000-00000000000%d,", row, n),
			fmt.Sprintf("%s7c000000-0000-4000-8000-00000000000%d,", row, m)}
	}
	jsonRole := func(n, parent int, name string) string {
		return fmt.Sprintf(`{"roleid": "7c000000-0000-4000-8000-00000000000%d", "name": %q,
			"_businessunitid_value": "0a1b2c3d-0000-4000-8000-000000000001",
			"_parentrootroleid_value": "7c000000-0000-4000-8000-00000000000%d"}`, n, name, parent)
	}
	runInputCases(t, []inputCase{
		// Accepted: each role's root was the last role reached, wherever
		// the walk stopped.
		{name: "two roles", base: csvDir,
			edits: []edit{parent(sysAdmin, 1, 3), parent(auditor, 3, 1)},
			want:  []string{`roles.csv: line 2, column parentrootroleid: the root-role chain loops: 7c000000-0000-4000-8000-000000000001 "System Administrator" -> 7c000000-0000-4000-8000-000000000003 "Contoso Auditor" (line 4) -> 7c000000-0000-4000-8000-000000000001 again: no role in it is a root (one naming itself or no role)`}},
		// Three roles in a loop and a fourth leading into it: one problem,
		// at the loop's first row.
		{name: "three roles and one leading in", base: jsonDir,
			files: map[string]string{"roles.json": `{"value": [` + jsonRole(4, 2, "D") + ",\n" + jsonRole(2, 3, "B") + ",\n" +
				jsonRole(3, 1, "C") + ",\n" + jsonRole(1, 2, "A") + "]}"},
			want: []string{`roles.json: $.value[1].parentrootroleid: the root-role chain loops: 7c000000-0000-4000-8000-000000000002 "B" -> 7c000000-0000-4000-8000-000000000003 "C" ($.value[2]) -> 7c000000-0000-4000-8000-000000000001 "A" ($.value[3]) -> 7c000000-0000-4000-8000-000000000002 again: no role in it is a root (one naming itself or no role)`}},
		// A chain that reaches a root, or a role missing from the export,
		// does not loop: DATA_ROLE_ROOT_CHAIN and DATA_DANGLING_REFERENCE
		// report those.
		{name: "chain to a root", base: csvDir,
			edits: []edit{parent(auditor, 3, 2)}},
		{name: "chain to a missing role", base: csvDir,
			edits: []edit{parent(auditor, 3, 9)}},
	})
}

// A Parquet string that is not UTF-8 (Arrow does not check what it is
// given) is reported at its row like a CSV field.
func TestInvalidUTF8Parquet(t *testing.T) {
	dir := testfiles.TempCopy(t, csvDir)
	os.Remove(filepath.Join(dir, "fieldsecurityprofiles.csv"))
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "fieldsecurityprofileid", Type: arrow.BinaryTypes.String},
		{Name: "name", Type: arrow.BinaryTypes.String},
		{Name: "Beschreibung", Type: arrow.BinaryTypes.String},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	b.Field(0).(*array.StringBuilder).Append("4f000000-0000-4000-8000-000000000001")
	b.Field(1).(*array.StringBuilder).Append("Geh\xe4lter")
	b.Field(2).(*array.StringBuilder).Append("Pr\xe4mien")
	rec := b.NewRecordBatch()
	defer rec.Release()
	tbl := array.NewTableFromRecords(schema, []arrow.RecordBatch{rec})
	defer tbl.Release()
	f, err := os.Create(filepath.Join(dir, "fieldsecurityprofiles.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	if err := pqarrow.WriteTable(tbl, f, 1024, nil, pqarrow.DefaultWriterProps()); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, res := loadDir(t, Options{Input: dir})
	want := []string{
		`fieldsecurityprofiles.parquet: row 1, column name: invalid UTF-8: "Geh\xe4lter" (files must be UTF-8)`,
		`fieldsecurityprofiles.parquet: row 1, column Beschreibung: invalid UTF-8: "Pr\xe4mien" (files must be UTF-8)`,
	}
	if got := structural(res); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("structural problems:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}
