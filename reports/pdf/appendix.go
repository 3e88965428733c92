package pdf

import (
	"fmt"
)

// The appendix of report.pdf and the sign-off block.

// appendix: the rule catalogue, the rules not evaluated, the waivers and
// the input manifest.
func (d *doc) appendix() {
	rep, f := d.rep, d.facts
	d.chapter("Appendix", "Appendix", 30)

	d.heading("A  Rule catalogue", h2, 1, 20)
	d.paragraph(fmt.Sprintf("Rule set %s: %d %s. Result per rule in this run.", orDash(rep.RuleSetVersion), len(rep.Rules),
		plural(len(rep.Rules), "rule", "rules")), body)
	d.gap(1)
	var rows [][]string
	for _, r := range rep.Rules {
		result := "No findings"
		if why, ok := f.notEval[r.ID]; ok {
			result = "Not evaluated: " + why
		} else if t := f.tallies[r.ID]; t != nil {
			result = fmt.Sprintf("%s open, %s waived", count(t.open), count(t.waived))
		}
		sev := sevTitle(r.Severity)
		if t := f.tallies[r.ID]; t != nil && t.severity != r.Severity {
			sev = sevTitle(t.severity) + " (policy)"
		}
		rows = append(rows, []string{r.ID, r.Title, sev, result})
	}
	d.table(makeColumns("Rule", 0.32, "Title", 0.38, "Severity", 0.11, "In this run", 0.19), rows)
	d.gap(3)

	d.heading("B  Rules not evaluated", h2, 1, 20)
	if len(rep.NotEvaluated) == 0 {
		d.paragraph("None: every rule of the catalogue was evaluated on these inputs.", body)
	} else {
		d.paragraph("A rule is not evaluated when an input it needs did not come with the export; its absence from the "+
			"findings says nothing about the environment.", body)
		d.gap(1)
		var ne [][]string
		for _, n := range rep.NotEvaluated {
			title := n.Rule
			if r, ok := f.rules[n.Rule]; ok {
				title = r.Title
			}
			ne = append(ne, []string{n.Rule, title, n.Why})
		}
		d.table(makeColumns("Rule", 0.32, "Title", 0.3, "Why", 0.38), ne)
	}
	d.gap(3)

	d.waiverTable()
	d.inputManifest()
}

func (d *doc) waiverTable() {
	ws := d.rep.Waivers
	d.heading("C  Waivers", h2, 1, 20)
	if len(ws) == 0 {
		d.paragraph("No waivers file, or no waivers in it.", body)
		d.gap(3)
		return
	}
	d.paragraph("Every waiver of the waivers file and what became of it. A waiver in force hides the findings it names "+
		"until its expiry day; an expired waiver hides nothing.", body)
	d.gap(1)
	shown := firstN(ws, maxList)
	var rows [][]string
	for _, w := range shown {
		status := fmt.Sprintf("In force, hides %d %s", len(w.Matched), plural(len(w.Matched), "finding", "findings"))
		switch {
		case w.Expired:
			status = "Expired: hides nothing"
		case len(w.Matched) == 0:
			status = "In force, matches no finding"
		}
		rows = append(rows, []string{w.Rule + "\n" + w.Subject, w.Owner + "\nuntil " + w.Expires, status, w.Reason})
	}
	d.table(makeColumns("~Rule and subject", 0.25, "~Owner and expiry", 0.31, "Status", 0.13, "Reason", 0.31), rows)
	if more := len(ws) - len(shown); more > 0 {
		d.paragraph(andMore(more, "findings.json"), smallB)
	}
	d.gap(3)
}

func (d *doc) inputManifest() {
	ins := d.rep.Inputs
	d.heading("D  Input manifest", h2, 1, 20)
	d.paragraph(fmt.Sprintf("The %d input %s this report was made from, with their SHA-256. Input fingerprint (SHA-256 of "+
		"this manifest): %s.", len(ins), plural(len(ins), "file", "files"), d.facts.fingerprint), body)
	d.gap(1)
	shown := firstN(ins, maxInputs)
	var rows [][]string
	for _, in := range shown {
		rowsText := "-"
		if in.Rows > 0 {
			rowsText = thousands(in.Rows)
		}
		rows = append(rows, []string{in.File, in.Kind, rowsText, thousands(in.Bytes), hashLines(in.SHA256)})
	}
	d.table(makeColumns("~File", 0.28, "~Kind", 0.24, ">Rows", 0.07, ">Bytes", 0.09, "~SHA-256", 0.32), rows)
	if more := len(ins) - len(shown); more > 0 {
		d.paragraph(andMore(more, "manifest.json"), smallB)
	}
}

// signOff: the block the compliance owner signs, on its own page.
func (d *doc) signOff() {
	rep, f := d.rep, d.facts
	d.chapter("Sign-off", "Sign-off", 60)
	s := f.summary
	open := f.open
	d.paragraph(fmt.Sprintf("We have reviewed this report of environment %s as of %s: %s open %s (%d critical, %d high, "+
		"%d medium, %d low, %d info) and %s waived, found by rule set %s over the inputs of Appendix D.",
		orDash(rep.Environment), date(rep.AsOf), count(open), plural(open, "finding", "findings"),
		s.Critical, s.High, s.Medium, s.Low, s.Info, count(s.Waived), orDash(rep.RuleSetVersion)), body)
	d.gap(3)
	d.keyValues([][2]string{
		{"Environment", orDash(rep.Environment)},
		{"Audit as of", date(rep.AsOf)},
		{"Generated", timestamp(rep.GeneratedAt)},
		{"Rule set", orDash(rep.RuleSetVersion)},
		{"Input fingerprint", f.fingerprint},
	}, 38, body)
	d.gap(6)
	for _, role := range []string{"Prepared by", "Reviewed by", "Approved by"} {
		d.signatureBlock(role)
	}
}

// signatureBlock: a role, then lines for name, function, date and
// signature.
func (d *doc) signatureBlock(role string) {
	const h = 40.0
	d.ensure(h + 4)
	y := d.y()
	d.pdf.SetDrawColor(colRule.r, colRule.g, colRule.b)
	d.pdf.SetLineWidth(0.3)
	d.pdf.Rect(marginL, y, contentW, h, "D")
	d.drawText(marginL+3, y+2.5, role, h3)
	half := (contentW - 9) / 2
	fields := [][2]float64{{marginL + 3, y + 15}, {marginL + 6 + half, y + 15}, {marginL + 3, y + 29}, {marginL + 6 + half, y + 29}}
	labels := []string{"Name", "Function", "Date", "Signature"}
	d.pdf.SetDrawColor(120, 126, 134)
	d.pdf.SetLineWidth(0.2)
	for i, p := range fields {
		d.pdf.Line(p[0], p[1]+5, p[0]+half, p[1]+5)
		d.drawText(p[0], p[1]+6, labels[i], muted)
	}
	d.setY(y + h + 5)
}

// hashLines splits a SHA-256 into two lines of 32 digits, so every hash
// wraps at the same place and reads in two glances.
func hashLines(h string) string {
	if len(h) == 64 {
		return h[:32] + "\n" + h[32:]
	}
	return h
}
