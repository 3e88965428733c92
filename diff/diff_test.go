// External test package: the tests run the audit (package audit), which
// imports reports, which may import diff.
package diff_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/d365audit/d365audit/audit"
	"github.com/d365audit/d365audit/diff"
	"github.com/d365audit/d365audit/store"
)

// baseExport is the small clean tenant of the rule fixtures (its README.md
// describes it): Alex Admin, Ann Sales, Ben Sales, Cat Reader and an
// application user, in the business units fabrikam > Sales.
const (
	baseExport    = "../rules/testdata/base"
	samplesExport = "../samples/contoso" // the sample tenant (samples/README.md)
)

// Subjects of the base tenant.
const (
	alex = "d0000000-0000-4000-8000-000000000001"
	ann  = "d0000000-0000-4000-8000-000000000002"
	ben  = "d0000000-0000-4000-8000-000000000003"

	buRoot  = "b0000000-0000-4000-8000-000000000001" // fabrikam
	buSales = "b0000000-0000-4000-8000-000000000002" // Sales

	salespersonRoot  = "a0000000-0000-4000-8000-000000000005"
	salespersonSales = "a0000000-0000-4000-8000-000000000006"
	basicUserRoot    = "a0000000-0000-4000-8000-000000000003"
	basicUserSales   = "a0000000-0000-4000-8000-000000000004"

	teamFabrikam = "70000000-0000-4000-8000-000000000001" // the root BU's default team
	teamSales    = "70000000-0000-4000-8000-000000000002" // the Sales BU's default team
	teamSalesRep = "70000000-0000-4000-8000-000000000003" // owner team: Fabrikam Sales Rep + Basic User

	prvReadAccount = "c0000000-0000-4000-8000-000000000002"
	attachSKU      = "eb18b715-ea9d-4290-9994-2ebf4b5042d2" // D365_CUSTOMER_SERVICE_ENT_ATTACH, Ann's
)

var auditDay = time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)

// copyDir copies a directory tree.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if e.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// edit replaces old by new in one file of an export, exactly once.
func edit(t *testing.T, dir, file, old, new string) {
	t.Helper()
	path := filepath.Join(dir, file)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), old); n != 1 {
		t.Fatalf("%s: %q occurs %d times, want once", file, old, n)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

func appendTo(t *testing.T, dir, file, text string) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(dir, file), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}

// runAudit audits input into a new directory and returns it.
func runAudit(t *testing.T, input string, now time.Time) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out")
	if _, err := audit.Run(context.Background(), audit.Options{Input: input, Out: out, Now: now, ToolVersion: "test"}); err != nil {
		t.Fatalf("audit %s: %v", input, err)
	}
	return out
}

// variant copies the base export, applies change, and audits it.
func variant(t *testing.T, change func(dir string)) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "export")
	copyDir(t, baseExport, dir)
	if change != nil {
		change(dir)
	}
	return runAudit(t, dir, auditDay)
}

// sharedRun is an audit of one export, run once per test binary for the
// tests that only read it.
type sharedRun struct {
	input string
	now   time.Time
	once  sync.Once
	out   string
	err   error
}

func (r *sharedRun) dir(t *testing.T) string {
	t.Helper()
	r.once.Do(func() {
		dir, err := os.MkdirTemp("", "diff-run-")
		if err != nil {
			r.err = err
			return
		}
		r.out = filepath.Join(dir, "out")
		_, r.err = audit.Run(context.Background(), audit.Options{Input: r.input, Out: r.out, Now: r.now, ToolVersion: "test"})
	})
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.out
}

var (
	base       = &sharedRun{input: baseExport, now: auditDay}
	samples    = &sharedRun{input: samplesExport, now: auditDay}
	samplesDec = &sharedRun{input: "../samples/contoso-2026-12", now: time.Date(2026, 12, 20, 8, 0, 0, 0, time.UTC)}
)

// baseRun is the audit of the unchanged base export.
func baseRun(t *testing.T) string { return base.dir(t) }

// samplesRun is the audit of samples/contoso.
func samplesRun(t *testing.T) string { return samples.dir(t) }

func TestMain(m *testing.M) {
	code := m.Run()
	for _, r := range []*sharedRun{base, samples, samplesDec} {
		if r.out != "" {
			os.RemoveAll(filepath.Dir(r.out))
		}
	}
	os.Exit(code)
}

