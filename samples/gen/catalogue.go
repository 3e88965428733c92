package gen

import (
	"slices"
	"strings"
)

// catalogue is the environment's metadata: its tables and privileges.
type catalogue struct {
	tables []table
	privs  []privilege
	byName map[string]int // privilege name -> index (lookups only, never ranged)
	table  map[string]int // logical name -> index
}

type table struct {
	tableDef
	firstPriv int // its eight privileges are firstPriv .. firstPriv+7, in the order of rights
}

type privilege struct {
	id, name string
	lower    string // name in lower case: the baseline files are sorted by it
	right    int
	table    int // -1: miscellaneous
	orgOnly  bool
}

// tableList is a catalogue's table definitions in order, each logical name
// once; it starts with the out-of-box tables.
type tableList struct {
	defs []tableDef
	seen map[string]bool
}

func newTableList() *tableList {
	l := &tableList{defs: slices.Clone(oobTables), seen: map[string]bool{}}
	for _, d := range l.defs {
		l.seen[d.logical] = true
	}
	return l
}

// add appends d unless a table of its logical name is listed already.
func (l *tableList) add(d tableDef) {
	if !l.seen[d.logical] {
		l.seen[d.logical] = true
		l.defs = append(l.defs, d)
	}
}

// tableDefs lists the catalogue's tables: out-of-box ones, first-party
// (msdyn*) ones and Contoso's own, tableCount in all. It does not depend on
// the seed.
func tableDefs() []tableDef {
	l := newTableList()
	firstParty := tableCount - customCount
	for _, area := range msdynAreas {
		for _, name := range msdynTables[area] {
			l.add(firstPartyTable(name, area))
		}
	}
	// More first-party names, built area by area, until the catalogue is full.
	for _, suffix := range tableSuffixes {
		for i := 0; len(l.defs) < firstParty && i < 12; i++ {
			for _, area := range msdynAreas {
				if len(l.defs) >= firstParty {
					break
				}
				nouns := msdynNouns[area]
				name := msdynPrefix[area] + nouns[i%len(nouns)] + suffix
				l.add(firstPartyTable(name, area))
			}
		}
	}
	for _, suffix := range customSuffixes {
		for _, group := range customNouns {
			for _, noun := range group.nouns {
				if len(l.defs) >= tableCount {
					return l.defs
				}
				l.add(contosoTable(noun+suffix, group.area, suffix == "type" || suffix == "status"))
			}
		}
	}
	return l.defs
}

// compactTableDefs is the catalogue of a compact tenant (Options.Compact):
// the out-of-box tables, one Contoso table per noun and the first-party
// tables that hold secured columns; about a quarter of tableDefs.
func compactTableDefs() []tableDef {
	l := newTableList()
	secured := map[string]bool{}
	for _, col := range securedColumns {
		secured[col[0]] = true
	}
	for _, area := range msdynAreas {
		for _, name := range msdynTables[area] {
			if secured[name] {
				l.add(firstPartyTable(name, area))
			}
		}
	}
	for _, group := range customNouns {
		for _, noun := range group.nouns {
			l.add(contosoTable(noun, group.area, false))
		}
	}
	return l.defs
}

// firstPartyTable is a table of Microsoft's first-party apps; the settings
// kinds are organization-owned.
func firstPartyTable(name, area string) tableDef {
	return tableDef{logical: name, schema: name, area: area, orgOwned: isSettingsTable(name)}
}

// contosoTable is Contoso's own table contoso_NAME; its schema name
// capitalises NAME.
func contosoTable(name, area string, orgOwned bool) tableDef {
	return tableDef{logical: "contoso_" + name, schema: "contoso_" + strings.ToUpper(name[:1]) + name[1:], area: area, orgOwned: orgOwned}
}

func isSettingsTable(name string) bool {
	for _, s := range []string{"setting", "settings", "config", "configuration", "definition", "template"} {
		if strings.HasSuffix(name, s) {
			return true
		}
	}
	return false
}

// buildCatalogue creates the tables and their privileges: eight per table,
// then the miscellaneous ones. Privilege ids come from the seed.
func buildCatalogue(seed int64, compact bool) *catalogue {
	r := newRNG(seed, "privileges")
	c := &catalogue{byName: map[string]int{}, table: map[string]int{}}
	defs := tableDefs()
	if compact {
		defs = compactTableDefs()
	}
	for _, d := range defs {
		t := table{tableDef: d, firstPriv: len(c.privs)}
		c.table[d.logical] = len(c.tables)
		c.tables = append(c.tables, t)
		for _, rt := range rights {
			c.addPriv(privilege{id: r.guid(), name: "prv" + rt.name + d.schema, right: rt.bit,
				table: len(c.tables) - 1, orgOnly: d.orgOwned})
		}
	}
	for _, m := range miscPrivileges {
		id := r.guid()
		if m.name == "prvBulkDelete" {
			id = "b75a726f-e7aa-44ae-9282-f8776d913bbb" // constant in every environment
		}
		c.addPriv(privilege{id: id, name: m.name, right: m.right, table: -1, orgOnly: true})
	}
	return c
}

