package main

import (
	"context"
	"errors"

	"github.com/d365audit/d365audit/audit"
)

// openAudit gives a database holding the effective-access model, built as
// run builds it (audit.OpenModel): from an export and its policy, or the
// audit.duckdb a run left behind.
// A tenant's model asks every environment, or the one --environment names.
func openAudit(ctx context.Context, input, policy, environment string) (*audit.Model, error) {
	m, err := audit.OpenModel(ctx, audit.ModelOptions{Input: input, Policy: policy, Environment: environment})
	var ie *audit.InputError
	if errors.As(err, &ie) {
		return nil, badInput(err)
	}
	return m, err
}
