package pdf_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/d365audit/d365audit/reports/pdf"
)

func documentBytes(t *testing.T, rows int) []byte {
	t.Helper()
	doc, err := pdf.NewDocument(pdf.DocumentInfo{
		Title: "Evidence", Subject: "a test", ToolVersion: "test",
		Header: "running header", Footer: "footer text",
		Created: time.Date(2026, 11, 20, 8, 30, 0, 0, time.UTC),
	})
	if err != nil {
		t.Fatal(err)
	}
	doc.Title("Evidence of a review")
	doc.KeyValues([][2]string{{"Campaign", "AR-1"}, {"Reviewer", "田中 愛子"}})
	doc.Heading("Items", 1)
	doc.Muted("How the items were chosen.")
	doc.Note("A caveat.")
	var data [][]string
	for i := 0; i < rows; i++ {
		data = append(data, []string{"row", strings.Repeat("x", i%40), "Δημήτρης"})
	}
	doc.Table([]pdf.DocColumn{{Head: "Alpha", Width: 0.2}, {Head: "Beta", Width: 0.5}, {Head: "Gamma", Width: 0.3, Small: true}}, data)
	var buf bytes.Buffer
	if err := doc.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestDocument(t *testing.T) {
	a, b := documentBytes(t, 300), documentBytes(t, 300)
	if !bytes.Equal(a, b) {
		t.Error("one content gave two different PDFs")
	}
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, a, 0o644); err != nil {
		t.Fatal(err)
	}
	text := extractText(t, path, false)
	for _, want := range []string{"Evidence of a review", "田中 愛子", "Δημήτρης", "running header", "footer text", "Page 2 of"} {
		if !strings.Contains(text, want) {
			t.Errorf("the document does not say %q", want)
		}
	}
	// The table's heading repeats on every page it runs over.
	pages := strings.Split(text, "\f")
	if len(pages) < 3 {
		t.Fatalf("%d pages", len(pages))
	}
	if !strings.Contains(pages[1], "Gamma") {
		t.Errorf("page 2 has no table heading:\n%s", pages[1])
	}
}
