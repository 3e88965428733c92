package export

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// Environment discovery: which Dataverse environments a tenant has.
//
// Three Microsoft APIs list them; what decides is the identity that asks.
//
//   - The Power Platform admin API (BAP),
//     GET https://api.bap.microsoft.com/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments?api-version=2020-10-01,
//     token audience https://service.powerapps.com/. It lists every
//     environment of the tenant, and for one with a Dataverse database its
//     URL, URL name and state under properties.linkedEnvironmentMetadata.
//     An app registration (client secret or certificate) may call it once
//     a Power Platform administrator has registered the app as a management
//     application (pac admin application register, or
//     New-PowerAppManagementApp); a person needs the Power Platform
//     administrator role. This is the default: it is the one a scheduled,
//     app-only run can use, and it sees every environment, not just those
//     the caller is a user of.
//   - The Dataverse Global Discovery Service,
//     GET https://globaldisco.crm.dynamics.com/api/discovery/v2.0/Instances,
//     audience https://globaldisco.crm.dynamics.com. It lists the Dataverse
//     environments the signed-in person is a user of. It refuses app-only
//     (service principal) tokens, so it serves --auth device-code and
//     azure-cli only, and lists no environment the person cannot read.
//   - The Power Platform API,
//     https://api.powerplatform.com/environmentmanagement/environments?api-version=2022-03-01-preview,
//     audience https://api.powerplatform.com, accepts the same management
//     applications as the admin API, but only in a preview API version;
//     the admin API, with the same registration, documents what this
//     export needs of each environment (the Dataverse URL, URL name and
//     state, under linkedEnvironmentMetadata). Not used.
//
// Environments without a Dataverse database (Teams environments without
// one, environments created without a database) are listed by the admin
// API but hold nothing to export: they are left out and reported.

// Discovery APIs.
const (
	DiscoveryAdmin  = "admin"  // the Power Platform admin API (BAP), the default
	DiscoveryGlobal = "global" // the Dataverse Global Discovery Service, people only
)

// DiscoveryAPIs lists the discovery APIs, for help texts and errors.
var DiscoveryAPIs = []string{DiscoveryAdmin, DiscoveryGlobal}

// Default service roots of the discovery APIs.
const (
	DefaultAdminURL           = "https://api.bap.microsoft.com"
	DefaultGlobalDiscoveryURL = "https://globaldisco.crm.dynamics.com"
)

// adminAudience is the token audience of the admin API at its default
// root: the API lives at api.bap.microsoft.com but its tokens are issued
// for the PowerApps service (the double slash is the resource's own
// trailing slash before /.default).
const adminAudienceScope = "https://service.powerapps.com//.default"

const (
	adminEnvironmentsPath = "/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments?api-version=2020-10-01"
	instancesPath         = "/api/discovery/v2.0/Instances"
)

// Discovery says how to list a tenant's environments.
type Discovery struct {
	API string `json:"api"` // DiscoveryAdmin or DiscoveryGlobal
	URL string `json:"url"` // the API's service root; "" is its default
}

// check validates the API and its root.
func (d *Discovery) check() error {
	switch d.API {
	case DiscoveryAdmin, DiscoveryGlobal:
	default:
		return usageErr("--discovery %q: expected one of %s", d.API, strings.Join(DiscoveryAPIs, ", "))
	}
	root, err := ServiceURL("--discovery-url", d.root())
	if err != nil {
		return err
	}
	d.URL = root
	return nil
}

func (d Discovery) root() string {
	switch {
	case d.URL != "":
		return d.URL
	case d.API == DiscoveryGlobal:
		return DefaultGlobalDiscoveryURL
	}
	return DefaultAdminURL
}

// Scope is the token scope the discovery API takes. Another root than the
// admin API's default (a national cloud, a test's fake) takes its own
// root's.
func (d Discovery) Scope() string {
	root := strings.TrimRight(d.root(), "/")
	if d.API == DiscoveryAdmin && root == DefaultAdminURL {
		return adminAudienceScope
	}
	return root + "/.default"
}

func (d Discovery) listURL() string {
	path := adminEnvironmentsPath
	if d.API == DiscoveryGlobal {
		path = instancesPath
	}
	return strings.TrimRight(d.root(), "/") + path
}

