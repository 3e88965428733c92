package xlsx_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/d365audit/d365audit/internal/testenv"
	"github.com/d365audit/d365audit/internal/textdiff"
	"github.com/d365audit/d365audit/queries/access"
	"github.com/d365audit/d365audit/queries/reportdata"
	"github.com/d365audit/d365audit/reports"
	"github.com/d365audit/d365audit/reports/xlsx"
	"github.com/d365audit/d365audit/rules"
	"github.com/xuri/excelize/v2"
)

// update rewrites the golden files under testdata.
var update = flag.Bool("update", false, "rewrite the golden files under testdata")

var sampleTime = time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)

// writeWorkbook writes rep's workbook and opens it again with excelize.
func writeWorkbook(t testing.TB, rep *reports.Report, opts xlsx.Options) ([]byte, *excelize.File) {
	t.Helper()
	var buf bytes.Buffer
	w := xlsx.Writer{Options: opts}
	if err := w.Write(context.Background(), &buf, rep); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("excelize cannot read the workbook back: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return buf.Bytes(), f
}

// dumpSheets is the normalised text of a workbook: per sheet, its rows as
// CSV, as a reader sees them (depths as their symbols, amounts formatted);
// the run time is replaced, so the golden files do not change with the
// clock.
func dumpSheets(t testing.TB, f *excelize.File, rep *reports.Report) map[string]string {
	t.Helper()
	runTime := rep.GeneratedAt.UTC().Format("2006-01-02 15:04:05")
	out := map[string]string{}
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		w := csv.NewWriter(&b)
		for _, r := range rows {
			for i := range r {
				r[i] = strings.ReplaceAll(r[i], runTime, "<run time>")
			}
			if err := w.Write(r); err != nil {
				t.Fatal(err)
			}
		}
		w.Flush()
		out[sheet] = b.String()
	}
	return out
}

