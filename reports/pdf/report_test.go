package pdf_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/d365audit/d365audit/audit"
	"github.com/d365audit/d365audit/internal/testenv"
	"github.com/d365audit/d365audit/internal/textdiff"
	"github.com/d365audit/d365audit/reports"
	"github.com/d365audit/d365audit/reports/pdf"
	"github.com/d365audit/d365audit/rules"
)

// update rewrites the golden files under testdata.
var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// tool finds a poppler program. Without it the test skips, except in
// CI (CI set), where scripts/install-test-deps.sh must have installed it.
func tool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not installed: CI runs scripts/install-test-deps.sh, which installs poppler-utils", name)
		}
		t.Skipf("%s is not installed (poppler-utils; scripts/install-test-deps.sh installs it)", name)
	}
	return p
}

// writeFile renders rep into a file in a temporary directory.
func writeFile(t testing.TB, rep *reports.Report) string {
	t.Helper()
	var buf bytes.Buffer
	if err := writer.Write(context.Background(), &buf, rep); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// extractText is the PDF's text as pdftotext extracts it; pages are separated
// by form feeds.
func extractText(t testing.TB, path string, layout bool) string {
	t.Helper()
	args := []string{"-enc", "UTF-8"}
	if layout {
		args = append(args, "-layout")
	}
	out, err := exec.Command(tool(t, "pdftotext"), append(args, path, "-")...).Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", path, err)
	}
	return string(out)
}

// writer renders report.pdf in the tests.
var writer pdf.Writer

var hexRun = regexp.MustCompile(`[0-9a-f-]{12,}`)

// normalise removes what may differ without the report being wrong:
// the generation time, and SHA-256 digests (of input files whose bytes can
// change with a checkout's line endings). GUIDs, with their hyphens, stay.
func normalise(text string, rep *reports.Report) string {
	text = strings.ReplaceAll(text, rep.GeneratedAt.UTC().Format("2006-01-02 15:04 UTC"), "<generated>")
	text = hexRun.ReplaceAllStringFunc(text, func(s string) string {
		if strings.Contains(s, "-") {
			return s
		}
		return "<sha256>"
	})
	var b strings.Builder
	for _, line := range strings.Split(text, "\n") {
		b.WriteString(strings.TrimRight(line, " "))
		b.WriteString("\n")
	}
	return b.String()
}

func TestPDFGolden(t *testing.T) {
	rep := sampleReport(t)
	text := extractText(t, writeFile(t, rep), true)
	if fp := reports.InputFingerprint(rep.Inputs); !strings.Contains(text, fp) {
		t.Errorf("the input fingerprint %s is not in the PDF", fp)
	}
	checkGolden(t, filepath.Join("testdata", "report.golden.txt"), normalise(text, rep))
}

