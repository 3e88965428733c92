package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/d365audit/d365audit/queries/access"
)

// A question the export cannot answer is an error with the closest names,
// exit 2, never "0 users".
func TestWhoCanUnknownNamesAreErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"-t", "acount", "-p", "delete"}, "the export has no table acount; did you mean account?"},
		{[]string{"-t", "contoso_paymnet", "-p", "read"}, "the export has no table contoso_paymnet; did you mean contoso_payment?"},
		{[]string{"-p", "prvBulkDelet"}, "the export has no privilege prvBulkDelet; did you mean prvBulkDelete"},
		{[]string{"-t", "account", "-p", "remove"}, `--privilege "remove": expected one of create, read`},
		{[]string{"-p", "delete"}, "--table is required"},
		{[]string{"-t", "businessunit", "-p", "assign"}, "the export has no assign privilege on businessunit (it has append, appendto, create, delete, read, write)"},
		{[]string{"-t", "contact", "-p", "prvReadAccount"}, "prvReadAccount is read on account, not a privilege on contact"},
		{[]string{"-t", "account", "-p", "delete", "--min-depth", "Everywhere"}, `--min-depth "Everywhere": expected one of team, basic (User)`},
	}
	for _, c := range cases {
		code, out, errOut := runCLI(t, append([]string{"who-can", "-i", contoso}, c.args...)...)
		if code != exitBadInput {
			t.Errorf("%v: exit %d, want %d (stdout %q)", c.args, code, exitBadInput, out)
		}
		if !strings.Contains(errOut, c.want) {
			t.Errorf("%v: stderr %q lacks %q", c.args, errOut, c.want)
		}
	}
	code, _, errOut := runCLI(t, "access", "-i", contoso, "-u", "lukas.weber@contosopharma.com", "-t", "opportunty")
	if code != exitBadInput || !strings.Contains(errOut, "did you mean opportunity?") {
		t.Errorf("access on a misspelt table: exit %d, %q", code, errOut)
	}
	code, _, errOut = runCLI(t, "access", "-i", contoso, "-u", "lukas.webr@contosopharma.com")
	if code != exitBadInput || !strings.Contains(errOut, "did you mean lukas.weber@contosopharma.com?") {
		t.Errorf("access for a misspelt user: exit %d, %q", code, errOut)
	}
}

