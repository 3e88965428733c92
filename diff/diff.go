// Package diff compares two runs of the audit: which findings are new, which
// were fixed, which waivers lapsed, who gained or lost access and why, how
// roles drifted, and what the licenses did to the cost.
//
// A run is an output directory of `d365audit run`: Compare reads the
// findings.json of each and attaches both audit.duckdb files read-only to
// one in-memory DuckDB, where the comparisons are SQL. Every list is sorted,
// so the same two runs always give the same diff.json.
package diff

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/d365audit/d365audit/queries/vocab"
	"github.com/d365audit/d365audit/store"
)

// SchemaVersion is the version of diff.json's schema.
const SchemaVersion = 1

// File names of a run directory that Compare reads, and the file it writes.
const (
	FindingsFile = "findings.json"
	DatabaseFile = "audit.duckdb"
	OutputFile   = "diff.json"
)

// Diff is everything that changed between two runs.
type Diff struct {
	SchemaVersion int     `json:"schema_version"`
	Old           RunInfo `json:"old"`
	New           RunInfo `json:"new"`
	// Warnings say why the comparison may mislead: other environment,
	// other rule set, runs in the wrong order.
	Warnings []string `json:"warnings"`
	Summary  Summary  `json:"summary"`

	Findings       FindingChanges  `json:"findings"`
	ExpiredWaivers []ExpiredWaiver `json:"expired_waivers"`
	Users          []UserChange    `json:"users"`
	Access         []AccessChange  `json:"access"`
	Roles          []RoleChange    `json:"roles"`
	Licenses       LicenseChanges  `json:"licenses"`
	// Environments, when two tenant runs are compared: the environments
	// added and removed (the access and role changes are the common ones').
	Environments *EnvironmentChanges `json:"environments,omitempty"`
}

// RunInfo identifies one of the two runs.
type RunInfo struct {
	Dir            string `json:"dir"`
	Environment    string `json:"environment"`
	AsOf           string `json:"as_of"`
	GeneratedAt    string `json:"generated_at"`
	ToolVersion    string `json:"tool_version"`
	RuleSetVersion string `json:"rule_set_version"`
}

// Summary counts the changes.
type Summary struct {
	FindingsNew       int `json:"findings_new"`
	FindingsResolved  int `json:"findings_resolved"`
	FindingsStillOpen int `json:"findings_still_open"`
	NewlyWaived       int `json:"newly_waived"`
	WaiverLapsed      int `json:"waiver_lapsed"`
	WaiversExpired    int `json:"waivers_expired"`
	UsersChanged      int `json:"users_changed"`
	// Access changes by kind, and the users they concern.
	AccessGained      int `json:"access_gained"`
	AccessLost        int `json:"access_lost"`
	DepthUp           int `json:"depth_up"`
	DepthDown         int `json:"depth_down"`
	ScopeMoved        int `json:"scope_moved"`
	UsersWithAccess   int `json:"users_with_access_changes"`
	RoleChanges       int `json:"role_changes"`
	LicensesAssigned  int `json:"licenses_assigned"`
	LicensesRemoved   int `json:"licenses_removed"`
	SKUChanges        int `json:"sku_changes"`
	AccessCausesOther int `json:"access_causes_other"`
}

// ErrNotARun is wrapped by the error Compare and CheckRun return when a
// directory is not the output of a run.
var ErrNotARun = errors.New("not a d365audit run output")

// CheckRun reports whether dir is a run's output directory: it holds
// findings.json and audit.duckdb. The error wraps ErrNotARun.
func CheckRun(dir string) error {
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return fmt.Errorf("%s: %w (not a directory)", dir, ErrNotARun)
	}
	var missing []string
	for _, name := range []string{FindingsFile, DatabaseFile} {
		if st, err := os.Stat(filepath.Join(dir, name)); err != nil || st.IsDir() {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s: %w (no %s)", dir, ErrNotARun, strings.Join(missing, ", no "))
	}
	return nil
}

// Check is CheckRun and more: findings.json parses and audit.duckdb opens
// and holds the tables Compare reads. It writes nothing; run it before a run
// writes its outputs (run --previous) to refuse a bad previous run up front.
// The error wraps ErrNotARun.
func Check(ctx context.Context, dir string) error {
	if err := CheckRun(dir); err != nil {
		return err
	}
	if _, err := readFindings(filepath.Join(dir, FindingsFile)); err != nil {
		return err
	}
	db, err := store.Open(ctx, "")
	if err != nil {
		return err
	}
	defer db.Close()
	if err := attach(ctx, db, "old", dir); err != nil {
		return err
	}
	return checkTables(ctx, db, "old", dir)
}

func attach(ctx context.Context, db *store.DB, alias, dir string) error {
	path := filepath.Join(dir, DatabaseFile)
	if err := db.Exec(ctx, "attach "+path, fmt.Sprintf("ATTACH %s AS %s (READ_ONLY)", sqlString(path), alias)); err != nil {
		return fmt.Errorf("%s: %w: %v", dir, ErrNotARun, err)
	}
	return nil
}

