// Package fakeapi is a local stand-in for the services an export reads: a
// Dataverse environment's Web API (or several, each on its own port),
// Microsoft Graph, the Microsoft Entra ID token endpoint, and environment
// discovery (the Power Platform admin API's environment list and the
// Dataverse Global Discovery Service). It serves an export directory
// (samples/contoso) the way the documented protocol does: $select honoured
// (and required), Prefer: odata.maxpagesize, @odata.nextLink pages with a
// $skiptoken, bearer tokens checked per service, and faults a test plans
// (429 with Retry-After, 503, 403). Tests of the export and of its command
// use it.
package fakeapi

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/golang-jwt/jwt/v5"
)

// Server is the fake services, each on its own address like the real ones.
type Server struct {
	// Dataverse is the first environment's Web API (Environments[0]).
	Dataverse, Graph, Login *httptest.Server
	// Discovery serves the environment lists of both discovery APIs.
	Discovery *httptest.Server
	// Environments are the Dataverse environments, the first one from New,
	// the others from AddEnvironment.
	Environments []*Environment
	// WithoutDataverse are environments discovery lists with no Dataverse
	// database (display names): an export has nothing to read there.
	WithoutDataverse []string

	// PageSize is the most rows a page holds, whatever the client prefers.
	PageSize int
	// The tokens each service accepts; Login issues them to the app below.
	DataverseToken, GraphToken, DiscoveryToken string
	TenantID, ClientID                         string
	ClientSecret                               string
	// ClientCertificate, when set, is the app's certificate: Login also
	// accepts a client assertion signed with its key.
	ClientCertificate *x509.Certificate

	skus  []row
	users []row

	tls      bool
	mu       sync.Mutex
	faults   map[string][]*Fault // Graph's and the first environment's
	requests []Request
}

// Environment is one fake Dataverse environment.
type Environment struct {
	// Name is its URL name as discovery reports it (the ORG of
	// https://ORG.crm.dynamics.com).
	Name   string
	Server *httptest.Server
	// Token is the access token it accepts.
	Token string

	s          *Server
	tables     map[string][]row
	entityDefs []row
	faults     map[string][]*Fault
}

// URL is the environment's service root.
func (e *Environment) URL() string { return e.Server.URL }

// Fail plans a fault for one of the environment's tables (an entity set or
// "EntityDefinitions").
func (e *Environment) Fail(table string, f Fault) {
	e.s.mu.Lock()
	defer e.s.mu.Unlock()
	e.faults[table] = append(e.faults[table], &f)
}

// Fault is a planned failure of one table's page.
type Fault struct {
	Page       int    // the page it hits, 1 for the first
	Status     int    // the HTTP status sent
	Times      int    // how many requests it fails; 0 is every one
	RetryAfter string // the Retry-After header, if any
	Message    string // the error message of the body
}

// Request is one request the fake services received.
type Request struct {
	Service     string // "dataverse", "graph", "login" or "discovery"
	Environment string // the environment's Name, for "dataverse"
	Table       string // entity set, "EntityDefinitions", "subscribedSkus", "users", "environments", "Instances"
	Page        int
	Status      int
	Select      string
	Prefer      string
}

// New serves the export in dir as the environment "contoso". With tls the
// services speak https, as azidentity requires of a token endpoint; use
// Client for a client that trusts them.
func New(dir string, tls bool) (*Server, error) {
	s := &Server{PageSize: 25, DataverseToken: "fake-dataverse-token", GraphToken: "fake-graph-token",
		DiscoveryToken: "fake-discovery-token",
		TenantID:       "00000000-0000-4000-8000-00000000aaaa", ClientID: "00000000-0000-4000-8000-00000000bbbb",
		ClientSecret: "fake-client-secret-do-not-log", faults: map[string][]*Fault{}, tls: tls}
	env, err := s.newEnvironment("contoso", dir, s.DataverseToken, s.faults)
	if err != nil {
		return nil, err
	}
	if s.skus, err = readTable(dir+"/graph", "subscribedSkus"); err != nil {
		return nil, err
	}
	if s.users, err = readTable(dir+"/graph", "users"); err != nil {
		return nil, err
	}
	s.Dataverse = env.Server
	s.Graph = s.start(s.serveGraph)
	s.Login = s.start(s.serveLogin)
	s.Discovery = s.start(s.serveDiscovery)
	return s, nil
}

