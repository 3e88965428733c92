package ingest

import (
	"bytes"
	"encoding/json"
	"io"
	"unicode/utf8"
)

// encoding/json decoding into maps was most of a JSON load's CPU time: its
// Decoder scans every value twice (once to find its end, once to build it)
// and goes through reflection for each. decodeBody parses a page held in
// memory in one pass instead, for the well-formed JSON an export is made of,
// and hands anything else to jsonBody (encoding/json): malformed JSON, string
// escapes it leaves to encoding/json, a body it does not know. The fallback
// reads the page again from its start, skipping the elements already
// handed to fn, so rows, values and error messages (with their offsets) are
// encoding/json's whichever path a page takes. FuzzJSONFastParser holds the
// two to the same output.

// maxInMemoryJSON is the largest file parsed in memory; a larger one streams
// through encoding/json, so memory stays bounded whatever the file. A Web
// API page (at most 5,000 rows) is a few megabytes.
const maxInMemoryJSON = 64 << 20

// maxFastDepth is the nesting the fast parser follows before leaving the
// page to encoding/json (whose own limit is 10,000).
const maxFastDepth = 1000

// decodeBody does what jsonBody does, with the same results.
func decodeBody(r io.Reader, fn func(loc rowLoc, v any) bool) (nextLink string, err error) {
	data, err := io.ReadAll(io.LimitReader(r, maxInMemoryJSON+1))
	if err != nil || len(data) > maxInMemoryJSON {
		rest := r
		if err != nil {
			rest = errReader{err}
		}
		return jsonBody(io.MultiReader(bytes.NewReader(data), rest), fn)
	}
	emitted := 0
	p := &fastParser{data: data}
	nextLink, ok, stopped := p.body(func(loc rowLoc, v any) bool {
		emitted++
		return fn(loc, v)
	})
	if stopped {
		return "", errStopped
	}
	if ok {
		return nextLink, nil
	}
	skip := emitted
	return jsonBody(bytes.NewReader(data), func(loc rowLoc, v any) bool {
		if skip > 0 {
			skip--
			return true
		}
		return fn(loc, v)
	})
}

