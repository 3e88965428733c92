package gen

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// tenant is the whole generated environment, held in memory in compact
// form; the writers turn it into files row by row.
type tenant struct {
	opts Options
	org  string // environment name
	cat  *catalogue
	bus  []bu
	// roles are the root roles; role i's copy in business unit b is
	// roles[i].copies[b] (copies[0] is the root role itself).
	roles      []role
	users      []user
	entraOnly  []user // tenant users with no Dataverse account
	userRoles  []pair // user -> role (the copy in the user's business unit)
	teams      []team
	members    []pair // team -> user
	teamRoles  []pair // team -> role (the copy in the team's business unit)
	profiles   []profile
	fieldPerms []fieldPerm
	userProfs  []pair // user -> profile
	teamProfs  []pair // team -> profile
	skus       []skuState
	orgID      string
	orgCreated int64
	logins     map[string]int // user principal names taken: lookups only
}

type pair struct{ a, b int32 }

type bu struct {
	id, name string
	parent   int32 // -1 for the root
	level    int8  // 1 root, 2 region, 3 country, 4 department
	area     string
	created  int64
	head     int32 // the first person of the business unit, everyone's manager; -1 none
}

type role struct {
	name, template   string
	managed, custom  bool
	customizable     bool
	inherited        int
	solution, area   string
	created, changed int64
	grants           []grant // in privilege order
	baseline         []grant // what a clean environment has (managed roles); nil otherwise
	baselineID       string
	copies           []string
}

type grant struct {
	priv int32
	mask uint8
}

// User kinds.
const (
	kindPerson = iota
	kindAdmin
	kindService // non-interactive integration account
	kindApp     // application (S2S) user
	kindSupport
	kindDelegated
	kindEntraOnly
)

type user struct {
	id, aad, appID      string
	first, last, full   string
	login, email, title string
	dept                string
	bu, manager         int32
	mode, kind          int8
	disabled, guest     bool
	invite              int8
	created             int64
	entraDisabled       bool
	signInDays          int16 // days before asOf of the last sign-in; -1 never signed in
	signInSecond        int32 // second of that day
	licenses            uint16
	islicensed          bool
}

type team struct {
	id, name, aad, desc string
	ttype               int8
	membership          int8 // -1: null
	bu, admin           int32
	isdefault           bool
	created             int64
}

type profile struct {
	id, name, desc, solution string
	managed                  bool
}

type fieldPerm struct {
	profile                        int32
	entity, attr                   string
	read, create, update, unmasked int8
}

var asOfTime = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

func date(y int, m time.Month, d int) int64 { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() }

// randomTime returns a second between from and to.
func (r *rng) randomTime(from, to int64) int64 { return from + r.Int64N(to-from) }

var (
	envCreated  = date(2019, 3, 4)
	lastCreated = date(2026, 11, 1)
)

// build creates the whole tenant in memory.
func build(opts Options) *tenant {
	t := &tenant{opts: opts, org: "generated-" + strconv.Itoa(opts.Users)}
	t.cat = buildCatalogue(opts.Seed, opts.Compact)
	t.buildBusinessUnits()
	t.buildRoles()
	t.buildUsers()
	t.assignRoles()
	t.buildTeams()
	t.buildFieldSecurity()
	t.buildLicenses()
	r := newRNG(opts.Seed, "organization")
	t.orgID, t.orgCreated = r.dvGUID(), envCreated
	return t
}

// buildBusinessUnits grows the four-level tree: root, regions, countries,
// departments. About one business unit per 250 users, at least the base
// shape (4 regions of 3 countries of 2-4 departments), at most about 300.
func (t *tenant) buildBusinessUnits() {
	r := newRNG(t.opts.Seed, "businessunits")
	target := min(t.opts.Users/250, 300)
	nRegions, nCountries := 4, 3
	if target > 60 {
		nRegions = 5
		if target > 150 {
			nRegions = 6
		}
		nCountries = max(3, int(math.Ceil(float64(target-1-nRegions)/float64(nRegions*4))))
	}
	if t.opts.Compact {
		nRegions, nCountries = 2, 1
	}
	t.bus = append(t.bus, bu{id: r.dvGUID(), name: "contoso", parent: -1, level: 1, area: areaCore, created: envCreated})
	for ri := 0; ri < nRegions; ri++ {
		reg := regions[ri]
		region := int32(len(t.bus))
		t.bus = append(t.bus, bu{id: r.dvGUID(), name: reg.name, parent: 0, level: 2, area: areaCore,
			created: r.randomTime(envCreated, date(2020, 1, 1))})
		for ci := 0; ci < min(nCountries, len(reg.countries)); ci++ {
			country := int32(len(t.bus))
			name, code := reg.countries[ci][0], reg.countries[ci][1]
			t.bus = append(t.bus, bu{id: r.dvGUID(), name: name, parent: region, level: 3, area: areaCore,
				created: r.randomTime(envCreated, date(2022, 1, 1))})
			depts := r.shuffled(len(departments))[:r.between(2, 4)]
			for _, d := range depts {
				t.bus = append(t.bus, bu{id: r.dvGUID(), name: code + " " + departments[d].name, parent: country, level: 4,
					area: departments[d].area, created: r.randomTime(envCreated, date(2024, 6, 1))})
			}
		}
	}
}

