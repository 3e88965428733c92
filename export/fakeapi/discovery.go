package fakeapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// The discovery APIs the fake serves, at the paths of the real ones.
const (
	adminEnvironmentsPath = "/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments"
	instancesPath         = "/api/discovery/v2.0/Instances"
)

// DiscoveryPageSize is how many environments a page of the admin API's
// list holds, so that a test of three environments sees its next link.
const DiscoveryPageSize = 2

// serveDiscovery answers the Power Platform admin API's environment list
// (each environment and, when it has one, its Dataverse database under
// properties.linkedEnvironmentMetadata) and the Global Discovery Service's
// Instances (Dataverse databases only). Both take DiscoveryToken.
func (s *Server) serveDiscovery(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case adminEnvironmentsPath:
		s.serveAdminEnvironments(w, r)
	case instancesPath:
		req := Request{Service: "discovery", Table: "Instances", Page: 1}
		if !s.authorized(w, r, s.DiscoveryToken, req) {
			return
		}
		var value []map[string]any
		for i, e := range s.environments() {
			value = append(value, map[string]any{
				"Id": guid(i + 1), "EnvironmentId": guid(100 + i + 1), "UniqueName": "unq" + strconv.Itoa(i+1) + "f00d",
				"UrlName": e.Name, "FriendlyName": "Fake " + e.Name, "State": 0, "Version": "9.2.24101.00190",
				"Url": e.Server.URL, "ApiUrl": e.Server.URL, "Region": "EMEA",
			})
		}
		s.serve(w, req, s.fault(s.faults, req.Table, 1), func() []byte {
			b, _ := json.Marshal(map[string]any{"@odata.context": s.Discovery.URL + "/api/discovery/v2.0/$metadata#Instances", "value": value})
			return b
		})
	default:
		req := Request{Service: "discovery", Table: r.URL.Path, Status: http.StatusNotFound}
		s.record(req)
		answer(w, http.StatusNotFound, "NotFound", "fakeapi: no discovery API at "+r.URL.Path)
	}
}

func (s *Server) serveAdminEnvironments(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page := 1
	if p, err := strconv.Atoi(q.Get("page")); err == nil && p > 0 {
		page = p
	}
	req := Request{Service: "discovery", Table: "environments", Page: page}
	if !s.authorized(w, r, s.DiscoveryToken, req) {
		return
	}
	if q.Get("api-version") != "2020-10-01" {
		req.Status = http.StatusBadRequest
		s.record(req)
		answer(w, http.StatusBadRequest, "InvalidApiVersion", "fakeapi: api-version=2020-10-01 expected")
		return
	}
	var all []map[string]any
	for i, e := range s.environments() {
		props := map[string]any{"displayName": "Fake " + e.Name, "environmentSku": "Production",
			"linkedEnvironmentMetadata": map[string]any{"type": "Dynamics365Instance", "resourceId": guid(i + 1),
				"friendlyName": "Fake " + e.Name, "uniqueName": "unq" + strconv.Itoa(i+1) + "f00d", "domainName": e.Name,
				"version": "9.2.24101.00190", "instanceUrl": e.Server.URL + "/", "instanceApiUrl": e.Server.URL + "/api/data/v9.2",
				"instanceState": "Ready"}}
		all = append(all, adminEnvironment(guid(100+i+1), props))
	}
	for i, name := range s.WithoutDataverse {
		all = append(all, adminEnvironment(guid(200+i+1), map[string]any{"displayName": name, "environmentSku": "Teams"}))
	}
	from, to := pageRange(page, DiscoveryPageSize, len(all))
	body := map[string]any{"value": all[from:to]}
	if to < len(all) {
		q.Set("page", strconv.Itoa(page+1))
		body["nextLink"] = s.Discovery.URL + adminEnvironmentsPath + "?" + q.Encode()
	}
	s.serve(w, req, s.fault(s.faults, req.Table, page), func() []byte {
		b, _ := json.Marshal(body)
		return b
	})
}

func adminEnvironment(id string, props map[string]any) map[string]any {
	return map[string]any{"id": adminEnvironmentsPath + "/" + id, "type": "Microsoft.BusinessAppPlatform/scopes/environments",
		"location": "europe", "name": id, "properties": props}
}

func (s *Server) environments() []*Environment {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Environment(nil), s.Environments...)
}

func guid(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }
