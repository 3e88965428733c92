package gen

import (
	"time"
)

// writer turns the tenant into files.
type writer struct {
	t   *tenant
	out *output
}

func (w *writer) writeAll() error {
	for _, spec := range w.dataverseTables() {
		if err := w.writeTable(spec); err != nil {
			return err
		}
	}
	for _, fn := range []func() error{w.writeSKUs, w.writeGraphUsers, w.writePrices, w.writePolicy, w.writeBaseline} {
		if err := fn(); err != nil {
			return err
		}
	}
	return nil
}

var (
	accessModes = []string{"Read-Write", "Administrative", "Read", "Support User", "Non-interactive", "Delegated Admin"}
	teamTypes   = []string{"Owner", "Access", "Microsoft Entra ID Security Group", "Microsoft Entra ID Office Group"}
	memberships = []string{"Members and guests", "Members", "Owners", "Guests"}
	inheritance = []string{"Team privileges only", "Direct User (Basic) access level and Team privileges"}
	allowed     = map[int8]string{0: "Not Allowed", 1: "One Record", 3: "All Records", 4: "Allowed"}
)

var overwriteTime = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC).Unix()

// dataverseTables lists the tables of the export in load order.
func (w *writer) dataverseTables() []tableSpec {
	t := w.t
	ids := func(name string) *rng { return newRNG(t.opts.Seed, "ids/"+name) }
	nb := len(t.bus)
	// buRef and userRef are a business unit or user as a lookup's id and
	// name; a negative index (the root's parent, no manager) is a null lookup.
	buRef := func(b int32) (id, name string) {
		if b < 0 {
			return "", ""
		}
		return t.bus[b].id, t.bus[b].name
	}
	userRef := func(u int32) (id, name string) {
		if u < 0 {
			return "", ""
		}
		return t.users[u].id, t.users[u].full
	}
	// linkSpec is an intersect table, a row per link: an id of its own and
	// the ids of the two records it links, which ends gives.
	linkSpec := func(name, idCol, aCol, bCol string, links []pair, ends func(x pair) (a, b string)) tableSpec {
		rowIDs := ids(name)
		return tableSpec{name: name, rows: len(links), etag: true,
			cols: []column{{name: idCol, kind: cGUID}, {name: aCol, kind: cGUID}, {name: bCol, kind: cGUID}},
			fill: func(i int, c []cell) {
				a, b := ends(links[i])
				c[0].guid(rowIDs.guid())
				c[1].guid(a)
				c[2].guid(b)
			}}
	}

	buSpec := tableSpec{name: "businessunits", rows: nb, etag: true,
		cols: []column{{name: "businessunitid", kind: cGUID}, {name: "name", kind: cText},
			{name: "parentbusinessunitid", kind: cGUID, lookup: "businessunit"}, {name: "isdisabled", kind: cBool, label: true},
			{name: "divisionname", kind: cText}, {name: "createdon", kind: cTime, label: true}},
		fill: func(i int, c []cell) {
			b := &t.bus[i]
			c[0].guid(b.id)
			c[1].text(b.name)
			c[2].lookup(buRef(b.parent))
			c[3].boolean(false, "")
			c[4].none()
			c[5].when(b.created)
		}}

	var users []int32 // systemusers rows: every user with a Dataverse account
	for i := range t.users {
		users = append(users, int32(i))
	}
	userSpec := tableSpec{name: "systemusers", rows: len(users), etag: true,
		cols: []column{{name: "systemuserid", kind: cGUID}, {name: "domainname", kind: cText}, {name: "fullname", kind: cText},
			{name: "firstname", kind: cText}, {name: "lastname", kind: cText}, {name: "internalemailaddress", kind: cText},
			{name: "businessunitid", kind: cGUID, lookup: "businessunit"}, {name: "isdisabled", kind: cBool, label: true},
			{name: "accessmode", kind: cInt, label: true}, {name: "applicationid", kind: cGUID},
			{name: "azureactivedirectoryobjectid", kind: cGUID}, {name: "islicensed", kind: cBool, label: true},
			{name: "invitestatuscode", kind: cInt, label: true}, {name: "createdon", kind: cTime, label: true},
			{name: "parentsystemuserid", kind: cGUID, lookup: "systemuser"}, {name: "positionid", kind: cGUID, lookup: "position"},
			{name: "title", kind: cText}},
		fill: func(i int, c []cell) {
			u := &t.users[users[i]]
			c[0].guid(u.id)
			c[1].text(u.login)
			c[2].text(u.full)
			c[3].text(u.first)
			c[4].text(u.last)
			c[5].optText(u.email)
			c[6].lookup(buRef(u.bu))
			label := "Enabled"
			if u.disabled {
				label = "Disabled"
			}
			c[7].boolean(u.disabled, label)
			c[8].num(int64(u.mode), accessModes[u.mode])
			c[9].guid(u.appID)
			c[10].guid(u.aad)
			c[11].boolean(u.islicensed, "")
			invite := "Invitation Not Sent"
			if u.invite == 4 {
				invite = "Invitation Accepted"
			}
			c[12].num(int64(u.invite), invite)
			c[13].when(u.created)
			c[14].lookup(userRef(u.manager))
			c[15].none()
			c[16].optText(u.title)
		}}

	roleSpec := tableSpec{name: "roles", rows: len(t.roles) * nb, etag: true,
		cols: []column{{name: "roleid", kind: cGUID}, {name: "name", kind: cText},
			{name: "businessunitid", kind: cGUID, lookup: "businessunit"}, {name: "parentrootroleid", kind: cGUID, lookup: "role"},
			{name: "parentroleid", kind: cGUID, lookup: "role"}, {name: "roletemplateid", kind: cGUID, lookup: "roletemplate"},
			{name: "ismanaged", kind: cBool, label: true}, {name: "isinherited", kind: cInt, label: true},
			{name: "iscustomizable", kind: cManaged}, {name: "componentstate", kind: cInt, label: true},
			{name: "solutionid", kind: cGUID}, {name: "overwritetime", kind: cTime}, {name: "modifiedon", kind: cTime, label: true}},
		fill: func(i int, c []cell) {
			ro, b := &t.roles[i/nb], i%nb
			c[0].guid(ro.copies[b])
			c[1].text(ro.name)
			c[2].lookup(buRef(int32(b)))
			c[3].lookup(ro.copies[0], ro.name)
			if p := t.bus[b].parent; p >= 0 {
				c[4].lookup(ro.copies[p], ro.name)
			} else {
				c[4].none()
			}
			c[5].lookup(ro.template, "")
			c[6].boolean(ro.managed, "")
			c[7].num(int64(ro.inherited), inheritance[ro.inherited])
			c[8].boolean(ro.customizable, "")
			c[9].num(0, "Published")
			c[10].guid(ro.solution)
			c[11] = cell{i: overwriteTime}
			c[12].when(ro.changed)
		}}

	cat := t.cat
	privSpec := tableSpec{name: "privileges", rows: len(cat.privs), etag: true,
		cols: []column{{name: "privilegeid", kind: cGUID}, {name: "name", kind: cText}, {name: "accessright", kind: cInt},
			{name: "canbebasic", kind: cBool}, {name: "canbelocal", kind: cBool}, {name: "canbedeep", kind: cBool},
			{name: "canbeglobal", kind: cBool}, {name: "canbeentityreference", kind: cBool},
			{name: "canbeparententityreference", kind: cBool}},
		fill: func(i int, c []cell) {
			p := &cat.privs[i]
			c[0].guid(p.id)
			c[1].text(p.name)
			c[2].num(int64(p.right), "")
			for k := 3; k <= 5; k++ {
				c[k] = cell{b: !p.orgOnly}
			}
			c[6] = cell{b: true}
			c[7] = cell{b: p.table >= 0}
			c[8] = cell{b: p.table >= 0 && !p.orgOnly}
		}}

	otcIDs := ids("privilegeobjecttypecodes")
	otcSpec := tableSpec{name: "privilegeobjecttypecodes", rows: len(cat.privs), etag: true,
		cols: []column{{name: "privilegeobjecttypecodeid", kind: cGUID}, {name: "privilegeid", kind: cGUID, lookup: "privilege"},
			{name: "objecttypecode", kind: cText}},
		fill: func(i int, c []cell) {
			c[0].guid(otcIDs.guid())
			c[1].lookup(cat.privs[i].id, cat.privs[i].name)
			c[2].text(cat.objectTypeCode(i))
		}}

	type rp struct {
		role int32
		g    grant
	}
	var rps []rp
	for i, ro := range t.roles {
		for _, g := range ro.grants {
			rps = append(rps, rp{int32(i), g})
		}
	}
	rpIDs := ids("roleprivilegescollection")
	rpSpec := tableSpec{name: "roleprivilegescollection", rows: len(rps), etag: true,
		cols: []column{{name: "roleprivilegeid", kind: cGUID}, {name: "roleid", kind: cGUID}, {name: "privilegeid", kind: cGUID},
			{name: "privilegedepthmask", kind: cInt}},
		fill: func(i int, c []cell) {
			x := rps[i]
			c[0].guid(rpIDs.guid())
			c[1].guid(t.roles[x.role].copies[0])
			c[2].guid(cat.privs[x.g.priv].id)
			c[3].num(int64(x.g.mask), "")
		}}

	urSpec := linkSpec("systemuserrolescollection", "systemuserroleid", "systemuserid", "roleid", t.userRoles,
		func(x pair) (string, string) {
			u := &t.users[x.a]
			return u.id, t.roles[x.b].copies[u.bu]
		})

	teamSpec := tableSpec{name: "teams", rows: len(t.teams), etag: true,
		cols: []column{{name: "teamid", kind: cGUID}, {name: "name", kind: cText}, {name: "teamtype", kind: cInt, label: true},
			{name: "businessunitid", kind: cGUID, lookup: "businessunit"}, {name: "azureactivedirectoryobjectid", kind: cGUID},
			{name: "membershiptype", kind: cInt, label: true}, {name: "isdefault", kind: cBool, label: true},
			{name: "description", kind: cText}, {name: "administratorid", kind: cGUID, lookup: "systemuser"},
			{name: "createdon", kind: cTime, label: true}},
		fill: func(i int, c []cell) {
			tm := &t.teams[i]
			c[0].guid(tm.id)
			c[1].text(tm.name)
			c[2].num(int64(tm.ttype), teamTypes[tm.ttype])
			c[3].lookup(buRef(tm.bu))
			c[4].guid(tm.aad)
			if tm.membership >= 0 {
				c[5].num(int64(tm.membership), memberships[tm.membership])
			} else {
				c[5].none()
			}
			c[6].boolean(tm.isdefault, "")
			c[7].optText(tm.desc)
			c[8].lookup(userRef(tm.admin))
			c[9].when(tm.created)
		}}

	memberSpec := linkSpec("teammemberships", "teammembershipid", "teamid", "systemuserid", t.members,
		func(x pair) (string, string) { return t.teams[x.a].id, t.users[x.b].id })

	teamRoleSpec := linkSpec("teamrolescollection", "teamroleid", "teamid", "roleid", t.teamRoles,
		func(x pair) (string, string) {
			tm := &t.teams[x.a]
			return tm.id, t.roles[x.b].copies[tm.bu]
		})

	profileSpec := tableSpec{name: "fieldsecurityprofiles", rows: len(t.profiles), etag: true,
		cols: []column{{name: "fieldsecurityprofileid", kind: cGUID}, {name: "name", kind: cText},
			{name: "description", kind: cText}, {name: "ismanaged", kind: cBool}, {name: "solutionid", kind: cGUID}},
		fill: func(i int, c []cell) {
			p := &t.profiles[i]
			c[0].guid(p.id)
			c[1].text(p.name)
			c[2].optText(p.desc)
			c[3] = cell{b: p.managed}
			c[4].guid(p.solution)
		}}

	fpIDs := ids("fieldpermissions")
	permSpec := tableSpec{name: "fieldpermissions", rows: len(t.fieldPerms), etag: true,
		cols: []column{{name: "fieldpermissionid", kind: cGUID},
			{name: "fieldsecurityprofileid", kind: cGUID, lookup: "fieldsecurityprofile"},
			{name: "entityname", kind: cText}, {name: "attributelogicalname", kind: cText},
			{name: "canread", kind: cInt, label: true}, {name: "cancreate", kind: cInt, label: true},
			{name: "canupdate", kind: cInt, label: true}, {name: "canreadunmasked", kind: cInt, label: true}},
		fill: func(i int, c []cell) {
			fp := &t.fieldPerms[i]
			p := &t.profiles[fp.profile]
			c[0].guid(fpIDs.guid())
			c[1].lookup(p.id, p.name)
			c[2].text(fp.entity)
			c[3].text(fp.attr)
			for k, v := range []int8{fp.read, fp.create, fp.update, fp.unmasked} {
				c[4+k].num(int64(v), allowed[v])
			}
		}}

	userProfSpec := linkSpec("systemuserprofilescollection", "systemuserprofileid", "systemuserid", "fieldsecurityprofileid",
		t.userProfs, func(x pair) (string, string) { return t.users[x.a].id, t.profiles[x.b].id })

	teamProfSpec := linkSpec("teamprofilescollection", "teamprofileid", "teamid", "fieldsecurityprofileid",
		t.teamProfs, func(x pair) (string, string) { return t.teams[x.a].id, t.profiles[x.b].id })

	orgSpec := tableSpec{name: "organizations", rows: 1, etag: true,
		cols: []column{{name: "organizationid", kind: cGUID}, {name: "name", kind: cText}, {name: "orgdborgsettings", kind: cText},
			{name: "languagecode", kind: cInt}, {name: "createdon", kind: cTime}},
		fill: func(_ int, c []cell) {
			c[0].guid(t.orgID)
			c[1].text(t.org)
			c[2].text("<OrgSettings><EnableOwnershipAcrossBusinessUnits>false</EnableOwnershipAcrossBusinessUnits>" +
				"<AllowRoleAssignmentOnDisabledUsers>false</AllowRoleAssignmentOnDisabledUsers>" +
				"<DoNotRemoveRolesOnChangeBusinessUnit>false</DoNotRemoveRolesOnChangeBusinessUnit></OrgSettings>")
			c[3].num(1033, "")
			c[4].when(t.orgCreated)
		}}

	return []tableSpec{buSpec, userSpec, roleSpec, privSpec, otcSpec, rpSpec, urSpec, teamSpec, memberSpec, teamRoleSpec,
		profileSpec, permSpec, userProfSpec, teamProfSpec, orgSpec}
}
