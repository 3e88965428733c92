package pdf

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/d365audit/d365audit/queries/reportdata"
)

// The access highlights of report.pdf: a summary, never the matrix.

// accessHighlights: who holds the most power, and how varied access is.
// The full matrix is in access.parquet and report.xlsx; this is a summary.
func (d *doc) accessHighlights() {
	rep := d.rep
	d.chapter("Access highlights", "4  Access highlights", 30)

	var enabled, disabled, apps int
	for _, u := range rep.Users {
		switch {
		case u.Disabled:
			disabled++
		case u.Application:
			apps++
		default:
			enabled++
		}
	}
	largest, single := profileSpread(rep.Users)
	d.keyValues([][2]string{
		{"Users", fmt.Sprintf("%s: %s enabled, %s disabled, %s enabled application users", count(len(rep.Users)),
			count(enabled), count(disabled), count(apps))},
		{"Access profiles", fmt.Sprintf("%s distinct sets of effective access among %s users; the largest is shared by %s %s, "+
			"and %s %s an access profile of their own", thousands(rep.AccessProfiles), count(len(rep.Users)),
			count(largest), plural(largest, "user", "users"), count(single), plural(single, "user has", "users have"))},
	}, 38, body)
	d.paragraph("Many distinct profiles for few users means access was granted case by case rather than by role design, "+
		"which makes it hard to review.", muted)
	d.gap(4)

	d.systemAdministrators()
	d.highRiskHolders()
	d.teamGrantedRoles()
}

// profileSpread returns the size of the largest access profile and the
// number of users alone in theirs.
func profileSpread(users []reportdata.UserRow) (largest, single int) {
	sizes := map[int64]int{}
	for _, u := range users {
		if u.ProfileID != 0 {
			sizes[u.ProfileID]++
		}
	}
	for _, n := range sizes {
		if n > largest {
			largest = n
		}
		if n == 1 {
			single++
		}
	}
	return largest, single
}

// holds reports how a user holds a role: directly, through which teams.
func holds(u reportdata.UserRow, role string) (direct bool, teams []string) {
	prefix := strings.ToLower(role) + "@"
	for _, r := range u.DirectRoles {
		if strings.HasPrefix(strings.ToLower(r), prefix) {
			direct = true
		}
	}
	for _, r := range u.TeamRoles {
		if strings.HasPrefix(strings.ToLower(r), prefix) {
			if i := strings.Index(r, " via team:"); i >= 0 {
				teams = append(teams, r[i+len(" via team:"):])
			}
		}
	}
	return direct, teams
}

func userStatus(u reportdata.UserRow) string {
	var parts []string
	switch {
	case u.Disabled:
		parts = append(parts, "Disabled")
	case u.Application:
		parts = append(parts, "Application user")
	default:
		parts = append(parts, "Enabled")
	}
	if u.AccessMode != 0 {
		parts = append(parts, reportdata.AccessModeName(u.AccessMode)+" access mode")
	}
	return strings.Join(parts, ", ")
}

func (d *doc) systemAdministrators() {
	var rows [][]string
	var n, people int
	var customizers []string
	for _, u := range d.rep.Users {
		if direct, teams := holds(u, "System Customizer"); direct || len(teams) > 0 {
			customizers = append(customizers, displayName(u))
		}
		direct, teams := holds(u, "System Administrator")
		if !direct && len(teams) == 0 {
			continue
		}
		n++
		if !u.Application && !u.Disabled {
			people++
		}
		if len(rows) < maxList {
			var how []string
			if direct {
				how = append(how, "directly")
			}
			for _, t := range teams {
				how = append(how, "team "+t)
			}
			rows = append(rows, []string{displayName(u), u.DomainName, strings.Join(how, "; "), userStatus(u)})
		}
	}
	d.heading("System Administrators", h2, 1, 25)
	if n == 0 {
		d.paragraph("Nobody holds System Administrator in this export.", body)
	} else {
		d.paragraph(fmt.Sprintf("%s %s System Administrator, %s of them enabled %s. System Administrators hold every privilege "+
			"and are exempt from the high-risk privilege rule; ADMIN_EXCESS compares their number with the policy.",
			count(n), plural(n, "account holds", "accounts hold"), count(people), plural(people, "person", "people")), body)
		d.gap(1)
		d.table(makeColumns("Name", 0.22, "Sign-in name", 0.38, "Holds it", 0.19, "Status", 0.21), rows)
		if more := n - len(rows); more > 0 {
			d.paragraph(andMore(more, "report.xlsx, sheet Users"), smallB)
		}
	}
	if len(customizers) > 0 {
		shown := firstN(customizers, maxList)
		text := fmt.Sprintf("System Customizer is held by %s: %s", count(len(customizers)), strings.Join(shown, ", "))
		if more := len(customizers) - len(shown); more > 0 {
			text += ", " + andMore(more, "report.xlsx, sheet Users")
		}
		d.paragraph(text+".", body)
	}
	d.gap(4)
}

