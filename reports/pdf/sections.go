package pdf

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/d365audit/d365audit/queries"
	"github.com/d365audit/d365audit/rules"
)

// One function per section of report.pdf, in reading order: here the cover,
// the executive summary and the findings by rule; then pdf_license.go,
// pdf_access.go and pdf_appendix.go.

// cover: what was audited, when, from which inputs, and with which rules.
func (d *pdfDoc) cover() {
	rep, f := d.rep, d.facts
	d.pdf.AddPage()
	d.fillRect(0, 0, pdfPageW, 62, pdfColAccent)
	d.drawText(pdfMarginL, 16, "d365audit", pdfStyle{size: 11, bold: true, color: pdfRGB{190, 208, 226}})
	d.drawText(pdfMarginL, 26, "Security and licensing audit", pdfStyle{size: 24, bold: true, color: pdfColWhite})
	d.drawText(pdfMarginL, 39, "Dynamics 365 / Dataverse · sign-off report", pdfStyle{size: 12, color: pdfRGB{220, 230, 240}})
	d.setY(74)

	d.heading("Environment "+pdfOrDash(rep.Environment), pdfH1, 0, 40)
	d.keyValues([][2]string{
		{"Audit as of", pdfDate(rep.AsOf) + " (the day the audit treats as today: sign-in ages, waiver expiry)"},
		{"Generated", pdfTimestamp(rep.GeneratedAt)},
		{"Tool version", "d365audit " + pdfOrDash(rep.ToolVersion)},
		{"Rule set", pdfOrDash(rep.RuleSetVersion) + fmt.Sprintf(": %d %s in the catalogue, %d evaluated, %d not evaluated",
			len(rep.Rules), pdfPlural(len(rep.Rules), "rule", "rules"), len(rep.Evaluated), len(rep.NotEvaluated))},
		{"Policy", pdfOrDash(rep.Policy)},
		{"Inputs", fmt.Sprintf("%d %s, %s rows (Appendix D)", len(rep.Inputs), pdfPlural(len(rep.Inputs), "file", "files"), pdfThousands(f.totalRows))},
		{"Input fingerprint", f.fingerprint},
	}, 38, pdfBody)
	d.paragraph("The input fingerprint is the SHA-256 of the input manifest of Appendix D: one line per input file, "+
		"\"<sha256>  <file>\" as sha256sum prints it, sorted by file name. The same export gives the same fingerprint.", pdfMuted)
	d.gap(5)

	d.heading("Result", pdfH2, -1, 20)
	s := f.summary
	open := s.Critical + s.High + s.Medium + s.Low + s.Info
	d.paragraph(fmt.Sprintf("%s open %s: %d critical, %d high, %d medium, %d low, %d info. %s waived %s, listed but not counted as open.",
		pdfCount(open), pdfPlural(open, "finding", "findings"), s.Critical, s.High, s.Medium, s.Low, s.Info,
		pdfCount(s.Waived), pdfPlural(s.Waived, "finding", "findings")), pdfBodyB)
	d.gap(3)
	d.note(d.scopeText(), pdfSmall)
}

