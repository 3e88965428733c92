package rules

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"os"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/d365audit/d365audit/internal/guid"
	"github.com/d365audit/d365audit/queries/vocab"
	"github.com/d365audit/d365audit/store"
)

//go:embed default-policy.yaml
var defaultPolicy []byte

// Policy is an organisation's policy: the thresholds and lists the rules
// read. The built-in default encodes RULES.md; a policy file overrides the
// keys it sets.
type Policy struct {
	SchemaVersion int    `yaml:"schema_version"`
	Environment   string `yaml:"environment"`
	// AsOf is the day the audit treats as today (sign-in ages, waiver
	// expiry); empty means the run's date.
	AsOf       string `yaml:"as_of"`
	Thresholds struct {
		SystemAdministratorMax int `yaml:"system_administrator_max"`
		SystemCustomizerMax    int `yaml:"system_customizer_max"`
		NonInteractiveMax      int `yaml:"noninteractive_max"`
		InactiveDays           int `yaml:"inactive_days"`
	} `yaml:"thresholds"`
	BusinessTables []string `yaml:"business_tables"`
	InternalRoles  struct {
		Names    []string `yaml:"names"`
		Patterns []string `yaml:"patterns"`
	} `yaml:"internal_roles"`
	ServiceUsers []struct {
		DomainName   string `yaml:"domainname"`
		SystemUserID string `yaml:"systemuserid"`
	} `yaml:"service_users"`
	Apps               []App             `yaml:"apps"`
	SalesRoles         []string          `yaml:"sales_roles"`
	HighRiskPrivileges HighRisk          `yaml:"high_risk_privileges"`
	SeparationOfDuties []SoDPair         `yaml:"separation_of_duties"`
	SeverityOverrides  map[string]string `yaml:"severity_overrides"`
	FreeSKUs           []string          `yaml:"free_skus"`
	Extra              map[string]any    `yaml:",inline"`
	source             string
}

// App is an installed app's requirements.
type App struct {
	ID                 string       `yaml:"id"`
	Name               string       `yaml:"name"`
	InstalledIfAnyRole []string     `yaml:"installed_if_any_role"`
	ServiceUsers       []AppService `yaml:"service_users"`
	FieldSecurityProfs []string     `yaml:"field_security_profiles"`
	CoreRoles          []string     `yaml:"core_roles"`
	LeadScoreRoles     struct {
		Modeler []string `yaml:"modeler"`
		Viewer  []string `yaml:"viewer"`
	} `yaml:"lead_score_roles"`
	EnterpriseRoles []string `yaml:"enterprise_roles"`
}

// AppService is a service user an app needs, matched by name or
// Entra application ID.
type AppService struct {
	Name          string   `yaml:"name"`
	ApplicationID string   `yaml:"applicationid"`
	RequiredRoles []string `yaml:"required_roles"`
}

// HighRisk lists the high-risk privileges and who is exempt.
type HighRisk struct {
	ExemptRoles []string       `yaml:"exempt_roles"`
	Privileges  []PrivilegeRef `yaml:"privileges"`
}

// PrivilegeRef names a privilege: by its full name (miscellaneous), or a
// table privilege at a minimum depth.
type PrivilegeRef struct {
	Label     string `yaml:"label"`
	Name      string `yaml:"name"`
	Table     string `yaml:"table"`
	Privilege string `yaml:"privilege"`
	MinDepth  string `yaml:"min_depth"`
}

// SoDPair is a separation-of-duties pair.
type SoDPair struct {
	ID          string       `yaml:"id"`
	Title       string       `yaml:"title"`
	SideA       PrivilegeRef `yaml:"side_a"`
	SideB       PrivilegeRef `yaml:"side_b"`
	ExemptRoles []string     `yaml:"exempt_roles"`
}

// DefaultPolicy returns the built-in policy.
func DefaultPolicy() (*Policy, error) {
	var p Policy
	if err := decodeStrict(defaultPolicy, &p); err != nil {
		return nil, fmt.Errorf("built-in policy: %w", err)
	}
	p.source = "built-in"
	return &p, p.check()
}

// LoadPolicy reads a policy file over the built-in default; "" gives the
// default alone.
func LoadPolicy(path string) (*Policy, error) {
	p, err := DefaultPolicy()
	if err != nil || path == "" {
		return p, err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	if err := decodeStrict(b, p); err != nil {
		return nil, fmt.Errorf("policy %s: %w", path, err)
	}
	p.source = path
	if err := p.check(); err != nil {
		return nil, fmt.Errorf("policy %s: %w", path, err)
	}
	return p, nil
}

// Source says where the policy came from.
func (p *Policy) Source() string { return p.source }

// decodeStrict decodes YAML over v and refuses keys the policy does not
// know, so a misspelt threshold is an error, not a silent default.
func decodeStrict(b []byte, v *Policy) error {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return err
	}
	if len(v.Extra) > 0 {
		var keys []string
		for k := range v.Extra {
			keys = append(keys, k)
		}
		return fmt.Errorf("unknown keys: %s", strings.Join(keys, ", "))
	}
	return nil
}