func displayName(u reportdata.UserRow) string {
	if strings.TrimSpace(u.FullName) != "" {
		return u.FullName
	}
	return u.DomainName
}

// highRiskHolders groups the PRIV_HIGH_RISK findings by person.
func (d *doc) highRiskHolders() {
	d.heading("Holders of high-risk privileges", h2, 1, 25)
	if why, ok := d.facts.notEval["PRIV_HIGH_RISK"]; ok {
		d.paragraph("Not assessed: PRIV_HIGH_RISK was not evaluated ("+why+").", body)
		d.gap(4)
		return
	}
	if _, ok := d.facts.rules["PRIV_HIGH_RISK"]; !ok && d.facts.tallies["PRIV_HIGH_RISK"] == nil {
		d.paragraph("Not assessed: the rule catalogue of this run has no PRIV_HIGH_RISK rule.", body)
		d.gap(4)
		return
	}
	type holder struct {
		name, bu     string
		privs, via   []string
		open, waived int
	}
	var order []string
	byID := map[string]*holder{}
	for _, f := range d.rep.Findings {
		if f.Rule != "PRIV_HIGH_RISK" {
			continue
		}
		h := byID[f.SubjectID]
		if h == nil {
			h = &holder{name: f.SubjectName, bu: f.BusinessUnit}
			byID[f.SubjectID] = h
			order = append(order, f.SubjectID)
		}
		var ev struct {
			Privilege string `json:"privilege"`
			Depth     string `json:"depth"`
			Sources   string `json:"sources"`
		}
		_ = json.Unmarshal(f.Evidence, &ev) // the message stands in for missing evidence
		priv := ev.Privilege
		if priv == "" {
			priv = f.Message
		}
		if ev.Depth != "" {
			priv += " (" + ev.Depth + ")"
		}
		h.privs = append(h.privs, priv)
		for _, s := range strings.Split(ev.Sources, "; ") {
			if s != "" && !contains(h.via, s) {
				h.via = append(h.via, s)
			}
		}
		if f.Waived {
			h.waived++
		} else {
			h.open++
		}
	}
	if len(order) == 0 {
		d.paragraph("Nobody other than a System Administrator holds a privilege of the policy's high-risk list.", body)
		d.gap(4)
		return
	}
	d.paragraph(fmt.Sprintf("%s %s other than System Administrators %s a privilege of the policy's high-risk list "+
		"(PRIV_HIGH_RISK, section 2).", count(len(order)), plural(len(order), "person", "people"),
		plural(len(order), "holds", "hold")), body)
	d.gap(1)
	var rows [][]string
	for _, id := range order {
		if len(rows) == maxList {
			break
		}
		h := byID[id]
		status := "Open"
		if h.waived > 0 && h.open == 0 {
			status = "Waived"
		} else if h.waived > 0 {
			status = fmt.Sprintf("%d open, %d waived", h.open, h.waived)
		}
		rows = append(rows, []string{h.name, orDash(h.bu), strings.Join(h.privs, "; "), strings.Join(h.via, "; "), status})
	}
	d.table(makeColumns("Person", 0.18, "Business unit", 0.13, "High-risk privileges", 0.3, "Granted by", 0.29, "Status", 0.1), rows)
	if more := len(order) - len(rows); more > 0 {
		d.paragraph(andMore(more, "report.xlsx, sheet Findings"), smallB)
	}
	d.gap(4)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// teamGrantedRoles lists the users who get roles through team membership:
// that access does not show on the user's own record in the admin center,
// so it is the access most easily missed in a review.
func (d *doc) teamGrantedRoles() {
	d.heading("Roles granted through teams", h2, 1, 25)
	var rows [][]string
	n := 0
	for _, u := range d.rep.Users {
		if len(u.TeamRoles) == 0 {
			continue
		}
		n++
		if len(rows) < maxList {
			rows = append(rows, []string{displayName(u), orDash(u.BusinessUnit), strings.Join(u.TeamRoles, "\n"), userStatus(u)})
		}
	}
	if n == 0 {
		d.paragraph("No user holds a role through a team.", body)
		return
	}
	d.paragraph(fmt.Sprintf("%s %s a security role through team membership. Such access does not show on the user's own "+
		"record; review team membership with the same care as direct role assignment.", count(n),
		plural(n, "user holds", "users hold")), body)
	d.gap(1)
	d.table(makeColumns("User", 0.22, "Business unit", 0.15, "Role@business unit via team", 0.45, "Status", 0.18), rows)
	if more := n - len(rows); more > 0 {
		d.paragraph(andMore(more, "report.xlsx, sheet Users"), smallB)
	}
}