func compare(t *testing.T, oldDir, newDir string) *diff.Diff {
	t.Helper()
	d, err := diff.Compare(context.Background(), oldDir, newDir)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// change is the part of an access change a test states.
type change struct {
	user, table, privilege, change, oldDepth, newDepth, cause string
}

func (c change) String() string {
	return fmt.Sprintf("%s %s/%s %s %s->%s [%s]", c.user, c.table, c.privilege, c.change, c.oldDepth, c.newDepth, c.cause)
}

func changesOf(d *diff.Diff) []change {
	var out []change
	for _, a := range d.Access {
		out = append(out, change{a.UserID, a.Table, a.Privilege, a.Change, a.OldDepth, a.NewDepth, a.Cause.Kind})
	}
	return out
}

// wantAccess checks that the access changes are exactly want, each once.
func wantAccess(t *testing.T, d *diff.Diff, want ...change) {
	t.Helper()
	got := changesOf(d)
	seen := map[string]int{}
	for _, a := range d.Access {
		seen[a.UserID+"|"+a.Table+"|"+a.Privilege]++
	}
	for k, n := range seen {
		if n > 1 {
			t.Errorf("access change %s reported %d times", k, n)
		}
	}
	sortChanges(got)
	sortChanges(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("access changes:\n got  %v\n want %v", got, want)
	}
}

func sortChanges(cs []change) {
	sort.Slice(cs, func(i, j int) bool { return cs[i].String() < cs[j].String() })
}

func fingerprints(fs []diff.FindingRef) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, f.Fingerprint)
	}
	sort.Strings(out)
	return out
}

func wantFindings(t *testing.T, what string, got []diff.FindingRef, want ...string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	sort.Strings(want)
	if g := fingerprints(got); !reflect.DeepEqual(g, want) {
		t.Errorf("%s findings = %v, want %v", what, g, want)
	}
}

func wantCost(t *testing.T, what string, got diff.Cost, deltaMonthly, deltaAnnual float64) {
	t.Helper()
	if got.DeltaMonthly != deltaMonthly || got.DeltaAnnual != deltaAnnual {
		t.Errorf("%s delta = %.2f a month, %.2f a year; want %.2f, %.2f (%+v)", what, got.DeltaMonthly, got.DeltaAnnual,
			deltaMonthly, deltaAnnual, got)
	}
}

func noLicenseChanges(t *testing.T, d *diff.Diff) {
	t.Helper()
	l := d.Licenses
	if !l.Reviewed || !l.Priced {
		t.Errorf("licenses not compared: %+v", l)
	}
	if len(l.Assignments)+len(l.SKUs)+len(l.WasteLines) > 0 || l.Waste.DeltaMonthly != 0 || l.Spend.DeltaMonthly != 0 {
		t.Errorf("license changes where none were made: %+v", l)
	}
}

// The same export, audited twice, gives no change at all.
func TestCompareSameExportFindsNothing(t *testing.T) {
	t.Parallel()
	base := baseRun(t)
	again := variant(t, nil)
	d := compare(t, base, again)
	if len(d.Findings.New)+len(d.Findings.Resolved)+len(d.Access)+len(d.Users)+len(d.Roles)+len(d.ExpiredWaivers) > 0 {
		t.Errorf("changes between two audits of one export: %+v", d)
	}
	if len(d.Warnings) > 0 {
		t.Errorf("warnings: %v", d.Warnings)
	}
	noLicenseChanges(t, d)
}

// A role edit: Salesperson reads account at Deep instead of Local. Ann holds
// its Sales copy (which has no privilege rows of its own) directly.
func TestRoleEdit(t *testing.T) {
	t.Parallel()
	edited := variant(t, func(dir string) {
		edit(t, dir, "roleprivilegescollection.csv", salespersonRoot+","+prvReadAccount+",2", salespersonRoot+","+prvReadAccount+",4")
	})
	d := compare(t, baseRun(t), edited)
	wantAccess(t, d, change{ann, "account", "read", diff.DepthUp, "local", "deep", diff.CauseRolePrivileges})
	if got := d.Access[0].Cause.Detail; got != "role Salesperson@Sales: prvReadAccount local -> deep" {
		t.Errorf("cause detail = %q", got)
	}
	wantFindings(t, "new", d.Findings.New, "ROLE_OOB_MODIFIED:role:"+salespersonRoot)
	wantFindings(t, "resolved", d.Findings.Resolved)
	want := []diff.RoleChange{{RoleID: salespersonRoot, Role: "Salesperson", BusinessUnit: "fabrikam", Root: true,
		Change: diff.DepthUp, Privilege: "prvReadAccount", OldDepth: "local", NewDepth: "deep", Holders: 1}}
	if !reflect.DeepEqual(d.Roles, want) {
		t.Errorf("role changes = %+v\nwant %+v (the Sales copy inherits the change and is not listed again)", d.Roles, want)
	}
	if len(d.Users) != 0 {
		t.Errorf("user changes = %+v, want none", d.Users)
	}
	noLicenseChanges(t, d)
}

