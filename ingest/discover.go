package ingest

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Format is the shape a file comes in.
type Format string

const (
	FormatJSON    Format = "json"
	FormatCSV     Format = "csv"
	FormatParquet Format = "parquet"
)

// inputFile is one file of an export.
type inputFile struct {
	Path   string // absolute or as given
	Rel    string // relative to the export directory, for messages
	Format Format
	Page   int // 1 for NAME.json, N for NAME.N.json
}

// graphSources maps the Graph files of the graph/ subdirectory to the tables
// they fill. users.json fills two tables: the users, and their licenses.
var graphSources = map[string][]string{
	"subscribedskus": {"graph_subscribedskus"},
	"users":          {"graph_users", "graph_assignedlicenses"},
}

// rereadsFile reports whether table reads files another table reads first
// (graph_assignedlicenses, from the users pages): the problems of the file
// itself, its JSON and its encoding, are that first table's to report, once.
func rereadsFile(table string) bool {
	for _, tables := range graphSources {
		for _, t := range tables[1:] {
			if t == table {
				return true
			}
		}
	}
	return false
}

// Reference inputs that may sit beside the export; ingest reads the first
// two, the policy and waivers belong to the rule engine. The manifests
// export writes (export-manifest.json in an export and in graph/,
// tenant.json and environments/ in a tenant folder) are known too: they are
// no data, and no cause for a notice.
var referenceNames = map[string]bool{"baseline": true, "prices.csv": true, "policy.yaml": true,
	"policy.yml": true, "waivers.yaml": true, "waivers.yml": true, "readme.md": true,
	"export-manifest.json": true, "tenant.json": true, "environments": true}

var fileNamePattern = regexp.MustCompile(`^(?i)([a-z0-9_]+)(?:\.([0-9]+))?\.(json|csv|parquet)$`)

// discovered is what a directory scan found: the files of each table.
type discovered struct {
	files map[string][]inputFile // by canonical table name, pages in order
}

// discover scans an export directory (and its graph/ subdirectory) and groups
// the files by table. Ambiguities (two formats for one table, a missing page)
// are structural problems; files it does not know are notices.
func discover(dir string, ps *Problems) (*discovered, error) {
	d := &discovered{files: map[string][]inputFile{}}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read export directory: %w", err)
	}
	byTable := map[string][]inputFile{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() {
			if strings.EqualFold(name, "graph") {
				if err := discoverGraph(filepath.Join(dir, name), name, byTable, ps); err != nil {
					return nil, err
				}
			} else if !referenceNames[strings.ToLower(name)] {
				ps.addf(Notice, name+"/", "", "", "directory not part of the export format; ignored")
			}
			continue
		}
		if referenceNames[strings.ToLower(name)] || strings.HasPrefix(name, ".") {
			continue
		}
		m := fileNamePattern.FindStringSubmatch(name)
		if m == nil {
			ps.addf(Notice, name, "", "", "not a table file (NAME.json, NAME.N.json, NAME.csv or NAME.parquet); ignored")
			continue
		}
		table := strings.ToLower(m[1])
		if t, ok := TableByName(table); !ok || !isDataverse(t.Name) {
			ps.addf(Notice, name, "", "", "no table of the export format is called %q; ignored", m[1])
			continue
		}
		f, ok := newInputFile(filepath.Join(dir, name), name, m, ps)
		if ok {
			byTable[table] = append(byTable[table], f)
		}
	}
	for table, files := range byTable {
		if checked, ok := checkPages(table, files, ps); ok {
			d.files[table] = checked
		}
	}
	return d, nil
}

func discoverGraph(dir, rel string, byTable map[string][]inputFile, ps *Problems) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("read graph directory: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		relName := rel + "/" + name
		if e.IsDir() || strings.HasPrefix(name, ".") || referenceNames[strings.ToLower(name)] {
			continue
		}
		m := fileNamePattern.FindStringSubmatch(name)
		if m == nil || !strings.EqualFold(m[3], "json") {
			ps.addf(Notice, relName, "", "", "not a Graph response body (subscribedSkus.json, users.json, users.N.json); ignored")
			continue
		}
		tables, known := graphSources[strings.ToLower(m[1])]
		if !known {
			ps.addf(Notice, relName, "", "", "no Graph input is called %q; ignored", m[1])
			continue
		}
		f, ok := newInputFile(filepath.Join(dir, name), relName, m, ps)
		if !ok {
			continue
		}
		for _, t := range tables {
			byTable[t] = append(byTable[t], f)
		}
	}
	return nil
}

func newInputFile(path, rel string, m []string, ps *Problems) (inputFile, bool) {
	f := inputFile{Path: path, Rel: rel, Format: Format(strings.ToLower(m[3])), Page: 1}
	if m[2] != "" {
		n, err := strconv.Atoi(m[2])
		if err != nil || n < 1 {
			ps.addf(Structural, rel, "", "", "page number %q is not a positive integer", m[2])
			return f, false
		}
		if f.Format != FormatJSON {
			ps.addf(Structural, rel, "", "", "only Web API JSON bodies come in pages (NAME.N.json)")
			return f, false
		}
		f.Page = n
	}
	return f, true
}

// checkPages orders a table's files and rejects a table that comes in two
// formats, or whose pages have a gap.
func checkPages(table string, files []inputFile, ps *Problems) ([]inputFile, bool) {
	sort.Slice(files, func(i, j int) bool { return files[i].Page < files[j].Page })
	formats := map[Format]bool{}
	for _, f := range files {
		formats[f.Format] = true
	}
	if len(formats) > 1 {
		names := make([]string, len(files))
		for i, f := range files {
			names[i] = f.Rel
		}
		ps.addf(Structural, files[0].Rel, "", "", "table %s comes in more than one format (%s): keep one", table, strings.Join(names, ", "))
		return nil, false
	}
	for i, f := range files {
		if f.Page != i+1 {
			if i > 0 && f.Page == files[i-1].Page {
				ps.addf(Structural, f.Rel, "", "", "page %d of %s appears twice (%s and %s)", f.Page, table, files[i-1].Rel, f.Rel)
			} else {
				ps.addf(Structural, f.Rel, "", "", "page %d of %s is missing: the export is incomplete", i+1, table)
			}
			return nil, false
		}
	}
	return files, true
}

func isDataverse(name string) bool {
	for _, t := range dataverseTables {
		if t.Name == name {
			return true
		}
	}
	return false
}