// structure describes what a CSV dump cannot show: the sheet order,
// frozen panes, autofilters and the number of charts.
func structure(t testing.TB, data []byte, f *excelize.File) string {
	t.Helper()
	filters := map[string]string{}
	for _, d := range f.GetDefinedName() {
		if d.Name == "_xlnm._FilterDatabase" {
			filters[d.Scope] = d.RefersTo
		}
	}
	var b strings.Builder
	for _, sheet := range f.GetSheetList() {
		p, err := f.GetPanes(sheet)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s: frozen=%v x=%d y=%d filter=%s\n", sheet, p.Freeze, p.XSplit, p.YSplit, filters[sheet])
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	charts := 0
	for _, zf := range zr.File {
		if strings.HasPrefix(zf.Name, "xl/charts/chart") {
			charts++
		}
	}
	fmt.Fprintf(&b, "charts: %d\n", charts)
	return b.String()
}

var formulaElement = regexp.MustCompile(`<f[ >/]`)

// noFormulas fails if any cell of any sheet holds a formula: the
// workbook computes nothing, and data must never become code.
func noFormulas(t testing.TB, data []byte) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, zf := range zr.File {
		if !strings.HasPrefix(zf.Name, "xl/worksheets/") {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		_, err = buf.ReadFrom(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if loc := formulaElement.FindIndex(buf.Bytes()); loc != nil {
			t.Errorf("%s holds a formula near %q", zf.Name, buf.Bytes()[max(0, loc[0]-80):min(buf.Len(), loc[1]+80)])
		}
	}
}

func goldenName(sheet string) string {
	return strings.ReplaceAll(strings.ToLower(sheet), " ", "-") + ".golden"
}

// TestWorkbookGolden compares the sample workbook, sheet by sheet as CSV,
// with testdata; `go test ./reports/xlsx/ -update` rewrites the files.
func TestWorkbookGolden(t *testing.T) {
	rep := loadReport(t, samples, sampleTime)
	data, f := writeWorkbook(t, rep, xlsx.Options{TmpDir: t.TempDir()})
	noFormulas(t, data)
	dump := dumpSheets(t, f, rep)
	dump["_structure"] = structure(t, data, f)
	checkGoldens(t, "testdata", dump)
}

// TestWorkbookTenantGolden compares the workbook of a tenant of two
// environments (the sample as prod and sales), sheet by sheet, with
// testdata/tenant: the Environment columns, each environment's access
// matrix, and the sheets across environments.
func TestWorkbookTenantGolden(t *testing.T) {
	root := testenv.WriteTenant(t, samples)
	rep := loadReport(t, root, sampleTime)
	data, f := writeWorkbook(t, rep, xlsx.Options{TmpDir: t.TempDir()})
	noFormulas(t, data)
	dump := dumpSheets(t, f, rep)
	dump["_structure"] = structure(t, data, f)
	for sheet, text := range dump { // the tenant is written to a temporary folder
		dump[sheet] = strings.ReplaceAll(text, root, "<tenant>")
	}
	checkGoldens(t, filepath.Join("testdata", "tenant"), dump)
}

// checkGoldens compares each sheet's dump with its file in dir; with
// -update it rewrites dir's golden files (only those: a tenant's goldens
// sit in a folder below the single export's).
func checkGoldens(t *testing.T, dir string, dump map[string]string) {
	t.Helper()
	if *update {
		old, _ := filepath.Glob(filepath.Join(dir, "*.golden"))
		for _, p := range old {
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for sheet, text := range dump {
			if err := os.WriteFile(filepath.Join(dir, goldenName(sheet)), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	want, _ := filepath.Glob(filepath.Join(dir, "*.golden"))
	if len(want) == 0 {
		t.Fatalf("no golden files in %s: run go test -tags=duckdb_arrow ./reports/xlsx/ -run %s -update", dir, t.Name())
	}
	seen := map[string]bool{}
	for sheet, text := range dump {
		name := goldenName(sheet)
		seen[name] = true
		golden, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("sheet %s has no golden file: %v", sheet, err)
			continue
		}
		if string(golden) != text {
			t.Errorf("sheet %s differs from %s (rerun with -update if the change is intended):\n%s",
				sheet, name, textdiff.First(string(golden), text))
		}
	}
	for _, p := range want {
		if !seen[filepath.Base(p)] {
			t.Errorf("golden file %s names no sheet of the workbook", p)
		}
	}
}

// TestWorkbookEmptyReport: a Report with nothing in it still gives every
// sheet, each saying it is empty, and no chart over no data.
func TestWorkbookEmptyReport(t *testing.T) {
	rep := &reports.Report{Environment: "empty", GeneratedAt: sampleTime}
	data, f := writeWorkbook(t, rep, xlsx.Options{})
	want := []string{"Summary", "Findings", "Users", "Roles", "Role changes", "Teams", "Licenses", "License waste",
		"Access", "Field security", "Run info"}
	if got := f.GetSheetList(); !slices.Equal(got, want) {
		t.Errorf("sheets %v, want %v", got, want)
	}
	if s := structure(t, data, f); !strings.Contains(s, "charts: 0") {
		t.Errorf("charts over no data:\n%s", s)
	}
	dump := dumpSheets(t, f, rep)
	for sheet, text := range map[string]string{"Findings": "No findings.", "Access": "not computed",
		"Licenses": "No Graph export", "Summary": "No wasted seats."} {
		if !strings.Contains(dump[sheet], text) {
			t.Errorf("sheet %s does not say %q:\n%s", sheet, text, dump[sheet])
		}
	}
}

// TestWorkbookDeterministic: two writes of one Report give the same bytes
// (document times come from the Report, not the clock).
func TestWorkbookDeterministic(t *testing.T) {
	rep := loadReport(t, samples, sampleTime)
	a, _ := writeWorkbook(t, rep, xlsx.Options{})
	time.Sleep(1100 * time.Millisecond)
	b, _ := writeWorkbook(t, rep, xlsx.Options{})
	if !bytes.Equal(a, b) {
		t.Errorf("two writes of one Report differ (%d and %d bytes)", len(a), len(b))
	}
}

// hostileText is text an export could carry that a spreadsheet would run
// as a formula if it were stored as one.
var hostileText = []string{`=HYPERLINK("http://x","y")`, `@SUM(1)`, `+1`, `-2`, `=1+1`, "\t=cmd", `=`}

// hostileReport is a Report whose every text field, and the access
// matrix's users, tables and sources, look like formulas.
func hostileReport(t testing.TB) *reports.Report {
	h := hostileText
	mb := access.NewMatrixBuilder()
	table, misc := mb.Cell(h[0], "read"), mb.Cell("", h[2])
	mb.Role("r1", h[0], map[int32]int8{table: 8})
	mb.Role("r2", h[1], map[int32]int8{misc: 8})
	profile := mb.Profile("full", access.MatrixSource{RoleID: "r1", Text: h[1] + "@BU direct"}, access.MatrixSource{RoleID: "r2", Text: h[3]})
	for i, s := range h {
		mb.User(fmt.Sprintf("u%d", i), s, profile)
	}
	rep := &reports.Report{
		Environment: h[0], GeneratedAt: sampleTime, AsOf: sampleTime, ToolVersion: h[1], RuleSetVersion: h[2], Policy: h[3],
		Inputs:       []reports.Input{{File: h[0], Kind: h[1], SHA256: h[2]}},
		Rules:        []rules.Rule{{ID: "R1", Title: h[0], Severity: "high", Rationale: h[1], Remediation: h[2], References: []string{h[3]}}},
		Evaluated:    []string{"R1"},
		NotEvaluated: []rules.NotEvaluated{{Rule: h[1], Why: h[0]}},
		Findings: []rules.Finding{{Rule: "R1", Severity: "high", SubjectType: "user", SubjectID: h[3], SubjectName: h[0],
			BusinessUnit: h[1], Message: h[2], Evidence: []byte(`"=1"`), Fingerprint: h[3]}},
		Users: []reportdata.UserRow{{ID: "u0", DomainName: h[0], FullName: h[1], BusinessUnit: h[2], Licenses: []string{h[3]},
			DirectRoles: []string{h[0]}, TeamRoles: []string{h[1]}, ProfileID: 1}},
		Roles:       []reportdata.RoleRow{{ID: h[3], Name: h[0], BusinessUnit: h[1], TemplateID: h[2]}},
		RoleChanges: []reportdata.RoleChange{{Role: h[0], RoleID: h[1], Privilege: h[2], Change: h[3]}},
		Teams:       []reportdata.TeamRow{{ID: h[0], Name: h[1], BusinessUnit: h[2], EntraObject: h[3], Roles: []string{h[0]}}},
		FieldAccess: []access.FieldAccessRow{{User: h[0], Table: h[1], Column: h[2], Sources: h[3]}},
		Licenses: reports.LicenseReview{HasGraph: true, HasUsers: true, SKUs: []reports.SKULine{{PartNumber: h[0], ProductName: h[1], Status: h[2]}},
			Waste:      []reports.WasteLine{{Category: h[0], UserName: h[1], SKUPart: h[2], Reason: h[3], Seats: 1}},
			Categories: []reports.WasteCategory{{Category: h[0], Seats: 1}}},
		Waivers: []rules.WaiverStatus{{Waiver: rules.Waiver{Rule: h[0], Subject: h[1], Reason: h[2], Owner: h[3], Expires: "2027-01-01"}}},
	}
	rep.Access = access.NewAccessMatrix(mb.Matrix())
	return rep
}

// TestWorkbookHostileText: names that look like formulas come back as the
// same text, in string cells, with no formula, on every sheet.
func TestWorkbookHostileText(t *testing.T) {
	h := hostileText
	rep := hostileReport(t)
	for _, opts := range []xlsx.Options{{}, {MaxSheetRows: 6, MaxAccessSheets: 1}} { // full matrix, then by profile
		data, f := writeWorkbook(t, rep, opts)
		noFormulas(t, data)
		found := map[string]int{}
		for _, sheet := range f.GetSheetList() {
			rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
			if err != nil {
				t.Fatal(err)
			}
			for r, row := range rows {
				for c, v := range row {
					if !isHostile(v) {
						continue
					}
					found[v]++
					ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
					if formula, _ := f.GetCellFormula(sheet, ref); formula != "" {
						t.Errorf("%s!%s: %q became the formula %q", sheet, ref, v, formula)
					}
					typ, _ := f.GetCellType(sheet, ref)
					if typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString {
						t.Errorf("%s!%s: %q is stored as cell type %d, not a string", sheet, ref, v, typ)
					}
				}
			}
		}
		for _, s := range h {
			if found[s] == 0 {
				t.Errorf("options %+v: %q appears in no cell, unchanged", opts, s)
			}
		}
		if opts.MaxSheetRows == 0 {
			// The matrix sheet shows the hostile user and table as they are.
			rows, _ := f.GetRows("Access")
			if !hasRow(rows, h[0], h[0]) {
				t.Errorf("the Access sheet lacks user %q on table %q: %q", h[0], h[0], rows)
			}
		}
	}
}

func isHostile(v string) bool {
	for _, s := range hostileText {
		if v == s {
			return true
		}
	}
	return false
}

func hasRow(rows [][]string, prefix ...string) bool {
	for _, r := range rows {
		if len(r) >= len(prefix) && slices.Equal(r[:len(prefix)], prefix) {
			return true
		}
	}
	return false
}

// matrixRows reads the data rows of the matrix sheets whose names start
// with prefix, in order, skipping each sheet's legend and header.
func matrixRows(t *testing.T, f *excelize.File, prefix string, intro int, first string) (rows [][]string, sheets []string) {
	t.Helper()
	for _, sheet := range f.GetSheetList() {
		if n := strings.TrimPrefix(sheet, prefix+" "); sheet != prefix && (n == sheet || strings.Trim(n, "0123456789") != "") {
			continue // neither the sheet nor one of its numbered parts
		}
		sheets = append(sheets, sheet)
		all, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) < intro+1 || all[intro][0] != first {
			t.Fatalf("sheet %s has no header %s... on row %d: %q", sheet, first, intro+1, all[:min(len(all), intro+1)])
		}
		rows = append(rows, all[intro+1:]...)
	}
	return rows, sheets
}

func summaryText(t *testing.T, f *excelize.File) string {
	t.Helper()
	rows, err := f.GetRows("Summary")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r, " | "))
		b.WriteString("\n")
	}
	return b.String()
}

// TestWorkbookSplitsTheMatrix: a matrix too big for one sheet is split
// across numbered sheets, losing no row, and the Summary says so; too big
// for MaxAccessSheets sheets, it is shown by access profile, and every
// user's rows equal their profile's.
func TestWorkbookSplitsTheMatrix(t *testing.T) {
	rep := loadReport(t, samples, sampleTime)
	_, whole := writeWorkbook(t, rep, xlsx.Options{})
	full, sheets := matrixRows(t, whole, "Access", 3, "User")
	if len(sheets) != 1 || len(full) < 500 {
		t.Fatalf("the sample's matrix should fit one sheet Access with hundreds of rows: %v, %d rows", sheets, len(full))
	}

	t.Run("split", func(t *testing.T) {
		maxRows := len(full)/3 + 10 // three sheets
		_, f := writeWorkbook(t, rep, xlsx.Options{MaxSheetRows: maxRows, MaxAccessSheets: 3})
		rows, sheets := matrixRows(t, f, "Access", 3, "User")
		if want := []string{"Access 1", "Access 2", "Access 3"}; !slices.Equal(sheets, want) {
			t.Fatalf("matrix sheets %v, want %v", sheets, want)
		}
		for _, s := range sheets {
			if n, _ := f.GetRows(s); len(n) > maxRows {
				t.Errorf("sheet %s has %d rows, more than MaxSheetRows %d", s, len(n), maxRows)
			}
		}
		if fmt.Sprint(rows) != fmt.Sprint(full) {
			t.Errorf("the split sheets do not hold the matrix's %d rows in order (they hold %d)", len(full), len(rows))
		}
		if s := summaryText(t, f); !strings.Contains(s, "split across the sheets Access 1 to Access 3") {
			t.Errorf("the Summary does not say the matrix was split:\n%s", s)
		}
	})

	t.Run("profiles", func(t *testing.T) {
		// enough sheets of 100 rows for the profile matrix, too few for the full one
		profileRows, err := rep.Access.ProfileRows(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		sheets := int(profileRows)/90 + 1
		if len(full) <= sheets*100 {
			t.Fatalf("the sample's users share too few profiles for this test: %d user rows, %d profile rows", len(full), profileRows)
		}
		_, f := writeWorkbook(t, rep, xlsx.Options{MaxSheetRows: 100, MaxAccessSheets: sheets})
		if idx, _ := f.GetSheetIndex("Access"); idx >= 0 {
			t.Error("sheet Access exists although the matrix is shown by profile")
		}
		prof, psheets := matrixRows(t, f, "Access profiles", 3, "Profile")
		if len(psheets) < 2 {
			t.Errorf("the profile matrix should be split at 100 rows a sheet: %v", psheets)
		}
		users, _ := matrixRows(t, f, "User profiles", 1, "User")
		if len(users) != len(rep.Users) {
			t.Errorf("User profiles has %d users, want %d", len(users), len(rep.Users))
		}
		// Every user's rows (table onwards) equal their profile's.
		byProfile := map[string][]string{}
		for _, r := range prof {
			byProfile[r[0]] = append(byProfile[r[0]], fmt.Sprint(r[2:]))
		}
		byUser := map[string][]string{}
		for _, r := range full {
			byUser[r[0]] = append(byUser[r[0]], fmt.Sprint(r[1:]))
		}
		for _, u := range users {
			got, want := byUser[u[0]], byProfile[u[1]]
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("user %s: matrix rows %v differ from profile %s's %v", u[0], got, u[1], want)
			}
		}
		s := summaryText(t, f)
		t.Logf("Summary, profile layout:\n%s", s)
		if !strings.Contains(s, "shown by access profile") || !strings.Contains(s, "User profiles") {
			t.Errorf("the Summary does not say the matrix is shown by profile:\n%s", s)
		}
	})

	// When even the profiles do not fit, each held role's grants are shown.
	t.Run("roles", func(t *testing.T) {
		_, f := writeWorkbook(t, rep, xlsx.Options{MaxSheetRows: 100, MaxAccessSheets: 1})
		for _, gone := range []string{"Access", "Access profiles", "User profiles"} {
			if idx, _ := f.GetSheetIndex(gone); idx >= 0 {
				t.Errorf("sheet %s exists although the matrix is shown by role", gone)
			}
		}
		rows, _ := matrixRows(t, f, "Access by role", 3, "Role")
		holders := map[string]string{}
		payment := map[string][]string{} // role -> its contoso_payment row
		for _, r := range rows {
			holders[r[0]] = r[1]
			if r[2] == "contoso_payment" {
				payment[r[0]] = r[3:min(len(r), 11)]
			}
		}
		for _, r := range rep.Access.Roles() {
			if holders[r.Label] != fmt.Sprint(r.Holders) {
				t.Errorf("role %s: %q holders on the sheet, want %d", r.Label, holders[r.Label], r.Holders)
			}
		}
		if len(holders) != len(rep.Access.Roles()) {
			t.Errorf("the sheet shows %d roles, %d are held", len(holders), len(rep.Access.Roles()))
		}
		// create, read, write, ...: the creator creates at Local and writes
		// at Basic; the approver writes at Global (samples/README.md)
		creator, approver := payment["Contoso Payment Creator"], payment["Contoso Finance Approver"]
		if len(creator) < 3 || !strings.Contains(creator[0], "local") || !strings.Contains(creator[2], "basic") {
			t.Errorf("Contoso Payment Creator on contoso_payment: %q", creator)
		}
		if len(approver) < 3 || !strings.Contains(approver[2], "global") {
			t.Errorf("Contoso Finance Approver on contoso_payment: %q", approver)
		}
		if s := summaryText(t, f); !strings.Contains(s, "what each held role grants") {
			t.Errorf("the Summary does not say the matrix is shown by role:\n%s", s)
		}
	})
}

// TestWorkbookOpensInLibreOffice converts the sample workbook (and the
// hostile one) with LibreOffice headless, every sheet to CSV: the test
// fails if LibreOffice cannot open it, or reads a different first sheet.
// scripts/install-test-deps.sh installs LibreOffice.
func TestWorkbookOpensInLibreOffice(t *testing.T) {
	soffice := sofficeOrSkip(t)
	rep := loadReport(t, samples, sampleTime)
	data, _ := writeWorkbook(t, rep, xlsx.Options{})
	dir := t.TempDir()
	in := filepath.Join(dir, "report.xlsx")
	if err := os.WriteFile(in, data, 0o644); err != nil {
		t.Fatal(err)
	}
	sheets := libreOfficeCSV(t, soffice, in)
	summary := sheets["Summary"]
	if !strings.Contains(summary, "Dataverse security audit: "+rep.Environment) {
		t.Errorf("LibreOffice reads the Summary as:\n%.500s", summary)
	}
	if _, ok := sheets["Run info"]; !ok {
		t.Errorf("LibreOffice did not read every sheet: %v", slices.Sorted(maps.Keys(sheets)))
	}
	if n := strings.Count(sheets["Findings"], "\n"); n != len(rep.Findings)+1 {
		t.Errorf("LibreOffice reads %d lines of Findings, want %d", n, len(rep.Findings)+1)
	}

	// LibreOffice, too, reads the hostile names as text: had they become
	// formulas, the CSV would hold their results ("y", 1, 2).
	hostile := filepath.Join(dir, "hostile.xlsx")
	data, _ = writeWorkbook(t, hostileReport(t), xlsx.Options{})
	if err := os.WriteFile(hostile, data, 0o644); err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for sheet, text := range libreOfficeCSV(t, soffice, hostile) {
		r := csv.NewReader(strings.NewReader(text))
		r.FieldsPerRecord = -1
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatalf("LibreOffice's CSV of %s: %v", sheet, err)
		}
		for _, rec := range recs {
			for _, v := range rec {
				found[v] = true
			}
		}
	}
	for _, s := range hostileText {
		if !found[s] {
			t.Errorf("LibreOffice does not read %q back as that text", s)
		}
	}
}