// A membership: Ann joins the owner team Sales Reps (Fabrikam Sales Rep:
// account read Deep, write and create Local; and Basic User, which she holds
// directly already).
func TestTeamMembershipAdded(t *testing.T) {
	t.Parallel()
	joined := variant(t, func(dir string) {
		appendTo(t, dir, "teammemberships.csv", teamSalesRep+","+ann+"\r\n")
	})
	d := compare(t, baseRun(t), joined)
	wantAccess(t, d,
		change{ann, "account", "create", diff.DepthUp, "basic", "local", diff.CauseTeamMembership},
		change{ann, "account", "read", diff.DepthUp, "local", "deep", diff.CauseTeamMembership},
		change{ann, "account", "write", diff.DepthUp, "basic", "local", diff.CauseTeamMembership},
	)
	for _, a := range d.Access {
		if a.Cause.Detail != "joined team Sales Reps (role Fabrikam Sales Rep@Sales)" {
			t.Errorf("%s %s: cause detail %q", a.Table, a.Privilege, a.Cause.Detail)
		}
	}
	// Basic User@Sales, held directly and now through the team too.
	wantFindings(t, "new", d.Findings.New, "ROLE_REDUNDANT_DIRECT:user:"+ann+":"+basicUserSales)
	wantFindings(t, "resolved", d.Findings.Resolved)
	if len(d.Users) != 1 || d.Users[0].UserID != ann || !reflect.DeepEqual(d.Users[0].TeamsJoined, []string{"Sales Reps"}) {
		t.Errorf("user changes = %+v, want Ann joined Sales Reps", d.Users)
	}
	if len(d.Roles) != 0 {
		t.Errorf("role changes = %+v, want none", d.Roles)
	}
	noLicenseChanges(t, d)
}

// moveAnn moves Ann from Sales to fabrikam in the export in dir, as
// Dataverse does: her direct roles and default team with her.
func moveAnn(t *testing.T, dir string) {
	t.Helper()
	edit(t, dir, "systemusers.csv", "Ann Sales,"+buSales, "Ann Sales,"+buRoot)
	edit(t, dir, "systemuserrolescollection.csv", ann+","+salespersonSales, ann+","+salespersonRoot)
	edit(t, dir, "systemuserrolescollection.csv", ann+","+basicUserSales, ann+","+basicUserRoot)
	edit(t, dir, "teammemberships.csv", teamSales+","+ann, teamFabrikam+","+ann)
}

// A business-unit move: Ann moves from Sales to fabrikam. As Dataverse does,
// her direct roles move to the copies in the new business unit, and she
// moves from the Sales default team to fabrikam's. Her Local grants now
// reach fabrikam's records instead of Sales's: the depth is the same, the
// scope moved.
func TestBusinessUnitMove(t *testing.T) {
	t.Parallel()
	moved := variant(t, func(dir string) { moveAnn(t, dir) })
	d := compare(t, baseRun(t), moved)
	wantAccess(t, d,
		change{ann, "account", "read", diff.ScopeMoved, "local", "local", diff.CauseBusinessUnit},
		change{ann, "contact", "read", diff.ScopeMoved, "local", "local", diff.CauseBusinessUnit},
	)
	for _, a := range d.Access {
		if a.Cause.Detail != "moved from business unit Sales to fabrikam" || a.OldScope != "Sales" || a.NewScope != "fabrikam" {
			t.Errorf("%s %s: cause %q, scope %q -> %q", a.Table, a.Privilege, a.Cause.Detail, a.OldScope, a.NewScope)
		}
	}
	wantFindings(t, "new", d.Findings.New)
	wantFindings(t, "resolved", d.Findings.Resolved)
	if len(d.Users) != 1 {
		t.Fatalf("user changes = %+v, want Ann's", d.Users)
	}
	u := d.Users[0]
	if u.BusinessUnit == nil || *u.BusinessUnit != (diff.Transition{From: "Sales", To: "fabrikam"}) ||
		!reflect.DeepEqual(u.RolesAdded, []string{"Basic User@fabrikam", "Salesperson@fabrikam"}) ||
		!reflect.DeepEqual(u.RolesRemoved, []string{"Basic User@Sales", "Salesperson@Sales"}) {
		t.Errorf("Ann's change = %+v", u)
	}
	// The Sales copies she held are held by nobody now, the fabrikam roots
	// by her: no role changed.
	if len(d.Roles) != 0 {
		t.Errorf("role changes = %+v, want none", d.Roles)
	}
	noLicenseChanges(t, d)
}

