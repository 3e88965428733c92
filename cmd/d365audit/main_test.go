package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const contoso = "../../samples/contoso"

// copySample copies samples/contoso into a temporary directory the test
// may change.
func copySample(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "export")
	if err := os.CopyFS(dir, os.DirFS(contoso)); err != nil {
		t.Fatal(err)
	}
	return dir
}

// editSample copies samples/contoso with the first old in file replaced
// by new, and returns the copy and the offset of the edit in the file.
func editSample(t *testing.T, file, old, new string) (dir string, at int) {
	t.Helper()
	dir = copySample(t)
	path := filepath.Join(dir, file)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	if at = strings.Index(text, old); at < 0 {
		t.Fatalf("%s lacks %q", file, old)
	}
	if err := os.WriteFile(path, []byte(text[:at]+new+text[at+len(old):]), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, at
}

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), append([]string{"d365audit"}, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestValidateSamples(t *testing.T) {
	code, out, errOut := runCLI(t, "validate", "--input", "../../samples/contoso")
	if code != exitOK {
		t.Fatalf("exit %d, stderr %s\n%s", code, errOut, out)
	}
	for _, want := range []string{
		"Summary: 21 tables, 2,489 rows, 0 errors, 2 dangling references, 0 notices",
		"teammemberships.csv: line 61, column systemuserid: 0d7c4f2a-93b1-ed11-9a8c-000d3a4e7b21 names no row of systemusers",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestValidateRefusesBrokenExportWithExit2(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "systemusers.csv"),
		[]byte("systemuserid,domainname,businessunitid,isdisabled,accessmode\nnot-a-guid,a@x,0a1b2c3d-0000-4000-8000-000000000001,false,0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "validate", "--input", dir)
	if code != exitBadInput {
		t.Fatalf("exit %d, want %d", code, exitBadInput)
	}
	for _, want := range []string{
		`systemusers.csv: line 2, column systemuserid: not a GUID: "not-a-guid"`,
		"businessunits: required table is missing",
		"roleprivilegescollection: required table is missing",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut, "the export cannot be audited") {
		t.Errorf("stderr = %q", errOut)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("validate wrote into the export directory: %v", entries)
	}
}

// A usage error exits 2 with one line and a pointer to the help, never
// the whole help.
func TestUsageErrorsExit2(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"validate"}, `Required flag "input" not set`},
		{[]string{"run", "--input", "../../samples/contoso", "--out", "x", "extra"}, `unexpected argument "extra"`},
		{[]string{"validate", "--input", "../../samples/contoso", "extra"}, `unexpected argument "extra"`},
		{[]string{"rules", "extra"}, `unexpected argument "extra"`},
		{[]string{"run", "--input", "x", "--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"diff", "one"}, "expected two run directories"},
		{[]string{"bogus"}, `unknown command "bogus"; the commands are run, validate, access, who-can, rules, diff, sample, export`},
	} {
		code, out, errOut := runCLI(t, tc.args...)
		if code != exitBadInput {
			t.Errorf("%v: exit %d, want %d", tc.args, code, exitBadInput)
		}
		lines := strings.Split(strings.TrimSpace(errOut), "\n")
		if len(lines) != 2 || !strings.Contains(lines[0], tc.want) || !strings.HasPrefix(lines[1], "Run 'd365audit") ||
			!strings.HasSuffix(lines[1], "--help' for usage.") {
			t.Errorf("%v: stderr %q, want one line with %q and a pointer to --help", tc.args, errOut, tc.want)
		}
		if out != "" {
			t.Errorf("%v: the help was printed:\n%s", tc.args, out)
		}
	}
	if code, out, _ := runCLI(t, "run", "--help"); code != exitOK || !strings.Contains(out, "--force") {
		t.Errorf("run --help: exit %d\n%s", code, out)
	}
}

// --input says whether it does not exist or is a file.
func TestInputThatIsNoDirectory(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nothing")
	file := filepath.Join(t.TempDir(), "export.zip")
	os.WriteFile(file, []byte("PK"), 0o644)
	for _, cmd := range [][]string{{"validate"}, {"run", "--out", filepath.Join(t.TempDir(), "out")}} {
		for _, tc := range []struct{ input, want string }{{missing, missing + " does not exist"}, {file, file + " is a file"}} {
			code, _, errOut := runCLI(t, append(cmd, "--input", tc.input)...)
			if code != exitBadInput || !strings.Contains(errOut, tc.want) {
				t.Errorf("%s --input %s: exit %d, %q; want exit 2 and %q", cmd[0], tc.input, code, errOut, tc.want)
			}
		}
	}
	if code, _, errOut := runCLI(t, "access", "--input", missing, "--user", "x"); code != exitBadInput || !strings.Contains(errOut, "does not exist") {
		t.Errorf("access --input missing: exit %d, %q", code, errOut)
	}
}

// run never silently overwrites evidence: a previous run is replaced only
// with --force, and a folder holding anything else, or one inside the
// export, is refused.
func TestRunOutNeverOverwritesEvidence(t *testing.T) {
	const input = "../../samples/contoso"
	out := filepath.Join(t.TempDir(), "out")
	code, _, errOut := runCLI(t, "run", "--input", input, "--out", out)
	if code != exitOK {
		t.Fatalf("first run: exit %d %s", code, errOut)
	}
	if strings.Contains(errOut, "peak memory") || strings.Contains(errOut, "d365audit: ingest") {
		t.Errorf("stage telemetry without --verbose:\n%s", errOut)
	}
	before, _ := os.ReadFile(filepath.Join(out, "manifest.json"))
	code, _, errOut = runCLI(t, "run", "--input", input, "--out", out)
	if code != exitBadInput || !strings.Contains(errOut, "pass --force to replace it") {
		t.Errorf("second run without --force: exit %d, %q", code, errOut)
	}
	if after, _ := os.ReadFile(filepath.Join(out, "manifest.json")); !bytes.Equal(before, after) {
		t.Error("a refused run changed the previous run's manifest")
	}
	code, _, errOut = runCLI(t, "run", "--input", input, "--out", out, "--force", "--verbose")
	if code != exitOK {
		t.Errorf("second run with --force: exit %d, %s", code, errOut)
	}
	for _, stage := range []string{"ingest", "access", "rules", "findings", "parquet", "database", "pdf", "workbook"} {
		if !strings.Contains(errOut, "d365audit: "+stage+" ") {
			t.Errorf("--verbose: no line for stage %s:\n%s", stage, errOut)
		}
	}

	os.WriteFile(filepath.Join(out, "notes.txt"), []byte("mine"), 0o644)
	code, _, errOut = runCLI(t, "run", "--input", input, "--out", out, "--force")
	if code != exitBadInput || !strings.Contains(errOut, "did not write (notes.txt)") {
		t.Errorf("run --force into a folder with a foreign file: exit %d, %q", code, errOut)
	}
	if b, _ := os.ReadFile(filepath.Join(out, "notes.txt")); string(b) != "mine" {
		t.Error("the foreign file was touched")
	}

	// Files named like the outputs are not a run's without its manifest.
	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "report.pdf"), []byte("%PDF"), 0o644)
	code, _, errOut = runCLI(t, "run", "--input", input, "--out", other, "--force")
	if code != exitBadInput || !strings.Contains(errOut, "did not write (report.pdf)") {
		t.Errorf("run --force into a folder with someone's report.pdf: exit %d, %q", code, errOut)
	}

	export := t.TempDir()
	os.WriteFile(filepath.Join(export, "systemusers.csv"), []byte("systemuserid\n"), 0o644)
	inside := filepath.Join(export, "report")
	code, _, errOut = runCLI(t, "run", "--input", export, "--out", inside)
	if code != exitBadInput || !strings.Contains(errOut, "is inside --input") {
		t.Errorf("--out inside --input: exit %d, %q", code, errOut)
	}
	if _, err := os.Stat(inside); !os.IsNotExist(err) {
		t.Error("--out inside --input was created")
	}
}

