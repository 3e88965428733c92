package xlsx_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/d365audit/d365audit/queries/access"
	"github.com/d365audit/d365audit/queries/reportdata"
	"github.com/d365audit/d365audit/reports"
	"github.com/d365audit/d365audit/reports/xlsx"
	"github.com/d365audit/d365audit/rules"
)

// BenchmarkWorkbook writes the workbook of a large tenant. Each user is in
// one of 5,000 access profiles, each with 30 tables and 5 miscellaneous
// privileges (35 matrix rows a user), with 20,000 findings, 100,000
// field-security rows and 10,000 wasted seats; the matrix is expanded from
// its profiles, as in a run.
//
//   - users=100000: 3.5 million matrix rows, more than two sheets hold, so
//     the default layout shows the matrix by access profile.
//   - users=59000: 2.07 million rows, the most the default layout keeps as
//     the full matrix (split across two sheets): the slowest case.
//
// D365AUDIT_XLSX_BENCH_USERS runs one size instead. Target: under 60 s and
// 2 GiB; measure the peak with
//
//	go test -tags=duckdb_arrow -c -o /tmp/xlsx.test ./reports/xlsx/
//	/usr/bin/time -v /tmp/xlsx.test -test.run '^$' -test.bench 'BenchmarkWorkbook/users=59000' -test.benchtime 1x
func BenchmarkWorkbook(b *testing.B) {
	sizes := []int{100_000, 59_000}
	if s := os.Getenv("D365AUDIT_XLSX_BENCH_USERS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			b.Fatal(err)
		}
		sizes = []int{n}
	}
	for _, users := range sizes {
		b.Run(fmt.Sprintf("users=%d", users), func(b *testing.B) {
			start := time.Now()
			rep := largeReport(b, users)
			b.Logf("synthetic report of %d users built in %s", users, time.Since(start).Round(time.Millisecond))
			dir := b.TempDir()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				path := filepath.Join(dir, "report.xlsx")
				f, err := os.Create(path)
				if err != nil {
					b.Fatal(err)
				}
				w := xlsx.Writer{Options: xlsx.Options{TmpDir: dir}}
				if err := w.Write(context.Background(), f, rep); err != nil {
					b.Fatal(err)
				}
				if err := f.Close(); err != nil {
					b.Fatal(err)
				}
				st, err := os.Stat(path)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(st.Size())/(1<<20), "MB/workbook")
			}
			b.StopTimer()
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			b.ReportMetric(float64(m.HeapSys)/(1<<20), "MB-heap-sys")
		})
	}
}

