package licenses

import (
	"context"
	"database/sql"
	_ "embed"
	"fmt"
	"strings"
	"time"

	"github.com/d365audit/d365audit/ingest/skucatalog"
	"github.com/d365audit/d365audit/store"
)

//go:embed licenses.sql
var licenseModel string

// restrictedTables holds the restricted tables and the licenses that allow
// writing to them; restrictedAccess reads who can write to them from the
// effective-access matrix.
var (
	//go:embed restricted.sql
	restrictedTables string
	//go:embed restricted_access.sql
	restrictedAccess string
	//go:embed person_needs.sql
	personNeeds string
)

// DefaultFreeSKUs are part numbers that cost nothing, for when no price list
// says so (RULES.md: "the built-in free list"). Trials and "(Free)" products
// are recognised by their catalogue names as well.
var DefaultFreeSKUs = []string{"FLOW_FREE", "POWERAPPS_VIRAL", "POWER_BI_STANDARD", "POWER_BI_STANDARD_FACULTY",
	"POWER_BI_STANDARD_STUDENT", "SMB_APPS", "TEAMS_FREE", "CCIBOTS_PRIVPREV_VIRAL", "DYN365_CUSTOMER_INSIGHTS_VIRAL",
	"D365_MARKETING_USER", "POWERAPPS_DEV", "FORMS_PRO"}

// LicenseOptions are the parameters of the license model.
type LicenseOptions struct {
	Catalog []skucatalog.SKU // skuId -> product name
	// CatalogSource names the catalogue in the review ("" for the built-in).
	CatalogSource string
	// DynamicsPlans are the Dynamics 365 / Dataverse service plans that
	// classify SKUs the catalogue does not know; nil takes the built-in ones.
	DynamicsPlans []skucatalog.ServicePlan
	FreeSKUs      []string // added to DefaultFreeSKUs
	InactiveDays  int
	AsOf          time.Time
}

// BuildLicenses builds the license usage model (license_skus,
// license_assignments, license_waste) after Build.
func BuildLicenses(ctx context.Context, db *store.DB, opts LicenseOptions) error {
	if err := licenseSetup(ctx, db, opts); err != nil {
		return err
	}
	if err := db.Exec(ctx, "create license_person_scope", `CREATE OR REPLACE TABLE license_person_scope
		(systemuserid VARCHAR, scope VARCHAR, environments VARCHAR[])`); err != nil {
		return err
	}
	return runLicenseModels(ctx, db, licenseScript{"restricted tables", restrictedTables}, licenseScript{"license model", licenseModel},
		licenseScript{"restricted-table access", restrictedAccess}, licenseScript{"license needs per person", personNeeds})
}

// licenseScript is one script of the license model.
type licenseScript struct{ name, sql string }

func runLicenseModels(ctx context.Context, db *store.DB, steps ...licenseScript) error {
	for _, s := range steps {
		if err := db.ExecScript(ctx, s.name, s.sql); err != nil {
			return err
		}
	}
	return nil
}

// licenseSetup writes the license model's parameters and catalogues.
func licenseSetup(ctx context.Context, db *store.DB, opts LicenseOptions) error {
	stmts := []struct {
		what, sql string
		args      []any
	}{
		{"create license_params", `CREATE OR REPLACE TABLE license_params (as_of TIMESTAMP, inactive_days BIGINT)`, nil},
		{"fill license_params", `INSERT INTO license_params VALUES (?, ?)`, []any{opts.AsOf.UTC(), int64(opts.InactiveDays)}},
		{"create license_free_skus", `CREATE OR REPLACE TABLE license_free_skus (sku_part_number VARCHAR)`, nil},
		{"create sku_catalog", `CREATE OR REPLACE TABLE sku_catalog (skuid VARCHAR, skupartnumber VARCHAR, productname VARCHAR)`, nil},
		{"create license_dynamics_plans", `CREATE OR REPLACE TABLE license_dynamics_plans (planid VARCHAR, planname VARCHAR)`, nil},
		{"create license_catalog", `CREATE OR REPLACE TABLE license_catalog (source VARCHAR)`, nil},
		{"fill license_catalog", `INSERT INTO license_catalog VALUES (?)`, []any{catalogSource(opts.CatalogSource)}},
	}
	for _, s := range stmts {
		if err := db.Exec(ctx, s.what, s.sql, s.args...); err != nil {
			return err
		}
	}
	for _, s := range append(append([]string(nil), DefaultFreeSKUs...), opts.FreeSKUs...) {
		if err := db.Exec(ctx, "fill license_free_skus", `INSERT INTO license_free_skus VALUES (?)`,
			strings.ToUpper(strings.Join(strings.Fields(s), ""))); err != nil {
			return err
		}
	}
	if err := insertCatalog(ctx, db, opts.Catalog); err != nil {
		return err
	}
	return insertDynamicsPlans(ctx, db, opts.DynamicsPlans)
}

