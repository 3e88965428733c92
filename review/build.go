package review

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Options says how to make a campaign.
type Options struct {
	Run string // the run's output directory
	Out string // the campaign directory (created)
	// By is ByManager (the default) or ByBusinessUnit.
	By        string
	Reviewers Reviewers
	// Due is the date decisions are due, YYYY-MM-DD; default the run's
	// as-of date plus 30 days.
	Due string
	// ID is the campaign id; default one derived from the inputs.
	ID string
	// Previous is a previous campaign's directory, or collect's result
	// directory of one (campaign.json with decisions.csv beside it).
	Previous string
	// TmpDir holds the workbooks' large parts while they are written.
	TmpDir string
}

// Build reads the run and makes the campaign, without writing anything.
func Build(ctx context.Context, o Options) (*Campaign, error) {
	if o.By == "" {
		o.By = ByManager
	}
	if o.By != ByManager && o.By != ByBusinessUnit {
		return nil, badInput("--by %q: expected manager or businessunit", o.By)
	}
	rf, err := readRun(ctx, o.Run)
	if err != nil {
		return nil, err
	}
	if o.Due == "" {
		asOf, err := time.Parse("2006-01-02", rf.ref.AsOf)
		if err != nil {
			return nil, badInput("%s: as_of %q is not a date", o.Run, rf.ref.AsOf)
		}
		o.Due = asOf.AddDate(0, 0, 30).Format("2006-01-02")
	} else if _, err := time.Parse("2006-01-02", o.Due); err != nil {
		return nil, badInput("--due %q: expected YYYY-MM-DD", o.Due)
	}
	var prev *previous
	if o.Previous != "" {
		if prev, err = readPrevious(o.Previous); err != nil {
			return nil, err
		}
	}
	if o.ID == "" {
		h := sha256.New()
		fmt.Fprintf(h, "run %s\nby %s\ndue %s\n", rf.ref.Fingerprint, o.By, o.Due)
		units := make([]string, 0, len(o.Reviewers))
		for bu := range o.Reviewers {
			units = append(units, bu)
		}
		sort.Strings(units)
		for _, bu := range units {
			fmt.Fprintf(h, "reviewer %q %q\n", bu, o.Reviewers[bu])
		}
		if prev != nil {
			fmt.Fprintf(h, "previous %s\n", prev.c.ID)
		}
		o.ID = "AR-" + strings.ReplaceAll(rf.ref.AsOf, "-", "") + "-" + strings.ToUpper(hex.EncodeToString(h.Sum(nil))[:10])
	}
	c := &Campaign{SchemaVersion: SchemaVersion, ID: o.ID, By: o.By, Due: o.Due, Run: rf.ref,
		Items: []Item{}, Reviewers: []ReviewerFile{}, Removed: []RemovedSinceRef{}, Warnings: []string{}}
	for _, bu := range rf.unknownUnits(o.Reviewers) {
		c.Warnings = append(c.Warnings, fmt.Sprintf("--reviewers names business unit %q, which the run does not have", bu))
	}
	for _, h := range rf.holders {
		u := rf.users[h.systemUserID]
		it := Item{
			ID:           itemID(h.systemUserID, h.rootRoleID, h.via, h.teamID),
			SystemUserID: h.systemUserID, DomainName: u.domainName, Person: u.fullName,
			BusinessUnit: rf.bus[u.buID].name, Role: h.role, RoleID: h.roleID, Held: "direct",
			TeamID: h.teamID, Admin: h.admin, HighRisk: h.highRisk, Findings: u.findings,
			LastSignIn: u.lastSignIn, License: u.license,
		}
		if h.via == "team" {
			it.Held = "team " + h.team
		}
		it.Reviewer = rf.reviewer(o, u)
		c.Items = append(c.Items, it)
	}
	sort.SliceStable(c.Items, func(i, j int) bool {
		a, b := &c.Items[i], &c.Items[j]
		if a.Reviewer != b.Reviewer {
			return a.Reviewer < b.Reviewer
		}
		if a.Person != b.Person {
			return a.Person < b.Person
		}
		if a.DomainName != b.DomainName {
			return a.DomainName < b.DomainName
		}
		if a.Role != b.Role {
			return a.Role < b.Role
		}
		if a.Held != b.Held {
			return a.Held < b.Held
		}
		return a.ID < b.ID
	})
	// Two copies of one root role held the same way are one item.
	seen := map[string]bool{}
	items := c.Items[:0]
	for _, it := range c.Items {
		if !seen[it.ID] {
			seen[it.ID] = true
			items = append(items, it)
		}
	}
	c.Items = items
	if prev != nil {
		c.Previous = &PreviousRef{ID: prev.c.ID, RunAsOf: prev.c.Run.AsOf, Decisions: prev.decisions != nil}
		c.compare(prev)
		if prev.c.Run.Environment != c.Run.Environment {
			c.Warnings = append(c.Warnings, fmt.Sprintf("the previous campaign %s reviewed environment %s, this one %s",
				prev.c.ID, prev.c.Run.Environment, c.Run.Environment))
		}
		if prev.c.Run.AsOf > c.Run.AsOf {
			c.Warnings = append(c.Warnings, fmt.Sprintf("the previous campaign %s is of a later run (as of %s) than this one (%s)",
				prev.c.ID, prev.c.Run.AsOf, c.Run.AsOf))
		}
	}
	files := map[string]string{} // lower-case file name -> reviewer
	for i := range c.Items {
		it := &c.Items[i]
		it.Hash = rowHash(c.ID, it.facts())
		n := len(c.Reviewers)
		if n == 0 || c.Reviewers[n-1].Reviewer != it.Reviewer {
			name := fileName(it.Reviewer)
			for k := 2; files[strings.ToLower(name)] != ""; k++ {
				name = strings.TrimSuffix(fileName(it.Reviewer), ".xlsx") + fmt.Sprintf(" (%d).xlsx", k)
			}
			files[strings.ToLower(name)] = it.Reviewer
			c.Reviewers = append(c.Reviewers, ReviewerFile{Reviewer: it.Reviewer, File: name})
			n++
		}
		c.Reviewers[n-1].Items++
	}
	return c, nil
}

