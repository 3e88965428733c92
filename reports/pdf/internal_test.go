package pdf

import (
	"reflect"
	"testing"
)

// The font of each run: DejaVu for Latin, Greek and Cyrillic, Droid Sans
// Fallback for CJK, the replacement character where neither has a glyph.
func TestPDFRunsSwitchFontForCJK(t *testing.T) {
	cov, err := fontCoverage()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range "Zoë Müller Δημήτρης Ольга Yılmaz Núñez" {
		if !cov.main.has(r) || !cov.mainBold.has(r) {
			t.Errorf("DejaVu Sans lacks %q", r)
		}
	}
	for _, r := range "田中愛子カタカナひらがな漢字" {
		if cov.main.has(r) {
			t.Errorf("DejaVu Sans is not expected to have %q", r)
		}
		if !cov.cjk.has(r) {
			t.Errorf("Droid Sans Fallback lacks %q", r)
		}
	}
	got := cov.runs("Zoë, 田中 愛子 and Ольга\t😀", false)
	want := []run{
		{text: "Zoë, ", family: famMain},
		{text: "田中 愛子 ", family: famCJK},
		{text: "and Ольга \uFFFD", family: famMain},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("runs = %q, want %q", got, want)
	}
}

func TestPDFCmapRejectsOtherFonts(t *testing.T) {
	for name, font := range map[string][]byte{
		"CFF (OTTO)":        append([]byte("OTTO"), make([]byte, 20)...),
		"collection (ttcf)": append([]byte("ttcf"), make([]byte, 20)...),
		"truncated":         {0, 1},
	} {
		if _, err := cmapCoverage(font); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// Axes start at zero and end on a round number just above the largest
// bar, in whole steps.
func TestPDFAxis(t *testing.T) {
	for _, c := range []struct {
		max   float64
		top   float64
		steps int
	}{
		{0, 2, 2}, {1, 2, 2}, {5, 6, 3}, {15, 20, 4}, {27440, 30000, 3}, {200000, 250000, 5}, {12444, 15000, 3},
	} {
		top, steps := axis(c.max)
		if top != c.top || steps != c.steps {
			t.Errorf("axis(%v) = %v in %d steps, want %v in %d", c.max, top, steps, c.top, c.steps)
		}
		if top < c.max {
			t.Errorf("axis(%v): top %v below the largest value", c.max, top)
		}
	}
}
