package ingest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/d365audit/d365audit/ingest/internal/testfiles"
	"github.com/d365audit/d365audit/store"
)

// loadDir loads an export directory into a fresh in-memory database.
func loadDir(t *testing.T, opts Options) (*store.DB, *Result) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	res, err := Load(ctx, db, opts)
	if err != nil {
		t.Fatalf("load %s: %v", opts.Input, err)
	}
	return db, res
}

func structural(res *Result) []string {
	var out []string
	for _, p := range res.Problems {
		if p.Kind == Structural {
			out = append(out, p.String())
		}
	}
	return out
}

// dumpTable returns every row of a canonical table as text, without the
// provenance columns, sorted: the canonical content, whatever the format.
func dumpTable(t *testing.T, db *store.DB, table string) []string {
	t.Helper()
	out := queryRows(t, db, "dump "+table, fmt.Sprintf(`SELECT * EXCLUDE (_file, _row) FROM %q`, table))
	sort.Strings(out)
	return out
}

// queryRows returns the rows of q as text, each column as name=value.
func queryRows(t *testing.T, db *store.DB, what, q string) []string {
	t.Helper()
	var out []string
	err := db.Query(context.Background(), what, q, func(rows *sql.Rows) error {
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		parts := make([]string, len(cols))
		for i, v := range vals {
			parts[i] = fmt.Sprintf("%s=%v", cols[i], v)
		}
		out = append(out, strings.Join(parts, " | "))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestFormatsLoadToSameRows(t *testing.T) {
	jsonDB, jsonRes := loadDir(t, Options{Input: "testdata/formats/json"})
	csvDB, csvRes := loadDir(t, Options{Input: "testdata/formats/csv"})
	for _, res := range []*Result{jsonRes, csvRes} {
		if len(res.Problems) > 0 {
			t.Fatalf("unexpected problems: %v", res.Problems)
		}
	}
	// The Parquet twin is written from the CSV load, with each column typed
	// as DuckDB types it: booleans, integers, timestamps.
	pqDir := t.TempDir()
	for _, tb := range dataverseTables {
		cols := make([]string, len(tb.Columns))
		for i, c := range tb.Columns {
			cols[i] = quoteIdent(c.Name)
		}
		q := fmt.Sprintf(`COPY (SELECT %s FROM %q ORDER BY _row) TO '%s' (FORMAT parquet)`,
			strings.Join(cols, ", "), tb.Name, filepath.Join(pqDir, tb.Name+".parquet"))
		if err := csvDB.Exec(context.Background(), "write parquet", q); err != nil {
			t.Fatal(err)
		}
	}
	testfiles.CopyDir(t, "testdata/formats/csv/graph", filepath.Join(pqDir, "graph"))
	pqDB, pqRes := loadDir(t, Options{Input: pqDir})
	if len(pqRes.Problems) > 0 {
		t.Fatalf("unexpected problems in parquet: %v", pqRes.Problems)
	}

	for _, tb := range Tables() {
		want := dumpTable(t, jsonDB, tb.Name)
		for name, db := range map[string]*store.DB{"csv": csvDB, "parquet": pqDB} {
			got := dumpTable(t, db, tb.Name)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("%s from %s differs from JSON:\n got: %s\nwant: %s", tb.Name, name,
					strings.Join(got, "\n      "), strings.Join(want, "\n      "))
			}
		}
	}
}

func TestCanonicalValues(t *testing.T) {
	db, _ := loadDir(t, Options{Input: "testdata/formats/csv"})
	ctx := context.Background()
	checks := []struct {
		query string
		want  int64
	}{
		// GUIDs lower-case, braces gone.
		{`SELECT count(*) FROM roleprivilegescollection WHERE roleid = '7c000000-0000-4000-8000-000000000001'`, 3},
		// Yes/No and 1/0 are real booleans.
		{`SELECT count(*) FROM systemusers WHERE isdisabled`, 1},
		{`SELECT count(*) FROM privileges WHERE NOT canbebasic`, 1},
		// accessmode is an integer.
		{`SELECT sum(accessmode) FROM systemusers`, 6},
		// A zone-less CSV time is taken as UTC.
		{`SELECT count(*) FROM systemusers WHERE createdon = TIMESTAMP '2024-03-01 08:15:00'`, 1},
		// Quoted commas survive.
		{`SELECT count(*) FROM businessunits WHERE name = 'DACH, Sales'`, 1},
		// Graph: the users body fills users and their licenses.
		{`SELECT count(*) FROM graph_assignedlicenses`, 3},
		{`SELECT count(*) FROM graph_users WHERE hassigninactivity AND lastsignindatetime IS NULL`, 1},
		{`SELECT suspendedunits FROM graph_subscribedskus WHERE skupartnumber = 'SPE_E3'`, 3},
		// Every row knows where it came from.
		{`SELECT count(*) FROM systemusers WHERE _file = 'systemusers.csv' AND _row BETWEEN 2 AND 5`, 4},
	}
	for _, c := range checks {
		got, err := db.QueryInt(ctx, c.query, c.query)
		if err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("%s = %d, want %d", c.query, got, c.want)
		}
	}
}

// TestInvalidFixtures: each folder of testdata/invalid is named after the
// error it must raise. It holds the files that replace those of the valid
// export (testdata/formats/json), an optional DELETE listing files to
// remove, and EXPECT: the problem it must produce, as printed.
func TestInvalidFixtures(t *testing.T) {
	dirs, err := os.ReadDir("testdata/invalid")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		t.Run(d.Name(), func(t *testing.T) {
			src := filepath.Join("testdata/invalid", d.Name())
			dir := testfiles.TempCopy(t, "testdata/formats/json")
			expect := readLines(t, filepath.Join(src, "EXPECT"))
			for _, del := range readLines(t, filepath.Join(src, "DELETE")) {
				if err := os.Remove(filepath.Join(dir, del)); err != nil {
					t.Fatal(err)
				}
			}
			entries, _ := os.ReadDir(src)
			for _, e := range entries {
				if e.Name() == "EXPECT" || e.Name() == "DELETE" {
					continue
				}
				if e.IsDir() {
					testfiles.CopyDir(t, filepath.Join(src, e.Name()), filepath.Join(dir, e.Name()))
				} else {
					testfiles.Copy(t, filepath.Join(src, e.Name()), filepath.Join(dir, e.Name()))
				}
			}
			_, res := loadDir(t, Options{Input: dir})
			got := structural(res)
			if len(got) == 0 {
				t.Fatalf("no structural problem; want %q", expect)
			}
			for _, want := range expect {
				found := false
				for _, g := range got {
					if strings.Contains(g, want) {
						found = true
					}
				}
				if !found {
					t.Errorf("want a problem containing %q; got:\n  %s", want, strings.Join(got, "\n  "))
				}
			}
		})
	}
}

