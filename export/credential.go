package export

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// Authentication methods.
const (
	AuthSecret      = "secret"      // client secret of an app registration
	AuthCertificate = "certificate" // certificate of an app registration
	AuthDeviceCode  = "device-code" // a person signs in on another device
	AuthAzureCLI    = "azure-cli"   // whoever is logged in to az
	AuthToken       = "token"       // tokens obtained elsewhere
)

// AuthMethods lists the methods, for help texts and errors.
var AuthMethods = []string{AuthSecret, AuthCertificate, AuthDeviceCode, AuthAzureCLI, AuthToken}

// Auth is how the export gets its tokens. The secret fields are read from
// the environment or files by the caller and never written anywhere.
type Auth struct {
	Method   string
	TenantID string
	ClientID string

	ClientSecret        string // AuthSecret
	Certificate         []byte // AuthCertificate: PEM or PKCS#12
	CertificatePassword string
	DataverseToken      string // AuthToken
	GraphToken          string // AuthToken, with --graph

	// DeviceCodePrompt receives the device code sign-in instructions.
	DeviceCodePrompt io.Writer
	// ClientOptions reach Microsoft Entra ID: Cloud for national clouds,
	// Transport for proxies (and tests).
	ClientOptions azcore.ClientOptions
	// DisableInstanceDiscovery skips Entra ID's authority check, for
	// private clouds (and a test's token endpoint).
	DisableInstanceDiscovery bool
}

// Scopes are the token scopes an export asks for.
type Scopes struct {
	Dataverse string // {environment}/.default
	Graph     string // {graph}/.default; empty when Graph is not exported
}

// Credential builds the token source of a and says which identity it is,
// in words fit for a log and the manifest (no secret in them).
func (a Auth) Credential(scopes Scopes) (azcore.TokenCredential, string, error) {
	needApp := func() error {
		if a.TenantID == "" || a.ClientID == "" {
			return usageErr("--auth %s needs --tenant and --client-id (or AZURE_TENANT_ID and AZURE_CLIENT_ID)", a.Method)
		}
		return nil
	}
	var cred azcore.TokenCredential
	var who string
	var err error
	switch a.Method {
	case AuthSecret:
		if err := needApp(); err != nil {
			return nil, "", err
		}
		if a.ClientSecret == "" {
			return nil, "", usageErr("--auth secret needs the secret in AZURE_CLIENT_SECRET or a file named by --client-secret-file")
		}
		cred, err = azidentity.NewClientSecretCredential(a.TenantID, a.ClientID, a.ClientSecret,
			&azidentity.ClientSecretCredentialOptions{ClientOptions: a.ClientOptions, DisableInstanceDiscovery: a.DisableInstanceDiscovery})
		who = fmt.Sprintf("client secret of app %s in tenant %s", a.ClientID, a.TenantID)
	case AuthCertificate:
		if err := needApp(); err != nil {
			return nil, "", err
		}
		certs, key, perr := azidentity.ParseCertificates(a.Certificate, []byte(a.CertificatePassword))
		if perr != nil {
			return nil, "", usageErr("--certificate-file: %v (PEM with the private key, or PKCS#12 with its password in AZURE_CLIENT_CERTIFICATE_PASSWORD)", perr)
		}
		cred, err = azidentity.NewClientCertificateCredential(a.TenantID, a.ClientID, certs, key,
			&azidentity.ClientCertificateCredentialOptions{ClientOptions: a.ClientOptions, DisableInstanceDiscovery: a.DisableInstanceDiscovery})
		who = fmt.Sprintf("certificate %X of app %s in tenant %s", certs[0].SerialNumber, a.ClientID, a.TenantID)
	case AuthDeviceCode:
		prompt := a.DeviceCodePrompt
		if prompt == nil {
			prompt = io.Discard
		}
		cred, err = azidentity.NewDeviceCodeCredential(&azidentity.DeviceCodeCredentialOptions{
			TenantID: a.TenantID, ClientID: a.ClientID, ClientOptions: a.ClientOptions,
			DisableInstanceDiscovery: a.DisableInstanceDiscovery,
			UserPrompt: func(_ context.Context, m azidentity.DeviceCodeMessage) error {
				_, err := fmt.Fprintln(prompt, m.Message)
				return err
			},
		})
		who = "device code sign-in"
	case AuthAzureCLI:
		cred, err = azidentity.NewAzureCLICredential(&azidentity.AzureCLICredentialOptions{TenantID: a.TenantID})
		who = "Azure CLI login"
	case AuthToken:
		if a.DataverseToken == "" {
			return nil, "", usageErr("--auth token needs the Dataverse token in D365AUDIT_ACCESS_TOKEN or a file named by --access-token")
		}
		if scopes.Graph != "" && a.GraphToken == "" {
			return nil, "", usageErr("--auth token with --graph needs a Microsoft Graph token in D365AUDIT_GRAPH_ACCESS_TOKEN or a file named by --graph-access-token")
		}
		for _, tok := range []string{a.DataverseToken, a.GraphToken} {
			if exp, ok := tokenExpiry(tok); ok && !exp.After(time.Now()) {
				return nil, "", usageErr("an access token expired at %s: get a new one", exp.Format(time.RFC3339))
			}
		}
		tokens := map[string]string{scopes.Dataverse: a.DataverseToken}
		if a.GraphToken != "" {
			tokens[scopes.Graph] = a.GraphToken
		}
		return staticTokens(tokens), "access token given", nil
	default:
		return nil, "", usageErr("--auth %q: expected one of %s", a.Method, strings.Join(AuthMethods, ", "))
	}
	if err != nil {
		return nil, "", usageErr("%s: %v", a.Method, err)
	}
	if a.TenantID != "" && a.Method != AuthSecret && a.Method != AuthCertificate {
		who += " in tenant " + a.TenantID
	}
	return &cachedCredential{cred: cred, tokens: map[string]azcore.AccessToken{}}, who, nil
}

