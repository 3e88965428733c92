package gen

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"

	_ "embed"
)

var ownerTeamNames = []string{"Key Accounts", "Pipeline Review", "Approvers", "Tender Desk", "Pricing Desk", "Escalations",
	"Back Office", "Launch Team", "Analytics", "Hospital Accounts", "Pharmacy Chains", "Distributor Management",
	"Complaints Desk", "Medical Information", "Field Engineers", "Dispatch", "Campaign Ops", "Events", "Credit Control",
	"Payments", "Quality Review", "Regulatory", "Data Quality", "Onboarding", "Renewals"}

var projectNames = []string{"Oncology Launch", "Vaccine Rollout", "CRM Modernisation", "Digital Detailing", "Key Account Programme",
	"Service Excellence", "Sales Academy", "Customer 360", "Partner Growth", "Market Access"}

// buildTeams creates the teams: a default team per business unit holding
// all its users, owner teams and Entra security-group teams with skewed
// sizes and one to three roles each, a few Microsoft 365 group teams, and
// access teams, which hold no roles.
func (t *tenant) buildTeams() {
	r := newRNG(t.opts.Seed, "teams")
	n := t.opts.Users
	// Persons by business unit subtree, to pick team members near the team.
	subtree := make([][]int32, len(t.bus))
	var allPersons []int32
	for i, u := range t.users {
		if u.kind != kindPerson {
			continue
		}
		allPersons = append(allPersons, int32(i))
		for b := u.bu; b >= 0; b = t.bus[b].parent {
			subtree[b] = append(subtree[b], int32(i))
		}
	}
	inBU := make([][]int32, len(t.bus))
	for i, u := range t.users {
		if u.kind != kindEntraOnly {
			inBU[u.bu] = append(inBU[u.bu], int32(i))
		}
	}
	firstAdmin := int32(0)
	names := map[string]int{}
	unique := func(name string) string {
		names[name]++
		if k := names[name]; k > 1 {
			return name + " " + strconv.Itoa(k)
		}
		return name
	}
	seen := map[int32]bool{}
	addMembers := func(team int32, size int, pools ...[]int32) {
		clear(seen)
		for tries := 0; len(seen) < size && tries < 4*size+20; tries++ {
			pool := pools[0]
			if len(pools) > 1 && r.chance(0.3) {
				pool = pools[1]
			}
			if len(pool) == 0 {
				pool = allPersons
			}
			u := pool[r.IntN(len(pool))]
			if !seen[u] {
				seen[u] = true
				t.members = append(t.members, pair{team, u})
			}
		}
	}
	admin := func(b int32) int32 {
		if h := t.bus[b].head; h >= 0 {
			return h
		}
		return firstAdmin
	}
	// Roles teams hold: the area's primary roles and custom roles.
	pools := t.rolePools(r)
	addRoles := func(team int32, area string) {
		k := []int{1, 1, 1, 2, 2, 3}[r.IntN(6)]
		pool := pools[area]
		got := map[int]bool{}
		for j := 0; j < k; j++ {
			ri := pool[min(len(pool)-1, int(math.Floor(math.Pow(r.Float64(), 2.5)*float64(len(pool)))))]
			if !got[ri] {
				got[ri] = true
				t.teamRoles = append(t.teamRoles, pair{team, int32(ri)})
			}
		}
	}
	newTeam := func(tm team) int32 {
		tm.id = r.dvGUID()
		t.teams = append(t.teams, tm)
		return int32(len(t.teams) - 1)
	}

	// Default teams: one per business unit, every user of the unit.
	for b := range t.bus {
		id := newTeam(team{name: t.bus[b].name, ttype: 0, membership: -1, bu: int32(b), admin: admin(int32(b)),
			isdefault: true, desc: "Default team for the business unit", created: t.bus[b].created})
		names[t.bus[b].name]++
		for _, u := range inBU[b] {
			t.members = append(t.members, pair{id, u})
		}
	}
	bw := t.buWeights(r)
	maxOwner := max(5, min(500, n/4))
	for i := 0; i < max(5, n/50); i++ {
		b := int32(bw.draw(r))
		id := newTeam(team{name: unique(t.bus[b].name + " " + ownerTeamNames[r.IntN(len(ownerTeamNames))]), ttype: 0,
			membership: -1, bu: b, admin: admin(b), created: r.randomTime(t.bus[b].created, lastCreated)})
		if r.chance(0.02) {
			t.teams[id].desc = "No longer used"
		} else {
			addMembers(id, r.pareto(2, 1.1, maxOwner), subtree[b], allPersons)
		}
		addRoles(id, t.bus[b].area)
	}
	// Entra security-group teams: in the root or a department, members from
	// anywhere, larger and more skewed.
	maxGroup := max(10, min(2000, n/3))
	for i := 0; i < max(4, n/80); i++ {
		b := int32(0)
		if r.chance(0.4) {
			b = int32(bw.draw(r))
		}
		area := t.bus[b].area
		label := strings.ReplaceAll(t.bus[b].name, " ", "-")
		if b == 0 {
			d := departments[r.IntN(len(departments))]
			area, label = d.area, "Global-"+strings.ReplaceAll(d.name, " ", "")
		}
		membership := int8(0)
		if r.chance(0.2) {
			membership = 1
		}
		id := newTeam(team{name: unique("SG-D365-" + label + "-Users"), ttype: 2, membership: membership, bu: b,
			aad: r.guid(), admin: admin(b), desc: "Microsoft Entra security group team", created: r.randomTime(date(2021, 6, 1), lastCreated)})
		addMembers(id, r.pareto(3, 0.9, maxGroup), subtree[b], allPersons)
		addRoles(id, area)
	}
	// Microsoft 365 group teams.
	for i := 0; i < max(1, n/1000); i++ {
		id := newTeam(team{name: unique(projectNames[r.IntN(len(projectNames))] + " (Microsoft 365)"), ttype: 3, membership: 0,
			aad: r.guid(), admin: firstAdmin, desc: "Microsoft 365 group team", created: r.randomTime(date(2022, 1, 1), lastCreated)})
		addMembers(id, r.pareto(4, 1.5, 200), allPersons)
		addRoles(id, areaCore)
	}
	// Access teams: created per record by a team template, or by hand.
	for i := 0; i < max(2, n/200); i++ {
		b := int32(bw.draw(r))
		name := t.bus[b].name + " Deal Room"
		if r.chance(0.5) {
			name = r.guid() + "+" + r.guid()
		}
		id := newTeam(team{name: unique(name), ttype: 1, membership: -1, bu: b, admin: admin(b),
			created: r.randomTime(date(2022, 1, 1), lastCreated)})
		addMembers(id, r.between(2, 8), subtree[b], allPersons)
	}
}

