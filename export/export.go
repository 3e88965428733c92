// Package export pulls a complete export (INPUT.md) from a Dataverse
// environment's Web API and, optionally, Microsoft Graph: the files that
// validate and run read, each Web API page written as it arrives.
//
// Run requests exactly the columns INPUT.md lists ($select), follows
// @odata.nextLink to the end, retries throttling and transient failures
// (RetryPolicy), runs a bounded number of tables at once, and writes the
// output directory only when everything succeeded; see outdir.go for what a
// failure leaves. Tokens come from an azcore.TokenCredential (Auth builds
// one with Microsoft's azidentity library).
package export

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"golang.org/x/sync/errgroup"

	"github.com/d365audit/d365audit/internal/progress"
)

// DefaultGraphURL is Microsoft Graph's global service root.
const DefaultGraphURL = "https://graph.microsoft.com"

// dataverseAPI is the Web API root below the environment URL.
const dataverseAPI = "/api/data/v9.2/"

// Options are the inputs of an export.
type Options struct {
	// Environment is the Dataverse environment URL, https://ORG.crm.dynamics.com.
	Environment string
	// Graph also exports graph/ (licenses) from GraphURL (default
	// DefaultGraphURL); SignInActivity adds the users' last sign-in dates.
	Graph          bool
	GraphURL       string
	SignInActivity bool
	// Out is the export directory; Force replaces a previous export there.
	Out   string
	Force bool
	// Strict fails the export when an optional table is refused, instead
	// of leaving it out with the reason in the manifest.
	Strict bool
	// Concurrency is how many tables are read at once; default 4.
	Concurrency int
	// PageSize is asked of Dataverse (Prefer: odata.maxpagesize); default
	// and maximum 5000.
	PageSize int

	Credential azcore.TokenCredential
	// AuthDescription says which identity was used, for the manifest.
	AuthDescription string
	Tenant          string
	HTTPClient      *http.Client
	Retry           RetryPolicy
	// Progress shows tables, pages and rows; nil shows nothing.
	Progress    *progress.Reporter
	Now         func() time.Time
	ToolVersion string

	// graphOnly exports Graph's tables alone, at the top of Out: the
	// graph/ folder of a tenant export (tenant.go).
	graphOnly bool
}

// Scopes are the token scopes of these options; Graph's is empty without
// Graph.
func (o Options) Scopes() Scopes {
	s := Scopes{Dataverse: strings.TrimRight(o.Environment, "/") + "/.default"}
	if o.Graph {
		s.Graph = strings.TrimRight(o.graphURL(), "/") + "/.default"
	}
	return s
}

func (o Options) graphURL() string {
	if o.GraphURL == "" {
		return DefaultGraphURL
	}
	return o.GraphURL
}

// ServiceURL checks a service root given on the command line (flag names
// it in errors) and returns it without a trailing slash. It must be https,
// since a bearer token travels with every request; plain http is accepted
// for loopback addresses only, where tests run their fake services.
func ServiceURL(flag, raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return "", usageErr("%s %q: expected a URL like https://contoso.crm4.dynamics.com", flag, raw)
	}
	if u.RawQuery != "" || u.Fragment != "" || (u.Path != "" && u.Path != "/") {
		return "", usageErr("%s %q: give the service root only (https://%s), no path or query", flag, raw, u.Host)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if ip := net.ParseIP(u.Hostname()); u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return "", usageErr("%s %q: must be https: the access token travels with every request", flag, raw)
		}
	default:
		return "", usageErr("%s %q: must be https", flag, raw)
	}
	return u.Scheme + "://" + u.Host, nil
}

// exporter is one run of Run.
type exporter struct {
	opts    Options
	client  *client
	staging string
	scopes  Scopes

	mu       sync.Mutex
	manifest Manifest
}