func TestDanglingReferencesAreFactsNotErrors(t *testing.T) {
	dir := testfiles.TempCopy(t, "testdata/formats/csv")
	testfiles.Append(t, filepath.Join(dir, "teammemberships.csv"),
		"3e000000-0000-4000-8000-000000000001,5e0f6a7b-1000-4000-8000-0000000000ff\r\n")
	db, res := loadDir(t, Options{Input: dir})
	if s := structural(res); len(s) > 0 {
		t.Fatalf("dangling reference must not be structural: %v", s)
	}
	if n := res.Count(Dangling); n != 1 {
		t.Fatalf("dangling problems = %d, want 1: %v", n, res.Problems)
	}
	want := "teammemberships.csv: line 4, column systemuserid: 5e0f6a7b-1000-4000-8000-0000000000ff names no row of systemusers"
	if got := res.Problems[0].String(); got != want {
		t.Errorf("problem = %q\nwant      %q", got, want)
	}
	n, err := db.QueryInt(context.Background(), "count", `SELECT count(*) FROM `+DanglingTable+`
		WHERE table_name = 'teammemberships' AND column_name = 'systemuserid' AND target_table = 'systemusers' AND _row = 4`)
	if err != nil || n != 1 {
		t.Fatalf("dangling fact rows = %d, %v", n, err)
	}
}

func TestUnknownColumnsAreKept(t *testing.T) {
	dir := testfiles.TempCopy(t, "testdata/formats/csv")
	testfiles.Write(t, filepath.Join(dir, "fieldsecurityprofiles.csv"),
		"fieldsecurityprofileid,name,description,Custom_Flag\n4f000000-0000-4000-8000-000000000001,Contoso Salary Fields,\"Salary, bonus\",1\n")
	db, res := loadDir(t, Options{Input: dir})
	if len(res.Problems) > 0 {
		t.Fatal(res.Problems)
	}
	rows := dumpTable(t, db, "fieldsecurityprofiles")
	want := `fieldsecurityprofileid=4f000000-0000-4000-8000-000000000001 | name=Contoso Salary Fields | extra={"Custom_Flag":"1","description":"Salary, bonus"}`
	if len(rows) != 1 || rows[0] != want {
		t.Errorf("rows = %v\nwant %s", rows, want)
	}
}

func TestFileStatsHashEveryInput(t *testing.T) {
	_, res := loadDir(t, Options{Input: "testdata/formats/json"})
	seen := map[string]bool{}
	for _, f := range res.Files {
		if len(f.SHA256) != 64 || f.Bytes == 0 {
			t.Errorf("%s: sha256 %q, %d bytes", f.File, f.SHA256, f.Bytes)
		}
		seen[f.File] = true
	}
	for _, want := range []string{"systemusers.json", "systemusers.2.json", "graph/users.json", "graph/subscribedSkus.json"} {
		if !seen[want] {
			t.Errorf("no file stat for %s", want)
		}
	}
}

