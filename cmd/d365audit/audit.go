package main

import (
	"context"
	"errors"

	"github.com/d365audit/d365audit/audit"
	"github.com/d365audit/d365audit/store"
)

// openAudit gives a database holding the effective-access model, built as
// run builds it (audit.OpenModel): from an export and its policy, or the
// audit.duckdb a run left behind.
func openAudit(ctx context.Context, input, policy string) (*store.DB, error) {
	db, err := audit.OpenModel(ctx, audit.ModelOptions{Input: input, Policy: policy})
	var ie *audit.InputError
	if errors.As(err, &ie) {
		return nil, badInput(err)
	}
	return db, err
}