// buildFieldSecurity creates the field security profiles (the System
// Administrator one, Customer Insights - Journeys' and Contoso's), their
// column permissions, and who holds them.
func (t *tenant) buildFieldSecurity() {
	r := newRNG(t.opts.Seed, "fieldsecurity")
	t.profiles = append(t.profiles, profile{id: saProfileID, name: "System Administrator",
		desc: "Full access to all secured fields (system profile)", managed: true, solution: systemSolution})
	for _, col := range securedColumns {
		t.fieldPerms = append(t.fieldPerms, fieldPerm{profile: 0, entity: col[0], attr: col[1], read: 4, create: 4, update: 4, unmasked: 3})
	}
	for _, name := range marketingProfiles {
		p := int32(len(t.profiles))
		t.profiles = append(t.profiles, profile{id: r.dvGUID(), name: name, managed: true, solution: marketingSoln,
			desc: "Customer Insights - Journeys"})
		cxp := strings.HasPrefix(name, "Cxp")
		for _, col := range securedColumns {
			if !strings.HasPrefix(col[0], "msdynmkt_") {
				continue
			}
			if strings.Contains(name, "SMS") != strings.Contains(col[0], "sms") {
				continue
			}
			fp := fieldPerm{profile: p, entity: col[0], attr: col[1], read: 4}
			if cxp || strings.Contains(name, "SMS") {
				fp.create, fp.update = 4, 4
			}
			t.fieldPerms = append(t.fieldPerms, fp)
		}
	}
	customStart := int32(len(t.profiles))
	for _, cp := range customProfiles {
		p := int32(len(t.profiles))
		t.profiles = append(t.profiles, profile{id: r.dvGUID(), name: cp.name, solution: defaultSolution, desc: ""})
		for _, col := range securedColumns {
			for _, stem := range cp.stems {
				if strings.Contains(col[1], stem) {
					fp := fieldPerm{profile: p, entity: col[0], attr: col[1], read: 4}
					if r.chance(0.5) {
						fp.create, fp.update = 4, 4
					}
					if r.chance(0.5) {
						fp.unmasked = 3
					}
					t.fieldPerms = append(t.fieldPerms, fp)
					break
				}
			}
		}
	}
	profileByName := func(name string) int32 {
		for i, p := range t.profiles {
			if p.name == name {
				return int32(i)
			}
		}
		panic("gen: no profile " + name)
	}
	for i, u := range t.users {
		switch {
		case u.kind == kindApp && holdsCxpRole(u.full):
			t.userProfs = append(t.userProfs, pair{int32(i), profileByName(marketingProfiles[0])},
				pair{int32(i), profileByName(marketingProfiles[1])})
			if u.full == "# D365 Sms Channel" {
				t.userProfs = append(t.userProfs, pair{int32(i), profileByName(marketingProfiles[4])})
			}
		case u.kind == kindPerson:
			area := t.bus[u.bu].area
			switch {
			case area == areaMarketing && r.chance(0.3):
				t.userProfs = append(t.userProfs, pair{int32(i), profileByName(marketingProfiles[2])})
			case area == areaFinance && r.chance(0.25):
				t.userProfs = append(t.userProfs, pair{int32(i), profileByName("Contoso Payment Bank Details")})
			case area == areaSales && r.chance(0.05):
				t.userProfs = append(t.userProfs, pair{int32(i), profileByName("Contoso Pricing Margins")})
			case area == areaService && r.chance(0.05):
				t.userProfs = append(t.userProfs, pair{int32(i), profileByName("Contoso Pharmacovigilance")})
			case r.chance(0.01):
				t.userProfs = append(t.userProfs, pair{int32(i), customStart + int32(r.IntN(len(customProfiles)))})
			}
		}
	}
	for i, tm := range t.teams {
		if (tm.ttype == 0 && !tm.isdefault || tm.ttype == 2) && r.chance(0.08) {
			t.teamProfs = append(t.teamProfs, pair{int32(i), customStart + int32(r.IntN(len(customProfiles)))})
		}
	}
}