// buildRoles creates the out-of-box roles and Contoso's own, and copies
// every one into every business unit.
func (t *tenant) buildRoles() {
	r := newRNG(t.opts.Seed, "roles")
	c := t.cat
	toList := func(g grants) []grant {
		var out []grant
		for p, m := range g {
			if m != 0 {
				out = append(out, grant{int32(p), m})
			}
		}
		return out
	}
	oob := func(name, template, solution string, customizable bool) {
		g := toList(c.oobGrants(name))
		t.roles = append(t.roles, role{name: name, template: template, managed: true, customizable: customizable,
			inherited: 1, solution: solution, area: areaSystem, created: envCreated,
			changed: r.randomTime(date(2024, 1, 1), date(2026, 10, 1)), grants: g, baseline: g, baselineID: r.dvGUID()})
	}
	for _, o := range oobRoleTemplates {
		oob(o.name, o.template, systemSolution, o.name != "System Administrator" && o.name != "Support User")
	}
	for _, n := range platformRoles {
		oob(n, "", systemSolution, !strings.HasPrefix(n, "Service "))
	}
	for _, n := range marketingRoles {
		oob(n, "", marketingSoln, true)
	}
	// One out-of-box role was customized in this environment: Salesperson
	// reads accounts at Deep instead of Local and may delete competitors.
	// The baseline keeps the original, so ROLE_OOB_MODIFIED fires once.
	sp := t.roleIndex("Salesperson")
	modified := c.oobGrants("Salesperson")
	modified[c.priv(c.table["account"], rRead)] = dDeep
	modified[c.priv(c.table["competitor"], rDelete)] = dGlobal
	t.roles[sp].grants = toList(modified)
	t.roles[sp].changed = date(2025, 9, 17)

	// Contoso's roles: "Contoso Integration" and 29 to 59 more.
	cr := newRNG(t.opts.Seed, "customroles")
	n := cr.between(30, 60)
	picks := []int{0}
	for _, i := range cr.shuffled(len(customRoleNames) - 1)[:n-1] {
		picks = append(picks, i+1)
	}
	for _, i := range picks {
		def := customRoleNames[i]
		level := cr.IntN(3)
		size := cr.logUniform(50, 800)
		area := def.area
		if def.name == "Contoso Integration" {
			area, level, size = areaCore, 2, 420
		}
		if t.opts.Compact {
			size = max(10, size*len(c.tables)/tableCount) // the same share of a smaller catalogue
		}
		g := c.customGrants(cr, area, size, level)
		if def.name == "Contoso Integration" {
			g.misc(c, "prvActOnBehalfOfAnotherUser")
		}
		inherited := 1
		if strings.Contains(def.name, "Team") || cr.chance(0.05) {
			inherited = 0
		}
		created := cr.randomTime(date(2020, 1, 1), date(2026, 9, 1))
		t.roles = append(t.roles, role{name: def.name, custom: true, customizable: true, inherited: inherited,
			solution: defaultSolution, area: def.area, created: created, changed: cr.randomTime(created, date(2026, 11, 1)),
			grants: toList(g)})
	}
	// Copies: a root role's copy in a business unit has its own id, the same
	// template, parentrootroleid = the root role, and no privileges of its own.
	cp := newRNG(t.opts.Seed, "rolecopies")
	for i := range t.roles {
		copies := make([]string, len(t.bus))
		copies[0] = r.dvGUID()
		for b := 1; b < len(t.bus); b++ {
			copies[b] = cp.dvGUID()
		}
		t.roles[i].copies = copies
	}
}

