package pdf_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/d365audit/d365audit/audit"
	"github.com/d365audit/d365audit/diff"
	"github.com/d365audit/d365audit/reports"
)

const changesHeading = "Changes since the last run"

// changesReport is the Report of samples/contoso-2026-12 as audit.Run
// builds it, with Changes from comparing it with the run of
// samples/contoso a month earlier. Built once for the tests below.
var changesReport = buildOnce(buildChangesReport)

func buildChangesReport() (*reports.Report, error) {
	ctx := context.Background()
	root, err := os.MkdirTemp("", "pdf-changes-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(root)
	dirA, dirB := filepath.Join(root, "2026-11"), filepath.Join(root, "2026-12")
	if _, err := audit.Run(ctx, audit.Options{Input: "../../samples/contoso", Out: dirA, ToolVersion: "test",
		Now: time.Date(2026, 11, 20, 8, 30, 0, 0, time.UTC)}); err != nil {
		return nil, err
	}
	rep, err := audit.Run(ctx, audit.Options{Input: "../../samples/contoso-2026-12", Out: dirB, ToolVersion: "test",
		Now: time.Date(2026, 12, 20, 8, 30, 0, 0, time.UTC)})
	if err != nil {
		return nil, err
	}
	rep.Access = nil // its database is closed; the PDF does not read it
	if rep.Changes, err = diff.Compare(ctx, dirA, dirB); err != nil {
		return nil, err
	}
	return rep, nil
}

// changesPages is the text of the section's pages: from its heading to
// the next section's.
func changesPages(t *testing.T, text string) string {
	t.Helper()
	start := strings.Index(text, changesHeading+"\n")
	if start < 0 {
		t.Fatalf("no %q section in the PDF", changesHeading)
	}
	end := section2.FindStringIndex(text[start:])
	if end == nil {
		t.Fatal("no section 2 after the changes section")
	}
	return text[start : start+end[0]]
}

var (
	spaces   = regexp.MustCompile(`\s+`)
	section1 = regexp.MustCompile(`(?m)^1 +Executive summary$`)
	section2 = regexp.MustCompile(`(?m)^2 +Findings by rule$`)
)

// at is where re first matches text, or -1.
func at(re *regexp.Regexp, text string) int {
	if m := re.FindStringIndex(text); m != nil {
		return m[0]
	}
	return -1
}

func TestPDFChanges(t *testing.T) {
	rep := changesReport(t)
	path := writeFile(t, rep)
	text := extractText(t, path, false)
	summary := at(section1, text)
	section := strings.Index(text, changesHeading+"\n")
	rules := at(section2, text)
	if summary < 0 || section < 0 || rules < 0 || !(summary < section && section < rules) {
		t.Fatalf("the changes section is not between the executive summary and section 2 (at %d, %d, %d)", summary, section, rules)
	}
	got := changesPages(t, text)
	flat := spaces.ReplaceAllString(got, " ")
	for _, want := range []string{
		"as of 2026-11-20", "as of 2026-12-20",
		"4 new, 3 resolved, 39 still open",
		"118 changes for 5 users: 54 gained, 56 lost, 8 depth up, 0 depth down",
		"New findings (4)", "SOD_CONFLICT", "Jan Novák can both create payments and approve payments",
		"Resolved findings (3)", "Noah Fischer holds a paid DYN365_ENTERPRISE_SALES license but no security role",
		"Access changes (118)", "Role drift (1)", "Contoso Team Sales Access", "prvReadOpportunity basic → local",
		"License cost effect",
		"USD -69.00 a month (1,037.00 → 968.00), USD -828.00 a year",
		"-105.00",
		"Spend (enabled paid seats)",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("the changes section lacks %q", want)
		}
	}

	// Access rows, one per user and cause, read with the layout kept (the
	// first line of each): Emma Wilson lost her access because she was
	// disabled; Jan Novák gained depth through the team Finance Approvers.
	layout := changesPages(t, extractText(t, path, true))
	for _, re := range []string{
		`(?m)^\s*Emma Wilson\s+User state: user disabled\s+-\s+56\s+-\s+-\s+-\s+prvExportToExcel`,
		`(?m)^\s*Jan Novák\s+Team membership: joined team\s+-\s+-\s+6\s+-\s+-\s+account read`,
		`(?m)^\s*Noah Fischer\s+Direct role: role\s+54\s+-\s+-\s+-\s+-`,
	} {
		if !regexp.MustCompile(re).MatchString(layout) {
			t.Errorf("no access row matches %s", re)
		}
	}
	for _, want := range []string{"Team membership: joined team Finance Approvers (role Contoso Finance Approver@Group Finance)",
		"User state: user disabled", "Direct role: role Salesperson@DACH Sales assigned directly"} {
		if !strings.Contains(flat, want) {
			t.Errorf("the access changes lack the cause %q", want)
		}
	}
	if !regexp.MustCompile(`(?m)^\s*disabled user\s+3 ?→ ?4\s+246\.00 → 282\.00\s+\+36\.00`).MatchString(layout) {
		t.Error("the waste by category lacks disabled user 3 → 4, 246.00 → 282.00, +36.00")
	}
	if strings.Contains(layout, "see diff.json") {
		t.Error("a list of the sample's changes was cut short")
	}

	// The section's pages, for a look: D365AUDIT_PDF_PNG=dir writes them.
	if dir := os.Getenv("D365AUDIT_PDF_PNG"); dir != "" {
		if b, err := os.ReadFile(path); err == nil {
			os.WriteFile(filepath.Join(dir, "report.pdf"), b, 0o644)
		}
		first := strings.Count(text[:section], "\f") + 1
		last := strings.Count(text[:rules], "\f")
		cmd := exec.Command(tool(t, "pdftoppm"), "-r", "60", "-png", "-f", strconv.Itoa(first), "-l", strconv.Itoa(last),
			path, filepath.Join(dir, "changes"))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v: %s", err, out)
		}
	}
}

