package pdf

import (
	"fmt"
)

// The appendix of report.pdf and the sign-off block.

// appendix: the rule catalogue, the rules not evaluated, the waivers and
// the input manifest.
func (d *pdfDoc) appendix() {
	rep, f := d.rep, d.facts
	d.running = "Appendix"
	d.pdf.AddPage()
	d.heading("Appendix", pdfH1, 0, 30)

	d.heading("A  Rule catalogue", pdfH2, 1, 20)
	d.paragraph(fmt.Sprintf("Rule set %s: %d %s. Result per rule in this run.", pdfOrDash(rep.RuleSetVersion), len(rep.Rules),
		pdfPlural(len(rep.Rules), "rule", "rules")), pdfBody)
	d.gap(1)
	var rows [][]string
	for _, r := range rep.Rules {
		result := "No findings"
		if why, ok := f.notEval[r.ID]; ok {
			result = "Not evaluated: " + why
		} else if t := f.tallies[r.ID]; t != nil {
			result = fmt.Sprintf("%s open, %s waived", pdfCount(t.open), pdfCount(t.waived))
		}
		sev := pdfSevTitle(r.Severity)
		if t := f.tallies[r.ID]; t != nil && t.severity != r.Severity {
			sev = pdfSevTitle(t.severity) + " (policy)"
		}
		rows = append(rows, []string{r.ID, r.Title, sev, result})
	}
	d.table(pdfCols("Rule", 0.32, "Title", 0.38, "Severity", 0.11, "In this run", 0.19), rows)
	d.gap(3)

	d.heading("B  Rules not evaluated", pdfH2, 1, 20)
	if len(rep.NotEvaluated) == 0 {
		d.paragraph("None: every rule of the catalogue was evaluated on these inputs.", pdfBody)
	} else {
		d.paragraph("A rule is not evaluated when an input it needs did not come with the export; its absence from the "+
			"findings says nothing about the environment.", pdfBody)
		d.gap(1)
		var ne [][]string
		for _, n := range rep.NotEvaluated {
			title := n.Rule
			if r, ok := f.rules[n.Rule]; ok {
				title = r.Title
			}
			ne = append(ne, []string{n.Rule, title, n.Why})
		}
		d.table(pdfCols("Rule", 0.32, "Title", 0.3, "Why", 0.38), ne)
	}
	d.gap(3)

	d.waiverTable()
	d.inputManifest()
}

func (d *pdfDoc) waiverTable() {
	ws := d.rep.Waivers
	d.heading("C  Waivers", pdfH2, 1, 20)
	if len(ws) == 0 {
		d.paragraph("No waivers file, or no waivers in it.", pdfBody)
		d.gap(3)
		return
	}
	d.paragraph("Every waiver of the waivers file and what became of it. A waiver in force hides the findings it names "+
		"until its expiry day; an expired waiver hides nothing.", pdfBody)
	d.gap(1)
	shown := ws
	if len(shown) > pdfMaxList {
		shown = shown[:pdfMaxList]
	}
	var rows [][]string
	for _, w := range shown {
		status := fmt.Sprintf("In force, hides %d %s", len(w.Matched), pdfPlural(len(w.Matched), "finding", "findings"))
		switch {
		case w.Expired:
			status = "Expired: hides nothing"
		case len(w.Matched) == 0:
			status = "In force, matches no finding"
		}
		rows = append(rows, []string{w.Rule + "\n" + w.Subject, w.Owner + "\nuntil " + w.Expires, status, w.Reason})
	}
	d.table(pdfCols("~Rule and subject", 0.25, "~Owner and expiry", 0.31, "Status", 0.13, "Reason", 0.31), rows)
	if more := len(ws) - len(shown); more > 0 {
		d.paragraph(pdfAndMore(more, "findings.json"), pdfSmallB)
	}
	d.gap(3)
}