func (t *tenant) roleIndex(name string) int {
	for i, r := range t.roles {
		if r.name == name {
			return i
		}
	}
	panic("gen: no role " + name)
}

// buWeights draws business units for people: 85% in departments, 8% in
// countries, 4% in regions, 3% in the root, each unit with a log-normal
// size.
func (t *tenant) buWeights(r *rng) *weighted {
	share := map[int8]float64{1: 0.03, 2: 0.04, 3: 0.08, 4: 0.85}
	count := map[int8]int{}
	for _, b := range t.bus {
		count[b.level]++
	}
	w := make([]float64, len(t.bus))
	for i, b := range t.bus {
		w[i] = share[b.level] / float64(count[b.level]) * math.Exp(r.NormFloat64()*0.7)
	}
	return newWeighted(w)
}

// buildUsers creates the systemusers: administrators, persons, integration
// accounts, application users and the two Microsoft placeholders.
func (t *tenant) buildUsers() {
	r := newRNG(t.opts.Seed, "users")
	n := t.opts.Users
	fixed := 2 + len(svcUsers) + len(marketingAppUsers)
	apps := max(len(marketingAppUsers), int(math.Round(float64(n)*0.01)))
	admins := max(1, int(math.Round(float64(n)*0.03)))
	persons := n - fixed - (apps - len(marketingAppUsers)) - admins
	login := t.uniqueLogin
	name := func(u *user) (fa, la string) {
		f, l := firstNames[r.IntN(len(firstNames))], lastNames[r.IntN(len(lastNames))]
		u.first, u.last, u.full = f.display, l.display, f.display+" "+l.display
		return f.ascii, l.ascii
	}
	for i := 0; i < admins; i++ {
		u := user{kind: kindAdmin, mode: 1, bu: 0, manager: -1, invite: 4, id: r.dvGUID(), aad: r.guid()}
		fa, la := name(&u)
		u.full += " (Admin)"
		u.login = login("adm-"+fa+"."+la) + "@" + domain
		u.email = u.login
		u.title = []string{"Microsoft 365 Administrator", "Power Platform Administrator", "Dynamics 365 Administrator"}[r.IntN(3)]
		u.dept = "Group IT"
		u.disabled = r.chance(0.05)
		u.created = r.randomTime(envCreated, lastCreated)
		t.users = append(t.users, u)
	}
	bw := t.buWeights(r)
	for i := 0; i < persons; i++ {
		u := user{kind: kindPerson, manager: -1, invite: 4, id: r.dvGUID(), aad: r.guid()}
		u.bu = int32(bw.draw(r))
		fa, la := name(&u)
		area := t.bus[u.bu].area
		titles := titlesByArea[area]
		u.title = titles[r.IntN(len(titles))]
		u.dept = t.deptName(u.bu)
		if r.chance(0.01) {
			g := guestDomains[r.IntN(len(guestDomains))]
			u.guest = true
			u.full += " (" + strings.ToUpper(strings.SplitN(g, ".", 2)[0]) + ")"
			u.login = login(fa+"."+la+"_"+strings.ReplaceAll(g, ".", "_")) + "#EXT#@" + tenantDomain
			u.email = fa + "." + la + "@" + g
			if r.chance(0.7) {
				u.mode = 2
			}
		} else {
			u.login = login(fa+"."+la) + "@" + domain
			u.email = u.login
			if r.chance(0.04) {
				u.mode = 2
			}
		}
		u.disabled = r.chance(0.05)
		u.created = r.randomTime(envCreated, lastCreated)
		t.users = append(t.users, u)
	}
	for _, s := range svcUsers {
		u := user{kind: kindService, mode: 4, manager: -1, id: r.dvGUID(), aad: r.guid(), full: s.full,
			login: s.login + "@" + domain, title: "Integration account", dept: "Group IT"}
		u.first, u.last, _ = strings.Cut(s.full, " ")
		u.email = u.login
		u.created = r.randomTime(date(2020, 1, 1), date(2025, 1, 1))
		t.users = append(t.users, u)
	}
	for _, a := range marketingAppUsers {
		t.users = append(t.users, t.appUser(r, a.full, a.appID))
	}
	for i := 0; i < apps-len(marketingAppUsers); i++ {
		name := integrationApps[i%len(integrationApps)]
		if i >= len(integrationApps) {
			name += " " + strconv.Itoa(i/len(integrationApps)+1)
		}
		t.users = append(t.users, t.appUser(r, "# "+name, r.guid()))
	}
	t.users = append(t.users,
		user{kind: kindSupport, mode: 3, manager: -1, id: r.dvGUID(), full: "Support User", first: "Support", last: "User",
			login: "crmoln@microsoft.com", created: envCreated},
		user{kind: kindDelegated, mode: 5, manager: -1, id: r.dvGUID(), full: "Delegated Admin", first: "Delegated", last: "Admin",
			login: "crmoln2@microsoft.com", created: envCreated})

	// Most people report to their unit's head.
	t.setManagers(func() bool { return r.chance(0.8) })
}

