package xlsx_test

import (
	"context"
	"testing"
	"time"

	"github.com/d365audit/d365audit/audit"
	"github.com/d365audit/d365audit/reports"
)

const samples = "../../samples/contoso"

// loadReport builds the Report of an export as run does (audit.Prepare),
// keeping the database its access matrix streams from open until the test
// ends.
func loadReport(t testing.TB, input string, now time.Time) *reports.Report {
	t.Helper()
	a, err := audit.Prepare(context.Background(), audit.Options{Input: input, Now: now, ToolVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a.Report
}
