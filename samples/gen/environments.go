package gen

import (
	"path/filepath"
	"slices"
	"strconv"
)

// A tenant of several environments (Options.Environments > 1) is written as
//
//	ROOT/graph/                  the tenant's Graph files, once
//	ROOT/environments/NAME/      one export per environment, without graph/
//	ROOT/prices.csv, policy.yaml, baseline/   the reference inputs, once
//
// The first environment, prod, is the one-environment export of the same
// Options: every user of the tenant has a Dataverse account there. The
// others are derived from it. A person is one Entra user: the same
// azureactivedirectoryobjectid, domainname and name in every environment
// they are in, but a systemuserid of that environment. Business units and
// roles are copied into every environment with ids of their own, and some
// custom roles drift (the same name, other privileges). Licenses live in
// Graph, once for the tenant, so a seat is only wasted if its holder has no
// role in any environment; the plan below makes sure both kinds exist.

// envKind says how an environment is populated.
type envKind int8

const (
	envProd      envKind = iota // everyone: the one-environment export
	envLifecycle                // test, dev, uat, ...: the whole business-unit tree, a share of everyone
	envDefault                  // the tenant's default environment: the root business unit only, licensed people
	envRegion                   // a region's environment: mostly the people of that region
	envArea                     // a department's environment (sales, service, ...): mostly its people
)

type envDef struct {
	name   string
	kind   envKind
	region string  // envRegion: the region business unit's name
	area   string  // envArea: the table area of its people
	weight float64 // how likely a person who works in several environments works in this one
	drift  float64 // share of custom roles whose privileges differ from prod
}

// environmentTable names a tenant's environments in the order they are
// created: prod first, then the lifecycle copies, the default environment,
// regional and departmental ones. Past the table they are env21, env22, ...
var environmentTable = []envDef{
	{name: "prod", kind: envProd},
	{name: "test", kind: envLifecycle, weight: 3, drift: 0.15},
	{name: "dev", kind: envLifecycle, weight: 2.5, drift: 0.30},
	{name: "default", kind: envDefault},
	{name: "emea", kind: envRegion, region: "EMEA", drift: 0.05},
	{name: "apac", kind: envRegion, region: "APAC", drift: 0.05},
	{name: "americas", kind: envRegion, region: "Americas", drift: 0.05},
	{name: "sales", kind: envArea, area: areaSales, drift: 0.08},
	{name: "service", kind: envArea, area: areaService, drift: 0.08},
	{name: "marketing", kind: envArea, area: areaMarketing, drift: 0.08},
	{name: "finance", kind: envArea, area: areaFinance, drift: 0.08},
	{name: "uat", kind: envLifecycle, weight: 2, drift: 0.10},
	{name: "training", kind: envLifecycle, weight: 1.5, drift: 0.05},
	{name: "sandbox", kind: envLifecycle, weight: 1, drift: 0.20},
	{name: "nordics", kind: envRegion, region: "Nordics", drift: 0.05},
	{name: "mea", kind: envRegion, region: "Middle East & Africa", drift: 0.05},
	{name: "cee", kind: envRegion, region: "Central & Eastern Europe", drift: 0.05},
	{name: "hotfix", kind: envLifecycle, weight: 0.5, drift: 0.02},
	{name: "migration", kind: envLifecycle, weight: 0.5, drift: 0.10},
	{name: "analytics", kind: envArea, area: areaCore, drift: 0.05},
}

// tenantName is the tenant's name in its policy.
const tenantName = "contoso"

// MaxEnvironments bounds Options.Environments.
const MaxEnvironments = 99

// envDefs returns the first n environments.
func envDefs(n int) []envDef {
	defs := slices.Clone(environmentTable[:min(n, len(environmentTable))])
	for i := len(defs); i < n; i++ {
		defs = append(defs, envDef{name: "env" + strconv.Itoa(i+1), kind: envLifecycle, weight: 0.5, drift: 0.05})
	}
	return defs
}

// EnvironmentNames returns the folder names of a tenant of n environments
// (environments/NAME), in order.
func EnvironmentNames(n int) []string {
	var names []string
	for _, d := range envDefs(n) {
		names = append(names, d.name)
	}
	return names
}

