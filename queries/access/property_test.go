package access

// Property test of effective_access: random small tenants, their expected
// matrix computed by a naive per-user Go model written straight from the
// rules of OUTPUT.md and dataverse-security.md (no profiles, no SQL), compared
// cell by cell with the SQL models after a full ingest of CSV files.
//
// To keep the run short, a batch of independent tenants is written into one
// export (every id, user and team is tagged with its tenant's seed, so they
// cannot meet) and loaded once. A failure names the seed of each tenant that
// differs; rerun one tenant alone with
//
//	PROPERTY_SEED=<seed> go test -tags=duckdb_arrow -run TestEffectiveAccessProperty -v ./queries/access/
//
// PROPERTY_ITERATIONS overrides the number of tenants.

import (
	"context"
	"fmt"
	"maps"
	"math/bits"
	"math/rand"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/d365audit/d365audit/queries/vocab"
)

const (
	propertyBaseSeed = 20240601
	propertyBatch    = 25 // tenants per export
)

// propertyWithOTC says whether the export of seed's batch has a
// privilegeobjecttypecodes file. One batch in three has none, and every
// privilege is then mapped by its name. It depends only on the seed, so a
// seed rerun alone sees the same tenant.
func propertyWithOTC(seed int64) bool { return ((seed-propertyBaseSeed)/propertyBatch)%3 != 2 }

func TestEffectiveAccessProperty(t *testing.T) {
	iterations, batch := 600, propertyBatch
	if testing.Short() {
		iterations = 150
	}
	if s := os.Getenv("PROPERTY_ITERATIONS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("PROPERTY_ITERATIONS: %v", err)
		}
		iterations = n
	}
	seeds := make([]int64, iterations)
	for i := range seeds {
		seeds[i] = propertyBaseSeed + int64(i)
	}
	if s := os.Getenv("PROPERTY_SEED"); s != "" {
		seed, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatalf("PROPERTY_SEED: %v", err)
		}
		seeds, batch = []int64{seed}, 1
	}
	start := time.Now()
	failed := 0
	stats := map[string]int{}
	for b := 0; b*batch < len(seeds) && failed < 5; b++ {
		end := min((b+1)*batch, len(seeds))
		failed += checkPropertyBatch(t, seeds[b*batch:end], stats)
	}
	t.Logf("%d random tenants checked in %v; cells compared by depth: team %d, basic %d, local %d, deep %d, global %d; misc %d; multi-source %d",
		len(seeds), time.Since(start).Round(time.Millisecond), stats["team"], stats["basic"], stats["local"], stats["deep"],
		stats["global"], stats["misc"], stats["multi"])
}

