package pdf_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/d365audit/d365audit/audit"
	"github.com/d365audit/d365audit/queries/reportdata"
	"github.com/d365audit/d365audit/reports"
	"github.com/d365audit/d365audit/rules"
)

const samples = "../../samples/contoso"

// generatedAt is the fixed clock of the sample report.
var generatedAt = time.Date(2026, 11, 20, 8, 30, 0, 0, time.UTC)

// sampleReport returns the Report of samples/contoso, built once for all
// the PDF tests. Its Access is nil: the PDF does not read the matrix, and
// the database is closed once the report is built.
var sampleReport = buildOnce(buildSampleReport)

// buildOnce builds a Report once for every test that asks for it; a
// failure fails each of them.
func buildOnce(build func() (*reports.Report, error)) func(testing.TB) *reports.Report {
	get := sync.OnceValues(build)
	return func(t testing.TB) *reports.Report {
		t.Helper()
		rep, err := get()
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
}

// buildSampleReport builds the Report of samples/contoso as run does
// (audit.Prepare), with a fixed clock.
func buildSampleReport() (*reports.Report, error) {
	a, err := audit.Prepare(context.Background(), audit.Options{Input: samples, Now: generatedAt, ToolVersion: "test"})
	if err != nil {
		return nil, fmt.Errorf("build the sample report: %w", err)
	}
	defer a.Close()
	rep := a.Report
	rep.Access = nil // the PDF does not read the matrix, and the database closes here
	return rep, nil
}

// largeReport builds, in memory, the Report of a large tenant: users
// people (names in several scripts), a finding for a share of them under
// every rule of the built-in catalogue (a few not evaluated), and a
// license review with thousands of wasted seats. The PDF must stay a
// summary of it.
func largeReport(t testing.TB, users int) *reports.Report {
	t.Helper()
	builtin, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	catalogue, err := rules.Catalogue(builtin)
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"Zoë Müller", "Δημήτρης Παπαδόπουλος", "Ольга Иванова", "田中 愛子", "José Núñez", "Mehmet Yılmaz"}
	bus := []string{"contoso", "EMEA Sales", "DACH Sales", "US Sales", "Group Finance", "LATAM Sales"}
	profiles := users/7 + 1
	rep := &reports.Report{
		Environment: "large-tenant", GeneratedAt: generatedAt, AsOf: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC),
		ToolVersion: "bench", RuleSetVersion: rules.Version, Policy: "policy.yaml", Rules: catalogue,
		AccessProfiles: int64(profiles),
	}
	var evaluated []rules.Rule
	for i, r := range catalogue {
		if i%9 == 8 {
			rep.NotEvaluated = append(rep.NotEvaluated, rules.NotEvaluated{Rule: r.ID, Why: "graph/users.json has no signInActivity"})
			continue
		}
		rep.Evaluated = append(rep.Evaluated, r.ID)
		evaluated = append(evaluated, r)
	}
	rep.Users = make([]reportdata.UserRow, users)
	for i := range rep.Users {
		bu := bus[i%len(bus)]
		u := reportdata.UserRow{
			ID: fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i), DomainName: fmt.Sprintf("user%06d@contoso.example", i),
			FullName: fmt.Sprintf("%s %06d", names[i%len(names)], i), BusinessUnit: bu,
			DirectRoles: []string{"Salesperson@" + bu}, TeamRoles: []string{}, ProfileID: int64(i%profiles + 1),
		}
		if i%600 == 0 {
			u.DirectRoles = append(u.DirectRoles, "System Administrator@contoso")
		}
		if i%3 == 0 {
			u.TeamRoles = []string{"Contoso Sales Rep@" + bu + " via team:Sales " + bu}
		}
		u.Disabled = i%5000 == 1
		rep.Users[i] = u
	}
	for k, r := range evaluated {
		share := users * (k%5 + 1) / 100 // 1% to 5% of the users
		for j := 0; j < share; j++ {
			u := rep.Users[(j*97+k*13)%users]
			f := rules.Finding{
				Rule: r.ID, Severity: r.Severity, SubjectType: "user", SubjectID: u.ID, SubjectName: u.FullName,
				BusinessUnit: u.BusinessUnit, Evidence: []byte(`{}`), Fingerprint: r.ID + ":user:" + u.ID,
				Message: fmt.Sprintf("%s holds Salesperson@%s and matches %s (synthetic finding %d of the benchmark tenant)",
					u.FullName, u.BusinessUnit, r.ID, j),
			}
			if r.ID == "PRIV_HIGH_RISK" {
				f.Evidence = []byte(`{"privilege":"prvBulkDelete","depth":"global","sources":"Contoso Data Steward@EMEA Sales direct"}`)
			}
			if j%50 == 0 {
				f.Waived = true
				f.Waiver = &rules.Waiver{Rule: r.ID, Subject: u.ID, Reason: "accepted", Owner: "owner@contoso.example", Expires: "2027-06-30"}
			}
			rep.Findings = append(rep.Findings, f)
		}
	}
	rules.SortFindings(rep.Findings)
	for i := 0; i < 300; i++ {
		rep.Waivers = append(rep.Waivers, rules.WaiverStatus{
			Waiver: rules.Waiver{Rule: "USER_NO_ROLE", Subject: fmt.Sprintf("user%06d@contoso.example", i), Reason: "joiner",
				Owner: "owner@contoso.example", Expires: "2027-01-31"},
			Expired: i%4 == 0, Matched: []string{},
		})
	}
	lr := &rep.Licenses
	lr.HasGraph, lr.HasUsers, lr.HasPrices, lr.Currency = true, true, true, "USD"
	for s := 0; s < 60; s++ {
		price := float64(10 + s%7*15)
		lr.SKUs = append(lr.SKUs, reports.SKULine{PartNumber: fmt.Sprintf("SKU_PART_%02d", s), ProductName: fmt.Sprintf("Product %d", s),
			Status: "Enabled", Enabled: int64(users / 20), Consumed: int64(users/20 - s), Idle: int64(s), MonthlyPrice: &price,
			IdleMonthly: price * float64(s), IdleAnnual: 12 * price * float64(s)})
	}
	categories := []string{"disabled user", "no role", "license not required", "inactive", "idle seats"}
	totals := map[string]*reports.WasteCategory{}
	for i := 0; i < users/10; i++ {
		u := rep.Users[(i*31)%users]
		sku := lr.SKUs[i%len(lr.SKUs)]
		w := reports.WasteLine{Category: categories[i%len(categories)], UserID: u.ID, UserName: u.FullName, SKUPart: sku.PartNumber,
			ProductName: sku.ProductName, Seats: 1, Monthly: *sku.MonthlyPrice, Annual: 12 * *sku.MonthlyPrice, Reason: "synthetic"}
		lr.Waste = append(lr.Waste, w)
		c := totals[w.Category]
		if c == nil {
			c = &reports.WasteCategory{Category: w.Category}
			totals[w.Category] = c
		}
		c.Seats++
		c.Monthly += w.Monthly
		c.Annual += w.Annual
		lr.TotalMonthly += w.Monthly
		lr.TotalAnnual += w.Annual
	}
	for _, name := range categories {
		lr.Categories = append(lr.Categories, *totals[name])
	}
	for i := 0; i < 22; i++ {
		name := fmt.Sprintf("systemusers.%d.json", i+1)
		sum := sha256.Sum256([]byte(name))
		rep.Inputs = append(rep.Inputs, reports.Input{File: name, Kind: "systemusers", Format: "json", Rows: 5000, Bytes: 7_500_000,
			SHA256: hex.EncodeToString(sum[:])})
	}
	return rep
}