// A person's fate across the tenant, for the people whose paid license the
// audit must judge tenant-wide: they hold no role in prod.
const (
	fateNormal    int8 = iota
	fateElsewhere      // no role in prod, a role in exactly one other environment: wasted in prod only
	fateNowhere        // no role in any environment: the seat is wasted tenant-wide
)

// paidLicenses are the SKUs LIC_NO_ROLE judges: Dynamics 365 and Power Apps
// seats that cost money (D365_MARKETING_USER is free).
const paidLicenses = 1<<skuSales | 1<<skuService | 1<<skuServiceAttach | 1<<skuSalesPro | 1<<skuPowerApps

// tenantPlan says who is in which environment.
type tenantPlan struct {
	prod *tenant
	envs []envDef
	// in[e] lists, ascending, the prod users with an account in environment
	// e (e >= 1; prod holds everyone).
	in [][]int32
	// fate and home are per prod user; home is the environment where a
	// fateElsewhere person holds their roles.
	fate []int8
	home []int8
	// bare is a person who holds roles in prod and has an account in the
	// second environment without any role there (USER_NO_ROLE there, no
	// waste); -1 when there is none.
	bare int32
}

// planTenant spreads prod's users over the environments.
func planTenant(prod *tenant, envs []envDef) *tenantPlan {
	r := newRNG(prod.opts.Seed, "tenant/spread")
	n := len(prod.users)
	p := &tenantPlan{prod: prod, envs: envs, in: make([][]int32, len(envs)), fate: make([]int8, n), home: make([]int8, n)}

	// Who holds a role in prod, directly or through a team.
	holds := prod.roleHolders()
	eligible := func(u *user) bool {
		return u.kind == kindPerson && !u.disabled && !u.entraDisabled && !u.guest && u.mode == 0 && u.licenses&paidLicenses != 0
	}
	var candidates []int32
	for i := range prod.users {
		if eligible(&prod.users[i]) && !holds[i] {
			candidates = append(candidates, int32(i))
		}
	}
	// Small tenants may have no such person: take roles away in prod from
	// licensed people until there are two, so that every tenant has both
	// cases to test.
	if len(candidates) < 2 {
		var pool []int32
		for i := range prod.users {
			if eligible(&prod.users[i]) && holds[i] {
				pool = append(pool, int32(i))
			}
		}
		for _, k := range r.shuffled(len(pool)) {
			if len(candidates) >= 2 {
				break
			}
			prod.stripRoles(pool[k])
			candidates = append(candidates, pool[k])
		}
		slices.Sort(candidates)
	}
	for k, u := range candidates {
		switch {
		case k == 0:
			p.fate[u] = fateElsewhere
		case k == 1:
			p.fate[u] = fateNowhere
		case r.chance(0.5):
			p.fate[u] = fateElsewhere
		default:
			p.fate[u] = fateNowhere
		}
	}

	members := make([][]int32, len(envs))
	var picked []int
	for i := range prod.users {
		u := &prod.users[i]
		picked = picked[:0]
		switch u.kind {
		case kindPerson, kindAdmin:
			picked = p.spread(r, u, picked)
			if p.fate[i] == fateElsewhere {
				// The first such person keeps their roles in the second
				// environment, so the example is easy to find.
				home := -1
				for _, e := range picked {
					if envs[e].kind != envDefault {
						home = e
						break
					}
				}
				if home < 0 || len(candidates) > 0 && candidates[0] == int32(i) {
					home = 1
					if !slices.Contains(picked, 1) {
						picked = append(picked, 1)
					}
				}
				p.home[i] = int8(home)
			}
			if len(candidates) > 1 && candidates[1] == int32(i) && !slices.Contains(picked, 1) {
				// The first person with no role anywhere also has an
				// account in the second environment: the seat is wasted in
				// both, so tenant-wide too.
				picked = append(picked, 1)
			}
		case kindService:
			for e := 1; e < len(envs); e++ {
				if envs[e].kind != envDefault && (envs[e].kind == envLifecycle || r.chance(0.4)) {
					picked = append(picked, e)
				}
			}
		case kindApp:
			marketing := marketingRolesOf(u.full) != nil
			for e := 1; e < len(envs); e++ {
				if envs[e].kind != envDefault && (marketing || r.chance(0.3)) {
					picked = append(picked, e)
				}
			}
		case kindSupport, kindDelegated:
			for e := 1; e < len(envs); e++ {
				picked = append(picked, e)
			}
		}
		for _, e := range picked {
			members[e] = append(members[e], int32(i))
		}
	}
	// Every environment has a few people, so that teams have members.
	persons := 0
	for i := range prod.users {
		if prod.users[i].kind == kindPerson {
			persons++
		}
	}
	for e := 1; e < len(envs); e++ {
		have := 0
		for _, u := range members[e] {
			if prod.users[u].kind == kindPerson {
				have++
			}
		}
		for tries := 0; have < min(3, persons) && tries < 1000; tries++ {
			u := int32(r.IntN(n))
			if prod.users[u].kind == kindPerson && p.fate[u] == fateNormal && !slices.Contains(members[e], u) {
				members[e] = append(members[e], u)
				have++
			}
		}
		slices.Sort(members[e])
		p.in[e] = members[e]
	}
	p.bare = -1
	for _, u := range p.in[1] {
		x := &prod.users[u]
		if p.fate[u] == fateNormal && eligible(x) && holds[u] {
			p.bare = u
			break
		}
	}
	return p
}

