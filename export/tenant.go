package export

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// A tenant export is one folder for several environments of a tenant:
//
//	OUT/tenant.json                  the tenant manifest (TenantManifest)
//	OUT/graph/                       with Graph: subscribedSkus.json, users.json
//	                                 (and their pages), export-manifest.json
//	OUT/environments/NAME/           one export per environment, as INPUT.md
//	                                 describes it, without graph/
//
// Each part is written the way one export is (outdir.go): into a staging
// directory, moved into place only when complete. The tenant folder itself
// follows the same rule one level up: OUT.partial-XXXX is renamed to OUT
// only when graph/ and every environment are complete. Otherwise
// OUT.incomplete holds EXPORT-INCOMPLETE.txt and tenant.json (complete:
// false, each environment's outcome) at its top and everything else under
// fetched/: the environments that were exported completely
// (fetched/environments/NAME, each a valid export on its own), and the
// failed ones as fetched/environments/NAME.incomplete. Nothing at its top
// level is graph/ or environments/, so nothing reads it as a tenant export.
//
// An environment that fails does not stop the others: a tenant export is
// long, and the report of every environment's problem at once saves a
// round per problem.

// TenantManifestFile is the tenant manifest at the top of a tenant export.
const TenantManifestFile = "tenant.json"

// EnvironmentsDir and GraphDir are the tenant folder's parts.
const (
	EnvironmentsDir = "environments"
	GraphDir        = "graph"
)

// TenantOptions are the inputs of a tenant export.
type TenantOptions struct {
	// Options is what every part is exported with; Environment is not
	// used, Out is the tenant folder, Force replaces a previous tenant
	// export there, Graph exports graph/ once.
	Options
	// Environments are the environment URLs (--env). With Discovery set
	// they must be empty: the environments are discovered.
	Environments []string
	Discovery    *Discovery
}

// TenantManifest says what a tenant export holds: which environments,
// where, and whether each part and the whole are complete.
type TenantManifest struct {
	Tool        string     `json:"tool"`
	ToolVersion string     `json:"tool_version"`
	Complete    bool       `json:"complete"`
	Tenant      string     `json:"tenant,omitempty"`
	Auth        string     `json:"auth"`
	Discovery   *Discovery `json:"discovery,omitempty"`
	StartedAt   time.Time  `json:"started_at"`
	FinishedAt  time.Time  `json:"finished_at"`
	Error       string     `json:"error,omitempty"`
	// Graph is graph/, exported from GraphURL, when Graph was exported.
	GraphURL     string               `json:"graph_url,omitempty"`
	Graph        *PartResult          `json:"graph,omitempty"`
	Environments []EnvironmentResult  `json:"environments"`
	Skipped      []SkippedEnvironment `json:"skipped_environments,omitempty"`
}

// PartResult is the outcome of one part of a tenant export.
type PartResult struct {
	// Path is where the part is, relative to the folder holding
	// tenant.json, with /.
	Path     string `json:"path"`
	Complete bool   `json:"complete"`
	// Status is exported, failed or not started.
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
	Files  int    `json:"files"`
	Rows   int64  `json:"rows"`
	// SkippedTables are the optional tables left out, with the reason.
	SkippedTables []string `json:"skipped_tables,omitempty"`
}

// EnvironmentResult is one environment's outcome.
type EnvironmentResult struct {
	Name        string `json:"name"`
	URL         string `json:"url"`
	DisplayName string `json:"display_name,omitempty"`
	ID          string `json:"id,omitempty"`
	PartResult
}

// TenantIncompleteError is a tenant export of which a part failed. Nothing
// was written at the output directory; Dir holds what was exported.
type TenantIncompleteError struct {
	Dir string
	// Failed are the failed parts' errors ("graph" or an environment's
	// name, then the error), in the manifest's order.
	Failed []PartError
}

// PartError is the failure of one part of a tenant export.
type PartError struct {
	Part string
	Err  error
}

// Unwrap gives every part's error, so errors.As finds a refusal in any.
func (e *TenantIncompleteError) Unwrap() []error {
	errs := make([]error, len(e.Failed))
	for i, f := range e.Failed {
		errs[i] = f.Err
	}
	return errs
}

