package skucatalog

import (
	"encoding/csv"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

var updateBuiltin = flag.Bool("update-builtin", false, "rewrite builtin_skus.csv and builtin_dynamics_plans.csv from the shared Microsoft table")

// The built-in catalogue holds exactly the SKUs of Microsoft's table.
func TestBuiltinMatchesMicrosoftTable(t *testing.T) {
	path := filepath.Join("..", "..", "..", "shared", "data", "licensing", "product_names_service_plan_ids_2025-12-30.csv")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("shared licensing table not found at %s (it sits beside the clone in CI): %v", path, err)
	}
	cat, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	skus := cat.SKUs()
	if *updateBuiltin {
		sort.Slice(skus, func(i, j int) bool {
			if a, b := strings.ToLower(skus[i].PartNumber), strings.ToLower(skus[j].PartNumber); a != b {
				return a < b
			}
			return skus[i].ID < skus[j].ID
		})
		rows := [][]string{{"skuid", "skupartnumber", "productname"}}
		for _, s := range skus {
			rows = append(rows, []string{s.ID, s.PartNumber, s.ProductName})
		}
		writeCSV(t, "builtin_skus.csv", rows)
	}
	plans := DynamicsPlans(skus)
	if *updateBuiltin {
		rows := [][]string{{"serviceplanid", "serviceplanname", "friendlyname"}}
		for _, p := range plans {
			rows = append(rows, []string{p.ID, p.Name, p.FriendlyName})
		}
		writeCSV(t, "builtin_dynamics_plans.csv", rows)
	}
	builtinPlans, err := BuiltinDynamicsPlans()
	if err != nil {
		t.Fatal(err)
	}
	if len(builtinPlans) != len(plans) {
		t.Errorf("built-in has %d Dynamics service plans, the table %d", len(builtinPlans), len(plans))
	}
	for i := range min(len(plans), len(builtinPlans)) {
		if plans[i] != builtinPlans[i] {
			t.Errorf("Dynamics plan %d: built-in %+v, table %+v", i, builtinPlans[i], plans[i])
		}
	}
	builtin, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if len(builtin) != len(skus) || len(builtin) != 569 {
		t.Fatalf("built-in has %d SKUs, the table %d (want 569)", len(builtin), len(skus))
	}
	byID := map[string]SKU{}
	for _, s := range builtin {
		byID[s.ID] = s
	}
	for _, s := range skus {
		b, ok := byID[s.ID]
		if !ok || b.PartNumber != s.PartNumber || b.ProductName != s.ProductName {
			t.Errorf("SKU %s: built-in %+v, table %s %q", s.ID, b, s.PartNumber, s.ProductName)
		}
	}
}

// writeCSV rewrites one of the built-in CSV files (under -update-builtin)
// with rows, the header first.
func writeCSV(t *testing.T, name string, rows [][]string) {
	t.Helper()
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := csv.NewWriter(f).WriteAll(rows); err != nil {
		t.Fatal(err)
	}
}
