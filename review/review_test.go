// External test package: the tests run the audit (package audit) to get a
// run to review, as a user would.
package review_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/d365audit/d365audit/audit"
	"github.com/d365audit/d365audit/internal/testenv"
	"github.com/d365audit/d365audit/review"
)

const samplesExport = "../samples/contoso"

var auditDay = time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)

// Users of samples/contoso the tests name.
const (
	joseNunez    = "jose.nunez@contosopharma.com" // manager Camila Rodríguez, LATAM Sales
	camila       = "camila.rodriguez@contosopharma.com"
	fatima       = "fatima.alsayed@contosopharma.com" // Group Finance, team Finance Approvers; manager Olga Ivanova
	olga         = "olga.ivanova@contosopharma.com"
	clara        = "clara.schneider@contosopharma.com" // DACH Sales, no manager
	financeTeam  = "team Finance Approvers"
	financeRole  = "Contoso Finance Approver"
	paymentRole  = "Contoso Payment Creator"
	clarasTeam   = "team DACH Key Accounts"
	clarasTRole  = "Contoso Team Sales Access"
	unassignedWB = "unassigned.xlsx"
)

var (
	runOnce sync.Once
	runDir  string
	runErr  error
)

// samplesRun is the audit of samples/contoso, run once per test binary
// through the same code path as `d365audit run`.
func samplesRun(t testing.TB) string {
	t.Helper()
	runOnce.Do(func() {
		dir, err := os.MkdirTemp("", "review-run-")
		if err != nil {
			runErr = err
			return
		}
		runDir = filepath.Join(dir, "out")
		_, runErr = audit.Run(context.Background(), audit.Options{Input: samplesExport, Out: runDir, Now: auditDay, ToolVersion: "test"})
	})
	if runErr != nil {
		t.Fatal(runErr)
	}
	return runDir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if runDir != "" {
		os.RemoveAll(filepath.Dir(runDir))
	}
	os.Exit(code)
}