// keyPerson returns the prod index of the first person whose paid license
// is wasted in prod but not tenant-wide (they hold a role in test only),
// or -1.
func (p *tenantPlan) keyPerson() int {
	for i, f := range p.fate {
		if f == fateElsewhere {
			return i
		}
	}
	return -1
}

// spread picks the environments besides prod a person works in: most only
// in prod, a share in two to four environments, administrators in several;
// licensed people are in the default environment.
func (p *tenantPlan) spread(r *rng, u *user, picked []int) []int {
	envs := p.envs
	extra := 0
	if u.kind == kindAdmin {
		extra = r.between(2, 5)
	} else {
		switch x := r.Float64(); {
		case x < 0.55:
		case x < 0.83:
			extra = 1
		case x < 0.95:
			extra = 2
		default:
			extra = 3
		}
	}
	region, area := p.prod.regionOf(u.bu), p.prod.bus[u.bu].area
	w := make([]float64, len(envs))
	for e, d := range envs {
		switch d.kind {
		case envLifecycle:
			w[e] = d.weight
		case envRegion:
			w[e] = 0.2
			if region == d.region {
				w[e] = 6
			}
		case envArea:
			w[e] = 0.2
			if area == d.area {
				w[e] = 4
			}
		case envDefault:
			if u.licenses != 0 && r.chance(0.75) {
				picked = append(picked, e)
			}
		}
	}
	for k := 0; k < extra; k++ {
		total := 0.0
		for e := range w {
			total += w[e]
		}
		if total == 0 {
			break
		}
		e := newWeighted(w).draw(r)
		picked = append(picked, e)
		w[e] = 0
	}
	slices.Sort(picked)
	return picked
}

// regionOf returns the name of the level-2 business unit above b, or "".
func (t *tenant) regionOf(b int32) string {
	for ; b >= 0; b = t.bus[b].parent {
		if t.bus[b].level == 2 {
			return t.bus[b].name
		}
	}
	return ""
}

// roleHolders reports, per user, whether they hold a role directly or
// through a team.
func (t *tenant) roleHolders() []bool {
	holds := make([]bool, len(t.users))
	for _, x := range t.userRoles {
		holds[x.a] = true
	}
	teamHasRole := make([]bool, len(t.teams))
	for _, x := range t.teamRoles {
		teamHasRole[x.a] = true
	}
	for _, x := range t.members {
		if teamHasRole[x.a] {
			holds[x.b] = true
		}
	}
	return holds
}

