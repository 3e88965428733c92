package access

import (
	"context"
	"database/sql"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/d365audit/d365audit/ingest/rolexml"
	"github.com/d365audit/d365audit/queries/vocab"
)

// realRoleDirs hold Microsoft's own role files (../shared/data/roles):
// thousands of real privilege names, in the casings Microsoft ships.
var realRoleDirs = []string{"../../../shared/data/roles/templates-for-power-platform", "../../../shared/data/roles/powercat-automation-kit"}

// TestRealPrivilegeNames maps every privilege name of the real role files
// the way an export without privilegeobjecttypecodes and accessright is
// mapped (the name alone), and checks the names that lie.
func TestRealPrivilegeNames(t *testing.T) {
	names := map[string]bool{}
	for _, dir := range realRoleDirs {
		if _, err := os.Stat(dir); err != nil {
			t.Skipf("real role files not found at %s (../shared sits beside the clone in CI): %v", dir, err)
		}
		roles, err := rolexml.ParseDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range roles {
			for _, p := range r.Privileges {
				names[p.Name] = true
			}
		}
	}
	privs := [][]string{}
	grants := [][]string{}
	for _, n := range slices.Sorted(maps.Keys(names)) {
		privs = append(privs, []string{"$" + n, n, "0"})
		grants = append(grants, []string{"$role", "$" + n, "8"})
	}
	dir := t.TempDir()
	writeExport(t, dir, map[string][][]string{
		"businessunits":             {{"$bu", "Root", ""}},
		"systemusers":               {{"$u", "u@x", "$bu", "false", "0"}},
		"roles":                     {{"$role", "All", "$bu", "", "1", ""}},
		"privileges":                privs,
		"roleprivilegescollection":  grants,
		"systemuserrolescollection": {{"$u", "$role"}},
	})
	db := loadExport(t, dir, Options{})
	type mapped struct{ table, privilege, source string }
	got := map[string]mapped{}
	sources := map[string]int{}
	err := db.Query(context.Background(), "map", `SELECT name, table_name, privilege, table_source FROM privilege_tables`,
		func(rows *sql.Rows) error {
			var n string
			var m mapped
			if err := rows.Scan(&n, &m.table, &m.privilege, &m.source); err != nil {
				return err
			}
			got[n] = m
			sources[m.source]++
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(names) {
		t.Fatalf("%d privileges mapped, want %d", len(got), len(names))
	}
	t.Logf("%d real privilege names; table from: %v", len(names), sources)
	for name, want := range map[string]mapped{
		"prvAppendtoCategory":             {"category", "appendto", "name"}, // lower-case "to", as Microsoft ships it
		"prvAppendToCategory":             {"category", "appendto", "name"},
		"prvReadUser":                     {"systemuser", "read", "builtin"},
		"prvReadQuery":                    {"savedquery", "read", "builtin"},
		"prvReadNote":                     {"annotation", "read", "builtin"},
		"prvCreateActivity":               {"activitypointer", "create", "builtin"},
		"prvReadEmailTemplate":            {"template", "read", "builtin"},
		"prvReadSavedQueryVisualizations": {"savedqueryvisualization", "read", "builtin"},
		"prvReadLicense":                  {"", "prvReadLicense", "misc"},
		"prvBulkEdit":                     {"", "prvBulkEdit", "misc"},
		"prvReadmsdyn_flow_flowapproval":  {"msdyn_flow_flowapproval", "read", "name"},
	} {
		if !names[name] {
			continue // not every name is in every copy of the files
		}
		if got[name] != want {
			t.Errorf("%s mapped to %+v, want %+v", name, got[name], want)
		}
	}
	if !names["prvAppendtoCategory"] {
		t.Error("the real role files no longer hold prvAppendtoCategory: this test lost its main case")
	}
	for name, m := range got {
		if m.table == "" {
			continue
		}
		if !vocab.IsTableRight(m.privilege) {
			t.Errorf("%s: table %s with right %q", name, m.table, m.privilege)
		}
		if strings.HasPrefix(m.table, "to") && strings.Contains(strings.ToLower(name), "appendto") {
			t.Errorf("%s: AppendTo read as Append on %s", name, m.table)
		}
	}
	// The matrix holds the AppendTo on category that the role grants.
	var depth string
	err = db.Query(context.Background(), "cell", `SELECT depth FROM effective_access WHERE "table" = 'category' AND privilege = 'appendto'`,
		func(rows *sql.Rows) error { return rows.Scan(&depth) })
	if err != nil || depth != "global" {
		t.Errorf("AppendTo on category: depth %q, err %v; want global", depth, err)
	}
}
