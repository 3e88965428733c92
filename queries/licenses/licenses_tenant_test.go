package licenses

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/d365audit/d365audit/store"
)

// The review of a tenant in the shapes Graph really returns: a tenant-level
// capacity SKU, a cancelled subscription whose units are all locked out but
// still consumed, and a SKU newer than the catalogue.
func TestReviewOnRealTenantShapes(t *testing.T) {
	b, err := os.ReadFile("../../ingest/testdata/graph-shapes/graph-body.json")
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	if err := json.Unmarshal(b, &body); err != nil {
		t.Fatal(err)
	}
	body["value"] = append(body["value"].([]any), map[string]any{
		"appliesTo": "User", "capabilityStatus": "Enabled", "consumedUnits": 0, "skuId": "0a1b2c3d-0000-4000-8000-00000000abcd",
		"skuPartNumber": "CE_AGENT_SEAT_2026", "prepaidUnits": map[string]any{"enabled": 3, "lockedOut": 0, "suspended": 0, "warning": 0},
		"servicePlans": []any{map[string]any{"servicePlanId": "D56F3DEB-50D8-465A-BEDB-F079817CCAC1", "servicePlanName": "DYN365_ENTERPRISE_P1"}},
	})
	skus, _ := json.Marshal(body)
	db := licenseDBWith(t, "sku_part_number,monthly_price,currency,kind\nDYN365_ENTERPRISE_SALES,105,EUR,base\n"+
		"CDS_DB_CAPACITY,40,EUR,addon\nDYN365_ENTERPRISE_PLAN1,210,EUR,base\n", skus)
	r, err := ReadLicenseReview(context.Background(), db, true, true)
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]SKULine{}
	for _, s := range r.SKUs {
		by[s.PartNumber] = s
	}
	if c := by["CDS_DB_CAPACITY"]; !c.Capacity || c.Idle != 0 || c.AppliesTo != "Company" {
		t.Errorf("CDS_DB_CAPACITY = %+v, want capacity with no idle seats", c)
	}
	if p := by["DYN365_ENTERPRISE_PLAN1"]; p.Capacity || p.LockedOut != 30 || p.Available != 0 || p.Idle != 0 || p.Over != 26 {
		t.Errorf("DYN365_ENTERPRISE_PLAN1 = %+v, want 30 locked out, 0 available, 0 idle, 26 over", p)
	}
	for _, w := range r.Waste {
		if w.SKUPart == "CDS_DB_CAPACITY" || w.SKUPart == "DYN365_ENTERPRISE_PLAN1" {
			t.Errorf("waste line %+v: capacity and locked-out units are no waste", w)
		}
	}
	// Sales Enterprise: 5 enabled, 2 consumed, 3 idle at 105, plus Old User's disabled seat: 420 a month.
	if r.TotalMonthly != 420 {
		t.Errorf("waste %v a month, want 420: %+v", r.TotalMonthly, r.Waste)
	}
	if len(r.UnknownSKUs) != 1 || r.UnknownSKUs[0].PartNumber != "CE_AGENT_SEAT_2026" || !r.UnknownSKUs[0].Dynamics ||
		r.UnknownSKUs[0].DynamicsPlans != "DYN365_ENTERPRISE_P1" {
		t.Fatalf("unknown SKUs = %+v", r.UnknownSKUs)
	}
	note := r.CatalogNote()
	for _, want := range []string{"older than 1 SKU", "CE_AGENT_SEAT_2026 (0a1b2c3d-0000-4000-8000-00000000abcd)", "2025-12-30", "--sku-catalog"} {
		if !strings.Contains(note, want) {
			t.Errorf("catalogue note lacks %q: %s", want, note)
		}
	}
}