// stripRoles takes away u's direct roles and the memberships of teams that
// hold roles: u is left in their business unit's default team only.
func (t *tenant) stripRoles(u int32) {
	t.userRoles = slices.DeleteFunc(t.userRoles, func(x pair) bool { return x.a == u })
	teamHasRole := make([]bool, len(t.teams))
	for _, x := range t.teamRoles {
		teamHasRole[x.a] = true
	}
	t.members = slices.DeleteFunc(t.members, func(x pair) bool { return x.b == u && teamHasRole[x.a] })
}

// environment builds environment e (e >= 1) from prod and the plan.
func (p *tenantPlan) environment(e int) *tenant {
	def, prod := p.envs[e], p.prod
	seed := newRNG(prod.opts.Seed, "environment/"+def.name).Int64()
	t := &tenant{opts: prod.opts, org: "contoso-" + def.name, cat: prod.cat}
	t.opts.Seed = seed
	r := newRNG(seed, "environment")

	nb := len(prod.bus)
	if def.kind == envDefault {
		nb = 1
	}
	t.bus = make([]bu, nb)
	for b := range nb {
		x := prod.bus[b]
		x.id = r.dvGUID()
		t.bus[b] = x
	}
	t.roles = make([]role, len(prod.roles))
	for i, ro := range prod.roles {
		ro.copies = make([]string, nb)
		for b := range ro.copies {
			ro.copies[b] = r.dvGUID()
		}
		t.roles[i] = ro
	}
	t.drift(def, newRNG(seed, "drift"))

	// Users: prod's, with ids of this environment. A few people are
	// disabled here who are enabled in prod: they left the project.
	fate := make([]int8, 0, len(p.in[e]))
	for _, pi := range p.in[e] {
		u := prod.users[pi]
		u.id, u.manager = r.dvGUID(), -1
		if nb == 1 {
			u.bu = 0
		}
		if u.kind == kindPerson && !u.disabled && r.chance(0.02) {
			u.disabled = true
		}
		t.users = append(t.users, u)
		// Here, a person either holds whatever roles they draw, or no
		// role (fateNowhere), or at least one (fateElsewhere).
		f := p.fate[pi]
		if f == fateElsewhere && int(p.home[pi]) != e || e == 1 && pi == p.bare {
			f = fateNowhere
		}
		fate = append(fate, f)
	}
	t.opts.Users = len(t.users)
	t.setManagers(func() bool { return true }) // here every person reports to their unit's head

	t.assignRoles()
	if def.kind == envDefault {
		t.defaultRoles(newRNG(seed, "defaultroles"))
	}
	// People without a role here lose the roles drawn for them; the one
	// whose home this is keeps at least one.
	t.userRoles = slices.DeleteFunc(t.userRoles, func(x pair) bool { return fate[x.a] == fateNowhere })
	held := make([]bool, len(t.users))
	for _, x := range t.userRoles {
		held[x.a] = true
	}
	basic := int32(t.roleIndex("Basic User"))
	for i, f := range fate {
		if f == fateElsewhere && !held[i] {
			t.userRoles = append(t.userRoles, pair{int32(i), basic})
		}
	}

	t.buildTeams()
	t.members = slices.DeleteFunc(t.members, func(x pair) bool {
		return fate[x.b] == fateNowhere && !t.teams[x.a].isdefault
	})
	t.buildFieldSecurity()
	t.orgID, t.orgCreated = r.dvGUID(), r.randomTime(envCreated, date(2025, 6, 1))
	return t
}

// defaultRoles replaces the roles persons drew in the default environment,
// where people make apps and flows rather than work with Dynamics 365:
// Basic User, often Environment Maker, and some nothing at all.
func (t *tenant) defaultRoles(r *rng) {
	t.userRoles = slices.DeleteFunc(t.userRoles, func(x pair) bool { return t.users[x.a].kind == kindPerson })
	basic, maker := int32(t.roleIndex("Basic User")), int32(t.roleIndex("Environment Maker"))
	for i := range t.users {
		if t.users[i].kind != kindPerson {
			continue
		}
		if r.chance(0.8) {
			t.userRoles = append(t.userRoles, pair{int32(i), basic})
		}
		if r.chance(0.35) {
			t.userRoles = append(t.userRoles, pair{int32(i), maker})
		}
	}
	slices.SortStableFunc(t.userRoles, func(a, b pair) int { return int(a.a) - int(b.a) })
}