// holdsCxpRole reports whether the application user full holds a
// Customer Experience Platform (Cxp) role.
func holdsCxpRole(full string) bool {
	for _, n := range marketingRolesOf(full) {
		if strings.HasPrefix(n, "Cxp ") {
			return true
		}
	}
	return false
}

// Graph subscribedSkus, as samples/contoso has them.
//
//go:embed contoso-skus.json
var contosoSKUs []byte

type skuServicePlan struct {
	ServicePlanID      string `json:"servicePlanId"`
	ServicePlanName    string `json:"servicePlanName"`
	ProvisioningStatus string `json:"provisioningStatus"`
	AppliesTo          string `json:"appliesTo"`
}

type graphSKU struct {
	AccountName      string `json:"accountName"`
	AccountID        string `json:"accountId"`
	AppliesTo        string `json:"appliesTo"`
	CapabilityStatus string `json:"capabilityStatus"`
	ConsumedUnits    int    `json:"consumedUnits"`
	ID               string `json:"id"`
	PrepaidUnits     struct {
		Enabled   int `json:"enabled"`
		LockedOut int `json:"lockedOut"`
		Suspended int `json:"suspended"`
		Warning   int `json:"warning"`
	} `json:"prepaidUnits"`
	ServicePlans    []skuServicePlan `json:"servicePlans"`
	SkuID           string           `json:"skuId"`
	SkuPartNumber   string           `json:"skuPartNumber"`
	SubscriptionIDs []string         `json:"subscriptionIds"`
}

type skuState struct {
	graphSKU
}

// SKU bits of user.licenses, in the order of contoso-skus.json.
const (
	skuSales = iota
	skuService
	skuServiceAttach
	skuSalesPro
	skuPowerApps
	skuE3
	skuFlowFree
	skuMarketing
)

var skuPartNumbers = []string{"DYN365_ENTERPRISE_SALES", "DYN365_ENTERPRISE_CUSTOMER_SERVICE", "D365_CUSTOMER_SERVICE_ENT_ATTACH",
	"D365_SALES_PRO", "POWERAPPS_PER_USER", "SPE_E3", "FLOW_FREE", "D365_MARKETING_USER"}

func loadSKUs() []skuState {
	var body struct {
		Value []graphSKU `json:"value"`
	}
	if err := json.Unmarshal(contosoSKUs, &body); err != nil {
		panic("gen: contoso-skus.json: " + err.Error())
	}
	out := make([]skuState, len(skuPartNumbers))
	for i, pn := range skuPartNumbers {
		found := false
		for _, s := range body.Value {
			if s.SkuPartNumber == pn {
				out[i] = skuState{s}
				found = true
			}
		}
		if !found {
			panic("gen: contoso-skus.json lacks " + pn)
		}
	}
	return out
}

