package pdf

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/d365audit/d365audit/queries/reportdata"
	"github.com/d365audit/d365audit/rules"
)

// One function per section of report.pdf, in reading order: here the cover,
// the executive summary and the findings by rule; then license.go,
// access.go and appendix.go.

// cover: what was audited, when, from which inputs, and with which rules.
func (d *doc) cover() {
	rep, f := d.rep, d.facts
	d.pdf.AddPage()
	d.fillRect(0, 0, pageW, 62, colAccent)
	d.drawText(marginL, 16, "d365audit", textStyle{size: 11, bold: true, color: rgb{190, 208, 226}})
	d.drawText(marginL, 26, "Security and licensing audit", textStyle{size: 24, bold: true, color: colWhite})
	d.drawText(marginL, 39, "Dynamics 365 / Dataverse · sign-off report", textStyle{size: 12, color: rgb{220, 230, 240}})
	d.setY(74)

	d.heading(d.coverTitle(), h1, 0, 40)
	d.keyValues(d.withEnvironments([][2]string{
		{"Audit as of", date(rep.AsOf) + " (the day the audit treats as today: sign-in ages, waiver expiry)"},
		{"Generated", timestamp(rep.GeneratedAt)},
		{"Tool version", "d365audit " + orDash(rep.ToolVersion)},
		{"Rule set", orDash(rep.RuleSetVersion) + fmt.Sprintf(": %d %s in the catalogue, %d evaluated, %d not evaluated",
			len(rep.Rules), plural(len(rep.Rules), "rule", "rules"), len(rep.Evaluated), len(rep.NotEvaluated))},
		{"Policy", orDash(rep.Policy)},
		{"Inputs", fmt.Sprintf("%d %s, %s rows (Appendix D)", len(rep.Inputs), plural(len(rep.Inputs), "file", "files"), thousands(f.totalRows))},
		{"Input fingerprint", f.fingerprint},
	}), 38, body)
	d.paragraph("The input fingerprint is the SHA-256 of the input manifest of Appendix D: one line per input file, "+
		"\"<sha256>  <file>\" as sha256sum prints it, sorted by file name. The same export gives the same fingerprint.", muted)
	d.gap(5)

	d.heading("Result", h2, -1, 20)
	s := f.summary
	open := f.open
	d.paragraph(fmt.Sprintf("%s open %s: %d critical, %d high, %d medium, %d low, %d info. %s waived %s, listed but not counted as open.",
		count(open), plural(open, "finding", "findings"), s.Critical, s.High, s.Medium, s.Low, s.Info,
		count(s.Waived), plural(s.Waived, "finding", "findings")), bodyB)
	d.gap(3)
	d.note(d.scopeText(), small)
}

// scopeText says what the report covers and what it does not.
func (d *doc) scopeText() string {
	rep := d.rep
	var b strings.Builder
	fmt.Fprintf(&b, "Scope: this report covers %s listed in Appendix D, as of %s, and nothing else: changes made in the "+
		"environment after the export are not seen. ", d.scopeSubject(), date(rep.AsOf))
	if n := len(rep.NotEvaluated); n > 0 {
		ids := make([]string, n)
		for i, ne := range rep.NotEvaluated {
			ids[i] = ne.Rule
		}
		fmt.Fprintf(&b, "%d of %d rules could not be evaluated on these inputs (%s); Appendix B says why. ",
			n, len(rep.Rules), strings.Join(ids, ", "))
	} else {
		fmt.Fprintf(&b, "All %d rules of the catalogue were evaluated. ", len(rep.Rules))
	}
	b.WriteString(rep.PrivilegeTablesNote() + " ")
	b.WriteString("Waived findings are listed with their waiver but not counted as open; an expired waiver hides nothing. " +
		"This report summarises: every finding is in findings.csv and report.xlsx (sheet Findings), every user's effective " +
		"access in access.parquet.")
	return b.String()
}

