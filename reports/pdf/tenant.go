package pdf

import (
	"fmt"
	"strings"

	"github.com/d365audit/d365audit/reports"
	"github.com/d365audit/d365audit/rules"
)

// A tenant run's report adds, to what a single export's says, a table of
// its environments in the executive summary, the environment of each
// finding, and a chapter across the environments.

// maxSpread is how many people the access spread lists.
const maxSpread = 20

// coverTitle names what was audited: an environment, or a tenant.
func (d *doc) coverTitle() string {
	if d.rep.IsTenant() {
		return "Tenant " + orDash(d.rep.Environment)
	}
	return "Environment " + orDash(d.rep.Environment)
}

// withEnvironments adds a tenant run's environments to the cover's facts,
// first.
func (d *doc) withEnvironments(facts [][2]string) [][2]string {
	if !d.rep.IsTenant() {
		return facts
	}
	return append([][2]string{{"Environments", fmt.Sprintf("%d: %s", len(d.rep.Environments),
		strings.Join(d.rep.EnvironmentNames(), ", "))}}, facts...)
}

// scopeSubject is what the report covers: the export, or a tenant's.
func (d *doc) scopeSubject() string {
	if d.rep.IsTenant() {
		return fmt.Sprintf("the exports of the tenant's %d environments", len(d.rep.Environments))
	}
	return "the export"
}

// environmentTable: each environment of a tenant run, its size and open
// findings by severity.
func (d *doc) environmentTable() {
	rep := d.rep
	d.heading("Environments", h3, -1, 20)
	var rows [][]string
	for _, e := range rep.Environments {
		f := e.Findings
		rows = append(rows, []string{e.Name, orDash(e.Organization), count(e.Users), count(e.Roles), count(f.Critical),
			count(f.High), count(f.Medium), count(f.Low), count(f.Info), count(f.Waived)})
	}
	d.table(makeColumns("Environment", 0.15, "Organization", 0.225, ">Users", 0.075, ">Roles", 0.075, ">Critical", 0.085,
		">High", 0.07, ">Medium", 0.095, ">Low", 0.07, ">Info", 0.07, ">Waived", 0.085), rows)
	tenantWide := 0
	for _, f := range rep.Findings {
		if f.Environment == rules.TenantScope {
			tenantWide++
		}
	}
	d.paragraph(fmt.Sprintf("%s %s the tenant as a whole (environment %s): the license review's, one set of licenses "+
		"for every environment.", count(tenantWide), plural(tenantWide, "finding concerns", "findings concern"), rules.TenantScope), muted)
	d.gap(4)
}

// subjectColumns are the columns of a rule section's subjects: with the
// environment of each in a tenant run.
func (d *doc) subjectColumns() []column {
	if d.rep.IsTenant() {
		return makeColumns("Environment", 0.135, "Subject", 0.165, "Business unit", 0.12, "Finding", 0.41, "Status", 0.17)
	}
	return makeColumns("Subject", 0.2, "Business unit", 0.13, "Finding", 0.49, "Status", 0.18)
}

// subjectRow is one finding in a rule section (see subjectColumns).
func (d *doc) subjectRow(fd rules.Finding) []string {
	row := []string{subjectLabel(fd), orDash(fd.BusinessUnit), fd.Message, findingStatus(fd)}
	if d.rep.IsTenant() {
		return append([]string{fd.Environment}, row...)
	}
	return row
}

// acrossEnvironments is a tenant run's chapter on what spans its
// environments: administrators, role drift, access spread and where people
// have users.
func (d *doc) acrossEnvironments() {
	if !d.rep.IsTenant() {
		return
	}
	d.chapter("Across environments", "5  Across environments", 30)
	d.paragraph(fmt.Sprintf("What the %d environments (%s) show together. People are linked across environments by "+
		"their Entra object ID; report.xlsx has every row (sheets %s).", len(d.rep.Environments),
		strings.Join(d.rep.EnvironmentNames(), ", "), "People x environments, Administrators, Role drift, Access spread"), body)
	d.gap(3)
	d.tenantAdministrators()
	d.roleDriftAcross()
	d.accessSpread()
	d.peopleAcross()
}

// tenantAdministrators: who is System Administrator in every environment,
// and how many are in each.
func (d *doc) tenantAdministrators() {
	admins := d.rep.Across.Admins
	d.heading("5.1  Administrators", h2, 1, 25)
	every := 0
	for _, a := range admins {
		if a.EveryEnvironment {
			every++
		}
	}
	d.paragraph(fmt.Sprintf("%s %s System Administrator as an enabled user somewhere; %s in every environment. "+
		"An administrator of every environment can change production as easily as development.",
		count(len(admins)), plural(len(admins), "person holds", "people hold"), count(every)), body)
	d.gap(1)
	var perEnv [][]string
	for _, e := range d.rep.EnvironmentNames() {
		n := 0
		for _, a := range admins {
			if reports.AdminIn(a, e) {
				n++
			}
		}
		perEnv = append(perEnv, []string{e, count(n)})
	}
	d.table(makeColumns("Environment", 0.3, ">Administrators", 0.2), perEnv)
	d.gap(2)
	var rows [][]string
	for _, a := range firstN(admins, maxList) {
		rows = append(rows, []string{orDash(a.Person), orDash(a.DomainName), strings.Join(a.Environments, ", "), yesNo(a.EveryEnvironment)})
	}
	d.listTable(makeColumns("Name", 0.24, "Sign-in name", 0.36, "Administrator in", 0.26, "Every environment", 0.14), rows,
		len(admins), "Administrators")
}