// Run exports every table into opts.Out. It returns the manifest of the
// finished export, a *UsageError when the options are wrong (nothing
// done), or an *IncompleteError when the export failed.
func Run(ctx context.Context, opts Options) (*Manifest, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	if err := checkOut(opts.Out, opts.Force); err != nil {
		return nil, err
	}
	staging, err := newStaging(opts.Out)
	if err != nil {
		return nil, err
	}
	e := &exporter{opts: opts, staging: staging, scopes: opts.Scopes(), client: &client{
		http: opts.HTTPClient, cred: opts.Credential, retry: opts.Retry.withDefaults(),
		userAgent: "d365audit/" + opts.ToolVersion, logf: opts.Progress.Logf,
	}}
	e.manifest = Manifest{Tool: "d365audit export", ToolVersion: opts.ToolVersion, Environment: opts.Environment,
		Tenant: opts.Tenant, Auth: opts.AuthDescription, StartedAt: opts.Now().UTC(), Files: []FileEntry{}}
	if opts.Graph {
		e.manifest.GraphURL = opts.graphURL()
	}
	tables := Tables(opts.Graph, opts.SignInActivity)
	if opts.graphOnly {
		tables = graphTables(opts.SignInActivity)
	}
	for _, t := range tables {
		e.manifest.Tables = append(e.manifest.Tables, TableResult{Name: t.Name, Source: t.Source,
			Required: t.Required, Query: t.Query, Status: StatusNotStarted})
	}

	err = e.all(ctx, tables)
	e.manifest.FinishedAt = opts.Now().UTC()
	if err != nil {
		e.manifest.Error = err.Error()
		return &e.manifest, &IncompleteError{Dir: abandon(staging, opts.Out, &e.manifest), Err: err}
	}
	e.manifest.Complete = true
	if err := e.manifest.write(staging); err != nil {
		return nil, &IncompleteError{Dir: abandon(staging, opts.Out, &e.manifest), Err: err}
	}
	if err := publish(staging, opts.Out); err != nil {
		e.manifest.Complete, e.manifest.Error = false, err.Error()
		return nil, &IncompleteError{Dir: abandon(staging, opts.Out, &e.manifest), Err: err}
	}
	return &e.manifest, nil
}

func (o *Options) check() error {
	if !o.graphOnly {
		env, err := ServiceURL("--env", o.Environment)
		if err != nil {
			return err
		}
		o.Environment = env
	}
	var err error
	if o.Graph {
		if o.GraphURL, err = ServiceURL("--graph-url", o.graphURL()); err != nil {
			return err
		}
	}
	if strings.TrimSpace(o.Out) == "" {
		return usageErr("--out: an export directory is needed")
	}
	return o.defaults()
}

// defaults fills what the caller left unset.
func (o *Options) defaults() error {
	if o.Credential == nil {
		return usageErr("no credential to get access tokens with")
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.PageSize <= 0 || o.PageSize > 5000 {
		o.PageSize = 5000
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 5 * time.Minute}
	}
	if o.Progress == nil {
		o.Progress = progress.NewPlain(io.Discard)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return nil
}

// all reads the tables, at most Concurrency at once. The first failure
// stops the rest: the export is incomplete anyway, and a scheduled run
// should fail fast.
func (e *exporter) all(ctx context.Context, tables []Table) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(e.opts.Concurrency)
	for i, t := range tables {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error { return e.table(gctx, i, t) })
	}
	err := g.Wait()
	if err == nil {
		err = ctx.Err() // interrupted before every table started
	}
	return err
}

// table reads one table and records its outcome in the manifest.
func (e *exporter) table(ctx context.Context, i int, t Table) error {
	if ctx.Err() != nil { // another table failed while this one waited
		return nil
	}
	task := e.opts.Progress.Task(tableLabel(t), "rows")
	e.setStatus(i, StatusStopped, "")
	pages, rows, err := e.fetch(ctx, t, task)
	e.mu.Lock()
	e.manifest.Tables[i].Pages, e.manifest.Tables[i].Rows = pages, rows
	e.mu.Unlock()
	switch {
	case err == nil:
		e.setStatus(i, StatusExported, "")
		task.Done(fmt.Sprintf("%d %s", pages, plural(pages, "page", "pages")))
		return nil
	case ctx.Err() != nil:
		task.Fail(errors.New("stopped"))
		return ctx.Err()
	}
	if r := refusal(t, err); r != nil {
		err = r
		if !t.Required && !e.opts.Strict && r.HTTP.Status != http.StatusUnauthorized {
			// An optional table the caller may not read: the audit runs
			// without it and says which rules it could not evaluate.
			e.setStatus(i, StatusSkipped, r.Error())
			task.Skip(r.Error())
			return nil
		}
	}
	e.setStatus(i, StatusFailed, err.Error())
	task.Fail(err)
	return err
}

