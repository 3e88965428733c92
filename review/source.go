package review

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/d365audit/d365audit/diff"
	"github.com/d365audit/d365audit/queries/vocab"
	"github.com/d365audit/d365audit/reports"
	"github.com/d365audit/d365audit/rules"
	"github.com/d365audit/d365audit/store"
)

// ErrBadInput is wrapped by every error that is the input's fault: a
// directory that is not a run or a campaign, a bad reviewers file, a
// workbook refused by collect.
var ErrBadInput = errors.New("bad input")

func badInput(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadInput, fmt.Sprintf(format, args...))
}

// manifestFile is the run's manifest, beside findings.json.
const manifestFile = "manifest.json"

// runFacts is what a campaign reads from a run.
type runFacts struct {
	ref     RunRef
	holders []holding
	// users by systemuserid: every user of the export, for managers.
	users map[string]userFacts
	// bus by businessunitid.
	bus map[string]buFacts
}

type holding struct {
	systemUserID, rootRoleID, roleID, role, via, teamID, team string
	admin, highRisk                                           string
}

type userFacts struct {
	id, domainName, fullName, buID, managerID string
	disabled, person                          bool
	lastSignIn, license, findings             string
}

type buFacts struct {
	id, name, parentID string
}

type runManifest struct {
	Inputs  []reports.Input `json:"inputs"`
	Outputs []struct {
		File   string `json:"file"`
		SHA256 string `json:"sha256"`
	} `json:"outputs"`
}

// readRun reads the run in dir. It refuses a directory that is not a run,
// and a findings.json that its manifest does not fingerprint.
func readRun(ctx context.Context, dir string) (*runFacts, error) {
	if err := diff.CheckRun(dir); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadInput, err)
	}
	fb, err := os.ReadFile(filepath.Join(dir, diff.FindingsFile))
	if err != nil {
		return nil, err
	}
	doc, err := rules.ReadFindingsDoc(filepath.Join(dir, diff.FindingsFile))
	if errors.Is(err, rules.ErrNotFindings) {
		return nil, badInput("%v", err)
	}
	if err != nil {
		return nil, err
	}
	if len(doc.Environments) > 0 {
		// A campaign's items are one environment's users and roles; a
		// tenant run's main schema holds every environment's side by side.
		return nil, badInput("%s is a tenant run (%s): a review campaign covers one environment; "+
			"run the environment's export on its own (run --input TENANT/environments/NAME) and review that run",
			dir, strings.Join(doc.Environments, ", "))
	}
	mb, err := os.ReadFile(filepath.Join(dir, manifestFile))
	if err != nil {
		return nil, badInput("%s: no %s: a campaign needs the run's manifest for its fingerprint", dir, manifestFile)
	}
	var man runManifest
	if err := json.Unmarshal(mb, &man); err != nil {
		return nil, badInput("%s: %v", filepath.Join(dir, manifestFile), err)
	}
	findingsSum := sha256.Sum256(fb)
	fsum := hex.EncodeToString(findingsSum[:])
	for _, o := range man.Outputs {
		if o.File == diff.FindingsFile && o.SHA256 != fsum {
			return nil, badInput("%s: findings.json was changed after the run (its SHA-256 is not the manifest's)", dir)
		}
	}
	in := reports.InputFingerprint(man.Inputs)
	fp := sha256.Sum256([]byte("inputs " + in + "\nfindings.json " + fsum + "\n"))
	rf := &runFacts{
		ref: RunRef{
			Environment: doc.Environment, AsOf: doc.AsOf, GeneratedAt: doc.GeneratedAt,
			ToolVersion: doc.ToolVersion, RuleSetVersion: doc.RuleSetVersion,
			InputFingerprint: in, FindingsSHA256: fsum, Fingerprint: hex.EncodeToString(fp[:]),
		},
		users: map[string]userFacts{},
		bus:   map[string]buFacts{},
	}
	db, err := store.OpenReadOnly(ctx, filepath.Join(dir, diff.DatabaseFile))
	if err != nil {
		return nil, badInput("%s: %v", dir, err)
	}
	defer db.Close()
	for _, t := range []string{"persons", "user_held_roles", "businessunits", "systemusers", "role_privilege_grants", "privilege_tables", "high_risk_targets"} {
		ok, err := db.HasTable(ctx, t)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, badInput("%s: audit.duckdb has no %s (a run of another version?)", dir, t)
		}
	}
	// mask_rank, as the models and the rules rank a grant's depth; a run
	// opened read-only takes them as temporary macros
	if err := db.ExecScript(ctx, "access vocabulary", vocab.TempSQL); err != nil {
		return nil, err
	}
	if err := rf.load(ctx, db); err != nil {
		return nil, err
	}
	rf.addFindings(doc.Findings)
	return rf, nil
}