// executiveSummary: the counts, the charts, and the rules that fired.
func (d *doc) executiveSummary() error {
	rep, f := d.rep, d.facts
	d.chapter("Executive summary", "1  Executive summary", 60)
	s := f.summary
	open := f.open
	d.paragraph(fmt.Sprintf("%s of the %d evaluated rules found something in %s as of %s: %s open %s and %s waived. "+
		"The most severe come first in section 2, where each rule says why it matters and what to do.",
		count(len(f.fired)), len(rep.Evaluated), orDash(rep.Environment), date(rep.AsOf), count(open),
		plural(open, "finding", "findings"), count(s.Waived)), body)
	d.gap(3)
	d.severityTiles()
	d.gap(5)

	// Findings by severity, beside the key figures.
	const chartH = 50.0
	half := (contentW - 8) / 2
	d.ensure(chartH + 10)
	top := d.y()
	d.drawText(marginL, top, "Open findings by severity", h3)
	d.drawText(marginL+half+8, top, "Key figures", h3)
	chartTop := top + h3.lineH() + 1.5
	if err := d.severityChart(marginL, chartTop, half, chartH); err != nil {
		return err
	}
	d.setY(chartTop)
	d.keyValuesAt(marginL+half+8, half, d.keyFigures(), 27, small)
	d.setY(math.Max(chartTop+chartH, d.y()) + 5)

	if d.rep.IsTenant() {
		d.environmentTable()
	}
	if err := d.wasteSummary(); err != nil {
		return err
	}
	if err := d.ruleChart(); err != nil {
		return err
	}
	d.heading("Rules that fired", h3, -1, 20)
	if len(f.fired) == 0 {
		d.paragraph("No rule found anything.", body)
	} else {
		var rows [][]string
		for i, t := range f.fired {
			rows = append(rows, []string{fmt.Sprintf("2.%d", i+1), t.rule.ID, t.rule.Title, sevTitle(t.severity),
				count(t.open), count(t.waived)})
		}
		d.table(makeColumns("§", 0.055, "Rule", 0.32, "Title", 0.375, "Severity", 0.09, ">Open", 0.075, ">Waived", 0.085), rows)
	}
	d.note(d.scopeText(), small)
	return nil
}

// keyFigures are the numbers beside the severity chart.
func (d *doc) keyFigures() [][2]string {
	rep, f := d.rep, d.facts
	inForce, expired := rep.WaiverCounts()
	admins, people := adminCount(rep.Users)
	return [][2]string{
		{"Rules", fmt.Sprintf("%d evaluated, %d not evaluated; %d found something", len(rep.Evaluated), len(rep.NotEvaluated), len(f.fired))},
		{"Waivers", fmt.Sprintf("%d in force, %d expired; %s %s waived", inForce, expired, count(f.summary.Waived),
			plural(f.summary.Waived, "finding", "findings"))},
		{"License waste", d.wasteFigure()},
		{"Administrators", fmt.Sprintf("%s %s System Administrator, %s of them enabled %s", count(admins),
			plural(admins, "account holds", "accounts hold"), count(people), plural(people, "person", "people"))},
		{"Access profiles", fmt.Sprintf("%s distinct among %s users", thousands(rep.AccessProfiles), count(len(rep.Users)))},
		{"Inputs", fmt.Sprintf("%d files, fingerprint %s…", len(rep.Inputs), f.fingerprint[:16])},
	}
}

// wasteFigure is the license waste in one line, or why there is none.
func (d *doc) wasteFigure() string {
	lr := d.rep.Licenses
	if !lr.HasGraph {
		return "not assessed: no Graph export"
	}
	var seats int64
	for _, c := range lr.Categories {
		seats += c.Seats
	}
	if !lr.HasPrices {
		return fmt.Sprintf("%s wasted %s (no price list: counts only)", thousands(seats), plural(int(seats), "seat", "seats"))
	}
	return fmt.Sprintf("%s per year, %s wasted %s", money(lr.TotalAnnual, lr.Currency), thousands(seats),
		plural(int(seats), "seat", "seats"))
}

