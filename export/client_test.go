package export

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

type oneToken string

func (t oneToken) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: string(t)}, nil
}

func testClient(hc *http.Client) *client {
	return &client{http: hc, cred: oneToken("the-token"), retry: RetryPolicy{MaxAttempts: 1}.withDefaults(),
		userAgent: "test", logf: func(string, ...any) {}}
}

// recorder answers every request with 200 and remembers the Authorization
// header each one carried.
type recorder struct {
	mu   sync.Mutex
	auth []string
}

func (r *recorder) handler(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.auth = append(r.auth, req.Header.Get("Authorization"))
	r.mu.Unlock()
	io.WriteString(w, `{"value":[]}`)
}

// A redirect to another port of the same host is another origin: the
// token stays behind (net/http alone forwards it, comparing host names).
func TestRedirectToAnotherPortDropsTheToken(t *testing.T) {
	var other recorder
	target := httptest.NewServer(http.HandlerFunc(other.handler))
	defer target.Close()
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/elsewhere", http.StatusFound)
	}))
	defer redirector.Close()
	if _, err := testClient(redirector.Client()).get(context.Background(), redirector.URL+"/api", "scope", "t", nil); err != nil {
		t.Fatal(err)
	}
	if len(other.auth) != 1 || other.auth[0] != "" {
		t.Errorf("the other port received Authorization %q", other.auth)
	}
}

// A redirect within the origin keeps the token: the service moved the
// request, not the caller.
func TestRedirectWithinTheOriginKeepsTheToken(t *testing.T) {
	var rec recorder
	mux := http.NewServeMux()
	mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/new", http.StatusMovedPermanently) })
	mux.HandleFunc("/new", rec.handler)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	if _, err := testClient(srv.Client()).get(context.Background(), srv.URL+"/old", "scope", "t", nil); err != nil {
		t.Fatal(err)
	}
	if len(rec.auth) != 1 || rec.auth[0] != "Bearer the-token" {
		t.Errorf("the same origin received Authorization %q", rec.auth)
	}
}

// hops is a transport that answers from a table of URLs, no network: a
// redirect from https to http on the same host and port, or to a
// subdomain, cannot be served by two test servers.
type hops struct {
	redirect map[string]string // URL -> Location
	recorder
}

func (h *hops) RoundTrip(req *http.Request) (*http.Response, error) {
	if loc, ok := h.redirect[req.URL.String()]; ok {
		return &http.Response{StatusCode: http.StatusFound, Header: http.Header{"Location": {loc}},
			Body: io.NopCloser(strings.NewReader("")), Request: req}, nil
	}
	rec := httptest.NewRecorder()
	h.handler(rec, req)
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

func TestRedirectLeavingTheOriginDropsTheToken(t *testing.T) {
	for _, c := range []struct {
		from, to string
		keep     bool
	}{
		{"https://contoso.crm.dynamics.com/api", "http://contoso.crm.dynamics.com/api", false},
		{"https://contoso.crm.dynamics.com/api", "https://contoso.crm.dynamics.com:8443/api", false},
		{"https://contoso.crm.dynamics.com/api", "https://evil.contoso.crm.dynamics.com/api", false},
		{"https://contoso.crm.dynamics.com/api", "https://fabrikam.crm.dynamics.com/api", false},
		{"https://contoso.crm.dynamics.com/api", "https://contoso.crm.dynamics.com/other", true},
	} {
		h := &hops{redirect: map[string]string{c.from: c.to}}
		if _, err := testClient(&http.Client{Transport: h}).get(context.Background(), c.from, "scope", "t", nil); err != nil {
			t.Fatal(err)
		}
		want := ""
		if c.keep {
			want = "Bearer the-token"
		}
		if len(h.auth) != 1 || h.auth[0] != want {
			t.Errorf("%s -> %s: the target received Authorization %q, want %q", c.from, c.to, h.auth, want)
		}
	}
}

// The caller's client is not changed: it may serve others.
func TestRedirectRuleLeavesTheCallersClientAlone(t *testing.T) {
	hc := &http.Client{}
	testClient(hc).noTokenAcrossOrigins()
	if hc.CheckRedirect != nil {
		t.Error("the caller's CheckRedirect was set")
	}
}
