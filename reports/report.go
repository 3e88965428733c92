// Package reports holds the result of a run as one value, Report, and the
// writers that render it (findings.json, findings.csv, and later the
// workbook and the PDF). Writers take an io.Writer and the Report; they
// never touch the database and never print.
package reports

import (
	"time"

	"github.com/d365audit/d365audit/queries"
	"github.com/d365audit/d365audit/rules"
)

// SchemaVersion is the version of findings.json's schema (OUTPUT.md).
const SchemaVersion = 1

// Input is one input file and its fingerprint.
type Input struct {
	File   string `json:"file"`
	Kind   string `json:"kind"` // the table it fills, or policy / waivers / rules
	Format string `json:"format,omitempty"`
	Rows   int64  `json:"rows,omitempty"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// Summary counts the findings: open ones by severity, and the waived.
type Summary struct {
	Critical int `json:"critical"`
	High     int `json:"high"`
	Medium   int `json:"medium"`
	Low      int `json:"low"`
	Info     int `json:"info"`
	Waived   int `json:"waived"`
}

// Report is everything a run found, for every writer.
type Report struct {
	Environment    string
	GeneratedAt    time.Time
	AsOf           time.Time
	ToolVersion    string
	RuleSetVersion string
	Policy         string // where the policy came from
	Inputs         []Input
	Rules          []rules.Rule
	Evaluated      []string
	NotEvaluated   []rules.NotEvaluated
	Findings       []rules.Finding
	Waivers        []rules.WaiverStatus
	AccessProfiles int64

	// The computed tables the workbook and the PDF render.
	Users       []queries.UserRow
	Roles       []queries.RoleRow
	RoleChanges []queries.RoleChange
	Teams       []queries.TeamRow
	FieldAccess []queries.FieldAccessRow
	Licenses    LicenseReview
	// Access streams the effective-access matrix (millions of rows at scale).
	Access *queries.AccessMatrix
}

// LicenseReview is the license cost review: seats per SKU, the wasted ones
// by category, and what they cost.
type LicenseReview struct {
	HasGraph     bool   // graph/subscribedSkus.json and users.json came with the export
	HasPrices    bool   // a price list came with the export; without it, counts only
	Currency     string // of the price list
	SKUs         []SKULine
	Waste        []WasteLine     // one line per wasted seat, counted once
	Categories   []WasteCategory // totals per category, in counting order
	TotalMonthly float64
	TotalAnnual  float64
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
	Idle         int64    `json:"idle"` // enabled - consumed, never below 0
	Kind         string   `json:"kind"` // base, attach, addon, free, or "" without a price
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

// Summarize counts the findings by severity; waived findings count only as
// waived.
func Summarize(fs []rules.Finding) Summary {
	var s Summary
	for _, f := range fs {
		if f.Waived {
			s.Waived++
			continue
		}
		switch f.Severity {
		case "critical":
			s.Critical++
		case "high":
			s.High++
		case "medium":
			s.Medium++
		case "low":
			s.Low++
		case "info":
			s.Info++
		}
	}
	return s
}

// AtOrAbove counts the open (not waived) findings at severity or above.
func AtOrAbove(fs []rules.Finding, severity string) int {
	limit := rules.SeverityRank(severity)
	n := 0
	for _, f := range fs {
		if !f.Waived && rules.SeverityRank(f.Severity) <= limit {
			n++
		}
	}
	return n
}
