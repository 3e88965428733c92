package licenses

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/d365audit/d365audit/ingest/skucatalog"
	"github.com/d365audit/d365audit/internal/testenv"
	"github.com/d365audit/d365audit/queries/access"
	"github.com/d365audit/d365audit/store"
)

// licenseDB loads the small CSV export of ingest's tests with a price list
// and builds the license model as of 2026-11-20.
func licenseDB(t *testing.T, prices string) *store.DB {
	t.Helper()
	return licenseDBWith(t, prices, nil)
}

// licenseDBWith is licenseDB with graph/subscribedSkus.json replaced by
// skus (unless nil).
func licenseDBWith(t *testing.T, prices string, skus []byte) *store.DB {
	t.Helper()
	dir := t.TempDir()
	for _, sub := range []string{"", "graph"} {
		entries, _ := os.ReadDir(filepath.Join("../../ingest/testdata/formats/csv", sub))
		for _, e := range entries {
			if e.IsDir() {
				continue
			}
			b, err := os.ReadFile(filepath.Join("../../ingest/testdata/formats/csv", sub, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			os.MkdirAll(filepath.Join(dir, sub), 0o755)
			os.WriteFile(filepath.Join(dir, sub, e.Name()), b, 0o644)
		}
	}
	if prices != "" {
		os.WriteFile(filepath.Join(dir, "prices.csv"), []byte(prices), 0o644)
	}
	if skus != nil {
		os.WriteFile(filepath.Join(dir, "graph", "subscribedSkus.json"), skus, 0o644)
	}
	return licenseModels(t, dir)
}

// licenseModels loads the export in dir and builds the access and license
// models as of 2026-11-20, with the built-in SKU catalogue.
func licenseModels(t *testing.T, dir string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db := testenv.Load(t, dir)
	if err := access.Build(ctx, db, access.Options{}); err != nil {
		t.Fatal(err)
	}
	catalog, _ := skucatalog.Builtin()
	if err := BuildLicenses(ctx, db, LicenseOptions{Catalog: catalog, InactiveDays: 90,
		AsOf: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	return db
}

// "Old User" is disabled in Entra ID and Dataverse, never signed in, and
// holds a role: disabled and inactive at once. The seat is counted once,
// under the first category: disabled user.
func TestWasteCountsEverySeatOnce(t *testing.T) {
	db := licenseDB(t, "sku_part_number,monthly_price,currency,kind\nDYN365_ENTERPRISE_SALES,105,EUR,base\nSPE_E3,36,EUR,addon\n")
	ctx := context.Background()
	r, err := ReadLicenseReview(ctx, db, true, true)
	if err != nil {
		t.Fatal(err)
	}
	type key struct{ user, sku string }
	seen := map[key]string{}
	for _, w := range r.Waste {
		if w.UserID == "" {
			continue
		}
		k := key{w.UserID, w.SKUPart}
		if prev, dup := seen[k]; dup {
			t.Errorf("seat %v counted twice: %s and %s", k, prev, w.Category)
		}
		seen[k] = w.Category
	}
	if got := seen[key{"5e0f6a7b-1000-4000-8000-000000000004", "DYN365_ENTERPRISE_SALES"}]; got != "disabled user" {
		t.Errorf("Old User's seat counted as %q, want disabled user", got)
	}
	// Sales Enterprise: 5 enabled, 2 consumed: 3 idle seats at 105.
	// Waste: Old User's seat 105 + 3 idle x 105 = 420 a month; SPE_E3 is suspended (0 enabled), no idle seats.
	if r.TotalMonthly != 420 || r.TotalAnnual != 5040 {
		t.Errorf("totals %v/month %v/year, want 420 and 5040; waste %+v", r.TotalMonthly, r.TotalAnnual, r.Waste)
	}
	if r.Currency != "EUR" {
		t.Errorf("currency %q", r.Currency)
	}
}

// Without a price list the review still counts seats, at no cost.
func TestWasteWithoutPrices(t *testing.T) {
	db := licenseDB(t, "")
	r, err := ReadLicenseReview(context.Background(), db, true, false)
	if err != nil {
		t.Fatal(err)
	}
	seats := int64(0)
	for _, c := range r.Categories {
		seats += c.Seats
	}
	if seats != 4 || r.TotalMonthly != 0 {
		t.Errorf("seats %d, monthly %v; want 4 seats (1 disabled + 3 idle) at no cost: %+v", seats, r.TotalMonthly, r.Categories)
	}
}
