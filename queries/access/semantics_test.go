package access

// Semantic tests of the SQL models on small hand-built tenants. Each case
// writes an export of CSV files (through the same ingest path as a real
// run), builds the models and compares effective_access (or access_profiles,
// or user_field_access) with rows worked out by hand from OUTPUT.md and
// dataverse-security.md.

import (
	"context"
	"crypto/sha1"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/d365audit/d365audit/internal/testenv"
	"github.com/d365audit/d365audit/store"
)

// ---------------------------------------------------------------------------
// Fixture helpers (shared with property_test.go).

// fixtureHeaders is the header each fixture table is written with. A fixture
// gives rows only, in this column order.
var fixtureHeaders = map[string]string{
	"businessunits":                "businessunitid,name,parentbusinessunitid",
	"systemusers":                  "systemuserid,domainname,businessunitid,isdisabled,accessmode",
	"roles":                        "roleid,name,businessunitid,parentrootroleid,isinherited,roletemplateid",
	"privileges":                   "privilegeid,name,accessright",
	"privilegeobjecttypecodes":     "privilegeid,objecttypecode",
	"roleprivilegescollection":     "roleid,privilegeid,privilegedepthmask",
	"systemuserrolescollection":    "systemuserid,roleid",
	"teams":                        "teamid,name,teamtype,businessunitid",
	"teammemberships":              "teamid,systemuserid",
	"teamrolescollection":          "teamid,roleid",
	"fieldsecurityprofiles":        "fieldsecurityprofileid,name",
	"fieldpermissions":             "fieldsecurityprofileid,entityname,attributelogicalname,canread,cancreate,canupdate",
	"systemuserprofilescollection": "systemuserid,fieldsecurityprofileid",
	"teamprofilescollection":       "teamid,fieldsecurityprofileid",
}

// requiredFixtureTables are written (header only) even when a fixture has no
// rows for them; optional tables are written only when the fixture names them.
var requiredFixtureTables = []string{"businessunits", "systemusers", "roles", "privileges",
	"roleprivilegescollection", "systemuserrolescollection"}

// tenant is a compact export: table name -> rows, one per line, fields
// separated by commas and trimmed. A token $name anywhere in a field becomes
// a GUID derived from name, so fixtures read as names, not GUIDs.
type tenant map[string]string

// rows splits one table literal into trimmed fields.
func (tn tenant) rows(table string) [][]string {
	var out [][]string
	for _, line := range strings.Split(tn[table], "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		fields := strings.Split(line, ",")
		for i := range fields {
			fields[i] = strings.TrimSpace(fields[i])
		}
		out = append(out, fields)
	}
	return out
}

var tokenPattern = regexp.MustCompile(`\$[A-Za-z0-9_]+`)

// tokenGUID is the GUID a fixture token stands for.
func tokenGUID(token string) string {
	h := sha1.Sum([]byte(strings.TrimPrefix(token, "$")))
	x := []byte(hex.EncodeToString(h[:16]))
	x[12], x[16] = '4', '8' // version 4, RFC 4122 variant
	return fmt.Sprintf("%s-%s-%s-%s-%s", x[0:8], x[8:12], x[12:16], x[16:20], x[20:32])
}

func expandTokens(s string) string { return tokenPattern.ReplaceAllStringFunc(s, tokenGUID) }