// Microsoft's own Web API and Graph examples (shared data) must load.
func TestSharedExamples(t *testing.T) {
	shared := filepath.Join("..", "..", "shared", "data")
	if _, err := os.Stat(shared); err != nil {
		t.Skipf("shared data not found at %s (it sits beside the clone in CI): %v", shared, err)
	}
	dir := testfiles.TempCopy(t, "testdata/formats/json")
	testfiles.Copy(t, filepath.Join(shared, "webapi-examples", "RetrieveAadUserRoles_response_example.json"), filepath.Join(dir, "roles.json"))
	os.Remove(filepath.Join(dir, "roleprivilegescollection.json"))
	os.Remove(filepath.Join(dir, "systemuserrolescollection.json"))
	testfiles.Write(t, filepath.Join(dir, "roleprivilegescollection.csv"), "roleid,privilegeid,privilegedepthmask\n")
	testfiles.Write(t, filepath.Join(dir, "systemuserrolescollection.csv"), "systemuserid,roleid\n")
	testfiles.Copy(t, filepath.Join(shared, "graph-examples", "subscribedSkus_list_example.json"), filepath.Join(dir, "graph", "subscribedSkus.json"))
	os.Remove(filepath.Join(dir, "graph", "users.json"))

	db, res := loadDir(t, Options{Input: dir})
	// The roles example carries no businessunitid: exactly that is reported.
	got := structural(res)
	if len(got) != 1 || !strings.Contains(got[0], "roles.json: $.value[0].businessunitid: required value is missing") {
		t.Fatalf("problems = %v", got)
	}
	rows := dumpTable(t, db, "roles")
	if len(rows) != 1 || !strings.Contains(rows[0], "parentrootroleid=ae0daa93-e566-eb11-bb2b-000d3ac4c3f6") ||
		!strings.Contains(rows[0], `"t_x002e_name":"testgroup"`) {
		t.Errorf("roles = %v", rows)
	}
	skus := dumpTable(t, db, "graph_subscribedskus")
	want := "skuid=d17b27af-3f49-4822-99f9-56a661538792 | skupartnumber=CRMSTANDARD | capabilitystatus=Suspended | consumedunits=14 | enabledunits=0 | suspendedunits=25 | warningunits=0 | lockedoutunits=0 | appliesto=User | " +
		`serviceplans=[{"id":"f9646fb2-e3b2-4309-95de-dc4833737456","name":"CRMSTANDARD"}]`
	if len(skus) != 2 || skus[1] != want {
		t.Errorf("skus = %v\nwant[1] %s", skus, want)
	}
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// A file with many bad rows lists the first 20 per column and counts all.
func TestProblemCountsIncludeUnlistedOnes(t *testing.T) {
	dir := testfiles.TempCopy(t, "testdata/formats/csv")
	var b strings.Builder
	b.WriteString("teamid,name,teamtype,businessunitid\n")
	for i := 0; i < 50; i++ {
		fmt.Fprintf(&b, "3e000000-0000-4000-8000-%012d,t%d,Owner,0a1b2c3d-0000-4000-8000-000000000001\n", i+10, i)
	}
	testfiles.Write(t, filepath.Join(dir, "teams.csv"), b.String())
	os.Remove(filepath.Join(dir, "teammemberships.csv"))
	os.Remove(filepath.Join(dir, "teamrolescollection.csv"))
	os.Remove(filepath.Join(dir, "teamprofilescollection.csv"))
	_, res := loadDir(t, Options{Input: dir})
	if n := res.Count(Structural); n != 50 {
		t.Errorf("structural problems counted: %d, want 50", n)
	}
	listed := 0
	for _, p := range res.Problems {
		if p.Kind == Structural && p.Column == "teamtype" {
			listed++
		}
	}
	if listed != 21 || !strings.Contains(res.Problems[len(res.Problems)-1].Message+res.Problems[20].Message, "30 more problems") {
		t.Errorf("listed %d teamtype problems (want 20 and a line for the 30 more): %v", listed, res.Problems)
	}
}

// A plain JSON array's rows are located as $[N], a Web API body's as
// $.value[N], in every message.
func TestJSONArrayLocations(t *testing.T) {
	dir := testfiles.TempCopy(t, "testdata/formats/json")
	testfiles.Write(t, filepath.Join(dir, "privileges.json"), `[
 {"privilegeid": "9d000000-0000-4000-8000-000000000001", "name": "prvReadAccount", "accessright": 1},
 {"privilegeid": "9D000000-0000-4000-8000-000000000001", "name": "prvReadAccount2", "accessright": 1}]`)
	_, res := loadDir(t, Options{Input: dir})
	want := "privileges.json: $[1].privilegeid: duplicate key 9d000000-0000-4000-8000-000000000001: already at privileges.json: $[0]"
	for _, p := range res.Problems {
		if p.String() == want {
			return
		}
	}
	t.Errorf("no problem %q in %v", want, structural(res))
}