func str(v sql.NullString) string { return v.String }

func (rf *runFacts) load(ctx context.Context, db *store.DB) error {
	err := db.Query(ctx, "review: business units",
		`SELECT businessunitid, coalesce(name, businessunitid), parentbusinessunitid FROM businessunits`,
		func(r *sql.Rows) error {
			var b buFacts
			var parent sql.NullString
			if err := r.Scan(&b.id, &b.name, &parent); err != nil {
				return err
			}
			b.parentID = parent.String
			rf.bus[b.id] = b
			return nil
		})
	if err != nil {
		return err
	}
	// Last sign-in from Graph when the export has it; licenses by product.
	hasGraph, err := db.HasTable(ctx, "graph_users")
	if err != nil {
		return err
	}
	signIn := `NULL::VARCHAR`
	if hasGraph {
		signIn = `(SELECT strftime(max(g.lastsignindatetime), '%Y-%m-%d') FROM graph_users g
		           WHERE lower(g.id) = lower(u.azureactivedirectoryobjectid))`
	}
	hasLicenses, err := db.HasTable(ctx, "license_assignments")
	if err != nil {
		return err
	}
	license := `NULL::VARCHAR`
	if hasLicenses {
		license = `(SELECT string_agg(DISTINCT coalesce(l.productname, l.partnumber), '; ' ORDER BY coalesce(l.productname, l.partnumber))
		            FROM license_assignments l WHERE l.systemuserid = u.systemuserid AND l.skuid IS NOT NULL)`
	}
	err = db.Query(ctx, "review: users",
		`SELECT u.systemuserid, coalesce(u.domainname, ''), coalesce(u.fullname, u.domainname, u.systemuserid),
		        coalesce(u.businessunitid, ''), coalesce(u.parentsystemuserid, ''), coalesce(u.isdisabled, false),
		        u.systemuserid IN (SELECT systemuserid FROM persons), `+signIn+`, `+license+`
		 FROM systemusers u`,
		func(r *sql.Rows) error {
			var u userFacts
			var si, lic sql.NullString
			if err := r.Scan(&u.id, &u.domainName, &u.fullName, &u.buID, &u.managerID, &u.disabled, &u.person, &si, &lic); err != nil {
				return err
			}
			u.lastSignIn, u.license = str(si), str(lic)
			rf.users[u.id] = u
			return nil
		})
	if err != nil {
		return err
	}
	// Each role's high-risk privileges (the policy's list, at its depth)
	// and whether it is an administrator role, as ADMIN_EXCESS and
	// PRIV_HIGH_RISK recognise them.
	return db.Query(ctx, "review: held roles",
		`WITH risky AS (
		     SELECT g.roleid, string_agg(DISTINCT t.label, '; ' ORDER BY t.label) AS labels
		     FROM role_privilege_grants g
		     JOIN privilege_tables pt USING (privilegeid)
		     JOIN high_risk_targets t ON coalesce(pt.table_name, '') = coalesce(t.tbl, '') AND lower(pt.privilege) = t.priv
		     WHERE mask_rank(g.privilegedepthmask) >= t.min_depth_rank
		     GROUP BY g.roleid
		 )
		 SELECT DISTINCT h.systemuserid, h.rootroleid, h.roleid, h.role_name, h.via, coalesce(h.teamid, ''), coalesce(h.teamname, ''),
		        CASE WHEN h.roletemplateid = '627090ff-40a3-4053-8790-584edc5be201' OR h.role_name_norm = 'system administrator' THEN 'System Administrator'
		             WHEN h.roletemplateid = '119f245c-3cc8-4b62-b31c-d1a046ced15d' OR h.role_name_norm = 'system customizer' THEN 'System Customizer'
		             ELSE '' END,
		        coalesce(k.labels, '')
		 FROM user_held_roles h
		 JOIN persons p USING (systemuserid)
		 LEFT JOIN risky k ON k.roleid = h.roleid
		 ORDER BY 1, 4, 2, 5, 7, 6`,
		func(r *sql.Rows) error {
			var h holding
			if err := r.Scan(&h.systemUserID, &h.rootRoleID, &h.roleID, &h.role, &h.via, &h.teamID, &h.team, &h.admin, &h.highRisk); err != nil {
				return err
			}
			rf.holders = append(rf.holders, h)
			return nil
		})
}