// A disabled user: Ben, whose roles come through the team Sales Reps, loses
// every access; his paid license is now waste.
func TestUserDisabled(t *testing.T) {
	t.Parallel()
	disabled := variant(t, func(dir string) {
		edit(t, dir, "systemusers.csv", "Ben Sales,"+buSales+",false", "Ben Sales,"+buSales+",true")
	})
	base := baseRun(t)
	d := compare(t, base, disabled)
	// Ben's access in the base run, every row of it lost.
	var want []change
	db, err := store.OpenReadOnly(context.Background(), filepath.Join(base, diff.DatabaseFile))
	if err != nil {
		t.Fatal(err)
	}
	err = db.Query(context.Background(), "Ben's access", `SELECT "table", privilege, depth FROM effective_access WHERE systemuserid = ?`,
		func(rows *sql.Rows) error {
			c := change{user: ben, change: diff.Lost, cause: diff.CauseUserState}
			err := rows.Scan(&c.table, &c.privilege, &c.oldDepth)
			want = append(want, c)
			return err
		}, ben)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(want) < 5 {
		t.Fatalf("Ben holds only %d privileges in the base run", len(want))
	}
	wantAccess(t, d, want...)
	for _, a := range d.Access {
		if a.Cause.Detail != "user disabled" {
			t.Errorf("cause detail %q", a.Cause.Detail)
			break
		}
	}
	wantFindings(t, "new", d.Findings.New, "LIC_DISABLED_USER:user:"+ben+":DYN365_ENTERPRISE_SALES")
	wantFindings(t, "resolved", d.Findings.Resolved)
	if len(d.Users) != 1 || d.Users[0].State == nil || *d.Users[0].State != (diff.Transition{From: "enabled", To: "disabled"}) {
		t.Errorf("user changes = %+v, want Ben disabled", d.Users)
	}
	l := d.Licenses
	wantCost(t, "waste", l.Waste, 105, 1260)
	wantCost(t, "spend", l.Spend, 0, 0)
	if len(l.WasteLines) != 1 || l.WasteLines[0].Change != diff.Added || l.WasteLines[0].Category != "disabled user" ||
		l.WasteLines[0].UserID != ben || l.WasteLines[0].NewMonthly != 105 {
		t.Errorf("waste lines = %+v", l.WasteLines)
	}
	if len(l.Assignments)+len(l.SKUs) != 0 {
		t.Errorf("license assignments or SKUs changed: %+v", l)
	}

	// The other way round: enabling Ben gives it all back, for the same cause.
	back := compare(t, disabled, base)
	for i := range want {
		want[i].change, want[i].oldDepth, want[i].newDepth = diff.Gained, "", want[i].oldDepth
	}
	wantAccess(t, back, want...)
	if back.Access[0].Cause.Detail != "user enabled" {
		t.Errorf("cause detail %q", back.Access[0].Cause.Detail)
	}
	wantFindings(t, "resolved", back.Findings.Resolved, "LIC_DISABLED_USER:user:"+ben+":DYN365_ENTERPRISE_SALES")
	wantCost(t, "waste", back.Licenses.Waste, -105, -1260)
}

// A license removed: Ann's Customer Service attach license is unassigned
// (Graph counts one consumed unit fewer). The seat stays paid for and idle.
func TestLicenseRemoved(t *testing.T) {
	t.Parallel()
	removed := variant(t, func(dir string) {
		edit(t, dir, "graph/users.json", `, {"disabledPlans": [], "skuId": "`+attachSKU+`"}`, "")
		edit(t, dir, "graph/subscribedSkus.json", `"consumedUnits": 1, "prepaidUnits": {"enabled": 1,`, `"consumedUnits": 0, "prepaidUnits": {"enabled": 1,`)
	})
	d := compare(t, baseRun(t), removed)
	wantAccess(t, d)
	wantFindings(t, "new", d.Findings.New, "LIC_UNUSED_SEATS:sku:"+attachSKU)
	wantFindings(t, "resolved", d.Findings.Resolved)
	l := d.Licenses
	if len(l.Assignments) != 1 {
		t.Fatalf("assignments = %+v, want Ann's attach license removed", l.Assignments)
	}
	a := l.Assignments[0]
	if a.Change != diff.Removed || a.SystemUserID != ann || a.SKU != "D365_CUSTOMER_SERVICE_ENT_ATTACH" || a.MonthlyPrice != 20 || !a.Paid {
		t.Errorf("assignment change = %+v", a)
	}
	if len(l.SKUs) != 1 || l.SKUs[0].SKUID != attachSKU || l.SKUs[0].OldConsumed != 1 || l.SKUs[0].NewConsumed != 0 ||
		l.SKUs[0].OldIdle != 0 || l.SKUs[0].NewIdle != 1 || l.SKUs[0].SpendDeltaMonthly != 0 {
		t.Errorf("SKU changes = %+v", l.SKUs)
	}
	wantCost(t, "waste", l.Waste, 20, 240)
	wantCost(t, "spend", l.Spend, 0, 0)
	if l.Currency != "USD" {
		t.Errorf("currency %q", l.Currency)
	}
	if len(l.WasteByCategory) != 1 || l.WasteByCategory[0].Category != "idle seats" || l.WasteByCategory[0].NewSeats != 1 {
		t.Errorf("waste by category = %+v", l.WasteByCategory)
	}
	if len(d.Users)+len(d.Roles) != 0 {
		t.Errorf("user or role changes for a license change: %+v %+v", d.Users, d.Roles)
	}
}

