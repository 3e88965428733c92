// Package xlsx writes report.xlsx, the auditor workbook (Writer), and lends
// its deterministic zip writer to other workbooks (DeterministicZip).
package xlsx

import (
	"context"
	"fmt"
	"io"
	"time"
	"unicode/utf16"

	"github.com/d365audit/d365audit/internal/guid"
	"github.com/d365audit/d365audit/queries/vocab"
	"github.com/d365audit/d365audit/reports"
	"github.com/d365audit/d365audit/rules"
	"github.com/xuri/excelize/v2"
)

// SheetRowLimit is the most rows an Excel (and LibreOffice) sheet holds.
const SheetRowLimit = 1_048_576

// Options tunes the workbook.
type Options struct {
	// MaxSheetRows is the most rows one sheet may hold, header rows
	// included; 0 or more than SheetRowLimit means SheetRowLimit. Tests set
	// it small to exercise the split and profile paths.
	MaxSheetRows int
	// MaxAccessSheets is how many sheets the effective-access matrix may be
	// split across before the workbook shows it by access profile instead;
	// 0 means 1: a sheet of a million matrix rows takes 10 to 30 s to write
	// and longer to open, and beyond one sheet the profile view (profile x
	// table, and user -> profile) serves auditors better; access.parquet
	// keeps every user's rows.
	MaxAccessSheets int
	// TmpDir holds the temporary files of the streamed sheets ("" is the
	// system's temporary directory): several hundred MB at a million rows.
	TmpDir string
}

func (o Options) withDefaults() Options {
	if o.MaxSheetRows <= 0 || o.MaxSheetRows > SheetRowLimit {
		o.MaxSheetRows = SheetRowLimit
	}
	if o.MaxAccessSheets <= 0 {
		o.MaxAccessSheets = 1
	}
	return o
}

// Writer writes report.xlsx, the auditor workbook: a Summary with charts,
// then one sheet each for findings, users, roles, role changes, teams,
// licenses, the effective-access matrix, field security and the run's
// inputs. It reads only the Report; the big sheets are streamed, so memory
// stays flat however large the tenant.
type Writer struct {
	Options Options
}

// Write renders rep as report.xlsx; ctx governs the access matrix's
// queries.
func (x Writer) Write(ctx context.Context, w io.Writer, rep *reports.Report) error {
	opts := x.Options.withDefaults()
	f := excelize.NewFile(excelize.Options{TmpDir: opts.TmpDir})
	defer f.Close()
	f.SetZipWriter(func(w io.Writer) excelize.ZipWriter { return newZipWriter(w, opts.TmpDir) })
	wb, err := newWorkbook(ctx, f, rep, opts)
	if err != nil {
		return err
	}
	sheets, layouts, err := wb.sheets()
	if err != nil {
		return err
	}
	if err := wb.plan(sheets); err != nil {
		return err
	}
	if err := wb.summary(sheets, layouts); err != nil {
		return fmt.Errorf("workbook sheet Summary: %w", err)
	}
	for _, s := range sheets {
		if err := wb.stream(s); err != nil {
			return fmt.Errorf("workbook sheet %s: %w", s.name, err)
		}
	}
	if err := wb.properties(); err != nil {
		return err
	}
	// No SetActiveSheet: the Summary, the first sheet, is active already,
	// and SetActiveSheet would parse every streamed sheet back into memory.
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("write workbook: %w", err)
	}
	return nil
}

// workbook is one workbook being written.
type workbook struct {
	ctx    context.Context
	f      *excelize.File
	rep    *reports.Report
	opts   Options
	st     styles
	counts findingCounts
}

func newWorkbook(ctx context.Context, f *excelize.File, rep *reports.Report, opts Options) (*workbook, error) {
	wb := &workbook{ctx: ctx, f: f, rep: rep, opts: opts, counts: countFindings(rep.Findings)}
	var err error
	if wb.st, err = newStyles(f); err != nil {
		return nil, fmt.Errorf("workbook styles: %w", err)
	}
	return wb, nil
}

// properties stamps the document with the run's time, not the wall clock,
// so two runs over one input give the same workbook.
func (wb *workbook) properties() error {
	at := wb.rep.GeneratedAt.UTC().Format(time.RFC3339)
	return wb.f.SetDocProps(&excelize.DocProperties{
		Title:          "Dataverse security audit: " + wb.rep.Environment,
		Subject:        "Security and licensing audit of " + wb.rep.Environment + " as of " + date(wb.rep.AsOf),
		Creator:        "d365audit " + wb.rep.ToolVersion,
		LastModifiedBy: "d365audit " + wb.rep.ToolVersion,
		Created:        at,
		Modified:       at,
		Language:       "en-US",
	})
}

