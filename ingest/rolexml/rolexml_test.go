package rolexml

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/d365audit/d365audit/ingest/internal/testfiles"
	"github.com/d365audit/d365audit/ingest/located/locatedtest"
)

// sharedRoles is the read-only reference data beside the repository
// (/work/shared next to /work/main; ../shared next to a CI clone).
const sharedRoles = "../../../shared/data/roles"

// want is what each real role file holds. The numbers were measured
// independently of this package, with grep over the raw files:
//
//	grep -o '<RolePrivilege[[:space:]]' FILE | wc -l
//	grep -o 'level="Basic"' FILE | wc -l   (and Local, Deep, Global)
//
// which counts elements, not lines, so it would also be right for files
// that spread a tag over several lines. Basic+Local+Deep+Global equals the
// total for every file, and no file repeats a privilege name.
type want struct {
	id                          string
	total                       int
	basic, local, deep, global  int
	inherited, autoAssignedElem bool
}

var realFiles = map[string]want{
	"powercat-automation-kit/Automation Project Admin.xml":                                      {"66fb2000-b5cd-eb11-bacc-000d3a272399", 190, 0, 0, 0, 190, true, false},
	"powercat-automation-kit/Automation Project Contributor.xml":                                {"519502c3-98bd-eb11-bacc-000d3a44b03c", 228, 7, 137, 0, 84, true, false},
	"powercat-automation-kit/Automation Project Viewer.xml":                                     {"aeea0ddc-98bd-eb11-bacc-000d3a44b03c", 30, 0, 0, 0, 30, true, false},
	"powercat-automation-kit/Automation Schedule User.xml":                                      {"06fa925f-bcee-ee11-904b-002248172622", 165, 103, 0, 0, 62, false, false},
	"powercat-automation-kit/Automation Solution Manager User.xml":                              {"6d1adf4e-54c2-ed11-83ff-000d3a31fdff", 5, 0, 0, 0, 5, true, false},
	"powercat-automation-kit/Desktop Flow Definition Admin.xml":                                 {"9a9d35ef-c49e-ec11-b400-0022486f4172", 33, 0, 0, 0, 33, true, false},
	"powercat-automation-kit/Desktop Flows Support Analyst.xml":                                 {"593c0a5b-a32b-ee11-bdf4-0022482b6131", 147, 29, 0, 0, 118, false, false},
	"powercat-automation-kit/Flow Session Exception Admin.xml":                                  {"811274c2-bb8c-ec11-b400-0022486f421d", 25, 0, 0, 0, 25, true, false},
	"templates-for-power-platform/Awards and Recognition - Program Admin.xml":                   {"60c634b0-f9e9-ed11-a7c6-00224803a83a", 511, 213, 19, 2, 277, true, false},
	"templates-for-power-platform/Awards and Recognition - User.xml":                            {"df5c04b6-7de4-ed11-a7c7-00224803a83a", 106, 43, 2, 0, 61, true, false},
	"templates-for-power-platform/Hardware Request and Management - Business Administrator.xml": {"ff7aaae7-e33a-ee11-bdf4-002248081a55", 101, 0, 2, 62, 37, false, true},
	"templates-for-power-platform/Kudos - Employee.xml":                                         {"6089cdb9-00c4-ed11-83ff-00224803a83a", 87, 37, 2, 0, 48, true, false},
	"templates-for-power-platform/Kudos - Manager.xml":                                          {"2b32e64b-02c4-ed11-83ff-00224803a83a", 85, 34, 10, 0, 41, true, false},
	"templates-for-power-platform/Kudos - Program Admin.xml":                                    {"f2406414-ffc3-ed11-83ff-00224803a83a", 462, 213, 20, 2, 227, true, false},
	"templates-for-power-platform/Leave Management - Admin.xml":                                 {"3c52c0c9-db2c-ef11-840a-6045bda8cecd", 97, 29, 0, 0, 68, false, true},
	"templates-for-power-platform/Leave Management - User.xml":                                  {"9e04663d-dc2c-ef11-840a-6045bda8cecd", 97, 45, 0, 0, 52, false, true},
	"templates-for-power-platform/Meeting Room Services - Support.xml":                          {"76d41d1c-fc27-ef11-840a-000d3a9ea3cc", 12, 0, 0, 0, 12, false, false},
	"templates-for-power-platform/Parking Reservation - Admin Read-only.xml":                    {"42ff08c4-8107-ef11-9f89-00224820f93b", 105, 29, 0, 0, 76, false, false},
	"templates-for-power-platform/Parking Reservation - Admin.xml":                              {"c8b5d6b3-8107-ef11-9f89-00224820f93b", 130, 29, 0, 0, 101, false, false},
	"templates-for-power-platform/Parking Reservation - User.xml":                               {"69a557f6-8007-ef11-9f89-00224820f93b", 113, 39, 0, 0, 74, false, false},
	"templates-for-power-platform/SAP Template Administrator.xml":                               {"1d937873-83bc-ed11-83ff-002248049af9", 49, 0, 0, 0, 49, true, false},
	"templates-for-power-platform/SAP Template User.xml":                                        {"89693558-83bc-ed11-83ff-002248049af9", 20, 9, 0, 0, 11, true, false},
	"templates-for-power-platform/Template Installer.xml":                                       {"26d51de7-763d-ee11-bdf4-002248081105", 81, 0, 0, 0, 81, false, false},
	"templates-for-power-platform/Visitor Registration App - Admin.xml":                         {"14ec4c50-3713-ef11-9f88-7c1e5201c0e0", 112, 29, 0, 0, 83, false, false},
	"templates-for-power-platform/Visitor Registration App - User.xml":                          {"3d48409f-3513-ef11-9f88-7c1e5201c0e0", 101, 34, 0, 0, 67, false, false},
	"templates-for-power-platform/Visitor Registration Kiosk App - User.xml":                    {"98495b3d-3713-ef11-9f88-7c1e5201c0e0", 101, 35, 0, 0, 66, false, false},
}

