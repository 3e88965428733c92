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
	if l.single {
		return l.prefix
	}
	if l.json {
		return fmt.Sprintf("%s[%d]", l.prefix, l.n)
	}
	return l.prefix + strconv.FormatInt(l.n, 10)
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

// errStopped is jsonBody's error when fn asked it to stop.
var errStopped = errors.New("stopped")

// jsonBody streams a Web API or Graph response body ({"value": [...],
// "@odata.nextLink": ...}) or a plain JSON array, calling fn with each
// element's JSON path and value; it stops with errStopped when fn returns
// false. It returns the body's @odata.nextLink.
func jsonBody(r io.Reader, fn func(loc rowLoc, v any) bool) (nextLink string, err error) {
	dec := json.NewDecoder(stripBOM(r))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return "", fmt.Errorf("malformed JSON at offset %d: %w", dec.InputOffset(), err)
	}
	switch tok {
	case json.Delim('['):
		if err := jsonArray(dec, "$", fn); err != nil {
			return "", err
		}
	case json.Delim('{'):
		sawValue := false
		// An object with neither "value" nor any "@odata." or "error" key is one row:
		// PowerShell's ConvertTo-Json writes a single item (a tenant with
		// one SKU) as an object, not as an array of one.
		single, odata := map[string]any{}, false
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return "", fmt.Errorf("malformed JSON at offset %d: %w", dec.InputOffset(), err)
			}
			key, _ := kt.(string)
			switch key {
			case "value":
				// A second row array would add to or replace the first
				// depending on the reader: neither is the export.
				if sawValue {
					return "", fmt.Errorf("\"value\" appears twice (the second at offset %d): a response body has one row array", dec.InputOffset())
				}
				t, err := dec.Token()
				if err != nil {
					return "", fmt.Errorf("malformed JSON at offset %d: %w", dec.InputOffset(), err)
				}
				if t != json.Delim('[') {
					return "", fmt.Errorf("$.value is not an array")
				}
				if err := jsonArray(dec, "$.value", fn); err != nil {
					return "", err
				}
				sawValue = true
			case "@odata.nextLink":
				if err := dec.Decode(&nextLink); err != nil {
					return "", fmt.Errorf("$.@odata.nextLink is not a string: %w", err)
				}
			default:
				odata = odata || strings.HasPrefix(key, "@odata.") || key == "error" // an error body is no row
				if sawValue || odata {
					var skip json.RawMessage
					if err := dec.Decode(&skip); err != nil {
						return "", fmt.Errorf("malformed JSON at offset %d: %w", dec.InputOffset(), err)
					}
					continue
				}
				var v any
				if err := dec.Decode(&v); err != nil {
					return "", fmt.Errorf("malformed JSON at offset %d: %w", dec.InputOffset(), err)
				}
				single[key] = v
			}
		}
		if !sawValue && (odata || len(single) == 0) {
			return "", fmt.Errorf("no \"value\" array: expected a Web API response body or a JSON array")
		}
		if _, err := dec.Token(); err != nil {
			return "", fmt.Errorf("malformed JSON at offset %d: %w", dec.InputOffset(), err)
		}
		if !sawValue && !fn(rowLoc{prefix: "$", json: true, single: true}, single) {
			return "", errStopped
		}
	default:
		return "", fmt.Errorf("expected a JSON object or array, found %v", tok)
	}
	if _, err := dec.Token(); err != io.EOF {
		return "", fmt.Errorf("unexpected data after the JSON body at offset %d", dec.InputOffset())
	}
	return nextLink, nil
}

func jsonArray(dec *json.Decoder, path string, fn func(loc rowLoc, v any) bool) error {
	var i int64
	for dec.More() {
		// The element's bytes first: encoding/json would replace a string
		// that is not UTF-8 without a word (see withBadStrings).
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return fmt.Errorf("%s[%d]: malformed JSON at offset %d: %w", path, i, dec.InputOffset(), err)
		}
		var v any
		elem := json.NewDecoder(bytes.NewReader(raw))
		elem.UseNumber()
		if err := elem.Decode(&v); err != nil {
			return fmt.Errorf("%s[%d]: malformed JSON at offset %d: %w", path, i, dec.InputOffset(), err)
		}
		if !utf8.Valid(raw) {
			v = withBadStrings(v, raw)
		}
		if !fn(rowLoc{prefix: path, n: i, json: true}, v) {
			return errStopped
		}
		i++
	}
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("malformed JSON at offset %d: %w", dec.InputOffset(), err)
	}
	return nil
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
// reread opens the page again from its start (see decodeBody).
func readJSON(r io.Reader, reread func() (io.ReadCloser, error), f inputFile, t *Table, ps *Problems, emit emitFunc) (nextLink, rowPath string) {
	rows := newJSONRows(f, t, ps, emit)
	next, err := decodeBody(r, reread, func(loc rowLoc, v any) bool {
		rows.element(loc, v)
		return true
	})
	rows.end(err)
	return next, rows.rowPath
}

// jsonRows maps the decoded elements of one JSON page to rows. readJSON
// feeds it from its own decoder, the look-ahead (jsonahead.go) from a page
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
	if b, ok := v.(badUTF8Element); ok {
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
func (r *jsonRows) badStrings(loc rowLoc, bad []badString) {
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