// checkPropertyBatch generates one tenant per seed, loads them together and
// compares; it returns the number of tenants that differ.
func checkPropertyBatch(t *testing.T, seeds []int64, stats map[string]int) int {
	t.Helper()
	withOTC := propertyWithOTC(seeds[0])
	tables := map[string][][]string{"teams": nil, "teammemberships": nil, "teamrolescollection": nil}
	if withOTC {
		tables["privilegeobjecttypecodes"] = nil
	}
	want := map[string]accessRow{}
	tenants := map[string]*genTenant{}
	for _, seed := range seeds {
		g := generateTenant(rand.New(rand.NewSource(seed)), seed, withOTC)
		tenants[g.tag] = g
		g.appendRows(tables)
		for _, r := range g.expected() {
			want[cellKey(r)] = r
			stats[r.Depth]++
			if r.Table == "" {
				stats["misc"]++
			}
			if strings.Contains(r.Sources, "; ") {
				stats["multi"]++
			}
		}
	}
	dir := t.TempDir()
	writeExport(t, dir, tables)
	db := loadExport(t, dir, Options{})
	failed := compareWithNaive(t, "effective_access", want, queryAccess(t, db), tenants, withOTC)
	// The matrix computed in Go (access.parquet, the workbook) must agree too.
	m, err := LoadMatrix(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return max(failed, compareWithNaive(t, "the Go matrix", want, matrixRows(t, m), tenants, withOTC))
}

// matrixRows lists the Go matrix's cells as effective_access rows.
func matrixRows(t *testing.T, m *Matrix) []accessRow {
	t.Helper()
	var out []accessRow
	// writers make a cell's text once per CellKey: equal keys of a profile
	// must mean equal texts
	type profileKey struct {
		profile int64
		key     CellKey
	}
	texts := map[profileKey]string{}
	err := m.EachUser(func(u *MatrixUser, p *Profile, cells []Cell) error {
		for _, c := range cells {
			info := m.Cells[c.PT]
			text := m.SourcesText(p, c.PT)
			if fast := m.CellSourcesText(p, &c); fast != text {
				t.Errorf("profile %d, cell %d: text from the cell's ranks %q, from its grants %q", p.ID, c.PT, fast, text)
			}
			k := profileKey{p.ID, c.Key()}
			if seen, ok := texts[k]; ok && seen != text {
				t.Errorf("profile %d: cells with key %+v have texts %q and %q", p.ID, k.key, seen, text)
			}
			texts[k] = text
			out = append(out, accessRow{User: u.DomainName, Table: info.Table, Privilege: info.Privilege,
				Depth: vocab.Depths[c.Rank], Sources: text})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// compareWithNaive reports, per tenant, the cells where got differs from
// the naive model's want; it returns how many tenants differ.
func compareWithNaive(t *testing.T, what string, want map[string]accessRow, rows []accessRow,
	tenants map[string]*genTenant, withOTC bool) int {
	t.Helper()
	got := map[string]accessRow{}
	for _, r := range rows {
		k := cellKey(r)
		if _, dup := got[k]; dup {
			t.Errorf("%s has two rows for cell %s", what, k)
		}
		got[k] = r
	}
	// Differences per tenant, found by the tag that leads every user name.
	diffs := map[string][]string{}
	for k, w := range want {
		g, ok := got[k]
		switch {
		case !ok:
			diffs[tagOf(w.User)] = append(diffs[tagOf(w.User)], "  missing:  "+w.String())
		case g.Depth != w.Depth || g.Sources != w.Sources:
			diffs[tagOf(w.User)] = append(diffs[tagOf(w.User)], "  want:     "+w.String()+"\n  got:      "+g.String())
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			diffs[tagOf(g.User)] = append(diffs[tagOf(g.User)], "  unexpected: "+g.String())
		}
	}
	for i, tag := range slices.Sorted(maps.Keys(diffs)) {
		g := tenants[tag]
		lines := diffs[tag]
		sort.Strings(lines)
		msg := fmt.Sprintf("seed %d (privilegeobjecttypecodes file: %v): %s differs from the naive model in %d cells:\n%s",
			g.seed, withOTC, what, len(lines), strings.Join(lines, "\n"))
		if i == 0 {
			msg += "\ntenant:\n" + g.describe()
		}
		t.Error(msg)
	}
	return len(diffs)
}

func cellKey(r accessRow) string { return r.User + "|" + r.Table + "|" + r.Privilege }

// tagOf returns the tenant tag of a user name "s123.u4".
func tagOf(user string) string { return user[:strings.IndexByte(user, '.')] }

// ---------------------------------------------------------------------------
// Random tenants.

type genBU struct {
	name   string
	parent int // -1 for the root
}

type genRole struct {
	name      string
	bu        int
	root      int // index of the root copy (itself for a root role)
	inherited int
	// parent is the role its parentrootroleid names: the root, or for a
	// copy sometimes another copy of the same root (a chain the model
	// follows to the root)
	parent int
}

type genPriv struct {
	name string
	otc  string // objecttypecode row; "" = no row
	// accessright as exported: the right's value, or 0 (a miscellaneous
	// privilege, or an export that does not type it: the name decides)
	accessright int
}

// rightValues are the privileges.accessright values of the rights.
var rightValues = map[string]int{"read": 1, "write": 2, "append": 4, "appendto": 16, "create": 32,
	"delete": 65536, "share": 262144, "assign": 524288}

type genGrant struct{ priv, mask int }

type genUser struct {
	name     string
	bu       int
	disabled bool
	mode     int
	direct   []int
}

type genTeam struct {
	name    string
	ttype   int
	bu      int
	members []int
	roles   []int
}

type genTenant struct {
	seed    int64
	tag     string
	withOTC bool
	bus     []genBU
	roles   []genRole
	privs   []genPriv
	grants  map[int][]genGrant // by role index; a copy without rows has none
	users   []genUser
	teams   []genTeam
}

// propertyTables are the tables the generated table privileges name: schema
// name in privilege names, logical name.
var propertyTables = [][2]string{{"Account", "account"}, {"Contact", "contact"}, {"Lead", "lead"},
	{"User", "systemuser"}, {"Role", "role"}, {"new_Project", "new_project"}}

var propertyRights = []string{"Create", "Read", "Write", "Delete", "Append", "AppendTo", "Assign", "Share"}

// misc privileges whose names parse as no prv+right+table; with the
// objecttypecode file they sometimes get a 'none' row.
var propertyMisc = []string{"prvBulkDelete", "prvExportCustomization", "prvActOnBehalfOfAnotherUser",
	"prvDisableUser", "prvReparentUser", "prvMerge"}

// privileges that need their objecttypecode row (their names would mislead
// the name rule): generated only with the file.
var propertyMapped = []genPriv{{"prvWriteHierarchicalSecurityConfiguration", "none", 0},
	{"prvReadLicense", "none", 0}, {"prvReadActivity", "activitypointer", 1}, {"prvAppendToActivity", "activitypointer", 0}}

func generateTenant(r *rand.Rand, seed int64, withOTC bool) *genTenant {
	g := &genTenant{seed: seed, tag: fmt.Sprintf("s%d", seed), withOTC: withOTC, grants: map[int][]genGrant{}}

	// 2-4 business units in a tree.
	nbu := 2 + r.Intn(3)
	g.bus = append(g.bus, genBU{"Root", -1})
	for i := 1; i < nbu; i++ {
		g.bus = append(g.bus, genBU{fmt.Sprintf("BU%d", i), r.Intn(i)})
	}

	// 4-10 privileges: table privileges (mapped by objecttypecode or by name)
	// and miscellaneous ones.
	var pool []genPriv
	for _, tb := range propertyTables {
		for _, right := range propertyRights {
			otc := ""
			if withOTC && r.Intn(2) == 0 {
				otc = tb[1]
			}
			// Microsoft ships names in other cases (prvAppendtoCategory);
			// accessright gives the right, or is 0 and the name does
			written := right
			if r.Intn(5) == 0 {
				written = right[:1] + strings.ToLower(right[1:])
			}
			ar := 0
			if r.Intn(2) == 0 {
				ar = rightValues[strings.ToLower(right)]
			}
			pool = append(pool, genPriv{"prv" + written + tb[0], otc, ar})
		}
	}
	var misc []genPriv
	for _, name := range propertyMisc {
		otc := ""
		if withOTC && r.Intn(2) == 0 {
			otc = "none"
		}
		// a miscellaneous privilege's accessright is 0 or, in some
		// exports, a right its name does not carry (prvBulkDelete 1)
		misc = append(misc, genPriv{name, otc, r.Intn(2)})
	}
	if withOTC {
		misc = append(misc, propertyMapped...)
	}
	r.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	r.Shuffle(len(misc), func(i, j int) { misc[i], misc[j] = misc[j], misc[i] })
	nprivs := 4 + r.Intn(7)
	nmisc := r.Intn(min(4, nprivs/2) + 1)
	g.privs = append(g.privs, misc[:nmisc]...)
	g.privs = append(g.privs, pool[:nprivs-nmisc]...)

	randomGrants := func(atLeastOne bool) []genGrant {
		var out []genGrant
		for p := range g.privs {
			if r.Float64() < 0.4 {
				out = append(out, genGrant{p, randomMask(r)})
			}
		}
		if atLeastOne && len(out) == 0 {
			out = append(out, genGrant{r.Intn(len(g.privs)), randomMask(r)})
		}
		return out
	}

	// 3-6 roles in the root BU, each copied into every child BU; some copies
	// have rows of their own.
	nroles := 3 + r.Intn(4)
	for i := 0; i < nroles; i++ {
		root := len(g.roles)
		g.roles = append(g.roles, genRole{fmt.Sprintf("Role%d", i), 0, root, r.Intn(2), root})
		g.grants[root] = randomGrants(false)
		for bu := 1; bu < nbu; bu++ {
			c := len(g.roles)
			parent := root
			if c-1 > root && r.Float64() < 0.3 {
				parent = c - 1 // names the previous copy, not the root
			}
			g.roles = append(g.roles, genRole{g.roles[root].name, bu, root, g.roles[root].inherited, parent})
			if r.Float64() < 0.3 {
				g.grants[c] = randomGrants(true)
			}
		}
	}

	// Sometimes a role created in a child BU: its own root, with its own rows.
	if nbu > 1 && r.Float64() < 0.3 {
		i := len(g.roles)
		g.roles = append(g.roles, genRole{"Local", 1 + r.Intn(nbu-1), i, r.Intn(2), i})
		g.grants[i] = randomGrants(false)
	}

	// 3-8 users, random access mode and state, 0-3 direct roles.
	nusers := 3 + r.Intn(6)
	modes := []int{0, 1, 2, 4}
	for i := 0; i < nusers; i++ {
		u := genUser{name: fmt.Sprintf("%s.u%d", g.tag, i), bu: r.Intn(nbu), disabled: r.Float64() < 0.2, mode: modes[r.Intn(len(modes))]}
		u.direct = r.Perm(len(g.roles))[:r.Intn(4)]
		g.users = append(g.users, u)
	}

	// 1-4 teams of any type, random members and 0-2 roles from any BU.
	nteams := 1 + r.Intn(4)
	for i := 0; i < nteams; i++ {
		tm := genTeam{name: fmt.Sprintf("Team%d", i), ttype: r.Intn(4), bu: r.Intn(nbu)}
		for u := range g.users {
			if r.Float64() < 0.4 {
				tm.members = append(tm.members, u)
			}
		}
		tm.roles = r.Perm(len(g.roles))[:r.Intn(3)]
		g.teams = append(g.teams, tm)
	}
	return g
}

// randomMask is mostly one depth bit, sometimes several.
func randomMask(r *rand.Rand) int {
	return 1 << r.Intn(4) // 1, 2, 4 or 8: validate refuses any other mask
}

// tok is the fixture token of an entity of this tenant.
func (g *genTenant) tok(kind string, i int) string { return fmt.Sprintf("$%s_%s%d", g.tag, kind, i) }

// appendRows adds this tenant's rows to the tables of an export.
func (g *genTenant) appendRows(tables map[string][][]string) {
	add := func(table string, row ...string) { tables[table] = append(tables[table], row) }
	for i, b := range g.bus {
		parent := ""
		if b.parent >= 0 {
			parent = g.tok("bu", b.parent)
		}
		add("businessunits", g.tok("bu", i), b.name, parent)
	}
	for i, p := range g.privs {
		add("privileges", g.tok("p", i), p.name, strconv.Itoa(p.accessright))
		if p.otc != "" {
			add("privilegeobjecttypecodes", g.tok("p", i), p.otc)
		}
	}
	for i, role := range g.roles {
		add("roles", g.tok("r", i), role.name, g.tok("bu", role.bu), g.tok("r", role.parent), strconv.Itoa(role.inherited), "")
		for _, gr := range g.grants[i] {
			add("roleprivilegescollection", g.tok("r", i), g.tok("p", gr.priv), strconv.Itoa(gr.mask))
		}
	}
	for i, u := range g.users {
		add("systemusers", g.tok("u", i), u.name, g.tok("bu", u.bu), strconv.FormatBool(u.disabled), strconv.Itoa(u.mode))
		for _, role := range u.direct {
			add("systemuserrolescollection", g.tok("u", i), g.tok("r", role))
		}
	}
	for i, tm := range g.teams {
		add("teams", g.tok("t", i), tm.name, strconv.Itoa(tm.ttype), g.tok("bu", tm.bu))
		for _, u := range tm.members {
			add("teammemberships", g.tok("t", i), g.tok("u", u))
		}
		for _, role := range tm.roles {
			add("teamrolescollection", g.tok("t", i), g.tok("r", role))
		}
	}
}

// describe prints the tenant for a failure message.
func (g *genTenant) describe() string {
	var b strings.Builder
	for i, bu := range g.bus {
		parent := "-"
		if bu.parent >= 0 {
			parent = g.bus[bu.parent].name
		}
		fmt.Fprintf(&b, "  bu %d %s parent %s\n", i, bu.name, parent)
	}
	for i, p := range g.privs {
		fmt.Fprintf(&b, "  privilege %d %s objecttypecode %q\n", i, p.name, p.otc)
	}
	for i, role := range g.roles {
		fmt.Fprintf(&b, "  role %d %s@%s root %d isinherited %d rows %v\n", i, role.name, g.bus[role.bu].name, role.root, role.inherited, g.grants[i])
	}
	for _, u := range g.users {
		fmt.Fprintf(&b, "  user %s bu %s disabled %v accessmode %d direct roles %v\n", u.name, g.bus[u.bu].name, u.disabled, u.mode, u.direct)
	}
	for _, tm := range g.teams {
		fmt.Fprintf(&b, "  team %s type %d bu %s members %v roles %v\n", tm.name, tm.ttype, g.bus[tm.bu].name, tm.members, tm.roles)
	}
	return b.String()
}

// ---------------------------------------------------------------------------
// The naive model: one user at a time, straight from the rules.

var depthNames = []string{"team", "basic", "local", "deep", "global"}

// naiveTable maps a privilege to (table, privilege) as OUTPUT.md shows them.
func (g *genTenant) naiveTable(p genPriv) (table, privilege string) {
	right, schema := "", ""
	if rest, ok := strings.CutPrefix(p.name, "prv"); ok {
		// AppendTo before Append, in any case.
		for _, rt := range []string{"AppendTo", "Append", "Create", "Read", "Write", "Delete", "Assign", "Share"} {
			if len(rest) > len(rt) && strings.EqualFold(rest[:len(rt)], rt) {
				right, schema = rt, rest[len(rt):]
				break
			}
		}
	}
	// accessright, where it names a right, decides the right
	for name, v := range rightValues {
		if v == p.accessright {
			right = name
		}
	}
	switch {
	case p.otc == "none":
		return "", p.name
	case p.otc != "":
		if right == "" {
			return strings.ToLower(p.otc), p.name
		}
		return strings.ToLower(p.otc), strings.ToLower(right)
	case right == "":
		return "", p.name
	case schema == "":
		return "", p.name
	case strings.EqualFold(schema, "User"):
		return "systemuser", strings.ToLower(right)
	default:
		return strings.ToLower(schema), strings.ToLower(right)
	}
}

func (g *genTenant) expected() []accessRow {
	business := map[string]bool{}
	for _, tb := range DefaultBusinessTables {
		business[tb] = true
	}
	var out []accessRow
	for ui, u := range g.users {
		if u.disabled {
			continue // a disabled user holds nothing
		}
		type held struct {
			role int
			via  string // "direct" or "team:NAME"
		}
		var roles []held
		for _, role := range u.direct {
			roles = append(roles, held{role, "direct"})
		}
		for _, tm := range g.teams {
			if tm.ttype == 1 { // access teams give no roles
				continue
			}
			member := false
			for _, m := range tm.members {
				member = member || m == ui
			}
			if !member {
				continue
			}
			for _, role := range tm.roles {
				roles = append(roles, held{role, "team:" + tm.name})
			}
		}
		type cell struct {
			depth   int
			sources map[string]int // source text -> the depth its grants give
		}
		cells := map[[2]string]*cell{}
		for _, h := range roles {
			role := g.roles[h.role]
			rows := g.grants[h.role]
			if len(rows) == 0 { // a BU copy without rows takes its root's
				rows = g.grants[role.root]
			}
			for _, gr := range rows {
				table, priv := g.naiveTable(g.privs[gr.priv])
				if u.mode == 2 && priv != "read" {
					continue // Read mode keeps only read
				}
				if u.mode == 1 && business[table] {
					continue // Administrative mode: nothing on business tables
				}
				depth := bits.Len(uint(gr.mask & 15)) // 1 basic .. 4 global
				if depth == 0 {
					continue
				}
				if depth == 1 && h.via != "direct" && role.inherited == 0 {
					depth = 0 // team: only records the team owns
				}
				k := [2]string{table, priv}
				c := cells[k]
				if c == nil {
					c = &cell{depth: -1, sources: map[string]int{}}
					cells[k] = c
				}
				c.depth = max(c.depth, depth)
				src := role.name + "@" + g.bus[role.bu].name + " " + h.via
				if d, ok := c.sources[src]; !ok || depth > d {
					c.sources[src] = depth
				}
			}
		}
		for k, c := range cells {
			// the deciding grants first, then by depth, in text order
			var sources []string
			for s := range c.sources {
				sources = append(sources, s)
			}
			sort.Slice(sources, func(i, j int) bool {
				di, dj := c.sources[sources[i]], c.sources[sources[j]]
				if di != dj {
					return di > dj
				}
				return sources[i] < sources[j]
			})
			for i, s := range sources {
				sources[i] = s + " (" + depthNames[c.sources[s]] + ")"
			}
			out = append(out, accessRow{u.name, k[0], k[1], depthNames[c.depth], strings.Join(sources, "; ")})
		}
	}
	return out
}

// TestNaiveModelSanity pins the naive model itself on a hand-made tenant, so
// a bug in it cannot hide behind the same bug in the SQL.
func TestNaiveModelSanity(t *testing.T) {
	g := &genTenant{tag: "s0", grants: map[int][]genGrant{},
		bus: []genBU{{"Root", -1}, {"BU1", 0}},
		privs: []genPriv{{"prvReadAccount", "", 0}, {"prvAppendtoUser", "", 16}, {"prvBulkDelete", "", 1},
			{"prvWriteLicense", "none", 0}, {"prvReadActivity", "activitypointer", 0}},
		roles: []genRole{{"A", 0, 0, 0, 0}, {"A", 1, 0, 0, 0}, {"B", 0, 2, 1, 2}},
		users: []genUser{{name: "s0.u0", bu: 0, mode: 0, direct: []int{2}}, {name: "s0.u1", bu: 0, mode: 2},
			{name: "s0.u2", bu: 1, disabled: true, direct: []int{2}}},
		teams: []genTeam{{"T", 0, 1, []int{0, 1}, []int{1}}, {"X", 1, 0, []int{0}, []int{2}}},
	}
	g.grants[0] = []genGrant{{0, 1}, {1, 2}, {2, 8}, {3, 8}, {4, 4}}
	g.grants[2] = []genGrant{{0, 1}}
	got := g.expected()
	sortAccess(got)
	want := []accessRow{
		{"s0.u0", "", "prvBulkDelete", "global", "A@BU1 team:T (global)"},
		{"s0.u0", "", "prvWriteLicense", "global", "A@BU1 team:T (global)"},
		{"s0.u0", "account", "read", "basic", "B@Root direct (basic); A@BU1 team:T (team)"},
		{"s0.u0", "activitypointer", "read", "deep", "A@BU1 team:T (deep)"},
		{"s0.u0", "systemuser", "appendto", "local", "A@BU1 team:T (local)"},
		{"s0.u1", "account", "read", "team", "A@BU1 team:T (team)"},
		{"s0.u1", "activitypointer", "read", "deep", "A@BU1 team:T (deep)"},
	}
	sortAccess(want)
	if d := diffRows(want, got); d != "" {
		t.Errorf("naive model:\n%s", d)
	}
}
