package reports_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/d365audit/d365audit/ingest"
	"github.com/d365audit/d365audit/ingest/skucatalog"
	"github.com/d365audit/d365audit/queries"
	"github.com/d365audit/d365audit/reports"
	"github.com/d365audit/d365audit/rules"
	"github.com/d365audit/d365audit/store"
)

const xlsxSamples = "../samples/contoso"

// xlsxReport builds the Report of an export the way audit.Run does
// (ingest, policy, models, rules, waivers, report tables), but keeps the
// database open until the test ends: the Report's access matrix streams
// from it, and audit.Run closes its database before returning.
func xlsxReport(t testing.TB, input string, now time.Time) *reports.Report {
	t.Helper()
	ctx := context.Background()
	optional := func(name string) string {
		p := filepath.Join(input, name)
		if _, err := os.Stat(p); err != nil {
			return ""
		}
		return p
	}
	policy, err := rules.LoadPolicy(optional("policy.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	waivers, err := rules.LoadWaivers(optional("waivers.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	builtin, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	catalogue, err := rules.Catalogue(builtin)
	if err != nil {
		t.Fatal(err)
	}
	asOf, err := policy.AsOfTime(now)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	loaded, err := ingest.Load(ctx, db, ingest.Options{Input: input})
	if err != nil {
		t.Fatal(err)
	}
	if n := loaded.Count(ingest.Structural); n > 0 {
		t.Fatalf("%s: %d structural problems: %v", input, n, loaded.Problems)
	}
	env := policy.Environment
	if env == "" {
		_ = db.Query(ctx, "environment", `SELECT name FROM organizations WHERE name IS NOT NULL ORDER BY name LIMIT 1`,
			func(rows *sql.Rows) error { return rows.Scan(&env) })
	}
	if err := policy.Materialize(ctx, db, env, asOf); err != nil {
		t.Fatal(err)
	}
	if err := queries.Build(ctx, db, queries.Options{BusinessTables: policy.BusinessTables}); err != nil {
		t.Fatal(err)
	}
	skus, err := skucatalog.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if err := queries.BuildLicenses(ctx, db, queries.LicenseOptions{Catalog: skus, FreeSKUs: policy.FreeSKUs,
		InactiveDays: policy.Thresholds.InactiveDays, AsOf: asOf}); err != nil {
		t.Fatal(err)
	}
	outcome, err := rules.Run(ctx, db, catalogue, policy)
	if err != nil {
		t.Fatal(err)
	}
	rep := &reports.Report{
		Environment: env, GeneratedAt: now.UTC().Truncate(time.Second), AsOf: asOf, ToolVersion: "test",
		RuleSetVersion: rules.Version, Policy: policy.Source(), Rules: catalogue,
		Evaluated: outcome.Evaluated, NotEvaluated: outcome.NotEvaluated, Findings: outcome.Findings,
		Waivers: rules.ApplyWaivers(outcome.Findings, waivers, asOf),
	}
	if rep.AccessProfiles, err = queries.ProfileCount(ctx, db); err != nil {
		t.Fatal(err)
	}
	if rep.Users, err = queries.Users(ctx, db); err != nil {
		t.Fatal(err)
	}
	if rep.Roles, err = queries.Roles(ctx, db); err != nil {
		t.Fatal(err)
	}
	if rep.RoleChanges, err = queries.RoleChanges(ctx, db); err != nil {
		t.Fatal(err)
	}
	if rep.Teams, err = queries.Teams(ctx, db); err != nil {
		t.Fatal(err)
	}
	if rep.FieldAccess, err = queries.FieldAccess(ctx, db); err != nil {
		t.Fatal(err)
	}
	rep.Access = queries.NewAccessMatrix(db)
	rep.Licenses, err = queries.ReadLicenseReview(ctx, db,
		loaded.Present("graph_subscribedskus") && loaded.Present("graph_users"), loaded.Present("prices"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, f := range loaded.Files {
		if i, ok := seen[f.File]; ok { // graph/users.json fills two tables
			rep.Inputs[i].Kind += ", " + f.Table
			continue
		}
		seen[f.File] = len(rep.Inputs)
		rep.Inputs = append(rep.Inputs, reports.Input{File: f.File, Kind: f.Table, Format: string(f.Format),
			Rows: f.Rows, Bytes: f.Bytes, SHA256: f.SHA256})
	}
	sort.SliceStable(rep.Inputs, func(i, j int) bool { return rep.Inputs[i].File < rep.Inputs[j].File })
	for _, ref := range []struct{ name, kind string }{{"policy.yaml", "policy"}, {"waivers.yaml", "waivers"}} {
		if p := optional(ref.name); p != "" {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(b)
			rep.Inputs = append(rep.Inputs, reports.Input{File: ref.name, Kind: ref.kind, Bytes: int64(len(b)), SHA256: hex.EncodeToString(sum[:])})
		}
	}
	return rep
}