// EnvironmentRef is one environment of a tenant export.
type EnvironmentRef struct {
	Name        string // the folder name under environments/
	URL         string // the service root
	DisplayName string // as discovery has it; "" for --env
	ID          string // discovery's identifier; "" for --env
}

// SkippedEnvironment is an environment discovery listed that has nothing
// to export.
type SkippedEnvironment struct {
	ID          string `json:"id"`
	DisplayName string `json:"display_name"`
	Reason      string `json:"reason"`
}

// DiscoveryError is a discovery the service refused; its message says what
// the identity needs.
type DiscoveryError struct {
	API  string
	HTTP *HTTPError
}

func (e *DiscoveryError) Unwrap() error { return e.HTTP }

func (e *DiscoveryError) Error() string {
	msg := fmt.Sprintf("list the tenant's environments: HTTP %d %s", e.HTTP.Status, http.StatusText(e.HTTP.Status))
	switch {
	case e.API == DiscoveryAdmin && (e.HTTP.Status == http.StatusUnauthorized || e.HTTP.Status == http.StatusForbidden):
		msg += ": the Power Platform admin API lists environments for a Power Platform administrator, or for an app " +
			"registered as a management application (pac admin application register --application-id APP_ID, or " +
			"New-PowerAppManagementApp); or give the environments with --env"
	case e.API == DiscoveryGlobal && (e.HTTP.Status == http.StatusUnauthorized || e.HTTP.Status == http.StatusForbidden):
		msg += ": the Global Discovery Service takes a person's token only (--auth device-code or azure-cli); " +
			"an app registration uses --discovery admin"
	}
	if e.HTTP.Message != "" {
		msg += fmt.Sprintf(" (the service said: %s)", e.HTTP.Message)
	}
	return msg
}

// discover lists the tenant's environments with a Dataverse database, by
// name, and the ones left out.
func discover(ctx context.Context, c *client, d Discovery) ([]EnvironmentRef, []SkippedEnvironment, error) {
	var envs []EnvironmentRef
	var skipped []SkippedEnvironment
	root := d.root()
	next := d.listURL()
	seen := map[string]bool{}
	for page := 1; next != ""; page++ {
		if seen[next] {
			return nil, nil, fmt.Errorf("list the tenant's environments: page %d's next link came again (%s): stopped rather than loop", page-1, next)
		}
		seen[next] = true
		body, err := c.get(ctx, next, d.Scope(), "environments", nil)
		var he *HTTPError
		if errors.As(err, &he) && !retryable(he.Status) {
			return nil, nil, &DiscoveryError{API: d.API, HTTP: he}
		}
		if err != nil {
			return nil, nil, fmt.Errorf("list the tenant's environments: %w", err)
		}
		var link string
		if d.API == DiscoveryGlobal {
			link, err = readInstances(body, &envs)
		} else {
			link, err = readAdminEnvironments(body, &envs, &skipped)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("list the tenant's environments, page %d: %w", page, err)
		}
		if link != "" && !sameOrigin(link, root) {
			// The token is only ever sent to the service it was issued for.
			return nil, nil, fmt.Errorf("list the tenant's environments, page %d: the next link %s leaves %s: refused", page, link, root)
		}
		next = link
	}
	sort.Slice(envs, func(i, j int) bool { return envs[i].Name < envs[j].Name })
	sort.Slice(skipped, func(i, j int) bool { return skipped[i].DisplayName < skipped[j].DisplayName })
	return envs, skipped, nil
}