// A waiver in force at the first run and expired at the second: listed, and
// the finding it hid is still open with its waiver lapsed.
func TestWaiverExpiredBetweenRuns(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "export")
	copyDir(t, baseExport, dir)
	edit(t, dir, "systemusers.csv", "Ben Sales,"+buSales+",false", "Ben Sales,"+buSales+",true")
	if err := os.WriteFile(filepath.Join(dir, "waivers.yaml"), []byte(`- rule: LIC_DISABLED_USER
  subject: Ben Sales
  reason: On leave until December; the license is kept for his return.
  owner: alex.admin@fabrikam.com
  expires: 2026-12-01
`), 0o644); err != nil {
		t.Fatal(err)
	}
	before := runAudit(t, dir, auditDay)
	after := runAudit(t, dir, time.Date(2026, 12, 20, 8, 0, 0, 0, time.UTC))
	d := compare(t, before, after)
	fp := "LIC_DISABLED_USER:user:" + ben + ":DYN365_ENTERPRISE_SALES"
	if len(d.ExpiredWaivers) != 1 || d.ExpiredWaivers[0].Subject != "Ben Sales" || !reflect.DeepEqual(d.ExpiredWaivers[0].Matched, []string{fp}) {
		t.Errorf("expired waivers = %+v", d.ExpiredWaivers)
	}
	found := false
	for _, f := range d.Findings.StillOpen {
		if f.Fingerprint == fp {
			found = true
			if f.WaiverChange != diff.WaiverLapsed || f.Waived || !f.WasWaived {
				t.Errorf("still open %s: %+v, want waiver lapsed", fp, f)
			}
		}
	}
	if !found {
		t.Errorf("%s not still open: %+v", fp, d.Findings)
	}
	if d.Summary.WaiversExpired != 1 || d.Summary.WaiverLapsed != 1 {
		t.Errorf("summary = %+v", d.Summary)
	}
}

// Compare's output does not depend on anything but the two runs.
func TestDiffIsDeterministic(t *testing.T) {
	t.Parallel()
	base := baseRun(t)
	joined := variant(t, func(dir string) {
		appendTo(t, dir, "teammemberships.csv", teamSalesRep+","+ann+"\r\n")
		edit(t, dir, "systemusers.csv", "Ben Sales,"+buSales+",false", "Ben Sales,"+buSales+",true")
	})
	var outs [2]bytes.Buffer
	for i := range outs {
		if err := diff.WriteJSON(&outs[i], compare(t, base, joined)); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(outs[0].Bytes(), outs[1].Bytes()) {
		t.Error("two comparisons of the same runs give different diff.json")
	}
	var doc map[string]any
	if err := json.Unmarshal(outs[0].Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"schema_version", "old", "new", "summary", "findings", "expired_waivers", "users", "access", "roles", "licenses"} {
		if _, ok := doc[key]; !ok {
			t.Errorf("diff.json lacks %q", key)
		}
	}
	var text bytes.Buffer
	if err := diff.WriteText(&text, compare(t, base, joined)); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Findings: 2 new, 0 resolved", "Ben Sales <ben.sales@fabrikam.com>", "user state: user disabled",
		"team membership: joined team Sales Reps (role Fabrikam Sales Rep@Sales)", "depth up    account"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, text.String())
		}
	}
}

func TestCompareRefusesADirectoryThatIsNotARun(t *testing.T) {
	t.Parallel()
	base := baseRun(t)
	empty := t.TempDir()
	for _, dirs := range [][2]string{{empty, base}, {base, empty}, {base, filepath.Join(empty, "missing")}} {
		_, err := diff.Compare(context.Background(), dirs[0], dirs[1])
		if !errors.Is(err, diff.ErrNotARun) {
			t.Errorf("Compare(%s, %s) = %v, want ErrNotARun", dirs[0], dirs[1], err)
		}
	}
	// findings.json and a database without the audit's tables
	fake := t.TempDir()
	b, _ := os.ReadFile(filepath.Join(base, diff.FindingsFile))
	os.WriteFile(filepath.Join(fake, diff.FindingsFile), b, 0o644)
	os.WriteFile(filepath.Join(fake, diff.DatabaseFile), []byte("not a database"), 0o644)
	if _, err := diff.Compare(context.Background(), base, fake); !errors.Is(err, diff.ErrNotARun) {
		t.Errorf("Compare with a broken audit.duckdb = %v, want ErrNotARun", err)
	}
	for _, dir := range []string{empty, fake} {
		if err := diff.Check(context.Background(), dir); !errors.Is(err, diff.ErrNotARun) {
			t.Errorf("Check(%s) = %v, want ErrNotARun", dir, err)
		}
	}
	if err := diff.Check(context.Background(), base); err != nil {
		t.Errorf("Check(a run) = %v", err)
	}
}