// A report without Changes has no such section (and the golden of
// TestPDFGolden stays as it was); a long list is cut short with a
// reference to diff.json.
func TestPDFChangesAbsentAndBounded(t *testing.T) {
	rep := sampleReport(t)
	if rep.Changes != nil {
		t.Fatal("the sample report has Changes")
	}
	if text := extractText(t, writeFile(t, rep), false); strings.Contains(text, changesHeading) || strings.Contains(text, "diff.json") {
		t.Error("a report without Changes shows a changes section")
	}

	big := *changesReport(t)
	d := *big.Changes
	d.Findings.New = nil
	d.Access = nil
	for i := 0; i < 100; i++ {
		d.Findings.New = append(d.Findings.New, diff.FindingRef{Rule: "USER_NO_ROLE", Severity: "high", SubjectType: "user",
			SubjectName: "User " + strconv.Itoa(i), Message: "Person User " + strconv.Itoa(i) + " holds no security role"})
		d.Access = append(d.Access, diff.AccessChange{UserID: "u" + strconv.Itoa(i), User: "user" + strconv.Itoa(i) + "@contoso.example",
			UserName: "User " + strconv.Itoa(i), Table: "account", Privilege: "read", Change: diff.Lost, OldDepth: "global",
			Cause: diff.Cause{Kind: diff.CauseUserRemoved, Detail: "user no longer in the export"}})
	}
	d.Findings.StillOpen = append([]diff.FindingRef{{Rule: "ROLE_INTERNAL_HELD_BY_PERSON", Severity: "medium",
		SubjectType: "user", SubjectName: "田中 愛子", WaiverChange: diff.WaiverLapsed, SeverityBefore: "low"}}, d.Findings.StillOpen...)
	d.ExpiredWaivers = []diff.ExpiredWaiver{{Rule: "ROLE_INTERNAL_HELD_BY_PERSON", Subject: "emma.wilson@contosopharma.com",
		Owner: "it-security@contosopharma.com", Expires: "2026-12-01", Reason: "leaver", Matched: []string{"a", "b"}}}
	d.Warnings = []string{"the runs audit different environments: \"contoso-test\" and \"contoso-prod\""}
	d.Licenses.Priced = false
	d.Summary.FindingsNew, d.Summary.WaiversExpired = len(d.Findings.New), len(d.ExpiredWaivers)
	big.Changes = &d
	path := writeFile(t, &big)
	got := spaces.ReplaceAllString(changesPages(t, extractText(t, path, false)), " ")
	if dir := os.Getenv("D365AUDIT_PDF_PNG"); dir != "" {
		if b, err := os.ReadFile(path); err == nil {
			os.WriteFile(filepath.Join(dir, "bounded.pdf"), b, 0o644)
		}
	}
	for _, want := range []string{"User 39", "and 60 more: see diff.json", "Warning: the runs audit different environments",
		"waiver lapsed; severity was low", "田中 愛子", "it-security@contosopharma.com", "the 2 findings they hid are open again",
		"counts only", "12 → 12 wasted seats"} {
		if !strings.Contains(got, want) {
			t.Errorf("the bounded section lacks %q", want)
		}
	}
	if strings.Contains(got, "User 40 ") || strings.Contains(got, "User 99") {
		t.Error("the section lists more than 40 rows")
	}
	if n := strings.Count(got, "and 60 more: see diff.json"); n != 2 {
		t.Errorf("%d lists cut short, want 2 (new findings, access)", n)
	}
}
