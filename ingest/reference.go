package ingest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/d365audit/d365audit/ingest/rolexml"
)

// loadReferences loads the baseline roles and the price list, from the flags
// or from beside the export.
func (l *loader) loadReferences(ctx context.Context, opts Options) error {
	prices := opts.Prices
	if prices == "" {
		prices = besideExport(opts.Input, "prices.csv")
	}
	pt, _ := TableByName("prices")
	var files []inputFile
	if prices != "" {
		if _, err := os.Stat(prices); err != nil {
			l.ps.addf(Structural, prices, "", "", "price list: %v", err)
		} else {
			files = []inputFile{{Path: prices, Rel: relTo(opts.Input, prices), Format: FormatCSV, Page: 1}}
		}
	}
	if err := l.loadFiles(ctx, pt, pt.Name, files); err != nil {
		return err
	}
	if err := l.checkPriceKinds(ctx); err != nil {
		return err
	}

	if opts.GraphOnly { // the baseline is each environment's
		return nil
	}
	baseline := opts.Baseline
	if baseline == "" {
		baseline = besideExport(opts.Input, "baseline")
	}
	roles, privs := []Row(nil), []Row(nil)
	present := false
	if baseline != "" {
		var err error
		present = true
		roles, privs, err = l.readBaseline(ctx, opts.Input, baseline)
		if err != nil {
			return err
		}
	}
	rt, _ := TableByName("baseline_roles")
	if err := l.loadStream(ctx, rt, rt.Name, present, rowsFeed(roles)); err != nil {
		return err
	}
	pvt, _ := TableByName("baseline_roleprivileges")
	return l.loadStream(ctx, pvt, pvt.Name, present, rowsFeed(privs))
}

// besideExport returns dir/name when it exists, else "".
func besideExport(dir, name string) string {
	p := filepath.Join(dir, name)
	if _, err := os.Stat(p); err == nil {
		return p
	}
	return ""
}

func relTo(base, path string) string {
	if rel, err := filepath.Rel(base, path); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return path
}

var priceKinds = map[string]bool{"base": true, "attach": true, "addon": true, "free": true}

func (l *loader) checkPriceKinds(ctx context.Context) error {
	return l.db.Query(ctx, "check price kinds",
		`SELECT _file, _row, kind FROM prices WHERE kind IS NOT NULL AND lower(trim(kind)) NOT IN ('base','attach','addon','free') ORDER BY _row`,
		func(rows *sql.Rows) error {
			var file, kind string
			var row int64
			if err := rows.Scan(&file, &row, &kind); err != nil {
				return err
			}
			l.ps.addf(Structural, file, l.locationOf(file, row), "kind", "%s is not a license kind (base, attach, addon or free)", quote(kind))
			return nil
		})
}

