package rules

// THROWAWAY: runs batch B's rules over samples/contoso and prints findings.
// Delete before finishing.

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/d365audit/d365audit/ingest"
	"github.com/d365audit/d365audit/queries"
	"github.com/d365audit/d365audit/store"
)

var batchB = []string{"SVC_USER_MISSING", "SVC_USER_ROLE_MISSING", "SVC_USER_DISABLED", "FLS_PROFILE_MISSING",
	"MKT_ROLE_NEEDS_CORE", "MKT_ENTERPRISE_ROLE", "PRIV_HIGH_RISK", "SOD_CONFLICT"}

func TestZZSamplesBatchB(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res, err := ingest.Load(ctx, db, ingest.Options{Input: "../samples/contoso"})
	if err != nil || res.Count(ingest.Structural) > 0 {
		t.Fatalf("load: %v %v", err, res.Problems)
	}
	policy, err := LoadPolicy("../samples/contoso/policy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	asOf, err := policy.AsOfTime(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := policy.Materialize(ctx, db, "contoso-prod", asOf); err != nil {
		t.Fatal(err)
	}
	if err := queries.Build(ctx, db, queries.Options{BusinessTables: policy.BusinessTables}); err != nil {
		t.Fatal(err)
	}
	all, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	var mine []Rule
	for _, r := range all {
		for _, id := range batchB {
			if r.ID == id {
				mine = append(mine, r)
			}
		}
	}
	out, err := Run(ctx, db, mine, policy)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range out.NotEvaluated {
		fmt.Printf("NOT EVALUATED %s: %s\n", n.Rule, n.Why)
	}
	for _, f := range out.Findings {
		fmt.Printf("%-8s %s | %s | bu=%q\n    %s\n    %s\n", f.Severity, f.Fingerprint, f.SubjectName, f.BusinessUnit, f.Message, f.Evidence)
	}
	if q := os.Getenv("ZZ_SQL"); q != "" {
		for _, stmt := range strings.Split(q, ";;") {
			fmt.Println("== " + stmt)
			err := db.Query(ctx, "adhoc", stmt, func(rows *sql.Rows) error {
				cols, _ := rows.Columns()
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					return err
				}
				var parts []string
				for i, c := range cols {
					parts = append(parts, fmt.Sprintf("%s=%v", c, vals[i]))
				}
				fmt.Println(strings.Join(parts, " | "))
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		}
	}
}
