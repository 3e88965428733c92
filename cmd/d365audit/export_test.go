package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/d365audit/d365audit/export/fakeapi"
)

// startFake serves samples/contoso over plain http on loopback (the only
// place export accepts http) with tokens given in files.
func startFake(t *testing.T) (fake *fakeapi.Server, tokenFile, graphTokenFile string) {
	t.Helper()
	fake, err := fakeapi.New("../../samples/contoso", false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	dir := t.TempDir()
	tokenFile, graphTokenFile = filepath.Join(dir, "dataverse.token"), filepath.Join(dir, "graph.token")
	os.WriteFile(tokenFile, []byte(fake.DataverseToken+"\n"), 0o600)
	os.WriteFile(graphTokenFile, []byte(fake.GraphToken+"\n"), 0o600)
	return fake, tokenFile, graphTokenFile
}

func TestExportThenValidate(t *testing.T) {
	fake, tok, graphTok := startFake(t)
	out := filepath.Join(t.TempDir(), "contoso")
	code, stdout, stderr := runCLI(t, "export", "--env", fake.Dataverse.URL, "--out", out, "--graph",
		"--graph-url", fake.Graph.URL, "--access-token", tok, "--graph-access-token", graphTok)
	if code != exitOK {
		t.Fatalf("export: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"Exported " + fake.Dataverse.URL + " to " + out, "17 tables, 80 files, 1,891 rows",
		"Next: d365audit validate --input " + out} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	for _, want := range []string{"as access token given", "roleprivilegescollection: done, 881 rows"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stdout+stderr, fake.DataverseToken) || strings.Contains(stdout+stderr, fake.GraphToken) {
		t.Error("a token was printed")
	}
	code, stdout, _ = runCLI(t, "validate", "--input", out)
	if code != exitOK || !strings.Contains(stdout, "0 errors, 2 dangling references") {
		t.Errorf("validate over the export: exit %d\n%s", code, stdout)
	}
	// Without --force a second export leaves the first one alone.
	if code, _, stderr := runCLI(t, "export", "--env", fake.Dataverse.URL, "--out", out, "--access-token", tok); code != exitBadInput ||
		!strings.Contains(stderr, "pass --force") {
		t.Errorf("export over a previous export: exit %d %s", code, stderr)
	}
}

// A refused required table: exit 2, nothing at --out, and the incomplete
// directory is refused by validate.
func TestFailedExportLeavesNothingThatValidates(t *testing.T) {
	fake, _, _ := startFake(t)
	t.Setenv(envAccessToken, fake.DataverseToken)
	fake.Fail("systemuserrolescollection", fakeapi.Fault{Page: 1, Status: http.StatusForbidden,
		Message: "Principal user is missing prvReadUser privilege on OTC=8 for entity 'systemuser'."})
	out := filepath.Join(t.TempDir(), "contoso")
	code, _, stderr := runCLI(t, "export", "--env", fake.Dataverse.URL, "--out", out)
	if code != exitBadInput || !strings.Contains(stderr, "systemuserrolescollection: HTTP 403 Forbidden: the caller's security role lacks prvReadUser") {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatal("a failed export left --out")
	}
	code, stdout, _ := runCLI(t, "validate", "--input", out+".incomplete")
	if code != exitBadInput || !strings.Contains(stdout, "businessunits: required table is missing") {
		t.Errorf("validate over the incomplete directory: exit %d\n%s", code, stdout)
	}
	if code, _, _ := runCLI(t, "validate", "--input", out); code != exitBadInput {
		t.Errorf("validate over the missing export: exit %d", code)
	}
}

func TestExportUsageErrors(t *testing.T) {
	fake, _, _ := startFake(t)
	out := filepath.Join(t.TempDir(), "x")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--env", "http://contoso.crm.dynamics.com", "--out", out}, "must be https"},
		{[]string{"--env", fake.Dataverse.URL, "--out", out, "--auth", "secret", "--tenant", "", "--client-id", ""}, "needs --tenant and --client-id"},
		{[]string{"--env", fake.Dataverse.URL, "--out", out, "--auth", "password"}, `--auth "password": expected one of`},
		{[]string{"--env", fake.Dataverse.URL, "--out", out, "--concurrency", "0"}, "expected 1 to 16"},
		// A token pasted where a file belongs is not echoed back.
		{[]string{"--env", fake.Dataverse.URL, "--out", out, "--access-token", "eyJhbGciOi.SECRET-TOKEN.sig"}, "the secret itself is never a flag value"},
	} {
		code, _, stderr := runCLI(t, append([]string{"export"}, c.args...)...)
		if code != exitBadInput || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", c.args, code, stderr, c.want)
		}
		if strings.Contains(stderr, "SECRET-TOKEN") {
			t.Errorf("the token given as a flag value was printed: %s", stderr)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a refused export wrote --out")
	}
}

// Without a secret, certificate or token and without the Azure CLI, export
// stops before contacting anything and says which --auth to use.
func TestExportWithoutCredentialSaysWhichAuth(t *testing.T) {
	for _, env := range []string{envClientSecret, envAccessToken, envGraphToken, envCertificatePath, envTenantID, envClientID} {
		t.Setenv(env, "")
	}
	t.Setenv("PATH", t.TempDir()) // no az
	out := filepath.Join(t.TempDir(), "export")
	for _, args := range [][]string{{}, {"--auth", "azure-cli"}} {
		code, _, stderr := runCLI(t, append([]string{"export", "--env", "https://contoso.crm.dynamics.com", "--out", out}, args...)...)
		if code != exitBadInput {
			t.Errorf("%v: exit %d, want %d", args, code, exitBadInput)
		}
		for _, want := range []string{"no usable credential", "Azure CLI (az) is not installed", "--auth: secret (AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET)", "token (--access-token FILE)"} {
			if !strings.Contains(stderr, want) {
				t.Errorf("%v: stderr lacks %q:\n%s", args, want, stderr)
			}
		}
	}
	if entries, _ := os.ReadDir(filepath.Dir(out)); len(entries) != 0 {
		t.Errorf("export without a credential wrote %v", entries)
	}
}