// scopeText says what the report covers and what it does not.
func (d *pdfDoc) scopeText() string {
	rep := d.rep
	var b strings.Builder
	fmt.Fprintf(&b, "Scope: this report covers the export listed in Appendix D, as of %s, and nothing else: changes made in the "+
		"environment after the export are not seen. ", pdfDate(rep.AsOf))
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
func (d *pdfDoc) executiveSummary() error {
	rep, f := d.rep, d.facts
	d.running = "Executive summary"
	d.pdf.AddPage()
	d.heading("1  Executive summary", pdfH1, 0, 60)
	s := f.summary
	open := s.Critical + s.High + s.Medium + s.Low + s.Info
	d.paragraph(fmt.Sprintf("%s of the %d evaluated rules found something in %s as of %s: %s open %s and %s waived. "+
		"The most severe come first in section 2, where each rule says why it matters and what to do.",
		pdfCount(len(f.fired)), len(rep.Evaluated), pdfOrDash(rep.Environment), pdfDate(rep.AsOf), pdfCount(open),
		pdfPlural(open, "finding", "findings"), pdfCount(s.Waived)), pdfBody)
	d.gap(3)
	d.severityTiles()
	d.gap(5)

	// Findings by severity, beside the key figures.
	const chartH = 50.0
	half := (pdfContentW - 8) / 2
	d.ensure(chartH + 10)
	top := d.y()
	d.drawText(pdfMarginL, top, "Open findings by severity", pdfH3)
	d.drawText(pdfMarginL+half+8, top, "Key figures", pdfH3)
	chartTop := top + pdfH3.lineH() + 1.5
	if err := d.severityChart(pdfMarginL, chartTop, half, chartH); err != nil {
		return err
	}
	d.setY(chartTop)
	d.keyValuesAt(pdfMarginL+half+8, half, d.keyFigures(), 27, pdfSmall)
	d.setY(math.Max(chartTop+chartH, d.y()) + 5)

	if err := d.wasteSummary(); err != nil {
		return err
	}
	if err := d.ruleChart(); err != nil {
		return err
	}
	d.heading("Rules that fired", pdfH3, -1, 20)
	if len(f.fired) == 0 {
		d.paragraph("No rule found anything.", pdfBody)
	} else {
		var rows [][]string
		for i, t := range f.fired {
			rows = append(rows, []string{fmt.Sprintf("2.%d", i+1), t.rule.ID, t.rule.Title, pdfSevTitle(t.severity),
				pdfCount(t.open), pdfCount(t.waived)})
		}
		d.table(pdfCols("§", 0.055, "Rule", 0.32, "Title", 0.375, "Severity", 0.09, ">Open", 0.075, ">Waived", 0.085), rows)
	}
	d.note(d.scopeText(), pdfSmall)
	return nil
}

// keyFigures are the numbers beside the severity chart.
func (d *pdfDoc) keyFigures() [][2]string {
	rep, f := d.rep, d.facts
	inForce, expired := 0, 0
	for _, w := range rep.Waivers {
		if w.Expired {
			expired++
		} else {
			inForce++
		}
	}
	admins, people := pdfAdminCount(rep.Users)
	return [][2]string{
		{"Rules", fmt.Sprintf("%d evaluated, %d not evaluated; %d found something", len(rep.Evaluated), len(rep.NotEvaluated), len(f.fired))},
		{"Waivers", fmt.Sprintf("%d in force, %d expired; %s %s waived", inForce, expired, pdfCount(f.summary.Waived),
			pdfPlural(f.summary.Waived, "finding", "findings"))},
		{"License waste", d.wasteFigure()},
		{"Administrators", fmt.Sprintf("%s %s System Administrator, %s of them enabled %s", pdfCount(admins),
			pdfPlural(admins, "account holds", "accounts hold"), pdfCount(people), pdfPlural(people, "person", "people"))},
		{"Access profiles", fmt.Sprintf("%s distinct among %s users", pdfThousands(rep.AccessProfiles), pdfCount(len(rep.Users)))},
		{"Inputs", fmt.Sprintf("%d files, fingerprint %s…", len(rep.Inputs), f.fingerprint[:16])},
	}
}

// wasteFigure is the license waste in one line, or why there is none.
func (d *pdfDoc) wasteFigure() string {
	lr := d.rep.Licenses
	if !lr.HasGraph {
		return "not assessed: no Graph export"
	}
	var seats int64
	for _, c := range lr.Categories {
		seats += c.Seats
	}
	if !lr.HasPrices {
		return fmt.Sprintf("%s wasted %s (no price list: counts only)", pdfThousands(seats), pdfPlural(int(seats), "seat", "seats"))
	}
	return fmt.Sprintf("%s per year, %s wasted %s", pdfMoney(lr.TotalAnnual, lr.Currency), pdfThousands(seats),
		pdfPlural(int(seats), "seat", "seats"))
}

// pdfAdminCount counts the accounts holding System Administrator, and the
// enabled people among them.
func pdfAdminCount(users []queries.UserRow) (accounts, people int) {
	for _, u := range users {
		if direct, teams := pdfHolds(u, "System Administrator"); direct || len(teams) > 0 {
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
func (d *pdfDoc) severityTiles() {
	s := d.facts.summary
	tiles := []struct {
		label string
		n     int
		c     pdfRGB
	}{
		{"Critical", s.Critical, pdfSevColor("critical")}, {"High", s.High, pdfSevColor("high")},
		{"Medium", s.Medium, pdfSevColor("medium")}, {"Low", s.Low, pdfSevColor("low")},
		{"Info", s.Info, pdfSevColor("info")}, {"Waived", s.Waived, pdfColWaived},
	}
	const h, gap = 15.0, 2.5
	w := (pdfContentW - gap*float64(len(tiles)-1)) / float64(len(tiles))
	d.ensure(h)
	y := d.y()
	for i, t := range tiles {
		x := pdfMarginL + float64(i)*(w+gap)
		d.fillRect(x, y, w, h, t.c)
		num := pdfCount(t.n)
		big := pdfStyle{size: 17, bold: true, color: pdfColWhite}
		d.drawText(x+(w-d.width(num, big))/2, y+1.6, num, big)
		label := t.label
		if t.label != "Waived" {
			label += " open"
		}
		small := pdfStyle{size: 7.5, color: pdfColWhite}
		d.drawText(x+(w-d.width(label, small))/2, y+h-4.6, label, small)
	}
	d.setY(y + h)
}

func (d *pdfDoc) severityChart(x, y, w, h float64) error {
	s := d.facts.summary
	c := pdfBarChart{
		labels:   []string{"Critical", "High", "Medium", "Low", "Info"},
		values:   []float64{float64(s.Critical), float64(s.High), float64(s.Medium), float64(s.Low), float64(s.Info)},
		group:    []int{0, 1, 2, 3, 4},
		groups:   rules.Severities,
		format:   pdfFormatCount,
		widthMM:  w,
		heightMM: h,
	}
	for _, sv := range rules.Severities {
		c.colors = append(c.colors, pdfSevColor(sv))
	}
	return d.chart(c, x, y)
}

// ruleChart: open findings per rule, bars coloured by severity, the rules
// with the most open findings first (at most pdfMaxChartBar).
func (d *pdfDoc) ruleChart() error {
	var ts []*pdfRuleTally
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
		return pdfSevOrder(ts[i].severity) < pdfSevOrder(ts[j].severity)
	})
	more := 0
	if len(ts) > pdfMaxChartBar {
		more = len(ts) - pdfMaxChartBar
		ts = ts[:pdfMaxChartBar]
	}
	c := pdfBarChart{horizontal: true, format: pdfFormatCount, widthMM: pdfContentW, groups: rules.Severities}
	for _, sv := range rules.Severities {
		c.colors = append(c.colors, pdfSevColor(sv))
	}
	// go-analyze draws the first category at the bottom; reverse, so the
	// largest bar is on top.
	for i := len(ts) - 1; i >= 0; i-- {
		t := ts[i]
		c.labels = append(c.labels, t.rule.ID)
		c.values = append(c.values, float64(t.open))
		g := pdfSevOrder(t.severity)
		if g >= len(rules.Severities) {
			g = len(rules.Severities) - 1
		}
		c.group = append(c.group, g)
	}
	c.heightMM = 10 + 5.3*float64(len(ts))
	legend := "Bar colour: severity. Waived findings are not counted."
	if more > 0 {
		legend = fmt.Sprintf("The %d rules with the most open findings; %s more in the table below. ", len(ts), pdfCount(more)) + legend
	}
	d.heading("Open findings by rule", pdfH3, -1, c.heightMM+pdfMuted.lineH())
	d.paragraph(legend, pdfMuted)
	y := d.y()
	if err := d.chart(c, pdfMarginL, y); err != nil {
		return err
	}
	d.setY(y + c.heightMM + 1)
	d.gap(3)
	return nil
}

// ruleSections: one section per rule that fired, most severe first.
func (d *pdfDoc) ruleSections() {
	d.running = "Findings by rule"
	d.pdf.AddPage()
	d.heading("2  Findings by rule", pdfH1, 0, 30)
	if len(d.facts.fired) == 0 {
		d.paragraph("No rule found anything in this export.", pdfBody)
		return
	}
	d.paragraph(fmt.Sprintf("One section per rule that fired, most severe first. Each lists up to %d subjects, open ones "+
		"first; findings.csv and report.xlsx (sheet Findings) hold every finding with its evidence.", pdfMaxSubjects), pdfBody)
	d.gap(3)
	for i, t := range d.facts.fired {
		d.ruleSection(fmt.Sprintf("2.%d", i+1), t)
	}
}

func (d *pdfDoc) ruleSection(num string, t *pdfRuleTally) {
	r := t.rule
	d.heading(num+"  "+r.ID, pdfH2, 1, 30)
	d.paragraph(r.Title, pdfBodyB)
	d.gap(1)
	d.badgeLine(t)
	d.gap(2)

	if r.Rationale != "" {
		d.heading("Why it matters", pdfH3, -1, 12)
		d.paragraph(r.Rationale, pdfBody)
	}
	if len(r.References) > 0 {
		d.gap(1)
		d.ensure(pdfSmall.lineH() * 2)
		d.drawText(pdfMarginL, d.y(), pdfPlural(len(r.References), "Source", "Sources"), pdfSmallB)
		d.setY(d.y() + pdfSmall.lineH())
		for _, ref := range r.References {
			d.link(pdfMarginL+3, pdfContentW-3, ref, pdfSmall.with(pdfColAccent))
		}
	}
	if r.Remediation != "" {
		d.gap(2)
		d.heading("What to do", pdfH3, -1, 12)
		d.paragraph(r.Remediation, pdfBody)
	}
	d.gap(2)
	d.heading("Subjects", pdfH3, -1, 15)
	rows := [][]string{}
	shown := t.findings
	if len(shown) > pdfMaxSubjects {
		shown = shown[:pdfMaxSubjects]
	}
	for _, i := range shown {
		fd := d.rep.Findings[i]
		rows = append(rows, []string{pdfSubjectLabel(fd), pdfOrDash(fd.BusinessUnit), fd.Message, pdfFindingStatus(fd)})
	}
	d.table(pdfCols("Subject", 0.2, "Business unit", 0.13, "Finding", 0.49, "Status", 0.18), rows)
	if more := len(t.findings) - len(shown); more > 0 {
		d.paragraph(pdfAndMore(more, "report.xlsx, sheet Findings"), pdfSmallB)
	}
	d.gap(5)
}

// badgeLine: the severity as a coloured badge, then the counts.
func (d *pdfDoc) badgeLine(t *pdfRuleTally) {
	st := pdfStyle{size: 8, bold: true, color: pdfColWhite}
	label := strings.ToUpper(t.severity)
	w := d.width(label, st) + 4
	h := st.lineH() + 1
	d.ensure(h)
	y := d.y()
	d.fillRect(pdfMarginL, y, w, h, pdfSevColor(t.severity))
	d.drawText(pdfMarginL+2, y+0.5, label, st)
	text := fmt.Sprintf("%s open · %s waived", pdfCount(t.open), pdfCount(t.waived))
	if t.rule.Severity != "" && t.rule.Severity != t.severity {
		text += fmt.Sprintf(" · severity set by the policy (catalogue default: %s)", t.rule.Severity)
	}
	d.drawText(pdfMarginL+w+3, y+0.5, text, pdfSmall)
	d.setY(y + h)
}

// pdfSubjectLabel names a finding's subject; a subject that is not a user
// says what it is.
func pdfSubjectLabel(f rules.Finding) string {
	name := pdfOrDash(f.SubjectName)
	switch f.SubjectType {
	case "", "user":
		return name
	case "fieldsecurityprofile":
		return name + " (field security profile)"
	}
	return name + " (" + f.SubjectType + ")"
}

// pdfFindingStatus is "Open", or the waiver that hides the finding.
func pdfFindingStatus(f rules.Finding) string {
	if !f.Waived {
		return "Open"
	}
	if f.Waiver == nil {
		return "Waived"
	}
	return fmt.Sprintf("Waived until %s by %s", f.Waiver.Expires, f.Waiver.Owner)
}