// setManagers heads every business unit with its first person, who
// reports to the head of the nearest business unit above; any other person
// reports to the head of their unit when reportsToHead says so (it is asked
// once per such person, in order, so a random draw keeps its sequence).
func (t *tenant) setManagers(reportsToHead func() bool) {
	for i := range t.bus {
		t.bus[i].head = -1
	}
	for i := range t.users {
		u := &t.users[i]
		if u.kind == kindPerson && !u.guest && t.bus[u.bu].head < 0 {
			t.bus[u.bu].head = int32(i)
		}
	}
	for i := range t.users {
		u := &t.users[i]
		if u.kind != kindPerson || u.guest {
			continue
		}
		if head := t.bus[u.bu].head; head != int32(i) {
			if reportsToHead() {
				u.manager = head
			}
			continue
		}
		for b := t.bus[u.bu].parent; b >= 0; b = t.bus[b].parent {
			if h := t.bus[b].head; h >= 0 {
				u.manager = h
				break
			}
		}
	}
}

// uniqueLogin returns stem, or stem2, stem3, ... when it is taken: user
// principal names are unique in a tenant.
func (t *tenant) uniqueLogin(stem string) string {
	if t.logins == nil {
		t.logins = map[string]int{}
	}
	t.logins[stem]++
	if k := t.logins[stem]; k > 1 {
		return stem + strconv.Itoa(k)
	}
	return stem
}

func (t *tenant) appUser(r *rng, full, appID string) user {
	first, last, _ := strings.Cut(strings.TrimPrefix(full, "# "), " ")
	if strings.HasPrefix(full, "# ") {
		first = "#"
		last = strings.TrimPrefix(full, "# ")
	}
	return user{kind: kindApp, mode: 4, manager: -1, id: r.dvGUID(), aad: r.guid(), appID: appID, full: full,
		first: first, last: last, login: appID + "@" + tenantDomain,
		created: r.randomTime(date(2021, 1, 1), date(2026, 6, 1))}
}

// deptName is what Entra calls a business unit's people's department.
func (t *tenant) deptName(b int32) string {
	u := t.bus[b]
	switch u.level {
	case 4:
		_, d, _ := strings.Cut(u.name, " ")
		return d
	case 1:
		return "Group Management"
	}
	return u.name + " Management"
}

// roleCountWeights: P(k roles) for k = 0..15. A few users hold no role of
// their own (teams only); most hold 1-3; P(k) falls as k^-1.8 to a long
// tail of 15.
var roleCountWeights = func() *weighted {
	w := make([]float64, 16)
	w[0] = 0.05
	for k := 1; k <= 15; k++ {
		w[k] = math.Pow(float64(k), -1.8)
	}
	return newWeighted(w)
}()

// primaryRoles are the out-of-box roles of each area's people, with weights.
var primaryRoles = map[string][]struct {
	name string
	w    float64
}{
	areaSales:     {{"Salesperson", 0.78}, {"Sales Manager", 0.18}, {"Vice President of Sales", 0.04}},
	areaService:   {{"Customer Service Representative", 0.82}, {"CSR Manager", 0.15}, {"Knowledge Manager", 0.03}},
	areaMarketing: {{"Marketing Professional - Business", 0.55}, {"Marketing Manager - Business", 0.15}, {"Marketing Professional", 0.2}, {"Marketing Manager", 0.07}, {"Vice President of Marketing", 0.03}},
	areaField:     {{"Scheduler", 0.75}, {"Schedule Manager", 0.25}},
	areaFinance:   {{"Basic User", 1}},
	areaCustom:    {{"Basic User", 1}},
	areaCore:      {{"CEO-Business Manager", 0.3}, {"Sales Manager", 0.35}, {"CSR Manager", 0.35}},
}

