package pdf

import (
	"fmt"
	"io"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
)

// This file lends report.pdf's machinery to other commands (review): a PDF
// laid out like report.pdf, with the same embedded fonts, headings and
// tables.

// Document is a PDF of headings, paragraphs, label-value lines and tables,
// laid out as report.pdf is. Its dates are the time given to NewDocument,
// never the clock, so one content gives one file.
type Document struct {
	d              *doc
	header, footer string
}

// DocumentInfo is what a Document says about itself.
type DocumentInfo struct {
	Title, Subject, ToolVersion string
	// Header is the running header's right-hand text (from page 2);
	// Footer the footer's left-hand text, on every page.
	Header, Footer string
	Created        time.Time
}

// NewDocument starts a Document on its first page.
func NewDocument(info DocumentInfo) (*Document, error) {
	d, err := newDoc(info)
	if err != nil {
		return nil, err
	}
	pdf := d.pdf
	x := &Document{d: d, header: info.Header, footer: info.Footer}
	pdf.SetHeaderFunc(x.pageHeader)
	pdf.SetFooterFunc(x.pageFooter)
	pdf.AddPage()
	x.d.drawText(marginL, 12, "d365audit", textStyle{size: 11, bold: true, color: colAccent})
	x.d.setY(marginTop)
	return x, nil
}

// newDoc starts a PDF as every d365audit PDF is made: A4, the embedded
// fonts, our margins, and dictionaries and dates fixed by info, so that one
// content gives one file.
func newDoc(info DocumentInfo) (*doc, error) {
	cov, err := fontCoverage()
	if err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCatalogSort(true) // dictionaries in a fixed order: same input, same bytes
	pdf.SetCreationDate(info.Created.UTC())
	pdf.SetModificationDate(info.Created.UTC())
	pdf.SetProducer("d365audit", true)
	pdf.SetCreator(strings.TrimSpace("d365audit "+info.ToolVersion), true)
	pdf.SetAuthor("d365audit", true)
	pdf.SetTitle(info.Title, true)
	pdf.SetSubject(info.Subject, true)
	pdf.SetLang("en")
	pdf.AliasNbPages("{nb}")
	pdf.AddUTF8FontFromBytes(famMain, "", fontMain)
	pdf.AddUTF8FontFromBytes(famMain, "B", fontMainBold)
	pdf.SetMargins(marginL, marginTop, marginR)
	// The writer lays out every line itself and breaks pages where a line
	// or a table row would not fit; fpdf's own break would split rows.
	pdf.SetAutoPageBreak(false, marginBottom)
	return &doc{pdf: pdf, cov: cov}, nil
}

func (x *Document) pageHeader() { x.d.runningPage("d365audit", x.header, contentW*0.7) }

func (x *Document) pageFooter() { x.d.runningFooter(x.footer) }

// Title is the document's title, large.
func (x *Document) Title(s string) { x.d.heading(s, h1, 0, 30) }

// Heading is a section heading (level 1) or a subsection's (level 2).
func (x *Document) Heading(s string, level int) {
	if level <= 1 {
		x.d.heading(s, h2, 1, 20)
		return
	}
	x.d.heading(s, h3, 2, 15)
}

// Paragraph is body text, wrapped.
func (x *Document) Paragraph(s string) { x.d.paragraph(s, body); x.d.gap(1.5) }

// Muted is small grey text: how a figure was computed.
func (x *Document) Muted(s string) { x.d.paragraph(s, muted); x.d.gap(1.5) }

// Note is a shaded box: a caveat.
func (x *Document) Note(s string) { x.d.note(s, small) }

// KeyValues are label: value lines.
func (x *Document) KeyValues(rows [][2]string) {
	x.d.keyValues(rows, 36, body)
	x.d.gap(2)
}

// DocColumn is a table column: a heading and a width as a fraction of the
// page's content width. Small sets the column's cells small (hashes).
type DocColumn struct {
	Head  string
	Width float64
	Small bool
}

// Table draws a table whose heading row repeats on every page it runs over.
func (x *Document) Table(cols []DocColumn, rows [][]string) {
	c := make([]column, len(cols))
	for i, col := range cols {
		c[i] = column{head: col.Head, w: col.Width * contentW, small: col.Small}
	}
	x.d.table(c, rows)
}

// Write finishes the document into w.
func (x *Document) Write(w io.Writer) error {
	if x.d.pdf.Err() {
		return fmt.Errorf("pdf: %w", x.d.pdf.Error())
	}
	if err := x.d.pdf.Output(w); err != nil {
		return fmt.Errorf("pdf: %w", err)
	}
	return nil
}
