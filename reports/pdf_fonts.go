package reports

import (
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"unicode"
)

// The PDF embeds its fonts, so it renders the same on every machine and
// names in any script come out as written. fpdf needs TrueType outlines
// (not CFF, not a .ttc collection) and has no font fallback of its own:
// DejaVu Sans covers Latin, Greek and Cyrillic; Droid Sans Fallback covers
// CJK, and the writer switches to it for each run of text DejaVu lacks.
// Licenses: fonts/LICENSE-DejaVu.txt, fonts/LICENSE-DroidSansFallback.txt.
var (
	//go:embed fonts/DejaVuSans.ttf
	pdfFontMain []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	pdfFontMainBold []byte
	//go:embed fonts/DroidSansFallbackFull.ttf
	pdfFontCJK []byte
)

// Font families as registered with fpdf.
const (
	pdfFamMain = "dejavu"
	pdfFamCJK  = "droidfallback"
)

// pdfGlyphSet records which runes of the Basic Multilingual Plane a font maps
// to a glyph. fpdf's UTF-8 fonts address the BMP only.
type pdfGlyphSet [0x10000 / 64]uint64

func (g *pdfGlyphSet) has(r rune) bool {
	return r >= 0 && r < 0x10000 && g[r/64]&(1<<(uint(r)%64)) != 0
}

func (g *pdfGlyphSet) add(r uint32) {
	if r < 0x10000 {
		g[r/64] |= 1 << (r % 64)
	}
}

// pdfFontCoverage is computed once per process from the embedded fonts' cmap
// tables: it is the same for every report.
var pdfFontCoverage = sync.OnceValues(func() (*pdfCoverage, error) {
	var c pdfCoverage
	var err error
	if c.main, err = pdfCmapCoverage(pdfFontMain); err != nil {
		return nil, fmt.Errorf("font DejaVuSans.ttf: %w", err)
	}
	if c.mainBold, err = pdfCmapCoverage(pdfFontMainBold); err != nil {
		return nil, fmt.Errorf("font DejaVuSans-Bold.ttf: %w", err)
	}
	if c.cjk, err = pdfCmapCoverage(pdfFontCJK); err != nil {
		return nil, fmt.Errorf("font DroidSansFallbackFull.ttf: %w", err)
	}
	return &c, nil
})

type pdfCoverage struct {
	main, mainBold, cjk *pdfGlyphSet
}

// pdfRun is a stretch of text drawn in one font family.
type pdfRun struct {
	text   string
	family string
}

