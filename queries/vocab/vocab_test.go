package vocab

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/d365audit/d365audit/store"
)

// TestSQLTwin holds vocabulary.sql and this package to one answer for
// every mask a model keeps (1 to 15, with the privilege bits above them set
// or not), every way a role is held, and every depth rank.
func TestSQLTwin(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.ExecScript(ctx, "vocabulary", SQL); err != nil {
		t.Fatal(err)
	}
	for _, mask := range []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 | 1, 32 | 2, 1<<20 | 8} {
		for _, via := range []string{"direct", "team"} {
			for _, inherited := range []sql.NullInt64{{}, {Int64: 0, Valid: true}, {Int64: 1, Valid: true}} {
				got, err := db.QueryInt(ctx, "grant_depth_rank", `SELECT grant_depth_rank(?, ?, ?)`, mask, via, inherited)
				if err != nil {
					t.Fatal(err)
				}
				noInherit := via == "team" && inherited.Valid && inherited.Int64 == 0
				if want := GrantRank(int8(mask&15), noInherit); got != int64(want) {
					t.Errorf("mask %d via %s isinherited %v: SQL %d, Go %d", mask, via, inherited, got, want)
				}
			}
		}
	}
	for rank, name := range Depths {
		got, err := db.QueryStrings(ctx, "depth_name", `SELECT depth_name(?)`, rank)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0] != name {
			t.Errorf("depth_name(%d) = %v, Go %q", rank, got, name)
		}
		if DepthRank(name) != rank {
			t.Errorf("DepthRank(%q) = %d, want %d", name, DepthRank(name), rank)
		}
	}
}

// TestTempSQL: every macro of SQL is made temporary, and they work on a
// database opened read-only.
func TestTempSQL(t *testing.T) {
	if n := strings.Count(SQL, "MACRO"); n == 0 || strings.Count(TempSQL, "TEMP MACRO") != n {
		t.Fatalf("TempSQL makes %d of %d macros temporary", strings.Count(TempSQL, "TEMP MACRO"), n)
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "run.duckdb")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Exec(ctx, "a table", `CREATE TABLE t (x INT)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	ro, err := store.OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if err := ro.ExecScript(ctx, "vocabulary", TempSQL); err != nil {
		t.Fatal(err)
	}
	if got, err := ro.QueryInt(ctx, "grant_depth_rank", `SELECT grant_depth_rank(1, 'team', 0) + mask_rank(12)`); err != nil || got != 4 {
		t.Errorf("temporary macros on a read-only database: %d, %v", got, err)
	}
}

func TestDepthRankAliases(t *testing.T) {
	for name, want := range map[string]int{
		"User": 1, "business  unit": 2, "Parent: Child Business Units": 3, "parent child business units": 3,
		"Organization": 4, "organisation": 4, " GLOBAL ": 4, "team": 0, "everyone": -1, "": -1,
	} {
		if got := DepthRank(name); got != want {
			t.Errorf("DepthRank(%q) = %d, want %d", name, got, want)
		}
	}
}

func TestIsTableRight(t *testing.T) {
	for p, want := range map[string]bool{"AppendTo": true, " share ": true, "read": true, "prvReadAccount": false, "": false} {
		if got := IsTableRight(p); got != want {
			t.Errorf("IsTableRight(%q) = %v, want %v", p, got, want)
		}
	}
}