func TestAccessAndWhoCan(t *testing.T) {
	code, out, errOut := runCLI(t, "access", "--input", "../../samples/contoso", "--user", "LUKAS WEBER", "--table", "opportunity", "--format", "csv")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	want := "user,table,privilege,depth,sources\n" +
		"lukas.weber@contosopharma.com,opportunity,append,team,Contoso Team Sales Access@DACH Sales team:DACH Key Accounts (team)\n"
	if !strings.HasPrefix(out, want) {
		t.Errorf("access csv:\n%s\nwant prefix:\n%s", out, want)
	}

	code, out, errOut = runCLI(t, "who-can", "--input", "../../samples/contoso", "--table", "contoso_payment", "--privilege", "write", "--min-depth", "local")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "fatima.alsayed@contosopharma.com") || strings.Contains(out, "jan.novak") {
		t.Errorf("who-can write contoso_payment at local+:\n%s", out)
	}

	if code, _, errOut = runCLI(t, "access", "--input", "../../samples/contoso", "--user", "nobody@example.com"); code != exitBadInput ||
		!strings.Contains(errOut, `no user is called "nobody@example.com"`) {
		t.Errorf("unknown user: exit %d, %s", code, errOut)
	}
	if code, _, _ = runCLI(t, "who-can", "--input", "../../samples/contoso", "--table", "account", "--privilege", "read", "--min-depth", "huge"); code != exitBadInput {
		t.Errorf("bad depth: exit %d", code)
	}
}

