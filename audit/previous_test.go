package audit

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// run --previous compares with the earlier run and writes diff.json, which
// the manifest fingerprints like every other output.
func TestRunWithPrevious(t *testing.T) {
	ctx := context.Background()
	first, second := t.TempDir(), t.TempDir()
	if _, err := Run(ctx, Options{Input: samples, Out: first, Now: time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	rep, err := Run(ctx, Options{Input: "../samples/contoso-2026-12", Out: second, Previous: first,
		Now: time.Date(2026, 12, 20, 8, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Changes == nil || rep.Changes.Summary.FindingsNew != 4 || rep.Changes.Summary.FindingsResolved != 3 {
		t.Fatalf("changes = %+v", rep.Changes)
	}
	if _, err := os.Stat(filepath.Join(second, "diff.json")); err != nil {
		t.Fatal(err)
	}
	m, _ := os.ReadFile(filepath.Join(second, ManifestFile))
	if !strings.Contains(string(m), `"file": "diff.json"`) {
		t.Error("manifest does not fingerprint diff.json")
	}

	// Replacing the second run with one that compares with nothing
	// leaves no stale diff.json behind.
	if _, err := Run(ctx, Options{Input: samples, Out: second, Force: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(second, "diff.json")); !os.IsNotExist(err) {
		t.Errorf("diff.json of the replaced run is still there: %v", err)
	}

	_, err = Run(ctx, Options{Input: samples, Out: first, Previous: first})
	var ie *InputError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "is the output directory") {
		t.Errorf("--previous = --out: err = %v", err)
	}
	_, err = Run(ctx, Options{Input: samples, Out: t.TempDir(), Previous: t.TempDir()})
	if !errors.As(err, &ie) {
		t.Errorf("--previous not a run: err = %v", err)
	}
}