// AddEnvironment serves the export in dir as one more environment, on its
// own port, with its own token. name is its URL name (lower case).
func (s *Server) AddEnvironment(name, dir string) (*Environment, error) {
	return s.newEnvironment(name, dir, "fake-dataverse-token-"+name, map[string][]*Fault{})
}

func (s *Server) newEnvironment(name, dir, token string, faults map[string][]*Fault) (*Environment, error) {
	e := &Environment{Name: name, Token: token, s: s, tables: map[string][]row{}, faults: faults}
	for _, set := range entitySets {
		rows, err := readTable(dir, set)
		if err != nil {
			return nil, err
		}
		e.tables[set] = rows
	}
	codes, err := readTable(dir, "privilegeobjecttypecodes")
	if err != nil {
		return nil, err
	}
	e.entityDefs = entityDefinitions(codes, e.tables["privileges"])
	e.Server = s.start(e.serve)
	s.mu.Lock()
	s.Environments = append(s.Environments, e)
	s.mu.Unlock()
	return e, nil
}

func (s *Server) start(h http.HandlerFunc) *httptest.Server {
	srv := httptest.NewUnstartedServer(h)
	// Connections a test abandons are not the test's news.
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	if s.tls {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	return srv
}

// Close stops the services.
func (s *Server) Close() {
	for _, e := range s.Environments {
		e.Server.Close()
	}
	s.Graph.Close()
	s.Login.Close()
	s.Discovery.Close()
}

// Client trusts the services' certificates (all httptest servers share one).
func (s *Server) Client() *http.Client { return s.Dataverse.Client() }

// Fail plans a fault for a table (an entity set, "EntityDefinitions",
// "subscribedSkus" or "users").
func (s *Server) Fail(table string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[table] = append(s.faults[table], &f)
}

// Requests is every request received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Rows is the number of rows the fake holds for a table.
func (s *Server) Rows(table string) int {
	switch table {
	case "subscribedSkus":
		return len(s.skus)
	case "users":
		return len(s.users)
	}
	return len(s.Environments[0].tables[table])
}

func (s *Server) record(r Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r)
}

// fault returns the planned fault for this request, using it up.
func (s *Server) fault(faults map[string][]*Fault, table string, page int) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range faults[table] {
		if f.Page != page {
			continue
		}
		if f.Times == 0 {
			return f
		}
		if f.Times > 0 {
			f.Times--
			if f.Times == 0 {
				f.Times = -1 // used up
			}
			return f
		}
	}
	return nil
}

// answer sends an error the way both services do: {"error": {code, message}}.
func answer(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json; odata.metadata=minimal")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": message}})
}

// serve sends one page of rows (or a planned fault) and records the request.
func (s *Server) serve(w http.ResponseWriter, req Request, f *Fault, body func() []byte) {
	if f != nil {
		req.Status = f.Status
		s.record(req)
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		msg := f.Message
		if msg == "" {
			msg = http.StatusText(f.Status)
		}
		answer(w, f.Status, "0x80072321", msg)
		return
	}
	req.Status = http.StatusOK
	s.record(req)
	w.Header().Set("Content-Type", "application/json; odata.metadata=minimal")
	w.Write(body())
}

func (s *Server) authorized(w http.ResponseWriter, r *http.Request, token string, req Request) bool {
	if r.Header.Get("Authorization") == "Bearer "+token {
		return true
	}
	req.Status = http.StatusUnauthorized
	s.record(req)
	w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	answer(w, http.StatusUnauthorized, "InvalidAuthenticationToken", "The access token is missing, invalid or for another audience.")
	return false
}

