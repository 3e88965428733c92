package diff

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/d365audit/d365audit/internal/guid"
	"github.com/d365audit/d365audit/rules"
)

// FindingChanges sorts the findings of the two runs by fingerprint.
type FindingChanges struct {
	New       []FindingRef `json:"new"`        // in the new run only
	Resolved  []FindingRef `json:"resolved"`   // in the old run only
	StillOpen []FindingRef `json:"still_open"` // in both
}

// Waiver changes of a finding still open.
const (
	WaiverNew    = "newly waived"  // not waived before, waived now
	WaiverLapsed = "waiver lapsed" // waived before, not any more
)

// FindingRef is one finding, as the diff lists it. For a finding still open,
// Waived is its state in the new run and WasWaived in the old one.
type FindingRef struct {
	// Environment is a tenant run's (rules.Finding.Environment).
	Environment  string `json:"environment,omitempty"`
	Rule         string `json:"rule"`
	Severity     string `json:"severity"`
	SubjectType  string `json:"subject_type"`
	SubjectID    string `json:"subject_id"`
	SubjectName  string `json:"subject_name"`
	BusinessUnit string `json:"businessunit"`
	Message      string `json:"message"`
	Fingerprint  string `json:"fingerprint"`
	Waived       bool   `json:"waived"`
	WasWaived    bool   `json:"was_waived"`
	// WaiverChange is WaiverNew, WaiverLapsed or "".
	WaiverChange string `json:"waiver_change,omitempty"`
	// SeverityBefore is the old run's severity when it differs (a policy
	// override changed).
	SeverityBefore string `json:"severity_before,omitempty"`
}

// ExpiredWaiver is a waiver in force in the old run and expired in the new
// one: the findings it hid show again.
type ExpiredWaiver struct {
	Rule    string   `json:"rule"`
	Subject string   `json:"subject"`
	Owner   string   `json:"owner"`
	Expires string   `json:"expires"`
	Reason  string   `json:"reason"`
	Matched []string `json:"matched"` // fingerprints it named in the new run
}

// findingsDoc is findings.json as the diff reads it.
type findingsDoc struct{ *rules.FindingsDoc }

// readFindings reads a run's findings.json; the error wraps ErrNotARun
// when it is not one.
func readFindings(path string) (*findingsDoc, error) {
	doc, err := rules.ReadFindingsDoc(path)
	if errors.Is(err, rules.ErrNotFindings) {
		return nil, fmt.Errorf("%w: %v", ErrNotARun, err)
	}
	if err != nil {
		return nil, err
	}
	return &findingsDoc{doc}, nil
}

func (d *findingsDoc) info(dir string) RunInfo {
	return RunInfo{Dir: dir, Environment: d.Environment, AsOf: d.AsOf, GeneratedAt: d.GeneratedAt,
		ToolVersion: d.ToolVersion, RuleSetVersion: d.RuleSetVersion}
}

func ref(f rules.Finding) FindingRef {
	return FindingRef{Environment: f.Environment, Rule: f.Rule, Severity: f.Severity, SubjectType: f.SubjectType, SubjectID: f.SubjectID,
		SubjectName: f.SubjectName, BusinessUnit: f.BusinessUnit, Message: f.Message, Fingerprint: f.Fingerprint,
		Waived: f.Waived}
}

func compareFindings(o, n *findingsDoc) (FindingChanges, []ExpiredWaiver) {
	c := FindingChanges{New: []FindingRef{}, Resolved: []FindingRef{}, StillOpen: []FindingRef{}}
	before := map[string]rules.Finding{}
	for _, f := range o.Findings {
		before[f.Fingerprint] = f
	}
	now := map[string]bool{}
	for _, f := range n.Findings {
		now[f.Fingerprint] = true
		old, ok := before[f.Fingerprint]
		if !ok {
			c.New = append(c.New, ref(f))
			continue
		}
		r := ref(f)
		r.WasWaived = old.Waived
		switch {
		case f.Waived && !old.Waived:
			r.WaiverChange = WaiverNew
		case !f.Waived && old.Waived:
			r.WaiverChange = WaiverLapsed
		}
		if old.Severity != f.Severity {
			r.SeverityBefore = old.Severity
		}
		c.StillOpen = append(c.StillOpen, r)
	}
	for _, f := range o.Findings {
		if !now[f.Fingerprint] {
			r := ref(f)
			r.WasWaived = f.Waived
			c.Resolved = append(c.Resolved, r)
		}
	}
	for _, l := range [][]FindingRef{c.New, c.Resolved, c.StillOpen} {
		sortFindings(l)
	}
	return c, expiredWaivers(o.Waivers, n.Waivers)
}

// sortFindings orders as findings.json does: severity, rule, subject name,
// fingerprint.
func sortFindings(fs []FindingRef) {
	sort.Slice(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		return rules.FindingLess(a.Severity, a.Rule, a.SubjectName, a.Fingerprint, b.Severity, b.Rule, b.SubjectName, b.Fingerprint)
	})
}

// expiredWaivers: a waiver (matched on rule and subject) in force in the old
// run and expired in the new one.
func expiredWaivers(o, n []rules.WaiverStatus) []ExpiredWaiver {
	key := func(w rules.WaiverStatus) string {
		return strings.ToLower(strings.TrimSpace(w.Rule)) + "\x00" + guid.Key(w.Subject)
	}
	inForce := map[string]bool{}
	for _, w := range o {
		if !w.Expired {
			inForce[key(w)] = true
		}
	}
	out := []ExpiredWaiver{}
	seen := map[string]bool{}
	for _, w := range n {
		k := key(w)
		if !w.Expired || !inForce[k] || seen[k] {
			continue
		}
		seen[k] = true
		m := append([]string{}, w.Matched...)
		sort.Strings(m)
		out = append(out, ExpiredWaiver{Rule: w.Rule, Subject: w.Subject, Owner: w.Owner, Expires: w.Expires, Reason: w.Reason, Matched: m})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Rule != out[j].Rule {
			return out[i].Rule < out[j].Rule
		}
		return out[i].Subject < out[j].Subject
	})
	return out
}