// insertCatalog loads the catalogue.
func insertCatalog(ctx context.Context, db *store.DB, skus []skucatalog.SKU) error {
	rows := make([][]any, len(skus))
	for i, s := range skus {
		rows[i] = []any{s.ID, s.PartNumber, s.ProductName}
	}
	return db.InsertValues(ctx, "sku_catalog", rows)
}

func catalogSource(s string) string {
	if s == "" {
		return skucatalog.BuiltinSource
	}
	return s
}

// insertDynamicsPlans loads the Dynamics 365 / Dataverse service plans, the
// built-in ones when plans is nil.
func insertDynamicsPlans(ctx context.Context, db *store.DB, plans []skucatalog.ServicePlan) error {
	if plans == nil {
		var err error
		if plans, err = skucatalog.BuiltinDynamicsPlans(); err != nil {
			return err
		}
	}
	rows := make([][]any, len(plans))
	for i, p := range plans {
		rows[i] = []any{strings.ToLower(p.ID), strings.ToUpper(skucatalog.NormalizePartNumber(p.Name))}
	}
	return db.InsertValues(ctx, "license_dynamics_plans", rows)
}

// LicenseReview is the license cost review: seats per SKU, the wasted ones
// by category, and what they cost.
type LicenseReview struct {
	HasGraph     bool   // graph/subscribedSkus.json came with the export: seats per SKU are reviewed
	HasUsers     bool   // graph/users.json came too: the licenses of each user are reviewed
	HasPrices    bool   // a price list came with the export; without it, counts only
	Currency     string // of the price list
	SKUs         []SKULine
	Waste        []WasteLine     // one line per wasted seat, counted once
	Categories   []WasteCategory // totals per category, in counting order
	TotalMonthly float64
	TotalAnnual  float64
	// CatalogSource names the SKU catalogue the review used; UnknownSKUs are
	// the tenant's SKUs it does not know (it is older than they are).
	CatalogSource string       `json:"catalog_source"`
	UnknownSKUs   []UnknownSKU `json:"unknown_skus"`
	// People are the persons who write to restricted tables or hold a paid
	// Dynamics 365 seat: what their access needs beside what they hold.
	People []PersonLicense `json:"people"`
	// Candidates counts the right-sizing candidates among People, and
	// CandidateMonthly what moving them to Power Apps per user would save
	// a month (where the price list prices both).
	Candidates       int     `json:"candidates"`
	CandidateMonthly float64 `json:"candidate_monthly"`
}

// PersonLicense is one person's Dynamics 365 licenses: the restricted tables
// their access writes to, the licenses that would allow it, the ones they
// hold, and their status: "unlicensed" (a restricted table none of their
// licenses allows: LIC_RESTRICTED_TABLE_UNLICENSED), "needed" (every write
// is covered) or "candidate" (a paid Dynamics 365 seat their access uses for
// no restricted-table write: a right-sizing candidate to review, not waste,
// since app access is not in the export).
type PersonLicense struct {
	UserID            string   `json:"user_id"`
	UserName          string   `json:"user_name"`
	DomainName        string   `json:"domainname"`
	Tables            []string `json:"restricted_tables"`
	Uncovered         []string `json:"uncovered_tables"`
	AllowedBy         []string `json:"licenses_that_allow"`
	Licenses          []string `json:"licenses_held"`
	Seats             []string `json:"dynamics_seats"`
	Status            string   `json:"status"`
	MonthlyDifference *float64 `json:"monthly_difference,omitempty"`
}

// UnknownSKU is a subscribed or assigned SKU the catalogue does not know,
// classified by its service plans.
type UnknownSKU struct {
	SKUID         string `json:"sku_id"`
	PartNumber    string `json:"sku_part_number"`
	Dynamics      bool   `json:"dynamics"`       // a Dynamics 365 / Dataverse service plan, or a Dynamics part number
	DynamicsPlans string `json:"dynamics_plans"` // the Dynamics service plans that classified it
}

