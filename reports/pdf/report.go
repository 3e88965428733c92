package pdf

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/d365audit/d365audit/reports"
	"github.com/d365audit/d365audit/rules"
)

// report.pdf is what a compliance owner reads, signs and files. It is a
// summary, bounded in pages whatever the tenant's size: every list stops
// after a few dozen entries and says where the rest is (report.xlsx,
// findings.csv, manifest.json). It says what it covers and what it does
// not: the as-of date, the rule set, the rules not evaluated and why, and
// that waived findings are listed but not counted as open.

// Limits that keep the PDF bounded for a tenant of any size.
const (
	pdfMaxSubjects = 40 // subjects listed per rule section
	pdfMaxList     = 40 // rows of any other list (administrators, waste lines, waivers)
	pdfMaxInputs   = 60 // files of the input manifest
	pdfMaxChartBar = 15 // bars of one chart
)

// Writer writes report.pdf. The output is deterministic for one Report:
// the PDF's creation and modification dates are rep.GeneratedAt.
type Writer struct{}

// Write renders rep as report.pdf. The PDF is a bounded summary that reads
// only rep, laid out in well under a second, so it does not watch ctx.
func (Writer) Write(_ context.Context, w io.Writer, rep *reports.Report) error {
	if rep == nil {
		return fmt.Errorf("pdf: no report")
	}
	d, err := newPDFDoc(DocumentInfo{
		Title:       "Security and licensing audit: " + rep.Environment,
		Subject:     "Dynamics 365 / Dataverse security and licensing audit as of " + pdfDate(rep.AsOf),
		ToolVersion: rep.ToolVersion, Created: rep.GeneratedAt,
	})
	if err != nil {
		return err
	}
	d.rep, d.facts = rep, newPDFFacts(rep)
	pdf := d.pdf
	pdf.SetHeaderFunc(d.pageHeader)
	pdf.SetFooterFunc(d.pageFooter)

	d.cover()
	if err := d.executiveSummary(); err != nil {
		return err
	}
	d.changesSection() // only with rep.Changes: run --previous
	d.ruleSections()
	if err := d.licenseReview(); err != nil {
		return err
	}
	d.accessHighlights()
	d.appendix()
	d.signOff()
	if pdf.Err() {
		return fmt.Errorf("pdf: %w", pdf.Error())
	}
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("pdf: %w", err)
	}
	return nil
}

// pageHeader runs at the top of every page: a running header from the
// second page on, and a table's column headings when a table continues.
func (d *pdfDoc) pageHeader() {
	right := "Security and licensing audit as of " + pdfDate(d.rep.AsOf)
	if d.running != "" {
		right = d.running
	}
	d.runningPage("d365audit · "+d.rep.Environment, right, pdfContentW/2)
}

// runningPage starts a page: from the second page on, left and right texts
// over a rule (right cut to rightWidth); a continued table's headings.
func (d *pdfDoc) runningPage(left, right string, rightWidth float64) {
	p := d.pdf
	if p.PageNo() > 1 {
		st := pdfMuted
		right = d.fit(right, rightWidth, st)
		d.drawText(pdfMarginL, 10, left, st)
		d.drawText(pdfPageW-pdfMarginR-d.width(right, st), 10, right, st)
		p.SetDrawColor(pdfColRule.r, pdfColRule.g, pdfColRule.b)
		p.SetLineWidth(0.2)
		p.Line(pdfMarginL, 15, pdfPageW-pdfMarginR, 15)
	}
	p.SetY(pdfMarginTop)
	if d.openTable != nil {
		d.drawTableHeader(d.openTable)
	}
}

// pageFooter runs at the bottom of every page: what the page belongs to,
// and "Page X of Y".
func (d *pdfDoc) pageFooter() {
	d.runningFooter(fmt.Sprintf("%s · as of %s · rule set %s · inputs %s", d.rep.Environment, pdfDate(d.rep.AsOf),
		pdfOrDash(d.rep.RuleSetVersion), d.facts.fingerprint[:12]))
}

// runningFooter ends a page: a rule, left (cut to fit) and "Page X of Y".
func (d *pdfDoc) runningFooter(left string) {
	p := d.pdf
	y := pdfPageH - 13
	p.SetDrawColor(pdfColRule.r, pdfColRule.g, pdfColRule.b)
	p.SetLineWidth(0.2)
	p.Line(pdfMarginL, y-1.5, pdfPageW-pdfMarginR, y-1.5)
	st := pdfMuted
	d.drawText(pdfMarginL, y, d.fit(left, pdfContentW-32, st), st)
	// {nb} is replaced by the page count when the document closes; the
	// text is placed from a fixed left edge because its final width is not
	// known yet.
	d.drawText(pdfPageW-pdfMarginR-27, y, fmt.Sprintf("Page %d of {nb}", p.PageNo()), st)
}

