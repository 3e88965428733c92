// Package testfiles writes and copies the input files of the ingest tests
// (ingest and its readers), failing the test on any error. It cannot live in
// internal/testenv, which imports ingest.
package testfiles

import (
	"os"
	"path/filepath"
	"testing"
)

// Write writes content to path, creating its directory.
func Write(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Append adds content to the end of the existing file path.
func Append(t testing.TB, path, content string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(content); err != nil {
		t.Fatal(err)
	}
}

// Copy copies the file src to dst, creating dst's directory.
func Copy(t testing.TB, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	Write(t, dst, string(b))
}

// CopyDir copies the tree src into dst.
func CopyDir(t testing.TB, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		Copy(t, p, filepath.Join(dst, rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TempCopy copies the tree src into a new temporary directory, removed when
// the test ends, and returns that directory: a fixture the test may change.
func TempCopy(t testing.TB, src string) string {
	t.Helper()
	dir := t.TempDir()
	CopyDir(t, src, dir)
	return dir
}
