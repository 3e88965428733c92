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
	pdfPageW        = 210.0
	pdfPageH        = 297.0
	pdfMarginL      = 18.0
	pdfMarginR      = 18.0
	pdfMarginTop    = 24.0 // below the running header
	pdfMarginBottom = 20.0 // above the footer
	pdfContentW     = pdfPageW - pdfMarginL - pdfMarginR
	pdfPtToMM       = 25.4 / 72
	pdfLineFactor   = 1.32 // line height as a multiple of the font size
)

type pdfRGB struct{ r, g, b int }

var (
	pdfColText   = pdfRGB{33, 37, 41}
	pdfColMuted  = pdfRGB{100, 108, 118}
	pdfColAccent = pdfRGB{31, 78, 121}
	pdfColRule   = pdfRGB{200, 205, 212}
	pdfColHeadBg = pdfRGB{226, 232, 240}
	pdfColStripe = pdfRGB{246, 248, 250}
	pdfColNoteBg = pdfRGB{252, 246, 229}
	pdfColWhite  = pdfRGB{255, 255, 255}
)

// pdfStyle is a font size (points), weight and colour.
type pdfStyle struct {
	size  float64
	bold  bool
	color pdfRGB
}

var (
	pdfBody       = pdfStyle{size: 9.5, color: pdfColText}
	pdfBodyB      = pdfStyle{size: 9.5, bold: true, color: pdfColText}
	pdfSmall      = pdfStyle{size: 8, color: pdfColText}
	pdfSmallB     = pdfStyle{size: 8, bold: true, color: pdfColText}
	pdfMuted      = pdfStyle{size: 8, color: pdfColMuted}
	pdfH1         = pdfStyle{size: 17, bold: true, color: pdfColAccent}
	pdfH2         = pdfStyle{size: 12.5, bold: true, color: pdfColAccent}
	pdfH3         = pdfStyle{size: 10.5, bold: true, color: pdfColText}
	pdfTableText  = pdfStyle{size: 7.8, color: pdfColText}
	pdfTableSmall = pdfStyle{size: 7, color: pdfColText}
)

func (s pdfStyle) lineH() float64 { return s.size * pdfPtToMM * pdfLineFactor }

func (s pdfStyle) with(c pdfRGB) pdfStyle { s.color = c; return s }

// pdfDoc is one report being laid out.
type pdfDoc struct {
	pdf      *fpdf.Fpdf
	rep      *reports.Report
	facts    *pdfFacts
	cov      *pdfCoverage
	cjkAdded bool
	// openTable is the table being drawn, if any: the page header repeats
	// its column headings when a row moves to a new page.
	openTable *pdfTable
	// running is the running header's right-hand text.
	running string
	images  int
}

// setFont selects a family for a run; the CJK font is added on first use,
// so a report without CJK text does not carry it.
func (d *pdfDoc) setFont(family string, st pdfStyle) {
	style := ""
	if st.bold {
		style = "B"
	}
	if family == pdfFamCJK {
		if !d.cjkAdded {
			d.pdf.AddUTF8FontFromBytes(pdfFamCJK, "", pdfFontCJK)
			d.cjkAdded = true
		}
		style = "" // Droid Sans Fallback has no bold face
	}
	d.pdf.SetFont(family, style, st.size)
}

// width is the width of s in st, in millimetres.
func (d *pdfDoc) width(s string, st pdfStyle) float64 {
	w := 0.0
	for _, r := range d.cov.runs(s, st.bold) {
		d.setFont(r.family, st)
		w += d.pdf.GetStringWidth(r.text)
	}
	return w
}