// A business-unit move and a team membership in one period: each access
// change gets the cause that accounts for it.
func TestCausesOfOnePeriodAreKeptApart(t *testing.T) {
	t.Parallel()
	both := variant(t, func(dir string) {
		moveAnn(t, dir)
		appendTo(t, dir, "teammemberships.csv", teamSalesRep+","+ann+"\r\n")
	})
	d := compare(t, baseRun(t), both)
	wantAccess(t, d,
		change{ann, "account", "create", diff.DepthUp, "basic", "local", diff.CauseTeamMembership},
		change{ann, "account", "read", diff.DepthUp, "local", "deep", diff.CauseTeamMembership},
		change{ann, "account", "write", diff.DepthUp, "basic", "local", diff.CauseTeamMembership},
		change{ann, "contact", "read", diff.ScopeMoved, "local", "local", diff.CauseBusinessUnit},
	)
}

// Two runs over the same input with the same clock give byte-identical
// findings.json, findings.csv and access.parquet; their manifests differ
// only in the fields listed here.
// databaseTables reads every table of an audit.duckdb as text, its rows
// in the order the file stores them.
func databaseTables(t *testing.T, path string) map[string]string {
	t.Helper()
	ctx := context.Background()
	db, err := store.OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var names []string
	err = db.Query(ctx, "tables", `SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY 1`,
		func(rows *sql.Rows) error {
			var n string
			names = append(names, n)
			return rows.Scan(&names[len(names)-1])
		})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, n := range names {
		var text sql.NullString
		err := db.Query(ctx, "table "+n, fmt.Sprintf(`SELECT md5(string_agg(x::VARCHAR, '|')) FROM %s x`, store.Ident(n)),
			func(rows *sql.Rows) error { return rows.Scan(&text) })
		if err != nil {
			t.Fatal(err)
		}
		out[n] = text.String
	}
	return out
}

func TestRunsAreReproducible(t *testing.T) {
	t.Parallel()
	a, b := samplesRun(t), runAudit(t, samplesExport, auditDay)
	for _, name := range []string{audit.FindingsJSON, audit.FindingsCSV, audit.AccessFile} {
		x, errX := os.ReadFile(filepath.Join(a, name))
		y, errY := os.ReadFile(filepath.Join(b, name))
		if errX != nil || errY != nil || len(x) == 0 || !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs over the same input with the same --now (%d and %d bytes; %v %v)",
				name, len(x), len(y), errX, errY)
		}
	}
	// audit.duckdb holds the same tables with the same rows in the same
	// order, though not the same bytes (DuckDB's storage differs by a few
	// bytes from one write to the next).
	ta, tb := databaseTables(t, filepath.Join(a, audit.DatabaseFile)), databaseTables(t, filepath.Join(b, audit.DatabaseFile))
	if len(ta) < 20 || !reflect.DeepEqual(ta, tb) {
		for name := range ta {
			if ta[name] != tb[name] {
				t.Errorf("audit.duckdb: table %s differs between two runs over the same input", name)
			}
		}
		if len(ta) != len(tb) || len(ta) < 20 {
			t.Errorf("audit.duckdb: %d and %d tables", len(ta), len(tb))
		}
	}
	// The fields of manifest.json that may differ: the stages' wall time and
	// peak memory are measurements of the run, and audit.duckdb's bytes, so
	// its size and SHA-256.
	allowed := []*regexp.Regexp{
		regexp.MustCompile(`^stages\[[a-z]+\]\.(seconds|peak_rss_mb)$`),
		regexp.MustCompile(`^outputs\[audit\.duckdb\]\.(bytes|sha256)$`),
	}
	var ma, mb any
	for _, m := range []struct {
		dir string
		v   *any
	}{{a, &ma}, {b, &mb}} {
		raw, err := os.ReadFile(filepath.Join(m.dir, audit.ManifestFile))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, m.v); err != nil {
			t.Fatal(err)
		}
	}
	differ := jsonDiff("", ma, mb)
	t.Logf("manifest.json fields that differ: %v", differ)
	for _, path := range differ {
		ok := false
		for _, re := range allowed {
			ok = ok || re.MatchString(path)
		}
		if !ok {
			t.Errorf("manifest.json field %s differs between two runs over the same input with the same --now", path)
		}
	}
	if len(differ) == 0 {
		t.Error("the manifests are identical: are the stage timings still recorded?")
	}
}

// jsonDiff lists the paths where two decoded JSON values differ. Elements
// of an array of objects are named by their "file" or "name" key.
func jsonDiff(path string, a, b any) []string {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			return []string{path}
		}
		keys := map[string]bool{}
		for k := range x {
			keys[k] = true
		}
		for k := range y {
			keys[k] = true
		}
		var out []string
		for _, k := range slices.Sorted(maps.Keys(keys)) {
			p := k
			if path != "" {
				p = path + "." + k
			}
			out = append(out, jsonDiff(p, x[k], y[k])...)
		}
		return out
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return []string{path}
		}
		var out []string
		for i := range x {
			out = append(out, jsonDiff(path+"["+elementName(x[i], i)+"]", x[i], y[i])...)
		}
		return out
	}
	if !reflect.DeepEqual(a, b) {
		return []string{path}
	}
	return nil
}

