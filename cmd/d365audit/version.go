package main

import "runtime/debug"

// toolVersion is the version the binary reports in --version, the
// manifest, findings.json, the workbook and the PDF.
func toolVersion() string {
	if version != "" {
		return version
	}
	return buildVersion()
}

// buildVersion is the version a plain go build or go install records: the
// module version (go install ...@v1.2.0, or Go's pseudo-version of the
// checked-out commit), else the commit, else "dev".
func buildVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	return versionFromBuildInfo(info)
}

func versionFromBuildInfo(info *debug.BuildInfo) string {
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var revision, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if revision == "" {
		return "dev"
	}
	v := "dev-" + revision[:min(12, len(revision))]
	if modified == "true" {
		v += "-dirty"
	}
	return v
}
