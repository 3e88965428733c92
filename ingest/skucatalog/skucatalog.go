// Package skucatalog reads Microsoft's "Product names and service plan
// identifiers for licensing" table, the CSV published with the Microsoft
// Entra licensing documentation, into a catalog of licence SKUs.
//
// The CSV has one row per SKU and service plan:
//
//	Product_Display_Name,String_Id,GUID,Service_Plan_Name,Service_Plan_Id,Service_Plans_Included_Friendly_Names
//
// GUID is the SKU id Microsoft Graph reports as skuId and String_Id the
// skuPartNumber. Columns are found by header name, not position, because
// copies edited in Excel gain, lose and reorder columns.
//
// The published file is hand-maintained and it shows: values carry stray
// spaces, including no-break spaces (U+00A0) in GUIDs and part numbers
// ("MCOCAP_FACULTY\u00a0", "DYN365_ ENTERPRISE _RELATIONSHIP_SALES");
// rows of one SKU are not always adjacent; the same service plan is
// sometimes listed twice for a SKU; and one part number (MCOPSTN5) belongs
// to two SKUs. Read absorbs the first three; the last is why ByPartNumber
// returns a slice. Current copies are UTF-8 with a byte-order mark; older
// ones are Windows-1252, which Read detects and decodes.
package skucatalog

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/d365audit/d365audit/ingest/located"
	"github.com/d365audit/d365audit/internal/guid"
)

// SKU is one licence SKU (a product) with the service plans it includes.
type SKU struct {
	// ID is the SKU id (Graph skuId), a lower-case GUID without braces.
	ID string
	// PartNumber is String_Id (Graph skuPartNumber) with all whitespace
	// removed, since the published table has stray and inner spaces that
	// the service does not report.
	PartNumber string
	// RawPartNumber is String_Id exactly as written on the SKU's first row.
	RawPartNumber string
	// ProductName is Product_Display_Name, trimmed.
	ProductName string
	// ServicePlans are in file order, each plan id once.
	ServicePlans []ServicePlan
	// Line is the line of the SKU's first row in the file.
	Line int
}

// ServicePlan is one service plan included in a SKU.
type ServicePlan struct {
	ID           string // lower-case GUID without braces
	Name         string // Service_Plan_Name, trimmed
	FriendlyName string // Service_Plans_Included_Friendly_Names, trimmed
}

// Catalog is the set of SKUs read from one file.
type Catalog struct {
	name     string
	encoding string
	skus     []SKU // sorted by PartNumber, then ID
	byID     map[string]int
	byPN     map[string][]int
	rows     int
	dupPlans int
}

// Header names of the columns Read needs, as Microsoft spells them.
const (
	colProduct  = "Product_Display_Name"
	colStringID = "String_Id"
	colGUID     = "GUID"
	colPlanName = "Service_Plan_Name"
	colPlanID   = "Service_Plan_Id"
	colFriendly = "Service_Plans_Included_Friendly_Names"
)

var required = []string{colProduct, colStringID, colGUID, colPlanName, colPlanID, colFriendly}

// Encodings Read recognises, as reported by Catalog.Encoding.
const (
	UTF8        = "UTF-8"
	Windows1252 = "Windows-1252"
)

// Error is a problem with the file, located by line and column. Column is
// the 1-based character position on the line (0 when the problem is with
// the whole row or file); Part is "column " and the CSV column's name.
type Error = located.Error

// maxFileSize bounds what Read holds in memory; the real table is about
// 1 MB.
const maxFileSize = 256 << 20

// maxErrors keeps a file that is not this table at all from producing one
// error per row; the rest are counted.
const maxErrors = 50

// ReadFile reads the catalog at path.
func ReadFile(path string) (*Catalog, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, located.PathError(path, "cannot open", err)
	}
	defer f.Close()
	return Read(f, path)
}