// The restricted tables built in are exactly those of Microsoft's page (the
// shared data's copy): 41 tables, each with the licenses that allow it.
func TestRestrictedTablesMatchMicrosoftsPage(t *testing.T) {
	path := filepath.Join("..", "..", "shared", "data", "licensing", "restricted-tables.csv")
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("shared restricted-tables.csv not found at %s (it sits beside the clone in CI): %v", path, err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, r := range recs[1:] {
		lics := strings.Split(r[2], ";")
		for i := range lics {
			lics[i] = strings.TrimSpace(lics[i])
		}
		sort.Strings(lics)
		want = append(want, strings.TrimPrefix(r[0], "\ufeff")+"|"+r[1]+"|"+strings.Join(lics, "; "))
	}
	sort.Strings(want)
	db := licenseDB(t, "")
	var got []string
	err = db.Query(context.Background(), "restricted tables", `
		SELECT logical_name || '|' || display_name || '|' || string_agg(license, '; ' ORDER BY license)
		FROM license_restricted_tables GROUP BY logical_name, display_name ORDER BY 1`, func(rows *sql.Rows) error {
		var s string
		if err := rows.Scan(&s); err != nil {
			return err
		}
		got = append(got, s)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(got)
	if len(want) != 41 || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("restricted tables differ from the page (%d built in, %d on the page):\n%s\nwant:\n%s", len(got), len(want),
			strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// every license of the page has SKUs that are it
	n, err := db.QueryInt(context.Background(), "licenses without SKUs", `
		SELECT count(DISTINCT license) FROM license_restricted_tables
		WHERE license NOT IN (SELECT license FROM license_products)`)
	if err != nil || n != 0 {
		t.Errorf("%d licenses of the page have no SKU (%v)", n, err)
	}
}

// Per person, the Dynamics 365 licenses their access needs beside the ones
// they hold: on the sample, the five System Administrators who may update
// every case are unlicensed, the Sales users who write to no restricted table
// are right-sizing candidates (their Sales Enterprise seat less Power Apps
// per user: USD 85 a month each), and Sofia Costa's Customer Service seat
// is needed.
func TestPeopleLicenseNeedsOnSample(t *testing.T) {
	db := sampleLicenseDB(t)
	r, err := ReadLicenseReview(context.Background(), db, true, true)
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]PersonLicense{}
	status := map[string]int{}
	for _, p := range r.People {
		by[p.UserName] = p
		status[p.Status]++
	}
	t.Logf("statuses %v, candidates %d, %v a month", status, r.Candidates, r.CandidateMonthly)
	if p := by["Zoë Müller"]; p.Status != "unlicensed" || strings.Join(p.Uncovered, ",") != "incident" {
		t.Errorf("Zoë Müller = %+v, want unlicensed on incident", p)
	}
	if p := by["Sofia Costa"]; p.Status != "needed" || !strings.Contains(strings.Join(p.Licenses, ","), "Dynamics 365 Customer Service Enterprise") {
		t.Errorf("Sofia Costa = %+v, want needed with Customer Service Enterprise", p)
	}
	if p := by["Lukas Weber"]; p.Status != "candidate" || p.MonthlyDifference == nil || *p.MonthlyDifference != 85 ||
		strings.Join(p.Seats, ",") != "DYN365_ENTERPRISE_SALES" {
		t.Errorf("Lukas Weber = %+v, want a candidate saving 85 a month", p)
	}
	if _, ok := by["Noah Fischer"]; ok {
		t.Errorf("Noah Fischer's seat is waste (no role), not a right-sizing candidate: %+v", by["Noah Fischer"])
	}
	n := 0
	var sum float64
	for _, p := range r.People {
		if p.Status == "candidate" {
			n++
			if p.MonthlyDifference != nil {
				sum += *p.MonthlyDifference
			}
		}
	}
	if n != r.Candidates || sum != r.CandidateMonthly || n == 0 {
		t.Errorf("candidates %d / %v, counted %d / %v", r.Candidates, r.CandidateMonthly, n, sum)
	}
}

// sampleLicenseDB loads samples/contoso (with its price list) and builds
// the access and license models as of its audit date.
func sampleLicenseDB(t *testing.T) *store.DB {
	t.Helper()
	return licenseModels(t, "../../samples/contoso")
}
