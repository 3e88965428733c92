package pdf

import (
	"fmt"
	"sort"
	"strings"

	"github.com/d365audit/d365audit/reports"
)

// The license cost review of report.pdf, and its chart.

// wasteSummary: the license waste by SKU as a chart, or a line saying
// why there is none.
func (d *doc) wasteSummary() error {
	lr := d.rep.Licenses
	skus := wasteBySKU(lr)
	switch {
	case !lr.HasGraph:
		d.heading("License waste by SKU", h3, -1, 10)
		d.paragraph("No Graph export: license review not performed (section 3).", body.with(colMuted))
		d.gap(4)
		return nil
	case len(skus) == 0:
		d.heading("License waste by SKU", h3, -1, 10)
		d.paragraph("No wasted seats found (section 3).", body)
		d.gap(4)
		return nil
	}
	return d.wasteChart(skus, 8)
}

// wasteChart charts the waste of the top n SKUs, under its title: annual
// cost with a price list, seats without.
func (d *doc) wasteChart(skus []skuWaste, n int) error {
	lr := d.rep.Licenses
	title := "License waste by SKU: wasted seats (no price list: counts only)"
	if lr.HasPrices {
		title = "License waste by SKU: cost per year (" + orDash(lr.Currency) + ")"
	}
	more := 0
	if len(skus) > n {
		more = len(skus) - n
		skus = skus[:n]
	}
	c := barChart{horizontal: true, widthMM: contentW, heightMM: 10 + 6*float64(len(skus)),
		groups: []string{"waste"}, colors: []rgb{colAccent}, format: formatCount}
	if lr.HasPrices {
		c.format = compactMoney
	}
	// go-analyze draws the first category at the bottom: reverse, so the
	// largest bar is on top.
	for i := len(skus) - 1; i >= 0; i-- {
		c.labels = append(c.labels, skus[i].sku)
		v := float64(skus[i].seats)
		if lr.HasPrices {
			v = skus[i].annual
		}
		c.values = append(c.values, v)
		c.group = append(c.group, 0)
	}
	d.heading(title, h3, -1, c.heightMM)
	y := d.y()
	if err := d.chart(c, marginL, y); err != nil {
		return err
	}
	d.setY(y + c.heightMM + 1)
	if more > 0 {
		d.paragraph(andMore(more, "section 3")+".", muted)
	}
	d.gap(4)
	return nil
}

// skuWaste is the waste of one SKU: seats and, with a price list, cost.
type skuWaste struct {
	sku    string
	seats  int64
	annual float64
}

func wasteBySKU(lr reports.LicenseReview) []skuWaste {
	idx := map[string]int{}
	var out []skuWaste
	for _, wl := range lr.Waste {
		key := wl.SKUPart
		if key == "" {
			key = wl.ProductName
		}
		i, ok := idx[key]
		if !ok {
			i = len(out)
			idx[key] = i
			out = append(out, skuWaste{sku: key})
		}
		out[i].seats += wl.Seats
		out[i].annual += wl.Annual
	}
	sort.SliceStable(out, func(i, j int) bool {
		if lr.HasPrices && out[i].annual != out[j].annual {
			return out[i].annual > out[j].annual
		}
		if out[i].seats != out[j].seats {
			return out[i].seats > out[j].seats
		}
		return out[i].sku < out[j].sku
	})
	return out
}

