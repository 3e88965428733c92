package rules

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

//go:embed builtin/*.sql
var builtin embed.FS

// Version is the version of the built-in rule set; it changes whenever a
// rule does, and every report names it.
const Version = "2026.11.1"

// Builtin returns the built-in catalogue, sorted by ID.
func Builtin() ([]Rule, error) {
	return readRules(builtin, "builtin", "builtin/")
}

// LoadDir reads an organisation's own rules (*.sql) from dir.
func LoadDir(dir string) ([]Rule, error) {
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("rules directory: %w", err)
	}
	return readRules(os.DirFS(dir), ".", filepath.ToSlash(dir)+"/")
}

func readRules(fsys fs.FS, dir, label string) ([]Rule, error) {
	names, err := fs.Glob(fsys, dir+"/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []Rule
	for _, name := range names {
		text, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		r, err := Parse(label+filepath.Base(name), string(text))
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// Catalogue merges rule sets and refuses two rules with one ID.
func Catalogue(sets ...[]Rule) ([]Rule, error) {
	seen := map[string]string{}
	var out []Rule
	for _, set := range sets {
		for _, r := range set {
			if prev, dup := seen[r.ID]; dup {
				return nil, fmt.Errorf("rule %s is defined twice: %s and %s", r.ID, prev, r.Source)
			}
			seen[r.ID] = r.Source
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// IDs lists the rule IDs, for messages.
func IDs(rs []Rule) string {
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.ID
	}
	return strings.Join(ids, ", ")
}
