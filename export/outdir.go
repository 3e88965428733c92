package export

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// An export is written into a staging directory beside the output
// (OUT.partial-XXXX) and renamed to OUT only when every table has been
// fetched, so OUT is either a complete export or untouched. A failed export
// becomes OUT.incomplete: EXPORT-INCOMPLETE.txt and the manifest at its
// top, the pages fetched so far under fetched/. Nothing at its top level is
// a table file, so validate and run refuse it ("required table is missing")
// even when pointed at it.

// IncompleteMarker is the file that says a directory is not an export.
const IncompleteMarker = "EXPORT-INCOMPLETE.txt"

// incompleteSuffix names the directory a failed export leaves.
const incompleteSuffix = ".incomplete"

// outIsEmpty says whether out is missing or an empty directory, and refuses
// a file or an unreadable directory.
func outIsEmpty(out string) (bool, error) {
	entries, err := os.ReadDir(out)
	if errors.Is(err, fs.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		if st, serr := os.Stat(out); serr == nil && !st.IsDir() {
			return false, usageErr("--out %s: a file, not a directory", out)
		}
		return false, usageErr("--out %s: %v", out, err)
	}
	return len(entries) == 0, nil
}

// checkOut refuses an output directory the export must not replace: a file,
// a directory that is not a previous export, or a previous export without
// force. An empty or missing directory is fine.
func checkOut(out string, force bool) error {
	if empty, err := outIsEmpty(out); empty || err != nil {
		return err
	}
	m, err := ReadManifest(out)
	if err != nil {
		return usageErr("--out %s: exists and holds no export (no readable %s): choose another directory", out, ManifestFile)
	}
	if !force {
		return usageErr("--out %s: holds the export of %s made %s: pass --force to replace it",
			out, m.Environment, m.FinishedAt.Format("2006-01-02 15:04 MST"))
	}
	// Replacing removes the directory: refuse when it holds anything the
	// export did not write (a policy or baseline kept beside the tables).
	if foreign := foreignFile(out, m); foreign != "" {
		return usageErr("--out %s: holds %s, which no export wrote; move it away before replacing the export", out, foreign)
	}
	return nil
}

// foreignFile returns the first file or directory in out that the
// manifest does not account for, or "".
func foreignFile(out string, m *Manifest) string {
	known := map[string]bool{ManifestFile: true, "graph": true}
	for _, f := range m.Files {
		known[f.Path] = true
	}
	var found string
	filepath.WalkDir(out, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			found = path
			return fs.SkipAll
		}
		rel, _ := filepath.Rel(out, path)
		if rel == "." {
			return nil
		}
		if !known[filepath.ToSlash(rel)] {
			found = filepath.ToSlash(rel)
			return fs.SkipAll
		}
		return nil
	})
	return found
}

// newStaging creates the directory pages are written into, beside out so
// the final rename stays on one file system.
func newStaging(out string) (string, error) {
	parent := filepath.Dir(out)
	err := os.MkdirAll(parent, 0o755)
	staging := ""
	if err == nil {
		staging, err = os.MkdirTemp(parent, filepath.Base(out)+".partial-")
	}
	if err != nil {
		return "", fmt.Errorf("create the staging directory beside %s: %w", out, err)
	}
	return staging, nil
}

// publish moves a finished staging directory to out, replacing what
// checkOut allowed to replace.
func publish(staging, out string) error {
	st, err := os.Stat(out)
	if errors.Is(err, fs.ErrNotExist) {
		return os.Rename(staging, out)
	}
	if err != nil || !st.IsDir() {
		return fmt.Errorf("replace %s: %v", out, err)
	}
	if err := os.Remove(out); err == nil { // it was empty
		return os.Rename(staging, out)
	}
	old := staging + ".replaced"
	if err := os.Rename(out, old); err != nil {
		return fmt.Errorf("move the previous export aside: %w", err)
	}
	if err := os.Rename(staging, out); err != nil {
		if rerr := os.Rename(old, out); rerr != nil {
			return fmt.Errorf("move the export into place: %v; the previous export is in %s", err, old)
		}
		return fmt.Errorf("move the export into place: %w", err)
	}
	return os.RemoveAll(old)
}

// abandon turns a failed export's staging directory into OUT.incomplete and
// returns where it is. When that cannot be done, the staging directory
// itself gets the marker (its name already says partial).
func abandon(staging, out string, m *Manifest) string {
	return abandonDir(staging, out, func(dir string, _ bool) { markIncomplete(dir, m) })
}

// abandonDir moves staging to OUT.incomplete/fetched and has mark write the
// marker and manifest into OUT.incomplete (moved true), or into staging
// itself when the move failed.
func abandonDir(staging, out string, mark func(dir string, moved bool)) string {
	inc := out + incompleteSuffix
	if _, err := os.Stat(filepath.Join(inc, IncompleteMarker)); err == nil {
		os.RemoveAll(inc) // an earlier failure's leftovers
	}
	if err := os.Mkdir(inc, 0o755); err == nil {
		if err := os.Rename(staging, filepath.Join(inc, "fetched")); err == nil {
			mark(inc, true)
			return inc
		}
		os.Remove(inc)
	}
	mark(staging, false)
	return staging
}

func markIncomplete(dir string, m *Manifest) {
	var b strings.Builder
	fmt.Fprintf(&b, "THIS IS NOT AN EXPORT: do not audit it.\n\n")
	what := m.Environment
	if what == "" { // the graph/ part of a tenant export
		what = m.GraphURL
	}
	fmt.Fprintf(&b, "d365audit export of %s stopped at %s:\n  %s\n\n", what,
		m.FinishedAt.Format("2006-01-02 15:04:05 MST"), strings.ReplaceAll(m.Error, "\n", "\n  "))
	fmt.Fprintf(&b, "What was fetched before it stopped is in fetched/, for diagnosis only. %s lists\n"+
		"each table as exported, skipped, failed, stopped or not started. Fix the cause and run the\n"+
		"export again: it writes the output directory only when every table has been fetched.\n", ManifestFile)
	os.WriteFile(filepath.Join(dir, IncompleteMarker), []byte(b.String()), 0o644)
	m.write(dir)
}
