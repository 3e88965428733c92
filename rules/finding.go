package rules

import (
	"encoding/json"
	"sort"
)

// Finding is one violation, as findings.json carries it (OUTPUT.md).
type Finding struct {
	Rule         string          `json:"rule"`
	Severity     string          `json:"severity"`
	SubjectType  string          `json:"subject_type"`
	SubjectID    string          `json:"subject_id"`
	SubjectName  string          `json:"subject_name"`
	BusinessUnit string          `json:"businessunit"`
	Message      string          `json:"message"`
	Evidence     json.RawMessage `json:"evidence"`
	Fingerprint  string          `json:"fingerprint"`
	Waived       bool            `json:"waived"`
	// Waiver is the waiver that hides the finding, when one does.
	Waiver *Waiver `json:"waiver,omitempty"`
}

// SubjectTypes are the kinds of subject a finding may name.
var SubjectTypes = []string{"user", "role", "team", "sku", "fieldsecurityprofile", "environment"}

func validSubjectType(s string) bool {
	for _, t := range SubjectTypes {
		if t == s {
			return true
		}
	}
	return false
}

// SortFindings orders findings by severity, rule, subject name, then
// fingerprint, so two runs over one input give the same file.
func SortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if ra, rb := SeverityRank(a.Severity), SeverityRank(b.Severity); ra != rb {
			return ra < rb
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		if a.SubjectName != b.SubjectName {
			return a.SubjectName < b.SubjectName
		}
		return a.Fingerprint < b.Fingerprint
	})
}