// personRole reports whether persons may hold the role: the service-only
// roles (Marketing and Cxp service roles, Service Reader/Writer/Deleted,
// Support User) and the integration role are not handed to people.
func personRole(r *role) bool {
	if r.name == "Contoso Integration" || r.name == "Support User" || strings.HasPrefix(r.name, "Service ") ||
		strings.HasPrefix(r.name, "Cxp ") || r.name == "Delegate" {
		return false
	}
	for _, n := range marketingRoles[:6] {
		if r.name == n {
			return false
		}
	}
	return true
}

// rolePools orders, per area, the roles a person may hold beyond the
// primary one, most likely first: the area's custom roles, then other
// custom and out-of-box roles. Zipf draws from the front of the pool.
func (t *tenant) rolePools(r *rng) map[string][]int {
	pools := map[string][]int{}
	for _, area := range []string{areaSales, areaService, areaMarketing, areaField, areaFinance, areaCustom, areaCore} {
		var own, rest []int
		for i := range t.roles {
			ro := &t.roles[i]
			if !personRole(ro) || ro.name == "System Administrator" {
				continue
			}
			if ro.custom && (ro.area == area || area == areaCore && ro.area == areaCore) {
				own = append(own, i)
			} else {
				rest = append(rest, i)
			}
		}
		r.Shuffle(len(own), func(i, j int) { own[i], own[j] = own[j], own[i] })
		r.Shuffle(len(rest), func(i, j int) { rest[i], rest[j] = rest[j], rest[i] })
		pools[area] = append(own, rest...)
	}
	return pools
}

// assignRoles gives every user direct roles, always the copy in the user's
// business unit.
func (t *tenant) assignRoles() {
	r := newRNG(t.opts.Seed, "userroles")
	pools := t.rolePools(r)
	zipfs := map[string]*rand.Zipf{}
	for _, area := range []string{areaSales, areaService, areaMarketing, areaField, areaFinance, areaCustom, areaCore} {
		zipfs[area] = rand.NewZipf(r.Rand, 1.15, 2, uint64(len(pools[area])-1))
	}
	sa, sc, basic := t.roleIndex("System Administrator"), t.roleIndex("System Customizer"), t.roleIndex("Basic User")
	integration := t.roleIndex("Contoso Integration")
	var held []int
	add := func(u, role int) {
		for _, h := range held {
			if h == role {
				return
			}
		}
		held = append(held, role)
		t.userRoles = append(t.userRoles, pair{int32(u), int32(role)})
	}
	for i := range t.users {
		u := &t.users[i]
		held = held[:0]
		switch u.kind {
		case kindAdmin:
			if r.chance(0.5) {
				add(i, sa)
			} else {
				add(i, sc)
			}
			if r.chance(0.2) {
				add(i, basic)
			}
		case kindService:
			add(i, integration)
			if strings.HasPrefix(u.login, "svc-reporting@") {
				add(i, basic)
			}
		case kindApp:
			if roles := marketingRolesOf(u.full); roles != nil {
				for _, n := range roles {
					add(i, t.roleIndex(n))
				}
			} else if r.chance(0.25) {
				add(i, sa)
			} else {
				add(i, integration)
			}
		case kindSupport:
			add(i, t.roleIndex("Support User"))
		case kindDelegated:
			add(i, sa)
		case kindPerson:
			k := roleCountWeights.draw(r)
			if k == 0 {
				continue
			}
			area := t.bus[u.bu].area
			if r.chance(0.006) {
				add(i, sa)
			} else {
				prim := primaryRoles[area]
				w := make([]float64, len(prim))
				for j, p := range prim {
					w[j] = p.w
				}
				add(i, t.roleIndex(prim[newWeighted(w).draw(r)].name))
			}
			if len(held) < k && r.chance(0.85) {
				add(i, basic)
			}
			pool, z := pools[area], zipfs[area]
			for tries := 0; len(held) < k && tries < 4*k; tries++ {
				add(i, pool[z.Uint64()])
			}
		}
	}
}

func marketingRolesOf(full string) []string {
	for _, a := range marketingAppUsers {
		if a.full == full {
			return a.roles
		}
	}
	return nil
}
