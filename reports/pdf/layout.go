package pdf

import (
	"bytes"
	"math"
	"strings"

	"codeberg.org/go-pdf/fpdf"
	"github.com/d365audit/d365audit/reports"
)

// The layout layer: text in mixed fonts, wrapped to a width, drawn line by
// line, and tables whose header repeats on every page they run over. fpdf's
// own Write and MultiCell handle one font at a time, so the writer measures
// and wraps text itself and draws each font run with Text.

// A4 portrait, in millimetres.
const (
	pageW        = 210.0
	pageH        = 297.0
	marginL      = 18.0
	marginR      = 18.0
	marginTop    = 24.0 // below the running header
	marginBottom = 20.0 // above the footer
	contentW     = pageW - marginL - marginR
	ptToMM       = 25.4 / 72
	lineFactor   = 1.32 // line height as a multiple of the font size
)

type rgb struct{ r, g, b int }

var (
	colText   = rgb{33, 37, 41}
	colMuted  = rgb{100, 108, 118}
	colAccent = rgb{31, 78, 121}
	colRule   = rgb{200, 205, 212}
	colHeadBg = rgb{226, 232, 240}
	colStripe = rgb{246, 248, 250}
	colNoteBg = rgb{252, 246, 229}
	colWhite  = rgb{255, 255, 255}
)

// textStyle is a font size (points), weight and colour.
type textStyle struct {
	size  float64
	bold  bool
	color rgb
}

var (
	body       = textStyle{size: 9.5, color: colText}
	bodyB      = textStyle{size: 9.5, bold: true, color: colText}
	small      = textStyle{size: 8, color: colText}
	smallB     = textStyle{size: 8, bold: true, color: colText}
	muted      = textStyle{size: 8, color: colMuted}
	h1         = textStyle{size: 17, bold: true, color: colAccent}
	h2         = textStyle{size: 12.5, bold: true, color: colAccent}
	h3         = textStyle{size: 10.5, bold: true, color: colText}
	tableText  = textStyle{size: 7.8, color: colText}
	tableSmall = textStyle{size: 7, color: colText}
)

func (s textStyle) lineH() float64 { return s.size * ptToMM * lineFactor }

func (s textStyle) with(c rgb) textStyle { s.color = c; return s }

// doc is one report being laid out.
type doc struct {
	pdf      *fpdf.Fpdf
	rep      *reports.Report
	facts    *reportFacts
	cov      *coverage
	cjkAdded bool
	// openTable is the table being drawn, if any: the page header repeats
	// its column headings when a row moves to a new page.
	openTable *tableLayout
	// running is the running header's right-hand text.
	running string
	images  int
}

// setFont selects a family for a run; the CJK font is added on first use,
// so a report without CJK text does not carry it.
func (d *doc) setFont(family string, st textStyle) {
	style := ""
	if st.bold {
		style = "B"
	}
	if family == famCJK {
		if !d.cjkAdded {
			d.pdf.AddUTF8FontFromBytes(famCJK, "", fontCJK)
			d.cjkAdded = true
		}
		style = "" // Droid Sans Fallback has no bold face
	}
	d.pdf.SetFont(family, style, st.size)
}

// width is the width of s in st, in millimetres.
func (d *doc) width(s string, st textStyle) float64 {
	w := 0.0
	for _, r := range d.cov.runs(s, st.bold) {
		d.setFont(r.family, st)
		w += d.pdf.GetStringWidth(r.text)
	}
	return w
}

// drawText draws one line of s with its top-left corner at (x, y).
func (d *doc) drawText(x, y float64, s string, st textStyle) float64 {
	baseline := y + 1.02*st.size*ptToMM
	d.pdf.SetTextColor(st.color.r, st.color.g, st.color.b)
	for _, r := range d.cov.runs(s, st.bold) {
		d.setFont(r.family, st)
		d.pdf.Text(x, baseline, r.text)
		x += d.pdf.GetStringWidth(r.text)
	}
	return x
}

// wrap breaks s into lines no wider than w: at spaces, at hard line breaks,
// and inside a word only when the word alone is too wide (a GUID, a URL, a
// run of CJK text, which has no spaces).
func (d *doc) wrap(s string, w float64, st textStyle) []string {
	var lines []string
	for _, para := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		words := strings.Fields(para)
		if len(words) == 0 {
			lines = append(lines, "")
			continue
		}
		space := d.width(" ", st)
		line, lineW := "", 0.0
		for _, word := range words {
			ww := d.width(word, st)
			if line != "" && lineW+space+ww <= w {
				line += " " + word
				lineW += space + ww
				continue
			}
			if line != "" {
				lines = append(lines, line)
				line, lineW = "", 0
			}
			for ww > w { // a word wider than the line: break it by runes
				head, rest := d.splitAt(word, w, st)
				lines = append(lines, head)
				word = rest
				ww = d.width(word, st)
			}
			line, lineW = word, ww
		}
		lines = append(lines, line)
	}
	return lines
}

