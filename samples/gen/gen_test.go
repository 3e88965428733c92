package gen

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/d365audit/d365audit/internal/testenv"
	"github.com/d365audit/d365audit/rules"
	"github.com/d365audit/d365audit/store"
)

func write(t *testing.T, opts Options) (string, Stats) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "export")
	st, err := Write(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return dir, st
}

func TestSameSeedSameFiles(t *testing.T) {
	t.Parallel()
	opts := Options{Users: 300, Seed: 7, PageSize: 1000}
	a, sa := write(t, opts)
	b, sb := write(t, opts)
	if sa != sb {
		t.Errorf("stats differ:\n%+v\n%+v", sa, sb)
	}
	fa, fb := testenv.ReadTree(t, a), testenv.ReadTree(t, b)
	if len(fa) != len(fb) || len(fa) != sa.Files {
		t.Fatalf("%d and %d files, stats say %d", len(fa), len(fb), sa.Files)
	}
	var total int64
	for name, body := range fa {
		total += int64(len(body))
		if !bytes.Equal(body, fb[name]) {
			t.Errorf("%s differs between two runs with the same seed", name)
		}
	}
	if total != sa.Bytes {
		t.Errorf("files hold %d bytes, stats say %d", total, sa.Bytes)
	}

	opts.Seed = 8
	c, _ := write(t, opts)
	fc := testenv.ReadTree(t, c)
	for _, name := range []string{"systemusers.json", "roles.json", "privileges.json", "teams.json", "graph/users.json"} {
		if bytes.Equal(fa[name], fc[name]) {
			t.Errorf("%s is the same for seeds 7 and 8", name)
		}
	}
}

func TestRefusesNonEmptyDirectory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "keep.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(dir, Options{Users: 100}); !errors.Is(err, ErrNotEmpty) {
		t.Fatalf("Write into a non-empty directory: %v, want ErrNotEmpty", err)
	}
	if _, err := Write(filepath.Join(dir, "new"), Options{Users: 10}); err == nil {
		t.Error("10 users accepted")
	}
	if _, err := Write(filepath.Join(dir, "new"), Options{Users: 100, Format: "xml"}); err == nil {
		t.Error("format xml accepted")
	}
}

// TestValidExport loads a generated export with ingest, as validate does:
// no structural problem, no dangling reference, in either format, and the
// loaded tables have the shape the generator promises.
func TestValidExport(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"json", "csv"} {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			dir, st := write(t, Options{Users: 300, Seed: 42, Format: format, PageSize: 2000})
			db, res := testenv.LoadResult(t, dir)
			for _, p := range res.Problems {
				t.Errorf("%s: %s", p.Kind, p) // not even a notice
			}
			rows := map[string]int64{}
			for _, ts := range res.Tables {
				if !ts.Present {
					t.Errorf("table %s is missing", ts.Name)
				}
				rows[ts.Name] = ts.Rows
			}
			for name, want := range map[string]int{"systemusers": st.Users, "businessunits": st.BusinessUnits,
				"privileges": st.Privileges, "privilegeobjecttypecodes": st.Privileges, "roles": st.RoleRows,
				"roleprivilegescollection": st.RolePrivileges, "systemuserrolescollection": st.UserRoles,
				"teams": st.Teams, "teammemberships": st.TeamMemberships, "graph_users": st.GraphUsers} {
				if rows[name] != int64(want) {
					t.Errorf("%s: %d rows loaded, generated %d", name, rows[name], want)
				}
			}
			checkLoadedShape(t, db, st)
		})
	}
}

func queryInt(t *testing.T, db *store.DB, what, q string) int64 {
	t.Helper()
	n, err := db.QueryInt(context.Background(), what, q)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return n
}