// addFindings notes, for each person, the open findings that name them.
func (rf *runFacts) addFindings(fs []rules.Finding) {
	byUser := map[string]map[string]bool{}
	for _, f := range fs {
		if f.Waived || f.SubjectType != "user" {
			continue
		}
		if byUser[f.SubjectID] == nil {
			byUser[f.SubjectID] = map[string]bool{}
		}
		byUser[f.SubjectID][f.Rule+" ("+f.Severity+")"] = true
	}
	for id, set := range byUser {
		u, ok := rf.users[id]
		if !ok {
			continue
		}
		list := make([]string, 0, len(set))
		for s := range set {
			list = append(list, s)
		}
		sort.Strings(list)
		u.findings = strings.Join(list, "; ")
		rf.users[id] = u
	}
}

// Reviewers is the --reviewers mapping: business unit (name or id) to the
// reviewer who owns it.
type Reviewers map[string]string

// ReadReviewers reads a reviewers file: CSV lines "business unit,reviewer",
// an optional header line "businessunit,reviewer", "#" comments.
func ReadReviewers(r io.Reader, name string) (Reviewers, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	m := Reviewers{}
	for i, line := range strings.Split(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		bu, rev, ok := strings.Cut(line, ",")
		bu, rev = strings.Trim(strings.TrimSpace(bu), `"`), strings.Trim(strings.TrimSpace(rev), `"`)
		if i == 0 && strings.EqualFold(bu, "businessunit") {
			continue
		}
		if !ok || bu == "" || rev == "" {
			return nil, badInput("%s line %d: expected \"business unit,reviewer\", got %q", name, i+1, line)
		}
		key := strings.ToLower(bu)
		if old, dup := m[key]; dup && old != rev {
			return nil, badInput("%s line %d: business unit %q has two reviewers, %s and %s", name, i+1, bu, old, rev)
		}
		m[key] = rev
	}
	return m, nil
}

// owner is the reviewer of business unit buID: the mapping's entry for it
// or, failing that, for its nearest ancestor. A reviewer who is the person
// under review (self) is passed over for the next owner up the tree.
func (rf *runFacts) owner(m Reviewers, buID, self string) string {
	seen := map[string]bool{}
	for id := buID; id != "" && !seen[id]; id = rf.bus[id].parentID {
		seen[id] = true
		r, ok := m[strings.ToLower(rf.bus[id].name)]
		if !ok {
			r, ok = m[strings.ToLower(id)]
		}
		if ok && !strings.EqualFold(r, self) {
			return r
		}
	}
	return ""
}

// unknownUnits are the mapping's business units the run does not have.
func (rf *runFacts) unknownUnits(m Reviewers) []string {
	known := map[string]bool{}
	for id, b := range rf.bus {
		known[strings.ToLower(id)] = true
		known[strings.ToLower(b.name)] = true
	}
	var out []string
	for k := range m {
		if !known[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