func sharedDir(t *testing.T) string {
	t.Helper()
	if fi, err := os.Stat(sharedRoles); err != nil || !fi.IsDir() {
		t.Skipf("shared role data not found at %s (expected /work/shared beside the repository); skipping real-file tests", sharedRoles)
	}
	return sharedRoles
}

func histogram(r Role) (basic, local, deep, global int) {
	for _, p := range r.Privileges {
		switch p.Level {
		case "Basic":
			basic++
		case "Local":
			local++
		case "Deep":
			deep++
		case "Global":
			global++
		}
	}
	return
}

func checkRole(t *testing.T, rel string, r Role, w want) {
	t.Helper()
	if r.ID != w.id {
		t.Errorf("%s: ID = %q, want %q", rel, r.ID, w.id)
	}
	// Every real file is named after its role.
	if base := strings.TrimSuffix(filepath.Base(rel), ".xml"); r.Name != base {
		t.Errorf("%s: Name = %q, want %q", rel, r.Name, base)
	}
	if got := len(r.Privileges); got != w.total {
		t.Errorf("%s: %d privileges, want %d", rel, got, w.total)
	}
	b, l, d, g := histogram(r)
	if b != w.basic || l != w.local || d != w.deep || g != w.global {
		t.Errorf("%s: Basic/Local/Deep/Global = %d/%d/%d/%d, want %d/%d/%d/%d",
			rel, b, l, d, g, w.basic, w.local, w.deep, w.global)
	}
	if (r.IsInherited != nil) != w.inherited || (r.IsInherited != nil && *r.IsInherited != 1) {
		t.Errorf("%s: IsInherited = %v, want set to 1: %v", rel, r.IsInherited, w.inherited)
	}
	if r.IsCustomizable == nil || !*r.IsCustomizable {
		t.Errorf("%s: IsCustomizable = %v, want true", rel, r.IsCustomizable)
	}
	if (r.IsAutoAssigned != nil) != w.autoAssignedElem || (r.IsAutoAssigned != nil && *r.IsAutoAssigned) {
		t.Errorf("%s: IsAutoAssigned = %v, want set to false: %v", rel, r.IsAutoAssigned, w.autoAssignedElem)
	}
	if r.TemplateID != "" {
		t.Errorf("%s: TemplateID = %q, want empty", rel, r.TemplateID)
	}
	for _, p := range r.Privileges {
		if !strings.HasPrefix(p.Name, "prv") || p.Line < 4 {
			t.Errorf("%s: odd privilege %+v", rel, p)
		}
		if _, mask, _ := DepthMask(p.Level); mask != p.DepthMask {
			t.Errorf("%s: %s level %s has mask %d", rel, p.Name, p.Level, p.DepthMask)
		}
	}
}