// roleDriftAcross: each role of the same name whose privileges differ between
// environments, with how many privileges differ.
func (d *doc) roleDriftAcross() {
	roles := reports.DriftByRole(d.rep.Across.Drift)
	if !d.acrossSection("5.2  Role drift", len(roles), "No role of the same name has different privileges in different environments.",
		fmt.Sprintf("%s of the same name %s different privileges or depths in different environments: "+
			"what was tested in one environment is not what runs in another. report.xlsx (sheet Role drift) has each "+
			"privilege's depth per environment.", count(len(roles)), plural(len(roles), "role has", "roles have"))) {
		return
	}
	var rows [][]string
	for _, r := range firstN(roles, maxList) {
		origin := "out-of-box"
		if r.Custom {
			origin = "custom"
		}
		rows = append(rows, []string{r.Role, origin, count(r.Privileges), count(r.Environments)})
	}
	d.listTable(makeColumns("Role", 0.5, "Origin", 0.16, ">Privileges differing", 0.18, ">Environments", 0.16), rows,
		len(roles), "Role drift")
}

// accessSpread: the people whose access differs most between two of their
// environments.
func (d *doc) accessSpread() {
	spread := d.rep.Across.Spread
	if !d.acrossSection("5.3  Access spread", len(spread), "Nobody's effective access differs between their environments.",
		fmt.Sprintf("%s %s different effective access in two of their environments. The %s that differ most, "+
			"counted in cells (table and privilege) whose depth differs between the pair of their environments that differs "+
			"most. Much more access in production than in test deserves a question.",
			count(len(spread)), plural(len(spread), "person has", "people have"), count(min(len(spread), maxSpread)))) {
		return
	}
	var rows [][]string
	for _, s := range firstN(spread, maxSpread) {
		rows = append(rows, []string{orDash(s.Person), orDash(s.DomainName), s.EnvA + " / " + s.EnvB, thousands(s.Cells)})
	}
	d.listTable(makeColumns("Name", 0.24, "Sign-in name", 0.38, "Environments", 0.22, ">Cells differing", 0.16), rows,
		len(spread), "Access spread")
}

// acrossSection starts a section of the chapter across environments: its
// heading, then intro, or none when it has no rows (n 0, and false: the
// section ends there).
func (d *doc) acrossSection(title string, n int, none, intro string) bool {
	d.heading(title, h2, 1, 25)
	if n == 0 {
		d.paragraph(none, body)
		d.gap(4)
		return false
	}
	d.paragraph(intro, body)
	d.gap(1)
	return true
}

// listTable draws the first rows of a list of total, and says on which
// sheet of report.xlsx the rest is.
func (d *doc) listTable(cols []column, rows [][]string, total int, sheet string) {
	if len(rows) > 0 {
		d.table(cols, rows)
	}
	if more := total - len(rows); more > 0 {
		d.paragraph(andMore(more, "report.xlsx, sheet "+sheet), smallB)
	}
	d.gap(4)
}

// peopleAcross counts, per environment, the people with a user there and
// what the user can do; and how many people have users in every
// environment or in only one.
func (d *doc) peopleAcross() {
	people := reports.PeopleAcross(d.rep.Across.People)
	envs := d.rep.EnvironmentNames()
	d.heading("5.4  People x environments", h2, 1, 25)
	every, one := 0, 0
	for _, p := range people {
		switch len(p.In) {
		case len(envs):
			every++
		case 1:
			one++
		}
	}
	d.paragraph(fmt.Sprintf("%s %s with an Entra object ID: %s with a user in every environment, %s in only one. "+
		"report.xlsx (sheet People x environments) lists each person's roles per environment.",
		count(len(people)), plural(len(people), "person", "people"), count(every), count(one)), body)
	d.gap(1)
	var rows [][]string
	for _, e := range envs {
		var users, roles, noRole, disabled int
		for _, p := range people {
			switch p.Presence(e) {
			case "no user":
				continue
			case "disabled":
				disabled++
			case "no role":
				noRole++
			default:
				roles++
			}
			users++
		}
		rows = append(rows, []string{e, count(users), count(roles), count(noRole), count(disabled), count(len(people) - users)})
	}
	d.table(makeColumns("Environment", 0.22, ">People with a user", 0.17, ">Enabled, with roles", 0.17,
		">Enabled, no role", 0.15, ">Disabled", 0.12, ">No user", 0.17), rows)
	d.gap(4)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