// drift changes some custom roles of a non-production environment: the
// same role name, another privilege set. Dev also lacks prod's change to
// the out-of-box Salesperson.
func (t *tenant) drift(def envDef, r *rng) {
	c := t.cat
	for i := range t.roles {
		ro := &t.roles[i]
		if !ro.custom || ro.name == "Contoso Integration" || !r.chance(def.drift) {
			continue
		}
		g := c.newGrants()
		for _, x := range ro.grants {
			g[x.priv] = x.mask
		}
		switch r.IntN(3) {
		case 0: // deeper: someone widened the scope while testing
			for k := r.between(3, 12); k > 0; k-- {
				x := ro.grants[r.IntN(len(ro.grants))]
				if !c.privs[x.priv].orgOnly && g[x.priv] < dGlobal {
					g[x.priv] = x.mask << 1
				}
			}
		case 1: // more: privileges on tables prod does not grant
			for k := r.between(5, 25); k > 0; k-- {
				pi := r.IntN(len(c.privs) - len(miscPrivileges))
				if g[pi] == 0 {
					g[pi] = dLocal
					if c.privs[pi].orgOnly {
						g[pi] = dGlobal
					}
				}
			}
		default: // fewer: a cleanup that never reached prod
			for k := r.between(3, 15); k > 0; k-- {
				g[ro.grants[r.IntN(len(ro.grants))].priv] = 0
			}
		}
		ro.grants = g.list()
		ro.changed = r.randomTime(ro.changed, asOfTime.Unix()-86400)
	}
	if def.name == "dev" {
		sp := &t.roles[t.roleIndex("Salesperson")]
		sp.grants, sp.changed = sp.baseline, sp.created
	}
}

// list returns the grants that are set, in privilege order.
func (g grants) list() []grant {
	var out []grant
	for p, m := range g {
		if m != 0 {
			out = append(out, grant{int32(p), m})
		}
	}
	return out
}

// writeTenant writes a tenant of several environments into dir.
func writeTenant(dir string, opts Options) (Stats, error) {
	prod := build(opts)
	prod.org = "contoso-prod"
	defs := envDefs(opts.Environments)
	plan := planTenant(prod, defs)

	root := &writer{t: prod, out: &output{dir: dir}}
	for _, fn := range []func() error{root.writeSKUs, root.writeGraphUsers, root.writePrices, root.writeTenantPolicy, root.writeBaseline} {
		if err := fn(); err != nil {
			return Stats{}, err
		}
	}
	st := Stats{Environments: len(defs), Tables: len(prod.cat.tables), Privileges: len(prod.cat.privs),
		Roles: len(prod.roles), GraphUsers: prod.graphUsers()}
	if k := plan.keyPerson(); k >= 0 {
		u := &prod.users[k]
		st.KeyPerson = KeyPerson{UPN: u.login, EntraID: u.aad, NoRoleIn: "prod", RoleIn: defs[plan.home[k]].name}
	}
	files, bytes := root.out.files, root.out.bytes
	for e, def := range defs {
		t := prod
		if e > 0 {
			t = plan.environment(e)
		}
		w := &writer{t: t, out: &output{dir: filepath.Join(dir, "environments", def.name)}}
		for _, spec := range w.dataverseTables() {
			if err := w.writeTable(spec); err != nil {
				return Stats{}, err
			}
		}
		s := t.stats()
		st.Users += s.Users
		st.BusinessUnits += s.BusinessUnits
		st.RoleRows += s.RoleRows
		st.RolePrivileges += s.RolePrivileges
		st.UserRoles += s.UserRoles
		st.Teams += s.Teams
		st.TeamMemberships += s.TeamMemberships
		files += w.out.files
		bytes += w.out.bytes
	}
	st.Files, st.Bytes = files, bytes
	return st, nil
}