// buildLicenses gives the tenant's Entra users their licenses and sign-ins,
// adds tenant users who have no Dataverse account, and sizes each SKU's
// seats: some idle, Power Apps per user over-consumed.
func (t *tenant) buildLicenses() {
	r := newRNG(t.opts.Seed, "graph")
	lic := func(u *user, bits ...int) {
		for _, b := range bits {
			u.licenses |= 1 << b
		}
	}
	signIn := func(u *user, stale float64) {
		u.signInSecond = int32(r.IntN(86400))
		switch x := r.Float64(); {
		case x < stale:
			u.signInDays = int16(r.between(91, 720))
		case x < stale+0.01:
			u.signInDays = -1
		default:
			u.signInDays = int16(min(85, 1+int(-math.Log(1-r.Float64())*5)))
		}
	}
	for i := range t.users {
		u := &t.users[i]
		switch u.kind {
		case kindPerson:
			if !u.guest && r.chance(0.95) {
				lic(u, skuE3)
			}
			switch area := t.bus[u.bu].area; area {
			case areaSales:
				switch x := r.Float64(); {
				case x < 0.80:
					lic(u, skuSales)
					if y := r.Float64(); y < 0.08 {
						lic(u, skuServiceAttach)
					} else if y < 0.10 {
						lic(u, skuService) // a second base licence: attach would do
					}
				case x < 0.92:
					lic(u, skuSalesPro)
				case x < 0.96:
					lic(u, skuPowerApps)
				}
			case areaService:
				switch x := r.Float64(); {
				case x < 0.85:
					lic(u, skuService)
				case x < 0.92:
					lic(u, skuSales, skuServiceAttach)
				default:
					lic(u, skuPowerApps)
				}
			case areaMarketing:
				lic(u, skuMarketing)
				if r.chance(0.3) {
					lic(u, skuSales)
				}
			case areaField:
				if r.chance(0.7) {
					lic(u, skuPowerApps)
				} else {
					lic(u, skuService)
				}
			default:
				switch x := r.Float64(); {
				case x < 0.70:
					lic(u, skuPowerApps)
				case x < 0.85:
					lic(u, skuSales)
				}
			}
			if r.chance(0.10) {
				lic(u, skuFlowFree)
			}
			if u.disabled {
				u.entraDisabled = r.chance(0.7)
				if r.chance(0.4) {
					u.licenses = 0 // licences removed when the user left
				}
				signIn(u, 0.5)
			} else {
				u.entraDisabled = r.chance(0.01)
				signIn(u, 0.08)
			}
			if u.guest {
				u.licenses &^= 1 << skuE3
			}
		case kindAdmin:
			if r.chance(0.9) {
				lic(u, skuE3)
			}
			if r.chance(0.35) {
				lic(u, skuSales) // not needed in Administrative mode
			}
			u.entraDisabled = u.disabled && r.chance(0.7)
			signIn(u, 0.05)
		case kindService:
			switch u.login {
			case "svc-sap-orders@" + domain:
				lic(u, skuPowerApps)
			case "svc-powerbi@" + domain:
				lic(u, skuFlowFree)
			}
			u.signInSecond, u.signInDays = int32(r.IntN(86400)), int16(r.between(1, 9))
		}
		u.islicensed = u.licenses&(1<<skuSales|1<<skuService|1<<skuSalesPro|1<<skuPowerApps|1<<skuMarketing) != 0 ||
			u.kind == kindAdmin
	}
	// Tenant users without a Dataverse account still take seats.
	for i := 0; i < int(math.Round(float64(t.opts.Users)*0.03)); i++ {
		u := user{kind: kindEntraOnly, aad: r.guid(), manager: -1}
		f, l := firstNames[r.IntN(len(firstNames))], lastNames[r.IntN(len(lastNames))]
		u.full = f.display + " " + l.display
		u.login = t.uniqueLogin(f.ascii+"."+l.ascii) + "@" + domain
		u.dept = []string{"HR", "Legal", "Procurement", "Group IT", "Communications"}[r.IntN(5)]
		u.created = r.randomTime(envCreated, lastCreated)
		if r.chance(0.95) {
			lic(&u, skuE3)
		}
		if r.chance(0.10) {
			lic(&u, skuSales)
		}
		if r.chance(0.05) {
			lic(&u, skuFlowFree)
		}
		signIn(&u, 0.1)
		t.entraOnly = append(t.entraOnly, u)
	}

	t.skus = loadSKUs()
	consumed := make([]int, len(t.skus))
	for _, list := range [][]user{t.users, t.entraOnly} {
		for _, u := range list {
			for b := range t.skus {
				if u.licenses&(1<<b) != 0 {
					consumed[b]++
				}
			}
		}
	}
	for b := range t.skus {
		s := &t.skus[b]
		c := consumed[b]
		s.ConsumedUnits = c
		s.CapabilityStatus = "Enabled"
		s.PrepaidUnits.Suspended, s.PrepaidUnits.Warning, s.PrepaidUnits.LockedOut = 0, 0, 0
		idle := func(f float64) int { return c + int(math.Ceil(float64(c)*f)) }
		switch b {
		case skuSales:
			s.PrepaidUnits.Enabled = idle(0.06) + 1
		case skuService:
			s.PrepaidUnits.Enabled = idle(0.03)
		case skuSalesPro:
			s.PrepaidUnits.Enabled = idle(0.10)
		case skuE3:
			s.PrepaidUnits.Enabled = idle(0.02)
		case skuPowerApps:
			s.PrepaidUnits.Enabled = max(0, c-max(1, c/40)) // more assigned than bought
		case skuFlowFree:
			s.PrepaidUnits.Enabled = 10000 * (1 + c/10000)
		default:
			s.PrepaidUnits.Enabled = c
		}
	}
	t.skus = append(t.skus, tenantSKUs(t.opts.Users)...)
}

