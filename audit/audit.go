// Package audit runs the whole batch: ingest, effective access, rules,
// waivers, and every output file, written so that each appears complete or
// not at all.
package audit

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/d365audit/d365audit/diff"
	"github.com/d365audit/d365audit/ingest"
	"github.com/d365audit/d365audit/ingest/skucatalog"
	"github.com/d365audit/d365audit/internal/progress"
	"github.com/d365audit/d365audit/queries/access"
	"github.com/d365audit/d365audit/queries/licenses"
	"github.com/d365audit/d365audit/queries/reportdata"
	"github.com/d365audit/d365audit/reports"
	"github.com/d365audit/d365audit/rules"
	"github.com/d365audit/d365audit/store"
)

// Options are the inputs of a run.
type Options struct {
	Input    string
	Out      string
	Baseline string
	Prices   string
	Policy   string
	Waivers  string
	RulesDir string
	// SKUCatalog is a newer copy of Microsoft's licensing table; "" uses the
	// built-in one.
	SKUCatalog string
	// Now is the run's clock; zero means time.Now.
	Now         time.Time
	ToolVersion string
	// Log receives a line per stage as it ends; nil is silent.
	Log io.Writer
	// Progress, if set, shows the running stages (and takes the stage
	// lines, so that they do not break its bars).
	Progress *progress.Reporter
	// Previous is a previous run's output directory to compare with.
	Previous string
	// Force replaces a previous run in Out (never files it did not write).
	Force bool
}

// InputError is the input's fault: bad flags, files or export (exit 2).
// Nothing has been written when Run returns one.
type InputError struct {
	Err      error
	Problems []ingest.Problem
}

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// Output file names of OUTPUT.md.
const (
	FindingsJSON = "findings.json"
	FindingsCSV  = "findings.csv"
	AccessFile   = "access.parquet"
	DatabaseFile = "audit.duckdb"
	ManifestFile = "manifest.json"
	PDFFile      = "report.pdf"
	ReportXLSX   = "report.xlsx"
)

// Run audits one export and writes the outputs into opts.Out.
func Run(ctx context.Context, opts Options) (*reports.Report, error) {
	a, err := Prepare(ctx, opts)
	if err != nil {
		return nil, err
	}
	defer a.Close()
	if err := writeOutputs(ctx, a.db, opts.Out, opts.Previous, a.Report, a.clock); err != nil {
		return nil, err
	}
	return a.Report, nil
}

// Audit is a prepared run: the Report, with the database its access matrix
// streams from still open. Close it when the reports are written.
type Audit struct {
	Report *reports.Report
	db     *store.DB
	clock  *stageClock
}

// Close closes the audit's database and ends its progress display.
func (a *Audit) Close() error {
	a.clock.close()
	return a.db.Close()
}

// Prepare does everything Run does but write the outputs: it checks the
// inputs, loads the export, builds the models, runs the rules and waivers
// and collects the tables the reports render. Report writers and their
// tests start from it.
func Prepare(ctx context.Context, opts Options) (*Audit, error) {
	in, err := checkRunInputs(ctx, opts)
	if err != nil {
		return nil, err
	}
	if IsTenant(opts.Input) {
		return prepareTenant(ctx, opts, in)
	}
	return prepareExport(ctx, opts, in)
}

// runInputs are the inputs of a run besides the export, every one checked.
type runInputs struct {
	now, asOf   time.Time
	policy      *rules.Policy
	policyPath  string
	waiversPath string
	waivers     []rules.Waiver
	catalogue   []rules.Rule
	catalog     skuCatalog
}

