package ingest

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/d365audit/d365audit/ingest/internal/testfiles"
)

// TestGraphSKUShapes: the raw Graph body and the PowerShell SDK's PascalCase
// array (with and without the service plans ConvertTo-Json drops below its
// -Depth) load to the same SKU rows, with appliesTo, every prepaidUnits
// state and the service plans.
func TestGraphSKUShapes(t *testing.T) {
	want := []string{
		"05e9a617-0261-4cee-bb44-138d3ef5d965 SPE_E3 Suspended consumed=1 enabled=0 suspended=3 warning=0 lockedout=0 User",
		"1e1a282c-9c54-43a2-9310-98ef728faace DYN365_ENTERPRISE_SALES Enabled consumed=2 enabled=5 suspended=0 warning=0 lockedout=0 User",
		"e612d426-6bc3-4181-9658-91aa906b0ac0 CDS_DB_CAPACITY Enabled consumed=0 enabled=4 suspended=0 warning=0 lockedout=0 Company",
		"ea126fc5-a19e-42e2-a731-da9d437bffcf DYN365_ENTERPRISE_PLAN1 Enabled consumed=26 enabled=30 suspended=0 warning=0 lockedout=30 User",
	}
	wantPlans := map[string]string{
		"DYN365_ENTERPRISE_SALES": `[{"id":"2da8e897-7791-486b-b08f-cc63c8129df7","name":"DYN365_ENTERPRISE_SALES"},{"id":"874fc546-6efe-4d22-90b8-5c4e7aa59f4b","name":"POWERAPPS_DYN_APPS"}]`,
		"DYN365_ENTERPRISE_PLAN1": `[{"id":"d56f3deb-50d8-465a-bedb-f079817ccac1","name":"DYN365_ENTERPRISE_P1"}]`,
	}
	for _, c := range []struct {
		file  string
		plans bool
	}{{"graph-body.json", true}, {"powershell-sdk.json", true}, {"powershell-sdk-depth2.json", false}} {
		t.Run(c.file, func(t *testing.T) {
			dir := testfiles.TempCopy(t, "testdata/formats/json")
			testfiles.Copy(t, filepath.Join("testdata/graph-shapes", c.file), filepath.Join(dir, "graph", "subscribedSkus.json"))
			db, res := loadDir(t, Options{Input: dir})
			if s := structural(res); len(s) > 0 {
				t.Fatalf("structural problems: %v", s)
			}
			var got []string
			plans := map[string]string{}
			err := db.Query(context.Background(), "skus", `
				SELECT skuid || ' ' || skupartnumber || ' ' || capabilitystatus || ' consumed=' || consumedunits
				       || ' enabled=' || enabledunits || ' suspended=' || suspendedunits || ' warning=' || warningunits
				       || ' lockedout=' || lockedoutunits || ' ' || appliesto, skupartnumber, serviceplans
				FROM graph_subscribedskus ORDER BY skuid`, func(rows *sql.Rows) error {
				var line, part string
				var sp sql.NullString
				if err := rows.Scan(&line, &part, &sp); err != nil {
					return err
				}
				got = append(got, line)
				plans[part] = sp.String
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			for part, w := range wantPlans {
				if !c.plans {
					w = ""
				}
				if plans[part] != w {
					t.Errorf("%s service plans = %q, want %q", part, plans[part], w)
				}
			}
		})
	}
}

// ConvertTo-Json writes a single item as an object: a tenant with one SKU.
func TestGraphSKUSingleObject(t *testing.T) {
	dir := testfiles.TempCopy(t, "testdata/formats/json")
	testfiles.Copy(t, "testdata/graph-shapes/powershell-sdk-single.json", filepath.Join(dir, "graph", "subscribedSkus.json"))
	db, res := loadDir(t, Options{Input: dir})
	// users.json assigns two SKUs this file lacks: dangling references, not errors.
	if s := structural(res); len(s) > 0 {
		t.Fatalf("structural problems: %v", s)
	}
	rows := dumpTable(t, db, "graph_subscribedskus")
	if len(rows) != 1 || !strings.Contains(rows[0], "skupartnumber=DYN365_ENTERPRISE_PLAN1") ||
		!strings.Contains(rows[0], "enabledunits=30") || !strings.Contains(rows[0], "lockedoutunits=30") {
		t.Errorf("rows = %v", rows)
	}
}