// TestPDFTenantGolden compares the text of a tenant's report (the sample
// as two environments, prod and sales) with testdata: the environments
// table, each finding's environment, and the chapter across environments.
func TestPDFTenantGolden(t *testing.T) {
	root := testenv.WriteTenant(t, samples)
	a, err := audit.Prepare(context.Background(), audit.Options{Input: root, Now: generatedAt, ToolVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	rep := a.Report
	text := extractText(t, writeFile(t, rep), true)
	for _, want := range []string{"Across environments", "Administrators", "Role drift", "Access spread",
		"People x environments", "Environments"} {
		if !strings.Contains(text, want) {
			t.Errorf("the tenant's report lacks %q", want)
		}
	}
	checkGolden(t, filepath.Join("testdata", "tenant.golden.txt"), strings.ReplaceAll(normalise(text, rep), root, "<tenant>"))
}

// checkGolden compares got with the golden file, or rewrites it (-update).
func checkGolden(t *testing.T, golden, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (go test ./reports/pdf/ -update writes it)", err)
	}
	if got != string(want) {
		t.Fatalf("report.pdf text differs from %s (go test ./reports/pdf/ -update rewrites it):\n%s",
			golden, textdiff.First(string(want), got))
	}
}

// TestPDFSections checks what a signer relies on: every section is there,
// every page is numbered "Page X of Y", and the honest statements are made.
func TestPDFSections(t *testing.T) {
	rep := sampleReport(t)
	text := extractText(t, writeFile(t, rep), false)
	flat := strings.ToLower(strings.Join(strings.Fields(text), " ")) // phrases may wrap
	for _, want := range []string{
		"Security and licensing audit", "Environment contoso-prod", "Audit as of", "Input fingerprint",
		"1 Executive summary", "Open findings by severity", "Open findings by rule", "License waste by SKU",
		"2 Findings by rule", "Why it matters", "What to do", "Sources",
		"3 License cost review", "4 Access highlights", "System Administrators", "Holders of high-risk privileges",
		"access profiles", "A Rule catalogue", "B Rules not evaluated", "C Waivers", "D Input manifest",
		"Sign-off", "Prepared by", "Reviewed by", "Approved by",
		"waived findings are listed with their waiver but not counted as open",
		"Expired:",
	} {
		if !strings.Contains(flat, strings.ToLower(want)) {
			t.Errorf("report.pdf lacks %q", want)
		}
	}
	pages := strings.Split(strings.TrimRight(text, "\f"), "\f")
	for i, page := range pages {
		if want := fmt.Sprintf("Page %d of %d", i+1, len(pages)); !strings.Contains(page, want) {
			t.Errorf("page %d does not say %q", i+1, want)
		}
	}
	// Every rule that fired has its section, with its rationale.
	for _, r := range rep.Rules {
		fired := false
		for _, f := range rep.Findings {
			fired = fired || f.Rule == r.ID
		}
		if fired && !strings.Contains(text, r.ID) {
			t.Errorf("rule %s fired but has no section", r.ID)
		}
	}
}

// TestPDFScripts: names in Greek, Cyrillic and CJK come out as written,
// and the CJK font is embedded for the CJK name.
func TestPDFScripts(t *testing.T) {
	rep := sampleReport(t)
	path := writeFile(t, rep)
	text := extractText(t, path, false)
	for _, name := range []string{"Δημήτρης Παπαδόπουλος", "Ольга Иванова", "田中 愛子", "Zoë Müller", "Mehmet Yılmaz"} {
		if !strings.Contains(text, name) {
			t.Errorf("report.pdf text lacks %q", name)
		}
	}
	out, err := exec.Command(tool(t, "pdffonts"), path).Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, font := range []string{"dejavu", "droidfallback"} {
		if !strings.Contains(string(out), font) {
			t.Errorf("font %s is not embedded:\n%s", font, out)
		}
	}
}

// TestPDFRendersPage renders the cover to PNG and checks it is not blank.
func TestPDFRendersPage(t *testing.T) {
	path := writeFile(t, sampleReport(t))
	prefix := filepath.Join(t.TempDir(), "page")
	if out, err := exec.Command(tool(t, "pdftoppm"), "-png", "-r", "40", "-f", "1", "-l", "1", "-singlefile", path, prefix).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	f, err := os.Open(prefix + ".png")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	inked := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r < 0xf000 || g < 0xf000 || bl < 0xf000 {
				inked++
			}
		}
	}
	total := b.Dx() * b.Dy()
	if inked*100 < total*5 { // the cover's title band alone covers a fifth
		t.Errorf("page 1 is nearly blank: %d of %d pixels are not white", inked, total)
	}
}

// TestPDFDeterministic: one Report, one PDF, byte for byte, dated by the
// run's clock.
func TestPDFDeterministic(t *testing.T) {
	rep := sampleReport(t)
	var a, b bytes.Buffer
	if err := writer.Write(context.Background(), &a, rep); err != nil {
		t.Fatal(err)
	}
	if err := writer.Write(context.Background(), &b, rep); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two renderings of one Report differ")
	}
	if date := "D:" + rep.GeneratedAt.UTC().Format("20060102150405"); !bytes.Contains(a.Bytes(), []byte(date)) {
		t.Errorf("the PDF is not dated %s (the Report's GeneratedAt)", date)
	}
}

