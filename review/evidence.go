package review

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/d365audit/d365audit/reports/pdf"
	"github.com/d365audit/d365audit/reports/tabular"
)

// WriteResults writes the evidence of a collected campaign into dir:
// decisions.csv, revocations.csv, review.pdf, and a copy of campaign.json
// (so that dir can be the next campaign's --previous).
func WriteResults(res *Results, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	writers := []struct {
		name  string
		write func(io.Writer) error
	}{
		{DecisionsFile, res.writeDecisions},
		{RevocationsFile, res.writeRevocations},
		{EvidenceFile, res.writePDF},
		{CampaignFile, func(w io.Writer) error { return writeJSON(w, res.Campaign) }},
	}
	for _, wr := range writers {
		if err := atomicWrite(dir, wr.name, wr.write); err != nil {
			return err
		}
	}
	return nil
}

func csvWrite(w io.Writer, head []string, rows [][]string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, row := range rows {
		for i := range row {
			row[i] = tabular.SafeCell(row[i])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// decisionWord is the decision as the CSV files write it.
func decisionWord(d string) string { return strings.ToLower(d) }

func (res *Results) writeDecisions(w io.Writer) error {
	rows := make([][]string, 0, len(res.Decisions))
	for _, d := range res.Decisions {
		it := d.Item
		file, sum := "", ""
		if d.From != nil {
			file, sum = d.From.Name, d.From.SHA256
		}
		rows = append(rows, []string{it.ID, it.Person, it.DomainName, it.BusinessUnit, it.Role, it.Held,
			it.Reviewer, decisionWord(d.Decision), d.Comment, file, sum})
	}
	return csvWrite(w, []string{"item", "person", "domainname", "businessunit", "role", "held", "reviewer",
		"decision", "comment", "file", "file_sha256"}, rows)
}

// Revocation is one removal an administrator must make.
type Revocation struct {
	Decision
	// How is the removal: "remove the role from the user" or "remove the
	// user from team NAME".
	How string
	// TeamOnly is set when the role comes through a team: it cannot be taken
	// from one member, only the membership can.
	TeamOnly bool
	// AlsoRemoves are the person's other roles from the same team, which
	// leaving the team takes away too (with their decisions).
	AlsoRemoves []string
	// StillHeld are the other ways the person holds the same role, which
	// this removal leaves in place.
	StillHeld []string
}

// Revocations are the items decided Revoke, in campaign order.
func (res *Results) Revocations() []Revocation {
	type key struct{ user, role string }
	ways := map[key][]*Decision{}
	teamRoles := map[key][]*Decision{} // user, team id
	for i := range res.Decisions {
		d := &res.Decisions[i]
		ways[key{d.Item.SystemUserID, d.Item.Role}] = append(ways[key{d.Item.SystemUserID, d.Item.Role}], d)
		if d.Item.TeamID != "" {
			teamRoles[key{d.Item.SystemUserID, d.Item.TeamID}] = append(teamRoles[key{d.Item.SystemUserID, d.Item.TeamID}], d)
		}
	}
	var out []Revocation
	for _, d := range res.Decisions {
		if d.Decision != Revoke {
			continue
		}
		it := d.Item
		r := Revocation{Decision: d, How: "remove the role from the user"}
		if it.TeamID != "" {
			r.TeamOnly = true
			r.How = "remove the user from team " + strings.TrimPrefix(it.Held, "team ")
			for _, o := range teamRoles[key{it.SystemUserID, it.TeamID}] {
				if o.Item.ID != it.ID {
					r.AlsoRemoves = append(r.AlsoRemoves, o.Item.Role+" ("+decisionWord(o.Decision)+")")
				}
			}
		}
		for _, o := range ways[key{it.SystemUserID, it.Role}] {
			if o.Item.ID != it.ID && o.Decision != Revoke {
				r.StillHeld = append(r.StillHeld, o.Item.Held+" ("+decisionWord(o.Decision)+")")
			}
		}
		sort.Strings(r.AlsoRemoves)
		sort.Strings(r.StillHeld)
		out = append(out, r)
	}
	return out
}

func (res *Results) writeRevocations(w io.Writer) error {
	var rows [][]string
	for _, r := range res.Revocations() {
		it := r.Item
		via, team := "direct", ""
		if r.TeamOnly {
			via, team = "team", strings.TrimPrefix(it.Held, "team ")
		}
		rows = append(rows, []string{it.Person, it.DomainName, it.BusinessUnit, it.Role, via, team, r.How,
			yesNo(r.TeamOnly), strings.Join(r.AlsoRemoves, "; "), strings.Join(r.StillHeld, "; "),
			it.Reviewer, r.Comment, it.ID})
	}
	return csvWrite(w, []string{"person", "domainname", "businessunit", "role", "held", "team", "how",
		"needs_team_removal", "team_removal_also_removes", "still_held_through", "reviewer", "comment", "item"}, rows)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// ReviewerStatus is one reviewer's progress.
type ReviewerStatus struct {
	ReviewerFile
	Kept, Revoked, Undecided int
	Returned                 *Returned
}

// Status is "completed" (every item decided), "outstanding" (returned with
// items undecided) or "not returned".
func (s ReviewerStatus) Status() string {
	switch {
	case s.Returned == nil:
		return "not returned"
	case s.Undecided > 0:
		return "outstanding"
	}
	return "completed"
}

// Reviewers are the reviewers' progress, in the campaign's order.
func (res *Results) Reviewers() []ReviewerStatus {
	idx := map[string]int{}
	out := make([]ReviewerStatus, len(res.Campaign.Reviewers))
	for i, rv := range res.Campaign.Reviewers {
		idx[rv.Reviewer] = i
		out[i].ReviewerFile = rv
	}
	for _, r := range res.Returned {
		out[idx[r.Reviewer]].Returned = r
	}
	for _, d := range res.Decisions {
		s := &out[idx[d.Item.Reviewer]]
		switch d.Decision {
		case Keep:
			s.Kept++
		case Revoke:
			s.Revoked++
		default:
			s.Undecided++
		}
	}
	return out
}

// Counts are the campaign's totals.
func (res *Results) Counts() (kept, revoked, undecided int) {
	for _, d := range res.Decisions {
		switch d.Decision {
		case Keep:
			kept++
		case Revoke:
			revoked++
		default:
			undecided++
		}
	}
	return
}

func (res *Results) writePDF(w io.Writer) error {
	c := res.Campaign
	created, err := time.Parse(time.RFC3339, c.Run.GeneratedAt)
	if err != nil {
		created, _ = time.Parse("2006-01-02", c.Run.AsOf)
	}
	doc, err := pdf.NewDocument(pdf.DocumentInfo{
		Title:       "User access review " + c.ID + ": " + c.Run.Environment,
		Subject:     "Evidence of the user access review of " + c.Run.Environment + " as of " + c.Run.AsOf,
		ToolVersion: c.Run.ToolVersion,
		Header:      "Access review " + c.ID,
		Footer:      fmt.Sprintf("%s · campaign %s · run %s", c.Run.Environment, c.ID, short(c.Run.Fingerprint)),
		Created:     created,
	})
	if err != nil {
		return err
	}
	kept, revoked, undecided := res.Counts()
	statuses := res.Reviewers()
	done := 0
	for _, s := range statuses {
		if s.Status() == "completed" {
			done++
		}
	}
	doc.Title("User access review " + c.ID)
	doc.KeyValues([][2]string{
		{"Environment", c.Run.Environment},
		{"Access as of", c.Run.AsOf + " (the audit run the campaign was made from)"},
		{"Decisions due", c.Due},
		{"Reviewers by", map[string]string{ByManager: "manager (the user's manager, else the business unit's owner)", ByBusinessUnit: "business unit owner"}[c.By]},
		{"Items", fmt.Sprintf("%d: %d kept, %d revoked, %d undecided", len(c.Items), kept, revoked, undecided)},
		{"Reviewers", fmt.Sprintf("%d: %d completed, %d workbooks returned", len(statuses), done, len(res.Returned))},
		{"Campaign id", c.ID},
		{"Run fingerprint", c.Run.Fingerprint},
		{"Input fingerprint", c.Run.InputFingerprint},
		{"Findings SHA-256", c.Run.FindingsSHA256},
		{"Rule set, tool", c.Run.RuleSetVersion + ", d365audit " + c.Run.ToolVersion},
	})
	doc.Muted("The run fingerprint is the SHA-256 of the lines \"inputs <input fingerprint>\" and \"findings.json <SHA-256>\"; the input " +
		"fingerprint is report.pdf's (the SHA-256 of the run's input manifest). Every returned workbook was checked against campaign.json: " +
		"it names this campaign, and every row's facts (person, role, how held, risk, sign-in, license) are the ones sent. A decision is " +
		"counted only from such a workbook.")
	if c.Previous != nil {
		doc.Paragraph(fmt.Sprintf("Compared with campaign %s (access as of %s): %d items of it are no longer held.",
			c.Previous.ID, c.Previous.RunAsOf, len(c.Removed)))
	}

	doc.Heading("Reviewers", 1)
	var rows [][]string
	for _, s := range statuses {
		rows = append(rows, []string{s.Reviewer, fmt.Sprint(s.Items), fmt.Sprint(s.Kept), fmt.Sprint(s.Revoked),
			fmt.Sprint(s.Undecided), s.Status()})
	}
	doc.Table([]pdf.DocColumn{{Head: "Reviewer", Width: 0.38}, {Head: "Items", Width: 0.09}, {Head: "Kept", Width: 0.09},
		{Head: "Revoked", Width: 0.11}, {Head: "Undecided", Width: 0.13}, {Head: "Status", Width: 0.20}}, rows)

	doc.Heading(fmt.Sprintf("Revocations (%d)", revoked), 1)
	revs := res.Revocations()
	if len(revs) == 0 {
		doc.Paragraph("No item was revoked.")
	} else {
		doc.Muted("revocations.csv lists the same for the administrator. A role held through a team cannot be taken from one member: " +
			"the person must leave the team, which takes every role the team gives.")
		rows = rows[:0]
		for _, r := range revs {
			it := r.Item
			how := r.How
			if len(r.AlsoRemoves) > 0 {
				how += "; also removes " + strings.Join(r.AlsoRemoves, ", ")
			}
			if len(r.StillHeld) > 0 {
				how += "; still held as " + strings.Join(r.StillHeld, ", ")
			}
			rows = append(rows, []string{it.Person, it.BusinessUnit, it.Role, it.Held, how, it.Reviewer, r.Comment})
		}
		doc.Table([]pdf.DocColumn{{Head: "Person", Width: 0.15}, {Head: "Business unit", Width: 0.12}, {Head: "Role", Width: 0.16},
			{Head: "Held", Width: 0.14}, {Head: "To remove", Width: 0.19}, {Head: "Reviewer", Width: 0.12}, {Head: "Comment", Width: 0.12}}, rows)
	}

	doc.Heading(fmt.Sprintf("Undecided items (%d)", undecided), 1)
	if undecided == 0 {
		doc.Paragraph("Every item has a decision.")
	} else {
		rows = rows[:0]
		for _, d := range res.Decisions {
			if d.Decision == Keep || d.Decision == Revoke {
				continue
			}
			why := "no decision in the returned workbook"
			if d.From == nil {
				why = "workbook not returned"
			}
			it := d.Item
			rows = append(rows, []string{it.ID, it.Person, it.Role, it.Held, it.Reviewer, why})
		}
		doc.Table([]pdf.DocColumn{{Head: "Item", Width: 0.16, Small: true}, {Head: "Person", Width: 0.16}, {Head: "Role", Width: 0.18},
			{Head: "Held", Width: 0.14}, {Head: "Reviewer", Width: 0.18}, {Head: "Why", Width: 0.18}}, rows)
	}

	if len(c.Removed) > 0 {
		doc.Heading(fmt.Sprintf("No longer held since campaign %s (%d)", c.Previous.ID, len(c.Removed)), 1)
		rows = rows[:0]
		for _, r := range c.Removed {
			rows = append(rows, []string{r.ID, r.Person, r.Role, r.Held, orDash(r.Decision)})
		}
		doc.Table([]pdf.DocColumn{{Head: "Item", Width: 0.16, Small: true}, {Head: "Person", Width: 0.22}, {Head: "Role", Width: 0.24},
			{Head: "Held", Width: 0.2}, {Head: "Decision then", Width: 0.18}}, rows)
	}

	doc.Heading("Workbooks received", 1)
	if len(res.Returned) == 0 {
		doc.Paragraph("None.")
	} else {
		rows = rows[:0]
		for _, r := range res.Returned {
			rows = append(rows, []string{r.Name, r.Reviewer, fmt.Sprint(r.Rows), r.SHA256})
		}
		doc.Table([]pdf.DocColumn{{Head: "File", Width: 0.22}, {Head: "Reviewer", Width: 0.22}, {Head: "Rows", Width: 0.08},
			{Head: "SHA-256", Width: 0.48, Small: true}}, rows)
	}
	return doc.Write(w)
}

func short(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