// column is one column of a sheet: its header and width in characters.
type column struct {
	title string
	width float64
}

// emitRow writes the next row of a sheet.
type emitRow func(cells ...excelize.Cell) error

// sheetSpec is one streamed sheet: a table (rows above a header, the header,
// the data rows; split across numbered sheets when too long), or free-form
// rows (Licenses, Run info: small, several tables, never split).
type sheetSpec struct {
	name    string
	base    string // the sheet name without its environment ("Access"), for the Summary; "" is name
	columns []column
	intro   [][]excelize.Cell // rows above the header: title, notes, legend
	rows    int64             // data rows the sheet will get, to plan splits
	freeze  int               // columns kept in view when scrolling right
	table   bool              // header row, frozen, with an autofilter
	write   func(emit emitRow) error
	parts   []string // sheet names, set by plan: one, or numbered when split
}

// baseName is the name of the sheet s is an environment's copy of, or
// its own.
func (s *sheetSpec) baseName() string {
	if s.base != "" {
		return s.base
	}
	return s.name
}

// capacity is the number of data rows one sheet of s holds.
func (wb *workbook) capacity(s *sheetSpec) int64 {
	return int64(wb.opts.MaxSheetRows - len(s.intro) - 1)
}

// partsNeeded is how many sheets s needs.
func (wb *workbook) partsNeeded(s *sheetSpec) int64 {
	if !s.table || s.rows <= 0 {
		return 1
	}
	c := wb.capacity(s)
	return (s.rows + c - 1) / c
}

// plan names the sheets (numbering those that need more than one) and
// creates them in order after the Summary; excelize orders sheets by
// creation, so all must exist before any is written.
func (wb *workbook) plan(sheets []*sheetSpec) error {
	if err := wb.f.SetSheetName("Sheet1", sheetSummary); err != nil {
		return err
	}
	for _, s := range sheets {
		if s.table && wb.capacity(s) < 1 {
			return fmt.Errorf("workbook: MaxSheetRows %d leaves no room for data on sheet %s", wb.opts.MaxSheetRows, s.name)
		}
		n := wb.partsNeeded(s)
		s.parts = nil
		for i := int64(1); i <= n; i++ {
			name := s.name
			if n > 1 {
				name = fmt.Sprintf("%s %d", s.name, i)
			}
			s.parts = append(s.parts, name)
			if _, err := wb.f.NewSheet(name); err != nil {
				return fmt.Errorf("workbook sheet %s: %w", name, err)
			}
		}
	}
	return nil
}

// stream writes one sheet through excelize's StreamWriter, moving on to the
// next part when a sheet is full. Panes must be set before the first row,
// and the autofilter before Flush, or excelize silently drops them.
func (wb *workbook) stream(s *sheetSpec) error {
	var (
		part = -1
		out  = &rowWriter{}
		data int64 // data rows on the current part
	)
	finish := func() error {
		if out.sw == nil {
			return nil
		}
		if s.table {
			header := len(s.intro) + 1
			ref, err := excelize.CoordinatesToCellName(len(s.columns), max(out.n, header+1))
			if err != nil {
				return err
			}
			if err := wb.f.AutoFilter(s.parts[part], fmt.Sprintf("A%d:%s", header, ref), nil); err != nil {
				return err
			}
		}
		return out.sw.Flush()
	}
	next := func() error {
		if err := finish(); err != nil {
			return err
		}
		part++
		sw, err := wb.f.NewStreamWriter(s.parts[part])
		if err != nil {
			return err
		}
		out.sw, out.n, data = sw, 0, 0
		for i, c := range s.columns {
			if err := sw.SetColWidth(i+1, i+1, c.width); err != nil {
				return err
			}
		}
		// The sheets are wide: printed, landscape.
		if err := wb.f.SetPageLayout(s.parts[part], &excelize.PageLayoutOptions{Orientation: &landscape}); err != nil {
			return err
		}
		if s.table {
			if err := sw.SetPanes(freezePanes(len(s.intro)+1, s.freeze)); err != nil {
				return err
			}
		}
		for _, cells := range s.intro {
			if err := out.write(cells); err != nil {
				return err
			}
		}
		if s.table {
			header := make([]excelize.Cell, len(s.columns))
			for i, c := range s.columns {
				header[i] = text(c.title, wb.st.header)
			}
			return out.write(header, excelize.RowOpts{Height: 32})
		}
		return nil
	}
	if err := next(); err != nil {
		return err
	}
	capacity := wb.capacity(s)
	emit := func(cells ...excelize.Cell) error {
		if s.table && data == capacity && part < len(s.parts)-1 {
			if err := next(); err != nil {
				return err
			}
		}
		// More rows than counted go on the last sheet, as far as a sheet
		// can hold them: losing rows would be worse than a long sheet.
		if out.n >= SheetRowLimit {
			return fmt.Errorf("%s: more than the %d rows a sheet holds (%d counted)", s.parts[part], SheetRowLimit, s.rows)
		}
		data++
		return out.write(cells)
	}
	if err := s.write(emit); err != nil {
		return err
	}
	// Fewer rows than counted leave planned sheets unreached; they say so
	// rather than stay blank.
	for part < len(s.parts)-1 {
		if err := next(); err != nil {
			return err
		}
		if err := out.write([]excelize.Cell{text("No more rows.", wb.st.note)}); err != nil {
			return err
		}
	}
	return finish()
}

