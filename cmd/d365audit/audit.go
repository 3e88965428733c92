package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/d365audit/d365audit/ingest"
	"github.com/d365audit/d365audit/queries"
	"github.com/d365audit/d365audit/store"
)

// openAudit gives a database holding the effective-access models: built
// from an export directory, or the audit.duckdb a run left behind (opened
// read-only, nothing re-read).
func openAudit(ctx context.Context, input string) (*store.DB, error) {
	st, err := os.Stat(input)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, badInput(fmt.Errorf("--input %s does not exist", input))
	}
	if err != nil {
		return nil, badInput(fmt.Errorf("--input %s: %w", input, err))
	}
	if !st.IsDir() {
		db, err := store.OpenReadOnly(ctx, input)
		if err != nil {
			return nil, badInput(fmt.Errorf("--input %s: neither an export directory nor a DuckDB file: %w", input, err))
		}
		ok, err := db.HasTable(ctx, "effective_access")
		if err != nil || !ok {
			db.Close()
			return nil, badInput(fmt.Errorf("--input %s: a DuckDB file without the audit's tables (not written by d365audit run)", input))
		}
		return db, nil
	}
	db, err := store.Open(ctx, "")
	if err != nil {
		return nil, err
	}
	res, err := ingest.Load(ctx, db, ingest.Options{Input: input})
	if err != nil {
		db.Close()
		return nil, err
	}
	if n := res.Count(ingest.Structural); n > 0 {
		db.Close()
		var first []string
		for _, p := range res.Problems {
			if p.Kind == ingest.Structural && len(first) < 3 {
				first = append(first, p.String())
			}
		}
		return nil, badInput(fmt.Errorf("%s has %d %s, e.g.\n  %s\nrun d365audit validate --input %s for all of them",
			input, n, plural(n, "error", "errors"), strings.Join(first, "\n  "), input))
	}
	if err := queries.Build(ctx, db, queries.Options{}); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}
