package rules

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/d365audit/d365audit/internal/suggest"
	"github.com/d365audit/d365audit/store"
)

// CheckNames compares the tables and privileges the policy names with the
// export's (privilege_tables must be built): a separation-of-duties pair on
// a misspelt table would otherwise never fire, silently. It returns one line
// per name the export does not have, with the closest names it does have.
// Entries of the built-in policy are not checked: it names out-of-box
// privileges an export may lack (a trimmed export, an environment without
// Sales), and they are nobody's typing mistake.
func (p *Policy) CheckNames(ctx context.Context, db *store.DB) ([]string, error) {
	if p.source == "built-in" {
		return nil, nil
	}
	def, err := DefaultPolicy()
	if err != nil {
		return nil, err
	}
	tables, err := db.QueryStrings(ctx, "policy names: tables", `SELECT DISTINCT table_name FROM privilege_tables WHERE table_name <> '' ORDER BY 1`)
	if err != nil {
		return nil, err
	}
	privileges, err := db.QueryStrings(ctx, "policy names: privileges", `SELECT DISTINCT name FROM privileges ORDER BY 1`)
	if err != nil {
		return nil, err
	}
	hasTable, hasPrivilege := lowerSet(tables), lowerSet(privileges)
	var problems []string
	checkRef := func(where string, r PrivilegeRef) {
		switch {
		case r.Name != "" && !hasPrivilege[norm(r.Name)]:
			problems = append(problems, fmt.Sprintf("%s: the export has no privilege %s%s", where, strings.TrimSpace(r.Name), suggest.DidYouMean(r.Name, privileges)))
		case r.Name == "" && !hasTable[norm(r.Table)]:
			problems = append(problems, fmt.Sprintf("%s: the export has no table %s%s", where, norm(r.Table), suggest.DidYouMean(r.Table, tables)))
		}
	}
	for i, r := range p.HighRiskPrivileges.Privileges {
		if !slices.Contains(def.HighRiskPrivileges.Privileges, r) {
			checkRef(fmt.Sprintf("high_risk_privileges.privileges[%d]", i), r)
		}
	}
	for _, s := range p.SeparationOfDuties {
		if containsSoD(def.SeparationOfDuties, s) {
			continue
		}
		checkRef("separation_of_duties "+s.ID+" side_a", s.SideA)
		checkRef("separation_of_duties "+s.ID+" side_b", s.SideB)
	}
	for _, t := range p.BusinessTables {
		if !hasTable[norm(t)] && !containsString(def.BusinessTables, t) {
			problems = append(problems, fmt.Sprintf("business_tables: the export has no table %s%s", norm(t), suggest.DidYouMean(t, tables)))
		}
	}
	return problems, nil
}

func lowerSet(list []string) map[string]bool {
	m := make(map[string]bool, len(list))
	for _, s := range list {
		m[norm(s)] = true
	}
	return m
}

func containsSoD(list []SoDPair, s SoDPair) bool {
	for _, x := range list {
		if reflect.DeepEqual(x, s) {
			return true
		}
	}
	return false
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if norm(x) == norm(s) {
			return true
		}
	}
	return false
}
