package rules

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Waiver is an accepted risk: it hides one finding until it expires.
type Waiver struct {
	Rule    string `yaml:"rule" json:"rule"`
	Subject string `yaml:"subject" json:"subject"` // subject_id, subject_name or fingerprint
	Reason  string `yaml:"reason" json:"reason"`
	Owner   string `yaml:"owner" json:"owner"`
	Expires string `yaml:"expires" json:"expires"` // YYYY-MM-DD, last day it holds

	expires time.Time
	line    int
}

// LoadWaivers reads a waivers file: a YAML list. Every waiver needs all five
// keys; an incomplete waiver is an error, not a silent no-op.
func LoadWaivers(path string) ([]Waiver, error) {
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("waivers: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("waivers %s: %w", path, err)
	}
	var ws []Waiver
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&ws); err != nil && err.Error() != "EOF" {
		return nil, fmt.Errorf("waivers %s: %w", path, err)
	}
	var lines []int
	if len(doc.Content) > 0 {
		for _, n := range doc.Content[0].Content {
			lines = append(lines, n.Line)
		}
	}
	for i := range ws {
		w := &ws[i]
		if i < len(lines) {
			w.line = lines[i]
		}
		var missing []string
		for k, v := range map[string]string{"rule": w.Rule, "subject": w.Subject, "reason": w.Reason, "owner": w.Owner, "expires": w.Expires} {
			if strings.TrimSpace(v) == "" {
				missing = append(missing, k)
			}
		}
		if len(missing) > 0 {
			return nil, fmt.Errorf("waivers %s: line %d: waiver lacks %s", path, w.line, strings.Join(sortedStrings(missing), ", "))
		}
		t, err := time.Parse("2006-01-02", strings.TrimSpace(w.Expires))
		if err != nil {
			return nil, fmt.Errorf("waivers %s: line %d: expires %q is not a date (YYYY-MM-DD)", path, w.line, w.Expires)
		}
		w.expires = t
	}
	return ws, nil
}

// Expired reports whether the waiver no longer holds on day asOf: it holds
// through its expiry day.
func (w Waiver) Expired(asOf time.Time) bool {
	return asOf.UTC().After(w.expires.Add(24*time.Hour - time.Nanosecond))
}

func (w Waiver) matches(f Finding) bool {
	if !strings.EqualFold(strings.TrimSpace(w.Rule), f.Rule) {
		return false
	}
	s := strings.TrimSpace(w.Subject)
	return strings.EqualFold(s, f.SubjectID) || strings.EqualFold(strings.Trim(s, "{}"), f.SubjectID) ||
		strings.EqualFold(s, f.SubjectName) || s == f.Fingerprint
}

// WaiverStatus is what became of one waiver in a run.
type WaiverStatus struct {
	Waiver
	Expired bool     `json:"expired"`
	Matched []string `json:"matched"` // fingerprints of the findings it names
}

// ApplyWaivers marks the findings that a waiver still in force hides. An
// expired waiver hides nothing; it is returned so the report can say so.
func ApplyWaivers(fs []Finding, ws []Waiver, asOf time.Time) []WaiverStatus {
	out := make([]WaiverStatus, len(ws))
	for i, w := range ws {
		out[i] = WaiverStatus{Waiver: w, Expired: w.Expired(asOf), Matched: []string{}}
		for j := range fs {
			if !w.matches(fs[j]) {
				continue
			}
			out[i].Matched = append(out[i].Matched, fs[j].Fingerprint)
			if !out[i].Expired && !fs[j].Waived {
				fs[j].Waived = true
				wc := w
				fs[j].Waiver = &wc
			}
		}
	}
	return out
}

func sortedStrings(s []string) []string {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s
}