func TestRunExitStatuses(t *testing.T) {
	out := t.TempDir()
	if code, stdout, errOut := runCLI(t, "run", "--input", "../../samples/contoso", "--out", out); code != exitOK {
		t.Fatalf("run without --fail-on: exit %d: %s %s", code, stdout, errOut)
	}
	if b, _ := os.ReadFile(filepath.Join(out, "findings.csv")); !bytes.HasPrefix(b, []byte("\xEF\xBB\xBFrule,severity,")) {
		t.Errorf("findings.csv does not start with the UTF-8 BOM and the header: %.20q", b)
	}
	if code, _, errOut := runCLI(t, "run", "--input", "../../samples/contoso", "--out", out, "--force", "--fail-on", "high"); code != exitFindings ||
		!strings.Contains(errOut, "at high or above") {
		t.Errorf("--fail-on high on samples with high findings: exit %d, %s", code, errOut)
	}
	if code, _, _ := runCLI(t, "run", "--input", "../../samples/contoso", "--out", out, "--force", "--fail-on", "severe"); code != exitBadInput {
		t.Errorf("--fail-on severe: exit %d, want 2", code)
	}
	code, _, errOut := runCLI(t, "rules")
	if code != exitOK || errOut != "" {
		t.Errorf("rules: exit %d %s", code, errOut)
	}
	// The audit database answers the access questions without the export.
	code, stdout, errOut := runCLI(t, "who-can", "--input", out+"/audit.duckdb", "--table", "contoso_payment", "--privilege", "write", "--min-depth", "local", "--format", "csv")
	if code != exitOK || !strings.Contains(stdout, "fatima.alsayed@contosopharma.com,Fatima Al-Sayed,Group Finance,contoso_payment,write,global") {
		t.Errorf("who-can on audit.duckdb: exit %d %s\n%s", code, errOut, stdout)
	}
}

// An organisation's own rule joins the catalogue and produces findings.
func TestRulesDirAddsOwnRules(t *testing.T) {
	dir := t.TempDir()
	rule := `-- id: ORG_GUEST_WITH_ROLE
-- title: An Entra guest holds a role
-- severity: low
-- rationale: Contoso allows guests only through teams.
-- remediation: Move the guest's access to a team.
-- references: [https://intranet.contoso.com/policy/guests]
-- needs: [systemusers]
SELECT 'user' AS subject_type, u.systemuserid AS subject_id, u.fullname AS subject_name, '' AS businessunit,
       u.fullname || ' is a guest with a direct role' AS message, json_object('domainname', u.domainname) AS evidence, NULL AS detail
FROM systemusers u WHERE u.domainname LIKE '%#EXT#%'
`
	if err := os.WriteFile(filepath.Join(dir, "ORG_GUEST_WITH_ROLE.sql"), []byte(rule), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "rules", "--rules-dir", dir)
	if code != exitOK || !strings.Contains(out, "ORG_GUEST_WITH_ROLE") {
		t.Fatalf("rules --rules-dir: exit %d %s\n%s", code, errOut, out)
	}
	outDir := t.TempDir()
	code, _, errOut = runCLI(t, "run", "--input", "../../samples/contoso", "--out", outDir, "--rules-dir", dir)
	if code != exitOK {
		t.Fatalf("run: exit %d: %s", code, errOut)
	}
	b, _ := os.ReadFile(filepath.Join(outDir, "findings.json"))
	if !strings.Contains(string(b), `"ORG_GUEST_WITH_ROLE:user:`) {
		t.Errorf("findings.json lacks the organisation's rule")
	}
	// A rule that breaks the contract fails the run with its ID.
	os.WriteFile(filepath.Join(dir, "ORG_BROKEN.sql"), []byte("-- id: ORG_BROKEN\n-- title: t\n-- severity: low\n-- rationale: r\n-- remediation: m\n-- references: [x]\nSELECT 1 AS one\n"), 0o644)
	code, _, errOut = runCLI(t, "run", "--input", "../../samples/contoso", "--out", t.TempDir(), "--rules-dir", dir)
	if code != exitInternal || !strings.Contains(errOut, "rule ORG_BROKEN") {
		t.Errorf("broken rule: exit %d, %s", code, errOut)
	}
}

func TestSampleAndDiffCommands(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tenant")
	code, out, errOut := runCLI(t, "sample", "--users", "60", "--seed", "7", "--out", dir)
	if code != exitOK || !strings.Contains(out, "60 users") {
		t.Fatalf("sample: exit %d %s %s", code, out, errOut)
	}
	if code, _, _ := runCLI(t, "sample", "--users", "60", "--out", dir); code != exitBadInput {
		t.Errorf("sample into a non-empty directory: exit %d, want 2", code)
	}
	if code, out, errOut := runCLI(t, "validate", "--input", dir); code != exitOK || !strings.Contains(out, " 0 errors, 0 dangling references") {
		t.Errorf("validate on a generated tenant: exit %d %s\n%s", code, errOut, out)
	}
	a, b := t.TempDir(), t.TempDir()
	for _, run := range []struct{ in, out string }{{"../../samples/contoso", a}, {"../../samples/contoso-2026-12", b}} {
		if code, _, errOut := runCLI(t, "run", "--input", run.in, "--out", run.out); code != exitOK {
			t.Fatalf("run %s: exit %d %s", run.in, code, errOut)
		}
	}
	code, out, errOut = runCLI(t, "diff", a, b, "--format", "json")
	if code != exitOK || !strings.Contains(out, "SOD_CONFLICT") {
		t.Errorf("diff: exit %d %s\n%.400s", code, errOut, out)
	}
	if code, _, _ := runCLI(t, "diff", a, t.TempDir()); code != exitBadInput {
		t.Errorf("diff with a directory that is no run: exit %d, want 2", code)
	}
}