// errReader replays a read error after the bytes read before it.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// fastParser parses JSON held in memory into the values encoding/json
// decodes with UseNumber: map[string]any, []any, string, json.Number, bool,
// nil. Its methods report false for anything they do not accept, and they
// accept nothing encoding/json rejects.
type fastParser struct {
	data  []byte
	i     int
	depth int
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// body parses a Web API body or a plain array as jsonBody does, calling fn
// with each element; stopped is true when fn returned false. ok is false
// when the page must go to encoding/json.
func (p *fastParser) body(fn func(loc rowLoc, v any) bool) (nextLink string, ok, stopped bool) {
	if bytes.HasPrefix(p.data, utf8BOM) {
		p.i = len(utf8BOM)
	}
	p.ws()
	switch p.peek() {
	case '[':
		p.i++
		if ok, stopped = p.rows("$", fn); !ok || stopped {
			return "", ok, stopped
		}
	case '{':
		p.i++
		sawValue := false
		for {
			p.ws()
			key, ok := p.plainString()
			if !ok {
				return "", false, false
			}
			p.ws()
			if !p.consume(':') {
				return "", false, false
			}
			p.ws()
			switch key {
			case "value":
				// A second value array, or one that is not an array, is
				// encoding/json's to report.
				if sawValue || !p.consume('[') {
					return "", false, false
				}
				if ok, stopped = p.rows("$.value", fn); !ok || stopped {
					return "", ok, stopped
				}
				sawValue = true
			case "@odata.nextLink":
				if nextLink, ok = p.plainString(); !ok {
					return "", false, false
				}
			default:
				if _, ok := p.value(); !ok {
					return "", false, false
				}
			}
			p.ws()
			if p.consume(',') {
				continue
			}
			if p.consume('}') {
				break
			}
			return "", false, false
		}
		if !sawValue {
			return "", false, false
		}
	default:
		return "", false, false
	}
	p.ws()
	return nextLink, p.i == len(p.data), false
}

// rows parses the elements of a row array after its '['.
func (p *fastParser) rows(path string, fn func(loc rowLoc, v any) bool) (ok, stopped bool) {
	p.ws()
	if p.consume(']') {
		return true, false
	}
	for n := int64(0); ; n++ {
		p.ws()
		v, ok := p.value()
		if !ok {
			return false, false
		}
		if !fn(rowLoc{prefix: path, n: n, json: true}, v) {
			return true, true
		}
		p.ws()
		if p.consume(',') {
			continue
		}
		return p.consume(']'), false
	}
}

func (p *fastParser) peek() byte {
	if p.i < len(p.data) {
		return p.data[p.i]
	}
	return 0
}

func (p *fastParser) consume(c byte) bool {
	if p.i < len(p.data) && p.data[p.i] == c {
		p.i++
		return true
	}
	return false
}

// ws skips JSON whitespace.
func (p *fastParser) ws() {
	for p.i < len(p.data) {
		switch p.data[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *fastParser) value() (any, bool) {
	switch c := p.peek(); {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		return p.str()
	case c == 't':
		return true, p.literal("true")
	case c == 'f':
		return false, p.literal("false")
	case c == 'n':
		return nil, p.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	}
	return nil, false
}

func (p *fastParser) literal(word string) bool {
	if !bytes.HasPrefix(p.data[p.i:], []byte(word)) {
		return false
	}
	p.i += len(word)
	return true
}

func (p *fastParser) object() (any, bool) {
	if p.depth++; p.depth > maxFastDepth {
		return nil, false
	}
	defer func() { p.depth-- }()
	p.i++ // '{'
	m := map[string]any{}
	p.ws()
	if p.consume('}') {
		return m, true
	}
	for {
		p.ws()
		if p.peek() != '"' {
			return nil, false
		}
		k, ok := p.str()
		if !ok {
			return nil, false
		}
		p.ws()
		if !p.consume(':') {
			return nil, false
		}
		p.ws()
		v, ok := p.value()
		if !ok {
			return nil, false
		}
		m[k.(string)] = v // a repeated key keeps its last value, as in encoding/json
		p.ws()
		if p.consume(',') {
			continue
		}
		return m, p.consume('}')
	}
}

func (p *fastParser) array() (any, bool) {
	if p.depth++; p.depth > maxFastDepth {
		return nil, false
	}
	defer func() { p.depth-- }()
	p.i++               // '['
	a := make([]any, 0) // encoding/json's empty array is empty, not nil
	p.ws()
	if p.consume(']') {
		return a, true
	}
	for {
		p.ws()
		v, ok := p.value()
		if !ok {
			return nil, false
		}
		a = append(a, v)
		p.ws()
		if p.consume(',') {
			continue
		}
		return a, p.consume(']')
	}
}

// plainString parses a string value without going through any.
func (p *fastParser) plainString() (string, bool) {
	if p.peek() != '"' {
		return "", false
	}
	v, ok := p.str()
	if !ok {
		return "", false
	}
	return v.(string), true
}

// str parses a string. One of valid UTF-8 without escapes, the usual kind,
// is its bytes; any other goes to encoding/json, which unquotes and checks
// it (escapes, invalid UTF-8 replaced by U+FFFD).
func (p *fastParser) str() (any, bool) {
	start := p.i + 1
	ascii := true
	for j := start; j < len(p.data); j++ {
		c := p.data[j]
		if !strSpecial[c] {
			continue
		}
		switch {
		case c == '"':
			s := p.data[start:j]
			if !ascii && !utf8.Valid(s) {
				return p.quoted(j)
			}
			p.i = j + 1
			return string(s), true
		case c == '\\':
			return p.quoted(j)
		case c < ' ':
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, false
}

// strSpecial marks the bytes str must look at: one test per byte of a
// string instead of four.
var strSpecial = func() (t [256]bool) {
	for c := range t {
		t[c] = c < ' ' || c == '"' || c == '\\' || c >= utf8.RuneSelf
	}
	return t
}()

// quoted unquotes the string starting at p.i with encoding/json; from is a
// position inside it from which to look for its closing quote.
func (p *fastParser) quoted(from int) (any, bool) {
	for j := from; j < len(p.data); j++ {
		switch p.data[j] {
		case '\\':
			j++ // the escaped byte cannot close the string
		case '"':
			var s string
			if err := json.Unmarshal(p.data[p.i:j+1], &s); err != nil {
				return nil, false
			}
			p.i = j + 1
			return s, true
		}
	}
	return nil, false
}

// number parses a JSON number as its text, as UseNumber does.
func (p *fastParser) number() (any, bool) {
	start := p.i
	p.consume('-')
	switch c := p.peek(); {
	case c == '0':
		p.i++
	case c >= '1' && c <= '9':
		p.digits()
	default:
		return nil, false
	}
	if p.consume('.') {
		if !p.digits() {
			return nil, false
		}
	}
	if p.consume('e') || p.consume('E') {
		if !p.consume('+') {
			p.consume('-')
		}
		if !p.digits() {
			return nil, false
		}
	}
	return json.Number(p.data[start:p.i]), true
}

// digits skips one or more decimal digits.
func (p *fastParser) digits() bool {
	start := p.i
	for p.i < len(p.data) && p.data[p.i] >= '0' && p.data[p.i] <= '9' {
		p.i++
	}
	return p.i > start
}