// TestPDFHonestAboutMissingInputs: without Graph data, without prices,
// with rules not evaluated, the report says so instead of staying silent.
func TestPDFHonestAboutMissingInputs(t *testing.T) {
	base := *sampleReport(t)
	noGraph := base
	noGraph.Licenses = reports.LicenseReview{}
	noGraph.NotEvaluated = []rules.NotEvaluated{{Rule: "LIC_INACTIVE", Why: "graph/users.json has no signInActivity"}}
	text := extractText(t, writeFile(t, &noGraph), false)
	for _, want := range []string{"No Graph export: license review not performed", "LIC_INACTIVE",
		"graph/users.json has no signInActivity", "could not be evaluated"} {
		if !strings.Contains(text, want) {
			t.Errorf("without Graph data, report.pdf lacks %q", want)
		}
	}

	noPrices := base
	noPrices.Licenses.HasPrices = false
	text = extractText(t, writeFile(t, &noPrices), false)
	if !strings.Contains(text, "No price list: counts only") {
		t.Error("without a price list, report.pdf does not say it counts only")
	}
}

// TestPDFEmptyReport: a report with nothing in it still renders.
func TestPDFEmptyReport(t *testing.T) {
	var buf bytes.Buffer
	if err := writer.Write(context.Background(), &buf, &reports.Report{GeneratedAt: generatedAt}); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
		t.Error("not a PDF")
	}
}

// TestPDFBoundedForLargeTenant: a tenant of 20,000 users and thousands of
// findings gives a summary of bounded length, whose long tables repeat
// their header on every page they run over.
func TestPDFBoundedForLargeTenant(t *testing.T) {
	rep := largeReport(t, 20_000)
	path := writeFile(t, rep)
	text := extractText(t, path, false)
	pages := strings.Split(strings.TrimRight(text, "\f"), "\f")
	if len(pages) > 120 {
		t.Errorf("%d pages for %d findings: the PDF should summarise, not list", len(pages), len(rep.Findings))
	}
	if !strings.Contains(text, "more: see report.xlsx, sheet Findings") {
		t.Error("a cut list does not say where the rest is")
	}
	// A page holding subject rows of a rule section holds the header too.
	rows := 0
	for i, page := range pages {
		if !strings.Contains(page, "(synthetic finding") {
			continue
		}
		rows++
		if !strings.Contains(page, "Subject") || !strings.Contains(page, "Finding") {
			t.Errorf("page %d continues a table of subjects without its header", i+1)
		}
	}
	if rows == 0 {
		t.Error("no subject rows found")
	}
}

// BenchmarkPDF renders the PDF of a tenant of 100,000 users and reports
// its pages.
func BenchmarkPDF(b *testing.B) {
	rep := largeReport(b, 100_000)
	var buf bytes.Buffer
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		buf.Reset()
		if err := writer.Write(context.Background(), &buf, rep); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(pageCount(buf.Bytes())), "pages")
	b.ReportMetric(float64(len(rep.Findings)), "findings")
	b.ReportMetric(float64(buf.Len())/1e6, "MB")
	b.Logf("%d findings, %d users: %d pages, %.1f MB, %s per PDF", len(rep.Findings), len(rep.Users),
		pageCount(buf.Bytes()), float64(buf.Len())/1e6, time.Since(start)/time.Duration(b.N))
}

var pageObject = regexp.MustCompile(`/Type /Page\b[^s]`)

// pageCount counts the page objects of a PDF (their dictionaries are
// not compressed).
func pageCount(pdf []byte) int { return len(pageObject.FindAll(pdf, -1)) }

// TestPDFTenantEmpty: a tenant run with nothing across its environments
// says so in each section of the chapter across environments.
func TestPDFTenantEmpty(t *testing.T) {
	rep := &reports.Report{Environment: "t", GeneratedAt: generatedAt, AsOf: generatedAt,
		Environments: []reports.EnvironmentRun{{Name: "dev"}, {Name: "prod"}}}
	text := extractText(t, writeFile(t, rep), false)
	for _, want := range []string{"Across environments", "0 people hold System Administrator",
		"No role of the same name", "Nobody's effective access differs", "0 people with an Entra object ID"} {
		if !strings.Contains(text, want) {
			t.Errorf("the empty tenant's report lacks %q", want)
		}
	}
}