// largeReport is a synthetic Report the size of a large tenant.
func largeReport(t testing.TB, users int) *reports.Report {
	const (
		profiles = 5_000
		tables   = 30
		roles    = 2_000
		teams    = 5_000
		findings = 20_000
		fields   = 100_000
		waste    = 10_000
	)
	now := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	rep := &reports.Report{Environment: "bench-prod", GeneratedAt: now, AsOf: now, ToolVersion: "bench",
		RuleSetVersion: rules.Version, Policy: "policy.yaml", AccessProfiles: profiles}
	for i := 0; i < 40; i++ {
		rep.Inputs = append(rep.Inputs, reports.Input{File: fmt.Sprintf("table%02d.csv", i), Kind: "table", Format: "csv",
			Rows: int64(users), Bytes: int64(users) * 200, SHA256: fmt.Sprintf("%064x", i)})
	}
	catalogue, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	rep.Rules = catalogue
	for _, r := range catalogue {
		rep.Evaluated = append(rep.Evaluated, r.ID)
	}
	for i := 0; i < roles; i++ {
		rep.Roles = append(rep.Roles, reportdata.RoleRow{ID: fmt.Sprintf("r%06d", i), Name: fmt.Sprintf("Role %d", i),
			BusinessUnit: "root", Copies: 200, OutOfBox: i%10 == 0, Managed: i%3 == 0, Baseline: i%10 == 0, Modified: i%20 == 0,
			Privileges: 300, Holders: int64(i % 500), DirectHolders: int64(i % 300), TeamHolders: int64(i % 200)})
		if i%20 == 0 {
			rep.RoleChanges = append(rep.RoleChanges, reportdata.RoleChange{Role: fmt.Sprintf("Role %d", i), RoleID: fmt.Sprintf("r%06d", i),
				Privilege: "prvReadAccount", Change: "changed", BaselineDepth: "local", ActualDepth: "global"})
		}
	}
	for i := 0; i < teams; i++ {
		rep.Teams = append(rep.Teams, reportdata.TeamRow{ID: fmt.Sprintf("t%06d", i), Name: fmt.Sprintf("Team %d", i), Type: int64(i % 4),
			BusinessUnit: fmt.Sprintf("BU %d", i%200), Members: int64(i % 50), Roles: []string{fmt.Sprintf("Role %d@root", i%roles)}})
	}
	for i := 0; i < users; i++ {
		rep.Users = append(rep.Users, reportdata.UserRow{ID: fmt.Sprintf("u%d", i), DomainName: fmt.Sprintf("user%06d@contoso.example", i),
			FullName: fmt.Sprintf("User %d", i), BusinessUnit: fmt.Sprintf("BU %d", i%200), AccessMode: int64(i % 5), Disabled: i%17 == 0,
			Licenses: []string{"DYN365_ENTERPRISE_SALES", "SPE_E3"}, DirectRoles: []string{fmt.Sprintf("Role %d@BU %d", i%roles, i%200)},
			TeamRoles: []string{fmt.Sprintf("Role %d@root via team:Team %d", i%roles, i%teams)}, ProfileID: int64(i%profiles) + 1})
	}
	for i := 0; i < findings; i++ {
		r := catalogue[i%len(catalogue)]
		rep.Findings = append(rep.Findings, rules.Finding{Rule: r.ID, Severity: r.Severity, SubjectType: "user",
			SubjectID: fmt.Sprintf("u%d", i*7%users), SubjectName: fmt.Sprintf("User %d", i*7%users), BusinessUnit: "BU 1",
			Message:  "A long enough message for an auditor to read about what is wrong with this user and why",
			Evidence: []byte(`{"roles":["Role 1@root","Role 2@root"],"depth":"global"}`), Fingerprint: fmt.Sprintf("%s:user:u%d", r.ID, i),
			Waived: i%50 == 0})
	}
	rules.SortFindings(rep.Findings)
	for i := 0; i < fields; i++ {
		rep.FieldAccess = append(rep.FieldAccess, access.FieldAccessRow{User: fmt.Sprintf("user%06d@contoso.example", i%users),
			Table: "contact", Column: fmt.Sprintf("secret%d", i%20), Read: true, Update: i%2 == 0, Sources: "FLS profile 1 direct"})
	}
	price := 95.0
	rep.Licenses = reports.LicenseReview{HasGraph: true, HasUsers: true, HasPrices: true, Currency: "USD"}
	for i := 0; i < 50; i++ {
		rep.Licenses.SKUs = append(rep.Licenses.SKUs, reports.SKULine{PartNumber: fmt.Sprintf("SKU_%d", i), ProductName: "Product",
			Status: "Enabled", Enabled: 1000, Consumed: 900, Idle: 100, Kind: "base", MonthlyPrice: &price, IdleMonthly: 9500, IdleAnnual: 114000})
	}
	categories := []string{"disabled user", "no role", "license not required", "inactive", "idle seats"}
	for i := 0; i < waste; i++ {
		rep.Licenses.Waste = append(rep.Licenses.Waste, reports.WasteLine{Category: categories[i%5], UserID: fmt.Sprintf("u%d", i),
			UserName: fmt.Sprintf("User %d", i), SKUPart: "DYN365_ENTERPRISE_SALES", ProductName: "Dynamics 365 Sales Enterprise",
			Seats: 1, Monthly: price, Annual: price * 12, Reason: "no sign-in for 120 days"})
	}
	for _, c := range categories {
		rep.Licenses.Categories = append(rep.Licenses.Categories, reports.WasteCategory{Category: c, Seats: waste / 5,
			Monthly: price * waste / 5, Annual: price * 12 * waste / 5})
	}
	rep.Licenses.TotalMonthly, rep.Licenses.TotalAnnual = price*waste, price*12*waste
	// The matrix: every user in one of the profiles; each profile holds
	// two of 300 roles, one directly and one through a team; each role
	// grants most privileges on 30 tables at varied depths, and the first
	// also 5 miscellaneous privileges.
	mb := access.NewMatrixBuilder()
	var pts []int32
	for t := 0; t < tables; t++ {
		for _, p := range []string{"append", "appendto", "assign", "create", "delete", "read", "share", "write"} {
			pts = append(pts, mb.Cell(fmt.Sprintf("table%03d", t), p))
		}
	}
	for m := 0; m < 5; m++ {
		pts = append(pts, mb.Cell("", fmt.Sprintf("prvMisc%d", m)))
	}
	for r := 0; r < 300; r++ {
		masks := map[int32]int8{}
		for i, pt := range pts {
			if (r+i)%7 != 0 && (i < tables*8 || r == 1) {
				masks[pt] = int8(1 << ((r + i) % 4))
			}
		}
		mb.Role(fmt.Sprintf("role%d", r), fmt.Sprintf("Role %d", r), masks)
	}
	for p := 0; p < profiles; p++ {
		mb.Profile("full",
			access.MatrixSource{RoleID: fmt.Sprintf("role%d", p%200), Text: fmt.Sprintf("Role %d@BU %d direct", p%200, p%50)},
			access.MatrixSource{RoleID: fmt.Sprintf("role%d", (p*7)%300), Text: fmt.Sprintf("Role %d@root team:Team %d", (p*7)%300, p%100)})
	}
	for i := 0; i < users; i++ {
		mb.User(fmt.Sprintf("u%d", i), fmt.Sprintf("user%06d@contoso.example", i), int64(i%profiles)+1)
	}
	rep.Access = access.NewAccessMatrix(mb.Matrix())
	return rep
}