// SKULine is one subscribed SKU.
type SKULine struct {
	SKUID        string   `json:"sku_id"`
	PartNumber   string   `json:"sku_part_number"`
	ProductName  string   `json:"product_name"`
	Status       string   `json:"capability_status"`
	Enabled      int64    `json:"enabled"`
	Consumed     int64    `json:"consumed"`
	Suspended    int64    `json:"suspended"`
	Warning      int64    `json:"warning"`
	LockedOut    int64    `json:"locked_out"`
	Available    int64    `json:"available"` // enabled - locked out, never below 0
	Idle         int64    `json:"idle"`      // available - consumed, never below 0; 0 for capacity
	Over         int64    `json:"over"`      // consumed - available, never below 0; 0 for capacity
	AppliesTo    string   `json:"applies_to"`
	Capacity     bool     `json:"capacity"` // tenant-level (appliesTo Company, capacity add-ons): never seats
	Kind         string   `json:"kind"`     // base, attach, addon, free, or "" without a price
	MonthlyPrice *float64 `json:"monthly_price,omitempty"`
	IdleMonthly  float64  `json:"idle_monthly"`
	IdleAnnual   float64  `json:"idle_annual"`
	AssignedTo   []string `json:"assigned_to"` // user principal names
}

// WasteLine is one wasted seat: a paid license on one user (or idle seats of
// a SKU, User empty), in the first category that applies.
type WasteLine struct {
	Category    string  `json:"category"`
	UserID      string  `json:"user_id"`
	UserName    string  `json:"user_name"`
	SKUPart     string  `json:"sku_part_number"`
	ProductName string  `json:"product_name"`
	Seats       int64   `json:"seats"`
	Monthly     float64 `json:"monthly"`
	Annual      float64 `json:"annual"`
	Reason      string  `json:"reason"`
}

// WasteCategory totals one category.
type WasteCategory struct {
	Category string  `json:"category"`
	Seats    int64   `json:"seats"`
	Monthly  float64 `json:"monthly"`
	Annual   float64 `json:"annual"`
}