func TestRealFiles(t *testing.T) {
	dir := sharedDir(t)

	// The table must cover exactly the files present, so a new file
	// cannot slip by untested.
	var found []string
	for _, sub := range []string{"powercat-automation-kit", "templates-for-power-platform"} {
		m, err := filepath.Glob(filepath.Join(dir, sub, "*.xml"))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range m {
			found = append(found, sub+"/"+filepath.Base(p))
		}
	}
	if len(found) != len(realFiles) {
		t.Errorf("found %d role files, table has %d", len(found), len(realFiles))
	}
	for _, rel := range found {
		if _, ok := realFiles[rel]; !ok {
			t.Errorf("%s is not in the table", rel)
		}
	}

	for rel, w := range realFiles {
		t.Run(rel, func(t *testing.T) {
			r, err := ParseFile(filepath.Join(dir, filepath.FromSlash(rel)))
			if err != nil {
				t.Fatal(err)
			}
			checkRole(t, rel, r, w)
		})
	}
}

// TestRealFilesReformatted puts every attribute of every real file on a line
// of its own, as some editors do, and checks nothing changes but the lines.
func TestRealFilesReformatted(t *testing.T) {
	dir := sharedDir(t)
	for rel, w := range realFiles {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			t.Fatal(err)
		}
		text := strings.ReplaceAll(string(data), `" `, "\"\r\n        ")
		r, err := Parse(strings.NewReader(text), rel)
		if err != nil {
			t.Fatalf("%s reformatted: %v", rel, err)
		}
		checkRole(t, rel, r, w)
	}
}

func TestRealParseDir(t *testing.T) {
	dir := sharedDir(t)
	total := 0
	for _, sub := range []string{"powercat-automation-kit", "templates-for-power-platform"} {
		roles, err := ParseDir(filepath.Join(dir, sub))
		if err != nil {
			t.Fatalf("ParseDir(%s): %v", sub, err)
		}
		names := make([]string, len(roles))
		for i, r := range roles {
			names[i] = filepath.Base(r.File)
		}
		if !sort.StringsAreSorted(names) {
			t.Errorf("ParseDir(%s) not sorted by file name: %q", sub, names)
		}
		total += len(roles)
	}
	if total != 26 {
		t.Errorf("ParseDir read %d roles, want 26", total)
	}
}

