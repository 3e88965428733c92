package pdf

import (
	_ "embed"
	"fmt"
	"sync"
	"unicode"

	"golang.org/x/image/font/sfnt"
)

// The PDF embeds its fonts, so it renders the same on every machine and
// names in any script come out as written. fpdf needs TrueType outlines
// (not CFF, not a .ttc collection) and has no font fallback of its own:
// DejaVu Sans covers Latin, Greek and Cyrillic; Droid Sans Fallback covers
// CJK, and the writer switches to it for each run of text DejaVu lacks.
// Licenses: fonts/LICENSE-DejaVu.txt, fonts/LICENSE-DroidSansFallback.txt.
var (
	//go:embed fonts/DejaVuSans.ttf
	fontMain []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	fontMainBold []byte
	//go:embed fonts/DroidSansFallbackFull.ttf
	fontCJK []byte
)

// Font families as registered with fpdf.
const (
	famMain = "dejavu"
	famCJK  = "droidfallback"
)

// glyphSet records which runes of the Basic Multilingual Plane a font maps
// to a glyph. fpdf's UTF-8 fonts address the BMP only.
type glyphSet [0x10000 / 64]uint64

func (g *glyphSet) has(r rune) bool {
	return r >= 0 && r < 0x10000 && g[r/64]&(1<<(uint(r)%64)) != 0
}

func (g *glyphSet) add(r uint32) {
	if r < 0x10000 {
		g[r/64] |= 1 << (r % 64)
	}
}

// fontCoverage is computed once per process from the embedded fonts' cmap
// tables: it is the same for every report.
var fontCoverage = sync.OnceValues(func() (*coverage, error) {
	var c coverage
	var err error
	if c.main, err = cmapCoverage(fontMain); err != nil {
		return nil, fmt.Errorf("font DejaVuSans.ttf: %w", err)
	}
	if c.mainBold, err = cmapCoverage(fontMainBold); err != nil {
		return nil, fmt.Errorf("font DejaVuSans-Bold.ttf: %w", err)
	}
	if c.cjk, err = cmapCoverage(fontCJK); err != nil {
		return nil, fmt.Errorf("font DroidSansFallbackFull.ttf: %w", err)
	}
	return &c, nil
})

type coverage struct {
	main, mainBold, cjk *glyphSet
}

// run is a stretch of text drawn in one font family.
type run struct {
	text   string
	family string
}

// runs splits s into runs by font: DejaVu where it has the glyph, the CJK
// font where only that has it. A rune neither font has (or one outside the
// BMP, such as an emoji) becomes U+FFFD, visibly, rather than a blank.
// Spaces and other characters both fonts share stay in the current run, so
// "田中 愛子" is one run, not three.
func (c *coverage) runs(s string, bold bool) []run {
	main := c.main
	if bold {
		main = c.mainBold
	}
	var out []run
	var buf []rune
	cur := ""
	flush := func() {
		if len(buf) > 0 {
			out = append(out, run{text: string(buf), family: cur})
			buf = buf[:0]
		}
	}
	for _, r := range s {
		r = printable(r)
		fam := famMain
		switch {
		case cur == famCJK && c.cjk.has(r) && !isLetterOrDigit(r):
			fam = famCJK // punctuation and spaces between CJK runs
		case main.has(r):
		case c.cjk.has(r):
			fam = famCJK
		default:
			r = '\uFFFD'
		}
		if fam != cur {
			flush()
			cur = fam
		}
		buf = append(buf, r)
	}
	flush()
	return out
}

// printable maps control characters (tabs, stray carriage returns) to a
// space; the callers split lines on '\n' before they get here.
func printable(r rune) rune {
	if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
		return ' '
	}
	return r
}

func isLetterOrDigit(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// cmapCoverage returns the BMP runes a TrueType font maps to a glyph
// other than .notdef, read with golang.org/x/image/font/sfnt (its cmap
// lookup prefers the full-repertoire Unicode subtable, as fonts intend).
func cmapCoverage(ttf []byte) (*glyphSet, error) {
	f, err := sfnt.Parse(ttf)
	if err != nil {
		return nil, err
	}
	var buf sfnt.Buffer
	var g glyphSet
	for r := rune(0); r < 0x10000; r++ {
		if r >= 0xD800 && r <= 0xDFFF { // surrogates are no characters
			continue
		}
		idx, err := f.GlyphIndex(&buf, r)
		if err != nil {
			return nil, fmt.Errorf("cmap: %w", err)
		}
		if idx != 0 {
			g.add(uint32(r))
		}
	}
	return &g, nil
}