// campaign makes and writes a campaign of the samples run.
func campaign(t *testing.T, o review.Options) (*review.Campaign, string) {
	t.Helper()
	o.Run = samplesRun(t)
	if o.Out == "" {
		o.Out = filepath.Join(t.TempDir(), "campaign")
	}
	c, err := review.Build(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if err := review.Write(context.Background(), c, o.Out, ""); err != nil {
		t.Fatal(err)
	}
	return c, o.Out
}

func itemsOf(c *review.Campaign, domain string) []review.Item {
	var out []review.Item
	for _, it := range c.Items {
		if it.DomainName == domain {
			out = append(out, it)
		}
	}
	return out
}

func fileOf(t *testing.T, c *review.Campaign, reviewer string) string {
	t.Helper()
	for _, rv := range c.Reviewers {
		if rv.Reviewer == reviewer {
			return rv.File
		}
	}
	t.Fatalf("no workbook for reviewer %s", reviewer)
	return ""
}

func TestCampaignByManager(t *testing.T) {
	c, dir := campaign(t, review.Options{})
	if c.By != review.ByManager || c.Due != "2026-12-20" || !strings.HasPrefix(c.ID, "AR-20261120-") {
		t.Errorf("campaign %s by %s due %s", c.ID, c.By, c.Due)
	}
	if len(c.Run.Fingerprint) != 64 || c.Run.Environment != "contoso-prod" {
		t.Errorf("run %+v", c.Run)
	}
	for _, it := range itemsOf(c, joseNunez) {
		if it.Reviewer != camila {
			t.Errorf("José Núñez's %s goes to %s, want his manager %s", it.Role, it.Reviewer, camila)
		}
	}
	// Fatima holds one role directly and one through a team: two items.
	var held []string
	for _, it := range itemsOf(c, fatima) {
		held = append(held, it.Role+"/"+it.Held)
		if it.Reviewer != olga {
			t.Errorf("Fatima's %s goes to %s, want %s", it.Role, it.Reviewer, olga)
		}
		if it.LastSignIn == "" || it.BusinessUnit != "Group Finance" {
			t.Errorf("Fatima's item %+v", it)
		}
		if it.Findings == "" || !strings.Contains(it.Findings, "SOD_CONFLICT") {
			t.Errorf("Fatima's item does not show her SOD_CONFLICT finding: %q", it.Findings)
		}
	}
	if !contains(held, financeRole+"/"+financeTeam) || !contains(held, paymentRole+"/direct") {
		t.Errorf("Fatima's items: %v", held)
	}
	// Clara has no manager and there is no --reviewers mapping.
	for _, it := range itemsOf(c, clara) {
		if it.Reviewer != review.Unassigned {
			t.Errorf("Clara's %s goes to %s, want unassigned", it.Role, it.Reviewer)
		}
	}
	// Administrator roles carry their risk.
	admins := 0
	for _, it := range c.Items {
		if it.Admin == "System Administrator" {
			admins++
			if !strings.Contains(it.HighRisk, "prvBulkDelete") {
				t.Errorf("%s's System Administrator shows no high-risk privileges: %q", it.Person, it.HighRisk)
			}
		}
	}
	if admins == 0 {
		t.Error("no System Administrator item")
	}
	// One workbook per reviewer, each with its items and the campaign id.
	total := 0
	for _, rv := range c.Reviewers {
		f, err := excelize.OpenFile(filepath.Join(dir, rv.File))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := f.GetRows("Review")
		if err != nil {
			t.Fatal(err)
		}
		if len(rows)-1 != rv.Items {
			t.Errorf("%s: %d rows, campaign.json says %d", rv.File, len(rows)-1, rv.Items)
		}
		total += rv.Items
		if id, _ := f.GetCellValue("Campaign", "B1"); id != c.ID {
			t.Errorf("%s: campaign %q", rv.File, id)
		}
		f.Close()
	}
	if total != len(c.Items) {
		t.Errorf("workbooks hold %d items, campaign %d", total, len(c.Items))
	}
	if _, err := os.Stat(filepath.Join(dir, unassignedWB)); err != nil {
		t.Error(err)
	}
}

func TestWorkbookProtectionAndDropDown(t *testing.T) {
	c, dir := campaign(t, review.Options{})
	f, err := excelize.OpenFile(filepath.Join(dir, fileOf(t, c, olga)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	heads, _ := f.GetRows("Review")
	col := map[string]string{}
	for i, h := range heads[0] {
		name, _ := excelize.ColumnNumberToName(i + 1)
		col[h] = name
	}
	dvs, err := f.GetDataValidations("Review")
	if err != nil || len(dvs) != 1 {
		t.Fatalf("data validations %v, %v", dvs, err)
	}
	if dvs[0].Type != "list" || !strings.HasPrefix(dvs[0].Sqref, col["Decision"]+"2:") || dvs[0].Formula1 != `"Keep,Revoke"` {
		t.Errorf("decision drop-down %+v", dvs[0])
	}
	for _, part := range []string{"xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"} {
		if x := zipPart(t, filepath.Join(dir, fileOf(t, c, olga)), part); !regexp.MustCompile(`<sheetProtection[^>]* sheet="(1|true)"`).MatchString(x) {
			t.Errorf("%s: not protected", part)
		}
	}
	locked := func(cell string) bool {
		id, err := f.GetCellStyle("Review", cell)
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.GetStyle(id)
		if err != nil {
			t.Fatal(err)
		}
		return st.Protection == nil || st.Protection.Locked
	}
	for _, h := range []string{"Decision", "Comment"} {
		if locked(col[h] + "2") {
			t.Errorf("%s is locked", h)
		}
	}
	for _, h := range []string{"Person", "Role", "Held", "Row check"} {
		if !locked(col[h] + "2") {
			t.Errorf("%s is not locked", h)
		}
	}
}

func TestCampaignByBusinessUnit(t *testing.T) {
	m, err := review.ReadReviewers(strings.NewReader("businessunit,reviewer\ncontoso,ceo@contosopharma.com\nEMEA,emea.owner@contosopharma.com\n"), "reviewers.csv")
	if err != nil {
		t.Fatal(err)
	}
	c, _ := campaign(t, review.Options{By: review.ByBusinessUnit, Reviewers: m})
	want := map[string]string{
		clara:     "emea.owner@contosopharma.com", // DACH Sales < EMEA Sales < EMEA
		fatima:    "ceo@contosopharma.com",        // Group Finance < contoso
		joseNunez: "ceo@contosopharma.com",        // LATAM Sales < Americas < contoso
	}
	for _, it := range c.Items {
		if it.Reviewer == review.Unassigned {
			t.Errorf("%s's %s is unassigned", it.Person, it.Role)
		}
		if w, ok := want[it.DomainName]; ok && it.Reviewer != w {
			t.Errorf("%s's %s goes to %s, want %s", it.Person, it.Role, it.Reviewer, w)
		}
	}
	// Without a mapping: a workbook per business unit.
	c2, dir2 := campaign(t, review.Options{By: review.ByBusinessUnit})
	for _, it := range c2.Items {
		if it.Reviewer != it.BusinessUnit {
			t.Errorf("%s's %s goes to %s, want %s", it.Person, it.Role, it.Reviewer, it.BusinessUnit)
		}
	}
	if _, err := os.Stat(filepath.Join(dir2, "DACH Sales.xlsx")); err != nil {
		t.Error(err)
	}
	// By manager, the mapping takes the people without a manager.
	c3, _ := campaign(t, review.Options{Reviewers: m})
	for _, it := range itemsOf(c3, clara) {
		if it.Reviewer != "emea.owner@contosopharma.com" {
			t.Errorf("Clara's %s goes to %s, want the EMEA owner", it.Role, it.Reviewer)
		}
	}
	for _, it := range itemsOf(c3, joseNunez) {
		if it.Reviewer != camila {
			t.Errorf("José's %s goes to %s, want his manager", it.Role, it.Reviewer)
		}
	}
}

func TestReadReviewersRefusesBadLines(t *testing.T) {
	for _, in := range []string{"contoso\n", "contoso,a@x\ncontoso,b@x\n", ",a@x\n"} {
		if _, err := review.ReadReviewers(strings.NewReader(in), "r.csv"); !errors.Is(err, review.ErrBadInput) {
			t.Errorf("%q: %v, want bad input", in, err)
		}
	}
}

func TestCampaignIsDeterministic(t *testing.T) {
	_, a := campaign(t, review.Options{})
	_, b := campaign(t, review.Options{})
	fa, fb := testenv.ReadTree(t, a), testenv.ReadTree(t, b)
	if len(fa) != len(fb) || len(fa) < 2 {
		t.Fatalf("%d files and %d files", len(fa), len(fb))
	}
	for name, data := range fa {
		if !bytes.Equal(data, fb[name]) {
			t.Errorf("%s differs between two campaigns of one run", name)
		}
	}
}

// decide edits a workbook as a reviewer does: a value in the Decision and
// Comment cells of the rows of the items named, nothing else.
func decide(t *testing.T, path string, decisions map[string][2]string) {
	t.Helper()
	editReview(t, path, func(rows [][]string, set func(col, row int, value string)) {
		dec, com := columnOf(t, rows[0], "Decision"), columnOf(t, rows[0], "Comment")
		for i, r := range rows[1:] {
			if d, ok := decisions[r[0]]; ok {
				set(dec, i+2, d[0])
				set(com, i+2, d[1])
			}
		}
	})
}

func columnOf(t *testing.T, heads []string, h string) int {
	t.Helper()
	for i, s := range heads {
		if s == h {
			return i + 1
		}
	}
	t.Fatalf("no column %s", h)
	return 0
}

func cell(col, row int) string {
	s, _ := excelize.CoordinatesToCellName(col, row)
	return s
}

// setCell changes one cell of the Review sheet, as a careless reviewer does.
func setCell(t *testing.T, path, heading string, row int, value string) {
	t.Helper()
	editReview(t, path, func(rows [][]string, set func(col, row int, value string)) {
		set(columnOf(t, rows[0], heading), row, value)
	})
}

// editReview opens the workbook at path, hands edit the rows of its Review
// sheet and a setter of one cell (column and row from 1), and saves it.
func editReview(t *testing.T, path string, edit func(rows [][]string, set func(col, row int, value string))) {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Review")
	if err != nil {
		t.Fatal(err)
	}
	edit(rows, func(col, row int, value string) {
		if err := f.SetCellStr("Review", cell(col, row), value); err != nil {
			t.Fatal(err)
		}
	})
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
}

// libreOfficeRoundTrip saves each workbook again with LibreOffice headless,
// as a reviewer using LibreOffice Calc would, and returns the saved copies.
func libreOfficeRoundTrip(t *testing.T, paths ...string) []string {
	t.Helper()
	soffice := tool(t, "soffice", "LibreOffice")
	out := filepath.Join(t.TempDir(), "libreoffice")
	args := []string{"-env:UserInstallation=file://" + filepath.Join(t.TempDir(), "profile"),
		"--headless", "--convert-to", "xlsx", "--outdir", out}
	cmd := exec.Command(soffice, append(args, paths...)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, b)
	}
	var saved []string
	for _, p := range paths {
		s := filepath.Join(out, filepath.Base(p))
		if _, err := os.Stat(s); err != nil {
			t.Fatalf("LibreOffice did not save %s: %v", p, err)
		}
		saved = append(saved, s)
	}
	return saved
}

func readCSV(t *testing.T, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}

func findItem(t *testing.T, c *review.Campaign, domain, role, held string) review.Item {
	t.Helper()
	for _, it := range c.Items {
		if it.DomainName == domain && it.Role == role && it.Held == held {
			return it
		}
	}
	t.Fatalf("no item %s %s %s", domain, role, held)
	return review.Item{}
}

func TestCampaignRoundTripThroughLibreOffice(t *testing.T) {
	c, dir := campaign(t, review.Options{})
	work := t.TempDir()
	copyFile := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(work, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// Olga revokes Fatima's team role (she must leave the team) and keeps
	// the direct one; the unassigned workbook revokes one of Clara's roles
	// with a comment a spreadsheet would evaluate, and leaves the rest.
	team := findItem(t, c, fatima, financeRole, financeTeam)
	direct := findItem(t, c, fatima, paymentRole, "direct")
	claras := findItem(t, c, clara, clarasTRole, clarasTeam)
	olgaWB := copyFile(fileOf(t, c, olga))
	olgas := map[string][2]string{}
	for _, it := range c.Items {
		if it.Reviewer == olga {
			olgas[it.ID] = [2]string{"Keep", ""}
		}
	}
	olgas[team.ID] = [2]string{"Revoke", "segregation of duties"}
	decide(t, olgaWB, olgas)
	unWB := copyFile(unassignedWB)
	decide(t, unWB, map[string][2]string{claras.ID: {"revoke", "=HYPERLINK(\"x\")"}})
	saved := libreOfficeRoundTrip(t, olgaWB, unWB)
	// LibreOffice keeps the drop-down and the protection.
	for _, p := range saved {
		sheet := zipPart(t, p, "xl/worksheets/sheet1.xml")
		if !regexp.MustCompile(`<dataValidation [^>]*type="list"`).MatchString(sheet) || !strings.Contains(sheet, "Keep,Revoke") {
			t.Errorf("%s: LibreOffice dropped the Decision drop-down", p)
		}
		if !regexp.MustCompile(`<sheetProtection[^>]* sheet="(1|true)"`).MatchString(sheet) {
			t.Errorf("%s: LibreOffice dropped the sheet protection", p)
		}
	}

	res, err := review.Collect(dir, saved)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "results")
	if err := review.WriteResults(res, out); err != nil {
		t.Fatal(err)
	}
	decisions := readCSV(t, filepath.Join(out, review.DecisionsFile))
	if len(decisions) != len(c.Items) {
		t.Errorf("decisions.csv has %d items, the campaign %d", len(decisions), len(c.Items))
	}
	byItem := map[string]map[string]string{}
	for _, d := range decisions {
		byItem[d["item"]] = d
	}
	check := func(it review.Item, decision, comment string, sha bool) {
		t.Helper()
		d := byItem[it.ID]
		if d["decision"] != decision || d["comment"] != comment || (d["file_sha256"] != "") != sha || d["reviewer"] != it.Reviewer {
			t.Errorf("%s %s %s: %v", it.Person, it.Role, it.Held, d)
		}
	}
	check(team, "revoke", "segregation of duties", true)
	check(direct, "keep", "", true)
	check(claras, "revoke", "'=HYPERLINK(\"x\")", true)
	check(findItem(t, c, joseNunez, "Salesperson", "direct"), "undecided", "", false)

	revs := readCSV(t, filepath.Join(out, review.RevocationsFile))
	if len(revs) != 2 {
		t.Fatalf("revocations.csv: %v", revs)
	}
	for _, r := range revs {
		if r["held"] != "team" || r["needs_team_removal"] != "yes" || !strings.HasPrefix(r["how"], "remove the user from team ") {
			t.Errorf("team revocation %v", r)
		}
		if r["domainname"] == fatima && (r["team"] != "Finance Approvers" || r["businessunit"] != "Group Finance") {
			t.Errorf("Fatima's revocation %v", r)
		}
	}
	statuses := map[string]string{}
	for _, s := range res.Reviewers() {
		statuses[s.Reviewer] = s.Status()
	}
	if statuses[olga] != "completed" || statuses[review.Unassigned] != "outstanding" || statuses[camila] != "not returned" {
		t.Errorf("statuses %v", statuses)
	}
	// campaign.json comes along, so the result directory can be --previous.
	if _, err := review.ReadCampaign(out); err != nil {
		t.Error(err)
	}
	// Collecting the same workbooks again gives the same files.
	again := filepath.Join(t.TempDir(), "again")
	res2, err := review.Collect(dir, saved)
	if err != nil {
		t.Fatal(err)
	}
	if err := review.WriteResults(res2, again); err != nil {
		t.Fatal(err)
	}
	a, b := testenv.ReadTree(t, out), testenv.ReadTree(t, again)
	for name := range a {
		if !bytes.Equal(a[name], b[name]) {
			t.Errorf("%s differs between two collects of the same workbooks", name)
		}
	}
	text := pdfText(t, filepath.Join(out, review.EvidenceFile))
	for _, want := range []string{c.ID, c.Run.Fingerprint, "Revocations (2)", "Fatima", "Schneider", "completed", "not returned", "undecided"} {
		if !strings.Contains(text, want) {
			t.Errorf("review.pdf does not say %q", want)
		}
	}
}

// tool finds a program the test needs. Without it the test skips and says
// what is not tested, except in CI (CI set), where
// scripts/install-test-deps.sh must have installed it.
func tool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not installed: CI runs scripts/install-test-deps.sh, which installs %s", name, pkg)
		}
		t.Skipf("%s (%s) is not installed: this test needs it; scripts/install-test-deps.sh installs it", name, pkg)
	}
	return p
}