// readAdminEnvironments reads a page of the admin API's list.
func readAdminEnvironments(body []byte, envs *[]EnvironmentRef, skipped *[]SkippedEnvironment) (string, error) {
	var p struct {
		Value []struct {
			Name       string `json:"name"`
			Properties struct {
				DisplayName string `json:"displayName"`
				Linked      *struct {
					InstanceURL   string `json:"instanceUrl"`
					DomainName    string `json:"domainName"`
					InstanceState string `json:"instanceState"`
				} `json:"linkedEnvironmentMetadata"`
			} `json:"properties"`
		} `json:"value"`
		NextLink  string `json:"nextLink"`
		ODataNext string `json:"@odata.nextLink"`
	}
	if err := json.Unmarshal(body, &p); err != nil || p.Value == nil {
		return "", fmt.Errorf("not an environment list (no value array): %.200s", body)
	}
	for _, v := range p.Value {
		l := v.Properties.Linked
		switch {
		case l == nil || l.InstanceURL == "":
			*skipped = append(*skipped, SkippedEnvironment{ID: v.Name, DisplayName: v.Properties.DisplayName,
				Reason: "no Dataverse database"})
			continue
		case l.InstanceState != "" && !strings.EqualFold(l.InstanceState, "Ready"):
			*skipped = append(*skipped, SkippedEnvironment{ID: v.Name, DisplayName: v.Properties.DisplayName,
				Reason: fmt.Sprintf("its Dataverse database %s is %s, not Ready", l.InstanceURL, l.InstanceState)})
			continue
		}
		ref, err := environmentRef(l.InstanceURL, l.DomainName)
		if err != nil {
			return "", fmt.Errorf("environment %q (%s): %w", v.Properties.DisplayName, v.Name, err)
		}
		ref.DisplayName, ref.ID = v.Properties.DisplayName, v.Name
		*envs = append(*envs, ref)
	}
	if p.NextLink != "" {
		return p.NextLink, nil
	}
	return p.ODataNext, nil
}

// readInstances reads the Global Discovery Service's Instances. State 0 is
// enabled; a disabled instance is still listed, and exporting it fails
// clearly, which is what its owner needs to hear.
func readInstances(body []byte, envs *[]EnvironmentRef) (string, error) {
	var p struct {
		Value []struct {
			ID           string `json:"Id"`
			URL          string `json:"Url"`
			URLName      string `json:"UrlName"`
			FriendlyName string `json:"FriendlyName"`
		} `json:"value"`
		NextLink string `json:"@odata.nextLink"`
	}
	if err := json.Unmarshal(body, &p); err != nil || p.Value == nil {
		return "", fmt.Errorf("not an instance list (no value array): %.200s", body)
	}
	for _, v := range p.Value {
		ref, err := environmentRef(v.URL, v.URLName)
		if err != nil {
			return "", fmt.Errorf("instance %q (%s): %w", v.FriendlyName, v.ID, err)
		}
		ref.DisplayName, ref.ID = v.FriendlyName, v.ID
		*envs = append(*envs, ref)
	}
	return p.NextLink, nil
}

func environmentRef(rawURL, urlName string) (EnvironmentRef, error) {
	u, err := ServiceURL("environment URL", rawURL)
	if err != nil {
		return EnvironmentRef{}, err
	}
	name, err := EnvironmentName(u, urlName)
	if err != nil {
		return EnvironmentRef{}, err
	}
	return EnvironmentRef{Name: name, URL: u}, nil
}

// EnvironmentName is the folder name of an environment under
// environments/: its URL name when discovery gave one, else the first
// label of its host (https://contoso-test.crm4.dynamics.com is
// contoso-test), lower case. The two agree for every Dataverse URL, so an
// environment keeps its name whether it was given with --env or
// discovered. A loopback IP address (a test's fake service) has no label:
// its name is the address and port with dashes.
func EnvironmentName(serviceURL, urlName string) (string, error) {
	u, err := url.Parse(serviceURL)
	if err != nil {
		return "", fmt.Errorf("%s: %w", serviceURL, err)
	}
	name := strings.ToLower(strings.TrimSpace(urlName))
	if name == "" {
		host := u.Hostname()
		if ip := net.ParseIP(host); ip != nil {
			name = strings.NewReplacer(".", "-", ":", "-").Replace(ip.String())
			if p := u.Port(); p != "" {
				name += "-" + p
			}
		} else {
			name = strings.ToLower(strings.SplitN(host, ".", 2)[0])
		}
	}
	if !safeName(name) {
		return "", fmt.Errorf("%s: %q is no folder name (letters, digits, - and _ only)", serviceURL, name)
	}
	return name, nil
}

// safeName accepts the names a Dataverse URL name can be, which are also
// safe as a folder name everywhere.
func safeName(s string) bool {
	if s == "" || len(s) > 100 || s[0] == '-' || s[0] == '_' {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}
