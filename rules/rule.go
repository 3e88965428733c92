// Package rules holds the rule catalogue of RULES.md and the engine that
// runs it. A rule is one SQL file whose leading comment is a YAML header
// (id, title, severity, rationale, remediation, references, needs); the
// query returns the findings in fixed columns. The built-in rules are
// embedded; --rules-dir adds an organisation's own.
package rules

import (
	"bufio"
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// Severities, most severe first.
var Severities = []string{"critical", "high", "medium", "low", "info"}

// SeverityRank orders severities: 0 is critical; -1 is not a severity.
func SeverityRank(s string) int {
	for i, v := range Severities {
		if v == s {
			return i
		}
	}
	return -1
}

// Rule is one rule of the catalogue.
type Rule struct {
	ID          string   `yaml:"id" json:"id"`
	Title       string   `yaml:"title" json:"title"`
	Severity    string   `yaml:"severity" json:"severity"`
	Rationale   string   `yaml:"rationale" json:"rationale"`
	Remediation string   `yaml:"remediation" json:"remediation"`
	References  []string `yaml:"references" json:"references"`
	// Needs lists the input tables the rule reads; when one did not come
	// with the export, the rule is not evaluated and the report says why.
	Needs []string `yaml:"needs" json:"needs,omitempty"`
	// NeedsColumns lists "table.column" that must hold at least one value
	// (graph_users.hassigninactivity, say).
	NeedsValues []string `yaml:"needs_values" json:"needs_values,omitempty"`
	// Scope is ScopeEnvironment (the default) or ScopeTenant: in a tenant
	// run (several environments, one set of licenses) an environment rule
	// runs once per environment and a tenant rule once, over the people of
	// every environment.
	Scope string `yaml:"scope" json:"-"`

	SQL    string `yaml:"-" json:"-"`
	Source string `yaml:"-" json:"source"` // file the rule came from
}

// Rule scopes.
const (
	ScopeEnvironment = "environment"
	ScopeTenant      = "tenant"
)

// InScope lists the rules of catalogue that run at scope.
func InScope(catalogue []Rule, scope string) []Rule {
	var out []Rule
	for _, r := range catalogue {
		if r.Scope == scope || (r.Scope == "" && scope == ScopeEnvironment) {
			out = append(out, r)
		}
	}
	return out
}

var idPattern = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)

// Parse reads a rule file: a header of "-- " comment lines holding YAML,
// then the query.
func Parse(source, text string) (Rule, error) {
	var header, query strings.Builder
	inHeader := true
	sc := bufio.NewScanner(strings.NewReader(strings.TrimPrefix(text, "\ufeff")))
	sc.Buffer(make([]byte, 1024*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if inHeader && strings.HasPrefix(line, "--") {
			header.WriteString(strings.TrimPrefix(strings.TrimPrefix(line, "--"), " "))
			header.WriteString("\n")
			continue
		}
		inHeader = false
		query.WriteString(line)
		query.WriteString("\n")
	}
	var r Rule
	dec := yaml.NewDecoder(strings.NewReader(header.String()))
	dec.KnownFields(true)
	if err := dec.Decode(&r); err != nil {
		return Rule{}, fmt.Errorf("rule %s: header: %w", source, err)
	}
	r.SQL = strings.TrimSpace(query.String())
	r.SQL = strings.TrimSuffix(r.SQL, ";")
	r.Source = source
	r.Rationale = strings.TrimSpace(r.Rationale)
	r.Remediation = strings.TrimSpace(r.Remediation)
	return r, r.check()
}

// check enforces the metadata every rule must carry.
func (r Rule) check() error {
	var missing []string
	if !idPattern.MatchString(r.ID) {
		return fmt.Errorf("rule %s: id %q is not an upper-case identifier", r.Source, r.ID)
	}
	for name, v := range map[string]string{"title": r.Title, "rationale": r.Rationale, "remediation": r.Remediation} {
		if strings.TrimSpace(v) == "" {
			missing = append(missing, name)
		}
	}
	if len(r.References) == 0 {
		missing = append(missing, "references")
	}
	if len(missing) > 0 {
		return fmt.Errorf("rule %s (%s): missing %s", r.ID, r.Source, strings.Join(missing, ", "))
	}
	if SeverityRank(r.Severity) < 0 {
		return fmt.Errorf("rule %s (%s): severity %q is not one of %s", r.ID, r.Source, r.Severity, strings.Join(Severities, ", "))
	}
	if r.SQL == "" {
		return fmt.Errorf("rule %s (%s): no query after the header", r.ID, r.Source)
	}
	if r.Scope != "" && r.Scope != ScopeEnvironment && r.Scope != ScopeTenant {
		return fmt.Errorf("rule %s (%s): scope %q is not %s or %s", r.ID, r.Source, r.Scope, ScopeEnvironment, ScopeTenant)
	}
	return nil
}