// staticTokens hands out tokens obtained elsewhere, by scope.
type staticTokens map[string]string

func (s staticTokens) GetToken(_ context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	tok, ok := s[strings.Join(o.Scopes, " ")]
	if !ok {
		return azcore.AccessToken{}, fmt.Errorf("no access token was given for %s", strings.Join(o.Scopes, " "))
	}
	exp, known := tokenExpiry(tok)
	if !known {
		exp = time.Now().Add(time.Hour)
	}
	return azcore.AccessToken{Token: tok, ExpiresOn: exp}, nil
}

// tokenExpiry reads the exp claim of a JWT, without checking its signature
// (the service does that): only to say early that a token has expired.
func tokenExpiry(tok string) (time.Time, bool) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return time.Time{}, false
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return time.Time{}, false
	}
	var claims struct {
		Exp int64 `json:"exp"`
	}
	if json.Unmarshal(b, &claims) != nil || claims.Exp == 0 {
		return time.Time{}, false
	}
	return time.Unix(claims.Exp, 0), true
}

// cachedCredential keeps each scope's token until five minutes before it
// expires. azidentity's app and device code credentials cache on their own;
// the Azure CLI credential runs az for every call, which would cost a
// process per page.
type cachedCredential struct {
	cred   azcore.TokenCredential
	mu     sync.Mutex
	tokens map[string]azcore.AccessToken
}

func (c *cachedCredential) GetToken(ctx context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	key := strings.Join(o.Scopes, " ")
	c.mu.Lock()
	defer c.mu.Unlock()
	if t, ok := c.tokens[key]; ok && time.Until(t.ExpiresOn) > 5*time.Minute {
		return t, nil
	}
	t, err := c.cred.GetToken(ctx, o)
	if err != nil {
		return t, err
	}
	c.tokens[key] = t
	return t, nil
}