var pageCookie = regexp.MustCompile(`pagenumber="([0-9]+)"`)

func (e *Environment) serve(w http.ResponseWriter, r *http.Request) {
	const api = "/api/data/v9.2/"
	s := e.s
	set := strings.TrimPrefix(r.URL.Path, api)
	q := r.URL.Query()
	page := 1
	if m := pageCookie.FindStringSubmatch(q.Get("$skiptoken")); m != nil {
		page, _ = strconv.Atoi(m[1])
	}
	req := Request{Service: "dataverse", Environment: e.Name, Table: set, Page: page, Select: q.Get("$select"), Prefer: r.Header.Get("Prefer")}
	if !strings.HasPrefix(r.URL.Path, api) || !s.authorized(w, r, e.Token, req) {
		return
	}
	sel := strings.Split(req.Select, ",")
	if set == "EntityDefinitions" {
		// Metadata is not paged.
		s.serve(w, req, s.fault(e.faults, set, page), func() []byte {
			return s.collection(e.Server.URL+api+"$metadata#EntityDefinitions", e.entityDefs, sel, true, "")
		})
		return
	}
	rows, ok := e.tables[set]
	if !ok {
		req.Status = http.StatusNotFound
		s.record(req)
		answer(w, http.StatusNotFound, "0x8006088a", fmt.Sprintf("Resource not found for the segment '%s'.", set))
		return
	}
	if req.Select == "" {
		req.Status = http.StatusBadRequest
		s.record(req)
		answer(w, http.StatusBadRequest, "0x80060888", "fakeapi: every query must $select its columns")
		return
	}
	size := s.PageSize
	if n, err := strconv.Atoi(strings.TrimPrefix(req.Prefer, "odata.maxpagesize=")); err == nil && n < size {
		size = n
	}
	from, to := pageRange(page, size, len(rows))
	next := ""
	if to < len(rows) {
		q.Set("$skiptoken", fmt.Sprintf(`<cookie pagenumber="%d" istracking="False" />`, page+1))
		next = e.Server.URL + api + set + "?" + q.Encode()
	}
	s.serve(w, req, s.fault(e.faults, set, page), func() []byte {
		return s.collection(e.Server.URL+api+"$metadata#"+set+"("+req.Select+")", rows[from:to], sel, true, next)
	})
}

func pageRange(page, size, n int) (from, to int) {
	from = min((page-1)*size, n)
	return from, min(from+size, n)
}

// collection is a Web API collection body.
func (s *Server) collection(context string, rows []row, sel []string, nulls bool, next string) []byte {
	var b bytes.Buffer
	ctx, _ := json.Marshal(context)
	fmt.Fprintf(&b, `{"@odata.context":%s,"value":[`, ctx)
	for i, r := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(selected(r, sel, nulls))
	}
	b.WriteByte(']')
	if next != "" {
		link, _ := json.Marshal(next)
		fmt.Fprintf(&b, `,"@odata.nextLink":%s`, link)
	}
	b.WriteString("}")
	return b.Bytes()
}

