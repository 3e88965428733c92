package rules

import (
	"encoding/json"
	"sort"
)

// Finding is one violation, as findings.json carries it (OUTPUT.md).
type Finding struct {
	// Environment names the environment of a tenant run the finding is
	// about, or TenantScope for a finding about the tenant's licenses; a run
	// of one export leaves it out.
	Environment  string          `json:"environment,omitempty"`
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

// TenantScope is the environment of a tenant run's findings that are about
// the tenant as a whole (its licenses), not one environment.
const TenantScope = "(tenant)"

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
		return FindingLess(a.Severity, a.Rule, a.SubjectName, a.Fingerprint, b.Severity, b.Rule, b.SubjectName, b.Fingerprint)
	})
}

// FindingLess is findings.json's order on two findings' keys: severity,
// rule, subject name, then fingerprint (diff orders its lists the same).
func FindingLess(sevA, ruleA, nameA, fpA, sevB, ruleB, nameB, fpB string) bool {
	if ra, rb := SeverityRank(sevA), SeverityRank(sevB); ra != rb {
		return ra < rb
	}
	if ruleA != ruleB {
		return ruleA < ruleB
	}
	if nameA != nameB {
		return nameA < nameB
	}
	return fpA < fpB
}
