package gen

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/d365audit/d365audit/internal/filebuf"
)

// output writes files under dir and counts them.
type output struct {
	dir   string
	files int
	bytes int64
}

// file creates dir/rel and hands fn a buffered writer to fill.
func (o *output) file(rel string, fn func(w *bufio.Writer) error) error {
	path := filepath.Join(o.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	n, err := filebuf.Write(f, fn)
	if err != nil {
		return fmt.Errorf("write %s: %w", rel, err)
	}
	o.files++
	o.bytes += n
	return nil
}

// Column kinds.
type colKind uint8

const (
	cText    colKind = iota
	cGUID            // a GUID, or a lookup when column.lookup is set
	cInt             // an integer; an option set when column.label is set
	cBool            //
	cTime            // seconds since 1970, written as ISO 8601 UTC
	cManaged         // a managed property: the Web API writes {"Value": b, ...}
)

type column struct {
	name   string
	kind   colKind
	lookup string // lookup target: the Web API writes _name_value and its annotations
	label  bool   // the Web API writes a FormattedValue annotation
}

// cell is one value of a row. f is the formatted value the Web API
// annotates it with: an option's label, a lookup target's name.
type cell struct {
	s    string
	i    int64
	b    bool
	null bool
	f    string
}

func (c *cell) text(s string) { *c = cell{s: s} }

// optText is an optional text column: s, or null when s is empty.
func (c *cell) optText(s string) { *c = cell{s: s, null: s == ""} }

func (c *cell) guid(s string) { *c = cell{s: s, null: s == ""} }
func (c *cell) lookup(id, name string) {
	*c = cell{s: id, f: name, null: id == ""}
}
func (c *cell) num(i int64, label string) { *c = cell{i: i, f: label} }
func (c *cell) boolean(b bool, label string) {
	if label == "" {
		label = "No"
		if b {
			label = "Yes"
		}
	}
	*c = cell{b: b, f: label}
}
func (c *cell) when(sec int64) { *c = cell{i: sec, null: sec == 0} }
func (c *cell) none()          { *c = cell{null: true} }

// tableSpec is one Dataverse table to write: its entity set name, columns,
// row count and a function filling row i.
type tableSpec struct {
	name string
	cols []column
	rows int
	fill func(i int, c []cell)
	etag bool // rows carry an @odata.etag
}

// writeTable writes spec as Web API JSON pages or as one CSV file.
func (w *writer) writeTable(spec tableSpec) error {
	if w.t.opts.Format == "csv" {
		return w.out.file(spec.name+".csv", func(bw *bufio.Writer) error { return writeCSV(bw, spec) })
	}
	size := w.t.opts.PageSize
	pages := max(1, (spec.rows+size-1)/size)
	for p := 0; p < pages; p++ {
		name := spec.name + ".json"
		if p > 0 {
			name = spec.name + "." + strconv.Itoa(p+1) + ".json"
		}
		from, to := p*size, min(spec.rows, (p+1)*size)
		next := ""
		if p < pages-1 {
			next = w.nextLink(spec, p+2)
		}
		err := w.out.file(name, func(bw *bufio.Writer) error { return w.writeJSONPage(bw, spec, from, to, next) })
		if err != nil {
			return err
		}
	}
	return nil
}

func (w *writer) apiBase() string {
	return "https://" + w.t.org + ".crm4.dynamics.com/api/data/v9.2/"
}

func selectList(spec tableSpec) string {
	names := make([]string, len(spec.cols))
	for i, c := range spec.cols {
		names[i] = jsonName(c)
	}
	return strings.Join(names, ",")
}

func jsonName(c column) string {
	if c.lookup != "" {
		return "_" + c.name + "_value"
	}
	return c.name
}

// nextLink is the @odata.nextLink of a page: the query again with a paging
// cookie for the next page.
func (w *writer) nextLink(spec tableSpec, page int) string {
	return w.apiBase() + spec.name + "?$select=" + selectList(spec) +
		"&$skiptoken=%3Ccookie%20pagenumber=%22" + strconv.Itoa(page) + "%22%20istracking=%22False%22%20/%3E"
}

const formatted = "@OData.Community.Display.V1.FormattedValue"

func (w *writer) writeJSONPage(bw *bufio.Writer, spec tableSpec, from, to int, next string) error {
	bw.WriteString(`{"@odata.context":`)
	b := appendJSONString(nil, w.apiBase()+"$metadata#"+spec.name+"("+selectList(spec)+")")
	bw.Write(b)
	bw.WriteString(`,"value":[`)
	cells := make([]cell, len(spec.cols))
	for i := from; i < to; i++ {
		for j := range cells {
			cells[j] = cell{}
		}
		spec.fill(i, cells)
		b = b[:0]
		if i > from {
			b = append(b, ',')
		}
		b = append(b, "\n{"...)
		if spec.etag {
			b = append(b, `"@odata.etag":"W/\"`...)
			b = strconv.AppendUint(b, etag(spec.name, i), 10)
			b = append(b, `\""`...)
		}
		for j, col := range spec.cols {
			if j > 0 || spec.etag {
				b = append(b, ',')
			}
			b = appendJSONCell(b, col, &cells[j])
		}
		b = append(b, '}')
		if _, err := bw.Write(b); err != nil {
			return err
		}
	}
	bw.WriteString("\n]")
	if next != "" {
		bw.WriteString(`,"@odata.nextLink":`)
		bw.Write(appendJSONString(nil, next))
	}
	_, err := bw.WriteString("}\n")
	return err
}

// etag is a row version: stable for a table and row, different between rows.
func etag(table string, i int) uint64 {
	h := uint64(14695981039346656037)
	for k := 0; k < len(table); k++ {
		h = (h ^ uint64(table[k])) * 1099511628211
	}
	return 3_000_000 + (h+uint64(i)*2654435761)%5_000_000
}

func appendJSONCell(b []byte, col column, c *cell) []byte {
	name := jsonName(col)
	b = appendJSONString(b, name)
	b = append(b, ':')
	if c.null {
		return append(b, "null"...)
	}
	switch col.kind {
	case cText, cGUID:
		b = appendJSONString(b, c.s)
	case cInt:
		b = strconv.AppendInt(b, c.i, 10)
	case cBool:
		b = strconv.AppendBool(b, c.b)
	case cTime:
		b = append(b, '"')
		b = appendISO(b, c.i)
		b = append(b, '"')
	case cManaged:
		b = append(b, `{"Value":`...)
		b = strconv.AppendBool(b, c.b)
		b = append(b, `,"CanBeChanged":false,"ManagedPropertyLogicalName":"iscustomizableanddeletable"}`...)
	}
	if col.lookup != "" {
		if c.f != "" {
			b = append(b, ',')
			b = appendJSONString(b, name+formatted)
			b = append(b, ':')
			b = appendJSONString(b, c.f)
		}
		b = append(b, `,"`...)
		b = append(b, name...)
		b = append(b, `@Microsoft.Dynamics.CRM.associatednavigationproperty":"`...)
		b = append(b, col.name...)
		b = append(b, `","`...)
		b = append(b, name...)
		b = append(b, `@Microsoft.Dynamics.CRM.lookuplogicalname":"`...)
		b = append(b, col.lookup...)
		b = append(b, '"')
		return b
	}
	if col.label {
		f := c.f
		if col.kind == cTime {
			f = time.Unix(c.i, 0).UTC().Format("1/2/2006 3:04 PM")
		}
		if f != "" {
			b = append(b, ',')
			b = appendJSONString(b, name+formatted)
			b = append(b, ':')
			b = appendJSONString(b, f)
		}
	}
	return b
}

func appendISO(b []byte, sec int64) []byte {
	return time.Unix(sec, 0).UTC().AppendFormat(b, "2006-01-02T15:04:05Z")
}

// appendJSONString appends s as a JSON string. s is valid UTF-8; only
// quotes, backslashes and control characters are escaped.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// writeCSV writes spec as RFC 4180 CSV with a header of logical names.
func writeCSV(bw *bufio.Writer, spec tableSpec) error {
	var b []byte
	for j, col := range spec.cols {
		if j > 0 {
			b = append(b, ',')
		}
		b = append(b, col.name...)
	}
	b = append(b, '\n')
	bw.Write(b)
	cells := make([]cell, len(spec.cols))
	for i := 0; i < spec.rows; i++ {
		for j := range cells {
			cells[j] = cell{}
		}
		spec.fill(i, cells)
		b = b[:0]
		for j, col := range spec.cols {
			if j > 0 {
				b = append(b, ',')
			}
			c := &cells[j]
			if c.null {
				continue
			}
			switch col.kind {
			case cText:
				b = appendCSVField(b, c.s)
			case cGUID:
				b = append(b, c.s...)
			case cInt:
				b = strconv.AppendInt(b, c.i, 10)
			case cBool, cManaged:
				b = strconv.AppendBool(b, c.b)
			case cTime:
				b = appendISO(b, c.i)
			}
		}
		b = append(b, '\n')
		if _, err := bw.Write(b); err != nil {
			return err
		}
	}
	return nil
}

func appendCSVField(b []byte, s string) []byte {
	if s == "" {
		// An empty string would read back as null; Dataverse text columns
		// have no empty values anyway.
		return b
	}
	if !strings.ContainsAny(s, ",\"\r\n") && s[0] != ' ' && utf8.ValidString(s) {
		return append(b, s...)
	}
	b = append(b, '"')
	b = append(b, strings.ReplaceAll(s, `"`, `""`)...)
	return append(b, '"')
}
