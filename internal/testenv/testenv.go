// Package testenv loads exports for tests: the one way a test gets a
// database with an export ingested, closed when the test ends.
package testenv

import (
	"context"
	"strings"
	"testing"

	"github.com/d365audit/d365audit/ingest"
	"github.com/d365audit/d365audit/store"
)

// Load ingests the export in dir into a new in-memory database; a
// structural problem fails the test (dangling references are data the
// audit reports, and are kept).
func Load(t testing.TB, dir string) *store.DB {
	t.Helper()
	db, res := LoadResult(t, dir)
	if n := res.Count(ingest.Structural); n > 0 {
		t.Fatalf("%s: %d structural problems: %v", dir, n, res.Problems)
	}
	return db
}

// LoadClean is Load for fixtures meant to be clean: any problem but a
// notice fails the test.
func LoadClean(t testing.TB, dir string) *store.DB {
	t.Helper()
	db, res := LoadResult(t, dir)
	var bad []string
	for _, p := range res.Problems {
		if p.Kind != ingest.Notice {
			bad = append(bad, p.Kind.String()+": "+p.String())
		}
	}
	if len(bad) > 0 {
		t.Fatalf("fixture export %s has problems:\n  %s", dir, strings.Join(bad, "\n  "))
	}
	return db
}

// LoadResult ingests the export in dir and returns the database and what
// the load found, for tests that look at the problems themselves.
func LoadResult(t testing.TB, dir string) (*store.DB, *ingest.Result) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	res, err := ingest.Load(ctx, db, ingest.Options{Input: dir})
	if err != nil {
		t.Fatalf("load %s: %v", dir, err)
	}
	return db, res
}
