// Package review runs a user access review from an audit run: a campaign of
// one workbook per reviewer, each row a person's role and how it is held,
// to keep or revoke; and the collection of the returned workbooks into the
// evidence (decisions.csv, revocations.csv, review.pdf).
//
// A campaign is made from a run's output directory (findings.json,
// audit.duckdb, manifest.json) and never changes it. campaign.json holds
// every item with its hash; collect checks each returned row against it, so
// a workbook of another campaign, or a row whose facts were edited, is
// refused rather than counted.
package review

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// SchemaVersion is the version of campaign.json's schema.
const SchemaVersion = 1

// File names of a campaign directory and of collect's result directory.
const (
	CampaignFile    = "campaign.json"
	DecisionsFile   = "decisions.csv"
	RevocationsFile = "revocations.csv"
	EvidenceFile    = "review.pdf"
)

// Grouping of items into workbooks.
const (
	ByManager      = "manager"
	ByBusinessUnit = "businessunit"
)

// Unassigned is the reviewer of items nobody else reviews.
const Unassigned = "unassigned"

// Decisions as a reviewer writes them, and the state of an item without one.
const (
	Keep      = "Keep"
	Revoke    = "Revoke"
	Undecided = "undecided"
)

// Campaign is campaign.json: what was sent to whom, as of which run.
type Campaign struct {
	SchemaVersion int    `json:"schema_version"`
	ID            string `json:"campaign_id"`
	By            string `json:"by"`
	Due           string `json:"due"`
	Run           RunRef `json:"run"`
	// Previous is the campaign this one is compared with (--previous).
	Previous  *PreviousRef      `json:"previous"`
	Reviewers []ReviewerFile    `json:"reviewers"`
	Items     []Item            `json:"items"`
	Removed   []RemovedSinceRef `json:"removed_since_previous"`
	// Warnings say what may make the campaign mislead: a reviewers file
	// naming business units the run does not have.
	Warnings []string `json:"warnings"`
}

// RunRef identifies the run a campaign was made from.
type RunRef struct {
	Environment    string `json:"environment"`
	AsOf           string `json:"as_of"`
	GeneratedAt    string `json:"generated_at"`
	ToolVersion    string `json:"tool_version"`
	RuleSetVersion string `json:"rule_set_version"`
	// InputFingerprint is report.pdf's: the SHA-256 of the input manifest.
	InputFingerprint string `json:"input_fingerprint"`
	FindingsSHA256   string `json:"findings_sha256"`
	// Fingerprint is the SHA-256 of the two lines "inputs <input
	// fingerprint>" and "findings.json <its SHA-256>".
	Fingerprint string `json:"fingerprint"`
}

// PreviousRef names the campaign compared with.
type PreviousRef struct {
	ID      string `json:"campaign_id"`
	RunAsOf string `json:"run_as_of"`
	// Decisions says whether its decisions.csv was found beside it.
	Decisions bool `json:"decisions"`
}

// ReviewerFile is one reviewer's workbook.
type ReviewerFile struct {
	Reviewer string `json:"reviewer"`
	File     string `json:"file"`
	Items    int    `json:"items"`
}

// Item is one row to review: a person, a role, and how the person holds it.
type Item struct {
	ID           string `json:"id"`
	Hash         string `json:"hash"`
	Reviewer     string `json:"reviewer"`
	SystemUserID string `json:"systemuserid"`
	DomainName   string `json:"domainname"`
	Person       string `json:"person"`
	BusinessUnit string `json:"businessunit"`
	Role         string `json:"role"`
	RoleID       string `json:"roleid"`
	// Held is "direct" or "team NAME".
	Held   string `json:"held"`
	TeamID string `json:"teamid,omitempty"`
	// Admin is "System Administrator" or "System Customizer" for those
	// roles, else "".
	Admin      string `json:"admin"`
	HighRisk   string `json:"high_risk_privileges"`
	Findings   string `json:"findings"`
	LastSignIn string `json:"last_signin"`
	License    string `json:"license"`
	Change     string `json:"change"`
}

// RemovedSinceRef is an item of the previous campaign that the run no
// longer shows: the role is not held that way any more.
type RemovedSinceRef struct {
	ID       string `json:"id"`
	Person   string `json:"person"`
	Role     string `json:"role"`
	Held     string `json:"held"`
	Decision string `json:"previous_decision"`
}

// column is one column of a review sheet: the heading, the width, and the
// item's value (nil for the columns the reviewer fills).
type column struct {
	head  string
	width float64
	value func(it *Item) string
}

// factColumns are the protected columns, in order; their values make the
// row's hash. Decision and Comment follow, then the hash.
var factColumns = []column{
	{"Item", 18, func(it *Item) string { return it.ID }},
	{"Person", 24, func(it *Item) string { return it.Person }},
	{"User name", 30, func(it *Item) string { return it.DomainName }},
	{"Business unit", 18, func(it *Item) string { return it.BusinessUnit }},
	{"Role", 28, func(it *Item) string { return it.Role }},
	{"Held", 22, func(it *Item) string { return it.Held }},
	{"Admin role", 14, func(it *Item) string { return it.Admin }},
	{"High-risk privileges", 30, func(it *Item) string { return it.HighRisk }},
	{"Findings about the person", 30, func(it *Item) string { return it.Findings }},
	{"Last sign-in", 12, func(it *Item) string { return it.LastSignIn }},
	{"License", 30, func(it *Item) string { return it.License }},
	{"Change since previous campaign", 24, func(it *Item) string { return it.Change }},
}

// Headings of the columns after the facts.
const (
	headDecision = "Decision"
	headComment  = "Comment"
	headHash     = "Row check"
)

// rowHash is the hash of one row's facts within one campaign: a row copied
// into another campaign's workbook, or edited, no longer matches.
func rowHash(campaignID string, facts []string) string {
	h := sha256.New()
	h.Write([]byte(campaignID))
	for _, f := range facts {
		h.Write([]byte{0x1f})
		h.Write([]byte(f))
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

func (it *Item) facts() []string {
	out := make([]string, len(factColumns))
	for i, c := range factColumns {
		out[i] = c.value(it)
	}
	return out
}

// itemID is an item's stable id: the same person, root role and way of
// holding it give the same id in every run and campaign.
func itemID(systemUserID, rootRoleID, via, teamID string) string {
	h := sha256.Sum256([]byte(strings.Join([]string{systemUserID, rootRoleID, via, teamID}, "|")))
	return "I-" + strings.ToUpper(hex.EncodeToString(h[:])[:14])
}

// fileName is a reviewer's workbook name: the reviewer with the characters
// file systems refuse replaced.
func fileName(reviewer string) string {
	var b strings.Builder
	for _, r := range reviewer {
		switch {
		case r < 0x20, strings.ContainsRune(`<>:"/\|?*`, r):
			b.WriteRune('_')
		default:
			b.WriteRune(r)
		}
	}
	s := strings.Trim(b.String(), " .")
	if s == "" {
		s = "_"
	}
	return s + ".xlsx"
}
