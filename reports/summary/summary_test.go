package summary

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/d365audit/d365audit/diff"
	"github.com/d365audit/d365audit/queries/licenses"
	"github.com/d365audit/d365audit/reports"
	"github.com/d365audit/d365audit/rules"
)

var files = []string{"report.xlsx", "report.pdf", "findings.json", "manifest.json"}

// full has a line for every part of the summary: rules not evaluated,
// findings of two rules (one waived), a priced license review with
// right-sizing candidates and no users.json, a previous run and an
// expired waiver.
func full() *reports.Report {
	return &reports.Report{
		Environment: "contoso-prod", AsOf: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC),
		Evaluated:      []string{"ADMIN_EXCESS", "USER_NO_ROLE"},
		NotEvaluated:   []rules.NotEvaluated{{Rule: "ROLE_OOB_MODIFIED", Why: "no baseline"}},
		AccessProfiles: 7,
		Findings: []rules.Finding{
			{Rule: "USER_NO_ROLE", Severity: "high"}, {Rule: "ADMIN_EXCESS", Severity: "medium"},
			{Rule: "USER_NO_ROLE", Severity: "high"}, {Rule: "ADMIN_EXCESS", Severity: "medium", Waived: true},
		},
		Licenses: licenses.LicenseReview{
			HasGraph: true, HasPrices: true, Currency: "EUR", TotalMonthly: 120.5, TotalAnnual: 1446,
			Categories: []licenses.WasteCategory{{Seats: 2}, {Seats: 3}},
			Candidates: 4, CandidateMonthly: 80,
		},
		Changes: &diff.Diff{Old: diff.RunInfo{AsOf: "2026-10-20"}, Summary: diff.Summary{
			FindingsNew: 1, FindingsResolved: 2, FindingsStillOpen: 3, AccessGained: 4, AccessLost: 5,
			DepthUp: 1, DepthDown: 1, ScopeMoved: 1, UsersWithAccess: 6, RoleChanges: 2,
		}},
		Waivers: []rules.WaiverStatus{
			{Waiver: rules.Waiver{Rule: "ADMIN_EXCESS", Subject: "Liam", Owner: "ciso", Expires: "2026-10-01"}, Expired: true},
			{Waiver: rules.Waiver{Rule: "USER_NO_ROLE", Subject: "Noah", Owner: "ciso", Expires: "2027-01-01"}},
		},
	}
}

// The lines are the ones the run command has always printed.
func TestWrite(t *testing.T) {
	empty := &reports.Report{Environment: "e", AsOf: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)}
	counts := full()
	counts.Licenses.HasPrices, counts.Licenses.HasUsers, counts.Licenses.Candidates = false, true, 0
	for _, tc := range []struct {
		name string
		rep  *reports.Report
		want string
	}{
		{"full", full(), `Audit of contoso-prod as of 2026-11-20: 4 findings (critical 0, high 2, medium 1, low 0, info 0; waived 1)
Rules: 2 evaluated, 1 not evaluated; 7 access profiles
  not evaluated: ROLE_OOB_MODIFIED: no baseline
Open findings by rule:
  high     USER_NO_ROLE                       2
  medium   ADMIN_EXCESS                       1
License waste: 5 seats, EUR 120.50 a month, 1446.00 a year
Right-sizing candidates (to review, not waste): 4 people hold a Dynamics 365 seat their access uses for no restricted-table write; as Power Apps per user: EUR 80.00 a month less
License review: no graph/users.json: idle seats per SKU only; the licenses of each user were not reviewed
Since the run of 2026-10-20: 1 new, 2 resolved, 3 still open findings; 12 access changes for 6 users; 2 role changes (see diff.json)
Expired waiver (no longer hides its finding): ADMIN_EXCESS Liam, owner ciso, expired 2026-10-01
Written to out: report.xlsx, report.pdf, findings.json, manifest.json
`},
		{"counts only", counts, `Audit of contoso-prod as of 2026-11-20: 4 findings (critical 0, high 2, medium 1, low 0, info 0; waived 1)
Rules: 2 evaluated, 1 not evaluated; 7 access profiles
  not evaluated: ROLE_OOB_MODIFIED: no baseline
Open findings by rule:
  high     USER_NO_ROLE                       2
  medium   ADMIN_EXCESS                       1
License review: 5 wasted seats; costs need a price list (--prices)
Since the run of 2026-10-20: 1 new, 2 resolved, 3 still open findings; 12 access changes for 6 users; 2 role changes (see diff.json)
Expired waiver (no longer hides its finding): ADMIN_EXCESS Liam, owner ciso, expired 2026-10-01
Written to out: report.xlsx, report.pdf, findings.json, manifest.json
`},
		{"empty", empty, `Audit of e as of 2026-01-02: 0 findings (critical 0, high 0, medium 0, low 0, info 0; waived 0)
Rules: 0 evaluated, 0 not evaluated; 0 access profiles
License review: not performed (no graph/subscribedSkus.json in the export)
Written to out: report.xlsx, report.pdf, findings.json, manifest.json
`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			if err := (Writer{Dir: "out", Files: files}).Write(context.Background(), &b, tc.rep); err != nil {
				t.Fatal(err)
			}
			if b.String() != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", b.String(), tc.want)
			}
		})
	}
}

type failing struct{ n int }

func (f *failing) Write(p []byte) (int, error) {
	f.n++
	return 0, errors.New("disk full")
}

// A failed write is returned, once, and stops the lines after it.
func TestWriteError(t *testing.T) {
	f := &failing{}
	err := (Writer{Dir: "out", Files: files}).Write(context.Background(), f, full())
	if err == nil || err.Error() != "disk full" {
		t.Fatalf("err = %v, want disk full", err)
	}
	if f.n != 1 {
		t.Errorf("%d writes reached the writer after the first failed, want none", f.n-1)
	}
}

// A tenant run prints one line per environment after the totals.
func TestWriteTenant(t *testing.T) {
	rep := &reports.Report{Environment: "contoso", AsOf: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC),
		Findings: []rules.Finding{{Rule: "USER_NO_ROLE", Severity: "high", Environment: "prod"}},
		Environments: []reports.EnvironmentRun{
			{Name: "prod", Users: 12, Roles: 30, Findings: reports.Summary{High: 1}},
			{Name: "sales", Users: 4, Roles: 20},
		}}
	var b strings.Builder
	if err := (Writer{Dir: "out", Files: files}).Write(context.Background(), &b, rep); err != nil {
		t.Fatal(err)
	}
	want := `Audit of contoso as of 2026-11-20: 1 findings (critical 0, high 1, medium 0, low 0, info 0; waived 0)
  environment prod: 12 users, 30 roles; findings critical 0, high 1, medium 0, low 0, info 0; waived 0
  environment sales: 4 users, 20 roles; findings critical 0, high 0, medium 0, low 0, info 0; waived 0
Rules: 0 evaluated`
	if !strings.HasPrefix(b.String(), want) {
		t.Errorf("got\n%s\nwant it to start with\n%s", b.String(), want)
	}
}