// pdfText is the PDF's text (pdftotext), or the test skips.
func pdfText(t *testing.T, path string) string {
	t.Helper()
	b, err := exec.Command(tool(t, "pdftotext", "poppler-utils"), "-layout", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(strings.Fields(string(b)), " ")
}

func refused(t *testing.T, err error, want ...string) {
	t.Helper()
	var re *review.RefusedError
	if !errors.As(err, &re) || !errors.Is(err, review.ErrBadInput) {
		t.Fatalf("collect: %v, want a refusal", err)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("refusal %q does not say %q", err, w)
		}
	}
}

func TestCollectRefusesTamperedRows(t *testing.T) {
	c, dir := campaign(t, review.Options{})
	path := filepath.Join(dir, unassignedWB)
	setCell(t, path, "Role", 3, "Salesperson (read only)")
	_, err := review.Collect(dir, []string{path})
	refused(t, err, path+" row 3", `column "Role" was changed to "Salesperson (read only)"`)

	// The row check column is checked too.
	_, dir2 := campaign(t, review.Options{Out: filepath.Join(t.TempDir(), "c2")})
	path2 := filepath.Join(dir2, fileOf(t, c, olga))
	setCell(t, path2, "Row check", 2, "0000")
	_, err = review.Collect(dir2, []string{path2})
	refused(t, err, path2+" row 2", `"Row check"`)

	// A decision that is neither Keep nor Revoke.
	_, dir3 := campaign(t, review.Options{Out: filepath.Join(t.TempDir(), "c3")})
	path3 := filepath.Join(dir3, fileOf(t, c, olga))
	setCell(t, path3, "Decision", 2, "Maybe")
	_, err = review.Collect(dir3, []string{path3})
	refused(t, err, path3+" row 2", `"Maybe"`)
}