// writeExport writes the tables of an export (rows per table, tokens not yet
// expanded) as CSV files into dir.
func writeExport(t testing.TB, dir string, tables map[string][][]string) {
	t.Helper()
	names := append([]string(nil), requiredFixtureTables...)
	for name := range tables {
		if _, ok := fixtureHeaders[name]; !ok {
			t.Fatalf("fixture names unknown table %q", name)
		}
		required := false
		for _, r := range requiredFixtureTables {
			required = required || r == name
		}
		if !required {
			names = append(names, name)
		}
	}
	for _, name := range names {
		header := strings.Split(fixtureHeaders[name], ",")
		f, err := os.Create(filepath.Join(dir, name+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		w := csv.NewWriter(f)
		w.Write(header)
		for i, row := range tables[name] {
			if len(row) != len(header) {
				t.Fatalf("%s row %d has %d fields, want %d (%s): %q", name, i+1, len(row), len(header), fixtureHeaders[name], row)
			}
			out := make([]string, len(row))
			for j, v := range row {
				out[j] = expandTokens(v)
			}
			w.Write(out)
		}
		w.Flush()
		if err := w.Error(); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// loadExport ingests the export in dir into a fresh in-memory database and
// builds the models. Any structural or dangling-reference problem fails the
// test: fixtures are meant to be clean.
func loadExport(t testing.TB, dir string, opts Options) *store.DB {
	t.Helper()
	db := testenv.LoadClean(t, dir)
	if err := Build(context.Background(), db, opts); err != nil {
		t.Fatal(err)
	}
	return db
}

// loadTenant writes tn into a temporary directory, ingests it and builds the
// models.
func loadTenant(t testing.TB, tn tenant, opts Options) *store.DB {
	t.Helper()
	tables := map[string][][]string{}
	for name := range tn {
		tables[name] = tn.rows(name)
	}
	dir := t.TempDir()
	writeExport(t, dir, tables)
	return loadExport(t, dir, opts)
}

// accessRow is one row of effective_access as OUTPUT.md shows it.
type accessRow struct {
	User, Table, Privilege, Depth, Sources string
}

func (r accessRow) String() string {
	return fmt.Sprintf("%s | %q | %s | %s | %s", r.User, r.Table, r.Privilege, r.Depth, r.Sources)
}

func queryAccess(t testing.TB, db *store.DB) []accessRow {
	t.Helper()
	var out []accessRow
	err := db.Query(context.Background(), "read effective_access",
		`SELECT "user", "table", privilege, depth, sources FROM effective_access`,
		func(rows *sql.Rows) error {
			var r accessRow
			if err := rows.Scan(&r.User, &r.Table, &r.Privilege, &r.Depth, &r.Sources); err != nil {
				return err
			}
			out = append(out, r)
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	sortAccess(out)
	return out
}

func sortAccess(rows []accessRow) {
	sort.Slice(rows, func(i, j int) bool { return rows[i].String() < rows[j].String() })
}

// diffRows reports the rows only in want and only in got.
func diffRows[T fmt.Stringer](want, got []T) string {
	count := map[string]int{}
	for _, r := range want {
		count[r.String()]++
	}
	for _, r := range got {
		count[r.String()]--
	}
	var missing, extra []string
	for k, n := range count {
		for ; n > 0; n-- {
			missing = append(missing, "  - "+k)
		}
		for ; n < 0; n++ {
			extra = append(extra, "  + "+k)
		}
	}
	if len(missing) == 0 && len(extra) == 0 {
		return ""
	}
	sort.Strings(missing)
	sort.Strings(extra)
	return "missing (-) / unexpected (+) rows:\n" + strings.Join(append(missing, extra...), "\n")
}

// ---------------------------------------------------------------------------
// Effective access.

// baseBUs is a three-level tree: Contoso (root) > EMEA > DACH.
const baseBUs = `
$contoso, Contoso,
$emea,    EMEA,    $contoso
$dach,    DACH,    $emea
`

// basePrivileges maps through privilegeobjecttypecodes (basePOTC) unless a
// case leaves that table out.
const basePrivileges = `
$ra,   prvReadAccount,     1
$wa,   prvWriteAccount,    2
$da,   prvDeleteAccount,   65536
$rc,   prvReadContact,     1
$rr,   prvReadRole,        1
$wu,   prvWriteUser,       2
$bulk, prvBulkDelete,      1
`

const basePOTC = `
$ra,   account
$wa,   account
$da,   account
$rc,   contact
$rr,   role
$wu,   systemuser
$bulk, none
`

func TestEffectiveAccessSemantics(t *testing.T) {
	cases := []struct {
		name string
		tn   tenant
		opts Options
		want []accessRow
	}{
		{
			name: "cumulative roles: highest depth wins, every grant listed",
			tn: tenant{
				"businessunits": baseBUs, "privileges": basePrivileges, "privilegeobjecttypecodes": basePOTC,
				"systemusers": `$ann, ann, $contoso, false, 0`,
				"roles": `
					$reader,  Reader,  $contoso, $reader,  1,
					$manager, Manager, $contoso, $manager, 1,`,
				"roleprivilegescollection": `
					$reader,  $ra, 1
					$reader,  $wa, 2
					$manager, $ra, 4
					$manager, $wa, 1`,
				"systemuserrolescollection": `
					$ann, $reader
					$ann, $manager`,
			},
			want: []accessRow{
				{"ann", "account", "read", "deep", "Manager@Contoso direct (deep); Reader@Contoso direct (basic)"},
				{"ann", "account", "write", "local", "Reader@Contoso direct (local); Manager@Contoso direct (basic)"},
			},
		},
		// A mask other than 1, 2, 4 or 8 is a located validate error now
		// (ingest/inputchecks_test.go), not read as its highest bit.
		{
			name: "team role isinherited 0: Basic becomes team, Local stays local",
			tn: tenant{
				"businessunits": baseBUs, "privileges": basePrivileges, "privilegeobjecttypecodes": basePOTC,
				"systemusers":                  `$ann, ann, $contoso, false, 0`,
				"roles":                        `$tr, Team Role, $contoso, $tr, 0,`,
				"roleprivilegescollection":     "$tr, $ra, 1\n$tr, $wa, 2",
				"teams":                        `$owners, Owners, 0, $contoso`,
				"teammemberships":              `$owners, $ann`,
				"teamrolescollection":          `$owners, $tr`,
				"systemuserrolescollection":    ``,
				"systemuserprofilescollection": ``, // an empty optional table changes nothing
			},
			want: []accessRow{
				{"ann", "account", "read", "team", "Team Role@Contoso team:Owners (team)"},
				{"ann", "account", "write", "local", "Team Role@Contoso team:Owners (local)"},
			},
		},
		{
			name: "team role isinherited 1: Basic stays basic",
			tn: tenant{
				"businessunits": baseBUs, "privileges": basePrivileges, "privilegeobjecttypecodes": basePOTC,
				"systemusers":              `$ann, ann, $contoso, false, 0`,
				"roles":                    `$tr, Team Role, $contoso, $tr, 1,`,
				"roleprivilegescollection": `$tr, $ra, 1`,
				"teams":                    `$owners, Owners, 0, $contoso`,
				"teammemberships":          `$owners, $ann`,
				"teamrolescollection":      `$owners, $tr`,
			},
			want: []accessRow{
				{"ann", "account", "read", "basic", "Team Role@Contoso team:Owners (basic)"},
			},
		},
		{
			// A role without isinherited is taken as 1 (README): the
			// reading that shows more access, the safer side for an audit.
			name: "team role isinherited missing: taken as 1, Basic stays basic",
			tn: tenant{
				"businessunits": baseBUs, "privileges": basePrivileges, "privilegeobjecttypecodes": basePOTC,
				"systemusers":              `$ann, ann, $contoso, false, 0`,
				"roles":                    `$tr, Team Role, $contoso, $tr, ,`,
				"roleprivilegescollection": `$tr, $ra, 1`,
				"teams":                    `$owners, Owners, 0, $contoso`,
				"teammemberships":          `$owners, $ann`,
				"teamrolescollection":      `$owners, $tr`,
			},
			want: []accessRow{
				{"ann", "account", "read", "basic", "Team Role@Contoso team:Owners (basic)"},
			},
		},
		{
			name: "direct Basic beats team-only Basic",
			tn: tenant{
				"businessunits": baseBUs, "privileges": basePrivileges, "privilegeobjecttypecodes": basePOTC,
				// bob holds the isinherited-0 role both directly and through the
				// team: the direct grant is plain basic.
				"systemusers": "$ann, ann, $contoso, false, 0\n$bob, bob, $contoso, false, 0",
				"roles": `
					$tr, Team Role,   $contoso, $tr, 0,
					$dr, Direct Role, $contoso, $dr, 1,`,
				"roleprivilegescollection": "$tr, $ra, 1\n$tr, $wa, 1\n$dr, $ra, 1",
				"teams":                    `$owners, Owners, 0, $contoso`,
				"teammemberships":          "$owners, $ann\n$owners, $bob",
				"teamrolescollection":      `$owners, $tr`,
				"systemuserrolescollection": `
					$ann, $dr
					$bob, $tr`,
			},
			want: []accessRow{
				{"ann", "account", "read", "basic", "Direct Role@Contoso direct (basic); Team Role@Contoso team:Owners (team)"},
				{"ann", "account", "write", "team", "Team Role@Contoso team:Owners (team)"},
				{"bob", "account", "read", "basic", "Team Role@Contoso direct (basic); Team Role@Contoso team:Owners (team)"},
				{"bob", "account", "write", "basic", "Team Role@Contoso direct (basic); Team Role@Contoso team:Owners (team)"},
			},
		},
		{
			name: "Local and Deep through a team are anchored to the role's business unit",
			tn: tenant{
				"businessunits": baseBUs, "privileges": basePrivileges, "privilegeobjecttypecodes": basePOTC,
				// ann sits in the root BU; the team and its role copy are in EMEA.
				"systemusers": `$ann, ann, $contoso, false, 0`,
				"roles": `
					$sr,      Sales Rep, $contoso, $sr, 1,
					$sr_emea, Sales Rep, $emea,    $sr, 1,
					$sr_dach, Sales Rep, $dach,    $sr, 1,`,
				"roleprivilegescollection": "$sr, $ra, 2\n$sr, $wa, 4",
				"teams":                    `$reps, EMEA Reps, 0, $emea`,
				"teammemberships":          `$reps, $ann`,
				"teamrolescollection":      `$reps, $sr_emea`,
			},
			want: []accessRow{
				{"ann", "account", "read", "local", "Sales Rep@EMEA team:EMEA Reps (local)"},
				{"ann", "account", "write", "deep", "Sales Rep@EMEA team:EMEA Reps (deep)"},
			},
		},
		{
			name: "BU copy without rows takes the root's; a copy with rows uses only its own",
			tn: tenant{
				"businessunits": baseBUs, "privileges": basePrivileges, "privilegeobjecttypecodes": basePOTC,
				"systemusers": `$bob, bob, $emea, false, 0`,
				"roles": `
					$sr,      Sales Rep, $contoso, $sr, 1,
					$sr_emea, Sales Rep, $emea,    $sr, 1,
					$mg,      Manager,   $contoso, $mg, 1,
					$mg_emea, Manager,   $emea,    $mg, 1,`,
				"roleprivilegescollection": `
					$sr,      $ra, 8
					$sr,      $wa, 8
					$mg,      $ra, 1
					$mg,      $rc, 8
					$mg_emea, $da, 2`,
				"systemuserrolescollection": "$bob, $sr_emea\n$bob, $mg_emea",
			},
			want: []accessRow{
				{"bob", "account", "read", "global", "Sales Rep@EMEA direct (global)"},
				{"bob", "account", "write", "global", "Sales Rep@EMEA direct (global)"},
				{"bob", "account", "delete", "local", "Manager@EMEA direct (local)"},
			},
		},
		{
			name: "owner, Entra and M365 group teams give roles; access teams give none",
			tn: tenant{
				"businessunits": baseBUs, "privileges": basePrivileges, "privilegeobjecttypecodes": basePOTC,
				"systemusers": `$ann, ann, $emea, false, 0`,
				"roles": `
					$r0, Owner Role,  $contoso, $r0, 1,
					$r1, Access Role, $contoso, $r1, 1,
					$r2, Entra Role,  $contoso, $r2, 1,
					$r3, M365 Role,   $contoso, $r3, 1,`,
				"roleprivilegescollection": "$r0, $ra, 8\n$r1, $wa, 8\n$r2, $da, 8\n$r3, $rc, 8",
				"teams": `
					$t0, Owner Team,  0, $contoso
					$t1, Access Team, 1, $contoso
					$t2, Entra Team,  2, $contoso
					$t3, M365 Team,   3, $emea`,
				"teammemberships":     "$t0, $ann\n$t1, $ann\n$t2, $ann\n$t3, $ann",
				"teamrolescollection": "$t0, $r0\n$t1, $r1\n$t2, $r2\n$t3, $r3",
			},
			want: []accessRow{
				{"ann", "account", "read", "global", "Owner Role@Contoso team:Owner Team (global)"},
				{"ann", "account", "delete", "global", "Entra Role@Contoso team:Entra Team (global)"},
				{"ann", "contact", "read", "global", "M365 Role@Contoso team:M365 Team (global)"},
			},
		},
		{
			name: "access team alone gives nothing",
			tn: tenant{
				"businessunits": baseBUs, "privileges": basePrivileges, "privilegeobjecttypecodes": basePOTC,
				"systemusers":              `$ann, ann, $contoso, false, 0`,
				"roles":                    `$r, Role, $contoso, $r, 1,`,
				"roleprivilegescollection": `$r, $ra, 8`,
				"teams":                    `$t, Deal Team, 1, $contoso`,
				"teammemberships":          `$t, $ann`,
				"teamrolescollection":      `$t, $r`,
			},
			want: nil,
		},
		{
			name: "a disabled user holds nothing, directly or through teams",
			tn: tenant{
				"businessunits": baseBUs, "privileges": basePrivileges, "privilegeobjecttypecodes": basePOTC,
				"systemusers": "$ann, ann, $contoso, true, 0\n$bob, bob, $contoso, false, 0",
				"roles":       `$r, Role, $contoso, $r, 1,`,
				"roleprivilegescollection": `
					$r, $ra,   8
					$r, $bulk, 8`,
				"teams":                     `$t, Owners, 0, $contoso`,
				"teammemberships":           "$t, $ann\n$t, $bob",
				"teamrolescollection":       `$t, $r`,
				"systemuserrolescollection": `$ann, $r`,
			},
			want: []accessRow{
				{"bob", "account", "read", "global", "Role@Contoso team:Owners (global)"},
				{"bob", "", "prvBulkDelete", "global", "Role@Contoso team:Owners (global)"},
			},
		},
		{
			name: "Read access mode keeps only read (misc privileges dropped)",
			tn: tenant{
				"businessunits": baseBUs, "privileges": basePrivileges, "privilegeobjecttypecodes": basePOTC,
				"systemusers": `$ann, ann, $contoso, false, 2`,
				"roles":       `$r, Role, $contoso, $r, 1,`,
				"roleprivilegescollection": `
					$r, $ra,   2
					$r, $wa,   8
					$r, $da,   8
					$r, $rr,   8
					$r, $wu,   8
					$r, $bulk, 8`,
				"systemuserrolescollection": `$ann, $r`,
			},
			want: []accessRow{
				{"ann", "account", "read", "local", "Role@Contoso direct (local)"},
				{"ann", "role", "read", "global", "Role@Contoso direct (global)"},
			},
		},
		{
			name: "Administrative access mode: nothing on business tables, the rest kept",
			tn: tenant{
				"businessunits": baseBUs, "privileges": basePrivileges, "privilegeobjecttypecodes": basePOTC,
				"systemusers": `$adm, adm, $contoso, false, 1`,
				"roles":       `$r, Role, $contoso, $r, 1,`,
				"roleprivilegescollection": `
					$r, $ra,   8
					$r, $wa,   8
					$r, $rc,   8
					$r, $rr,   8
					$r, $wu,   4
					$r, $bulk, 8`,
				"systemuserrolescollection": `$adm, $r`,
			},
			want: []accessRow{
				{"adm", "role", "read", "global", "Role@Contoso direct (global)"},
				{"adm", "systemuser", "write", "deep", "Role@Contoso direct (deep)"},
				{"adm", "", "prvBulkDelete", "global", "Role@Contoso direct (global)"},
			},
		},
		{
			name: "Administrative access mode with a policy's own business tables",
			opts: Options{BusinessTables: []string{"Role"}},
			tn: tenant{
				"businessunits": baseBUs, "privileges": basePrivileges, "privilegeobjecttypecodes": basePOTC,
				"systemusers": "$adm, adm, $contoso, false, 1\n$rw, rw, $contoso, false, 0",
				"roles":       `$r, Role, $contoso, $r, 1,`,
				"roleprivilegescollection": `
					$r, $ra, 8
					$r, $rr, 8`,
				"systemuserrolescollection": "$adm, $r\n$rw, $r",
			},
			want: []accessRow{
				{"adm", "account", "read", "global", "Role@Contoso direct (global)"},
				{"rw", "account", "read", "global", "Role@Contoso direct (global)"},
				{"rw", "role", "read", "global", "Role@Contoso direct (global)"},
			},
		},
		{
			name: "Non-interactive access mode holds everything",
			tn: tenant{
				"businessunits": baseBUs, "privileges": basePrivileges, "privilegeobjecttypecodes": basePOTC,
				"systemusers":               `$app, app, $contoso, false, 4`,
				"roles":                     `$r, Role, $contoso, $r, 1,`,
				"roleprivilegescollection":  "$r, $wa, 8\n$r, $bulk, 8",
				"systemuserrolescollection": `$app, $r`,
			},
			want: []accessRow{
				{"app", "account", "write", "global", "Role@Contoso direct (global)"},
				{"app", "", "prvBulkDelete", "global", "Role@Contoso direct (global)"},
			},
		},
		{
			name: "prvBulkDelete: empty table, full name as privilege (objecttypecode none)",
			tn: tenant{
				"businessunits": baseBUs, "privileges": basePrivileges, "privilegeobjecttypecodes": basePOTC,
				"systemusers":               `$ann, ann, $contoso, false, 0`,
				"roles":                     `$r, Role, $contoso, $r, 1,`,
				"roleprivilegescollection":  `$r, $bulk, 8`,
				"systemuserrolescollection": `$ann, $r`,
			},
			want: []accessRow{{"ann", "", "prvBulkDelete", "global", "Role@Contoso direct (global)"}},
		},
		{
			name: "table derived from the name without privilegeobjecttypecodes",
			tn: tenant{
				"businessunits": baseBUs,
				"privileges": `
					$ata,  prvAppendToAccount,       16
					$apa,  prvAppendAccount,         4
					$cra,  prvCreateAccount,         32
					$asa,  prvAssignAccount,         524288
					$sha,  prvShareAccount,          262144
					$ru,   prvReadUser,              1
					$cp,   prvCreatecontoso_Payment, 32
					$bulk, prvBulkDelete,            1
					$dis,  prvDisableUser,           0`,
				"systemusers": `$ann, ann, $contoso, false, 0`,
				"roles":       `$r, Role, $contoso, $r, 1,`,
				"roleprivilegescollection": `
					$r, $ata,  1
					$r, $apa,  2
					$r, $cra,  4
					$r, $asa,  8
					$r, $sha,  1
					$r, $ru,   8
					$r, $cp,   2
					$r, $bulk, 8
					$r, $dis,  8`,
				"systemuserrolescollection": `$ann, $r`,
			},
			want: []accessRow{
				{"ann", "account", "appendto", "basic", "Role@Contoso direct (basic)"},
				{"ann", "account", "append", "local", "Role@Contoso direct (local)"},
				{"ann", "account", "create", "deep", "Role@Contoso direct (deep)"},
				{"ann", "account", "assign", "global", "Role@Contoso direct (global)"},
				{"ann", "account", "share", "basic", "Role@Contoso direct (basic)"},
				{"ann", "systemuser", "read", "global", "Role@Contoso direct (global)"},
				{"ann", "contoso_payment", "create", "local", "Role@Contoso direct (local)"},
				{"ann", "", "prvBulkDelete", "global", "Role@Contoso direct (global)"},
				{"ann", "", "prvDisableUser", "global", "Role@Contoso direct (global)"},
			},
		},
		{
			name: "privilegeobjecttypecodes wins; none is misc; unmapped privileges fall back to the name",
			tn: tenant{
				"businessunits": baseBUs,
				"privileges": `
					$ra,  prvReadAccount,                            1
					$act, prvReadActivity,                           1
					$hsc, prvWriteHierarchicalSecurityConfiguration, 2
					$ata, prvAppendToAccount,                        16
					$ru,  prvReadUser,                               1`,
				"privilegeobjecttypecodes": `
					$ra,  account
					$act, activitypointer
					$hsc, none`,
				"systemusers": `$ann, ann, $contoso, false, 0`,
				"roles":       `$r, Role, $contoso, $r, 1,`,
				"roleprivilegescollection": `
					$r, $ra,  8
					$r, $act, 4
					$r, $hsc, 8
					$r, $ata, 2
					$r, $ru,  1`,
				"systemuserrolescollection": `$ann, $r`,
			},
			want: []accessRow{
				{"ann", "account", "read", "global", "Role@Contoso direct (global)"},
				{"ann", "activitypointer", "read", "deep", "Role@Contoso direct (deep)"},
				{"ann", "", "prvWriteHierarchicalSecurityConfiguration", "global", "Role@Contoso direct (global)"},
				{"ann", "account", "appendto", "local", "Role@Contoso direct (local)"},
				{"ann", "systemuser", "read", "basic", "Role@Contoso direct (basic)"},
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := loadTenant(t, tc.tn, tc.opts)
			got := queryAccess(t, db)
			want := append([]accessRow(nil), tc.want...)
			sortAccess(want)
			if d := diffRows(want, got); d != "" {
				t.Errorf("effective_access differs from the hand-worked rows\n%s", d)
			}
		})
	}
}

// TestAccessProfiles: users with identical grants share one profile; the same
// roles in another access mode, or held through another path, do not.
func TestAccessProfiles(t *testing.T) {
	tn := tenant{
		"businessunits": baseBUs, "privileges": basePrivileges, "privilegeobjecttypecodes": basePOTC,
		// ann and bob: same role, directly, full mode, different BUs.
		// carl: same role, Read mode. dave: same role through a team.
		"systemusers": `
			$ann,  ann,  $contoso, false, 0
			$bob,  bob,  $emea,    false, 0
			$carl, carl, $contoso, false, 2
			$dave, dave, $contoso, false, 0`,
		"roles":                     `$r, Role, $contoso, $r, 1,`,
		"roleprivilegescollection":  "$r, $ra, 8\n$r, $wa, 2",
		"systemuserrolescollection": "$ann, $r\n$bob, $r\n$carl, $r",
		"teams":                     `$t, Owners, 0, $contoso`,
		"teammemberships":           `$t, $dave`,
		"teamrolescollection":       `$t, $r`,
	}
	db := loadTenant(t, tn, Options{})
	ctx := context.Background()
	profile := map[string]int64{}
	err := db.Query(ctx, "profiles", `SELECT u.domainname, up.profileid FROM user_profiles up JOIN systemusers u USING (systemuserid)`,
		func(r *sql.Rows) error {
			var name string
			var id int64
			if err := r.Scan(&name, &id); err != nil {
				return err
			}
			profile[name] = id
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if len(profile) != 4 {
		t.Fatalf("user_profiles has %d users, want 4: %v", len(profile), profile)
	}
	if profile["ann"] != profile["bob"] {
		t.Errorf("ann and bob hold identical grants but have profiles %d and %d", profile["ann"], profile["bob"])
	}
	if profile["carl"] == profile["ann"] {
		t.Errorf("carl (Read mode) shares ann's profile %d", profile["ann"])
	}
	if profile["dave"] == profile["ann"] || profile["dave"] == profile["carl"] {
		t.Errorf("dave (role through a team) shares a profile: %v", profile)
	}
	users, err := db.QueryInt(ctx, "", `SELECT users FROM access_profiles WHERE profileid = ?`, profile["ann"])
	if err != nil {
		t.Fatal(err)
	}
	if users != 2 {
		t.Errorf("access_profiles.users of ann's profile = %d, want 2", users)
	}
	n, err := db.QueryInt(ctx, "", `SELECT count(*) FROM access_profiles`)
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("%d access profiles, want 3", n)
	}
	want := []accessRow{
		{"ann", "account", "read", "global", "Role@Contoso direct (global)"},
		{"ann", "account", "write", "local", "Role@Contoso direct (local)"},
		{"bob", "account", "read", "global", "Role@Contoso direct (global)"},
		{"bob", "account", "write", "local", "Role@Contoso direct (local)"},
		{"carl", "account", "read", "global", "Role@Contoso direct (global)"},
		{"dave", "account", "read", "global", "Role@Contoso team:Owners (global)"},
		{"dave", "account", "write", "local", "Role@Contoso team:Owners (local)"},
	}
	sortAccess(want)
	if d := diffRows(want, queryAccess(t, db)); d != "" {
		t.Errorf("effective_access differs\n%s", d)
	}
}

// ---------------------------------------------------------------------------
// Field security.

type fieldRow struct {
	User, Table, Column  string
	Read, Create, Update bool
	SourcesContain       []string // substrings the sources must contain (not compared exactly)
	sources              string
}

func (r fieldRow) String() string {
	return fmt.Sprintf("%s | %s.%s | read=%v create=%v update=%v", r.User, r.Table, r.Column, r.Read, r.Create, r.Update)
}

const (
	sysAdminTemplate = "627090ff-40a3-4053-8790-584edc5be201"
	sysAdminProfile  = "572329c1-a042-4e22-be47-367c6374ea45"
)

func TestFieldSecurity(t *testing.T) {
	// Two profiles: Salary (read salary; read ssn) and HR (update ssn; nothing
	// on bonus), and a column (contact.secret) secured by a profile nobody
	// holds.
	base := func(extra tenant) tenant {
		tn := tenant{
			"businessunits": baseBUs, "privileges": basePrivileges, "privilegeobjecttypecodes": basePOTC,
			"roles": `
				$sa,      System Administrator, $contoso, $sa, 1, ` + sysAdminTemplate + `
				$sa_emea, System Administrator, $emea,    $sa, 1, ` + sysAdminTemplate + `
				$plain,   Plain,                $contoso, $plain, 1,`,
			"roleprivilegescollection": `$sa, $ra, 8`,
			"fieldsecurityprofiles": `
				$salary, Salary
				$hr,     HR
				$other,  Other`,
			"fieldpermissions": `
				$salary, systemuser, new_salary, 4, 0, 0
				$salary, contact,    new_ssn,    4, 0, 0
				$hr,     contact,    new_ssn,    0, 0, 4
				$hr,     contact,    new_bonus,  0, 0, 0
				$other,  contact,    new_secret, 4, 4, 4`,
		}
		for k, v := range extra {
			tn[k] = v
		}
		return tn
	}
	cases := []struct {
		name string
		tn   tenant
		want []fieldRow
	}{
		{
			name: "profile held directly",
			tn: base(tenant{
				"systemusers":                  `$ann, ann, $contoso, false, 0`,
				"systemuserprofilescollection": `$ann, $salary`,
			}),
			want: []fieldRow{
				{User: "ann", Table: "systemuser", Column: "new_salary", Read: true, SourcesContain: []string{"Salary"}},
				{User: "ann", Table: "contact", Column: "new_ssn", Read: true, SourcesContain: []string{"Salary"}},
			},
		},
		{
			name: "Read mode only reads, Administrative mode reaches no business table",
			tn: base(tenant{
				"systemusers":                  "$ann, ann, $contoso, false, 2\n$bob, bob, $contoso, false, 1",
				"systemuserprofilescollection": "$ann, $other\n$bob, $salary",
			}),
			want: []fieldRow{
				{User: "ann", Table: "contact", Column: "new_secret", Read: true, SourcesContain: []string{"Other"}},
				{User: "bob", Table: "systemuser", Column: "new_salary", Read: true, SourcesContain: []string{"Salary"}},
			},
		},
		{
			name: "profile held through a team",
			tn: base(tenant{
				"systemusers":            "$ann, ann, $contoso, false, 0\n$bob, bob, $contoso, false, 0",
				"teams":                  `$payroll, Payroll, 0, $emea`,
				"teammemberships":        `$payroll, $ann`,
				"teamprofilescollection": `$payroll, $hr`,
			}),
			want: []fieldRow{
				{User: "ann", Table: "contact", Column: "new_ssn", Update: true, SourcesContain: []string{"HR", "Payroll"}},
			},
		},
		{
			name: "union of read from one profile and update from another",
			tn: base(tenant{
				"systemusers":                  `$ann, ann, $contoso, false, 0`,
				"systemuserprofilescollection": `$ann, $salary`,
				"teams":                        `$payroll, Payroll, 0, $contoso`,
				"teammemberships":              `$payroll, $ann`,
				"teamprofilescollection":       `$payroll, $hr`,
			}),
			want: []fieldRow{
				{User: "ann", Table: "systemuser", Column: "new_salary", Read: true, SourcesContain: []string{"Salary"}},
				{User: "ann", Table: "contact", Column: "new_ssn", Read: true, Update: true, SourcesContain: []string{"Salary", "HR"}},
			},
		},
		{
			name: "System Administrator holds every secured column, directly or through a team",
			tn: base(tenant{
				"systemusers": `
					$rita, rita, $contoso, false, 0
					$eve,  eve,  $emea,    false, 0
					$nick, nick, $contoso, false, 0`,
				"systemuserrolescollection": "$rita, $sa\n$nick, $plain",
				"teams":                     `$admins, Admins, 2, $emea`,
				"teammemberships":           `$admins, $eve`,
				"teamrolescollection":       `$admins, $sa_emea`,
			}),
			want: []fieldRow{
				{User: "rita", Table: "systemuser", Column: "new_salary", Read: true, Create: true, Update: true, SourcesContain: []string{"System Administrator"}},
				{User: "rita", Table: "contact", Column: "new_ssn", Read: true, Create: true, Update: true},
				{User: "rita", Table: "contact", Column: "new_bonus", Read: true, Create: true, Update: true},
				{User: "rita", Table: "contact", Column: "new_secret", Read: true, Create: true, Update: true},
				{User: "eve", Table: "systemuser", Column: "new_salary", Read: true, Create: true, Update: true},
				{User: "eve", Table: "contact", Column: "new_ssn", Read: true, Create: true, Update: true},
				{User: "eve", Table: "contact", Column: "new_bonus", Read: true, Create: true, Update: true},
				{User: "eve", Table: "contact", Column: "new_secret", Read: true, Create: true, Update: true},
			},
		},
		{
			name: "a disabled user holds no column, not even as System Administrator",
			tn: base(tenant{
				"systemusers":                  `$ann, ann, $contoso, true, 0`,
				"systemuserrolescollection":    `$ann, $sa`,
				"systemuserprofilescollection": `$ann, $salary`,
				"teams":                        `$payroll, Payroll, 0, $contoso`,
				"teammemberships":              `$payroll, $ann`,
				"teamprofilescollection":       `$payroll, $hr`,
			}),
			want: nil,
		},
		{
			name: "a profile with nothing allowed on a column gives no row",
			tn: base(tenant{
				"systemusers":                  `$ann, ann, $contoso, false, 0`,
				"systemuserprofilescollection": `$ann, $hr`,
			}),
			want: []fieldRow{
				{User: "ann", Table: "contact", Column: "new_ssn", Update: true, SourcesContain: []string{"HR"}},
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := loadTenant(t, tc.tn, Options{})
			var got []fieldRow
			err := db.Query(context.Background(), "read user_field_access",
				`SELECT "user", "table", "column", canread, cancreate, canupdate, sources FROM user_field_access`,
				func(r *sql.Rows) error {
					var f fieldRow
					if err := r.Scan(&f.User, &f.Table, &f.Column, &f.Read, &f.Create, &f.Update, &f.sources); err != nil {
						return err
					}
					got = append(got, f)
					return nil
				})
			if err != nil {
				t.Fatal(err)
			}
			if d := diffRows(tc.want, got); d != "" {
				t.Errorf("user_field_access differs from the hand-worked rows\n%s", d)
			}
			for _, w := range tc.want {
				for _, g := range got {
					if g.String() != w.String() {
						continue
					}
					for _, s := range w.SourcesContain {
						if !strings.Contains(g.sources, s) {
							t.Errorf("%s: sources %q do not mention %q", g, g.sources, s)
						}
					}
				}
			}
		})
	}
}