// checkRunInputs checks everything that can be wrong with a run's inputs
// but the export itself, before the first byte is written.
func checkRunInputs(ctx context.Context, opts Options) (*runInputs, error) {
	in := &runInputs{now: runClock(opts.Now)}
	if err := CheckInputDir(opts.Input); err != nil {
		return nil, &InputError{Err: err}
	}
	var err error
	if in.policy, in.policyPath, err = loadPolicy(opts.Input, opts.Policy); err != nil {
		return nil, err
	}
	in.waiversPath = opts.Waivers
	if in.waiversPath == "" {
		in.waiversPath = beside(opts.Input, "waivers.yaml")
	}
	if in.waivers, err = rules.LoadWaivers(in.waiversPath); err != nil {
		return nil, &InputError{Err: err}
	}
	if in.catalogue, err = loadCatalogue(opts.RulesDir); err != nil {
		return nil, &InputError{Err: err}
	}
	if in.asOf, err = in.policy.AsOfTime(in.now); err != nil {
		return nil, &InputError{Err: err}
	}
	if in.catalog, err = loadSKUCatalog(opts.SKUCatalog); err != nil {
		return nil, &InputError{Err: err}
	}
	if err := checkPrevious(ctx, opts); err != nil {
		return nil, &InputError{Err: err}
	}
	if opts.Out != "" {
		if err := checkOut(opts.Out, opts.Input, opts.Force); err != nil {
			return nil, &InputError{Err: err}
		}
	}
	return in, nil
}

// prepareExport prepares the run of one export (one environment).
func prepareExport(ctx context.Context, opts Options, in *runInputs) (*Audit, error) {
	now, asOf, policy, catalogue, catalog := in.now, in.asOf, in.policy, in.catalogue, in.catalog
	clock := newStageClock(opts.Log, opts.Progress)
	clock.begin("ingest")
	db, err := store.Open(ctx, "")
	if err != nil {
		clock.close()
		return nil, err
	}
	keep := false // the database stays open for the caller when all went well
	defer func() {
		if !keep {
			clock.close()
			db.Close()
		}
	}()
	loaded, err := ingest.Load(ctx, db, ingest.Options{Input: opts.Input, Baseline: opts.Baseline, Prices: opts.Prices})
	if err != nil {
		return nil, err
	}
	if n := loaded.Count(ingest.Structural); n > 0 {
		return nil, &InputError{Err: fmt.Errorf("%s: %d input %s: nothing written", opts.Input, n, plural(n, "error", "errors")),
			Problems: loaded.Problems}
	}
	clock.done("ingest")
	clock.begin("access")
	env, err := buildAccessModel(ctx, db, policy, opts.Input, asOf)
	if err != nil {
		return nil, err
	}
	privileges, err := access.ReadPrivilegeSources(ctx, db)
	if err != nil {
		return nil, err
	}
	if err := licenses.BuildLicenses(ctx, db, licenses.LicenseOptions{Catalog: catalog.skus, CatalogSource: catalog.source,
		DynamicsPlans: catalog.plans, FreeSKUs: policy.FreeSKUs, InactiveDays: policy.Thresholds.InactiveDays, AsOf: asOf}); err != nil {
		return nil, err
	}
	matrix, err := access.LoadMatrix(ctx, db)
	if err != nil {
		return nil, err
	}
	clock.done("access")
	clock.begin("rules")
	outcome, err := rules.Run(ctx, db, catalogue, policy)
	if err != nil {
		return nil, err
	}
	waiverStatus := rules.ApplyWaivers(outcome.Findings, in.waivers, asOf)
	profiles, err := access.ProfileCount(ctx, db)
	if err != nil {
		return nil, err
	}

	clock.done("rules")
	clock.begin("findings")
	rep := &reports.Report{
		Environment: env, GeneratedAt: now, AsOf: asOf, ToolVersion: opts.ToolVersion,
		RuleSetVersion: rules.Version, Policy: policy.Source(), Rules: catalogue,
		Evaluated: outcome.Evaluated, NotEvaluated: outcome.NotEvaluated, Findings: outcome.Findings,
		Waivers: waiverStatus, AccessProfiles: profiles, Privileges: privileges,
	}
	rep.Access = access.NewAccessMatrix(matrix)
	if err := collectTables(ctx, db, rep); err != nil {
		return nil, err
	}
	rep.Licenses, err = licenses.ReadLicenseReview(ctx, db, loaded.Present("graph_subscribedskus"), loaded.Present("prices"))
	rep.Licenses.HasUsers = loaded.Present("graph_users")
	if err != nil {
		return nil, err
	}
	rep.Inputs = inputList(opts.Input, loaded.Files)
	for _, ref := range []struct{ path, kind string }{{in.policyPath, "policy"}, {in.waiversPath, "waivers"}} {
		if ref.path == "" {
			continue
		}
		in, err := hashInput(opts.Input, ref.path, ref.kind)
		if err != nil {
			return nil, err
		}
		rep.Inputs = append(rep.Inputs, in)
	}
	keep = true
	return &Audit{Report: rep, db: db, clock: clock}, nil
}

