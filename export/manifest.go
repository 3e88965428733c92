package export

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// ManifestFile is written last into a finished export (and into an
// incomplete one, with complete: false).
const ManifestFile = "export-manifest.json"

// Status of a table in the manifest.
const (
	StatusExported   = "exported"
	StatusSkipped    = "skipped"     // refused, optional, recorded with the reason
	StatusFailed     = "failed"      // the error that stopped the export
	StatusStopped    = "stopped"     // started, cut short by another table's failure
	StatusNotStarted = "not started" // never requested
)

// Manifest says what an export holds and how it was made: the environment,
// when, every table's outcome and every file's row count and SHA-256.
type Manifest struct {
	Tool        string        `json:"tool"`
	ToolVersion string        `json:"tool_version"`
	Complete    bool          `json:"complete"`
	Environment string        `json:"environment"`
	GraphURL    string        `json:"graph,omitempty"`
	Tenant      string        `json:"tenant,omitempty"`
	Auth        string        `json:"auth"`
	StartedAt   time.Time     `json:"started_at"`
	FinishedAt  time.Time     `json:"finished_at"`
	Error       string        `json:"error,omitempty"`
	Tables      []TableResult `json:"tables"`
	Files       []FileEntry   `json:"files"`
}

// TableResult is one table's outcome.
type TableResult struct {
	Name     string `json:"name"`
	Source   Source `json:"source"`
	Required bool   `json:"required"`
	Query    string `json:"query"`
	Status   string `json:"status"`
	Pages    int    `json:"pages"`
	Rows     int64  `json:"rows"`
	Reason   string `json:"reason,omitempty"`
}

// FileEntry is one written file; Path is relative to the export, with /.
type FileEntry struct {
	Path   string `json:"path"`
	Table  string `json:"table"`
	Page   int    `json:"page"`
	Rows   int    `json:"rows"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// Skipped lists the tables left out of a finished export.
func (m *Manifest) Skipped() []TableResult {
	var out []TableResult
	for _, t := range m.Tables {
		if t.Status == StatusSkipped {
			out = append(out, t)
		}
	}
	return out
}

// Rows is the number of rows of every exported table.
func (m *Manifest) Rows() int64 {
	var n int64
	for _, t := range m.Tables {
		n += t.Rows
	}
	return n
}

func (m *Manifest) write(dir string) error {
	sort.Slice(m.Files, func(i, j int) bool { return m.Files[i].Path < m.Files[j].Path })
	return writeJSON(filepath.Join(dir, ManifestFile), m)
}

// ReadManifest reads the manifest of an export directory.
func ReadManifest(dir string) (*Manifest, error) {
	return readJSON[Manifest](filepath.Join(dir, ManifestFile))
}

// writeJSON writes v to path as indented JSON ending in a newline: the one
// form of every manifest, so that they diff and read well.
func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// readJSON reads the JSON file at path into a new T.
func readJSON[T any](path string) (*T, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	return &v, nil
}
