package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// CheckInputDir says what is wrong with an --input that should be an
// export directory: it does not exist, or it is a file.
func CheckInputDir(path string) error {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("--input %s does not exist", path)
	case err != nil:
		return fmt.Errorf("--input %s: %w", path, err)
	case !st.IsDir():
		return fmt.Errorf("--input %s is a file, not an export directory", path)
	}
	return nil
}

// checkOut refuses an output directory a run must not write into: one
// inside the export, a file, a directory holding files no run wrote, or a
// previous run without force. A run's marker is its manifest.json (tool
// "d365audit"): a directory without one holds only files the run did not
// write, whatever their names. A missing or empty directory is fine.
func checkOut(out, input string, force bool) error {
	if inside(out, input) {
		return fmt.Errorf("--out %s is inside --input %s: the evidence would be mixed with the export; choose a directory outside it", out, input)
	}
	entries, err := os.ReadDir(out)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		if st, serr := os.Stat(out); serr == nil && !st.IsDir() {
			return fmt.Errorf("--out %s is a file, not a directory", out)
		}
		return fmt.Errorf("--out %s: %w", out, err)
	}
	var names []string
	for _, e := range entries {
		if !isPartial(e.Name()) {
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		return nil
	}
	m, ok := readRunManifest(out)
	var foreign []string
	for _, n := range names {
		if !ok || !m.wrote(n) {
			foreign = append(foreign, n)
		}
	}
	if len(foreign) > 0 {
		if len(foreign) > 3 {
			foreign = append(foreign[:3], "...")
		}
		return fmt.Errorf("--out %s holds files d365audit did not write (%s): choose a new or empty directory", out, strings.Join(foreign, ", "))
	}
	if !force {
		return fmt.Errorf("--out %s holds the run of %s (%s): pass --force to replace it", out, m.GeneratedAt, m.Environment)
	}
	return nil
}

// runManifest is what checkOut reads of a previous run's manifest.
type runManifest struct {
	Tool        string       `json:"tool"`
	GeneratedAt string       `json:"generated_at"`
	Environment string       `json:"environment"`
	Outputs     []outputFile `json:"outputs"`
}

func readRunManifest(dir string) (*runManifest, bool) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return nil, false
	}
	var m runManifest
	if json.Unmarshal(b, &m) != nil || m.Tool != "d365audit" {
		return nil, false
	}
	return &m, true
}

// wrote is true for the manifest and every output it lists.
func (m *runManifest) wrote(name string) bool {
	if name == ManifestFile {
		return true
	}
	for _, o := range m.Outputs {
		// a tenant's access.parquet is a folder: its files are listed
		if o.File == name || strings.HasPrefix(o.File, name+"/") {
			return true
		}
	}
	return false
}

// isPartial is a temporary file of atomicWrite left by a run that stopped.
func isPartial(name string) bool {
	return strings.HasPrefix(name, ".") && strings.HasSuffix(name, ".partial")
}

// inside is true when dir is base or below it.
func inside(dir, base string) bool {
	d, err1 := filepath.Abs(dir)
	b, err2 := filepath.Abs(base)
	if err1 != nil || err2 != nil {
		return false
	}
	rel, err := filepath.Rel(b, d)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