// TestTenantWorkbookOpensInLibreOffice: LibreOffice opens a tenant's
// workbook and reads every sheet, the environments' matrices and the
// sheets across environments among them.
func TestTenantWorkbookOpensInLibreOffice(t *testing.T) {
	soffice := sofficeOrSkip(t)
	rep := loadReport(t, testenv.WriteTenant(t, samples), sampleTime)
	data, _ := writeWorkbook(t, rep, xlsx.Options{})
	in := filepath.Join(t.TempDir(), "report.xlsx")
	if err := os.WriteFile(in, data, 0o644); err != nil {
		t.Fatal(err)
	}
	sheets := libreOfficeCSV(t, soffice, in)
	for _, name := range []string{"Summary", "People x environments", "Administrators", "Role drift", "Access spread",
		"Access prod", "Access sales", "Run info"} {
		if _, ok := sheets[name]; !ok {
			t.Errorf("LibreOffice did not read the sheet %s: %v", name, slices.Sorted(maps.Keys(sheets)))
		}
	}
	if !strings.Contains(sheets["Summary"], "prod,55,") {
		t.Errorf("LibreOffice reads the Summary without the environments' table:\n%.1500s", sheets["Summary"])
	}
	if n := strings.Count(sheets["Findings"], "\n"); n != len(rep.Findings)+1 {
		t.Errorf("LibreOffice reads %d lines of Findings, want %d", n, len(rep.Findings)+1)
	}
}