func checkLoadedShape(t *testing.T, db *store.DB, st Stats) {
	checks := []struct {
		what string
		q    string
		want int64
	}{
		{"business-unit tree depth", `WITH RECURSIVE tree(id, depth) AS (
				SELECT businessunitid, 1 FROM businessunits WHERE parentbusinessunitid IS NULL
				UNION ALL SELECT b.businessunitid, t.depth + 1 FROM businessunits b JOIN tree t ON b.parentbusinessunitid = t.id)
			SELECT max(depth) FROM tree`, 4},
		{"business units reached from the root", `WITH RECURSIVE tree(id) AS (
				SELECT businessunitid FROM businessunits WHERE parentbusinessunitid IS NULL
				UNION ALL SELECT b.businessunitid FROM businessunits b JOIN tree t ON b.parentbusinessunitid = t.id)
			SELECT count(*) FROM tree`, int64(st.BusinessUnits)},
		{"root roles", `SELECT count(*) FROM roles WHERE roleid = parentrootroleid`, int64(st.Roles)},
		{"root roles not copied into every business unit", `SELECT count(*) FROM (
				SELECT parentrootroleid FROM roles GROUP BY parentrootroleid
				HAVING count(DISTINCT businessunitid) <> (SELECT count(*) FROM businessunits) OR count(*) <> (SELECT count(*) FROM businessunits))`, 0},
		{"copies with another name or template", `SELECT count(*) FROM roles c JOIN roles r ON c.parentrootroleid = r.roleid
				WHERE c.name <> r.name OR c.roletemplateid IS DISTINCT FROM r.roletemplateid`, 0},
		{"privilege rows of role copies", `SELECT count(*) FROM roleprivilegescollection rp JOIN roles r USING (roleid)
				WHERE r.roleid <> r.parentrootroleid`, 0},
		{"System Administrator root roles", `SELECT count(*) FROM roles WHERE roleid = parentrootroleid
				AND roletemplateid = '627090ff-40a3-4053-8790-584edc5be201' AND name = 'System Administrator'`, 1},
		{"privileges System Administrator lacks or holds below Global", `SELECT count(*) FROM privileges p WHERE NOT EXISTS (
				SELECT 1 FROM roleprivilegescollection rp JOIN roles r USING (roleid)
				WHERE r.name = 'System Administrator' AND rp.privilegeid = p.privilegeid AND rp.privilegedepthmask = 8)`, 0},
		{"direct roles outside the user's business unit", `SELECT count(*) FROM systemuserrolescollection ur
				JOIN systemusers u USING (systemuserid) JOIN roles r USING (roleid) WHERE r.businessunitid <> u.businessunitid`, 0},
		{"team roles outside the team's business unit", `SELECT count(*) FROM teamrolescollection tr
				JOIN teams t USING (teamid) JOIN roles r USING (roleid) WHERE r.businessunitid <> t.businessunitid`, 0},
		{"access teams holding roles", `SELECT count(*) FROM teamrolescollection JOIN teams USING (teamid) WHERE teamtype = 1`, 0},
		{"default teams", `SELECT count(*) FROM teams WHERE isdefault`, int64(st.BusinessUnits)},
		{"Entra group teams without an object id", `SELECT count(*) FROM teams WHERE teamtype = 2 AND azureactivedirectoryobjectid IS NULL`, 0},
		{"System Administrator field security profile", `SELECT count(*) FROM fieldpermissions
				WHERE fieldsecurityprofileid = '572329c1-a042-4e22-be47-367c6374ea45'`, int64(len(securedColumns))},
		{"miscellaneous privileges", `SELECT count(*) FROM privilegeobjecttypecodes WHERE objecttypecode = 'none'`, int64(len(miscPrivileges))},
		{"persons without an Entra user", `SELECT count(*) FROM systemusers u WHERE accessmode IN (0, 1, 2) AND applicationid IS NULL
				AND NOT EXISTS (SELECT 1 FROM graph_users g WHERE g.id = u.azureactivedirectoryobjectid)`, 0},
		{"Marketing service users", `SELECT count(*) FROM systemusers WHERE applicationid IS NOT NULL AND
				(fullname = 'D365 Marketing' OR fullname LIKE '# D365 %' OR fullname LIKE '# Dynamics Marketing%' OR fullname LIKE '# Customer Experience%')`,
			int64(len(marketingAppUsers))},
		{"SKUs over-consumed", `SELECT count(*) FROM graph_subscribedskus WHERE consumedunits > enabledunits`, 1},
		{"SKUs with idle paid seats", `SELECT count(*) FROM graph_subscribedskus s JOIN prices p ON p.sku_part_number = s.skupartnumber
				WHERE enabledunits - coalesce(lockedoutunits, 0) > consumedunits AND p.monthly_price > 0
				  AND appliesto = 'User'`, 4},
		// and as real tenants have them: tenant-level capacity, a cancelled subscription
		{"tenant-level capacity SKUs", `SELECT count(*) FROM graph_subscribedskus WHERE appliesto = 'Company' AND enabledunits > 0
				AND consumedunits = 0`, 2},
		{"locked-out SKUs", `SELECT count(*) FROM graph_subscribedskus WHERE lockedoutunits = enabledunits AND lockedoutunits > 0`, 1},
		{"consumed units not matching the assigned licenses", `SELECT count(*) FROM graph_subscribedskus s
				WHERE consumedunits <> (SELECT count(*) FROM graph_assignedlicenses a WHERE a.skuid = s.skuid)`, 0},
		// Exactly one out-of-box role differs from its baseline: Salesperson.
		{"baseline roles", `SELECT count(*) FROM baseline_roles`, int64(len(oobRoleTemplates) + len(platformRoles) + len(marketingRoles))},
		{"out-of-box roles that differ from the baseline", `WITH actual AS (
				SELECT r.name, lower(p.name) AS priv, rp.privilegedepthmask AS mask FROM roles r
				JOIN roleprivilegescollection rp USING (roleid) JOIN privileges p USING (privilegeid)
				WHERE r.roleid = r.parentrootroleid AND r.ismanaged),
			base AS (SELECT b.name, lower(bp.privilegename) AS priv, bp.privilegedepthmask AS mask
				FROM baseline_roles b JOIN baseline_roleprivileges bp USING (roleid)),
			diff AS ((SELECT * FROM actual EXCEPT SELECT * FROM base) UNION (SELECT * FROM base EXCEPT SELECT * FROM actual))
			SELECT count(DISTINCT name) FROM diff`, 1},
		{"Salesperson differs from its baseline", `SELECT count(*) FROM roles r JOIN roleprivilegescollection rp USING (roleid)
				JOIN privileges p USING (privilegeid) WHERE r.name = 'Salesperson' AND r.roleid = r.parentrootroleid
				AND ((p.name = 'prvReadAccount' AND rp.privilegedepthmask = 4) OR (p.name = 'prvDeleteCompetitor' AND rp.privilegedepthmask = 8))`, 2},
	}
	for _, c := range checks {
		if got := queryInt(t, db, c.what, c.q); got != c.want {
			t.Errorf("%s: %d, want %d", c.what, got, c.want)
		}
	}
	tables := queryInt(t, db, "tables", `SELECT count(DISTINCT objecttypecode) FROM privilegeobjecttypecodes WHERE objecttypecode <> 'none'`)
	privs := queryInt(t, db, "privileges", `SELECT count(*) FROM privileges`)
	if tables < 780 || tables > 820 || privs < 6300 || privs > 6700 {
		t.Errorf("%d tables and %d privileges, want about 800 and 6,500", tables, privs)
	}
	// The generated sign-ins count back from the policy's as_of: about 8%
	// of the enabled persons' have not signed in for more than 90 days.
	var stale, enabled int64
	err := db.Query(context.Background(), "stale sign-ins", `SELECT count(*) FILTER (WHERE lastsignindatetime < TIMESTAMP '2026-11-20' - INTERVAL 90 DAY), count(*)
			FROM systemusers u JOIN graph_users g ON g.id = u.azureactivedirectoryobjectid WHERE u.accessmode IN (0, 2) AND NOT u.isdisabled`,
		func(rows *sql.Rows) error { return rows.Scan(&stale, &enabled) })
	if err != nil {
		t.Fatal(err)
	}
	if share := float64(stale) / float64(enabled); share < 0.03 || share > 0.15 {
		t.Errorf("%d of %d enabled persons inactive for more than 90 days (%.1f%%), want about 8%%", stale, enabled, 100*share)
	}
}

