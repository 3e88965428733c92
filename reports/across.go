package reports

import (
	"slices"
	"strings"

	"github.com/d365audit/d365audit/queries/reportdata"
	"github.com/d365audit/d365audit/queries/tenant"
)

// The views across a tenant's environments come from the engine one row
// per person and environment, or per role, privilege and environment;
// the workbook and the PDF both show them pivoted, one column per
// environment, so the pivots live here, once.

// EnvironmentNames are a tenant run's environments, in name order.
func (r *Report) EnvironmentNames() []string {
	names := make([]string, len(r.Environments))
	for i, e := range r.Environments {
		names[i] = e.Name
	}
	return names
}

// PersonAcross is one person of a tenant and their user in each
// environment where they have one (keyed by environment name).
type PersonAcross struct {
	EntraID, Person, DomainName string
	// Application: an application user in some environment.
	Application bool
	In          map[string]tenant.PersonEnvironment
}

// PeopleAcross groups the people x environments rows by person, in the
// engine's order (person, Entra id).
func PeopleAcross(rows []tenant.PersonEnvironment) []PersonAcross {
	var out []PersonAcross
	for _, r := range rows {
		if n := len(out); n == 0 || out[n-1].EntraID != r.EntraID {
			out = append(out, PersonAcross{EntraID: r.EntraID, Person: r.Person, DomainName: r.DomainName,
				In: map[string]tenant.PersonEnvironment{}})
		}
		p := &out[len(out)-1]
		p.Application = p.Application || r.ApplicationUser
		p.In[r.Environment] = r
	}
	return out
}

// Presence says what a person has in an environment: "no user", "disabled",
// "no role", or the roles they hold there.
func (p PersonAcross) Presence(env string) string {
	u, ok := p.In[env]
	switch {
	case !ok:
		return "no user"
	case !u.Enabled:
		return "disabled"
	case u.Roles == "":
		return "no role"
	}
	return u.Roles
}

// AccessModes names the person's access modes over the environments
// (in envs' order), each once: "Read-Write", or "Read-Write; Administrative"
// where they differ.
func (p PersonAcross) AccessModes(envs []string) string {
	var modes []string
	for _, e := range envs {
		if u, ok := p.In[e]; ok {
			if m := reportdata.AccessModeName(u.AccessMode); !slices.Contains(modes, m) {
				modes = append(modes, m)
			}
		}
	}
	return strings.Join(modes, "; ")
}

// DriftAcross is one privilege of a role whose depth differs between
// environments: the depth in each environment where the role exists
// ("none" where it lacks the privilege).
type DriftAcross struct {
	Role      string
	Custom    bool
	Privilege string
	Depths    map[string]string
}

// DriftRows pivots the role drift to one row per role and privilege, in
// the engine's order (role, privilege).
func DriftRows(rows []tenant.RoleDrift) []DriftAcross {
	var out []DriftAcross
	for _, r := range rows {
		if n := len(out); n == 0 || out[n-1].Role != r.Role || out[n-1].Privilege != r.Privilege {
			out = append(out, DriftAcross{Role: r.Role, Custom: r.Custom, Privilege: r.Privilege, Depths: map[string]string{}})
		}
		out[len(out)-1].Depths[r.Environment] = r.Depth
	}
	return out
}

// RoleDriftSummary is one drifting role: how many of its privileges
// differ, and in how many environments it exists.
type RoleDriftSummary struct {
	Role         string
	Custom       bool
	Privileges   int
	Environments int
}

// DriftByRole summarises the role drift per role, in role order.
func DriftByRole(rows []tenant.RoleDrift) []RoleDriftSummary {
	var out []RoleDriftSummary
	for _, d := range DriftRows(rows) {
		if n := len(out); n == 0 || out[n-1].Role != d.Role {
			out = append(out, RoleDriftSummary{Role: d.Role, Custom: d.Custom})
		}
		s := &out[len(out)-1]
		s.Privileges++
		s.Environments = max(s.Environments, len(d.Depths))
	}
	return out
}

// AdminIn says whether an administrator holds System Administrator in env.
func AdminIn(a tenant.TenantAdmin, env string) bool {
	return slices.Contains(a.Environments, env)
}
