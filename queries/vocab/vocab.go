// Package vocab is the access vocabulary: the depth names in rank order,
// the names the role editor gives them, a privilegedepthmask's bits and
// rank, the access classes, and the rights a table has. It is defined once
// per language: vocabulary.sql (the SQL macros depth_name, mask_rank and
// grant_depth_rank) for the models, the rules and diff; this file for Go
// (the matrix, the access questions, the policy, ingest, the reports, the
// sample generator). TestSQLTwin holds the two to one table of masks.
//
// Go needs its copy because the matrix is computed in Go as well as in SQL
// (queries/access says why); this package keeps the two from drifting on
// what a depth is.
package vocab

import (
	_ "embed"
	"strings"
)

// SQL defines the vocabulary's macros (depth_name, mask_rank,
// grant_depth_rank); the access model runs it first, diff runs it on the
// database it compares two runs in.
//
//go:embed vocabulary.sql
var SQL string

// TempSQL defines the same macros as temporary ones: a run's database
// opened read-only (review) takes them, and a run of a version before the
// macros existed lacks them.
var TempSQL = strings.ReplaceAll(SQL, "CREATE OR REPLACE MACRO", "CREATE OR REPLACE TEMP MACRO")

// Depths in rising order; a depth's rank is its index.
var Depths = []string{"team", "basic", "local", "deep", "global"}

// Depth ranks, as Depths orders them. Team is a Basic grant of a team role
// whose members do not inherit it: it reaches only the team's records.
const (
	Team int8 = iota
	Basic
	Local
	Deep
	Global
)

// depthAliases are the names the security role editor shows for the
// depths (User, Business Unit, Parent: Child Business Units, Organization),
// which admins type as often as ours.
var depthAliases = map[string]string{
	"user": "basic", "business unit": "local", "parent: child business units": "deep",
	"parent:child business units": "deep", "parent child business units": "deep", "organization": "global",
	"organisation": "global",
}

// DepthRank returns the rank of a depth name (ours, or the role editor's),
// or -1.
func DepthRank(depth string) int {
	d := strings.ToLower(strings.Join(strings.Fields(depth), " "))
	if alias, ok := depthAliases[d]; ok {
		d = alias
	}
	for i, name := range Depths {
		if name == d {
			return i
		}
	}
	return -1
}

// DepthNames lists the depth names a person may type, for error messages.
const DepthNames = "team, basic (User), local (Business Unit), deep (Parent: Child Business Units), global (Organization)"

// MaskLevel is one depth bit of a privilegedepthmask and the name
// Dataverse gives it (the role XML's level, the option set's label).
type MaskLevel struct {
	Name string
	Bit  int8
}

// MaskLevels are the depth bits, narrowest first: MaskLevels[i] is the
// depth of rank i+1 (team is no bit of its own, but a Basic grant held
// through a team whose members do not inherit the role).
var MaskLevels = []MaskLevel{{"Basic", 1}, {"Local", 2}, {"Deep", 4}, {"Global", 8}}

// LevelName is the Dataverse name of a mask of exactly one depth bit.
func LevelName(mask int8) (string, bool) {
	for _, l := range MaskLevels {
		if l.Bit == mask {
			return l.Name, true
		}
	}
	return "", false
}

// Access classes of a user (the access model's user_access_class, from
// isdisabled and accessmode): what a user's roles can give them. A disabled
// user holds nothing, a Read-mode user only reads, an Administrative-mode
// user holds nothing on the business tables; everyone else is full.
const (
	ClassFull           = "full"
	ClassRead           = "read"
	ClassAdministrative = "administrative"
	ClassDisabled       = "disabled"
)

// GrantRank is the depth rank of one grant (SQL: grant_depth_rank): its
// mask's broadest depth bit (8 global, 4 deep, 2 local, 1 basic), or Team
// for a Basic grant of a team role whose members do not inherit it
// (dataverse-security.md 2.1, 2.3). The models keep no grant without a
// depth bit (role_privilege_grants drops mask & 15 = 0), so a mask is never
// 0 here; SQL would give it NULL.
func GrantRank(mask int8, teamNoInherit bool) int8 {
	switch {
	case mask&8 != 0:
		return Global
	case mask&4 != 0:
		return Deep
	case mask&2 != 0:
		return Local
	case teamNoInherit:
		return Team
	}
	return Basic
}

// TableRights are the privileges a table has, as the matrix names them, in
// the order the Dataverse role editor shows them.
var TableRights = []string{"create", "read", "write", "delete", "append", "appendto", "assign", "share"}

// IsTableRight says whether p names a table right, in any case.
func IsTableRight(p string) bool {
	for _, r := range TableRights {
		if strings.EqualFold(r, strings.TrimSpace(p)) {
			return true
		}
	}
	return false
}