// Read reads the table from r. name names the input in errors. Read stops at
// nothing short of an unreadable file: it reports every bad row (up to a
// limit), joined, and then returns no catalog, because a catalog missing
// SKUs would make licences look unknown.
func Read(r io.Reader, name string) (*Catalog, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		return nil, &Error{File: name, Msg: "cannot read: " + err.Error(), Err: err}
	}
	if len(data) > maxFileSize {
		return nil, &Error{File: name, Msg: fmt.Sprintf("larger than %d bytes; not the licensing table", maxFileSize)}
	}
	text, enc, err := decode(data)
	if err != nil {
		return nil, &Error{File: name, Msg: err.Error()}
	}
	rd := &reader{name: name, text: text}
	c, err := rd.read()
	if err != nil {
		return nil, err
	}
	c.encoding = enc
	return c, nil
}

// decode returns data as UTF-8 text without a byte-order mark, and the
// encoding it was in. Anything that is not valid UTF-8 is taken to be
// Windows-1252, the "ANSI" code page older copies of the table were saved
// in. Every byte sequence is valid Windows-1252, so this cannot fail; the
// risk is the other way, a Windows-1252 file that happens to be valid UTF-8,
// which needs a sequence like "Ã©" and does not occur in this table.
func decode(data []byte) (string, string, error) {
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		return "", "", errors.New("file is UTF-16; save it as CSV UTF-8 or CSV (comma delimited)")
	}
	if b, ok := bytes.CutPrefix(data, []byte{0xEF, 0xBB, 0xBF}); ok {
		data = b
		// A BOM says UTF-8; fall through to validate it anyway.
	}
	if utf8.Valid(data) {
		return string(data), UTF8, nil
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(data)
	if err != nil {
		return "", "", fmt.Errorf("neither UTF-8 nor Windows-1252: %v", err)
	}
	return string(out), Windows1252, nil
}

// reader turns the decoded text into a Catalog, collecting errors.
type reader struct {
	name       string
	text       string
	csv        *csv.Reader
	lineStarts []int // byte offset of each line in text, built on first error
	errs       []error
	dropped    int
}

func (rd *reader) fail(e *Error) {
	if len(rd.errs) >= maxErrors {
		rd.dropped++
		return
	}
	rd.errs = append(rd.errs, e)
}

// fieldErr reports a problem with field i of the record last read.
func (rd *reader) fieldErr(i int, field, format string, args ...any) {
	line, col := rd.csv.FieldPos(i)
	rd.fail(&Error{File: rd.name, Line: line, Column: rd.charColumn(line, col), Part: "column " + field, Msg: fmt.Sprintf(format, args...)})
}

// charColumn converts encoding/csv's 1-based byte column into a character
// column, which is what an editor shows and, for a Windows-1252 file, the
// byte position in the original file.
func (rd *reader) charColumn(line, byteCol int) int {
	if rd.lineStarts == nil {
		rd.lineStarts = []int{0}
		for i := 0; i < len(rd.text); i++ {
			if rd.text[i] == '\n' {
				rd.lineStarts = append(rd.lineStarts, i+1)
			}
		}
	}
	if line < 1 || line > len(rd.lineStarts) || byteCol < 1 {
		return byteCol
	}
	start := rd.lineStarts[line-1]
	end := min(start+byteCol-1, len(rd.text))
	return utf8.RuneCountInString(rd.text[start:end]) + 1
}