func TestLineNumbers(t *testing.T) {
	dir := sharedDir(t)
	// Kudos - Employee has CRLF line ends; its first privilege is on line 5.
	r, err := ParseFile(filepath.Join(dir, "templates-for-power-platform", "Kudos - Employee.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if p := r.Privileges[0]; p.Name != "prvActivateSynchronousWorkflow" || p.Line != 5 {
		t.Errorf("first privilege = %+v, want prvActivateSynchronousWorkflow on line 5", p)
	}
	if p := r.Privileges[len(r.Privileges)-1]; p.Line != 4+len(r.Privileges) {
		t.Errorf("last privilege = %+v, want line %d", p, 4+len(r.Privileges))
	}
}

const bom = "\uFEFF"

func TestBOMAndCRLF(t *testing.T) {
	in := bom + "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n" +
		"<Role id=\"{6089CDB9-00C4-ED11-83FF-00224803A83A}\" name=\" Kudos \" isinherited=\"0\">\r\n" +
		"  <IsCustomizable>0</IsCustomizable>\r\n" +
		"  <RoleTemplateId>{A0000000-0000-0000-0000-00000000000B}</RoleTemplateId>\r\n" +
		"  <RolePrivileges>\r\n" +
		"    <RolePrivilege name=\"prvReadmpa_Badge\" level=\"global\" />\r\n" +
		"    <RolePrivilege name=\"prvWritempa_Badge\" level=\"BASIC\" />\r\n" +
		"  </RolePrivileges>\r\n" +
		"</Role>\r\n"
	r, err := Parse(strings.NewReader(in), "crlf.xml")
	if err != nil {
		t.Fatal(err)
	}
	if r.ID != "6089cdb9-00c4-ed11-83ff-00224803a83a" || r.Name != "Kudos" || r.File != "crlf.xml" {
		t.Errorf("got %+v", r)
	}
	if r.IsInherited == nil || *r.IsInherited != 0 || r.IsCustomizable == nil || *r.IsCustomizable {
		t.Errorf("IsInherited %v IsCustomizable %v", r.IsInherited, r.IsCustomizable)
	}
	if r.TemplateID != "a0000000-0000-0000-0000-00000000000b" {
		t.Errorf("TemplateID = %q", r.TemplateID)
	}
	want := []Privilege{
		{Name: "prvReadmpa_Badge", Level: "Global", DepthMask: 8, Line: 6},
		{Name: "prvWritempa_Badge", Level: "Basic", DepthMask: 1, Line: 7},
	}
	if len(r.Privileges) != len(want) || r.Privileges[0] != want[0] || r.Privileges[1] != want[1] {
		t.Errorf("Privileges = %+v, want %+v", r.Privileges, want)
	}
}

func TestTemplateIDCaseAndAttribute(t *testing.T) {
	for _, in := range []string{
		`<Role name="x"><roletemplateid>{AAAAAAAA-0000-0000-0000-000000000001}</roletemplateid></Role>`,
		`<Role name="x" RoleTemplateId="aaaaaaaa-0000-0000-0000-000000000001"/>`,
		`<Role name="x" roletemplateid="aaaaaaaa-0000-0000-0000-000000000001"><RoleTemplateID>aaaaaaaa-0000-0000-0000-000000000001</RoleTemplateID></Role>`,
	} {
		r, err := Parse(strings.NewReader(in), "t.xml")
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if r.TemplateID != "aaaaaaaa-0000-0000-0000-000000000001" {
			t.Errorf("%s: TemplateID = %q", in, r.TemplateID)
		}
		if len(r.Privileges) != 0 || r.ID != "" {
			t.Errorf("%s: got %+v", in, r)
		}
	}
}

func TestAttributesOnSeparateLines(t *testing.T) {
	in := bom + "<?xml version=\"1.0\"?>\n" +
		"<Role\n" +
		"    id=\"{11111111-2222-3333-4444-555555555555}\"\n" +
		"    name=\"Split\">\n" +
		"  <RolePrivileges>\n" +
		"    <RolePrivilege\n" +
		"        name=\"prvCreateAccount\"\n" +
		"        level=\"Deep\" />\n" +
		"    <RolePrivilege\n" + // line 9
		"        name=\"prvReadAccount\"\n" +
		"        level=\"Sideways\" />\n" + // line 11
		"  </RolePrivileges>\n" +
		"</Role>\n"
	_, err := Parse(strings.NewReader(in), "split.xml")
	locatedtest.AssertError(t, err, "split.xml:11: level: ", `unknown level "Sideways"`, "prvReadAccount")

	ok := strings.Replace(in, "Sideways", "Local", 1)
	r, err := Parse(strings.NewReader(ok), "split.xml")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Privileges) != 2 || r.Privileges[0].Level != "Deep" || r.Privileges[0].DepthMask != 4 ||
		r.Privileges[1].DepthMask != 2 || r.Privileges[0].Line != 6 || r.Privileges[1].Line != 9 {
		t.Errorf("Privileges = %+v", r.Privileges)
	}
}