// adminCount counts the accounts holding System Administrator, and the
// enabled people among them.
func adminCount(users []reportdata.UserRow) (accounts, people int) {
	for _, u := range users {
		if direct, teams := holds(u, "System Administrator"); direct || len(teams) > 0 {
			accounts++
			if !u.Application && !u.Disabled {
				people++
			}
		}
	}
	return accounts, people
}

// severityTiles draws one tile per severity with its open count, and one
// for the waived.
func (d *doc) severityTiles() {
	s := d.facts.summary
	tiles := []struct {
		label string
		n     int
		c     rgb
	}{
		{"Critical", s.Critical, sevColor("critical")}, {"High", s.High, sevColor("high")},
		{"Medium", s.Medium, sevColor("medium")}, {"Low", s.Low, sevColor("low")},
		{"Info", s.Info, sevColor("info")}, {"Waived", s.Waived, colWaived},
	}
	const h, gap = 15.0, 2.5
	w := (contentW - gap*float64(len(tiles)-1)) / float64(len(tiles))
	d.ensure(h)
	y := d.y()
	for i, t := range tiles {
		x := marginL + float64(i)*(w+gap)
		d.fillRect(x, y, w, h, t.c)
		num := count(t.n)
		big := textStyle{size: 17, bold: true, color: colWhite}
		d.drawText(x+(w-d.width(num, big))/2, y+1.6, num, big)
		label := t.label
		if t.label != "Waived" {
			label += " open"
		}
		small := textStyle{size: 7.5, color: colWhite}
		d.drawText(x+(w-d.width(label, small))/2, y+h-4.6, label, small)
	}
	d.setY(y + h)
}

func (d *doc) severityChart(x, y, w, h float64) error {
	s := d.facts.summary
	c := barChart{
		labels:   []string{"Critical", "High", "Medium", "Low", "Info"},
		values:   []float64{float64(s.Critical), float64(s.High), float64(s.Medium), float64(s.Low), float64(s.Info)},
		group:    []int{0, 1, 2, 3, 4},
		groups:   rules.Severities,
		format:   formatCount,
		widthMM:  w,
		heightMM: h,
	}
	for _, sv := range rules.Severities {
		c.colors = append(c.colors, sevColor(sv))
	}
	return d.chart(c, x, y)
}

// ruleChart: open findings per rule, bars coloured by severity, the rules
// with the most open findings first (at most maxChartBar).
func (d *doc) ruleChart() error {
	var ts []*ruleTally
	for _, t := range d.facts.fired {
		if t.open > 0 {
			ts = append(ts, t)
		}
	}
	if len(ts) == 0 {
		return nil // no open finding: the table of rules says the rest
	}
	sort.SliceStable(ts, func(i, j int) bool {
		if ts[i].open != ts[j].open {
			return ts[i].open > ts[j].open
		}
		return sevOrder(ts[i].severity) < sevOrder(ts[j].severity)
	})
	more := 0
	if len(ts) > maxChartBar {
		more = len(ts) - maxChartBar
		ts = ts[:maxChartBar]
	}
	c := barChart{horizontal: true, format: formatCount, widthMM: contentW, groups: rules.Severities}
	for _, sv := range rules.Severities {
		c.colors = append(c.colors, sevColor(sv))
	}
	// go-analyze draws the first category at the bottom; reverse, so the
	// largest bar is on top.
	for i := len(ts) - 1; i >= 0; i-- {
		t := ts[i]
		c.labels = append(c.labels, t.rule.ID)
		c.values = append(c.values, float64(t.open))
		g := sevOrder(t.severity)
		if g >= len(rules.Severities) {
			g = len(rules.Severities) - 1
		}
		c.group = append(c.group, g)
	}
	c.heightMM = 10 + 5.3*float64(len(ts))
	legend := "Bar colour: severity. Waived findings are not counted."
	if more > 0 {
		legend = fmt.Sprintf("The %d rules with the most open findings; %s more in the table below. ", len(ts), count(more)) + legend
	}
	d.heading("Open findings by rule", h3, -1, c.heightMM+muted.lineH())
	d.paragraph(legend, muted)
	y := d.y()
	if err := d.chart(c, marginL, y); err != nil {
		return err
	}
	d.setY(y + c.heightMM + 1)
	d.gap(3)
	return nil
}