func (e *TenantIncompleteError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "tenant export failed: %d %s failed:", len(e.Failed), plural(len(e.Failed), "part", "parts"))
	for _, f := range e.Failed {
		fmt.Fprintf(&b, "\n  %s: %s", f.Part, strings.ReplaceAll(f.Err.Error(), "\n", "\n    "))
	}
	fmt.Fprintf(&b, "\nnothing was written to the output directory; what was exported is in %s (marked incomplete: not a tenant export; "+
		"the environments exported completely are under fetched/environments/ and can be audited one by one)", e.Dir)
	return b.String()
}

// RunTenant exports graph/ once and every environment into the tenant
// folder opts.Out. It returns the tenant manifest, a *UsageError when the
// options are wrong (nothing done), a *DiscoveryError when the
// environments could not be listed (nothing written), or a
// *TenantIncompleteError when a part failed.
func RunTenant(ctx context.Context, opts TenantOptions) (*TenantManifest, error) {
	if strings.TrimSpace(opts.Out) == "" {
		return nil, usageErr("--out: a tenant folder is needed")
	}
	if opts.Graph {
		var err error
		if opts.GraphURL, err = ServiceURL("--graph-url", opts.graphURL()); err != nil {
			return nil, err
		}
	}
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	c := &client{http: opts.HTTPClient, cred: opts.Credential, retry: opts.Retry.withDefaults(),
		userAgent: "d365audit/" + opts.ToolVersion, logf: opts.Progress.Logf}
	m := &TenantManifest{Tool: "d365audit export", ToolVersion: opts.ToolVersion, Tenant: opts.Tenant,
		Auth: opts.AuthDescription, StartedAt: opts.Now().UTC(), Environments: []EnvironmentResult{}}

	var envs []EnvironmentRef
	switch {
	case opts.Discovery != nil && len(opts.Environments) > 0:
		return nil, usageErr("--all-environments and --env: give one or the other")
	case opts.Discovery != nil:
		d := *opts.Discovery
		if err := d.check(); err != nil {
			return nil, err
		}
		m.Discovery = &d
		if err := checkTenantOut(opts.Out, opts.Force); err != nil { // before asking anything
			return nil, err
		}
		opts.Progress.Logf("Listing the tenant's environments with %s", d.listURL())
		var err error
		if envs, m.Skipped, err = discover(ctx, c, d); err != nil {
			return nil, err
		}
		for _, s := range m.Skipped {
			opts.Progress.Logf("Left out environment %q (%s): %s", s.DisplayName, s.ID, s.Reason)
		}
		if err := distinctNames(envs); err != nil {
			return nil, err
		}
		if len(envs) == 0 {
			return nil, usageErr("the tenant has no environment with a Dataverse database that %s lists", d.listURL())
		}
	default:
		var err error
		if envs, err = NameEnvironments(opts.Environments); err != nil {
			return nil, err
		}
		if err := checkTenantOut(opts.Out, opts.Force); err != nil {
			return nil, err
		}
	}

	staging, err := newStaging(opts.Out)
	if err != nil {
		return nil, err
	}
	var failed []PartError
	if opts.Graph {
		part := opts.Options
		part.graphOnly, part.Out, part.Force, part.Environment = true, filepath.Join(staging, GraphDir), false, ""
		opts.Progress.Logf("Exporting Microsoft Graph (%s) into %s/", opts.GraphURL, GraphDir)
		r, err := runPart(ctx, part, staging, GraphDir)
		m.Graph, m.GraphURL = &r, opts.GraphURL
		if err != nil {
			failed = append(failed, PartError{Part: GraphDir, Err: err})
		}
	}
	if err := os.MkdirAll(filepath.Join(staging, EnvironmentsDir), 0o755); err != nil {
		os.RemoveAll(staging)
		return nil, fmt.Errorf("create %s in %s: %w", EnvironmentsDir, staging, err)
	}
	for i, env := range envs {
		rel := EnvironmentsDir + "/" + env.Name
		res := EnvironmentResult{Name: env.Name, URL: env.URL, DisplayName: env.DisplayName, ID: env.ID}
		if ctx.Err() != nil { // interrupted: the rest is not started
			res.PartResult = PartResult{Path: rel, Status: StatusNotStarted}
			m.Environments = append(m.Environments, res)
			continue
		}
		part := opts.Options
		part.Graph, part.Out, part.Force, part.Environment = false, filepath.Join(staging, filepath.FromSlash(rel)), false, env.URL
		opts.Progress.Logf("Exporting environment %d of %d, %s (%s), into %s/", i+1, len(envs), env.Name, env.URL, rel)
		var err error
		res.PartResult, err = runPart(ctx, part, staging, rel)
		m.Environments = append(m.Environments, res)
		if err != nil {
			failed = append(failed, PartError{Part: env.Name, Err: err})
		}
	}
	if ctx.Err() != nil && !hasPart(failed, ctx.Err()) {
		failed = append(failed, PartError{Part: "tenant export", Err: ctx.Err()})
	}
	m.FinishedAt = opts.Now().UTC()
	if len(failed) == 0 {
		m.Complete = true
		err := m.write(staging)
		if err == nil {
			err = publish(staging, opts.Out)
		}
		if err == nil {
			return m, nil
		}
		m.Complete = false
		failed = append(failed, PartError{Part: "tenant export", Err: err})
	}
	inc := abandonTenant(staging, opts.Out, m, failed)
	return m, &TenantIncompleteError{Dir: inc, Failed: failed}
}

