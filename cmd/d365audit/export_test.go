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

// A usage error, for one environment or a tenant folder, exits 2 before
// anything is asked of a service or written at --out.
func TestExportUsageErrors(t *testing.T) {
	fake, tok, _ := startFake(t)
	out := filepath.Join(t.TempDir(), "x")
	t.Setenv(envClientSecret, "s")
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

		// A tenant folder.
		{[]string{"--out", out}, "--env URL (once, or repeated for a tenant folder) or --all-environments"},
		{[]string{"--env", fake.Dataverse.URL, "--all-environments", "--out", out}, "give one or the other"},
		{[]string{"--env", fake.Dataverse.URL, "--discovery", "global", "--out", out}, "go with --all-environments"},
		{[]string{"--env", "https://contoso.crm4.dynamics.com", "--env", "https://contoso.crm.dynamics.com", "--out", out},
			"environments https://contoso.crm4.dynamics.com and https://contoso.crm.dynamics.com would both be written to environments/contoso"},
		{[]string{"--env", fake.Dataverse.URL, "--env", "http://localhost:1", "--out", out, "--access-token", tok}, "a token is issued for one environment"},
		{[]string{"--all-environments", "--out", out, "--access-token", tok}, "cannot list the tenant's environments"},
		{[]string{"--all-environments", "--discovery", "global", "--out", out, "--auth", "secret", "--tenant", "t", "--client-id", "c"},
			"the Global Discovery Service accepts a person's token only"},
		{[]string{"--all-environments", "--discovery", "bap", "--out", out, "--auth", "secret", "--tenant", "t", "--client-id", "c"},
			`--discovery "bap": expected one of admin, global`},
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
	if len(fake.Requests()) != 0 {
		t.Errorf("a refused export asked %v", fake.Requests())
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

// startTenant serves three environments (contoso, contoso-test,
// contoso-dev) over https and points the command's sign-in at the fake
// token endpoint with the app's secret.
func startTenant(t *testing.T) *fakeapi.Server {
	t.Helper()
	fake, err := fakeapi.New("../../samples/contoso", true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	for _, name := range []string{"contoso-test", "contoso-dev"} {
		if _, err := fake.AddEnvironment(name, "../../samples/contoso"); err != nil {
			t.Fatal(err)
		}
	}
	exportHooks.client, exportHooks.authority = fake.Client(), fake.Login.URL+"/"
	t.Cleanup(func() { exportHooks.client, exportHooks.authority = nil, "" })
	for _, env := range []string{envAccessToken, envGraphToken, envCertificatePath} {
		t.Setenv(env, "")
	}
	t.Setenv(envTenantID, fake.TenantID)
	t.Setenv(envClientID, fake.ClientID)
	t.Setenv(envClientSecret, fake.ClientSecret)
	return fake
}

func TestExportAllEnvironmentsWritesATenantFolder(t *testing.T) {
	fake := startTenant(t)
	out := filepath.Join(t.TempDir(), "tenant")
	code, stdout, stderr := runCLI(t, "export", "--all-environments", "--discovery-url", fake.Discovery.URL,
		"--out", out, "--graph", "--graph-url", fake.Graph.URL)
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"Exported 3 environments to the tenant folder " + out,
		"environments/contoso-dev  " + fake.Environments[2].URL() + ": 77 files, 1,838 rows", "graph  " + fake.Graph.URL + ": 3 files, 53 rows",
		"d365audit validate --input " + out + "/environments/contoso"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if !strings.Contains(stderr, "as client secret of app "+fake.ClientID) || strings.Contains(stdout+stderr, fake.ClientSecret) {
		t.Errorf("stderr:\n%s", stderr)
	}
	for _, name := range []string{"contoso", "contoso-dev", "contoso-test"} {
		if code, stdout, _ := runCLI(t, "validate", "--input", filepath.Join(out, "environments", name)); code != exitOK {
			t.Errorf("validate environments/%s: exit %d\n%s", name, code, stdout)
		}
	}
	for _, f := range []string{"tenant.json", "graph/users.json", "graph/subscribedSkus.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("tenant folder lacks %s", f)
		}
	}

	// --env repeated (and its alias): the same layout, named by host.
	out2 := filepath.Join(t.TempDir(), "two")
	code, stdout, stderr = runCLI(t, "export", "--env", fake.Environments[0].URL(), "--environment", fake.Environments[1].URL(), "--out", out2)
	if code != exitOK {
		t.Fatalf("--env twice: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if entries, _ := os.ReadDir(filepath.Join(out2, "environments")); len(entries) != 2 || !strings.HasPrefix(entries[0].Name(), "127-0-0-1-") {
		t.Errorf("environments/: %v", entries)
	}
	if _, err := os.Stat(filepath.Join(out2, "graph")); err == nil {
		t.Error("graph/ without --graph")
	}
}

// One environment refused: exit 2, nothing at --out, the others exported
// completely in OUT.incomplete, each still an export validate accepts.
func TestExportTenantWithAFailedEnvironment(t *testing.T) {
	fake := startTenant(t)
	fake.Environments[1].Fail("systemuserrolescollection", fakeapi.Fault{Page: 1, Status: http.StatusForbidden,
		Message: "Principal user is missing prvReadUser privilege on OTC=8 for entity 'systemuser'."})
	out := filepath.Join(t.TempDir(), "tenant")
	code, stdout, stderr := runCLI(t, "export", "--all-environments", "--discovery-url", fake.Discovery.URL, "--out", out)
	if code != exitBadInput || !strings.Contains(stderr, "contoso-test: systemuserrolescollection: HTTP 403 Forbidden: the caller's security role lacks prvReadUser") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatal("a failed tenant export left --out")
	}
	if code, stdout, _ := runCLI(t, "validate", "--input", filepath.Join(out+".incomplete", "fetched", "environments", "contoso")); code != exitOK {
		t.Errorf("the complete environment of an incomplete tenant export: exit %d\n%s", code, stdout)
	}
	if code, _, _ := runCLI(t, "validate", "--input", out+".incomplete"); code != exitBadInput {
		t.Errorf("validate over the incomplete tenant folder: exit %d", code)
	}
}
