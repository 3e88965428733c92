package tabular

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/d365audit/d365audit/reports"
	"github.com/d365audit/d365audit/rules"
)

// findings.csv starts with a UTF-8 byte order mark, so that Excel on
// Windows reads names like Björn and Yılmaz as UTF-8; after it the file is
// plain CSV.
func TestFindingsCSVStartsWithBOM(t *testing.T) {
	rep := &reports.Report{Findings: []rules.Finding{{Rule: "USER_NO_ROLE", Severity: "high", SubjectType: "user",
		SubjectName: "Björn Yılmaz", Evidence: []byte(`{}`), Fingerprint: "USER_NO_ROLE:user:x"}}}
	var b bytes.Buffer
	if err := (FindingsCSV{}).Write(context.Background(), &b, rep); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b.Bytes(), []byte{0xEF, 0xBB, 0xBF}) {
		t.Fatalf("findings.csv starts with % x, want the UTF-8 BOM EF BB BF", b.Bytes()[:3])
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(b.String(), UTF8BOM))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0][0] != "rule" || rows[1][4] != "Björn Yılmaz" {
		t.Errorf("rows %q", rows)
	}
}

// A tenant run's findings.csv starts each row, and the header, with the
// finding's environment; the rest of the row is as for a single export.
func TestFindingsCSVTenantEnvironment(t *testing.T) {
	rep := &reports.Report{Environments: []reports.EnvironmentRun{{Name: "prod"}},
		Findings: []rules.Finding{{Rule: "USER_NO_ROLE", Severity: "high", Environment: "prod", SubjectName: "=x",
			Evidence: []byte(`{}`)}, {Rule: "LIC_NO_ROLE", Severity: "low", Environment: rules.TenantScope, Evidence: []byte(`{}`)}}}
	var b bytes.Buffer
	if err := (FindingsCSV{}).Write(context.Background(), &b, rep); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(b.String(), UTF8BOM))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0][0] != "environment" || rows[0][1] != "rule" || len(rows[0]) != len(FindingsCSVHeader)+1 {
		t.Fatalf("header %q", rows[0])
	}
	if rows[1][0] != "prod" || rows[1][1] != "USER_NO_ROLE" || rows[1][5] != "'=x" || rows[2][0] != rules.TenantScope {
		t.Errorf("rows %q", rows[1:])
	}
}