// splitAt returns the longest prefix of word that fits in w (at least one
// rune) and the rest.
func (d *doc) splitAt(word string, w float64, st textStyle) (string, string) {
	runes := []rune(word)
	lo, hi := 1, len(runes)
	for lo < hi { // binary search on the prefix length
		mid := (lo + hi + 1) / 2
		if d.width(string(runes[:mid]), st) <= w {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return string(runes[:lo]), string(runes[lo:])
}

// fit cuts s to one line of width w, ending it with an ellipsis if cut.
func (d *doc) fit(s string, w float64, st textStyle) string {
	if d.width(s, st) <= w {
		return s
	}
	head, _ := d.splitAt(s, w-d.width("…", st), st)
	return strings.TrimRight(head, " ") + "…"
}

func (d *doc) y() float64     { return d.pdf.GetY() }
func (d *doc) setY(y float64) { d.pdf.SetY(y) }

// bottom is the lowest y content may reach on a page.
func (d *doc) bottom() float64 { return pageH - marginBottom }

// ensure starts a new page unless h millimetres still fit on this one.
func (d *doc) ensure(h float64) {
	if d.y()+h > d.bottom() {
		d.pdf.AddPage()
	}
}

// gap adds vertical space, unless it would only push the next line off the
// page.
func (d *doc) gap(h float64) {
	if d.y()+h < d.bottom() {
		d.setY(d.y() + h)
	}
}

// paragraph draws s wrapped to the content width (or to w, from x).
func (d *doc) paragraph(s string, st textStyle) { d.paragraphAt(marginL, contentW, s, st) }

func (d *doc) paragraphAt(x, w float64, s string, st textStyle) {
	lh := st.lineH()
	for _, line := range d.wrap(s, w, st) {
		d.ensure(lh)
		d.drawText(x, d.y(), line, st)
		d.setY(d.y() + lh)
	}
}

// link draws a URL and makes it clickable.
func (d *doc) link(x, w float64, url string, st textStyle) {
	lh := st.lineH()
	for _, line := range d.wrap(url, w, st) {
		d.ensure(lh)
		end := d.drawText(x, d.y(), line, st)
		d.pdf.LinkString(x, d.y(), end-x, lh, url)
		d.setY(d.y() + lh)
	}
}

// chapter starts a chapter on a new page: running is what the page
// headers say while it lasts, title its first heading, keep the room the
// heading keeps with what follows.
func (d *doc) chapter(running, title string, keep float64) {
	d.running = running
	d.pdf.AddPage()
	d.heading(title, h1, 0, keep)
}

// heading draws a section heading, kept with at least keep millimetres of
// what follows, and adds it to the PDF outline.
func (d *doc) heading(s string, st textStyle, level int, keep float64) {
	lh := st.lineH()
	d.ensure(lh*2 + keep)
	if level >= 0 {
		d.setFont(famMain, st)
		d.pdf.Bookmark(s, level, d.y())
	}
	d.paragraph(s, st)
	if st.size >= h2.size {
		d.pdf.SetDrawColor(colRule.r, colRule.g, colRule.b)
		d.pdf.SetLineWidth(0.3)
		d.pdf.Line(marginL, d.y()+0.6, marginL+contentW, d.y()+0.6)
	}
	d.setY(d.y() + 2.2)
}

// keyValues draws label: value lines in two columns.
func (d *doc) keyValues(rows [][2]string, labelW float64, st textStyle) {
	d.keyValuesAt(marginL, contentW, rows, labelW, st)
}

// keyValuesAt draws label: value lines in a column w wide at x.
func (d *doc) keyValuesAt(x, w float64, rows [][2]string, labelW float64, st textStyle) {
	lh := st.lineH()
	lst := st
	lst.bold = true
	lst.color = colMuted
	for _, kv := range rows {
		lines := d.wrap(kv[1], w-labelW, st)
		d.ensure(lh * float64(len(lines)))
		d.drawText(x, d.y(), kv[0], lst)
		for _, line := range lines {
			d.drawText(x+labelW, d.y(), line, st)
			d.setY(d.y() + lh)
		}
		d.setY(d.y() + 0.8)
	}
}

// note draws a shaded box of text: the honest caveats.
func (d *doc) note(s string, st textStyle) {
	const pad = 2.5
	lines := d.wrap(s, contentW-2*pad, st)
	lh := st.lineH()
	h := float64(len(lines))*lh + 2*pad
	d.ensure(h)
	y := d.y()
	d.fillRect(marginL, y, contentW, h, colNoteBg)
	d.pdf.SetFillColor(214, 170, 60)
	d.pdf.Rect(marginL, y, 1.0, h, "F")
	y += pad
	for _, line := range lines {
		d.drawText(marginL+pad+1, y, line, st)
		y += lh
	}
	d.setY(y + pad + 2)
}

func (d *doc) fillRect(x, y, w, h float64, c rgb) {
	d.pdf.SetFillColor(c.r, c.g, c.b)
	d.pdf.Rect(x, y, w, h, "F")
}

// chart renders c and places it at (x, y). Each chart is drawn a pixel
// or so wider than the one before: fpdf writes images in the order of
// their pixel width and leaves ties in map order, so charts of one width
// would make two renderings of a report differ byte for byte.
func (d *doc) chart(c barChart, x, y float64) error {
	d.images++
	c.extraPx = d.images
	png, err := c.png()
	if err != nil {
		return err
	}
	opt := fpdf.ImageOptions{ImageType: "PNG"}
	name := "chart" + itoa(d.images)
	d.pdf.RegisterImageOptionsReader(name, opt, bytes.NewReader(png))
	d.pdf.ImageOptions(name, x, y, c.widthMM, c.heightMM, false, opt, 0, "")
	return nil
}

// column is one column of a table: a heading, a width in millimetres,
// whether numbers align right, and whether it is set small (hashes).
type column struct {
	head  string
	w     float64
	right bool
	small bool
}

type tableLayout struct {
	columns []column
	// maxLines caps a cell, so one runaway value cannot fill a page.
	maxLines int
}

const cellPadX, cellPadY = 1.3, 0.9

// makeColumns builds columns from pairs of heading and width, the width a
// fraction of the content width. A heading starting with ">" aligns the
// column right (numbers); one starting with "~" sets it small.
func makeColumns(spec ...any) []column {
	var out []column
	for i := 0; i+1 < len(spec); i += 2 {
		c := column{head: spec[i].(string), w: spec[i+1].(float64) * contentW}
		for strings.HasPrefix(c.head, ">") || strings.HasPrefix(c.head, "~") {
			c.right = c.right || c.head[0] == '>'
			c.small = c.small || c.head[0] == '~'
			c.head = c.head[1:]
		}
		out = append(out, c)
	}
	return out
}

// cellStyle is the style of column i's cells; the header row is bold.
func (t *tableLayout) cellStyle(i int, header bool) textStyle {
	st := tableText
	if t.columns[i].small && !header {
		st = tableSmall
	}
	st.bold = header
	return st
}

// table draws a table: the header row, then the rows, moving to a new page
// (with the header again, from the page header function) whenever a row
// does not fit.
func (d *doc) table(c []column, rows [][]string) {
	t := &tableLayout{columns: c, maxLines: 12}
	first := 0.0
	if len(rows) > 0 {
		first = d.rowHeight(t, rows[0], false)
	}
	d.ensure(d.rowHeight(t, t.heads(), true) + first)
	d.drawTableHeader(t)
	d.openTable = t
	for i, row := range rows {
		if d.y()+d.rowHeight(t, row, false) > d.bottom() {
			d.pdf.AddPage() // the page header draws the column headings
		}
		d.drawRow(t, row, i%2 == 1, false)
	}
	d.openTable = nil
	d.setY(d.y() + 2.5)
}

func (t *tableLayout) heads() []string {
	heads := make([]string, len(t.columns))
	for i, c := range t.columns {
		heads[i] = c.head
	}
	return heads
}

func (d *doc) cellLines(t *tableLayout, i int, s string, header bool) []string {
	st := t.cellStyle(i, header)
	w := t.columns[i].w - 2*cellPadX
	lines := d.wrap(s, w, st)
	if len(lines) > t.maxLines {
		lines = lines[:t.maxLines]
		lines[t.maxLines-1] = d.fit(lines[t.maxLines-1]+" …", w, st)
	}
	return lines
}

func (d *doc) rowHeight(t *tableLayout, row []string, header bool) float64 {
	h := 0.0
	for i, s := range row {
		if i < len(t.columns) {
			lh := t.cellStyle(i, header).lineH()
			h = math.Max(h, float64(len(d.cellLines(t, i, s, header)))*lh)
		}
	}
	return h + 2*cellPadY
}

func (d *doc) drawTableHeader(t *tableLayout) {
	d.drawRow(t, t.heads(), false, true)
}

func (d *doc) drawRow(t *tableLayout, row []string, stripe, header bool) {
	y := d.y()
	h := d.rowHeight(t, row, header)
	switch {
	case header:
		d.fillRect(marginL, y, contentW, h, colHeadBg)
	case stripe:
		d.fillRect(marginL, y, contentW, h, colStripe)
	}
	x := marginL
	for i, c := range t.columns {
		if i < len(row) {
			st := t.cellStyle(i, header)
			ly := y + cellPadY
			for _, line := range d.cellLines(t, i, row[i], header) {
				lx := x + cellPadX
				if c.right {
					lx = x + c.w - cellPadX - d.width(line, st)
				}
				d.drawText(lx, ly, line, st)
				ly += st.lineH()
			}
		}
		x += c.w
	}
	if !header {
		d.pdf.SetDrawColor(colRule.r, colRule.g, colRule.b)
		d.pdf.SetLineWidth(0.1)
		d.pdf.Line(marginL, y+h, marginL+contentW, y+h)
	}
	d.setY(y + h)
}