func hasPart(failed []PartError, err error) bool {
	for _, f := range failed {
		if errors.Is(f.Err, err) {
			return true
		}
	}
	return false
}

// runPart runs one export of a tenant export into staging/rel and says
// how it went. A failed part is at rel + ".incomplete" (outdir.go), or in
// its staging directory when that could not be renamed.
func runPart(ctx context.Context, part Options, staging, rel string) (PartResult, error) {
	r := PartResult{Path: rel}
	pm, err := Run(ctx, part)
	if pm != nil {
		r.Files, r.Rows = len(pm.Files), pm.Rows()
		for _, t := range pm.Skipped() {
			r.SkippedTables = append(r.SkippedTables, t.Reason)
		}
	}
	if err == nil {
		r.Complete, r.Status = true, StatusExported
		return r, nil
	}
	r.Status, r.Error = StatusFailed, err.Error()
	var ie *IncompleteError
	if errors.As(err, &ie) {
		// Its message says where the pages are; the tenant's says it again.
		r.Error, err = ie.Err.Error(), ie.Err
		if p, rerr := filepath.Rel(staging, ie.Dir); ie.Dir != "" && rerr == nil && !strings.HasPrefix(p, "..") {
			r.Path = filepath.ToSlash(p)
		}
	}
	return r, err
}

// NameEnvironments checks the --env URLs of a tenant export and names
// them, in name order; two URLs that would share a folder are refused.
func NameEnvironments(urls []string) ([]EnvironmentRef, error) {
	if len(urls) == 0 {
		return nil, usageErr("--env or --all-environments: which environments to export")
	}
	var envs []EnvironmentRef
	given := map[string]bool{}
	for _, raw := range urls {
		u, err := ServiceURL("--env", raw)
		if err != nil {
			return nil, err
		}
		if given[strings.ToLower(u)] {
			return nil, usageErr("--env %s: given twice", u)
		}
		given[strings.ToLower(u)] = true
		name, err := EnvironmentName(u, "")
		if err != nil {
			return nil, usageErr("--env %v", err)
		}
		envs = append(envs, EnvironmentRef{Name: name, URL: u})
	}
	if err := distinctNames(envs); err != nil {
		return nil, err
	}
	sort.Slice(envs, func(i, j int) bool { return envs[i].Name < envs[j].Name })
	return envs, nil
}

// distinctNames refuses two environments that would share a folder.
func distinctNames(envs []EnvironmentRef) error {
	byName := map[string]string{}
	for _, e := range envs {
		if other, ok := byName[e.Name]; ok {
			return usageErr("environments %s and %s would both be written to %s/%s: export them into separate folders",
				other, e.URL, EnvironmentsDir, e.Name)
		}
		byName[e.Name] = e.URL
	}
	return nil
}