// sofficeOrSkip finds LibreOffice, or skips the test (fails it in CI).
func sofficeOrSkip(t *testing.T) string {
	t.Helper()
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("soffice not found: run scripts/install-test-deps.sh")
		}
		t.Skip("soffice not found (scripts/install-test-deps.sh installs it); not checking that LibreOffice opens the workbook")
	}
	return soffice
}

// libreOfficeCSV converts every sheet of a workbook to CSV with
// LibreOffice and returns the texts by sheet name.
func libreOfficeCSV(t *testing.T, soffice, in string) map[string]string {
	t.Helper()
	dir := filepath.Dir(in)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	// Its own profile directory, so parallel runs and a desktop session do
	// not share one; sheet -1 (the last filter token) exports every sheet.
	cmd := exec.CommandContext(ctx, soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "lo-profile"),
		"--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
		"--outdir", filepath.Join(dir, "csv"), in)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("LibreOffice cannot convert the workbook: %v\n%s", err, out)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "csv", "*.csv"))
	if len(files) == 0 {
		t.Fatalf("LibreOffice wrote no CSV (it could not open the workbook):\n%s", out)
	}
	base := strings.TrimSuffix(filepath.Base(in), ".xlsx") + "-"
	sheets := map[string]string{}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		sheets[strings.TrimSuffix(strings.TrimPrefix(filepath.Base(p), base), ".csv")] = string(b)
	}
	return sheets
}