func (rd *reader) read() (*Catalog, error) {
	rd.csv = csv.NewReader(strings.NewReader(rd.text))
	// Rows are checked against the header by name below; a trailing empty
	// column Excel adds to some rows is harmless.
	rd.csv.FieldsPerRecord = -1
	rd.csv.ReuseRecord = true

	header, err := rd.csv.Read()
	if err == io.EOF {
		return nil, &Error{File: rd.name, Msg: "file is empty; want the header " + strings.Join(required, ",")}
	}
	if err != nil {
		return nil, rd.csvErr(err)
	}
	col, err := rd.columns(header)
	if err != nil {
		return nil, err
	}
	need := 0
	for _, i := range col {
		need = max(need, i+1)
	}

	c := &Catalog{name: rd.name, byID: map[string]int{}, byPN: map[string][]int{}}
	var (
		skus  []SKU
		plans []map[string]bool // per SKU index: plan ids seen
	)
	for {
		rec, err := rd.csv.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			// encoding/csv cannot resynchronise after a quoting error.
			rd.fail(rd.csvErr(err))
			break
		}
		line, _ := rd.csv.FieldPos(0)
		if blankRecord(rec) {
			// Excel leaves ",,,,," rows behind when rows are deleted.
			continue
		}
		if len(rec) < need {
			rd.fail(&Error{File: rd.name, Line: line, Msg: fmt.Sprintf("row has %d fields, want at least %d", len(rec), need)})
			continue
		}
		c.rows++

		raw := rec[col[colStringID]]
		pn := NormalizePartNumber(raw)
		id, ok := guid.Normalize(rec[col[colGUID]])
		if !ok {
			rd.fieldErr(col[colGUID], colGUID, "SKU id %q is not a GUID", rec[col[colGUID]])
		}
		if pn == "" {
			rd.fieldErr(col[colStringID], colStringID, "part number is empty")
		}
		planID, planOK := guid.Normalize(rec[col[colPlanID]])
		if !planOK {
			rd.fieldErr(col[colPlanID], colPlanID, "service plan id %q is not a GUID", rec[col[colPlanID]])
		}
		if !ok || pn == "" || !planOK {
			continue
		}

		i, seen := c.byID[id]
		if !seen {
			i = len(skus)
			c.byID[id] = i
			skus = append(skus, SKU{
				ID:            id,
				PartNumber:    pn,
				RawPartNumber: raw,
				ProductName:   strings.TrimFunc(rec[col[colProduct]], isBlank),
				Line:          line,
			})
			plans = append(plans, map[string]bool{})
		} else if partKey(pn) != partKey(skus[i].PartNumber) {
			// One id with two part numbers means the table contradicts
			// itself about which product a tenant's licence is.
			rd.fieldErr(col[colStringID], colStringID, "SKU %s has part number %q here but %q on line %d",
				id, raw, skus[i].RawPartNumber, skus[i].Line)
			continue
		}
		if plans[i][planID] {
			// Listed twice for the SKU, sometimes under a variant name;
			// the first listing stands.
			c.dupPlans++
			continue
		}
		plans[i][planID] = true
		skus[i].ServicePlans = append(skus[i].ServicePlans, ServicePlan{
			ID:           planID,
			Name:         strings.TrimFunc(rec[col[colPlanName]], isBlank),
			FriendlyName: strings.TrimFunc(rec[col[colFriendly]], isBlank),
		})
	}
	if len(rd.errs) > 0 {
		if rd.dropped > 0 {
			rd.errs = append(rd.errs, fmt.Errorf("%s: %d more errors not shown", rd.name, rd.dropped))
		}
		return nil, errors.Join(rd.errs...)
	}

	slices.SortFunc(skus, func(a, b SKU) int {
		if n := strings.Compare(a.PartNumber, b.PartNumber); n != 0 {
			return n
		}
		return strings.Compare(a.ID, b.ID)
	})
	c.skus = skus
	for i, s := range skus {
		c.byID[s.ID] = i
		k := partKey(s.PartNumber)
		c.byPN[k] = append(c.byPN[k], i)
	}
	return c, nil
}