// checkTenantOut is checkOut for a tenant folder: missing or empty, or a
// previous tenant export that --force replaces when it holds nothing the
// export did not write.
func checkTenantOut(out string, force bool) error {
	if empty, err := outIsEmpty(out); empty || err != nil {
		return err
	}
	m, err := ReadTenantManifest(out)
	if err != nil {
		if _, merr := ReadManifest(out); merr == nil {
			return usageErr("--out %s: holds the export of one environment, not a tenant export: choose another directory", out)
		}
		return usageErr("--out %s: exists and holds no tenant export (no readable %s): choose another directory", out, TenantManifestFile)
	}
	if !force {
		return usageErr("--out %s: holds the tenant export made %s: pass --force to replace it",
			out, m.FinishedAt.Format("2006-01-02 15:04 MST"))
	}
	if foreign := foreignTenantFile(out, m); foreign != "" {
		return usageErr("--out %s: holds %s, which no export wrote; move it away before replacing the export", out, foreign)
	}
	return nil
}

// foreignTenantFile returns the first file in a previous tenant export
// that neither its tenant manifest nor its parts' manifests account for.
func foreignTenantFile(out string, m *TenantManifest) string {
	parts := map[string]bool{}
	if m.Graph != nil {
		parts[m.Graph.Path] = true
	}
	for _, e := range m.Environments {
		parts[e.Path] = true
	}
	entries, _ := os.ReadDir(out)
	for _, top := range entries {
		switch top.Name() {
		case TenantManifestFile:
			continue
		case GraphDir:
			if !parts[GraphDir] {
				return GraphDir
			}
			if f := foreignPart(out, GraphDir); f != "" {
				return f
			}
		case EnvironmentsDir:
			envs, _ := os.ReadDir(filepath.Join(out, EnvironmentsDir))
			for _, e := range envs {
				rel := EnvironmentsDir + "/" + e.Name()
				if !parts[rel] {
					return rel
				}
				if f := foreignPart(out, rel); f != "" {
					return f
				}
			}
		default:
			return top.Name()
		}
	}
	return ""
}

func foreignPart(out, rel string) string {
	dir := filepath.Join(out, filepath.FromSlash(rel))
	pm, err := ReadManifest(dir)
	if err != nil {
		return rel + "/" + ManifestFile
	}
	if f := foreignFile(dir, pm); f != "" {
		return rel + "/" + f
	}
	return ""
}

func (m *TenantManifest) write(dir string) error {
	return writeJSON(filepath.Join(dir, TenantManifestFile), m)
}

// ReadTenantManifest reads the manifest of a tenant export.
func ReadTenantManifest(dir string) (*TenantManifest, error) {
	return readJSON[TenantManifest](filepath.Join(dir, TenantManifestFile))
}

// abandonTenant turns a failed tenant export's staging directory into
// OUT.incomplete, as abandon does for one export, and returns where it is.
func abandonTenant(staging, out string, m *TenantManifest, failed []PartError) string {
	if m.Error == "" {
		var msgs []string
		for _, f := range failed {
			msgs = append(msgs, f.Part+": "+f.Err.Error())
		}
		m.Error = strings.Join(msgs, "\n")
	}
	mark := func(dir string, moved bool) {
		if moved {
			prefix := "fetched/"
			if m.Graph != nil {
				m.Graph.Path = prefix + m.Graph.Path
			}
			for i := range m.Environments {
				m.Environments[i].Path = prefix + m.Environments[i].Path
			}
		}
		var b strings.Builder
		fmt.Fprintf(&b, "THIS IS NOT A TENANT EXPORT: do not audit it as one.\n\n")
		fmt.Fprintf(&b, "d365audit export of %d %s stopped at %s:\n", len(m.Environments),
			plural(len(m.Environments), "environment", "environments"), m.FinishedAt.Format("2006-01-02 15:04:05 MST"))
		for _, f := range failed {
			fmt.Fprintf(&b, "  %s: %s\n", f.Part, strings.ReplaceAll(f.Err.Error(), "\n", "\n    "))
		}
		fmt.Fprintf(&b, "\n%s lists each part (graph/ and every environment) as exported, failed or not started,\n"+
			"and where it is. An environment exported completely is a valid export on its own (its\n"+
			"%s says complete: true); a failed one is NAME.incomplete, for diagnosis only. Fix the\n"+
			"cause and run the export again: it writes the tenant folder only when every part is complete.\n",
			TenantManifestFile, ManifestFile)
		os.WriteFile(filepath.Join(dir, IncompleteMarker), []byte(b.String()), 0o644)
		m.write(dir)
	}
	return abandonDir(staging, out, mark)
}
