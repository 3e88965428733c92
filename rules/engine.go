package rules

import (
	"context"
	"database/sql"
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/d365audit/d365audit/store"
)

//go:embed prelude.sql
var prelude string

// ResultColumns are the columns every rule query returns, in this order
// (detail may be NULL; it distinguishes findings of one rule on one subject,
// such as each missing role, and ends the fingerprint).
var ResultColumns = []string{"subject_type", "subject_id", "subject_name", "businessunit", "message", "evidence", "detail"}

// NotEvaluated is a rule that could not run on this input, and why.
type NotEvaluated struct {
	Rule string `json:"rule"`
	Why  string `json:"why"`
}

// Outcome is what running the catalogue gave.
type Outcome struct {
	Findings     []Finding
	NotEvaluated []NotEvaluated
	Evaluated    []string // IDs of the rules that ran
}

// Run runs every rule over db (ingested, models built, policy
// materialised). A rule that breaks the result contract fails the run with
// its ID: a broken rule must never look like a clean result.
func Run(ctx context.Context, db *store.DB, catalogue []Rule, policy *Policy) (*Outcome, error) {
	if err := db.ExecScript(ctx, "rule prelude", prelude); err != nil {
		return nil, err
	}
	return runRules(ctx, db, catalogue, policy)
}

// RunTenant runs the tenant rules of catalogue over a tenant's license model
// (queries.BuildTenantLicenses), in the current schema. The prelude, the
// environment rules' helper views, has nothing to read there.
func RunTenant(ctx context.Context, db *store.DB, catalogue []Rule, policy *Policy) (*Outcome, error) {
	return runRules(ctx, db, InScope(catalogue, ScopeTenant), policy)
}

func runRules(ctx context.Context, db *store.DB, catalogue []Rule, policy *Policy) (*Outcome, error) {
	out := &Outcome{}
	for _, r := range catalogue {
		why, err := missingInputs(ctx, db, r)
		if err != nil {
			return nil, fmt.Errorf("rule %s: %w", r.ID, err)
		}
		if why != "" {
			out.NotEvaluated = append(out.NotEvaluated, NotEvaluated{Rule: r.ID, Why: why})
			continue
		}
		fs, err := runRule(ctx, db, r, policy)
		if err != nil {
			return nil, err
		}
		out.Findings = append(out.Findings, fs...)
		out.Evaluated = append(out.Evaluated, r.ID)
	}
	SortFindings(out.Findings)
	return out, nil
}

// missingInputs says why a rule cannot run, or "" when it can.
func missingInputs(ctx context.Context, db *store.DB, r Rule) (string, error) {
	var missing []string
	for _, t := range r.Needs {
		n, err := db.QueryInt(ctx, "check input "+t,
			`SELECT count(*) FROM ingest_tables WHERE table_name = ? AND present`, t)
		if err != nil {
			return "", err
		}
		if name := inputName(t); n == 0 && !contains(missing, name) {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return "the export has no " + strings.Join(missing, ", "), nil
	}
	for _, tc := range r.NeedsValues {
		table, col, ok := strings.Cut(tc, ".")
		if !ok {
			return "", fmt.Errorf("needs_values %q: expected table.column", tc)
		}
		n, err := db.QueryInt(ctx, "check values "+tc,
			fmt.Sprintf(`SELECT count(*) FROM %s WHERE %s`, store.Ident(table), store.Ident(col)))
		if err != nil {
			return "", err
		}
		if n == 0 {
			return fmt.Sprintf("%s has no %s", inputName(table), col), nil
		}
	}
	return "", nil
}

// inputName names a canonical table as the user knows the input.
func inputName(table string) string {
	switch table {
	case "graph_users", "graph_assignedlicenses":
		return "graph/users.json"
	case "graph_subscribedskus":
		return "graph/subscribedSkus.json"
	case "prices":
		return "price list"
	case "baseline_roles", "baseline_roleprivileges":
		return "baseline"
	}
	return table
}

func runRule(ctx context.Context, db *store.DB, r Rule, policy *Policy) ([]Finding, error) {
	severity := r.Severity
	if s, ok := policy.SeverityOverrides[r.ID]; ok {
		severity = s
	}
	var out []Finding
	seen := map[string]bool{}
	checked := false
	err := db.Query(ctx, "rule "+r.ID, r.SQL, func(rows *sql.Rows) error {
		if !checked {
			cols, err := rows.Columns()
			if err != nil {
				return err
			}
			if strings.Join(cols, ",") != strings.Join(ResultColumns, ",") {
				return fmt.Errorf("returns columns (%s); a rule must return (%s)",
					strings.Join(cols, ", "), strings.Join(ResultColumns, ", "))
			}
			checked = true
		}
		var typ, id, name, bu, msg, detail sql.NullString
		var rawEvidence any
		if err := rows.Scan(&typ, &id, &name, &bu, &msg, &rawEvidence, &detail); err != nil {
			return err
		}
		evidence, err := evidenceText(rawEvidence)
		if err != nil {
			return fmt.Errorf("evidence of %s: %w", id.String, err)
		}
		if !validSubjectType(typ.String) {
			return fmt.Errorf("subject_type %q is not one of %s", typ.String, strings.Join(SubjectTypes, ", "))
		}
		if !id.Valid || !msg.Valid || strings.TrimSpace(msg.String) == "" {
			return fmt.Errorf("a finding without subject_id or message (subject %q)", name.String)
		}
		ev := json.RawMessage("{}")
		if evidence != "" {
			if !json.Valid([]byte(evidence)) {
				return fmt.Errorf("evidence of %s is not JSON: %.80s", id.String, evidence)
			}
			ev = compactJSON(evidence)
		}
		fp := r.ID + ":" + typ.String + ":" + id.String
		if detail.Valid && detail.String != "" {
			fp += ":" + detail.String
		}
		if seen[fp] {
			return fmt.Errorf("two findings with fingerprint %s: give each a distinct detail", fp)
		}
		seen[fp] = true
		out = append(out, Finding{
			Rule: r.ID, Severity: severity, SubjectType: typ.String, SubjectID: id.String, SubjectName: name.String,
			BusinessUnit: bu.String, Message: msg.String, Evidence: ev, Fingerprint: fp,
		})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("rule %s (%s): %w", r.ID, r.Source, err)
	}
	return out, nil
}

func compactJSON(s string) json.RawMessage {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return json.RawMessage(s)
	}
	b, err := json.Marshal(v) // sorted keys: deterministic evidence
	if err != nil {
		return json.RawMessage(s)
	}
	return b
}

// evidenceText takes the evidence column as DuckDB hands it: JSON text, or
// an already decoded JSON value.
func evidenceText(v any) (string, error) {
	switch e := v.(type) {
	case nil:
		return "", nil
	case string:
		return e, nil
	case []byte:
		return string(e), nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