// runs splits s into runs by font: DejaVu where it has the glyph, the CJK
// font where only that has it. A rune neither font has (or one outside the
// BMP, such as an emoji) becomes U+FFFD, visibly, rather than a blank.
// Spaces and other characters both fonts share stay in the current run, so
// "田中 愛子" is one run, not three.
func (c *pdfCoverage) runs(s string, bold bool) []pdfRun {
	main := c.main
	if bold {
		main = c.mainBold
	}
	var out []pdfRun
	var buf []rune
	cur := ""
	flush := func() {
		if len(buf) > 0 {
			out = append(out, pdfRun{text: string(buf), family: cur})
			buf = buf[:0]
		}
	}
	for _, r := range s {
		r = pdfPrintable(r)
		fam := pdfFamMain
		switch {
		case cur == pdfFamCJK && c.cjk.has(r) && !pdfIsLetterOrDigit(r):
			fam = pdfFamCJK // punctuation and spaces between CJK runs
		case main.has(r):
		case c.cjk.has(r):
			fam = pdfFamCJK
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

// pdfPrintable maps control characters (tabs, stray carriage returns) to a
// space; the callers split lines on '\n' before they get here.
func pdfPrintable(r rune) rune {
	if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
		return ' '
	}
	return r
}

func pdfIsLetterOrDigit(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// pdfCmapCoverage reads a TrueType font's cmap and returns the BMP runes it
// maps to a glyph other than .notdef. It reads a Windows Unicode subtable:
// format 12 (full repertoire) when present, else format 4 (BMP).
func pdfCmapCoverage(ttf []byte) (*pdfGlyphSet, error) {
	cmap, err := pdfSfntTable(ttf, "cmap")
	if err != nil {
		return nil, err
	}
	if len(cmap) < 4 {
		return nil, errors.New("cmap table too short")
	}
	n := int(binary.BigEndian.Uint16(cmap[2:]))
	best, bestRank := -1, 0
	for i := 0; i < n; i++ {
		rec := 4 + 8*i
		if rec+8 > len(cmap) {
			break
		}
		platform := binary.BigEndian.Uint16(cmap[rec:])
		encoding := binary.BigEndian.Uint16(cmap[rec+2:])
		off := int(binary.BigEndian.Uint32(cmap[rec+4:]))
		if off+2 > len(cmap) {
			continue
		}
		format := binary.BigEndian.Uint16(cmap[off:])
		rank := 0
		switch {
		case platform == 3 && encoding == 10 && format == 12:
			rank = 3
		case platform == 3 && encoding == 1 && format == 4:
			rank = 2
		case platform == 0 && (format == 4 || format == 12):
			rank = 1
		}
		if rank > bestRank {
			best, bestRank = off, rank
		}
	}
	if best < 0 {
		return nil, errors.New("no Unicode cmap subtable (format 4 or 12)")
	}
	var g pdfGlyphSet
	sub := cmap[best:]
	if binary.BigEndian.Uint16(sub) == 12 {
		err = pdfCmapFormat12(sub, &g)
	} else {
		err = pdfCmapFormat4(sub, &g)
	}
	return &g, err
}

func pdfCmapFormat12(sub []byte, g *pdfGlyphSet) error {
	if len(sub) < 16 {
		return errors.New("cmap format 12 too short")
	}
	groups := int(binary.BigEndian.Uint32(sub[12:]))
	for i := 0; i < groups; i++ {
		p := 16 + 12*i
		if p+12 > len(sub) {
			return errors.New("cmap format 12 truncated")
		}
		start := binary.BigEndian.Uint32(sub[p:])
		end := binary.BigEndian.Uint32(sub[p+4:])
		glyph := binary.BigEndian.Uint32(sub[p+8:])
		for c := start; c <= end && c < 0x10000; c++ {
			if glyph+(c-start) != 0 {
				g.add(c)
			}
		}
	}
	return nil
}

func pdfCmapFormat4(sub []byte, g *pdfGlyphSet) error {
	if len(sub) < 14 {
		return errors.New("cmap format 4 too short")
	}
	segs := int(binary.BigEndian.Uint16(sub[6:])) / 2
	ends := 14
	starts := ends + 2*segs + 2
	deltas := starts + 2*segs
	ranges := deltas + 2*segs
	if ranges+2*segs > len(sub) {
		return errors.New("cmap format 4 truncated")
	}
	u16 := func(p int) uint16 {
		if p+2 > len(sub) {
			return 0
		}
		return binary.BigEndian.Uint16(sub[p:])
	}
	for i := 0; i < segs; i++ {
		end := uint32(u16(ends + 2*i))
		start := uint32(u16(starts + 2*i))
		delta := u16(deltas + 2*i)
		rangeOff := int(u16(ranges + 2*i))
		for c := start; c <= end && c != 0xFFFF; c++ {
			var glyph uint16
			if rangeOff == 0 {
				glyph = uint16(c) + delta
			} else if gi := u16(ranges + 2*i + rangeOff + 2*int(c-start)); gi != 0 {
				glyph = gi + delta
			}
			if glyph != 0 {
				g.add(c)
			}
		}
	}
	return nil
}

// pdfSfntTable returns the bytes of one table of a TrueType font.
func pdfSfntTable(ttf []byte, tag string) ([]byte, error) {
	if len(ttf) < 12 {
		return nil, errors.New("not a TrueType font")
	}
	if v := binary.BigEndian.Uint32(ttf); v != 0x00010000 && v != 0x74727565 { // 1.0 or 'true'
		return nil, errors.New("not a TrueType font (CFF outlines or a collection)")
	}
	n := int(binary.BigEndian.Uint16(ttf[4:]))
	for i := 0; i < n; i++ {
		rec := 12 + 16*i
		if rec+16 > len(ttf) {
			break
		}
		if string(ttf[rec:rec+4]) != tag {
			continue
		}
		off := int(binary.BigEndian.Uint32(ttf[rec+8:]))
		size := int(binary.BigEndian.Uint32(ttf[rec+12:]))
		if off < 0 || size < 0 || off+size > len(ttf) {
			return nil, fmt.Errorf("table %s out of bounds", tag)
		}
		return ttf[off : off+size], nil
	}
	return nil, fmt.Errorf("no %s table", tag)
}