func (d *pdfDoc) inputManifest() {
	ins := d.rep.Inputs
	d.heading("D  Input manifest", pdfH2, 1, 20)
	d.paragraph(fmt.Sprintf("The %d input %s this report was made from, with their SHA-256. Input fingerprint (SHA-256 of "+
		"this manifest): %s.", len(ins), pdfPlural(len(ins), "file", "files"), d.facts.fingerprint), pdfBody)
	d.gap(1)
	shown := ins
	if len(shown) > pdfMaxInputs {
		shown = shown[:pdfMaxInputs]
	}
	var rows [][]string
	for _, in := range shown {
		rowsText := "-"
		if in.Rows > 0 {
			rowsText = pdfThousands(in.Rows)
		}
		rows = append(rows, []string{in.File, in.Kind, rowsText, pdfThousands(in.Bytes), pdfHashLines(in.SHA256)})
	}
	d.table(pdfCols("~File", 0.28, "~Kind", 0.24, ">Rows", 0.07, ">Bytes", 0.09, "~SHA-256", 0.32), rows)
	if more := len(ins) - len(shown); more > 0 {
		d.paragraph(pdfAndMore(more, "manifest.json"), pdfSmallB)
	}
}

// signOff: the block the compliance owner signs, on its own page.
func (d *pdfDoc) signOff() {
	rep, f := d.rep, d.facts
	d.running = "Sign-off"
	d.pdf.AddPage()
	d.heading("Sign-off", pdfH1, 0, 60)
	s := f.summary
	open := s.Critical + s.High + s.Medium + s.Low + s.Info
	d.paragraph(fmt.Sprintf("We have reviewed this report of environment %s as of %s: %s open %s (%d critical, %d high, "+
		"%d medium, %d low, %d info) and %s waived, found by rule set %s over the inputs of Appendix D.",
		pdfOrDash(rep.Environment), pdfDate(rep.AsOf), pdfCount(open), pdfPlural(open, "finding", "findings"),
		s.Critical, s.High, s.Medium, s.Low, s.Info, pdfCount(s.Waived), pdfOrDash(rep.RuleSetVersion)), pdfBody)
	d.gap(3)
	d.keyValues([][2]string{
		{"Environment", pdfOrDash(rep.Environment)},
		{"Audit as of", pdfDate(rep.AsOf)},
		{"Generated", pdfTimestamp(rep.GeneratedAt)},
		{"Rule set", pdfOrDash(rep.RuleSetVersion)},
		{"Input fingerprint", f.fingerprint},
	}, 38, pdfBody)
	d.gap(6)
	for _, role := range []string{"Prepared by", "Reviewed by", "Approved by"} {
		d.signatureBlock(role)
	}
}

// signatureBlock: a role, then lines for name, function, date and
// signature.
func (d *pdfDoc) signatureBlock(role string) {
	const h = 40.0
	d.ensure(h + 4)
	y := d.y()
	d.pdf.SetDrawColor(pdfColRule.r, pdfColRule.g, pdfColRule.b)
	d.pdf.SetLineWidth(0.3)
	d.pdf.Rect(pdfMarginL, y, pdfContentW, h, "D")
	d.drawText(pdfMarginL+3, y+2.5, role, pdfH3)
	half := (pdfContentW - 9) / 2
	fields := [][2]float64{{pdfMarginL + 3, y + 15}, {pdfMarginL + 6 + half, y + 15}, {pdfMarginL + 3, y + 29}, {pdfMarginL + 6 + half, y + 29}}
	labels := []string{"Name", "Function", "Date", "Signature"}
	d.pdf.SetDrawColor(120, 126, 134)
	d.pdf.SetLineWidth(0.2)
	for i, p := range fields {
		d.pdf.Line(p[0], p[1]+5, p[0]+half, p[1]+5)
		d.drawText(p[0], p[1]+6, labels[i], pdfMuted)
	}
	d.setY(y + h + 5)
}

// pdfHashLines splits a SHA-256 into two lines of 32 digits, so every hash
// wraps at the same place and reads in two glances.
func pdfHashLines(h string) string {
	if len(h) == 64 {
		return h[:32] + "\n" + h[32:]
	}
	return h
}