func (c *catalogue) addPriv(p privilege) {
	p.lower = strings.ToLower(p.name)
	c.byName[p.lower] = len(c.privs)
	c.privs = append(c.privs, p)
}

// priv returns the index of table's privilege of right r.
func (c *catalogue) priv(tbl, r int) int { return c.tables[tbl].firstPriv + r }

// tablesIn returns the tables of the given areas, in catalogue order.
func (c *catalogue) tablesIn(areas ...string) []int {
	var out []int
	for i, t := range c.tables {
		if slices.Contains(areas, t.area) {
			out = append(out, i)
		}
	}
	return out
}

// tablesNamed returns the tables whose logical names are given, or, for a
// name ending in '*', start with it.
func (c *catalogue) tablesNamed(names ...string) []int {
	var out []int
	for i, t := range c.tables {
		for _, n := range names {
			if t.logical == n || strings.HasSuffix(n, "*") && strings.HasPrefix(t.logical, strings.TrimSuffix(n, "*")) {
				out = append(out, i)
				break
			}
		}
	}
	return out
}

// objectTypeCode is the table a privilege belongs to, as
// privilegeobjecttypecodes writes it.
func (c *catalogue) objectTypeCode(p int) string {
	if t := c.privs[p].table; t >= 0 {
		return c.tables[t].logical
	}
	return "none"
}

// grants is a role's privileges: a depth mask per privilege, 0 for none.
type grants []uint8

func (c *catalogue) newGrants() grants { return make(grants, len(c.privs)) }

// grant gives right r on each table at depth d; organization-owned tables
// only know Global. A wider existing grant is kept.
func (g grants) grant(c *catalogue, tables []int, rs []int, d uint8) {
	for _, t := range tables {
		for _, r := range rs {
			p := c.priv(t, r)
			dd := d
			if c.privs[p].orgOnly {
				dd = dGlobal
			}
			if dd > g[p] {
				g[p] = dd
			}
		}
	}
}

// misc grants miscellaneous privileges by name (always Global).
func (g grants) misc(c *catalogue, names ...string) {
	for _, n := range names {
		if p, ok := c.byName[strings.ToLower(n)]; ok {
			g[p] = dGlobal
		}
	}
}

func (g grants) count() int {
	n := 0
	for _, m := range g {
		if m != 0 {
			n++
		}
	}
	return n
}

var (
	allRights  = []int{rCreate, rRead, rWrite, rDelete, rAppend, rAppendTo, rAssign, rShare}
	editRights = []int{rCreate, rWrite, rDelete, rAppend, rAppendTo, rAssign, rShare}
	readRight  = []int{rRead}
	useRights  = []int{rCreate, rRead, rWrite, rAppend, rAppendTo}
)