// compactMoney writes 12.3k, 1.2M: for chart labels.
func compactMoney(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.1fM", v/1e6)
	case v >= 1e4:
		return fmt.Sprintf("%.0fk", v/1e3)
	case v >= 1e3:
		return fmt.Sprintf("%.1fk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}

// licenseReview: seats, waste and cost, or why there is none.
func (d *doc) licenseReview() error {
	lr := d.rep.Licenses
	d.chapter("License cost review", "3  License cost review", 30)
	if !lr.HasGraph {
		msg := "No Graph export: license review not performed. This report holds no Microsoft Graph license data " +
			"(subscribed SKUs and the licenses assigned to each user), so wasted seats and their cost were not assessed."
		if d.hasGraphInputs() {
			msg = "License review not performed: the inputs include Microsoft Graph files, but this run produced no " +
				"license review from them (no subscribed SKUs and assigned licenses reached the report), so wasted seats " +
				"and their cost were not assessed."
		}
		d.note(msg, body)
		return nil
	}
	if !lr.HasUsers {
		d.note("No graph/users.json (only subscribedSkus.json): the review counts the idle seats of each SKU; the licenses "+
			"of each user (disabled, without a role, inactive) were not reviewed.", body)
	}
	if !lr.HasPrices {
		d.note("No price list: counts only. Without prices.csv the review counts wasted seats but cannot say what they cost.", body)
	}
	skus := wasteBySKU(lr)
	var seats int64
	for _, s := range skus {
		seats += s.seats
	}
	if lr.HasPrices {
		d.paragraph(fmt.Sprintf("%s wasted %s, costing %s per month and %s per year.", thousands(seats),
			plural(int(seats), "seat", "seats"), money(lr.TotalMonthly, lr.Currency), money(lr.TotalAnnual, lr.Currency)), bodyB)
	} else {
		d.paragraph(fmt.Sprintf("%s wasted %s.", thousands(seats), plural(int(seats), "seat", "seats")), bodyB)
	}
	d.gap(2)
	if len(skus) > 0 {
		if err := d.wasteChart(skus, 12); err != nil {
			return err
		}
	}
	if len(lr.Categories) > 0 {
		d.heading("Waste by category", h3, -1, 15)
		d.paragraph("Each wasted seat is counted once, in the first category that applies.", muted)
		d.gap(1)
		var rows [][]string
		for _, c := range lr.Categories {
			row := []string{c.Category, thousands(c.Seats)}
			if lr.HasPrices {
				row = append(row, money(c.Monthly, lr.Currency), money(c.Annual, lr.Currency))
			}
			rows = append(rows, row)
		}
		if lr.HasPrices {
			d.table(makeColumns("Category", 0.46, ">Seats", 0.14, ">Per month", 0.2, ">Per year", 0.2), rows)
		} else {
			d.table(makeColumns("Category", 0.8, ">Seats", 0.2), rows)
		}
	}
	d.skuTable(lr)
	if note := lr.CatalogNote(); note != "" {
		d.note(note, body)
	}
	d.wasteLines(lr)
	d.licenseNeeds(lr)
	return nil
}

// licenseNeeds: per person, the Dynamics 365 licenses their access to
// restricted tables needs beside what they hold; the right-sizing
// candidates, as candidates.
func (d *doc) licenseNeeds(lr reports.LicenseReview) {
	if len(lr.People) == 0 {
		return
	}
	byStatus := map[string]int{}
	for _, p := range lr.People {
		byStatus[p.Status]++
	}
	d.heading("Dynamics 365 licenses needed and held", h3, -1, 25)
	msg := fmt.Sprintf("%d %s can create, update or delete on restricted tables (which need a Dynamics 365 license); "+
		"%d of them hold none of the licenses that allow it (LIC_RESTRICTED_TABLE_UNLICENSED). "+
		"%d %s a paid Dynamics 365 seat their access uses for no restricted-table write: right-sizing "+
		"candidates to review, not waste, since which apps a person opens is not in the export.",
		byStatus["needed"]+byStatus["unlicensed"], plural(byStatus["needed"]+byStatus["unlicensed"], "person", "people"),
		byStatus["unlicensed"], lr.Candidates, plural(lr.Candidates, "person holds", "people hold"))
	if lr.HasPrices && lr.CandidateMonthly > 0 {
		msg += fmt.Sprintf(" As Power Apps per user they would cost %s less per month.", money(lr.CandidateMonthly, lr.Currency))
	}
	d.paragraph(msg, body)
	d.gap(1)
	shown := firstN(lr.People, maxList)
	var rows [][]string
	for _, p := range shown {
		tables := strings.Join(p.Tables, ", ")
		if tables == "" {
			tables = "-"
		}
		held := strings.Join(p.Seats, ", ")
		if held == "" {
			held = strings.Join(p.Licenses, ", ")
		}
		diff := "-"
		if p.MonthlyDifference != nil {
			diff = money(*p.MonthlyDifference, "")
		}
		rows = append(rows, []string{p.UserName, p.Status, tables, orDash(held), diff})
	}
	d.table(makeColumns("Person", 0.2, "Status", 0.12, "~Restricted tables written", 0.3, "~Dynamics 365 seats held", 0.26,
		">Difference per month", 0.12), rows)
	if more := len(lr.People) - len(shown); more > 0 {
		d.paragraph(andMore(more, "report.xlsx"), smallB)
	}
}

func (d *doc) hasGraphInputs() bool {
	for _, in := range d.rep.Inputs {
		if strings.HasPrefix(in.Kind, "graph_") || strings.HasPrefix(in.File, "graph/") {
			return true
		}
	}
	return false
}

func (d *doc) skuTable(lr reports.LicenseReview) {
	if len(lr.SKUs) == 0 {
		return
	}
	d.heading("Subscribed SKUs", h3, -1, 15)
	if n := capacityCount(lr); n > 0 {
		d.paragraph(fmt.Sprintf("%d tenant-level %s (capacity: Graph appliesTo \"Company\", or a capacity add-on) %s "+
			"assigned to no user: never counted as idle seats. Locked-out units (a cancelled subscription) are not "+
			"available seats either.", n, plural(n, "SKU", "SKUs"), plural(n, "is", "are")), muted)
	}
	skus := firstN(lr.SKUs, maxList)
	var rows [][]string
	for _, s := range skus {
		name := s.PartNumber
		if s.ProductName != "" && s.ProductName != s.PartNumber {
			name += "\n" + s.ProductName
		}
		status, idle := orDash(s.Status), thousands(s.Idle)
		switch {
		case s.Capacity:
			status, idle = status+"\ncapacity", "-"
		case s.LockedOut > 0:
			status += fmt.Sprintf("\n%s locked out", thousands(s.LockedOut))
		}
		if s.Over > 0 {
			status += fmt.Sprintf("\n%s over", thousands(s.Over))
		}
		row := []string{name, status, thousands(s.Enabled), thousands(s.Consumed), idle}
		if lr.HasPrices {
			price := "-"
			if s.MonthlyPrice != nil {
				price = money(*s.MonthlyPrice, "")
			}
			row = append(row, price, money(s.IdleAnnual, ""))
		}
		rows = append(rows, row)
	}
	if lr.HasPrices {
		cur := orDash(lr.Currency)
		d.table(makeColumns("~SKU", 0.34, "Status", 0.11, ">Enabled", 0.09, ">Consumed", 0.11, ">Idle", 0.07,
			">Price per month ("+cur+")", 0.13, ">Idle cost per year ("+cur+")", 0.15), rows)
	} else {
		d.table(makeColumns("SKU", 0.5, "Status", 0.14, ">Enabled", 0.12, ">Consumed", 0.12, ">Idle", 0.12), rows)
	}
	if more := len(lr.SKUs) - len(skus); more > 0 {
		d.paragraph(andMore(more, "report.xlsx"), smallB)
	}
}

// wasteLines lists the costliest wasted seats.
func (d *doc) wasteLines(lr reports.LicenseReview) {
	if len(lr.Waste) == 0 {
		return
	}
	lines := append([]reports.WasteLine(nil), lr.Waste...)
	sort.SliceStable(lines, func(i, j int) bool { return lines[i].Annual > lines[j].Annual })
	shown := firstN(lines, maxList)
	title := "Wasted seats"
	if lr.HasPrices {
		title = "Costliest wasted seats"
	}
	d.heading(title, h3, -1, 15)
	var rows [][]string
	for _, w := range shown {
		who := w.UserName
		if who == "" {
			who = fmt.Sprintf("%s idle %s", thousands(w.Seats), plural(int(w.Seats), "seat", "seats"))
		}
		row := []string{who, w.SKUPart, w.Category, w.Reason}
		if lr.HasPrices {
			row = append(row, money(w.Annual, ""))
		}
		rows = append(rows, row)
	}
	if lr.HasPrices {
		d.table(makeColumns("User", 0.2, "SKU", 0.26, "Category", 0.15, "Reason", 0.27, ">Per year ("+orDash(lr.Currency)+")", 0.12), rows)
	} else {
		d.table(makeColumns("User", 0.22, "SKU", 0.27, "Category", 0.17, "Reason", 0.34), rows)
	}
	if more := len(lines) - len(shown); more > 0 {
		d.paragraph(andMore(more, "report.xlsx"), smallB)
	}
}

// capacityCount counts the tenant-level SKUs of the review.
func capacityCount(lr reports.LicenseReview) int {
	n := 0
	for _, s := range lr.SKUs {
		if s.Capacity {
			n++
		}
	}
	return n
}