func loadCatalogue(dir string) ([]rules.Rule, error) {
	builtin, err := rules.Builtin()
	if err != nil {
		return nil, err
	}
	if dir == "" {
		return rules.Catalogue(builtin)
	}
	own, err := rules.LoadDir(dir)
	if err != nil {
		return nil, err
	}
	return rules.Catalogue(builtin, own)
}

func beside(dir, name string) string {
	p := filepath.Join(dir, name)
	if _, err := os.Stat(p); err == nil {
		return p
	}
	return ""
}

// environmentName: the policy's, else the organization's name, else the
// export directory's name.
func environmentName(ctx context.Context, db *store.DB, p *rules.Policy, input string) string {
	if p.Environment == "" {
		if name := organizationName(ctx, db); name != "" {
			return name
		}
	}
	return tenantName(p, input)
}

func inputList(base string, files []ingest.FileStat) []reports.Input {
	seen := map[string]int{}
	var out []reports.Input
	for _, f := range files {
		if i, ok := seen[f.File]; ok { // graph/users.json fills two tables
			out[i].Kind += ", " + f.Table
			continue
		}
		seen[f.File] = len(out)
		out = append(out, reports.Input{File: f.File, Kind: f.Table, Format: string(f.Format), Rows: f.Rows, Bytes: f.Bytes, SHA256: f.SHA256})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].File < out[j].File })
	return out
}

func hashInput(base, path, kind string) (reports.Input, error) {
	sum, size, err := ingest.HashFile(path)
	if err != nil {
		return reports.Input{}, err
	}
	rel := path
	if r, err := filepath.Rel(base, path); err == nil && !strings.HasPrefix(r, "..") {
		rel = filepath.ToSlash(r)
	}
	return reports.Input{File: rel, Kind: kind, Bytes: size, SHA256: sum}, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// collectTables reads the computed tables the reports render.
func collectTables(ctx context.Context, db *store.DB, rep *reports.Report) error {
	var err error
	if rep.Users, err = reportdata.Users(ctx, db); err != nil {
		return err
	}
	if rep.Roles, err = reportdata.Roles(ctx, db); err != nil {
		return err
	}
	if rep.RoleChanges, err = reportdata.RoleChanges(ctx, db); err != nil {
		return err
	}
	if rep.Teams, err = reportdata.Teams(ctx, db); err != nil {
		return err
	}
	if rep.FieldAccess, err = access.FieldAccess(ctx, db); err != nil {
		return err
	}
	return nil
}

// skuCatalog is the SKU catalogue of a run: its SKUs, where they come
// from ("" for the built-in one) and its Dynamics 365 / Dataverse service
// plans (nil: the built-in ones).
type skuCatalog struct {
	skus   []skucatalog.SKU
	source string
	plans  []skucatalog.ServicePlan
}

// loadSKUCatalog reads a newer licensing table, or takes the built-in one.
func loadSKUCatalog(path string) (skuCatalog, error) {
	if path == "" {
		skus, err := skucatalog.Builtin()
		return skuCatalog{skus: skus}, err
	}
	cat, err := skucatalog.ReadFile(path)
	if err != nil {
		return skuCatalog{}, fmt.Errorf("--sku-catalog: %w", err)
	}
	skus := cat.SKUs()
	return skuCatalog{skus: skus, source: "--sku-catalog " + filepath.Base(path),
		plans: append([]skucatalog.ServicePlan{}, skucatalog.DynamicsPlans(skus)...)}, nil
}

// checkPrevious refuses a --previous that is no run, or that is the output
// directory itself (it would be overwritten before being compared).
func checkPrevious(ctx context.Context, opts Options) error {
	if opts.Previous == "" {
		return nil
	}
	prev, err1 := filepath.Abs(opts.Previous)
	out, err2 := filepath.Abs(opts.Out)
	if err1 == nil && err2 == nil && prev == out {
		return fmt.Errorf("--previous %s is the output directory: give the previous run's own directory", opts.Previous)
	}
	if err := diff.Check(ctx, opts.Previous); err != nil {
		return fmt.Errorf("--previous: %w", err)
	}
	return nil
}
