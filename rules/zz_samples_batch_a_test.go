package rules

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/d365audit/d365audit/ingest"
	"github.com/d365audit/d365audit/queries"
	"github.com/d365audit/d365audit/store"
)

var batchA = []string{"USER_DISABLED_HOLDS_ROLES", "ROLE_OOB_MODIFIED", "ROLE_INTERNAL_HELD_BY_PERSON", "ADMIN_EXCESS",
	"NONINTERACTIVE_LIMIT", "ROLE_UNUSED", "TEAM_EMPTY_WITH_ROLES", "ROLE_REDUNDANT_DIRECT", "DATA_DANGLING_REFERENCE"}

func TestZZSamplesBatchA(t *testing.T) {
	ctx := context.Background()
	policy, err := LoadPolicy("../samples/contoso/policy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res, err := ingest.Load(ctx, db, ingest.Options{Input: "../samples/contoso"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Problems {
		t.Logf("problem: %v", p)
	}
	asOf, _ := policy.AsOfTime(mustTime("2026-11-20"))
	if err := policy.Materialize(ctx, db, policy.Environment, asOf); err != nil {
		t.Fatal(err)
	}
	if err := queries.Build(ctx, db, queries.Options{BusinessTables: policy.BusinessTables}); err != nil {
		t.Fatal(err)
	}
	if q := os.Getenv("ZZSQL"); q != "" {
		for _, stmt := range strings.Split(prelude, ";\n") {
			if strings.TrimSpace(stripComments(stmt)) != "" {
				if err := db.Exec(ctx, "prelude", stmt); err != nil {
					t.Fatal(err)
				}
			}
		}
		err := db.Query(ctx, "adhoc", q, func(rows *sql.Rows) error {
			cols, _ := rows.Columns()
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				return err
			}
			fmt.Println(vals...)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return
	}
	rs, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	var mine []Rule
	for _, r := range rs {
		for _, id := range batchA {
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
		fmt.Printf("%s [%s] %s | %s | bu=%s\n   %s\n   %s\n", f.Rule, f.Severity, f.Fingerprint, f.SubjectName, f.BusinessUnit, f.Message, string(f.Evidence))
	}
}