// TestWorkbookTenantEmpty: a tenant run with nothing across its
// environments, and an environment without a matrix, still gives every
// sheet, each saying it is empty.
func TestWorkbookTenantEmpty(t *testing.T) {
	rep := &reports.Report{Environment: "t", GeneratedAt: sampleTime,
		Environments: []reports.EnvironmentRun{{Name: "dev"}, {Name: "prod"}}}
	_, f := writeWorkbook(t, rep, xlsx.Options{})
	dump := dumpSheets(t, f, rep)
	for sheet, text := range map[string]string{"People x environments": "No person", "Administrators": "No enabled user",
		"Role drift": "No role", "Access spread": "No person", "Access dev": "not computed", "Access prod": "not computed",
		"Summary": "dev,0,0,0,0"} {
		if !strings.Contains(dump[sheet], text) {
			t.Errorf("sheet %s does not say %q:\n%s", sheet, text, dump[sheet])
		}
	}
}

// TestWorkbookTenantSharesTheAccessBudget: a tenant's environments share
// the MaxAccessSheets sheets, counted in rows. With one sheet that the
// sample's full matrix fits on its own, each of two environments (the
// sample twice) gets half of it, too little: neither shows its full
// matrix, and the Summary says it was their share. (Each environment
// once took a whole sheet: twenty environments, twenty sheets of a million
// rows.)
func TestWorkbookTenantSharesTheAccessBudget(t *testing.T) {
	rep := loadReport(t, samples, sampleTime)
	_, whole := writeWorkbook(t, rep, xlsx.Options{})
	full, _ := matrixRows(t, whole, "Access", 3, "User")
	opts := xlsx.Options{MaxSheetRows: len(full) + 20, MaxAccessSheets: 1}
	_, single := writeWorkbook(t, rep, opts)
	if idx, _ := single.GetSheetIndex("Access"); idx < 0 {
		t.Fatalf("a single export's full matrix should fit the sheet Access: %v", single.GetSheetList())
	}

	tenant := loadReport(t, testenv.WriteTenant(t, samples), sampleTime)
	_, f := writeWorkbook(t, tenant, opts)
	for _, env := range tenant.EnvironmentNames() {
		if idx, _ := f.GetSheetIndex("Access " + env); idx >= 0 {
			t.Errorf("environment %s's full matrix takes a whole sheet, more than its share: %v", env, f.GetSheetList())
		}
	}
	s := summaryText(t, f)
	for _, want := range []string{"its environment's share of the workbook holds (1 sheet of ", " rows shared by 2 environments)"} {
		if !strings.Contains(s, want) {
			t.Errorf("the Summary does not say %q:\n%s", want, s)
		}
	}
}