var landscape = "landscape"

// freezePanes keeps the header rows and the first cols columns in view.
func freezePanes(rows, cols int) *excelize.Panes {
	topLeft, _ := excelize.CoordinatesToCellName(cols+1, rows+1)
	pane := "bottomLeft"
	switch {
	case cols > 0 && rows > 0:
		pane = "bottomRight"
	case cols > 0:
		pane = "topRight"
	}
	return &excelize.Panes{Freeze: true, XSplit: cols, YSplit: rows, TopLeftCell: topLeft, ActivePane: pane,
		Selection: []excelize.Selection{{SQRef: topLeft, ActiveCell: topLeft, Pane: pane}}}
}

// rowWriter writes rows to a StreamWriter. It reuses one row's buffers and
// passes empty unstyled cells as nil, which excelize skips: at millions of
// rows, allocations and empty <c> elements are most of the cost.
type rowWriter struct {
	sw     *excelize.StreamWriter
	n      int // last row written
	cells  []excelize.Cell
	values []any
}

func (r *rowWriter) write(cells []excelize.Cell, opts ...excelize.RowOpts) error {
	r.n++
	r.cells = append(r.cells[:0], cells...)
	r.values = r.values[:0]
	for i := range r.cells {
		c := &r.cells[i]
		if c.StyleID == 0 && (c.Value == nil || c.Value == "") {
			r.values = append(r.values, nil)
			continue
		}
		r.values = append(r.values, c)
	}
	ref, err := excelize.CoordinatesToCellName(1, r.n)
	if err != nil {
		return err
	}
	return r.sw.SetRow(ref, r.values, opts...)
}

// maxCell is the most characters (UTF-16 units) a cell holds.
const maxCell = 32767

// text is the one way text enters the workbook: every string cell,
// streamed or not, is made here (or by setText, which uses the same
// cleaning). A string value becomes a string cell (t="inlineStr" or a
// shared string), which Excel and LibreOffice show as text and never
// evaluate, so "=HYPERLINK(...)" or "@SUM(1)" from an export stays exactly
// that text. No cell of the workbook is ever given a formula. Unlike
// SafeCell for CSV, no apostrophe is added: the value stays the original.
func text(s string, style int) excelize.Cell {
	return excelize.Cell{StyleID: style, Value: clean(s)}
}

// clean cuts text to what a cell holds, and says so, instead of letting
// the library cut it silently.
func clean(s string) string {
	if len(s) <= maxCell { // fast path: a UTF-16 unit takes at least a byte of UTF-8
		return s
	}
	units := utf16.Encode([]rune(s))
	if len(units) <= maxCell {
		return s
	}
	const mark = " [truncated]"
	return string(utf16.Decode(units[:maxCell-len(mark)])) + mark
}

// num is a number cell.
func num[T int | int64 | float64](v T, style int) excelize.Cell {
	return excelize.Cell{StyleID: style, Value: v}
}

// setText writes text into a cell of a sheet written without streaming
// (the Summary); see text.
func (wb *workbook) setText(sheet, cell, s string, style int) error {
	if err := wb.f.SetCellStr(sheet, cell, clean(s)); err != nil {
		return err
	}
	return wb.setStyle(sheet, cell, style)
}

func (wb *workbook) setNum(sheet, cell string, v any, style int) error {
	if err := wb.f.SetCellValue(sheet, cell, v); err != nil {
		return err
	}
	return wb.setStyle(sheet, cell, style)
}

func (wb *workbook) setStyle(sheet, cell string, style int) error {
	if style == 0 {
		return nil
	}
	return wb.f.SetCellStyle(sheet, cell, cell, style)
}