func TestErrors(t *testing.T) {
	const head = `<?xml version="1.0" encoding="utf-8"?>` + "\n"
	tests := []struct {
		name  string
		in    string
		parts []string
	}{
		{"bad level", head + `<Role name="r">
  <RolePrivileges>
    <RolePrivilege name="prvReadAccount" level="Organization" />
  </RolePrivileges>
</Role>`, []string{"bad.xml:4: level: ", "prvReadAccount", `unknown level "Organization"`}},
		{"missing level", head + `<Role name="r"><RolePrivileges>
<RolePrivilege name="prvReadAccount" /></RolePrivileges></Role>`,
			[]string{"bad.xml:3: level: ", "no level attribute"}},
		{"missing privilege name", head + `<Role name="r">
  <RolePrivileges>
    <RolePrivilege level="Global" />
  </RolePrivileges>
</Role>`, []string{"bad.xml:4: name: ", "<RolePrivilege> has no name attribute"}},
		{"empty privilege name", head + `<Role name="r"><RolePrivileges><RolePrivilege name=" " level="Basic"/></RolePrivileges></Role>`,
			[]string{"bad.xml:2: name: ", "empty name"}},
		{"missing role name", head + `<Role id="{6089cdb9-00c4-ed11-83ff-00224803a83a}">
</Role>`, []string{"bad.xml:2: name: ", "<Role> has no name attribute"}},
		{"not a role", head + `<SiteMap><Area/></SiteMap>`,
			[]string{"bad.xml:2: ", "root element is <SiteMap>, want <Role>"}},
		{"empty file", "", []string{"bad.xml: ", "no root element"}},
		{"malformed", head + `<Role name="r">
  <RolePrivileges>
    <RolePrivilege name="prvReadAccount" level="Global">
  </RolePrivileges>
</Role>`, []string{"bad.xml:5: ", "malformed XML", "RolePrivilege"}},
		{"truncated", head + "<Role name=\"r\">\n  <RolePrivileges>\n", []string{"bad.xml:", "malformed XML", "unexpected EOF"}},
		{"unquoted attribute", head + "<Role name=r/>", []string{"bad.xml:2: ", "malformed XML"}},
		{"duplicate privilege", head + `<Role name="r"><RolePrivileges>
<RolePrivilege name="prvReadAccount" level="Basic"/>
<RolePrivilege name="PRVREADACCOUNT" level="Global"/>
</RolePrivileges></Role>`, []string{"bad.xml:4: name: ", "PRVREADACCOUNT is listed twice (first on line 3)"}},
		{"bad id", head + `<Role id="{nope}" name="r"/>`, []string{"bad.xml:2: id: ", `"{nope}" is not a GUID`}},
		{"bad isinherited", head + `<Role name="r" isinherited="yes"/>`, []string{"bad.xml:2: isinherited: ", `"yes" is not an integer`}},
		{"bad IsCustomizable", head + "<Role name=\"r\">\n<IsCustomizable>maybe</IsCustomizable></Role>",
			[]string{"bad.xml:3: IsCustomizable: ", `"maybe" is not a boolean`}},
		{"bad template", head + "<Role name=\"r\"><RoleTemplateId>x</RoleTemplateId></Role>",
			[]string{"bad.xml:2: RoleTemplateId: ", `"x" is not a GUID`}},
		{"conflicting template", head + `<Role name="r" roletemplateid="aaaaaaaa-0000-0000-0000-000000000001"><RoleTemplateId>aaaaaaaa-0000-0000-0000-000000000002</RoleTemplateId></Role>`,
			[]string{"bad.xml: RoleTemplateId: ", "element says"}},
		{"attribute twice", head + `<Role name="r" NAME="s"/>`, []string{"bad.xml:2: NAME: ", "attribute given twice"}},
		{"second root", head + "<Role name=\"r\"/>\n<Role name=\"s\"/>", []string{"bad.xml:3: ", "after the end of <Role>"}},
		{"undeclared encoding", `<?xml version="1.0" encoding="utf-16"?><Role name="r"/>`, []string{"bad.xml:1: ", `XML declaration says encoding "utf-16"; role files must be UTF-8`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tt.in), "bad.xml")
			locatedtest.AssertError(t, err, tt.parts...)
		})
	}
}

// A value containing ` level=` must not fool the attribute-line search.
func TestAttrOffsetSkipsQuotedValues(t *testing.T) {
	tag := []byte("<RolePrivilege name=\"x level=y\"\n  level=\"Nope\" />")
	if got := attrOffset(tag, "level"); got != 34 {
		t.Errorf("attrOffset = %d, want 34", got)
	}
	if got := attrOffset(tag, "missing"); got != -1 {
		t.Errorf("attrOffset(missing) = %d, want -1", got)
	}
}

func TestUnknownElementsSkipped(t *testing.T) {
	in := `<Role name="r"><Future><RolePrivilege name="prvNotHere" level="Global"/></Future>
<RolePrivileges><Comment>x</Comment><RolePrivilege name="prvHere" level="Local"><Extra/></RolePrivilege></RolePrivileges>
<!-- a comment --></Role><!-- trailing -->`
	r, err := Parse(strings.NewReader(in), "f.xml")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Privileges) != 1 || r.Privileges[0].Name != "prvHere" || r.Privileges[0].Line != 2 {
		t.Errorf("Privileges = %+v", r.Privileges)
	}
}