func (p *Policy) check() error {
	for id, sev := range p.SeverityOverrides {
		if SeverityRank(sev) < 0 {
			return fmt.Errorf("severity_overrides: %s: %q is not one of %s", id, sev, strings.Join(Severities, ", "))
		}
	}
	if p.AsOf != "" {
		if _, err := p.AsOfTime(time.Time{}); err != nil {
			return err
		}
	}
	for name, v := range map[string]int{
		"system_administrator_max": p.Thresholds.SystemAdministratorMax, "system_customizer_max": p.Thresholds.SystemCustomizerMax,
		"noninteractive_max": p.Thresholds.NonInteractiveMax, "inactive_days": p.Thresholds.InactiveDays} {
		if v < 0 {
			return fmt.Errorf("thresholds: %s is %d; a threshold is a count or a number of days, 0 or more", name, v)
		}
	}
	refs := p.HighRiskPrivileges.Privileges
	for _, s := range p.SeparationOfDuties {
		if s.ID == "" {
			return fmt.Errorf("separation_of_duties: a pair has no id")
		}
		refs = append(refs, s.SideA, s.SideB)
	}
	for _, r := range refs {
		if r.Name == "" && (r.Table == "" || r.Privilege == "") {
			return fmt.Errorf("a privilege needs either name, or table and privilege: %+v", r)
		}
		if r.Privilege != "" && !vocab.IsTableRight(r.Privilege) {
			return fmt.Errorf("privilege %q is not one of %s (a miscellaneous privilege goes in name)", r.Privilege, strings.Join(vocab.TableRights, ", "))
		}
		if r.MinDepth != "" && vocab.DepthRank(r.MinDepth) < 0 {
			return fmt.Errorf("min_depth %q is not one of %s", r.MinDepth, vocab.DepthNames)
		}
	}
	return nil
}