func (s *Server) serveGraph(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/v1.0/")
	q := r.URL.Query()
	page := 1
	offset := 0
	if tok, err := base64.RawURLEncoding.DecodeString(q.Get("$skiptoken")); err == nil && len(tok) > 0 {
		fmt.Sscanf(string(tok), "page=%d offset=%d", &page, &offset)
	}
	req := Request{Service: "graph", Table: name, Page: page, Select: q.Get("$select")}
	if !s.authorized(w, r, s.GraphToken, req) {
		return
	}
	ctx := s.Graph.URL + "/v1.0/$metadata#" + name
	switch name {
	case "subscribedSkus":
		s.serve(w, req, s.fault(s.faults, name, page), func() []byte { return s.collection(ctx, s.skus, nil, false, "") })
	case "users":
		size := s.PageSize
		if top, err := strconv.Atoi(q.Get("$top")); err == nil && top < size {
			size = top
		}
		sel := strings.Split(req.Select, ",")
		if req.Select == "" {
			sel = []string{"id", "displayName", "userPrincipalName"}
		}
		to := min(offset+size, len(s.users))
		next := ""
		if to < len(s.users) {
			q.Set("$skiptoken", base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "page=%d offset=%d", page+1, to)))
			next = s.Graph.URL + "/v1.0/users?" + q.Encode()
		}
		s.serve(w, req, s.fault(s.faults, name, page), func() []byte { return s.collection(ctx+"("+req.Select+")", s.users[offset:to], sel, false, next) })
	default:
		req.Status = http.StatusNotFound
		s.record(req)
		answer(w, http.StatusNotFound, "Request_ResourceNotFound", "Resource '"+name+"' does not exist.")
	}
}

// serveLogin is the Microsoft Entra ID v2.0 endpoint for one tenant: its
// OpenID configuration and the client-credentials token grant.
func (s *Server) serveLogin(w http.ResponseWriter, r *http.Request) {
	base := s.Login.URL + "/" + s.TenantID
	switch r.URL.Path {
	case "/" + s.TenantID + "/v2.0/.well-known/openid-configuration":
		s.record(Request{Service: "login", Table: "openid-configuration", Status: http.StatusOK})
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{
			"token_endpoint":                base + "/oauth2/v2.0/token",
			"authorization_endpoint":        base + "/oauth2/v2.0/authorize",
			"device_authorization_endpoint": base + "/oauth2/v2.0/devicecode",
			"issuer":                        base + "/v2.0",
		})
	case "/" + s.TenantID + "/oauth2/v2.0/token":
		r.ParseForm()
		req := Request{Service: "login", Table: "token", Select: r.Form.Get("scope")}
		tokens := map[string]string{s.Graph.URL + "/.default": s.GraphToken, s.Discovery.URL + "/.default": s.DiscoveryToken}
		s.mu.Lock()
		for _, e := range s.Environments {
			tokens[e.Server.URL+"/.default"] = e.Token
		}
		s.mu.Unlock()
		var tok string
		known := false
		for _, scope := range strings.Fields(r.Form.Get("scope")) { // MSAL adds openid, profile, offline_access
			if t, ok := tokens[scope]; ok {
				tok, known = t, true
			}
		}
		switch {
		case r.Form.Get("grant_type") != "client_credentials" || r.Form.Get("client_id") != s.ClientID ||
			(r.Form.Get("client_secret") != s.ClientSecret && !s.validAssertion(r.Form, base+"/oauth2/v2.0/token")):
			req.Status = http.StatusUnauthorized
			s.record(req)
			loginError(w, http.StatusUnauthorized, "invalid_client", "AADSTS7000215: Invalid client secret provided.")
		case !known:
			req.Status = http.StatusBadRequest
			s.record(req)
			loginError(w, http.StatusBadRequest, "invalid_scope", "AADSTS70011: The provided value for scope is not valid.")
		default:
			req.Status = http.StatusOK
			s.record(req)
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]any{"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": tok})
		}
	default:
		http.NotFound(w, r)
	}
}

func loginError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": code, "error_description": desc})
}

// validAssertion checks a certificate credential's client assertion: a JWT
// for this app and token endpoint, signed with the key of ClientCertificate.
func (s *Server) validAssertion(form url.Values, endpoint string) bool {
	if s.ClientCertificate == nil || form.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
		return false
	}
	claims := jwt.RegisteredClaims{}
	_, err := jwt.ParseWithClaims(form.Get("client_assertion"), &claims,
		func(*jwt.Token) (any, error) { return s.ClientCertificate.PublicKey, nil },
		jwt.WithValidMethods([]string{"RS256", "PS256"}), jwt.WithAudience(endpoint), jwt.WithIssuer(s.ClientID))
	return err == nil
}