// oobGrants returns the privileges of an out-of-box role by name: the same
// in every environment (they do not depend on the seed).
func (c *catalogue) oobGrants(name string) grants {
	g := c.newGrants()
	all := make([]int, len(c.tables))
	for i := range all {
		all[i] = i
	}
	business := c.tablesIn(areaCore, areaSales, areaService, areaMarketing, areaField, areaKnowledge, areaFinance, areaCustom)
	system := c.tablesIn(areaSystem)
	sales, service, marketing := c.tablesIn(areaSales), c.tablesIn(areaService), c.tablesIn(areaMarketing)
	field, knowledge := c.tablesIn(areaField), c.tablesIn(areaKnowledge)
	coreUser := c.tablesNamed("account", "contact", "activitypointer", "email", "phonecall", "task", "appointment",
		"annotation", "connection", "userquery", "usersettings", "mailbox", "sharepointdocumentlocation", "post",
		"postfollow", "customeraddress", "userform", "userqueryvisualization")
	systemRead := c.tablesNamed("systemuser", "team", "businessunit", "organization", "savedquery", "systemform",
		"webresource", "sitemap", "appmodule", "customcontrol", "transactioncurrency", "savedqueryvisualization",
		"connectionrole", "subject", "calendar")
	salesRef := c.tablesNamed("product", "pricelevel", "productpricelevel", "competitor", "uom", "uomschedule",
		"discounttype", "discount", "salesliterature", "territory")
	makerTables := c.tablesNamed("canvasapp", "workflow", "connectionreference", "connector", "environmentvariabledefinition",
		"environmentvariablevalue", "flowsession", "desktopflowmodule", "aiplugin", "bot", "botcomponent", "appmodule",
		"processsession", "asyncoperation")
	basicUser := func() {
		g.grant(c, coreUser, allRights, dBasic)
		g.grant(c, coreUser, readRight, dLocal)
		g.grant(c, systemRead, readRight, dGlobal)
		g.misc(c, privacyPrivileges...)
	}
	// areaRole is a Basic User who works in an area: all rights on its
	// tables at depth own, reading them at depth read (never less than own),
	// and the area's miscellaneous privileges the role holds.
	areaRole := func(tables []int, own, read uint8, misc ...string) {
		basicUser()
		g.grant(c, tables, allRights, own)
		g.grant(c, tables, readRight, read)
		g.misc(c, misc...)
	}
	switch name {
	case "System Administrator":
		for i := range g {
			g[i] = dGlobal
		}
	case "System Customizer":
		g.grant(c, all, readRight, dGlobal)
		g.grant(c, system, allRights, dGlobal)
		g.grant(c, business, editRights, dBasic)
		g.misc(c, customizationPrivileges...)
		g.misc(c, privacyPrivileges...)
	case "Support User":
		g.grant(c, all, readRight, dGlobal)
		g.misc(c, "prvReadLicense", "prvReadAuditSummary", "prvReadRecordAuditHistory", "prvReadAuditPartitions")
	case "Delegate":
		g.misc(c, "prvActOnBehalfOfAnotherUser")
	case "Basic User":
		basicUser()
	case "CEO-Business Manager":
		basicUser()
		g.grant(c, business, readRight, dGlobal)
		g.grant(c, c.tablesIn(areaCore), []int{rWrite, rAppend, rAppendTo}, dDeep)
		g.misc(c, salesPrivileges...)
	case "Vice President of Sales":
		areaRole(sales, dDeep, dGlobal, salesPrivileges...)
		g.grant(c, coreUser, allRights, dDeep)
		g.grant(c, salesRef, useRights, dGlobal)
	case "Sales Manager":
		areaRole(sales, dLocal, dDeep, salesPrivileges...)
		g.grant(c, coreUser, allRights, dLocal)
		g.grant(c, salesRef, useRights, dGlobal)
	case "Salesperson":
		areaRole(sales, dBasic, dLocal, salesPrivileges[:3]...)
		g.grant(c, salesRef, readRight, dGlobal)
	case "Customer Service Representative":
		areaRole(service, dBasic, dLocal, servicePrivileges[3:]...)
		g.grant(c, knowledge, readRight, dGlobal)
	case "CSR Manager":
		areaRole(service, dLocal, dDeep, servicePrivileges...)
		g.grant(c, knowledge, useRights, dGlobal)
	case "Marketing Professional":
		areaRole(marketing, dBasic, dLocal, "prvAllowQuickCampaign", "prvUseInternetMarketing")
	case "Marketing Manager":
		areaRole(marketing, dLocal, dDeep, "prvAllowQuickCampaign", "prvUseInternetMarketing", "prvConfigureInternetMarketing")
	case "Vice President of Marketing":
		areaRole(marketing, dDeep, dGlobal, "prvAllowQuickCampaign", "prvUseInternetMarketing", "prvConfigureInternetMarketing")
	case "Schedule Manager":
		areaRole(field, dGlobal, dGlobal, "prvBrowseAvailability", "prvSearchAvailability", "prvConfigureScheduleBoard")
	case "Scheduler":
		areaRole(field, dLocal, dGlobal, "prvBrowseAvailability", "prvSearchAvailability")
	case "Knowledge Manager":
		areaRole(knowledge, dGlobal, dGlobal, "prvPublishArticle", "prvApproveKnowledgeArticle", "prvPublishKnowledgeArticle")
	case "Environment Maker":
		g.grant(c, makerTables, useRights, dBasic)
		g.grant(c, makerTables, []int{rDelete}, dBasic)
		g.grant(c, c.tablesNamed("solution", "publisher"), readRight, dGlobal)
		g.misc(c, "prvCreateDataflows", "prvManageConnectionReferences")
	case "App Opener":
		g.grant(c, systemRead, readRight, dGlobal)
		g.grant(c, c.tablesNamed("usersettings", "userquery", "userform"), allRights, dBasic)
	case "Service Reader":
		g.grant(c, all, readRight, dGlobal)
	case "Service Writer":
		g.grant(c, all, useRights, dGlobal)
	case "Service Deleted":
		g.grant(c, all, []int{rDelete}, dGlobal)
	case "Office Collaborator":
		g.grant(c, c.tablesIn(areaCore), readRight, dGlobal)
	case "Marketing Services User", "Cxp Services User":
		g.grant(c, marketing, allRights, dGlobal)
		g.grant(c, coreUser, readRight, dGlobal)
	case "Marketing, Business App Access":
		g.grant(c, marketing, readRight, dGlobal)
		g.grant(c, systemRead, readRight, dGlobal)
	case "EventManagement S2SInbound":
		g.grant(c, c.tablesNamed("msevtmgt_*"), allRights, dGlobal)
		g.grant(c, c.tablesNamed("contact", "lead"), useRights, dGlobal)
	case "LinkedIn LeadGen S2SInbound":
		g.grant(c, c.tablesNamed("msdyncrm_linkedin*"), allRights, dGlobal)
		g.grant(c, c.tablesNamed("lead", "contact", "account"), useRights, dGlobal)
	case "Marketing Service user extensible role":
		g.grant(c, c.tablesNamed("msdynmkt_customchannelinstance", "msdynmkt_trigger", "msdynmkt_journey"), allRights, dGlobal)
		g.grant(c, marketing, readRight, dGlobal)
	case "Marketing service user real-time role":
		g.grant(c, marketing, []int{rRead, rWrite}, dGlobal)
		g.grant(c, c.tablesNamed("contact", "lead", "account"), readRight, dGlobal)
	case "Marketing Professional - Business":
		areaRole(marketing, dBasic, dGlobal)
	case "Marketing Manager - Business":
		areaRole(marketing, dDeep, dGlobal)
	case "Marketing Professional (BU level) - Business":
		areaRole(marketing, dLocal, dLocal)
	case "Marketing Manager (BU level) - Business":
		areaRole(marketing, dLocal, dDeep)
	case "Lead Score Modeler":
		g.grant(c, c.tablesNamed("msdyncrm_leadscoremodel", "msdynmkt_leadscoremodel"), allRights, dGlobal)
		g.grant(c, c.tablesNamed("lead"), readRight, dLocal)
	case "Lead Score Viewer":
		g.grant(c, c.tablesNamed("msdyncrm_leadscoremodel", "msdynmkt_leadscoremodel"), readRight, dGlobal)
	case "Cxp Channels Application User":
		g.grant(c, c.tablesNamed("msdynmkt_customchannel*", "msdynmkt_mobileapp*", "msdynmkt_smsprovider", "msdynmkt_channel*"), allRights, dGlobal)
	case "Cxp SMS Services User":
		g.grant(c, c.tablesNamed("msdynmkt_sms*"), allRights, dGlobal)
	case "Cxp Content Composition Services":
		g.grant(c, c.tablesNamed("msdynmkt_content*", "msdynmkt_fragment", "msdynmkt_emailtemplate", "msdynmkt_videoasset"), allRights, dGlobal)
	}
	return g
}

