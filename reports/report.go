// Package reports holds the result of a run as one value, Report, and the
// interface of the writers that render it (Writer). The writers live in
// packages of their own: tabular (findings.json, findings.csv,
// access.parquet), pdf (report.pdf), xlsx (report.xlsx) and summary (the
// lines the run command prints). Writers take an io.Writer and the Report;
// they never touch the database and never print.
package reports

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/d365audit/d365audit/diff"
	"github.com/d365audit/d365audit/queries/access"
	"github.com/d365audit/d365audit/queries/licenses"
	"github.com/d365audit/d365audit/queries/reportdata"
	"github.com/d365audit/d365audit/queries/tenant"
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

// Summary counts findings by severity (rules.Summary).
type Summary = rules.Summary

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
	// Privileges says where the privileges' tables came from.
	Privileges access.PrivilegeSources

	// The computed tables the workbook and the PDF render.
	Users       []reportdata.UserRow
	Roles       []reportdata.RoleRow
	RoleChanges []reportdata.RoleChange
	Teams       []reportdata.TeamRow
	FieldAccess []access.FieldAccessRow
	Licenses    LicenseReview
	// Access streams the effective-access matrix (millions of rows at scale).
	Access *access.AccessMatrix
	// Changes is what changed since the previous run (run --previous); nil
	// without one.
	Changes *diff.Diff

	// Environments are the environments of a tenant run, in name order;
	// nil for the run of one export. Access is then nil and each
	// environment carries its own matrix.
	Environments []EnvironmentRun
	// Across are a tenant run's views across its environments.
	Across tenant.CrossEnvironment
}

// EnvironmentRun is one environment of a tenant run.
type EnvironmentRun struct {
	Name         string  `json:"name"`
	Organization string  `json:"organization,omitempty"`
	Users        int     `json:"users"`
	Roles        int     `json:"roles"`
	Findings     Summary `json:"findings"`
	// Access streams the environment's effective-access matrix.
	Access *access.AccessMatrix `json:"-"`
}

// IsTenant says whether the report is a tenant run's (several
// environments, one set of licenses).
func (r *Report) IsTenant() bool { return r.Environments != nil }

// The license cost review's types live with the model that computes them.
type (
	LicenseReview = licenses.LicenseReview
	SKULine       = licenses.SKULine
	WasteLine     = licenses.WasteLine
	WasteCategory = licenses.WasteCategory
)

// PrivilegeTablesNote says how many privileges had their table guessed
// from the name rather than read from privilegeobjecttypecodes: the grants
// of a privilege whose name is not its table land on the wrong table.
func (r *Report) PrivilegeTablesNote() string {
	s := r.Privileges
	if s.Guessed() == 0 {
		return fmt.Sprintf("The table of each of the %d privileges came from privilegeobjecttypecodes.", s.Total)
	}
	return fmt.Sprintf("%d of %d privileges had their table taken from the privilege's name (%d of them through the built-in map of "+
		"out-of-box names that are not their table), not from privilegeobjecttypecodes; export privilegeobjecttypecodes "+
		"with a row for every privilege to read every table from the data.", s.Guessed(), s.Total, s.Builtin)
}

// Summarize counts the findings by severity; waived findings count only as
// waived.
func Summarize(fs []rules.Finding) Summary { return rules.Summarize(fs) }

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

// InputFingerprint is the SHA-256 of the input manifest: one line per
// input, "<sha256>  <file>\n" as sha256sum prints it, sorted by file name.
// Any change to any input changes it; `sha256sum` over the files, sorted,
// reproduces the manifest.
func InputFingerprint(inputs []Input) string {
	sorted := append([]Input(nil), inputs...)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].File != sorted[j].File {
			return sorted[i].File < sorted[j].File
		}
		return sorted[i].SHA256 < sorted[j].SHA256
	})
	h := sha256.New()
	for _, in := range sorted {
		io.WriteString(h, in.SHA256+"  "+in.File+"\n")
	}
	return hex.EncodeToString(h.Sum(nil))
}

// WaiverCounts counts the waivers still in force and the expired ones.
func (r *Report) WaiverCounts() (inForce, expired int) {
	for _, w := range r.Waivers {
		if w.Expired {
			expired++
		} else {
			inForce++
		}
	}
	return inForce, expired
}
