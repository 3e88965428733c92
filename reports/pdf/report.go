// Package pdf writes report.pdf, the sign-off report (Writer), and lends its
// layout to other commands as Document: the same embedded fonts, headings
// and tables.
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
	maxSubjects = 40 // subjects listed per rule section
	maxList     = 40 // rows of any other list (administrators, waste lines, waivers)
	maxInputs   = 60 // files of the input manifest
	maxChartBar = 15 // bars of one chart
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
	d, err := newDoc(DocumentInfo{
		Title:       "Security and licensing audit: " + rep.Environment,
		Subject:     "Dynamics 365 / Dataverse security and licensing audit as of " + date(rep.AsOf),
		ToolVersion: rep.ToolVersion, Created: rep.GeneratedAt,
	})
	if err != nil {
		return err
	}
	d.rep, d.facts = rep, newReportFacts(rep)
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
	d.acrossEnvironments() // only in a tenant run
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
func (d *doc) pageHeader() {
	right := "Security and licensing audit as of " + date(d.rep.AsOf)
	if d.running != "" {
		right = d.running
	}
	d.runningPage("d365audit · "+d.rep.Environment, right, contentW/2)
}

// runningPage starts a page: from the second page on, left and right texts
// over a rule (right cut to rightWidth); a continued table's headings.
func (d *doc) runningPage(left, right string, rightWidth float64) {
	p := d.pdf
	if p.PageNo() > 1 {
		st := muted
		right = d.fit(right, rightWidth, st)
		d.drawText(marginL, 10, left, st)
		d.drawText(pageW-marginR-d.width(right, st), 10, right, st)
		p.SetDrawColor(colRule.r, colRule.g, colRule.b)
		p.SetLineWidth(0.2)
		p.Line(marginL, 15, pageW-marginR, 15)
	}
	p.SetY(marginTop)
	if d.openTable != nil {
		d.drawTableHeader(d.openTable)
	}
}

// pageFooter runs at the bottom of every page: what the page belongs to,
// and "Page X of Y".
func (d *doc) pageFooter() {
	d.runningFooter(fmt.Sprintf("%s · as of %s · rule set %s · inputs %s", d.rep.Environment, date(d.rep.AsOf),
		orDash(d.rep.RuleSetVersion), d.facts.fingerprint[:12]))
}

// runningFooter ends a page: a rule, left (cut to fit) and "Page X of Y".
func (d *doc) runningFooter(left string) {
	p := d.pdf
	y := pageH - 13
	p.SetDrawColor(colRule.r, colRule.g, colRule.b)
	p.SetLineWidth(0.2)
	p.Line(marginL, y-1.5, pageW-marginR, y-1.5)
	st := muted
	d.drawText(marginL, y, d.fit(left, contentW-32, st), st)
	// {nb} is replaced by the page count when the document closes; the
	// text is placed from a fixed left edge because its final width is not
	// known yet.
	d.drawText(pageW-marginR-27, y, fmt.Sprintf("Page %d of {nb}", p.PageNo()), st)
}

// reportFacts are the numbers several sections share, computed once.
type reportFacts struct {
	summary     reports.Summary
	open        int // findings not waived, all severities
	fingerprint string
	rules       map[string]rules.Rule
	tallies     map[string]*ruleTally
	fired       []*ruleTally // rules with at least one finding, most severe first
	notEval     map[string]string
	totalRows   int64
}

// ruleTally is one rule's findings in this run.
type ruleTally struct {
	rule     rules.Rule
	severity string // of its findings: the policy may override the catalogue's
	open     int
	waived   int
	findings []int // indexes into Report.Findings, open ones first
}

func newReportFacts(rep *reports.Report) *reportFacts {
	f := &reportFacts{
		summary:     reports.Summarize(rep.Findings),
		fingerprint: reports.InputFingerprint(rep.Inputs),
		rules:       map[string]rules.Rule{},
		tallies:     map[string]*ruleTally{},
		notEval:     map[string]string{},
	}
	s := f.summary
	f.open = s.Critical + s.High + s.Medium + s.Low + s.Info
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
			t = &ruleTally{rule: r, severity: fd.Severity}
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
		if ra, rb := sevOrder(a.severity), sevOrder(b.severity); ra != rb {
			return ra < rb
		}
		return a.rule.ID < b.rule.ID
	})
	return f
}

// sevOrder ranks a severity, unknown ones last.
func sevOrder(s string) int {
	if r := rules.SeverityRank(s); r >= 0 {
		return r
	}
	return len(rules.Severities)
}

// Severity colours: the tiles, the badges and the chart bars agree.
func sevColor(s string) rgb {
	switch s {
	case "critical":
		return rgb{123, 17, 43}
	case "high":
		return rgb{200, 40, 40}
	case "medium":
		return rgb{225, 112, 0}
	case "low":
		return rgb{178, 134, 0}
	case "info":
		return rgb{84, 110, 122}
	}
	return rgb{120, 120, 120}
}

var colWaived = rgb{140, 146, 154}

func sevTitle(s string) string {
	if s == "" {
		return "-"
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func date(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02")
}

func timestamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}

func itoa(n int) string { return strconv.Itoa(n) }

// thousands writes n with thousands separators: 12,345.
func thousands(n int64) string {
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

func count(n int) string { return thousands(int64(n)) }

// money writes an amount with its currency: USD 1,234.50.
func money(v float64, currency string) string {
	cents := int64(v*100 + 0.5)
	if v < 0 {
		cents = int64(v*100 - 0.5)
	}
	s := thousands(cents/100) + fmt.Sprintf(".%02d", abs64(cents%100))
	if currency != "" {
		return currency + " " + s
	}
	return s
}

func abs64(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// firstN is the first n elements of list, or all of them: a list in the
// PDF stops after n entries and says where the rest is.
func firstN[T any](list []T, n int) []T {
	if len(list) > n {
		return list[:n]
	}
	return list
}

// plural picks the singular or plural noun for n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// andMore is the line under a list that was cut short.
func andMore(n int, where string) string {
	return fmt.Sprintf("and %s more: see %s", count(n), where)
}