// ReadLicenseReview reads the review from the license model.
func ReadLicenseReview(ctx context.Context, db *store.DB, hasGraph, hasPrices bool) (LicenseReview, error) {
	r := LicenseReview{HasGraph: hasGraph, HasPrices: hasPrices}
	if !hasGraph {
		return r, nil
	}
	if hasPrices {
		_ = db.Query(ctx, "price list currency", `SELECT string_agg(DISTINCT currency, ', ' ORDER BY currency) FROM prices`,
			func(rows *sql.Rows) error {
				var c sql.NullString
				err := rows.Scan(&c)
				r.Currency = c.String
				return err
			})
	}
	var err error
	r.SKUs, err = store.Collect(ctx, db, "license SKUs", `
		SELECT s.skuid, s.partnumber, s.productname, coalesce(s.capabilitystatus, ''), coalesce(s.enabled, 0), coalesce(s.consumed, 0),
		       coalesce(s.suspended, 0), coalesce(s.warning, 0), coalesce(s.lockedout, 0), s.available, s.idle, s.over,
		       coalesce(s.appliesto, ''), s.capacity, coalesce(s.kind, CASE WHEN s.paid THEN '' ELSE 'free' END),
		       s.monthly_price::DOUBLE, coalesce(s.monthly_price * s.idle, 0)::DOUBLE, coalesce(s.monthly_price * s.idle * 12, 0)::DOUBLE,
		       (SELECT string_agg(a.userprincipalname, chr(31) ORDER BY a.userprincipalname) FROM license_assignments a WHERE a.skuid = s.skuid)
		FROM license_skus s ORDER BY s.partnumber, s.skuid`,
		func(rows *sql.Rows, l *SKULine) error {
			var price sql.NullFloat64
			var assigned sql.NullString
			if err := rows.Scan(&l.SKUID, &l.PartNumber, &l.ProductName, &l.Status, &l.Enabled, &l.Consumed, &l.Suspended, &l.Warning,
				&l.LockedOut, &l.Available, &l.Idle, &l.Over, &l.AppliesTo, &l.Capacity, &l.Kind, &price, &l.IdleMonthly, &l.IdleAnnual, &assigned); err != nil {
				return err
			}
			if price.Valid {
				p := price.Float64
				l.MonthlyPrice = &p
			}
			l.AssignedTo = store.SplitList(assigned)
			return nil
		})
	if err != nil {
		return r, err
	}
	err = db.Query(ctx, "unknown SKUs", `
		SELECT (SELECT source FROM license_catalog), skuid, partnumber, dynamics, coalesce(dynamics_plans, '')
		FROM license_skus WHERE NOT catalogued ORDER BY partnumber, skuid`,
		func(rows *sql.Rows) error {
			var u UnknownSKU
			if err := rows.Scan(&r.CatalogSource, &u.SKUID, &u.PartNumber, &u.Dynamics, &u.DynamicsPlans); err != nil {
				return err
			}
			r.UnknownSKUs = append(r.UnknownSKUs, u)
			return nil
		})
	if err != nil {
		return r, err
	}
	if r.CatalogSource == "" {
		_ = db.Query(ctx, "catalogue source", `SELECT source FROM license_catalog`,
			func(rows *sql.Rows) error { return rows.Scan(&r.CatalogSource) })
	}
	err = db.Query(ctx, "license needs per person", `
		SELECT systemuserid, name, coalesce(domainname, ''), array_to_string(tables, chr(31)), array_to_string(uncovered, chr(31)),
		       array_to_string(allowed_by, chr(31)), array_to_string(licenses, chr(31)), array_to_string(seats, chr(31)),
		       status, monthly_difference::DOUBLE
		FROM license_person_needs
		WHERE EXISTS (SELECT 1 FROM graph_users) -- without users.json nobody's licenses are known
		ORDER BY CASE status WHEN 'unlicensed' THEN 1 WHEN 'candidate' THEN 2 ELSE 3 END, monthly_difference DESC NULLS LAST, name, systemuserid`,
		func(rows *sql.Rows) error {
			var p PersonLicense
			var tables, uncovered, allowed, licenses, seats sql.NullString
			var diff sql.NullFloat64
			if err := rows.Scan(&p.UserID, &p.UserName, &p.DomainName, &tables, &uncovered, &allowed, &licenses, &seats,
				&p.Status, &diff); err != nil {
				return err
			}
			p.Tables, p.Uncovered, p.AllowedBy = store.SplitList(tables), store.SplitList(uncovered), store.SplitList(allowed)
			p.Licenses, p.Seats = store.SplitList(licenses), store.SplitList(seats)
			if diff.Valid {
				d := diff.Float64
				p.MonthlyDifference = &d
			}
			if p.Status == "candidate" {
				r.Candidates++
				if diff.Valid {
					r.CandidateMonthly += diff.Float64
				}
			}
			r.People = append(r.People, p)
			return nil
		})
	if err != nil {
		return r, err
	}
	r.Waste, err = store.Collect(ctx, db, "license waste", `
		SELECT category, coalesce(user_id, ''), coalesce(user_name, ''), partnumber, productname, seats,
		       coalesce(monthly, 0)::DOUBLE, coalesce(annual, 0)::DOUBLE, reason
		FROM license_waste ORDER BY category_order, user_name, partnumber`,
		func(rows *sql.Rows, w *WasteLine) error {
			return rows.Scan(&w.Category, &w.UserID, &w.UserName, &w.SKUPart, &w.ProductName, &w.Seats, &w.Monthly, &w.Annual, &w.Reason)
		})
	if err != nil {
		return r, err
	}
	err = db.Query(ctx, "license waste totals", `
		SELECT category, sum(seats), coalesce(sum(monthly), 0)::DOUBLE, coalesce(sum(annual), 0)::DOUBLE
		FROM license_waste GROUP BY category, category_order ORDER BY category_order`,
		func(rows *sql.Rows) error {
			var c WasteCategory
			if err := rows.Scan(&c.Category, &c.Seats, &c.Monthly, &c.Annual); err != nil {
				return err
			}
			r.Categories = append(r.Categories, c)
			r.TotalMonthly += c.Monthly
			r.TotalAnnual += c.Annual
			return nil
		})
	return r, err
}

// CatalogNote says, when the tenant has SKUs the catalogue does not know,
// that the catalogue is older than they are, lists them, and says how to
// pass a newer one; "" when the catalogue knows every SKU.
func (r LicenseReview) CatalogNote() string {
	if len(r.UnknownSKUs) == 0 {
		return ""
	}
	var parts []string
	for _, u := range r.UnknownSKUs {
		s := u.PartNumber + " (" + u.SKUID + ")"
		switch {
		case u.DynamicsPlans != "":
			s += ": a Dynamics license by its service plans " + u.DynamicsPlans
		case u.Dynamics:
			s += ": a Dynamics license by its part number"
		default:
			s += ": not classified (no Dynamics 365 / Dataverse service plan known)"
		}
		parts = append(parts, s)
	}
	n := len(r.UnknownSKUs)
	what := "SKUs"
	if n == 1 {
		what = "SKU"
	}
	return fmt.Sprintf("The SKU catalogue (%s) is older than %d %s of this tenant, shown by part number: %s. "+
		"Download Microsoft's current \"Product names and service plan identifiers for licensing\" CSV and pass it "+
		"with --sku-catalog FILE for their product names.", r.CatalogSource, n, what, strings.Join(parts, "; "))
}
