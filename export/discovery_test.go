package export

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

// pages answers each URL with its body.
type pages map[string]string

func (p pages) RoundTrip(req *http.Request) (*http.Response, error) {
	body, ok := p[req.URL.String()]
	status := http.StatusOK
	if !ok {
		status, body = http.StatusNotFound, `{"error":{"code":"NotFound","message":"no such page"}}`
	}
	return &http.Response{StatusCode: status, Body: io.NopCloser(strings.NewReader(body)), Header: http.Header{}, Request: req}, nil
}

const adminList = "https://api.bap.microsoft.com/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments?api-version=2020-10-01"

// An environment with Dataverse is exported under its URL name; one
// without, or whose database is not ready, is left out with the reason.
func TestAdminDiscoveryReadsLinkedDataverse(t *testing.T) {
	c := testClient(&http.Client{Transport: pages{adminList: `{"value":[
	  {"name":"Default-1","properties":{"displayName":"Contoso (default)","linkedEnvironmentMetadata":{"instanceUrl":"https://contoso.crm4.dynamics.com/","domainName":"contoso","instanceState":"Ready"}}},
	  {"name":"e2","properties":{"displayName":"Teams sales"}},
	  {"name":"e3","properties":{"displayName":"Old","linkedEnvironmentMetadata":{"instanceUrl":"https://old.crm4.dynamics.com/","domainName":"old","instanceState":"Disabled"}}}],
	  "nextLink":"https://api.bap.microsoft.com/page2"}`,
		"https://api.bap.microsoft.com/page2": `{"value":[{"name":"e4","properties":{"displayName":"Test","linkedEnvironmentMetadata":{"instanceUrl":"https://contoso-test.crm4.dynamics.com/","domainName":"Contoso-Test"}}}]}`,
	}})
	envs, skipped, err := discover(context.Background(), c, Discovery{API: DiscoveryAdmin})
	if err != nil {
		t.Fatal(err)
	}
	if len(envs) != 2 || envs[0] != (EnvironmentRef{Name: "contoso", URL: "https://contoso.crm4.dynamics.com", DisplayName: "Contoso (default)", ID: "Default-1"}) ||
		envs[1].Name != "contoso-test" {
		t.Errorf("environments: %+v", envs)
	}
	if len(skipped) != 2 || skipped[0].Reason != "its Dataverse database https://old.crm4.dynamics.com/ is Disabled, not Ready" || skipped[1].Reason != "no Dataverse database" {
		t.Errorf("skipped: %+v", skipped)
	}
}

// A next link to another origin would carry the discovery token there.
func TestDiscoveryRefusesANextLinkLeavingTheService(t *testing.T) {
	c := testClient(&http.Client{Transport: pages{adminList: `{"value":[],"nextLink":"https://api.bap.microsoft.com.evil.example/page2"}`}})
	_, _, err := discover(context.Background(), c, Discovery{API: DiscoveryAdmin})
	if err == nil || !strings.Contains(err.Error(), "leaves https://api.bap.microsoft.com: refused") {
		t.Errorf("got %v", err)
	}
}

func TestDiscoveryScopes(t *testing.T) {
	for _, c := range []struct {
		d    Discovery
		want string
	}{
		{Discovery{API: DiscoveryAdmin}, "https://service.powerapps.com//.default"},
		{Discovery{API: DiscoveryGlobal}, "https://globaldisco.crm.dynamics.com/.default"},
		{Discovery{API: DiscoveryAdmin, URL: "https://127.0.0.1:8443"}, "https://127.0.0.1:8443/.default"},
	} {
		if got := c.d.Scope(); got != c.want {
			t.Errorf("%+v: scope %s, want %s", c.d, got, c.want)
		}
	}
}
