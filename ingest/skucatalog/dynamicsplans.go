package skucatalog

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// A SKU the catalogue does not know (Microsoft adds SKUs every month) is
// classified by its service plans, which Graph lists with every subscribed
// SKU: one carrying a Dynamics 365 / Dataverse plan is a Dynamics license.

// dynamicsSKU tells a Dynamics 365 / Power Apps SKU by its product name or
// part number, as the license model does.
var dynamicsSKU = regexp.MustCompile(`(?i)dynamics 365|power apps|dynamics crm|^(DYN365|D365|POWERAPPS|CRM)`)

// dynamicsPlanName tells a Dynamics 365 / Dataverse plan by its name or
// friendly name.
var dynamicsPlanName = regexp.MustCompile(`(?i)dynamics|^(DYN365|D365|CRM|CDS|DATAVERSE|POWERAPPS)|dataverse|common data service`)

// DynamicsPlans returns the Dynamics 365 / Dataverse service plans of skus:
// the plans named for Dynamics 365, Dynamics CRM, Dataverse (Common Data
// Service) or Power Apps that Dynamics 365 / Power Apps SKUs include and no
// other SKU does (Office 365 suites carry "Dataverse for Teams", which pays
// for no seat in an environment). Sorted by plan name, then id.
func DynamicsPlans(skus []SKU) []ServicePlan {
	type use struct {
		plan       ServicePlan
		dyn, other bool
	}
	// The same plan has other names in other SKUs' rows: the one of the
	// SKU with the lowest id wins, whatever order skus come in.
	skus = slices.Clone(skus)
	slices.SortFunc(skus, func(a, b SKU) int { return strings.Compare(a.ID, b.ID) })
	plans := map[string]*use{}
	for _, s := range skus {
		d := dynamicsSKU.MatchString(s.ProductName) || dynamicsSKU.MatchString(s.PartNumber)
		for _, p := range s.ServicePlans {
			u := plans[p.ID]
			if u == nil {
				u = &use{plan: p}
				plans[p.ID] = u
			}
			if d {
				u.dyn = true
			} else {
				u.other = true
			}
		}
	}
	var out []ServicePlan
	for _, u := range plans {
		if u.dyn && !u.other && (dynamicsPlanName.MatchString(u.plan.Name) || dynamicsPlanName.MatchString(u.plan.FriendlyName)) {
			out = append(out, ServicePlan{ID: u.plan.ID, Name: NormalizePartNumber(u.plan.Name), FriendlyName: u.plan.FriendlyName})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if a, b := strings.ToLower(out[i].Name), strings.ToLower(out[j].Name); a != b {
			return a < b
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// builtinDynamicsPlans is DynamicsPlans of Microsoft's table of 2025-12-30
// (plan id, name, friendly name), regenerated with the built-in SKUs by
// `go test ./ingest/skucatalog -run TestBuiltinMatchesMicrosoftTable -update-builtin`.
//
//go:embed builtin_dynamics_plans.csv
var builtinDynamicsPlans string

// BuiltinDynamicsPlans returns the Dynamics 365 / Dataverse service plans
// of the built-in catalogue.
func BuiltinDynamicsPlans() ([]ServicePlan, error) {
	recs, err := csv.NewReader(strings.NewReader(builtinDynamicsPlans)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("built-in Dynamics service plans: %w", err)
	}
	out := make([]ServicePlan, 0, len(recs))
	for i, rec := range recs {
		if i > 0 {
			out = append(out, ServicePlan{ID: rec[0], Name: rec[1], FriendlyName: rec[2]})
		}
	}
	return out, nil
}