func (e *exporter) setStatus(i int, status, reason string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.manifest.Tables[i].Status, e.manifest.Tables[i].Reason = status, reason
}

func tableLabel(t Table) string {
	if t.Dir() != "" {
		return t.Dir() + "/" + t.Name
	}
	return t.Name
}

// fetch requests every page of t. Pages of a Web API table are written as
// they arrive; the privilege table is built from all of them at the end.
func (e *exporter) fetch(ctx context.Context, t Table, task *progress.Task) (pages int, rows int64, err error) {
	var privs *privilegeRows
	if t.Name == privilegeTable.Name {
		privs = &privilegeRows{}
	}
	err = e.pages(ctx, t, func(page int, body []byte, values []json.RawMessage) error {
		pages, rows = page, rows+int64(len(values))
		if privs != nil {
			// Progress counts the rows of the file, not the tables they come from.
			before := len(privs.rows)
			err := privs.addPage(values)
			task.Add(int64(len(privs.rows)-before), fmt.Sprintf("page %d", page))
			return err
		}
		task.Add(int64(len(values)), fmt.Sprintf("page %d", page))
		return e.write(t, page, body, len(values))
	})
	if err != nil || privs == nil {
		return pages, rows, err
	}
	body, err := privs.file()
	if err != nil {
		return pages, rows, err
	}
	return pages, int64(len(privs.rows)), e.write(t, 1, body, len(privs.rows))
}

// pages follows t's query and its next links to the end, handing each
// page's body and value array to fn.
func (e *exporter) pages(ctx context.Context, t Table, fn func(page int, body []byte, values []json.RawMessage) error) error {
	root, scope, header := e.opts.Environment+dataverseAPI, e.scopes.Dataverse, http.Header{
		"Odata-Maxversion": {"4.0"}, "Odata-Version": {"4.0"},
		"Prefer": {"odata.maxpagesize=" + strconv.Itoa(e.opts.PageSize)},
	}
	if t.Source == Graph {
		root, scope, header = e.opts.GraphURL+"/", e.scopes.Graph, nil
	}
	next := root + t.Query
	seen := map[string]bool{}
	for page := 1; next != ""; page++ {
		if seen[next] {
			return fmt.Errorf("%s: the service sent page %d's next link again (%s): stopped rather than loop", t.Name, page-1, next)
		}
		seen[next] = true
		body, err := e.client.get(ctx, next, scope, t.Name, header)
		if err != nil {
			return err
		}
		var p struct {
			Value    []json.RawMessage `json:"value"`
			NextLink string            `json:"@odata.nextLink"`
		}
		if err := json.Unmarshal(body, &p); err != nil || p.Value == nil {
			return fmt.Errorf("%s page %d: not a Web API collection (no value array): %.200s", t.Name, page, body)
		}
		if err := fn(page, body, p.Value); err != nil {
			return err
		}
		if p.NextLink != "" && !sameOrigin(p.NextLink, root) {
			// The token is only ever sent to the service it was issued for.
			return fmt.Errorf("%s page %d: the next link %s leaves %s: refused", t.Name, page, p.NextLink, root)
		}
		next = p.NextLink
	}
	return nil
}

// write stores one page of t in the staging directory and records it.
func (e *exporter) write(t Table, page int, body []byte, rows int) error {
	name := t.Name + ".json"
	if page > 1 {
		name = fmt.Sprintf("%s.%d.json", t.Name, page)
	}
	rel := name
	if dir := t.Dir(); dir != "" && !e.opts.graphOnly {
		rel = dir + "/" + name
		if err := os.MkdirAll(filepath.Join(e.staging, dir), 0o755); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(e.staging, filepath.FromSlash(rel)), body, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", rel, err)
	}
	sum := sha256.Sum256(body)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.manifest.Files = append(e.manifest.Files, FileEntry{Path: rel, Table: t.Name, Page: page, Rows: rows,
		Bytes: int64(len(body)), SHA256: hex.EncodeToString(sum[:])})
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
