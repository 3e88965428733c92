package export_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/d365audit/d365audit/export"
	"github.com/d365audit/d365audit/export/fakeapi"
)

// newTenant is the harness with two more environments (contoso-dev,
// contoso-test; the first is contoso), one environment without Dataverse,
// and a tenant export discovering them through the admin API.
func newTenant(t *testing.T) (*harness, export.TenantOptions) {
	t.Helper()
	h := newHarness(t)
	for _, name := range []string{"contoso-test", "contoso-dev"} {
		if _, err := h.fake.AddEnvironment(name, samples); err != nil {
			t.Fatal(err)
		}
	}
	h.fake.WithoutDataverse = []string{"Sales team (Teams)"}
	opts := export.TenantOptions{Options: h.opts,
		Discovery: &export.Discovery{API: export.DiscoveryAdmin, URL: h.fake.Discovery.URL}}
	opts.Out = filepath.Join(t.TempDir(), "tenant")
	return h, opts
}

func runTenant(t *testing.T, opts export.TenantOptions) (*export.TenantManifest, error) {
	t.Helper()
	m, err := export.RunTenant(context.Background(), opts)
	opts.Progress.Close()
	return m, err
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// Every environment discovered (two pages of the admin API's list), each
// exported as today without graph/, graph/ once at the top, tenant.json
// saying all of it is complete; the environment without Dataverse left out.
func TestTenantExportDiscoversAndExportsEveryEnvironment(t *testing.T) {
	h, opts := newTenant(t)
	m, err := runTenant(t, opts)
	if err != nil {
		t.Fatalf("tenant export: %v\nlog:\n%s", err, h.log)
	}
	if !m.Complete || len(m.Environments) != 3 || m.Graph == nil || !m.Graph.Complete {
		t.Fatalf("manifest: %+v", m)
	}
	for i, want := range []string{"contoso", "contoso-dev", "contoso-test"} {
		e := m.Environments[i]
		if e.Name != want || !e.Complete || e.Path != "environments/"+want || e.URL != h.fake.Environments[map[string]int{"contoso": 0, "contoso-test": 1, "contoso-dev": 2}[want]].URL() {
			t.Errorf("environment %d: %+v, want %s", i, e, want)
		}
		dir := filepath.Join(opts.Out, "environments", want)
		em, err := export.ReadManifest(dir)
		if err != nil || !em.Complete || em.GraphURL != "" {
			t.Errorf("%s: manifest %+v, %v", dir, em, err)
		}
		if !exists(filepath.Join(dir, "roleprivilegescollection.36.json")) || exists(filepath.Join(dir, "graph")) {
			t.Errorf("%s: not an export without graph/", dir)
		}
	}
	for _, f := range []string{"tenant.json", "graph/subscribedSkus.json", "graph/users.json", "graph/users.2.json", "graph/export-manifest.json"} {
		if !exists(filepath.Join(opts.Out, f)) {
			t.Errorf("tenant folder lacks %s", f)
		}
	}
	if gm, err := export.ReadManifest(filepath.Join(opts.Out, "graph")); err != nil || !gm.Complete || len(gm.Tables) != 2 || gm.Files[0].Path != "subscribedSkus.json" {
		t.Errorf("graph/export-manifest.json: %+v %v", gm, err)
	}
	if len(m.Skipped) != 1 || m.Skipped[0].DisplayName != "Sales team (Teams)" || m.Skipped[0].Reason != "no Dataverse database" {
		t.Errorf("skipped: %+v", m.Skipped)
	}
	onDisk, err := export.ReadTenantManifest(opts.Out)
	if err != nil || !onDisk.Complete || len(onDisk.Environments) != 3 || onDisk.Discovery.API != export.DiscoveryAdmin {
		t.Errorf("tenant.json: %+v %v", onDisk, err)
	}
	// Graph once; each environment with its own token; the list in two pages.
	count := map[string]int{}
	for _, r := range h.fake.Requests() {
		count[r.Service+"/"+r.Environment+"/"+r.Table]++
		if r.Status == http.StatusUnauthorized {
			t.Errorf("refused request: %+v", r)
		}
	}
	if count["graph//subscribedSkus"] != 1 || count["discovery//environments"] != 2 {
		t.Errorf("requests: %v", count)
	}
	for _, name := range []string{"contoso", "contoso-dev", "contoso-test"} {
		if count["dataverse/"+name+"/businessunits"] != 1 {
			t.Errorf("%s: businessunits asked %d times", name, count["dataverse/"+name+"/businessunits"])
		}
	}

	// A second run needs --force, and then replaces it.
	if _, err := runTenant(t, opts); !isUsage(err) || !strings.Contains(err.Error(), "pass --force") {
		t.Errorf("second run without force: %v", err)
	}
	opts.Force = true
	if m, err := runTenant(t, opts); err != nil || !m.Complete {
		t.Errorf("second run with force: %v", err)
	}
}

func isUsage(err error) bool {
	var ue *export.UsageError
	return errors.As(err, &ue)
}

// One environment refused: it is incomplete, and so is the whole; the
// others are exported completely all the same, and nothing is at --out.
func TestTenantExportWithAFailedEnvironmentIsIncomplete(t *testing.T) {
	h, opts := newTenant(t)
	h.fake.Environments[1].Fail("systemuserrolescollection", fakeapi.Fault{Page: 1, Status: http.StatusForbidden,
		Message: "Principal user is missing prvReadUser privilege on OTC=8 for entity 'systemuser'."})
	m, err := runTenant(t, opts)
	var te *export.TenantIncompleteError
	if !errors.As(err, &te) {
		t.Fatalf("want a TenantIncompleteError, got %v", err)
	}
	var re *export.RefusedError
	if !errors.As(err, &re) || re.Table.Name != "systemuserrolescollection" {
		t.Errorf("the refusal is not found in %v", err)
	}
	if !strings.Contains(err.Error(), "contoso-test: systemuserrolescollection: HTTP 403 Forbidden") || te.Dir != opts.Out+".incomplete" {
		t.Errorf("error: %v", err)
	}
	if exists(opts.Out) {
		t.Fatal("a failed tenant export left --out")
	}
	inc := opts.Out + ".incomplete"
	for _, f := range []string{"EXPORT-INCOMPLETE.txt", "tenant.json", "fetched/graph/users.json",
		"fetched/environments/contoso/businessunits.json", "fetched/environments/contoso-dev/businessunits.json",
		"fetched/environments/contoso-test.incomplete/EXPORT-INCOMPLETE.txt"} {
		if !exists(filepath.Join(inc, f)) {
			t.Errorf("%s lacks %s", inc, f)
		}
	}
	for _, f := range []string{"environments", "graph", "fetched/environments/contoso-test"} {
		if exists(filepath.Join(inc, f)) {
			t.Errorf("%s has %s, which would read as complete", inc, f)
		}
	}
	onDisk, err := export.ReadTenantManifest(inc)
	if err != nil || onDisk.Complete {
		t.Fatalf("tenant.json: %+v %v", onDisk, err)
	}
	want := map[string]struct {
		complete bool
		path     string
	}{
		"contoso":      {true, "fetched/environments/contoso"},
		"contoso-dev":  {true, "fetched/environments/contoso-dev"},
		"contoso-test": {false, "fetched/environments/contoso-test.incomplete"},
	}
	for _, e := range onDisk.Environments {
		w := want[e.Name]
		if e.Complete != w.complete || e.Path != w.path || (!e.Complete) != strings.Contains(e.Error, "prvReadUser") {
			t.Errorf("%s: %+v, want complete=%v at %s", e.Name, e.PartResult, w.complete, w.path)
		}
		em, err := export.ReadManifest(filepath.Join(inc, e.Path))
		if err != nil || em.Complete != w.complete {
			t.Errorf("%s: its own manifest: %+v %v", e.Path, em, err)
		}
	}
	if !onDisk.Graph.Complete || onDisk.Graph.Path != "fetched/graph" || len(m.Environments) != 3 {
		t.Errorf("graph: %+v", onDisk.Graph)
	}
	marker, _ := os.ReadFile(filepath.Join(inc, "EXPORT-INCOMPLETE.txt"))
	if !strings.Contains(string(marker), "THIS IS NOT A TENANT EXPORT") || !strings.Contains(string(marker), "contoso-test: systemuserrolescollection") {
		t.Errorf("marker:\n%s", marker)
	}

	// Fixed (a fresh fake), the next run writes the tenant folder beside the leftovers.
	h2, opts2 := newTenant(t)
	opts2.Out = opts.Out
	if m, err := runTenant(t, opts2); err != nil || !m.Complete || !exists(filepath.Join(opts.Out, "environments", "contoso-test")) {
		t.Errorf("after the fix: %v\n%s", err, h2.log)
	}
}

// A refused discovery says what the app needs, and writes nothing.
func TestTenantDiscoveryRefused(t *testing.T) {
	h, opts := newTenant(t)
	h.fake.Fail("environments", fakeapi.Fault{Page: 1, Status: http.StatusForbidden, Message: "The caller is not a management application."})
	_, err := runTenant(t, opts)
	var de *export.DiscoveryError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), "pac admin application register") {
		t.Errorf("want a DiscoveryError saying what to register, got %v", err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(opts.Out)); len(entries) != 0 {
		t.Errorf("a refused discovery wrote %v", entries)
	}
}