// styles are the cell styles of the workbook, made once.
type styles struct {
	title, section, header, headerLine, label, note, bold, link, center int
	waived                                                              int // grey italic: a waived finding
	money, moneyBold                                                    int
	severity                                                            map[string]int
	depth                                                               map[string]int
}

// Severity colours: critical dark red, high red, medium orange, low yellow,
// info grey; light text where the fill is dark.
var severityColours = map[string][2]string{
	"critical": {"8B0000", "FFFFFF"},
	"high":     {"E02020", "FFFFFF"},
	"medium":   {"F4A020", "000000"},
	"low":      {"FFE060", "000000"},
	"info":     {"D9D9D9", "000000"},
}

// Depth symbols follow the role editor's circles, from empty to full, with
// the word too so a filter or a CSV export still reads. Green deepens with
// reach, as the editor's circles fill. A depth cell holds the depth's rank
// (1 team ... 5 global) and shows the symbol through a literal number
// format: number filters (">= 3": local and above) and sorting work, and a
// number costs a fraction of a string to write at millions of cells.
var (
	depthSymbols = map[string]string{"team": "◌ team", "basic": "◔ basic", "local": "◑ local", "deep": "◕ deep", "global": "● global"}
	depthFills   = map[string]string{"team": "DDEBF7", "basic": "E2EFDA", "local": "C6E0B4", "deep": "A9D08E", "global": "70AD47"}
)

func newStyles(f *excelize.File) (styles, error) {
	var st styles
	var err error
	mk := func(s *excelize.Style) int {
		if err != nil {
			return 0
		}
		var id int
		id, err = f.NewStyle(s)
		return id
	}
	fill := func(c string) excelize.Fill { return excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{c}} }
	st.title = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 16, Color: "1F4E78"}})
	st.section = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 12, Color: "1F4E78"}})
	st.header = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "FFFFFF"}, Fill: fill("1F4E78"),
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}})
	st.headerLine = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "FFFFFF"}, Fill: fill("1F4E78")})
	st.label = mk(&excelize.Style{Font: &excelize.Font{Bold: true}})
	st.center = mk(&excelize.Style{Alignment: &excelize.Alignment{Horizontal: "center"}})
	st.bold = mk(&excelize.Style{Font: &excelize.Font{Bold: true}})
	st.link = mk(&excelize.Style{Font: &excelize.Font{Color: "0563C1", Underline: "single"}})
	st.note = mk(&excelize.Style{Font: &excelize.Font{Italic: true, Color: "595959"}})
	st.waived = mk(&excelize.Style{Font: &excelize.Font{Italic: true, Color: "808080"}})
	st.money = mk(&excelize.Style{NumFmt: 4}) // #,##0.00
	st.moneyBold = mk(&excelize.Style{NumFmt: 4, Font: &excelize.Font{Bold: true}})
	st.severity = map[string]int{}
	// In a fixed order: style IDs must not depend on map order.
	for _, sev := range rules.Severities {
		c := severityColours[sev]
		st.severity[sev] = mk(&excelize.Style{Fill: fill(c[0]), Font: &excelize.Font{Bold: true, Color: c[1]}})
	}
	st.depth = map[string]int{}
	for _, d := range vocab.Depths {
		format := `"` + depthSymbols[d] + `"` // a literal: the cell shows it whatever its number
		st.depth[d] = mk(&excelize.Style{Fill: fill(depthFills[d]), Alignment: &excelize.Alignment{Horizontal: "center"},
			CustomNumFmt: &format})
	}
	return st, err
}

// findingCounts counts findings per subject, for the Users, Roles and
// Teams sheets.
type findingCounts struct {
	open, waived map[string]int
	worst        map[string]int // lowest severity rank among open findings
}

// subjectKey names a subject within its environment: in a tenant run two
// environments' subjects may share an ID.
func subjectKey(env, kind, id string) string {
	return env + "\x00" + kind + "\x00" + guid.Key(id)
}

func countFindings(fs []rules.Finding) findingCounts {
	c := findingCounts{open: map[string]int{}, waived: map[string]int{}, worst: map[string]int{}}
	for _, f := range fs {
		k := subjectKey(f.Environment, f.SubjectType, f.SubjectID)
		if f.Waived {
			c.waived[k]++
			continue
		}
		c.open[k]++
		r := rules.SeverityRank(f.Severity)
		if w, ok := c.worst[k]; !ok || r < w {
			c.worst[k] = r
		}
	}
	return c
}

func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
