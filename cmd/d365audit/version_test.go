package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"unicode/utf16"
)

func TestVersionFromBuildInfo(t *testing.T) {
	rev := []debug.BuildSetting{{Key: "vcs.revision", Value: "c461b98b58ca0123456789abcdef0123456789ab"}}
	for _, tc := range []struct {
		info debug.BuildInfo
		want string
	}{
		{debug.BuildInfo{Main: debug.Module{Version: "v1.2.0"}}, "v1.2.0"},
		{debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: rev}, "dev-c461b98b58ca"},
		{debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: append(rev, debug.BuildSetting{Key: "vcs.modified", Value: "true"})}, "dev-c461b98b58ca-dirty"},
		{debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "dev"},
	} {
		if got := versionFromBuildInfo(&tc.info); got != tc.want {
			t.Errorf("versionFromBuildInfo(%+v) = %q, want %q", tc.info, got, tc.want)
		}
	}
}

// The version stamped at build time is what --version says and what every
// evidence file records: the manifest, findings.json, the workbook's
// properties and the PDF's creator.
func TestVersionInEveryEvidenceFile(t *testing.T) {
	saved := version
	version = "v9.8.7-test"
	defer func() { version = saved }()

	if code, out, _ := runCLI(t, "--version"); code != exitOK || strings.TrimSpace(out) != "d365audit version v9.8.7-test" {
		t.Errorf("--version: exit %d, %q", code, out)
	}
	out := t.TempDir()
	if code, _, errOut := runCLI(t, "run", "--input", "../../samples/contoso", "--out", out); code != exitOK {
		t.Fatalf("run: exit %d %s", code, errOut)
	}
	for _, name := range []string{"manifest.json", "findings.json"} {
		var doc struct {
			ToolVersion string `json:"tool_version"`
		}
		b, _ := os.ReadFile(filepath.Join(out, name))
		if err := json.Unmarshal(b, &doc); err != nil || doc.ToolVersion != "v9.8.7-test" {
			t.Errorf("%s: tool_version %q (%v)", name, doc.ToolVersion, err)
		}
	}
	zr, err := zip.OpenReader(filepath.Join(out, "report.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var core []byte
	for _, f := range zr.File {
		if f.Name == "docProps/core.xml" {
			r, _ := f.Open()
			core, _ = io.ReadAll(r)
			r.Close()
		}
	}
	if !bytes.Contains(core, []byte("d365audit v9.8.7-test")) {
		t.Errorf("report.xlsx properties lack the version:\n%s", core)
	}
	pdf, _ := os.ReadFile(filepath.Join(out, "report.pdf"))
	if !bytes.Contains(pdf, utf16BE("d365audit v9.8.7-test")) {
		t.Error("report.pdf's creator lacks the version")
	}
}

// utf16BE is how the PDF's document information stores a UTF-8 string.
func utf16BE(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u>>8), byte(u))
	}
	return b
}
