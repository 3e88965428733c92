package jsonpage

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// Exports are UTF-8 (INPUT.md). A byte sequence that is not UTF-8 is an
// export saved in another encoding (Windows-1252 most often), and
// encoding/json replaces it with U+FFFD without a word, so a name or a
// domain name would change silently: both decoders hand such an element
// over as a BadUTF8, for the loader to report each string where it sits.

// BadString is a string of a JSON element that is not UTF-8: Path is where
// it sits in the element ("fullname", "signInActivity.lastSignInDateTime",
// "assignedLicenses[0].skuId"; for a key, the object holding it), Raw its
// text as written, between the quotes.
type BadString struct {
	Path string
	Raw  string
	Key  bool
}

// BadUTF8 is what the decoders hand over for an element with strings that
// are not UTF-8: the value as encoding/json decodes it (each bad byte
// replaced by U+FFFD) and where the bad strings are. Both decoders build it
// from the element's bytes with withBadStrings, so they agree.
type BadUTF8 struct {
	V   any
	Bad []BadString
}

// withBadStrings wraps v, decoded from raw, the bytes of one well-formed
// JSON value holding some string that is not UTF-8.
func withBadStrings(v any, raw []byte) any {
	s := utf8Scan{b: raw}
	s.value("")
	return BadUTF8{V: v, Bad: s.bad}
}

// utf8Scan walks a well-formed JSON value, recording its strings that are
// not UTF-8 with their paths. It is used only on the rare element that has
// one, so it favours simplicity over speed.
type utf8Scan struct {
	b   []byte
	i   int
	bad []BadString
}

func (s *utf8Scan) ws() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\t' || s.b[s.i] == '\n' || s.b[s.i] == '\r') {
		s.i++
	}
}

// literal returns the string literal at s.i, quotes included, and moves
// past it.
func (s *utf8Scan) literal() []byte {
	start := s.i
	for s.i++; s.i < len(s.b); s.i++ {
		switch s.b[s.i] {
		case '\\':
			s.i++
		case '"':
			s.i++
			return s.b[start:s.i]
		}
	}
	return s.b[start:]
}

// member moves to the next member of the object or array being read,
// past white space and commas, and says whether there is one; at the end
// it steps past close (or stops at the end of the input).
func (s *utf8Scan) member(close byte) bool {
	for {
		s.ws()
		if s.i >= len(s.b) || s.b[s.i] == close {
			s.i++
			return false
		}
		if s.b[s.i] != ',' {
			return true
		}
		s.i++
	}
}

func (s *utf8Scan) value(path string) {
	s.ws()
	if s.i >= len(s.b) {
		return
	}
	switch s.b[s.i] {
	case '{':
		s.i++
		for s.member('}') {
			lit := s.literal()
			var key string
			json.Unmarshal(lit, &key) // a bad key's U+FFFD form names it in paths
			if !utf8.Valid(lit) {
				s.bad = append(s.bad, BadString{Path: path, Raw: string(unquoted(lit)), Key: true})
			}
			s.ws()
			s.i++ // ':'
			child := key
			if path != "" {
				child = path + "." + key
			}
			s.value(child)
		}
	case '[':
		s.i++
		for n := 0; s.member(']'); n++ {
			s.value(path + "[" + strconv.Itoa(n) + "]")
		}
	case '"':
		if lit := s.literal(); !utf8.Valid(lit) {
			s.bad = append(s.bad, BadString{Path: path, Raw: string(unquoted(lit))})
		}
	default: // a number, true, false or null
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case ',', ']', '}', ' ', '\t', '\n', '\r':
				return
			}
			s.i++
		}
	}
}

func unquoted(lit []byte) []byte {
	if len(lit) >= 2 {
		return lit[1 : len(lit)-1]
	}
	return lit
}