func elementName(v any, i int) string {
	if m, ok := v.(map[string]any); ok {
		for _, k := range []string{"file", "name"} {
			if s, ok := m[k].(string); ok {
				return s
			}
		}
	}
	return fmt.Sprint(i)
}

// The two sample exports, a month apart (samples/README.md, "contoso-2026-12"):
// the diff reports each planted change, with its cause, and nothing else.
func TestSamplesMonthApart(t *testing.T) {
	t.Parallel()
	nov := samplesRun(t)
	d := compare(t, nov, samplesDec.dir(t))
	if len(d.Warnings) > 0 {
		t.Errorf("warnings: %v", d.Warnings)
	}
	const (
		emma   = "ffabdfac-4ff1-eb11-8481-000d3aadf7c4"
		jan    = "5daeae7d-5cce-ef11-85f7-000d3a7c7358"
		noah   = "3d76d5e9-e14b-ef11-8fe7-000d3a35f5fd"
		thomas = "ebd7200c-47cf-eb11-8ae7-000d3ad1c950"
		lukas  = "98e36b2e-19c5-eb11-8ee2-000d3a2e216f"
		clara  = "0a4cc4c9-c465-eb11-81e1-000d3aa4cd4b"
	)
	wantFindings(t, "new", d.Findings.New,
		"LIC_DISABLED_USER:user:"+emma+":DYN365_ENTERPRISE_SALES", "LIC_DISABLED_USER:user:"+emma+":SPE_E3",
		"USER_DISABLED_HOLDS_ROLES:user:"+emma, "SOD_CONFLICT:user:"+jan+":SOD-PAY-01")
	wantFindings(t, "resolved", d.Findings.Resolved,
		"LIC_DISABLED_USER:user:"+thomas+":DYN365_ENTERPRISE_SALES", "LIC_NO_ROLE:user:"+noah+":DYN365_ENTERPRISE_SALES",
		"USER_NO_ROLE:user:"+noah)
	// 39 still open: 34 planted, and the five System Administrators who can update every case
	// without a Customer Service license (LIC_RESTRICTED_TABLE_UNLICENSED) in both months.
	if d.Summary.FindingsStillOpen != 39 || d.Summary.NewlyWaived+d.Summary.WaiverLapsed+d.Summary.WaiversExpired != 0 {
		t.Errorf("summary = %+v", d.Summary)
	}

	// access changes per user: how many, of which kind, for which cause
	type tally struct{ change, cause, detail string }
	got := map[string]map[tally]int{}
	for _, a := range d.Access {
		if got[a.UserID] == nil {
			got[a.UserID] = map[tally]int{}
		}
		got[a.UserID][tally{a.Change, a.Cause.Kind, a.Cause.Detail}]++
	}
	roleEdit := "role Contoso Team Sales Access@DACH Sales: prvReadOpportunity team -> local"
	want := map[string]map[tally]int{
		emma:  {{diff.Lost, diff.CauseUserState, "user disabled"}: 56},
		jan:   {{diff.DepthUp, diff.CauseTeamMembership, "joined team Finance Approvers (role Contoso Finance Approver@Group Finance)"}: 6},
		noah:  {{diff.Gained, diff.CauseDirectRole, "role Salesperson@DACH Sales assigned directly"}: 54},
		lukas: {{diff.DepthUp, diff.CauseRolePrivileges, roleEdit}: 1},
		clara: {{diff.DepthUp, diff.CauseRolePrivileges, roleEdit}: 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("access changes by user:\n got  %v\n want %v", got, want)
	}
	wantAccessRow := func(user, table, privilege, oldDepth, newDepth string) {
		t.Helper()
		for _, a := range d.Access {
			if a.UserID == user && a.Table == table && a.Privilege == privilege {
				if a.OldDepth != oldDepth || a.NewDepth != newDepth {
					t.Errorf("%s %s %s: %s -> %s, want %s -> %s", a.User, table, privilege, a.OldDepth, a.NewDepth, oldDepth, newDepth)
				}
				return
			}
		}
		t.Errorf("no access change for %s on %s %s", user, table, privilege)
	}
	wantAccessRow(jan, "contoso_payment", "write", "basic", "global")
	wantAccessRow(lukas, "opportunity", "read", "team", "local")
	wantAccessRow(clara, "opportunity", "read", "basic", "local")

	if len(d.Users) != 3 {
		t.Errorf("user changes = %+v, want Emma, Jan and Noah", d.Users)
	}
	wantRoles := []diff.RoleChange{{RoleID: "2c447cd8-315a-ef11-8ba4-000d3a929eb3", Role: "Contoso Team Sales Access", BusinessUnit: "contoso",
		Root: true, Change: diff.DepthUp, Privilege: "prvReadOpportunity", OldDepth: "basic", NewDepth: "local", Holders: 2}}
	if !reflect.DeepEqual(d.Roles, wantRoles) {
		t.Errorf("role changes = %+v", d.Roles)
	}

	l := d.Licenses
	if len(l.Assignments) != 1 || l.Assignments[0].Change != diff.Removed || l.Assignments[0].SystemUserID != thomas ||
		l.Assignments[0].SKU != "DYN365_ENTERPRISE_SALES" {
		t.Errorf("assignments = %+v, want Thomas Becker's Sales license removed", l.Assignments)
	}
	if len(l.SKUs) != 1 || l.SKUs[0].OldEnabled != 19 || l.SKUs[0].NewEnabled != 18 || l.SKUs[0].SpendDeltaMonthly != -105 {
		t.Errorf("SKU changes = %+v", l.SKUs)
	}
	// 1,037 -> 968 a month: Emma's two seats (+141), Thomas's seat (-105), Noah's (-105)
	wantCost(t, "waste", l.Waste, -69, -828)
	if l.Waste.OldMonthly != 1037 || l.Waste.NewMonthly != 968 {
		t.Errorf("waste = %+v", l.Waste)
	}
	wantCost(t, "spend", l.Spend, -105, -1260)
}

// olderRun copies run and rewrites its audit.duckdb with stmt, as a run
// written by an older version would have it.
func olderRun(t *testing.T, run, stmt string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "out")
	copyDir(t, run, dir)
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(dir, diff.DatabaseFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Exec(ctx, "make an older run", stmt); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Runs written before role_roots stored every role's grant source, or
// before role_roots existed, compare as the current runs do: diff derives
// what they did not store. In the changed run Ben is given the Sales copy
// of System Administrator, which nobody holds before, with one privilege
// row of its own: it grants that row, not its root's fourteen, and the run
// before did not expand it (role_grant_sources lacks it).
func TestOlderRunsCompareAlike(t *testing.T) {
	t.Parallel()
	const sysAdminSales = "a0000000-0000-4000-8000-000000000002"
	before := baseRun(t)
	after := variant(t, func(dir string) {
		appendTo(t, dir, "roleprivilegescollection.csv", sysAdminSales+",c0000000-0000-4000-8000-000000000004,8\r\n")
		appendTo(t, dir, "systemuserrolescollection.csv", ben+","+sysAdminSales+"\r\n")
	})
	want := compare(t, before, after)
	wantAccess(t, want, change{ben, "account", "delete", diff.Gained, "", "global", diff.CauseDirectRole})
	for _, stmt := range []string{
		`ALTER TABLE role_roots DROP COLUMN source_roleid`,
		`DROP TABLE role_roots`,
	} {
		got := compare(t, olderRun(t, before, stmt), olderRun(t, after, stmt))
		for _, part := range []struct {
			name      string
			got, want any
		}{
			{"access", got.Access, want.Access}, {"users", got.Users, want.Users},
			{"roles", got.Roles, want.Roles}, {"findings", got.Findings, want.Findings},
		} {
			if !reflect.DeepEqual(part.got, part.want) {
				t.Errorf("%s: %s differ:\n got  %+v\n want %+v", stmt, part.name, part.got, part.want)
			}
		}
	}
}

// A new user, and a role given to a team: the new user's access is all
// gained because the user is new; a member of the team gains through the
// team's new role.
func TestNewUserAndTeamRoles(t *testing.T) {
	t.Parallel()
	const dan = "d0000000-0000-4000-8000-000000000009"
	changed := variant(t, func(dir string) {
		appendTo(t, dir, "systemusers.csv", dan+",dan.new@fabrikam.com,Dan New,"+buSales+",false,0,,\r\n")
		appendTo(t, dir, "systemuserrolescollection.csv", dan+","+basicUserSales+"\r\n")
		appendTo(t, dir, "teamrolescollection.csv", teamSalesRep+","+salespersonSales+"\r\n")
	})
	d := compare(t, baseRun(t), changed)
	var got []change
	for _, c := range changesOf(d) {
		if c.user == dan {
			if c.change != diff.Gained || c.cause != diff.CauseUserAdded {
				t.Errorf("Dan: %v, want gained because the user is new", c)
			}
			continue
		}
		got = append(got, c)
	}
	want := []change{
		{ben, "contact", "read", diff.DepthUp, "basic", "local", diff.CauseTeamRoles},
		{ben, "contact", "write", diff.Gained, "", "basic", diff.CauseTeamRoles},
	}
	sortChanges(got)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("access changes besides Dan's:\n got  %v\n want %v", got, want)
	}
	for _, a := range d.Access {
		if a.UserID == ben && a.Cause.Detail != "team Sales Reps was given role Salesperson@Sales" {
			t.Errorf("Ben's cause detail = %q", a.Cause.Detail)
		}
	}
	if len(d.Users) != 1 || !d.Users[0].Added || d.Users[0].UserID != dan {
		t.Errorf("user changes = %+v, want Dan added", d.Users)
	}
}