// tenantSKUs are the SKUs no user is assigned, as real tenants have them:
// tenant-level Dataverse capacity (appliesTo "Company") and a cancelled
// subscription whose units are all locked out.
func tenantSKUs(users int) []skuState {
	sku := func(id, part, appliesTo, status string, enabled, lockedOut int, plan [2]string) skuState {
		var s skuState
		s.AccountName, s.AccountID = "Contoso Pharma AG", "b9c1e7a4-3f62-4d8e-a1c5-7e2f09d4b6a3"
		s.AppliesTo, s.CapabilityStatus, s.SkuID, s.SkuPartNumber = appliesTo, status, id, part
		s.ID = s.AccountID + "_" + id
		s.PrepaidUnits.Enabled, s.PrepaidUnits.LockedOut = enabled, lockedOut
		s.ServicePlans = []skuServicePlan{{ServicePlanID: plan[0], ServicePlanName: plan[1], ProvisioningStatus: "Success", AppliesTo: appliesTo}}
		s.SubscriptionIDs = []string{}
		return s
	}
	return []skuState{
		sku("e612d426-6bc3-4181-9658-91aa906b0ac0", "CDS_DB_CAPACITY", "Company", "Enabled", 1+users/1000, 0,
			[2]string{"360bcc37-0c11-4264-8eed-9fa7a3297c9b", "CDS_DB_CAPACITY"}),
		sku("631d5fb1-a668-4c2a-9427-8830665a742e", "CDS_FILE_CAPACITY", "Company", "Enabled", 2+users/500, 0,
			[2]string{"dd12a3a8-caec-44f8-b4fb-2f1a864b51e3", "CDS_FILE_CAPACITY"}),
		sku("ea126fc5-a19e-42e2-a731-da9d437bffcf", "DYN365_ENTERPRISE_PLAN1", "User", "LockedOut", 25, 25,
			[2]string{"d56f3deb-50d8-465a-bedb-f079817ccac1", "DYN365_ENTERPRISE_P1"}),
	}
}

func (t *tenant) stats() Stats {
	st := Stats{Users: len(t.users), BusinessUnits: len(t.bus), Tables: len(t.cat.tables), Privileges: len(t.cat.privs),
		Roles: len(t.roles), RoleRows: len(t.roles) * len(t.bus), UserRoles: len(t.userRoles), Teams: len(t.teams),
		TeamMemberships: len(t.members), GraphUsers: t.graphUsers()}
	for _, r := range t.roles {
		st.RolePrivileges += len(r.grants)
	}
	return st
}

// graphUsers counts the Entra users: persons, administrators, integration
// accounts, and tenant users without a Dataverse account.
func (t *tenant) graphUsers() int {
	n := len(t.entraOnly)
	for _, u := range t.users {
		if hasEntraUser(&u) {
			n++
		}
	}
	return n
}

func hasEntraUser(u *user) bool {
	return u.kind == kindPerson || u.kind == kindAdmin || u.kind == kindService || u.kind == kindEntraOnly
}