// AsOfTime is the audit's "today": the policy's as_of, else now.
func (p *Policy) AsOfTime(now time.Time) (time.Time, error) {
	if p.AsOf == "" {
		return now.UTC(), nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02"} {
		if t, err := time.Parse(layout, p.AsOf); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("as_of %q is not a date (YYYY-MM-DD)", p.AsOf)
}

func norm(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Materialize writes the policy into policy_* tables that rule queries read,
// and the audit's context (environment, as_of).
func (p *Policy) Materialize(ctx context.Context, db *store.DB, environment string, asOf time.Time) error {
	type table struct {
		ddl  string
		rows [][]any
	}
	var t = map[string]*table{}
	add := func(name, ddl string, row ...any) {
		if t[name] == nil {
			t[name] = &table{ddl: ddl}
		}
		if row != nil {
			t[name].rows = append(t[name].rows, row)
		}
	}
	add("audit_context", "environment VARCHAR, as_of TIMESTAMP", environment, asOf)
	add("policy_thresholds", "name VARCHAR, value BIGINT")
	for name, v := range map[string]int{
		"system_administrator_max": p.Thresholds.SystemAdministratorMax, "system_customizer_max": p.Thresholds.SystemCustomizerMax,
		"noninteractive_max": p.Thresholds.NonInteractiveMax, "inactive_days": p.Thresholds.InactiveDays} {
		add("policy_thresholds", "", name, int64(v))
	}
	add("policy_internal_roles", "like_pattern VARCHAR")
	for _, n := range p.InternalRoles.Names {
		add("policy_internal_roles", "", likeLiteral(norm(n)))
	}
	for _, n := range p.InternalRoles.Patterns {
		// '*' matches any run of characters, none included: "Cxp * Services
		// User" also matches "Cxp Services User".
		pattern := strings.ReplaceAll(likeLiteral(norm(n)), "*", "%")
		add("policy_internal_roles", "", strings.ReplaceAll(pattern, " % ", "%"))
	}
	// a policy GUID in the export's form; a value that is no GUID is kept
	// (trimmed, lower case), to match nothing rather than fail
	add("policy_service_users", "domainname VARCHAR, systemuserid VARCHAR")
	for _, s := range p.ServiceUsers {
		add("policy_service_users", "", nullIfEmpty(norm(s.DomainName)), nullIfEmpty(guid.Key(s.SystemUserID)))
	}
	add("policy_apps", "app_id VARCHAR, name VARCHAR")
	add("policy_app_detect_roles", "app_id VARCHAR, role_name VARCHAR")
	add("policy_app_service_users", "app_id VARCHAR, name VARCHAR, applicationid VARCHAR, display_name VARCHAR")
	add("policy_app_service_user_roles", "app_id VARCHAR, service_user_name VARCHAR, role_name VARCHAR")
	add("policy_app_fls_profiles", "app_id VARCHAR, profile_name VARCHAR, display_name VARCHAR")
	add("policy_app_core_roles", "app_id VARCHAR, role_name VARCHAR")
	add("policy_app_lead_score_roles", "app_id VARCHAR, kind VARCHAR, role_name VARCHAR")
	add("policy_app_enterprise_roles", "app_id VARCHAR, role_name VARCHAR")
	for _, a := range p.Apps {
		add("policy_apps", "", a.ID, a.Name)
		for _, r := range a.InstalledIfAnyRole {
			add("policy_app_detect_roles", "", a.ID, norm(r))
		}
		for _, s := range a.ServiceUsers {
			add("policy_app_service_users", "", a.ID, norm(s.Name), nullIfEmpty(guid.Key(s.ApplicationID)), strings.TrimSpace(s.Name))
			for _, r := range s.RequiredRoles {
				add("policy_app_service_user_roles", "", a.ID, norm(s.Name), norm(r))
			}
		}
		for _, f := range a.FieldSecurityProfs {
			add("policy_app_fls_profiles", "", a.ID, norm(f), strings.TrimSpace(f))
		}
		for _, r := range a.CoreRoles {
			add("policy_app_core_roles", "", a.ID, norm(r))
		}
		for _, r := range a.LeadScoreRoles.Modeler {
			add("policy_app_lead_score_roles", "", a.ID, "modeler", norm(r))
		}
		for _, r := range a.LeadScoreRoles.Viewer {
			add("policy_app_lead_score_roles", "", a.ID, "viewer", norm(r))
		}
		for _, r := range a.EnterpriseRoles {
			add("policy_app_enterprise_roles", "", a.ID, norm(r))
		}
	}
	add("policy_sales_roles", "role_name VARCHAR")
	for _, r := range p.SalesRoles {
		add("policy_sales_roles", "", norm(r))
	}
	privDDL := "name VARCHAR, table_name VARCHAR, privilege VARCHAR, min_depth_rank INTEGER, label VARCHAR"
	add("policy_high_risk_privileges", privDDL)
	for _, r := range p.HighRiskPrivileges.Privileges {
		add("policy_high_risk_privileges", "", privRow(r)...)
	}
	add("policy_high_risk_exempt_roles", "role_name VARCHAR")
	for _, r := range p.HighRiskPrivileges.ExemptRoles {
		add("policy_high_risk_exempt_roles", "", norm(r))
	}
	add("policy_sod_pairs", "pair_id VARCHAR, title VARCHAR, side VARCHAR, "+privDDL)
	add("policy_sod_exempt_roles", "pair_id VARCHAR, role_name VARCHAR")
	for _, s := range p.SeparationOfDuties {
		add("policy_sod_pairs", "", append([]any{s.ID, s.Title, "a"}, privRow(s.SideA)...)...)
		add("policy_sod_pairs", "", append([]any{s.ID, s.Title, "b"}, privRow(s.SideB)...)...)
		for _, r := range s.ExemptRoles {
			add("policy_sod_exempt_roles", "", s.ID, norm(r))
		}
	}
	add("policy_free_skus", "sku_part_number VARCHAR")
	for _, s := range p.FreeSKUs {
		add("policy_free_skus", "", strings.ToUpper(strings.Join(strings.Fields(s), "")))
	}

	for name, tb := range t {
		if err := db.Exec(ctx, "create "+name, fmt.Sprintf("CREATE OR REPLACE TABLE %s (%s)", name, tb.ddl)); err != nil {
			return err
		}
		for _, row := range tb.rows {
			marks := strings.TrimSuffix(strings.Repeat("?, ", len(row)), ", ")
			if err := db.Exec(ctx, "fill "+name, fmt.Sprintf("INSERT INTO %s VALUES (%s)", name, marks), row...); err != nil {
				return err
			}
		}
	}
	return nil
}

func privRow(r PrivilegeRef) []any {
	rank := 0
	if r.MinDepth != "" {
		rank = vocab.DepthRank(r.MinDepth)
	}
	label := r.Label
	if label == "" {
		if r.Name != "" {
			label = r.Name
		} else {
			label = norm(r.Privilege) + " on " + norm(r.Table)
		}
	}
	var name any
	if r.Name != "" {
		name = strings.TrimSpace(r.Name)
	}
	return []any{name, nullIfEmpty(norm(r.Table)), nullIfEmpty(norm(r.Privilege)), rank, label}
}

// likeLiteral escapes LIKE's own wildcards in a role name.
func likeLiteral(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