func TestCollectRefusesAForeignWorkbook(t *testing.T) {
	c, dir := campaign(t, review.Options{})
	other, otherDir := campaign(t, review.Options{Due: "2027-01-31"})
	if other.ID == c.ID {
		t.Fatal("two campaigns with different due dates have one id")
	}
	foreign := filepath.Join(otherDir, fileOf(t, other, olga))
	own := filepath.Join(dir, fileOf(t, c, olga))
	_, err := review.Collect(dir, []string{own, foreign})
	refused(t, err, foreign+": a workbook of campaign "+other.ID+", not of campaign "+c.ID)

	// A workbook that is not a campaign's at all: the run's report.
	report := filepath.Join(samplesRun(t), "report.xlsx")
	_, err = review.Collect(dir, []string{report})
	refused(t, err, report+": not a workbook of an access review campaign")

	// A file that is not a workbook at all: the campaign.json.
	notXLSX := filepath.Join(dir, review.CampaignFile)
	_, err = review.Collect(dir, []string{notXLSX})
	refused(t, err, notXLSX+": not an .xlsx workbook")

	// A campaign directory holding another campaign is not overwritten,
	// nor one of the same id made from another run.
	if err := review.Write(context.Background(), other, dir, ""); !errors.Is(err, review.ErrBadInput) {
		t.Errorf("writing campaign %s over %s: %v", other.ID, c.ID, err)
	}
	if err := review.Write(context.Background(), c, samplesRun(t), ""); !errors.Is(err, review.ErrBadInput) {
		t.Errorf("writing a campaign into the run's directory: %v", err)
	}
	same := *c
	same.Run.Fingerprint = strings.Repeat("0", 64)
	if err := review.Write(context.Background(), &same, dir, ""); !errors.Is(err, review.ErrBadInput) {
		t.Errorf("writing campaign %s of another run over it: %v", c.ID, err)
	}
}