// ruleSections: one section per rule that fired, most severe first.
func (d *doc) ruleSections() {
	d.chapter("Findings by rule", "2  Findings by rule", 30)
	if len(d.facts.fired) == 0 {
		d.paragraph("No rule found anything in this export.", body)
		return
	}
	d.paragraph(fmt.Sprintf("One section per rule that fired, most severe first. Each lists up to %d subjects, open ones "+
		"first; findings.csv and report.xlsx (sheet Findings) hold every finding with its evidence.", maxSubjects), body)
	d.gap(3)
	for i, t := range d.facts.fired {
		d.ruleSection(fmt.Sprintf("2.%d", i+1), t)
	}
}

func (d *doc) ruleSection(num string, t *ruleTally) {
	r := t.rule
	d.heading(num+"  "+r.ID, h2, 1, 30)
	d.paragraph(r.Title, bodyB)
	d.gap(1)
	d.badgeLine(t)
	d.gap(2)

	if r.Rationale != "" {
		d.heading("Why it matters", h3, -1, 12)
		d.paragraph(r.Rationale, body)
	}
	if len(r.References) > 0 {
		d.gap(1)
		d.ensure(small.lineH() * 2)
		d.drawText(marginL, d.y(), plural(len(r.References), "Source", "Sources"), smallB)
		d.setY(d.y() + small.lineH())
		for _, ref := range r.References {
			d.link(marginL+3, contentW-3, ref, small.with(colAccent))
		}
	}
	if r.Remediation != "" {
		d.gap(2)
		d.heading("What to do", h3, -1, 12)
		d.paragraph(r.Remediation, body)
	}
	d.gap(2)
	d.heading("Subjects", h3, -1, 15)
	rows := [][]string{}
	shown := firstN(t.findings, maxSubjects)
	for _, i := range shown {
		fd := d.rep.Findings[i]
		rows = append(rows, d.subjectRow(fd))
	}
	d.table(d.subjectColumns(), rows)
	if more := len(t.findings) - len(shown); more > 0 {
		d.paragraph(andMore(more, "report.xlsx, sheet Findings"), smallB)
	}
	d.gap(5)
}

// badgeLine: the severity as a coloured badge, then the counts.
func (d *doc) badgeLine(t *ruleTally) {
	st := textStyle{size: 8, bold: true, color: colWhite}
	label := strings.ToUpper(t.severity)
	w := d.width(label, st) + 4
	h := st.lineH() + 1
	d.ensure(h)
	y := d.y()
	d.fillRect(marginL, y, w, h, sevColor(t.severity))
	d.drawText(marginL+2, y+0.5, label, st)
	text := fmt.Sprintf("%s open · %s waived", count(t.open), count(t.waived))
	if t.rule.Severity != "" && t.rule.Severity != t.severity {
		text += fmt.Sprintf(" · severity set by the policy (catalogue default: %s)", t.rule.Severity)
	}
	d.drawText(marginL+w+3, y+0.5, text, small)
	d.setY(y + h)
}

// subjectLabel names a finding's subject; a subject that is not a user
// says what it is.
func subjectLabel(f rules.Finding) string {
	name := orDash(f.SubjectName)
	switch f.SubjectType {
	case "", "user":
		return name
	case "fieldsecurityprofile":
		return name + " (field security profile)"
	}
	return name + " (" + f.SubjectType + ")"
}

// findingStatus is "Open", or the waiver that hides the finding.
func findingStatus(f rules.Finding) string {
	if !f.Waived {
		return "Open"
	}
	if f.Waiver == nil {
		return "Waived"
	}
	return fmt.Sprintf("Waived until %s by %s", f.Waiver.Expires, f.Waiver.Owner)
}