func TestParseDir(t *testing.T) {
	dir := t.TempDir()
	role := func(id, name string) string {
		return bom + `<Role id="{` + id + `}" name="` + name + `"><RolePrivileges><RolePrivilege name="prvReadAccount" level="Basic"/></RolePrivileges></Role>`
	}
	// An unpacked solution root with a Roles folder; files out of order,
	// one upper-case extension, one non-XML file and two broken files.
	testfiles.Write(t, filepath.Join(dir, "Roles", "c.xml"), role("00000000-0000-0000-0000-00000000000c", "C"))
	testfiles.Write(t, filepath.Join(dir, "Roles", "A.XML"), role("00000000-0000-0000-0000-00000000000a", "A"))
	testfiles.Write(t, filepath.Join(dir, "Roles", "b.xml"), role("00000000-0000-0000-0000-00000000000b", "B"))
	testfiles.Write(t, filepath.Join(dir, "Roles", "notes.txt"), "not xml")
	testfiles.Write(t, filepath.Join(dir, "Roles", "broken.xml"), `<Role name="x"><RolePrivileges><RolePrivilege level="Basic"/></RolePrivileges></Role>`)
	testfiles.Write(t, filepath.Join(dir, "Roles", "dup.xml"), role("00000000-0000-0000-0000-00000000000A", "A again"))
	testfiles.Write(t, filepath.Join(dir, "Roles", "sub", "ignored.xml"), "garbage")
	testfiles.Write(t, filepath.Join(dir, "top.xml"), "<NotARole/>")

	roles, err := ParseDir(dir)
	var names []string
	for _, r := range roles {
		names = append(names, filepath.Base(r.File))
	}
	if got := strings.Join(names, ","); got != "A.XML,b.xml,c.xml" {
		t.Errorf("roles = %s, want A.XML,b.xml,c.xml", got)
	}
	if err == nil {
		t.Fatal("no error for broken files")
	}
	msg := err.Error()
	for _, want := range []string{
		filepath.Join(dir, "Roles", "broken.xml") + ":1: name: <RolePrivilege> has no name attribute",
		filepath.Join(dir, "Roles", "dup.xml") + ": id: role id 00000000-0000-0000-0000-00000000000a is also defined by " + filepath.Join(dir, "Roles", "A.XML"),
		filepath.Join(dir, "top.xml") + ":1: root element is <NotARole>",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q\ndoes not contain %q", msg, want)
		}
	}
	if n := strings.Count(msg, "\n") + 1; n != 3 {
		t.Errorf("%d errors, want 3:\n%s", n, msg)
	}

	if _, err := ParseDir(filepath.Join(dir, "missing")); err == nil || !strings.Contains(err.Error(), "missing: cannot list directory") {
		t.Errorf("ParseDir(missing) error = %v", err)
	}
	if _, err := ParseFile(filepath.Join(dir, "nope.xml")); err == nil || !strings.Contains(err.Error(), "nope.xml: cannot open") {
		t.Errorf("ParseFile(nope) error = %v", err)
	}
}

func TestDepthMask(t *testing.T) {
	for _, tt := range []struct {
		in    string
		canon string
		mask  int
	}{{"basic", "Basic", 1}, {"LOCAL", "Local", 2}, {"Deep", "Deep", 4}, {"gLoBaL", "Global", 8}} {
		c, m, ok := DepthMask(tt.in)
		if !ok || c != tt.canon || m != tt.mask {
			t.Errorf("DepthMask(%q) = %q, %d, %v", tt.in, c, m, ok)
		}
	}
	if _, _, ok := DepthMask("None"); ok {
		t.Error("DepthMask(None) ok")
	}
}

func FuzzParse(f *testing.F) {
	f.Add(bom + "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<Role id=\"{6089cdb9-00c4-ed11-83ff-00224803a83a}\" name=\"K\" isinherited=\"1\">\r\n<IsCustomizable>1</IsCustomizable>\r\n<RolePrivileges>\r\n<RolePrivilege name=\"prvReadAccount\" level=\"Global\" />\r\n</RolePrivileges>\r\n</Role>\r\n")
	f.Add("<Role\n name=\"r\"\n roletemplateid=\"{aaaaaaaa-0000-0000-0000-000000000001}\"><RolePrivileges><RolePrivilege\n name=\"a\"\n level=\"Deep\"/></RolePrivileges></Role>")
	f.Add(`<Role name="r"><RoleTemplateId>x</RoleTemplateId></Role>`)
	f.Add(`<Role name="r"><RolePrivileges><RolePrivilege name="a" level="Basic"/><RolePrivilege name="A" level="Local"/></RolePrivileges></Role>`)
	f.Add(`<SiteMap/>`)
	f.Add("")
	f.Fuzz(func(t *testing.T, in string) {
		r, err := Parse(strings.NewReader(in), "fuzz.xml")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.xml") {
				t.Errorf("error does not name the file: %v", err)
			}
			return
		}
		if r.Name == "" {
			t.Error("role without a name accepted")
		}
		seen := map[string]bool{}
		for _, p := range r.Privileges {
			if c, m, ok := DepthMask(p.Level); !ok || c != p.Level || m != p.DepthMask {
				t.Errorf("bad privilege %+v", p)
			}
			if p.Name == "" || seen[strings.ToLower(p.Name)] {
				t.Errorf("empty or duplicate privilege %+v", p)
			}
			seen[strings.ToLower(p.Name)] = true
		}
	})
}