// A full privilege name, in any case, asks the same as table + right; the
// role editor's depth names are the same depths as ours.
func TestWhoCanFullNamesAndEditorDepths(t *testing.T) {
	whoCan := func(args ...string) string {
		t.Helper()
		code, out, errOut := runCLI(t, append([]string{"who-can", "-i", contoso, "-f", "csv"}, args...)...)
		if code != exitOK {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		return out
	}
	byRight := whoCan("-t", "Account", "-p", "Delete")
	if strings.Count(byRight, "\n") < 3 {
		t.Fatalf("who can delete accounts: too few rows:\n%s", byRight)
	}
	for _, p := range []string{"prvDeleteAccount", "PRVDELETEACCOUNT", "prvdeleteaccount"} {
		if got := whoCan("-p", p); got != byRight {
			t.Errorf("-p %s differs from -t account -p delete:\n%s\nwant:\n%s", p, got, byRight)
		}
	}
	for editor, ours := range map[string]string{"User": "basic", "Business Unit": "local",
		"Parent: Child Business Units": "deep", "organization": "global"} {
		if got, want := whoCan("-p", "prvDeleteAccount", "--min-depth", editor), whoCan("-p", "prvDeleteAccount", "--min-depth", ours); got != want {
			t.Errorf("--min-depth %q differs from %q:\n%s\nwant:\n%s", editor, ours, got, want)
		}
	}
	code, out, _ := runCLI(t, "who-can", "-i", contoso, "-p", "prvBulkDelete")
	if code != exitOK || !strings.Contains(out, "full name") || !strings.Contains(out, "Erik Johansson (Admin)") ||
		!strings.Contains(out, "business unit") {
		t.Errorf("who-can table lacks full names and business units (exit %d):\n%s", code, out)
	}
}

// access and who-can on an export read its policy as run does: a table the
// policy calls a business table is closed to Administrative-mode users.
func TestAccessReadsThePolicyLikeRun(t *testing.T) {
	const admin = "adm-erik.johansson@contosopharma.com" // accessmode 1
	access := func(input string, extra ...string) (int, string, string) {
		return runCLI(t, append([]string{"access", "-i", input, "-u", admin, "-t", "contoso_payment", "-f", "csv"}, extra...)...)
	}
	code, out, errOut := access(contoso)
	if code != exitOK || !strings.Contains(out, "contoso_payment,read,") {
		t.Fatalf("without the table in business_tables the admin-mode user reads payments: exit %d %s\n%s", code, errOut, out)
	}
	dir, _ := editSample(t, "policy.yaml", "business_tables:\n", "business_tables:\n  - contoso_payment\n")
	code, out, errOut = access(dir)
	if code != exitOK || out != "user,table,privilege,depth,sources\n" {
		t.Errorf("policy beside the export: exit %d %s, want no rows:\n%s", code, errOut, out)
	}
	code, out, errOut = access(contoso, "--policy", filepath.Join(dir, "policy.yaml"))
	if code != exitOK || out != "user,table,privilege,depth,sources\n" {
		t.Errorf("--policy: exit %d %s, want no rows:\n%s", code, errOut, out)
	}
}

// A policy naming a table or privilege the export lacks is an error for
// every command that builds the model, never a rule that silently never
// fires; so is a negative threshold.
func TestPolicyNamesMustExist(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "policy.yaml")
	write := func(s string) {
		if err := os.WriteFile(bad, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(`separation_of_duties:
  - id: SOD-PAY
    title: Create and approve payments
    side_a: {table: contoso_paymnt, privilege: create}
    side_b: {name: prvApprovePaymnet}
`)
	for _, args := range [][]string{
		{"who-can", "-i", contoso, "--policy", bad, "-t", "account", "-p", "read"},
		{"run", "-i", contoso, "--policy", bad, "-o", filepath.Join(dir, "out")},
	} {
		code, _, errOut := runCLI(t, args...)
		if code != exitBadInput {
			t.Errorf("%s: exit %d, want %d: %s", args[0], code, exitBadInput, errOut)
		}
		for _, want := range []string{
			"separation_of_duties SOD-PAY side_a: the export has no table contoso_paymnt; did you mean contoso_payment?",
			"separation_of_duties SOD-PAY side_b: the export has no privilege prvApprovePaymnet",
		} {
			if !strings.Contains(errOut, want) {
				t.Errorf("%s: stderr lacks %q:\n%s", args[0], want, errOut)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
		t.Error("run wrote outputs despite the policy error")
	}
	write("thresholds:\n  inactive_days: -30\n")
	code, _, errOut := runCLI(t, "who-can", "-i", contoso, "--policy", bad, "-t", "account", "-p", "read")
	if code != exitBadInput || !strings.Contains(errOut, "inactive_days is -30") {
		t.Errorf("negative threshold: exit %d, %q", code, errOut)
	}
}

// --input naming a run's folder asks its audit.duckdb: the same answers as
// the export, without re-reading it.
func TestAccessOnARunFolder(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	if code, _, errOut := runCLI(t, "run", "-i", contoso, "-o", out); code != exitOK {
		t.Fatalf("run: exit %d: %s", code, errOut)
	}
	// the manifest says how many privileges had their table guessed
	b, err := os.ReadFile(filepath.Join(out, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Privileges access.PrivilegeSources `json:"privilege_tables"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if p := m.Privileges; p != (access.PrivilegeSources{Total: 169, ObjectTypeCode: 140, Name: 8, Misc: 21}) {
		t.Errorf("manifest privilege_tables = %+v, want 169 privileges: 140 typed, 8 from the name, 21 miscellaneous", p)
	}
	args := []string{"who-can", "-p", "prvDeleteAccount", "-f", "csv"}
	_, fromExport, _ := runCLI(t, append(args, "-i", contoso)...)
	code, fromRun, errOut := runCLI(t, append(args, "-i", out)...)
	if code != exitOK || fromRun != fromExport {
		t.Errorf("who-can on the run folder: exit %d %s\n%s\nwant:\n%s", code, errOut, fromRun, fromExport)
	}
	code, _, errOut = runCLI(t, append(args, "-i", out, "--policy", filepath.Join(contoso, "policy.yaml"))...)
	if code != exitBadInput || !strings.Contains(errOut, "--policy applies to an export") {
		t.Errorf("--policy with a run: exit %d, %q", code, errOut)
	}
}

// validate says how many privileges had their table guessed from the name.
func TestValidateCountsGuessedPrivilegeTables(t *testing.T) {
	code, out, errOut := runCLI(t, "validate", "-i", contoso)
	want := "Privileges: 169; table from privilegeobjecttypecodes 140, guessed from the name 8 (0 of them through the built-in map of out-of-box names), miscellaneous 21"
	if code != exitOK || !strings.Contains(out, want) {
		t.Errorf("exit %d %s; output lacks %q:\n%s", code, errOut, want, out)
	}
	dir := copySample(t)
	if err := os.Remove(filepath.Join(dir, "privilegeobjecttypecodes.csv")); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runCLI(t, "validate", "-i", dir)
	want = "Privileges: 169; table from privilegeobjecttypecodes 0, guessed from the name 148 (5 of them through the built-in map of out-of-box names), miscellaneous 21"
	if code != exitOK || !strings.Contains(out, want) || !strings.Contains(out, "export privilegeobjecttypecodes with a row for every privilege") {
		t.Errorf("without privilegeobjecttypecodes: exit %d %s; output lacks %q:\n%s", code, errOut, want, out)
	}
}

// The sources column names the grant that gives the depth first, each
// grant with its own depth: a Basic grant listed beside a Global one must
// not read as if it gave Global.
func TestSourcesNameTheDecidingGrantFirst(t *testing.T) {
	code, out, errOut := runCLI(t, "who-can", "-i", contoso, "-t", "contoso_payment", "-p", "write", "-f", "csv")
	want := "fatima.alsayed@contosopharma.com,Fatima Al-Sayed,Group Finance,contoso_payment,write,global," +
		"Contoso Finance Approver@Group Finance team:Finance Approvers (global); Contoso Payment Creator@Group Finance direct (basic)\n"
	if code != exitOK || !strings.Contains(out, want) {
		t.Errorf("exit %d %s; output lacks %q:\n%s", code, errOut, want, out)
	}
}