// scopeTokens is a person's tokens, by scope: the Global Discovery Service
// takes no app-only token, so its test cannot use the fake's app.
type scopeTokens map[string]string

func (s scopeTokens) GetToken(_ context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	tok, ok := s[strings.Join(o.Scopes, " ")]
	if !ok {
		return azcore.AccessToken{}, fmt.Errorf("no token for %v", o.Scopes)
	}
	return azcore.AccessToken{Token: tok}, nil
}

func TestTenantExportWithGlobalDiscovery(t *testing.T) {
	h, opts := newTenant(t)
	tokens := scopeTokens{h.fake.Discovery.URL + "/.default": h.fake.DiscoveryToken}
	for _, e := range h.fake.Environments {
		tokens[e.URL()+"/.default"] = e.Token
	}
	opts.Credential, opts.Graph = tokens, false
	opts.Discovery = &export.Discovery{API: export.DiscoveryGlobal, URL: h.fake.Discovery.URL}
	m, err := runTenant(t, opts)
	if err != nil {
		t.Fatalf("%v\n%s", err, h.log)
	}
	if len(m.Environments) != 3 || m.Environments[2].Name != "contoso-test" || m.Environments[2].DisplayName != "Fake contoso-test" || m.Graph != nil {
		t.Errorf("manifest: %+v", m)
	}
	if exists(filepath.Join(opts.Out, "graph")) {
		t.Error("graph/ without Graph")
	}
}