// tablesNeeded are the tables and views of audit.duckdb the comparison
// reads; a database without them comes from another tool or version.
var tablesNeeded = []string{
	"systemusers", "businessunits", "roles", "teams", "teammemberships", "systemuserrolescollection",
	"privileges", "roleprivilegescollection", "privilege_tables", "user_role_sources", "user_access_class",
	"user_profiles", "profile_access", "profile_grants", "effective_access", "policy_business_tables",
	"ingest_tables", "license_skus", "license_assignments", "license_waste", "prices",
}

// Compare compares the run in oldDir with the run in newDir.
func Compare(ctx context.Context, oldDir, newDir string) (*Diff, error) {
	for _, dir := range []string{oldDir, newDir} {
		if err := CheckRun(dir); err != nil {
			return nil, err
		}
	}
	oldDoc, err := readFindings(filepath.Join(oldDir, FindingsFile))
	if err != nil {
		return nil, err
	}
	newDoc, err := readFindings(filepath.Join(newDir, FindingsFile))
	if err != nil {
		return nil, err
	}
	if len(oldDoc.Environments) > 0 || len(newDoc.Environments) > 0 {
		return compareTenants(ctx, oldDir, newDir, oldDoc, newDoc)
	}
	db, err := store.Open(ctx, "")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	for _, a := range []struct{ alias, dir string }{{"old", oldDir}, {"new", newDir}} {
		if err := attach(ctx, db, a.alias, a.dir); err != nil {
			return nil, err
		}
		if err := checkTables(ctx, db, a.alias, a.dir); err != nil {
			return nil, err
		}
	}

	d := &Diff{SchemaVersion: SchemaVersion, Old: oldDoc.info(oldDir), New: newDoc.info(newDir), Warnings: []string{}}
	d.Warnings = append(d.Warnings, warnings(d.Old, d.New)...)
	d.Findings, d.ExpiredWaivers = compareFindings(oldDoc, newDoc)
	// depth_name, mask_rank, grant_depth_rank: the models' own
	if err := db.ExecScript(ctx, "access vocabulary", vocab.SQL); err != nil {
		return nil, err
	}
	if err := compareAccess(ctx, db, d); err != nil {
		return nil, err
	}
	if d.Roles, err = compareRoles(ctx, db); err != nil {
		return nil, err
	}
	if d.Licenses, err = compareLicenses(ctx, db); err != nil {
		return nil, err
	}
	d.summarize()
	return d, nil
}

func checkTables(ctx context.Context, db *store.DB, alias, dir string) error {
	var missing []string
	for _, t := range tablesNeeded {
		n, err := db.QueryInt(ctx, "look up "+t,
			`SELECT count(*) FROM information_schema.tables WHERE table_catalog = ? AND table_name = ?`, alias, t)
		if err != nil {
			return err
		}
		if n == 0 {
			missing = append(missing, t)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s: %w: its %s lacks %s (written by another version of d365audit?)",
			dir, ErrNotARun, DatabaseFile, strings.Join(missing, ", "))
	}
	return nil
}

func warnings(o, n RunInfo) []string {
	var w []string
	if o.Environment != n.Environment {
		w = append(w, fmt.Sprintf("the runs audit different environments: %q and %q", o.Environment, n.Environment))
	}
	if o.RuleSetVersion != n.RuleSetVersion {
		w = append(w, fmt.Sprintf("the runs used different rule sets (%s and %s): a finding whose rule changed may show as resolved and new",
			o.RuleSetVersion, n.RuleSetVersion))
	}
	if o.AsOf > n.AsOf {
		w = append(w, fmt.Sprintf("the old run (as of %s) is later than the new one (as of %s): are OLD and NEW swapped?", o.AsOf, n.AsOf))
	}
	return w
}

func (d *Diff) summarize() {
	s := &d.Summary
	s.FindingsNew = len(d.Findings.New)
	s.FindingsResolved = len(d.Findings.Resolved)
	s.FindingsStillOpen = len(d.Findings.StillOpen)
	for _, f := range d.Findings.StillOpen {
		switch f.WaiverChange {
		case WaiverNew:
			s.NewlyWaived++
		case WaiverLapsed:
			s.WaiverLapsed++
		}
	}
	s.WaiversExpired = len(d.ExpiredWaivers)
	s.UsersChanged = len(d.Users)
	users := map[string]bool{}
	for _, a := range d.Access {
		users[a.UserID] = true
		switch a.Change {
		case Gained:
			s.AccessGained++
		case Lost:
			s.AccessLost++
		case DepthUp:
			s.DepthUp++
		case DepthDown:
			s.DepthDown++
		case ScopeMoved:
			s.ScopeMoved++
		}
		if a.Cause.Kind == CauseOther {
			s.AccessCausesOther++
		}
	}
	s.UsersWithAccess = len(users)
	s.RoleChanges = len(d.Roles)
	for _, a := range d.Licenses.Assignments {
		if a.Change == Assigned {
			s.LicensesAssigned++
		} else {
			s.LicensesRemoved++
		}
	}
	s.SKUChanges = len(d.Licenses.SKUs)
}

func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