// drawText draws one line of s with its top-left corner at (x, y).
func (d *pdfDoc) drawText(x, y float64, s string, st pdfStyle) float64 {
	baseline := y + 1.02*st.size*pdfPtToMM
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
func (d *pdfDoc) wrap(s string, w float64, st pdfStyle) []string {
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
func (d *pdfDoc) splitAt(word string, w float64, st pdfStyle) (string, string) {
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
func (d *pdfDoc) fit(s string, w float64, st pdfStyle) string {
	if d.width(s, st) <= w {
		return s
	}
	head, _ := d.splitAt(s, w-d.width("…", st), st)
	return strings.TrimRight(head, " ") + "…"
}

func (d *pdfDoc) y() float64     { return d.pdf.GetY() }
func (d *pdfDoc) setY(y float64) { d.pdf.SetY(y) }

// bottom is the lowest y content may reach on a page.
func (d *pdfDoc) bottom() float64 { return pdfPageH - pdfMarginBottom }

// ensure starts a new page unless h millimetres still fit on this one.
func (d *pdfDoc) ensure(h float64) {
	if d.y()+h > d.bottom() {
		d.pdf.AddPage()
	}
}

// gap adds vertical space, unless it would only push the next line off the
// page.
func (d *pdfDoc) gap(h float64) {
	if d.y()+h < d.bottom() {
		d.setY(d.y() + h)
	}
}

// paragraph draws s wrapped to the content width (or to w, from x).
func (d *pdfDoc) paragraph(s string, st pdfStyle) { d.paragraphAt(pdfMarginL, pdfContentW, s, st) }

func (d *pdfDoc) paragraphAt(x, w float64, s string, st pdfStyle) {
	lh := st.lineH()
	for _, line := range d.wrap(s, w, st) {
		d.ensure(lh)
		d.drawText(x, d.y(), line, st)
		d.setY(d.y() + lh)
	}
}

// link draws a URL and makes it clickable.
func (d *pdfDoc) link(x, w float64, url string, st pdfStyle) {
	lh := st.lineH()
	for _, line := range d.wrap(url, w, st) {
		d.ensure(lh)
		end := d.drawText(x, d.y(), line, st)
		d.pdf.LinkString(x, d.y(), end-x, lh, url)
		d.setY(d.y() + lh)
	}
}

// heading draws a section heading, kept with at least keep millimetres of
// what follows, and adds it to the PDF outline.
func (d *pdfDoc) heading(s string, st pdfStyle, level int, keep float64) {
	lh := st.lineH()
	d.ensure(lh*2 + keep)
	if level >= 0 {
		d.setFont(pdfFamMain, st)
		d.pdf.Bookmark(s, level, d.y())
	}
	d.paragraph(s, st)
	if st.size >= pdfH2.size {
		d.pdf.SetDrawColor(pdfColRule.r, pdfColRule.g, pdfColRule.b)
		d.pdf.SetLineWidth(0.3)
		d.pdf.Line(pdfMarginL, d.y()+0.6, pdfMarginL+pdfContentW, d.y()+0.6)
	}
	d.setY(d.y() + 2.2)
}

// keyValues draws label: value lines in two columns.
func (d *pdfDoc) keyValues(rows [][2]string, labelW float64, st pdfStyle) {
	d.keyValuesAt(pdfMarginL, pdfContentW, rows, labelW, st)
}

// keyValuesAt draws label: value lines in a column w wide at x.
func (d *pdfDoc) keyValuesAt(x, w float64, rows [][2]string, labelW float64, st pdfStyle) {
	lh := st.lineH()
	lst := st
	lst.bold = true
	lst.color = pdfColMuted
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
func (d *pdfDoc) note(s string, st pdfStyle) {
	const pad = 2.5
	lines := d.wrap(s, pdfContentW-2*pad, st)
	lh := st.lineH()
	h := float64(len(lines))*lh + 2*pad
	d.ensure(h)
	y := d.y()
	d.fillRect(pdfMarginL, y, pdfContentW, h, pdfColNoteBg)
	d.pdf.SetFillColor(214, 170, 60)
	d.pdf.Rect(pdfMarginL, y, 1.0, h, "F")
	y += pad
	for _, line := range lines {
		d.drawText(pdfMarginL+pad+1, y, line, st)
		y += lh
	}
	d.setY(y + pad + 2)
}

func (d *pdfDoc) fillRect(x, y, w, h float64, c pdfRGB) {
	d.pdf.SetFillColor(c.r, c.g, c.b)
	d.pdf.Rect(x, y, w, h, "F")
}

// chart renders c and places it at (x, y). Each chart is drawn a pixel
// or so wider than the one before: fpdf writes images in the order of
// their pixel width and leaves ties in map order, so charts of one width
// would make two renderings of a report differ byte for byte.
func (d *pdfDoc) chart(c pdfBarChart, x, y float64) error {
	d.images++
	c.extraPx = d.images
	png, err := c.png()
	if err != nil {
		return err
	}
	opt := fpdf.ImageOptions{ImageType: "PNG"}
	name := "chart" + pdfItoa(d.images)
	d.pdf.RegisterImageOptionsReader(name, opt, bytes.NewReader(png))
	d.pdf.ImageOptions(name, x, y, c.widthMM, c.heightMM, false, opt, 0, "")
	return nil
}

// pdfColumn is one column of a table: a heading, a width in millimetres,
// whether numbers align right, and whether it is set small (hashes).
type pdfColumn struct {
	head  string
	w     float64
	right bool
	small bool
}

type pdfTable struct {
	columns []pdfColumn
	// maxLines caps a cell, so one runaway value cannot fill a page.
	maxLines int
}

const pdfCellPadX, pdfCellPadY = 1.3, 0.9

// pdfCols builds columns from pairs of heading and width, the width a
// fraction of the content width. A heading starting with ">" aligns the
// column right (numbers); one starting with "~" sets it small.
func pdfCols(spec ...any) []pdfColumn {
	var out []pdfColumn
	for i := 0; i+1 < len(spec); i += 2 {
		c := pdfColumn{head: spec[i].(string), w: spec[i+1].(float64) * pdfContentW}
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
func (t *pdfTable) cellStyle(i int, header bool) pdfStyle {
	st := pdfTableText
	if t.columns[i].small && !header {
		st = pdfTableSmall
	}
	st.bold = header
	return st
}

// table draws a table: the header row, then the rows, moving to a new page
// (with the header again, from the page header function) whenever a row
// does not fit.
func (d *pdfDoc) table(c []pdfColumn, rows [][]string) {
	t := &pdfTable{columns: c, maxLines: 12}
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

func (t *pdfTable) heads() []string {
	heads := make([]string, len(t.columns))
	for i, c := range t.columns {
		heads[i] = c.head
	}
	return heads
}

func (d *pdfDoc) cellLines(t *pdfTable, i int, s string, header bool) []string {
	st := t.cellStyle(i, header)
	w := t.columns[i].w - 2*pdfCellPadX
	lines := d.wrap(s, w, st)
	if len(lines) > t.maxLines {
		lines = lines[:t.maxLines]
		lines[t.maxLines-1] = d.fit(lines[t.maxLines-1]+" …", w, st)
	}
	return lines
}

func (d *pdfDoc) rowHeight(t *pdfTable, row []string, header bool) float64 {
	h := 0.0
	for i, s := range row {
		if i < len(t.columns) {
			lh := t.cellStyle(i, header).lineH()
			h = math.Max(h, float64(len(d.cellLines(t, i, s, header)))*lh)
		}
	}
	return h + 2*pdfCellPadY
}

func (d *pdfDoc) drawTableHeader(t *pdfTable) {
	d.drawRow(t, t.heads(), false, true)
}

func (d *pdfDoc) drawRow(t *pdfTable, row []string, stripe, header bool) {
	y := d.y()
	h := d.rowHeight(t, row, header)
	switch {
	case header:
		d.fillRect(pdfMarginL, y, pdfContentW, h, pdfColHeadBg)
	case stripe:
		d.fillRect(pdfMarginL, y, pdfContentW, h, pdfColStripe)
	}
	x := pdfMarginL
	for i, c := range t.columns {
		if i < len(row) {
			st := t.cellStyle(i, header)
			ly := y + pdfCellPadY
			for _, line := range d.cellLines(t, i, row[i], header) {
				lx := x + pdfCellPadX
				if c.right {
					lx = x + c.w - pdfCellPadX - d.width(line, st)
				}
				d.drawText(lx, ly, line, st)
				ly += st.lineH()
			}
		}
		x += c.w
	}
	if !header {
		d.pdf.SetDrawColor(pdfColRule.r, pdfColRule.g, pdfColRule.b)
		d.pdf.SetLineWidth(0.1)
		d.pdf.Line(pdfMarginL, y+h, pdfMarginL+pdfContentW, y+h)
	}
	d.setY(y + h)
}