// --env given several times: named by the first label of the host, and two
// that would share a folder are refused before anything is asked.
func TestTenantEnvironmentNames(t *testing.T) {
	for _, c := range []struct{ url, urlName, want string }{
		{"https://Contoso-Test.crm4.dynamics.com", "", "contoso-test"},
		{"https://contoso.crm.dynamics.com", "Contoso", "contoso"},
		{"http://127.0.0.1:8080", "", "127-0-0-1-8080"},
		{"https://x.crm.dynamics.com", "a/b", ""},
	} {
		got, err := export.EnvironmentName(c.url, c.urlName)
		if got != c.want || (err != nil) != (c.want == "") {
			t.Errorf("EnvironmentName(%s, %q) = %q, %v; want %q", c.url, c.urlName, got, err, c.want)
		}
	}
	h := newHarness(t)
	out := filepath.Join(t.TempDir(), "tenant")
	for _, c := range []struct {
		envs []string
		want string
	}{
		{[]string{"https://contoso.crm4.dynamics.com", "https://contoso.crm.dynamics.com"},
			"environments https://contoso.crm4.dynamics.com and https://contoso.crm.dynamics.com would both be written to environments/contoso"},
		{[]string{"https://contoso.crm4.dynamics.com", "https://CONTOSO.crm4.dynamics.com/"}, "given twice"},
		{[]string{"https://contoso.crm4.dynamics.com", "http://fabrikam.crm4.dynamics.com"}, "must be https"},
	} {
		opts := export.TenantOptions{Options: h.opts, Environments: c.envs}
		opts.Out = out
		_, err := export.RunTenant(context.Background(), opts)
		if !isUsage(err) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.envs, err, c.want)
		}
	}
	if exists(out) || len(h.fake.Requests()) != 0 {
		t.Errorf("a refused tenant export did something: %v", h.fake.Requests())
	}
}
