package xlsx

import (
	"fmt"
	"sort"
	"strings"

	"github.com/d365audit/d365audit/reports"
	"github.com/d365audit/d365audit/rules"
	"github.com/xuri/excelize/v2"
)

// cursor writes the Summary row by row, as the streamed sheets are
// written, but through the ordinary API so that charts can sit beside it.
type cursor struct {
	wb    *workbook
	sheet string
	row   int
}

// line writes cells from column A on the next row: a string value through
// setText (text, never a formula), anything else as a number.
func (c *cursor) line(cells ...excelize.Cell) error {
	c.row++
	for i, cell := range cells {
		ref, err := excelize.CoordinatesToCellName(i+1, c.row)
		if err != nil {
			return err
		}
		switch v := cell.Value.(type) {
		case nil:
			if err := c.wb.setStyle(c.sheet, ref, cell.StyleID); err != nil {
				return err
			}
		case string:
			if err := c.wb.setText(c.sheet, ref, v, cell.StyleID); err != nil {
				return err
			}
		default:
			if err := c.wb.setNum(c.sheet, ref, v, cell.StyleID); err != nil {
				return err
			}
		}
	}
	return nil
}

// summary writes the first sheet: what was audited, with which rules and
// inputs, what was found (by severity and by rule), what the wasted
// licenses cost, how the big sheets were laid out, and a guide to the
// other sheets. Charts are native Excel charts over the tables beside them.
func (wb *workbook) summary(sheets []*sheetSpec, layouts []accessLayout) error {
	f, st, rep := wb.f, wb.st, wb.rep
	for col, w := range map[string]float64{"A": 32, "B": 12, "C": 11, "D": 12, "E": 13, "F": 70} {
		if err := f.SetColWidth(sheetSummary, col, col, w); err != nil {
			return err
		}
	}
	// Printed, the Summary fits one page wide, charts included.
	fit, wide, tall := true, 1, 0
	if err := f.SetSheetProps(sheetSummary, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	if err := f.SetPageLayout(sheetSummary, &excelize.PageLayoutOptions{Orientation: &landscape, FitToWidth: &wide,
		FitToHeight: &tall}); err != nil {
		return err
	}
	c := &cursor{wb: wb, sheet: sheetSummary}
	if err := c.line(text("Dataverse security audit: "+rep.Environment, st.title)); err != nil {
		return err
	}
	if err := c.line(text(fmt.Sprintf("Written by d365audit %s with rule set %s, as of %s. Every input, with its SHA-256, "+
		"and every rule are listed on the sheet %s.", rep.ToolVersion, rep.RuleSetVersion, date(rep.AsOf), sheetRunInfo), st.note)); err != nil {
		return err
	}
	c.row++
	for _, p := range wb.keyFacts(sheets, layouts) {
		if err := c.line(text(p[0], st.label), text(p[1], 0)); err != nil {
			return err
		}
		if p[0] == changesFactLabel {
			if err := wb.setStyle(sheetSummary, fmt.Sprintf("B%d", c.row), st.link); err != nil {
				return err
			}
			if err := f.SetCellHyperLink(sheetSummary, fmt.Sprintf("B%d", c.row), "'"+sheetChanges+"'!A1", "Location"); err != nil {
				return err
			}
		}
	}
	c.row++
	if wb.rep.IsTenant() {
		if err := wb.environmentTable(c); err != nil {
			return err
		}
		c.row++
	}
	sevTop, err := wb.severityTable(c)
	if err != nil {
		return err
	}
	c.row++
	ruleTop, ruleRows, err := wb.ruleTable(c)
	if err != nil {
		return err
	}
	c.row++
	wasteTop, wasteRows, err := wb.wasteTable(c)
	if err != nil {
		return err
	}
	c.row++
	if err := wb.sheetGuide(c, sheets); err != nil {
		return err
	}
	return wb.summaryCharts(sevTop, ruleTop, ruleRows, wasteTop, wasteRows)
}

// keyFacts are the Summary's opening lines: the run, its inputs and rules,
// the tenant's size, and how the matrix and any split sheet were laid out.
func (wb *workbook) keyFacts(sheets []*sheetSpec, layouts []accessLayout) [][2]string {
	rep := wb.rep
	enabled, apps := 0, 0
	for _, u := range rep.Users {
		if !u.Disabled {
			enabled++
		}
		if u.Application {
			apps++
		}
	}
	var copies int64
	modified := 0
	for _, r := range rep.Roles {
		copies += r.Copies
		if r.Modified {
			modified++
		}
	}
	inForce, expired := rep.WaiverCounts()
	facts := [][2]string{
		{"Environment", rep.Environment},
		{"Run time (UTC)", runTime(rep)},
		{"As of", date(rep.AsOf)},
		{"Tool version", "d365audit " + rep.ToolVersion},
		{"Rule set", wb.ruleSetFact()},
		{"Policy", rep.Policy},
		{"Inputs", fmt.Sprintf("%d files; the input manifest (kind, rows, bytes, SHA-256) is on the sheet %s", len(rep.Inputs), sheetRunInfo)},
		{"Waivers", fmt.Sprintf("%d in force, %d expired; %s waived", inForce, expired, plural(reports.Summarize(rep.Findings).Waived, "finding"))},
		{"Users", fmt.Sprintf("%s: %s enabled, %s disabled; %s application users", countText(int64(len(rep.Users))),
			countText(int64(enabled)), countText(int64(len(rep.Users)-enabled)), countText(int64(apps)))},
		{"Roles", fmt.Sprintf("%s root roles with %s business-unit copies; %s modified against the baseline (sheet %s)",
			countText(int64(len(rep.Roles))), countText(copies), plural(modified, "out-of-box role"), sheetRoleChanges)},
		{"Teams", countText(int64(len(rep.Teams)))},
		{"Access profiles", fmt.Sprintf("%s distinct sets of grants", countText(rep.AccessProfiles))},
		{"Privilege tables", rep.PrivilegeTablesNote()},
	}
	if rep.IsTenant() {
		facts = append(facts[:1], append([][2]string{{"Environments", fmt.Sprintf("%d: %s (table below)",
			len(rep.Environments), strings.Join(rep.EnvironmentNames(), ", "))}}, facts[1:]...)...)
	}
	for _, a := range layouts {
		label := "Effective access"
		if a.of.env != "" {
			label += ": " + a.of.env
		}
		facts = append(facts, [2]string{label, wb.accessFact(a)})
	}
	if rep.Changes != nil {
		facts = append(facts, [2]string{changesFactLabel, wb.changesFact()})
	}
	for _, s := range sheets {
		if len(s.parts) > 1 && s.baseName() != sheetAccess {
			facts = append(facts, [2]string{"Sheet " + s.name, fmt.Sprintf("%s rows, more than a sheet holds (%s): split across the sheets %s to %s",
				countText(s.rows), countText(int64(wb.opts.MaxSheetRows)), s.parts[0], s.parts[len(s.parts)-1])})
		}
	}
	return facts
}

// ruleSetFact names the rule set and says how much of it ran.
func (wb *workbook) ruleSetFact() string {
	rep := wb.rep
	s := fmt.Sprintf("%s: %d rules, %d evaluated", rep.RuleSetVersion, len(rep.Rules), len(rep.Evaluated))
	if n := len(rep.NotEvaluated); n > 0 {
		s += fmt.Sprintf(", %d not evaluated (why: sheet %s)", n, sheetRunInfo)
	}
	return s
}

// accessFact says where the effective-access matrix is, and, when it did
// not fit one sheet, what was done about it.
func (wb *workbook) accessFact(a accessLayout) string {
	switch {
	case a.missing:
		return "not computed for this report"
	case a.byRole:
		return fmt.Sprintf("%s rows (user x table) in %s access profiles (%s rows): more than %s, "+
			"so the workbook shows what each held role grants (%s, %s rows) and %s says who holds which role; "+
			"the full matrix is in access.parquet", countText(a.userRows), countText(a.of.profiles), countText(a.profileRows),
			wb.budget(a.of, true), a.of.name(sheetAccessRoles), countText(a.roleRows), sheetUsers)
	case a.byProfile:
		s := a.sheets[0]
		where := s.parts[0]
		if len(s.parts) > 1 {
			where = s.parts[0] + " to " + s.parts[len(s.parts)-1]
		}
		return fmt.Sprintf("%s rows (user x table): more than %s, so shown by access profile: "+
			"%s (profile x table, %s rows) and %s (user -> profile); the full matrix is in access.parquet",
			countText(a.userRows), wb.budget(a.of, true), where, countText(a.profileRows), a.of.name(sheetUserProfiles))
	}
	s := a.sheets[0]
	if len(s.parts) > 1 {
		return fmt.Sprintf("%s rows (user x table): more than a sheet holds (%s rows), so split across the sheets %s to %s, in user order",
			countText(a.userRows), countText(int64(wb.opts.MaxSheetRows)), s.parts[0], s.parts[len(s.parts)-1])
	}
	return fmt.Sprintf("%s rows (user x table) on the sheet %s", countText(a.userRows), s.parts[0])
}

// severityTable counts open and waived findings per severity; it returns
// the row of its first severity, for the chart.
func (wb *workbook) severityTable(c *cursor) (int, error) {
	st := wb.st
	if err := c.line(text("Findings by severity", st.section)); err != nil {
		return 0, err
	}
	if err := c.line(wb.headerCells([]string{"Severity", "Open", "Waived", "Total"})...); err != nil {
		return 0, err
	}
	open, waived := map[string]int{}, map[string]int{}
	for _, f := range wb.rep.Findings {
		if f.Waived {
			waived[f.Severity]++
		} else {
			open[f.Severity]++
		}
	}
	top := c.row + 1
	var to, tw int
	for _, sev := range rules.Severities {
		to, tw = to+open[sev], tw+waived[sev]
		if err := c.line(text(sev, st.severity[sev]), num(open[sev], 0), num(waived[sev], 0),
			num(open[sev]+waived[sev], 0)); err != nil {
			return 0, err
		}
	}
	return top, c.line(text("Total", st.bold), num(to, st.bold), num(tw, st.bold), num(to+tw, st.bold))
}

// ruleCount is one line of the findings-by-rule table.
type ruleCount struct {
	id, severity, title, status string
	open, waived                int
}

// ruleTable counts findings per rule: the rules that found something
// first (most severe, then most findings), then the rest, so the chart can
// take the first rows. It returns the first row and how many rules found
// something.
func (wb *workbook) ruleTable(c *cursor) (int, int, error) {
	st := wb.st
	byID := map[string]*ruleCount{}
	var lines []*ruleCount
	add := func(id, sev, title, status string) *ruleCount {
		if l, ok := byID[id]; ok {
			return l
		}
		l := &ruleCount{id: id, severity: sev, title: title, status: status}
		byID[id] = l
		lines = append(lines, l)
		return l
	}
	notEvaluated := map[string]bool{}
	for _, n := range wb.rep.NotEvaluated {
		notEvaluated[n.Rule] = true
	}
	for _, r := range wb.rep.Rules {
		status := "evaluated"
		if notEvaluated[r.ID] {
			status = "not evaluated"
		}
		add(r.ID, r.Severity, r.Title, status)
	}
	for _, f := range wb.rep.Findings {
		l := add(f.Rule, f.Severity, "", "evaluated")
		if f.Waived {
			l.waived++
		} else {
			l.open++
		}
	}
	sort.SliceStable(lines, func(i, j int) bool {
		a, b := lines[i], lines[j]
		fa, fb := a.open+a.waived > 0, b.open+b.waived > 0
		if fa != fb {
			return fa
		}
		if ra, rb := rules.SeverityRank(a.severity), rules.SeverityRank(b.severity); ra != rb {
			return ra < rb
		}
		if a.open+a.waived != b.open+b.waived {
			return a.open+a.waived > b.open+b.waived
		}
		return a.id < b.id
	})
	if err := c.line(text("Findings by rule", st.section)); err != nil {
		return 0, 0, err
	}
	if err := c.line(wb.headerCells([]string{"Rule", "Severity", "Open", "Waived", "Status", "Title"})...); err != nil {
		return 0, 0, err
	}
	top, found := c.row+1, 0
	for _, l := range lines {
		if l.open+l.waived > 0 {
			found++
		}
		if err := c.line(text(l.id, 0), text(l.severity, st.severity[l.severity]), num(l.open, 0), num(l.waived, 0),
			text(l.status, st.center), text(l.title, 0)); err != nil {
			return 0, 0, err
		}
	}
	return top, found, nil
}

// wasteTable totals the license waste per category, per month and year;
// it returns the first category's row and the number of categories.
func (wb *workbook) wasteTable(c *cursor) (int, int, error) {
	st, l := wb.st, wb.rep.Licenses
	if err := c.line(text("License waste", st.section)); err != nil {
		return 0, 0, err
	}
	for _, n := range wb.licenseNotes() {
		if err := c.line(text(n, st.note)); err != nil {
			return 0, 0, err
		}
	}
	if err := c.line(wb.headerCells([]string{"Category", "Seats", "Per month", "Per year"})...); err != nil {
		return 0, 0, err
	}
	top := c.row + 1
	var seats int64
	for _, cat := range l.Categories {
		seats += cat.Seats
		if err := c.line(text(cat.Category, 0), num(cat.Seats, 0), wb.money(cat.Monthly, 0), wb.money(cat.Annual, 0)); err != nil {
			return 0, 0, err
		}
	}
	if len(l.Categories) == 0 {
		if err := c.line(text("No wasted seats.", st.note)); err != nil {
			return 0, 0, err
		}
	}
	err := c.line(text("Total", st.bold), num(seats, st.bold), wb.money(l.TotalMonthly, st.moneyBold),
		wb.money(l.TotalAnnual, st.moneyBold))
	return top, len(l.Categories), err
}

// sheetGuide lists the other sheets, each a link, with what it answers.
func (wb *workbook) sheetGuide(c *cursor, sheets []*sheetSpec) error {
	about := map[string]string{
		sheetChanges:        "what changed since the previous run: findings, waivers, access and why, roles, licenses and cost",
		sheetFindings:       "one row per finding: severity, rule, subject, message, evidence; waived findings grey and italic",
		sheetUsers:          "each user: business unit, access mode, state, licenses, roles held directly and through teams, findings",
		sheetRoles:          "each role: business-unit copies, out-of-box or custom, modified against the baseline or not, holders",
		sheetRoleChanges:    "each out-of-box role's privileges that differ from the baseline",
		sheetTeams:          "each team: type, business unit, members, roles",
		sheetLicenses:       "seats per subscribed SKU and the license waste per category",
		sheetLicenseWaste:   "one row per wasted seat, with its category and cost",
		sheetAccess:         "the effective-access matrix: one row per user and table, one column per privilege",
		sheetAccessProfiles: "the effective-access matrix per access profile: one row per profile and table",
		sheetUserProfiles:   "each user's access profile",
		sheetFieldSecurity:  "each secured column a user can reach, and how",
		sheetPeopleAcross:   "each person across the environments: the roles held in each, disabled, or no user",
		sheetAdmins:         "who holds System Administrator in which environments, and whether in every one",
		sheetRoleDrift:      "roles of the same name whose privileges differ between environments, the depth in each",
		sheetAccessSpread:   "people whose effective access differs most between two of their environments",
		sheetRunInfo:        "inputs with SHA-256, versions, rules not evaluated, waivers, the rule catalogue",
	}
	if err := c.line(text("Sheets", wb.st.section)); err != nil {
		return err
	}
	for _, s := range sheets {
		for _, part := range s.parts {
			if err := c.line(text(part, wb.st.link), text(about[s.baseName()], 0)); err != nil {
				return err
			}
			ref := fmt.Sprintf("A%d", c.row)
			target := "'" + strings.ReplaceAll(part, "'", "''") + "'!A1"
			if err := wb.f.SetCellHyperLink(sheetSummary, ref, target, "Location"); err != nil {
				return err
			}
		}
	}
	return nil
}

// summaryCharts puts three native charts to the right of the tables:
// findings by severity, findings by rule (the rules that found something),
// and the license waste per category (cost, or seats without prices).
func (wb *workbook) summaryCharts(sevTop, ruleTop, ruleRows, wasteTop, wasteRows int) error {
	ref := func(col string, from, to int) string {
		return fmt.Sprintf("%s!$%s$%d:$%s$%d", sheetSummary, col, from, col, to)
	}
	cell := func(col string, row int) string { return fmt.Sprintf("%s!$%s$%d", sheetSummary, col, row) }
	title := func(s string) excelize.ChartTitle {
		return excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: s, Font: &excelize.Font{Bold: true, Size: 12}}}}
	}
	// series is one column of a table on the Summary, top to last, its
	// categories in column A.
	series := func(col string, top, last int, colour string) excelize.ChartSeries {
		return excelize.ChartSeries{Name: cell(col, top-1), Categories: ref("A", top, last), Values: ref(col, top, last),
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{colour}}}
	}
	legend := excelize.ChartLegend{Position: "bottom"}
	// LibreOffice draws excelize's default axis labels pale grey: set them.
	axis := excelize.ChartAxis{Font: excelize.Font{Color: "404040", Size: 9}}
	labels := excelize.ChartAxis{Font: excelize.Font{Color: "404040", Size: 9}, ReverseOrder: true} // first row on top
	at, gap := 3, 3                                                                                 // charts stack down column H, starting beside the key facts
	const rowPx = 18                                                                                // under a row's 20 px, so charts never overlap
	place := func(ch *excelize.Chart) error {
		if err := wb.f.AddChart(sheetSummary, fmt.Sprintf("H%d", at), ch); err != nil {
			return err
		}
		at += int(ch.Dimension.Height)/rowPx + gap
		return nil
	}
	if len(wb.rep.Findings) > 0 {
		last := sevTop + len(rules.Severities) - 1
		if err := place(&excelize.Chart{
			Type: excelize.ColStacked, Title: title("Findings by severity"), Legend: legend,
			Dimension: excelize.ChartDimension{Width: 520, Height: 280}, XAxis: axis, YAxis: axis,
			Series: []excelize.ChartSeries{
				series("B", sevTop, last, "C00000"),
				series("C", sevTop, last, "A6A6A6"),
			},
		}); err != nil {
			return err
		}
	}
	if ruleRows > 0 {
		last := ruleTop + ruleRows - 1
		if err := place(&excelize.Chart{
			Type: excelize.BarStacked, Title: title("Findings by rule"), Legend: legend,
			Dimension: excelize.ChartDimension{Width: 520, Height: uint(110 + 24*ruleRows)},
			XAxis:     labels, YAxis: axis,
			Series: []excelize.ChartSeries{
				series("C", ruleTop, last, "C00000"),
				series("D", ruleTop, last, "A6A6A6"),
			},
		}); err != nil {
			return err
		}
	}
	if wasteRows > 0 {
		last := wasteTop + wasteRows - 1
		col, name := "B", "License waste: seats per category"
		if wb.rep.Licenses.HasPrices {
			col, name = "C", "License waste per month ("+wb.rep.Licenses.Currency+")"
		}
		if err := place(&excelize.Chart{
			Type: excelize.Bar, Title: title(name), Legend: excelize.ChartLegend{Position: "none"},
			Dimension: excelize.ChartDimension{Width: 520, Height: uint(110 + 28*wasteRows)},
			XAxis:     labels, YAxis: axis,
			Series: []excelize.ChartSeries{series(col, wasteTop, last, "ED7D31")},
		}); err != nil {
			return err
		}
	}
	return nil
}

// plural counts things in words: "1 finding", "2 findings".
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}
