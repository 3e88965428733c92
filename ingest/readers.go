package ingest

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/d365audit/d365audit/ingest/jsonpage"
	"github.com/d365audit/d365audit/internal/guid"
)

// A reader walks one file and hands each row to emit as raw values for the
// table's canonical columns. Values are what the format holds: strings from
// CSV, decoded JSON values, Parquet scalars. Problems go to ps; a reader
// stops only when the file itself is unreadable.

// headerFunc receives the required columns a file lacks, before any row.
type headerFunc func(missing map[int]bool)

// emitFunc receives one row: loc names it in messages and its number goes
// to _row.
type emitFunc func(loc rowLoc, vals []any, extra map[string]any)

// rowLoc is where a row sits in its file. It is formatted only when a
// problem is reported: formatting it for every row cost a tenth of a load.
type rowLoc struct {
	prefix string // "line ", "row ", or a JSON path such as "$.value"
	n      int64
	json   bool
	single bool // the body is the row itself ("$"), not an array of rows
}

func (l rowLoc) String() string {
	if l.json {
		return jsonpage.Loc{Path: l.prefix, N: l.n, Single: l.single}.String()
	}
	return l.prefix + strconv.FormatInt(l.n, 10)
}

// jsonRowLoc is where a decoded JSON element sits, as a rowLoc.
func jsonRowLoc(l jsonpage.Loc) rowLoc {
	return rowLoc{prefix: l.Path, n: l.N, json: true, single: l.Single}
}

// canonicalName maps a column name as an export writes it to the logical
// name: lower case, and the Web API's lookup form _x_value to x.
func canonicalName(name string) string {
	n := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(name, "\ufeff")))
	if strings.HasPrefix(n, "_") && strings.HasSuffix(n, "_value") && len(n) > len("__value") {
		n = n[1 : len(n)-len("_value")]
	}
	return n
}

// columnIndex maps canonical column names to their position in the table.
func columnIndex(t *Table) map[string]int {
	idx := make(map[string]int, len(t.Columns))
	for i, c := range t.Columns {
		idx[c.Name] = i
	}
	return idx
}

// stripBOM skips a UTF-8 byte order mark at the start of r.
func stripBOM(r io.Reader) io.Reader {
	br := bufio.NewReaderSize(r, 64*1024)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
	}
	return br
}

// readCSV reads an RFC 4180 file with a header row. Columns are matched by
// name; missing required columns are reported once for the file, through
// header, not once per row.
func readCSV(r io.Reader, f inputFile, t *Table, ps *Problems, header headerFunc, emit emitFunc) {
	cr := csv.NewReader(stripBOM(r))
	cr.ReuseRecord = true
	names, err := cr.Read()
	if err == io.EOF {
		ps.addf(Structural, f.Rel, "", "", "empty file: expected a header row")
		return
	}
	if err != nil {
		ps.addf(Structural, f.Rel, "line 1", "", "unreadable header: %v", csvErr(err))
		return
	}
	names = append([]string(nil), names...) // ReuseRecord would overwrite them
	idx := columnIndex(t)
	pos := make([]int, len(names)) // header position -> canonical column, or -1
	seen := map[int]string{}
	extraNames := make([]string, len(names))
	for i, h := range names {
		pos[i] = -1
		if !utf8.ValidString(h) {
			ps.addf(Structural, f.Rel, "line 1", "", "invalid UTF-8 in a column name: %s (files must be UTF-8)", quote(h))
			h = strings.ToValidUTF8(h, "\uFFFD")
		}
		c, ok := idx[canonicalName(h)]
		if !ok {
			extraNames[i] = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
			continue
		}
		if prev, dup := seen[c]; dup {
			ps.addf(Structural, f.Rel, "line 1", h, "same column as %q", prev)
			return
		}
		seen[c] = h
		pos[i] = c
	}
	header(missingColumns(t, seen, f, "line 1", ps))
	nCols := len(names)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount) {
				ps.addf(Structural, f.Rel, fmt.Sprintf("line %d", pe.StartLine), "", "%d fields, the header has %d", len(rec), nCols)
				continue
			}
			loc := ""
			if errors.As(err, &pe) {
				loc = fmt.Sprintf("line %d", pe.Line)
			}
			ps.addf(Structural, f.Rel, loc, "", "malformed CSV: %v", csvErr(err))
			return
		}
		line, _ := cr.FieldPos(0) // valid only for a record read without error
		vals := make([]any, len(t.Columns))
		var extra map[string]any
		for i, v := range rec {
			if !utf8.ValidString(v) {
				// DuckDB refuses such text: report it and load it repaired.
				fl, _ := cr.FieldPos(i)
				col := extraNames[i]
				if pos[i] >= 0 {
					col = t.Columns[pos[i]].Name
				}
				ps.addf(Structural, f.Rel, fmt.Sprintf("line %d", fl), col, "%s", utf8Message(v))
				v = strings.ToValidUTF8(v, "\uFFFD")
			}
			if pos[i] >= 0 {
				if v != "" {
					vals[pos[i]] = v
				}
			} else if t.KeepExtra && v != "" {
				if extra == nil {
					extra = map[string]any{}
				}
				extra[extraNames[i]] = v
			}
		}
		emit(rowLoc{prefix: "line ", n: int64(line)}, vals, extra)
	}
}

