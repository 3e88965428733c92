package rules

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
)

// FindingsDoc is findings.json (OUTPUT.md's schema, plus the audit date,
// the versions, and what became of each waiver): one type for the run that
// writes it, the comparison of two runs and access reviews that read it.
type FindingsDoc struct {
	SchemaVersion int    `json:"schema_version"`
	Environment   string `json:"environment"`
	// Environments are a tenant run's, in name order; each finding names
	// its own (or "(tenant)"). Left out for one export.
	Environments   []string       `json:"environments,omitempty"`
	GeneratedAt    string         `json:"generated_at"`
	AsOf           string         `json:"as_of"`
	ToolVersion    string         `json:"tool_version"`
	RuleSetVersion string         `json:"rule_set_version"`
	Summary        Summary        `json:"summary"`
	NotEvaluated   []NotEvaluated `json:"not_evaluated"`
	Findings       []Finding      `json:"findings"`
	Waivers        []WaiverStatus `json:"waivers"`
}

// Summary counts findings by severity; waived findings count only as
// waived.
type Summary struct {
	Critical int `json:"critical"`
	High     int `json:"high"`
	Medium   int `json:"medium"`
	Low      int `json:"low"`
	Info     int `json:"info"`
	Waived   int `json:"waived"`
}

// Summarize counts the findings by severity; waived findings count only as
// waived.
func Summarize(fs []Finding) Summary {
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

// ErrNotFindings is a file that is not a findings.json written by a run.
var ErrNotFindings = errors.New("not a findings.json of d365audit run")

// ReadFindingsDoc reads a run's findings.json; a file that is not one
// (no schema_version, not JSON) is ErrNotFindings.
func ReadFindingsDoc(path string) (*FindingsDoc, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc FindingsDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w: %v", path, ErrNotFindings, err)
	}
	if doc.SchemaVersion == 0 {
		return nil, fmt.Errorf("%s: %w: no schema_version", path, ErrNotFindings)
	}
	return &doc, nil
}