// customGrants draws the privileges of one of Contoso's own roles: size
// privileges, mostly on tables of its area, at depths that fit its level
// (0 staff, 1 manager, 2 director).
func (c *catalogue) customGrants(r *rng, area string, size, level int) grants {
	g := c.newGrants()
	primary := c.tablesIn(area)
	core := c.tablesIn(areaCore)
	if area == areaCore {
		core = c.tablesIn(areaSales, areaService)
	}
	order := make([]int, 0, len(c.tables))
	for _, i := range r.shuffled(len(primary)) {
		order = append(order, primary[i])
	}
	for _, i := range r.shuffled(len(core)) {
		order = append(order, core[i])
	}
	for _, i := range r.shuffled(len(c.tables)) {
		order = append(order, i)
	}
	depths := [3][4]float64{{0.45, 0.35, 0.12, 0.08}, {0.15, 0.45, 0.30, 0.10}, {0.05, 0.20, 0.40, 0.35}}
	dw := newWeighted(depths[level][:])
	n := 0
	for _, t := range order {
		if n >= size {
			break
		}
		rs := allRights
		if !r.chance(0.6) {
			rs = nil
			for _, rt := range allRights {
				if rt == rRead || r.chance(0.45) {
					rs = append(rs, rt)
				}
			}
		}
		for _, rt := range rs {
			if n >= size {
				break
			}
			p := c.priv(t, rt)
			if g[p] != 0 {
				continue
			}
			d := uint8(1) << dw.draw(r)
			if c.privs[p].orgOnly {
				d = dGlobal
			}
			g[p] = d
			n++
		}
	}
	// A few miscellaneous privileges; now and then a risky one.
	misc := len(c.privs) - len(miscPrivileges)
	for k := r.IntN(6); k > 0; k-- {
		p := misc + r.IntN(len(miscPrivileges))
		if !slices.Contains(highRiskPrivileges, c.privs[p].name) {
			g[p] = dGlobal
		}
	}
	if r.chance(0.12) {
		g.misc(c, highRiskPrivileges[r.IntN(len(highRiskPrivileges))])
	}
	return g
}