// reviewer is who reviews u's roles: never u.
func (rf *runFacts) reviewer(o Options, u userFacts) string {
	if o.By == ByManager {
		if m, ok := rf.users[u.managerID]; ok && u.managerID != u.id && !m.disabled && m.domainName != "" {
			return m.domainName
		}
		if r := rf.owner(o.Reviewers, u.buID, u.domainName); r != "" {
			return r
		}
		return Unassigned
	}
	if len(o.Reviewers) == 0 {
		// No mapping: a workbook per business unit, for its owner.
		if b, ok := rf.bus[u.buID]; ok {
			return b.name
		}
		return Unassigned
	}
	if r := rf.owner(o.Reviewers, u.buID, u.domainName); r != "" {
		return r
	}
	return Unassigned
}

// previous is a previous campaign and, when collect's decisions.csv is
// beside it, its decisions by item.
type previous struct {
	c         *Campaign
	decisions map[string]string
}

func readPrevious(dir string) (*previous, error) {
	c, err := ReadCampaign(dir)
	if err != nil {
		return nil, err
	}
	p := &previous{c: c}
	f, err := os.Open(filepath.Join(dir, DecisionsFile))
	if errors.Is(err, os.ErrNotExist) {
		return p, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	head, err := r.Read()
	if err != nil {
		return nil, badInput("%s: %v", filepath.Join(dir, DecisionsFile), err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	ic, ok1 := col["item"]
	dc, ok2 := col["decision"]
	if !ok1 || !ok2 {
		return nil, badInput("%s: no item and decision columns", filepath.Join(dir, DecisionsFile))
	}
	p.decisions = map[string]string{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, badInput("%s: %v", filepath.Join(dir, DecisionsFile), err)
		}
		if ic < len(rec) && dc < len(rec) {
			p.decisions[rec[ic]] = rec[dc]
		}
	}
	return p, nil
}

// compare fills each item's change since the previous campaign, and the
// previous items the run no longer shows.
func (c *Campaign) compare(p *previous) {
	old := make(map[string]*Item, len(p.c.Items))
	for i := range p.c.Items {
		old[p.c.Items[i].ID] = &p.c.Items[i]
	}
	now := make(map[string]bool, len(c.Items))
	for i := range c.Items {
		it := &c.Items[i]
		now[it.ID] = true
		o, ok := old[it.ID]
		if !ok {
			it.Change = "new"
			continue
		}
		var notes []string
		if p.decisions[it.ID] == strings.ToLower(Revoke) {
			notes = append(notes, "revoked in "+p.c.ID+", still held")
		}
		if o.HighRisk != it.HighRisk || o.Admin != it.Admin {
			notes = append(notes, "role risk changed")
		}
		if o.BusinessUnit != it.BusinessUnit {
			notes = append(notes, "moved from "+o.BusinessUnit)
		}
		it.Change = strings.Join(notes, "; ")
		if it.Change == "" {
			it.Change = "unchanged"
		}
	}
	for _, o := range p.c.Items {
		if !now[o.ID] {
			d := p.decisions[o.ID]
			c.Removed = append(c.Removed, RemovedSinceRef{ID: o.ID, Person: o.Person, Role: o.Role, Held: o.Held, Decision: d})
		}
	}
}

// ReadCampaign reads campaign.json in dir.
func ReadCampaign(dir string) (*Campaign, error) {
	path := filepath.Join(dir, CampaignFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, badInput("%s: not a campaign directory (no %s)", dir, CampaignFile)
	}
	var c Campaign
	if err := json.Unmarshal(b, &c); err != nil || c.SchemaVersion == 0 || c.ID == "" {
		return nil, badInput("%s: not a campaign.json of d365audit review", path)
	}
	return &c, nil
}