// pdfFacts are the numbers several sections share, computed once.
type pdfFacts struct {
	summary     reports.Summary
	fingerprint string
	rules       map[string]rules.Rule
	tallies     map[string]*pdfRuleTally
	fired       []*pdfRuleTally // rules with at least one finding, most severe first
	notEval     map[string]string
	totalRows   int64
}

// pdfRuleTally is one rule's findings in this run.
type pdfRuleTally struct {
	rule     rules.Rule
	severity string // of its findings: the policy may override the catalogue's
	open     int
	waived   int
	findings []int // indexes into Report.Findings, open ones first
}

func newPDFFacts(rep *reports.Report) *pdfFacts {
	f := &pdfFacts{
		summary:     reports.Summarize(rep.Findings),
		fingerprint: reports.InputFingerprint(rep.Inputs),
		rules:       map[string]rules.Rule{},
		tallies:     map[string]*pdfRuleTally{},
		notEval:     map[string]string{},
	}
	for _, r := range rep.Rules {
		f.rules[r.ID] = r
	}
	for _, ne := range rep.NotEvaluated {
		f.notEval[ne.Rule] = ne.Why
	}
	for _, in := range rep.Inputs {
		f.totalRows += in.Rows
	}
	var waivedIdx = map[string][]int{}
	for i, fd := range rep.Findings {
		t := f.tallies[fd.Rule]
		if t == nil {
			r, ok := f.rules[fd.Rule]
			if !ok { // a finding of a rule outside the catalogue: show it anyway
				r = rules.Rule{ID: fd.Rule, Title: fd.Rule, Severity: fd.Severity}
			}
			t = &pdfRuleTally{rule: r, severity: fd.Severity}
			f.tallies[fd.Rule] = t
			f.fired = append(f.fired, t)
		}
		if rules.SeverityRank(fd.Severity) < rules.SeverityRank(t.severity) || rules.SeverityRank(t.severity) < 0 {
			t.severity = fd.Severity
		}
		if fd.Waived {
			t.waived++
			waivedIdx[fd.Rule] = append(waivedIdx[fd.Rule], i)
		} else {
			t.open++
			t.findings = append(t.findings, i)
		}
	}
	for id, idx := range waivedIdx {
		f.tallies[id].findings = append(f.tallies[id].findings, idx...)
	}
	sort.SliceStable(f.fired, func(i, j int) bool {
		a, b := f.fired[i], f.fired[j]
		if ra, rb := pdfSevOrder(a.severity), pdfSevOrder(b.severity); ra != rb {
			return ra < rb
		}
		return a.rule.ID < b.rule.ID
	})
	return f
}

// pdfSevOrder ranks a severity, unknown ones last.
func pdfSevOrder(s string) int {
	if r := rules.SeverityRank(s); r >= 0 {
		return r
	}
	return len(rules.Severities)
}

// Severity colours: the tiles, the badges and the chart bars agree.
func pdfSevColor(s string) pdfRGB {
	switch s {
	case "critical":
		return pdfRGB{123, 17, 43}
	case "high":
		return pdfRGB{200, 40, 40}
	case "medium":
		return pdfRGB{225, 112, 0}
	case "low":
		return pdfRGB{178, 134, 0}
	case "info":
		return pdfRGB{84, 110, 122}
	}
	return pdfRGB{120, 120, 120}
}

var pdfColWaived = pdfRGB{140, 146, 154}

func pdfSevTitle(s string) string {
	if s == "" {
		return "-"
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func pdfDate(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02")
}

func pdfTimestamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func pdfOrDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}

func pdfItoa(n int) string { return strconv.Itoa(n) }

// pdfThousands writes n with thousands separators: 12,345.
func pdfThousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func pdfCount(n int) string { return pdfThousands(int64(n)) }

// pdfMoney writes an amount with its currency: USD 1,234.50.
func pdfMoney(v float64, currency string) string {
	cents := int64(v*100 + 0.5)
	if v < 0 {
		cents = int64(v*100 - 0.5)
	}
	s := pdfThousands(cents/100) + fmt.Sprintf(".%02d", pdfAbs64(cents%100))
	if currency != "" {
		return currency + " " + s
	}
	return s
}

func pdfAbs64(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// pdfPlural picks the singular or plural noun for n.
func pdfPlural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// pdfAndMore is the line under a list that was cut short.
func pdfAndMore(n int, where string) string {
	return fmt.Sprintf("and %s more: see %s", pdfCount(n), where)
}