// columns maps each required header to its field index. Header names are
// matched trimmed and without regard to case.
func (rd *reader) columns(header []string) (map[string]int, error) {
	byName := map[string]int{}
	for i, h := range header {
		key := strings.ToLower(strings.TrimFunc(h, isBlank))
		if key == "" {
			continue
		}
		if j, dup := byName[key]; dup {
			line, col := rd.csv.FieldPos(i)
			return nil, &Error{File: rd.name, Line: line, Column: rd.charColumn(line, col), Part: "column " + strings.TrimSpace(h),
				Msg: fmt.Sprintf("header appears twice (also field %d)", j+1)}
		}
		byName[key] = i
	}
	col := map[string]int{}
	var errs []error
	for _, name := range required {
		i, ok := byName[strings.ToLower(name)]
		if !ok {
			errs = append(errs, &Error{File: rd.name, Line: 1, Part: "column " + name, Msg: "required header is missing"})
			continue
		}
		col[name] = i
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return col, nil
}

// csvErr locates an encoding/csv error.
func (rd *reader) csvErr(err error) *Error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &Error{File: rd.name, Line: pe.Line, Column: rd.charColumn(pe.Line, pe.Column), Msg: "malformed CSV: " + pe.Err.Error(), Err: err}
	}
	return &Error{File: rd.name, Msg: "malformed CSV: " + err.Error(), Err: err}
}

func blankRecord(rec []string) bool {
	for _, f := range rec {
		if strings.TrimFunc(f, isBlank) != "" {
			return false
		}
	}
	return true
}

// isBlank reports whitespace (Unicode White_Space, which includes the
// no-break spaces the table is fond of) and the invisible format characters
// that ride along when text is copied from web pages.
func isBlank(r rune) bool {
	switch r {
	case '\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF':
		return true
	}
	return unicode.IsSpace(r)
}

// NormalizePartNumber removes all whitespace from a part number, so that
// the table's "DYN365_ ENTERPRISE _RELATIONSHIP_SALES" matches the
// DYN365_ENTERPRISE_RELATIONSHIP_SALES the service reports. Case is kept.
func NormalizePartNumber(s string) string {
	return strings.Map(func(r rune) rune {
		if isBlank(r) {
			return -1
		}
		return r
	}, s)
}

// partKey is the lookup key of a part number: whitespace removed, lower case.
func partKey(s string) string { return strings.ToLower(NormalizePartNumber(s)) }

// Name returns the name the catalog was read under.
func (c *Catalog) Name() string { return c.name }

// Encoding returns the encoding the file was in: UTF8 or Windows1252.
func (c *Catalog) Encoding() string { return c.encoding }

// Rows returns the number of data rows read (SKU and service plan pairs,
// duplicates included; blank rows not).
func (c *Catalog) Rows() int { return c.rows }

// DuplicatePlanRows returns how many rows repeated a service plan already
// listed for the same SKU and were dropped.
func (c *Catalog) DuplicatePlanRows() int { return c.dupPlans }

// Len returns the number of distinct SKUs.
func (c *Catalog) Len() int { return len(c.skus) }

// SKUs returns every SKU, sorted by PartNumber and then ID. The result is a
// copy the caller may modify.
func (c *Catalog) SKUs() []SKU {
	out := make([]SKU, len(c.skus))
	for i, s := range c.skus {
		out[i] = s.clone()
	}
	return out
}

func (s SKU) clone() SKU {
	s.ServicePlans = slices.Clone(s.ServicePlans)
	return s
}

// ByID returns the SKU with id id. Case, braces and surrounding whitespace
// in id are ignored.
func (c *Catalog) ByID(id string) (SKU, bool) {
	n, ok := guid.Normalize(id)
	if !ok {
		return SKU{}, false
	}
	i, ok := c.byID[n]
	if !ok {
		return SKU{}, false
	}
	return c.skus[i].clone(), true
}

// ByPartNumber returns the SKUs with part number pn, matched without regard
// to case or whitespace, in the order of SKUs. It returns a slice because the table
// does give one part number to more than one SKU (MCOPSTN5, for one); when a
// licence's SKU id is known, ByID is exact.
func (c *Catalog) ByPartNumber(pn string) []SKU {
	idx := c.byPN[partKey(pn)]
	if len(idx) == 0 {
		return nil
	}
	out := make([]SKU, len(idx))
	for j, i := range idx {
		out[j] = c.skus[i].clone()
	}
	return out
}