func csvErr(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func missingColumns(t *Table, seen map[int]string, f inputFile, loc string, ps *Problems) map[int]bool {
	missing := map[int]bool{}
	for i, c := range t.Columns {
		if _, ok := seen[i]; !ok && c.Required {
			ps.addf(Structural, f.Rel, loc, c.Name, "required column is missing")
			missing[i] = true
		}
	}
	return missing
}

// objectMapper turns one JSON element into rows of a table.
type objectMapper func(obj map[string]any, emit func(vals []any, extra map[string]any))

// dataverseMapper maps a Web API row: annotations (keys with '@') are
// dropped, lookups _x_value become x, unknown keys are kept as extra.
func dataverseMapper(t *Table) objectMapper {
	idx := columnIndex(t)
	return func(obj map[string]any, emit func([]any, map[string]any)) {
		vals := make([]any, len(t.Columns))
		from := make([]string, len(t.Columns)) // the key each value came from
		var extra map[string]any
		for k, v := range obj {
			if strings.Contains(k, "@") {
				continue
			}
			if i, ok := idx[canonicalName(k)]; ok {
				// Two keys naming one column (_x_value and x, or two
				// cases): the first non-null in key order wins, whatever
				// order the map is walked in.
				if v != nil && (vals[i] == nil || k < from[i]) {
					vals[i], from[i] = v, k
				}
				continue
			}
			if t.KeepExtra && v != nil {
				if extra == nil {
					extra = map[string]any{}
				}
				extra[k] = v
			}
		}
		emit(vals, extra)
	}
}

// lookupCI returns obj[key] matching the key case-insensitively: Graph
// writes camelCase, some tools lower-case it.
func lookupCI(obj map[string]any, key string) (any, bool) {
	if v, ok := obj[key]; ok {
		return v, true
	}
	for k, v := range obj {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}

func get(obj map[string]any, key string) any {
	v, _ := lookupCI(obj, key)
	return v
}

func subObject(obj map[string]any, key string) map[string]any {
	m, _ := get(obj, key).(map[string]any)
	return m
}

func graphSKUMapper(obj map[string]any, emit func([]any, map[string]any)) {
	units := subObject(obj, "prepaidUnits")
	if units == nil {
		units = map[string]any{}
	}
	emit([]any{get(obj, "skuId"), get(obj, "skuPartNumber"), get(obj, "capabilityStatus"), get(obj, "consumedUnits"),
		get(units, "enabled"), get(units, "suspended"), get(units, "warning"), get(units, "lockedOut"),
		get(obj, "appliesTo"), servicePlans(get(obj, "servicePlans"))}, nil)
}

// servicePlans flattens a SKU's servicePlans to a JSON array of {"id",
// "name"} (nil without any): Graph writes servicePlanId / servicePlanName,
// the PowerShell SDK ServicePlanId / ServicePlanName, and ConvertTo-Json
// below its -Depth writes each plan as a type-name string, which carries no
// plan and is skipped.
func servicePlans(v any) any {
	list, _ := v.([]any)
	type plan struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	var out []plan
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		id, _ := get(m, "servicePlanId").(string)
		name, _ := get(m, "servicePlanName").(string)
		if g, ok := guid.Normalize(id); ok {
			id = g
		}
		if id == "" && name == "" {
			continue
		}
		out = append(out, plan{ID: id, Name: strings.TrimSpace(name)})
	}
	if len(out) == 0 {
		return nil
	}
	b, _ := json.Marshal(out)
	return string(b)
}

func graphUserMapper(obj map[string]any, emit func([]any, map[string]any)) {
	signIn, has := lookupCI(obj, "signInActivity")
	activity, _ := signIn.(map[string]any)
	if activity == nil {
		activity = map[string]any{}
	}
	emit([]any{get(obj, "id"), get(obj, "userPrincipalName"), get(obj, "displayName"), get(obj, "accountEnabled"),
		get(obj, "userType"), get(obj, "createdDateTime"), get(obj, "department"), get(obj, "externalUserState"),
		has, get(activity, "lastSignInDateTime"), get(activity, "lastSuccessfulSignInDateTime")}, nil)
}

func graphLicenseMapper(obj map[string]any, emit func([]any, map[string]any)) {
	licenses, _ := get(obj, "assignedLicenses").([]any)
	for _, l := range licenses {
		lic, ok := l.(map[string]any)
		if !ok {
			emit([]any{get(obj, "id"), l, nil}, nil)
			continue
		}
		var plans any
		if p := get(lic, "disabledPlans"); p != nil {
			b, _ := json.Marshal(p)
			plans = string(b)
		}
		emit([]any{get(obj, "id"), get(lic, "skuId"), plans}, nil)
	}
}

func mapperFor(t *Table) objectMapper {
	switch t.Name {
	case "graph_subscribedskus":
		return graphSKUMapper
	case "graph_users":
		return graphUserMapper
	case "graph_assignedlicenses":
		return graphLicenseMapper
	}
	return dataverseMapper(t)
}

// readJSON reads one JSON page of table t. It returns the page's
// @odata.nextLink, so the loader can tell a complete export from a cut one,
// and the JSON path of its rows ("$.value" or, for a plain array, "$").
// reread opens the page again from its start (see jsonpage.Decode).
func readJSON(r io.Reader, reread func() (io.ReadCloser, error), f inputFile, t *Table, ps *Problems, emit emitFunc) (nextLink, rowPath string) {
	rows := newJSONRows(f, t, ps, emit)
	next, err := jsonpage.Decode(r, reread, func(loc jsonpage.Loc, v any) bool {
		rows.element(jsonRowLoc(loc), v)
		return true
	})
	rows.end(err)
	return next, rows.rowPath
}

// jsonRows maps the decoded elements of one JSON page to rows. readJSON
// feeds it from its own decoder, the look-ahead (jsonpage.Ahead) from a page
// decoded on another goroutine: both report the same problems in the same
// order because only jsonRows reports them.
type jsonRows struct {
	f       inputFile
	ps      *Problems
	mapper  objectMapper
	emit    emitFunc
	rowPath string // "$.value" until an element says otherwise
	// fileProblems: report what is wrong with the file itself (its JSON,
	// its encoding), false for a table that reads a file another reads
	// first.
	fileProblems bool
}

func newJSONRows(f inputFile, t *Table, ps *Problems, emit emitFunc) *jsonRows {
	return &jsonRows{f: f, ps: ps, mapper: mapperFor(t), emit: emit, rowPath: "$.value", fileProblems: !rereadsFile(t.Name)}
}

// element maps one element of the page's row array.
func (r *jsonRows) element(loc rowLoc, v any) {
	r.rowPath = loc.prefix
	if b, ok := v.(jsonpage.BadUTF8); ok {
		if r.fileProblems {
			r.badStrings(loc, b.Bad)
		}
		v = b.V
	}
	obj, ok := v.(map[string]any)
	if !ok {
		if r.fileProblems {
			r.ps.addf(Structural, r.f.Rel, loc.String(), "", "expected an object, found %s", describe(v))
		}
		return
	}
	r.mapper(obj, func(vals []any, extra map[string]any) { r.emit(loc, vals, extra) })
}

// badStrings reports the strings of an element that are not UTF-8.
func (r *jsonRows) badStrings(loc rowLoc, bad []jsonpage.BadString) {
	for _, s := range bad {
		if s.Key {
			r.ps.addf(Structural, r.f.Rel, loc.String(), s.Path, "invalid UTF-8 in a key: %s (files must be UTF-8)", quote(s.Raw))
		} else {
			r.ps.addf(Structural, r.f.Rel, loc.String(), s.Path, "%s", utf8Message(s.Raw))
		}
	}
}

// end reports the error that ended the page, if any.
func (r *jsonRows) end(err error) {
	if err != nil && r.fileProblems {
		r.ps.addf(Structural, r.f.Rel, "", "", "%v", err)
	}
}