// TestReferenceFiles checks the files beside the export: the price list
// and policy of samples/contoso, the policy naming this environment.
func TestReferenceFiles(t *testing.T) {
	t.Parallel()
	dir, _ := write(t, Options{Users: 120, Seed: 3, Format: "csv"})
	p, err := rules.LoadPolicy(filepath.Join(dir, "policy.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Environment != "generated-120" || p.AsOf != asOf {
		t.Errorf("policy environment %q as of %q", p.Environment, p.AsOf)
	}
	prices, err := os.ReadFile(filepath.Join(dir, "prices.csv"))
	if err != nil || !bytes.Equal(prices, contosoPrices) {
		t.Errorf("prices.csv: %v", err)
	}
	var skus struct {
		Value []graphSKU `json:"value"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "graph", "subscribedSkus.json"))
	if err == nil {
		err = json.Unmarshal(b, &skus)
	}
	if err != nil || len(skus.Value) != len(skuPartNumbers)+len(tenantSKUs(0)) {
		t.Fatalf("subscribedSkus.json: %v, %d SKUs", err, len(skus.Value))
	}
	// Graph stays JSON in a CSV export, in pages with nextLinks but the last.
	for _, name := range []string{"systemusers.csv", "roles.csv", "graph/users.json"} {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(name))); err != nil {
			t.Error(err)
		}
	}
}

func TestPagesLinkToTheNext(t *testing.T) {
	t.Parallel()
	dir, st := write(t, Options{Users: 1100, Seed: 5, PageSize: 300})
	for _, table := range []string{"systemusers", "roles", "graph/users"} {
		var total int
		for page := 1; ; page++ {
			name := table + ".json"
			if page > 1 {
				name = table + "." + strconv.Itoa(page) + ".json"
			}
			b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
			if errors.Is(err, os.ErrNotExist) {
				if page < 3 {
					t.Errorf("%s: only %d pages", table, page-1)
				}
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			var body struct {
				Context string            `json:"@odata.context"`
				Next    string            `json:"@odata.nextLink"`
				Value   []json.RawMessage `json:"value"`
			}
			if err := json.Unmarshal(b, &body); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			_, errNext := os.Stat(filepath.Join(dir, filepath.FromSlash(table+"."+strconv.Itoa(page+1)+".json")))
			if last := errNext != nil; last == (body.Next != "") || body.Context == "" {
				t.Errorf("%s: last page %v, nextLink %q, context %q", name, last, body.Next, body.Context)
			}
			want := 300
			if table == "graph/users" {
				want = graphPageSize
			}
			if errNext == nil && len(body.Value) != want {
				t.Errorf("%s: %d rows on a full page, want %d", name, len(body.Value), want)
			}
			total += len(body.Value)
		}
		if table == "systemusers" && total != st.Users {
			t.Errorf("systemusers pages hold %d rows, want %d", total, st.Users)
		}
	}
}

// TestShapeAtAnySize builds tenants in memory and checks the proportions
// the issue asks for.
func TestShapeAtAnySize(t *testing.T) {
	t.Parallel()
	for _, n := range []int{MinUsers, 1000, 20000} {
		tn := build(Options{Users: n, Seed: int64(n), Format: "json", PageSize: DefaultPageSize})
		if len(tn.cat.tables) != tableCount {
			t.Errorf("%d users: %d tables", n, len(tn.cat.tables))
		}
		if p := len(tn.cat.privs); p != tableCount*8+len(miscPrivileges) || p < 6400 || p > 6600 {
			t.Errorf("%d users: %d privileges", n, p)
		}
		levels := map[int8]int{}
		for _, b := range tn.bus {
			levels[b.level]++
			if b.parent >= 0 && tn.bus[b.parent].level != b.level-1 {
				t.Errorf("%d users: %s (level %d) under a level %d unit", n, b.name, b.level, tn.bus[b.parent].level)
			}
		}
		if levels[1] != 1 || levels[2] < 4 || levels[3] < 12 || levels[4] < 24 || len(levels) != 4 {
			t.Errorf("%d users: business units per level %v", n, levels)
		}
		if want := min(300, n/250); len(tn.bus) < want*8/10 || len(tn.bus) > 320 {
			t.Errorf("%d users: %d business units", n, len(tn.bus))
		}
		custom := 0
		for _, r := range tn.roles {
			if r.custom {
				custom++
				if g := len(r.grants); g < 50 || g > 820 {
					t.Errorf("%d users: custom role %s has %d privileges", n, r.name, g)
				}
			}
		}
		if custom < 30 || custom > 60 {
			t.Errorf("%d users: %d custom roles", n, custom)
		}
		checkUserMix(t, tn)
	}
	a, b := build(Options{Users: 500, Seed: 9}), build(Options{Users: 5000, Seed: 9})
	for i := range a.cat.privs {
		if a.cat.privs[i] != b.cat.privs[i] {
			t.Fatalf("privilege %d differs between 500 and 5,000 users of one seed", i)
		}
	}
}

func checkUserMix(t *testing.T, tn *tenant) {
	t.Helper()
	n := len(tn.users)
	kinds := map[int8]int{}
	disabled, sa := 0, 0
	saRole := int32(tn.roleIndex("System Administrator"))
	for _, u := range tn.users {
		kinds[u.kind]++
		if u.disabled {
			disabled++
		}
	}
	holdsSA := map[int32]bool{}
	perUser := make([]int, n)
	for _, ur := range tn.userRoles {
		perUser[ur.a]++
		if ur.b == saRole && !holdsSA[ur.a] {
			holdsSA[ur.a] = true
			sa++
		}
	}
	share := func(k int) float64 { return float64(k) / float64(n) }
	if n < 1000 {
		return // the fixed service and placeholder users dominate small tenants
	}
	if s := share(kinds[kindPerson]); s < 0.88 || s > 0.97 {
		t.Errorf("%d users: %.1f%% persons", n, 100*s)
	}
	if s := share(kinds[kindAdmin]); s < 0.02 || s > 0.04 {
		t.Errorf("%d users: %.1f%% administrative", n, 100*s)
	}
	if s := share(kinds[kindApp]); s < 0.008 || s > 0.02 {
		t.Errorf("%d users: %.1f%% application users", n, 100*s)
	}
	if s := share(disabled); s < 0.03 || s > 0.07 {
		t.Errorf("%d users: %.1f%% disabled", n, 100*s)
	}
	if s := share(sa); s < 0.01 || s > 0.035 {
		t.Errorf("%d users: %.1f%% System Administrators", n, 100*s)
	}
	// Roles per person: most 1-3, a long tail.
	var counts []int
	oneToThree := 0
	for i, u := range tn.users {
		if u.kind == kindPerson {
			counts = append(counts, perUser[i])
			if perUser[i] >= 1 && perUser[i] <= 3 {
				oneToThree++
			}
		}
	}
	sort.Ints(counts)
	mean := 0.0
	for _, c := range counts {
		mean += float64(c)
	}
	mean /= float64(len(counts))
	median, p99, top := counts[len(counts)/2], counts[len(counts)*99/100], counts[len(counts)-1]
	if frac := float64(oneToThree) / float64(len(counts)); frac < 0.6 || median > 3 || top < 8 || p99 < 6 || mean > 4 {
		t.Errorf("%d users: roles per person not skewed: 1-3 %.0f%%, median %d, mean %.1f, p99 %d, max %d",
			n, 100*frac, median, mean, p99, top)
	}
	if n < 5000 {
		return
	}
	// Team sizes: a few big teams, many small ones.
	size := map[int32]int{}
	for _, m := range tn.members {
		size[m.a]++
	}
	var sizes []int
	for i, tm := range tn.teams {
		if !tm.isdefault && (tm.ttype == 0 || tm.ttype == 2) {
			sizes = append(sizes, size[int32(i)])
		}
	}
	slices.Sort(sizes)
	if med, top := sizes[len(sizes)/2], sizes[len(sizes)-1]; top < 10*max(1, med) {
		t.Errorf("%d users: team sizes not skewed: median %d, max %d", n, med, top)
	}
	// Graph: about 8% of enabled persons inactive for more than 90 days.
	stale, enabled := 0, 0
	for _, u := range tn.users {
		if u.kind == kindPerson && !u.disabled {
			enabled++
			if u.signInDays > 90 {
				stale++
			}
		}
	}
	if s := float64(stale) / float64(enabled); math.Abs(s-0.08) > 0.025 {
		t.Errorf("%d users: %.1f%% inactive", n, 100*s)
	}
}

func TestCatalogueNamesAreUnique(t *testing.T) {
	t.Parallel()
	c := buildCatalogue(1, false)
	seen := map[string]bool{}
	for _, p := range c.privs {
		k := strings.ToLower(p.name)
		if seen[k] {
			t.Errorf("privilege %s twice", p.name)
		}
		seen[k] = true
	}
	tables := map[string]bool{}
	for _, tb := range c.tables {
		if tables[tb.logical] || strings.ToLower(tb.schema) != tb.logical && tb.schema != "User" {
			t.Errorf("table %s (%s) twice or schema name does not match", tb.logical, tb.schema)
		}
		tables[tb.logical] = true
	}
	for _, col := range securedColumns {
		if !tables[col[0]] {
			t.Errorf("secured column %s.%s: no such table", col[0], col[1])
		}
	}
	for _, name := range []string{"contoso_payment", "account", "contact", "lead", "opportunity", "incident", "quote",
		"invoice", "product", "systemuser", "role", "team", "activitypointer", "campaign", "salesorder", "competitor", "list"} {
		if !tables[name] {
			t.Errorf("no table %s", name)
		}
	}
}
