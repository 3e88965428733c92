// Package tabular writes the machine-readable outputs of a run:
// findings.json, findings.csv and access.parquet.
package tabular

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"time"

	"github.com/d365audit/d365audit/reports"
	"github.com/d365audit/d365audit/rules"
)

// FindingsJSON writes findings.json (OUTPUT.md's schema, plus the audit
// date, versions, and what became of each waiver).
type FindingsJSON struct{}

// Write writes r's findings as findings.json.
func (FindingsJSON) Write(_ context.Context, w io.Writer, r *reports.Report) error {
	doc := rules.FindingsDoc{
		SchemaVersion: reports.SchemaVersion, Environment: r.Environment,
		GeneratedAt: r.GeneratedAt.UTC().Format(time.RFC3339), AsOf: r.AsOf.UTC().Format("2006-01-02"),
		ToolVersion: r.ToolVersion, RuleSetVersion: r.RuleSetVersion,
		Summary: reports.Summarize(r.Findings), NotEvaluated: r.NotEvaluated, Findings: r.Findings, Waivers: r.Waivers,
	}
	for _, e := range r.Environments {
		doc.Environments = append(doc.Environments, e.Name)
	}
	if doc.NotEvaluated == nil {
		doc.NotEvaluated = []rules.NotEvaluated{}
	}
	if doc.Findings == nil {
		doc.Findings = []rules.Finding{}
	}
	if doc.Waivers == nil {
		doc.Waivers = []rules.WaiverStatus{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}

// FindingsCSVHeader is the header of findings.csv.
var FindingsCSVHeader = []string{"rule", "severity", "subject_type", "subject_id", "subject_name", "businessunit",
	"message", "evidence", "fingerprint", "waived", "waiver_owner", "waiver_expires"}

// findingsCSVHeader is findings.csv's header for rep: a tenant run's rows
// start with the finding's environment; a single export's header is
// FindingsCSVHeader, unchanged.
func findingsCSVHeader(r *reports.Report) []string {
	if !r.IsTenant() {
		return FindingsCSVHeader
	}
	return append([]string{"environment"}, FindingsCSVHeader...)
}

// UTF8BOM starts findings.csv: without it, Excel on Windows reads the file
// in the system's code page and shows Björn as BjÃ¶rn.
const UTF8BOM = "\ufeff"

// FindingsCSV writes findings.csv: a UTF-8 byte order mark, then the
// findings flat, one row each. Text that a spreadsheet would take for a
// formula is defused (see SafeCell).
type FindingsCSV struct{}

// Write writes r's findings as findings.csv.
func (FindingsCSV) Write(_ context.Context, w io.Writer, r *reports.Report) error {
	if _, err := io.WriteString(w, UTF8BOM); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(findingsCSVHeader(r)); err != nil {
		return err
	}
	for _, f := range r.Findings {
		owner, expires := "", ""
		if f.Waiver != nil {
			owner, expires = f.Waiver.Owner, f.Waiver.Expires
		}
		row := []string{f.Rule, f.Severity, f.SubjectType, f.SubjectID, f.SubjectName, f.BusinessUnit,
			f.Message, string(f.Evidence), f.Fingerprint, strconv.FormatBool(f.Waived), owner, expires}
		if r.IsTenant() {
			row = append([]string{f.Environment}, row...)
		}
		for i := range row {
			row[i] = SafeCell(row[i])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// SafeCell keeps a spreadsheet from evaluating text: a cell that begins
// with =, +, -, @ (or a tab or carriage return) gets a leading apostrophe,
// as OWASP recommends against CSV injection.
func SafeCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