func TestCollectWithoutWorkbooksLeavesEverythingUndecided(t *testing.T) {
	c, dir := campaign(t, review.Options{})
	res, err := review.Collect(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	kept, revoked, undecided := res.Counts()
	if kept != 0 || revoked != 0 || undecided != len(c.Items) {
		t.Errorf("kept %d revoked %d undecided %d", kept, revoked, undecided)
	}
	if err := review.WriteResults(res, filepath.Join(t.TempDir(), "r")); err != nil {
		t.Fatal(err)
	}
}

// firstCampaign is a campaign of the samples run in which Olga revoked
// Fatima's direct Contoso Payment Creator, collected into results.
func firstCampaign(t *testing.T) (first *review.Campaign, direct review.Item, results string) {
	t.Helper()
	first, dir := campaign(t, review.Options{})
	direct = findItem(t, first, fatima, paymentRole, "direct")
	olgaWB := filepath.Join(dir, fileOf(t, first, olga))
	decide(t, olgaWB, map[string][2]string{direct.ID: {"Revoke", "not her job"}})
	res, err := review.Collect(dir, []string{olgaWB})
	if err != nil {
		t.Fatal(err)
	}
	results = filepath.Join(t.TempDir(), "results")
	if err := review.WriteResults(res, results); err != nil {
		t.Fatal(err)
	}
	return first, direct, results
}

func TestPreviousCampaign(t *testing.T) {
	first, direct, results := firstCampaign(t)
	// The same run again: the revoked role was not removed.
	second, _ := campaign(t, review.Options{Previous: results, Due: "2027-03-01"})
	if second.Previous == nil || second.Previous.ID != first.ID || !second.Previous.Decisions {
		t.Fatalf("previous %+v", second.Previous)
	}
	again := findItem(t, second, fatima, paymentRole, "direct")
	if again.ID != direct.ID || !strings.Contains(again.Change, "revoked in "+first.ID+", still held") {
		t.Errorf("change %q", again.Change)
	}
	if other := findItem(t, second, joseNunez, "Salesperson", "direct"); other.Change != "unchanged" {
		t.Errorf("change %q", other.Change)
	}
	if len(second.Removed) != 0 {
		t.Errorf("removed %v", second.Removed)
	}
}

// zipPart is one part of a workbook's package.
func zipPart(t *testing.T, path, name string) string {
	t.Helper()
	z, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	for _, f := range z.File {
		if f.Name == name {
			r, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			b, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
	t.Fatalf("%s has no %s", path, name)
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestNobodyReviewsThemselves(t *testing.T) {
	// Fatima owns her own business unit: her roles go up the tree.
	m, err := review.ReadReviewers(strings.NewReader("Group Finance,"+fatima+"\ncontoso,ceo@contosopharma.com\nAtlantis,x@y\n"), "r.csv")
	if err != nil {
		t.Fatal(err)
	}
	c, _ := campaign(t, review.Options{By: review.ByBusinessUnit, Reviewers: m})
	for _, it := range c.Items {
		if it.Reviewer == it.DomainName {
			t.Errorf("%s reviews their own %s", it.Person, it.Role)
		}
	}
	for _, it := range itemsOf(c, fatima) {
		if it.Reviewer != "ceo@contosopharma.com" {
			t.Errorf("Fatima's %s goes to %s, want the owner above her unit", it.Role, it.Reviewer)
		}
	}
	if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], `"atlantis"`) {
		t.Errorf("warnings %v", c.Warnings)
	}
}

// TestPreviousCampaignAfterRemoval: the role revoked in the first campaign
// is gone from the next run, and the next campaign says so.
func TestPreviousCampaignAfterRemoval(t *testing.T) {
	first, direct, results := firstCampaign(t)

	export := filepath.Join(t.TempDir(), "export")
	if err := os.CopyFS(export, os.DirFS(samplesExport)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(export, "systemuserrolescollection.csv")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.Contains(line, direct.SystemUserID+","+direct.RoleID) {
			kept = append(kept, line)
		}
	}
	if err := os.WriteFile(path, []byte(strings.Join(kept, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	next := filepath.Join(t.TempDir(), "run")
	if _, err := audit.Run(context.Background(), audit.Options{Input: export, Out: next, Now: auditDay.AddDate(0, 3, 0), ToolVersion: "test"}); err != nil {
		t.Fatal(err)
	}
	second, err := review.Build(context.Background(), review.Options{Run: next, Previous: results})
	if err != nil {
		t.Fatal(err)
	}
	if second.ID == first.ID {
		t.Error("the campaign of another run has the same id")
	}
	if len(second.Removed) != 1 || second.Removed[0].ID != direct.ID || second.Removed[0].Decision != "revoke" {
		t.Errorf("removed since previous: %+v", second.Removed)
	}
	for _, it := range second.Items {
		if it.ID == direct.ID {
			t.Errorf("the removed role is still an item: %+v", it)
		}
		if it.Change != "unchanged" {
			t.Errorf("%s %s %s: change %q", it.Person, it.Role, it.Held, it.Change)
		}
	}
}
