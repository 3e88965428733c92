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