// readBaseline reads the baseline: an unpacked solution's role XML (a
// Roles/ folder, or the folder of XML files itself), or a reference export
// holding roles, roleprivilegescollection and privileges.
func (l *loader) readBaseline(ctx context.Context, input, dir string) (roles, privs []Row, err error) {
	st, err := os.Stat(dir)
	if err != nil {
		l.ps.addf(Structural, dir, "", "", "baseline: %v", err)
		return nil, nil, nil
	}
	if !st.IsDir() {
		l.ps.addf(Structural, dir, "", "", "baseline must be a directory (a Roles/ folder of role XML, or a reference export)")
		return nil, nil, nil
	}
	xmlDir := dir
	if sub := filepath.Join(dir, "Roles"); isDir(sub) {
		xmlDir = sub
	}
	if matches, _ := filepath.Glob(filepath.Join(xmlDir, "*.xml")); len(matches) > 0 {
		roles, privs = l.readBaselineXML(input, xmlDir, matches)
		return roles, privs, nil
	}
	return l.readBaselineExport(ctx, input, dir)
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

func (l *loader) readBaselineXML(input, dir string, files []string) (roles, privs []Row) {
	for _, path := range files {
		rel := relTo(input, path)
		role, err := rolexml.ParseFile(path)
		if err != nil {
			l.ps.addf(Structural, rel, "", "", "%v", err)
			continue
		}
		sum, size, err := HashFile(path)
		if err != nil {
			l.ps.addf(Structural, rel, "", "", "%v", err)
			continue
		}
		l.res.Files = append(l.res.Files, FileStat{Table: "baseline_roles", File: rel, Format: "xml",
			Rows: int64(len(role.Privileges)), Bytes: size, SHA256: sum})
		var inherited any
		if role.IsInherited != nil {
			inherited = int64(*role.IsInherited)
		}
		var template any
		if role.TemplateID != "" {
			template = role.TemplateID
		}
		roles = append(roles, Row{File: rel, Values: []any{role.ID, role.Name, template, nil, inherited, rel}})
		for i, p := range role.Privileges {
			privs = append(privs, Row{File: rel, Row: int64(i + 1), Values: []any{role.ID, p.Name, int64(p.DepthMask)}})
		}
	}
	return roles, privs
}

// readBaselineExport loads a clean reference environment's roles and their
// privileges by name; only root roles matter, BU copies take their privileges.
func (l *loader) readBaselineExport(ctx context.Context, input, dir string) (roles, privs []Row, err error) {
	sub := &Problems{}
	found, err := discover(dir, sub)
	if err != nil {
		return nil, nil, err
	}
	for _, name := range []string{"roles", "roleprivilegescollection", "privileges"} {
		files := found.files[name]
		if len(files) == 0 {
			l.ps.addf(Structural, relTo(input, dir), "", "", "baseline has neither role XML nor %s.json/.csv/.parquet", name)
			return nil, nil, nil
		}
		for i := range files {
			files[i].Rel = relTo(input, files[i].Path)
		}
		t, _ := TableByName(name)
		if err := l.loadFiles(ctx, t, "baseline_src_"+name, files); err != nil {
			return nil, nil, err
		}
	}
	for _, p := range sub.List() {
		if p.Kind == Structural {
			l.ps.add(p)
		}
	}
	err = l.db.Query(ctx, "read baseline roles",
		`SELECT roleid, name, roletemplateid, parentrootroleid, isinherited, _file FROM baseline_src_roles
		 WHERE parentrootroleid IS NULL OR parentrootroleid = roleid ORDER BY roleid`,
		func(rows *sql.Rows) error {
			var id, name, file string
			var template, root sql.NullString
			var inherited sql.NullInt64
			if err := rows.Scan(&id, &name, &template, &root, &inherited, &file); err != nil {
				return err
			}
			if inherited.Valid && !inheritances.allows(inherited.Int64) {
				inherited.Valid = false // reported where it was read, not again
			}
			roles = append(roles, Row{File: file, Values: []any{id, name, nullable(template), nullable(root), nullableInt(inherited), file}})
			return nil
		})
	if err != nil {
		return nil, nil, err
	}
	err = l.db.Query(ctx, "read baseline role privileges",
		`SELECT rp.roleid, p.name, rp.privilegedepthmask, rp._file, rp._row
		 FROM baseline_src_roleprivilegescollection rp JOIN baseline_src_privileges p USING (privilegeid)
		 ORDER BY rp.roleid, p.name`,
		func(rows *sql.Rows) error {
			var id, name, file string
			var mask, row int64
			if err := rows.Scan(&id, &name, &mask, &file, &row); err != nil {
				return err
			}
			if !depths.allows(mask) {
				return nil // reported where it was read, not again
			}
			privs = append(privs, Row{File: file, Row: row, Values: []any{id, name, mask}})
			return nil
		})
	if err != nil {
		return nil, nil, err
	}
	for _, name := range []string{"roles", "roleprivilegescollection", "privileges"} {
		if err := l.db.Exec(ctx, "drop baseline staging", "DROP TABLE baseline_src_"+name); err != nil {
			return nil, nil, err
		}
	}
	// The staging tables were recorded as tables of the load; they are not.
	kept := l.res.Tables[:0]
	for _, t := range l.res.Tables {
		if !strings.HasPrefix(t.Name, "baseline_src_") {
			kept = append(kept, t)
		}
	}
	l.res.Tables = kept
	return roles, privs, nil
}

func nullable(s sql.NullString) any {
	if !s.Valid {
		return nil
	}
	return s.String
}

func nullableInt(n sql.NullInt64) any {
	if !n.Valid {
		return nil
	}
	return n.Int64
}

// HashFile returns the SHA-256 (hex) and size of a file: the fingerprint
// every input and output carries in the manifest.
func HashFile(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := &countingHash{h: sha256.New()}
	if _, err := io.Copy(h, f); err != nil {
		return "", 0, fmt.Errorf("read %s: %w", path, err)
	}
	return hex.EncodeToString(h.h.Sum(nil)), h.n, nil
}
