package jsonpage

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"unicode/utf8"
)

// The fast parser reads a page in one pass, for the well-formed JSON an
// export is made of, and hands anything else to stdBody (encoding/json):
// malformed JSON, string escapes, a body it does not know. The fallback
// reads the page again from its start, from reread, skipping the elements
// already handed to fn, so elements, values and error messages (with their
// offsets) are encoding/json's whichever path a page takes.
// FuzzJSONFastParser holds the two to the same output.

// maxFastElement is the largest element (or body outside the row array)
// the fast parser holds in memory; a larger one goes to encoding/json.
const maxFastElement = 64 << 20

// maxFastDepth is the nesting the fast parser follows before leaving the
// page to encoding/json (whose own limit is 10,000).
const maxFastDepth = 1000

// fastKeepBytes is how much of the page the fast parser reads before it
// drops what it has parsed: memory stays bounded for a file of any size.
var fastKeepBytes = 1 << 20

// Decode reads a Web API or Graph response body ({"value": [...],
// "@odata.nextLink": ...}), a plain JSON array, or a single object (what
// PowerShell's ConvertTo-Json writes for a one-item list) from r, calling
// fn with each element and where it sits; it stops when fn returns false.
// It returns the body's @odata.nextLink, and an error naming the offset of
// what is wrong with the JSON. Elements are decoded as encoding/json
// decodes into any with UseNumber; an element with a string that is not
// UTF-8 is handed over as a BadUTF8. reread opens the same bytes again,
// from the start, should encoding/json have to read them; r is not read
// further then.
func Decode(r io.Reader, reread func() (io.ReadCloser, error), fn func(loc Loc, v any) bool) (nextLink string, err error) {
	emitted := 0
	p := &fastParser{r: r, data: make([]byte, 0, 64*1024)}
	nextLink, ok, stopped := p.body(func(loc Loc, v any) bool {
		emitted++
		return fn(loc, v)
	})
	if stopped {
		return "", errStopped
	}
	if ok {
		return nextLink, nil
	}
	again, err := reread()
	if err != nil {
		return "", fmt.Errorf("cannot open again: %w", err)
	}
	defer again.Close()
	skip := emitted
	return stdBody(again, func(loc Loc, v any) bool {
		if skip > 0 {
			skip--
			return true
		}
		return fn(loc, v)
	})
}

// fastParser parses JSON read from r, an element at a time in memory, into
// the values encoding/json decodes with UseNumber: map[string]any, []any,
// string, json.Number, bool, nil. Its methods report false for anything
// they do not accept, and they accept nothing encoding/json rejects.
type fastParser struct {
	r    io.Reader
	data []byte // read from r; data[:mark] may be dropped
	i    int    // next byte to parse
	mark int    // start of the element being parsed
	eof  bool   // r has nothing more (or failed)
	// readErr: r failed, not at its end; encoding/json rereads and says how.
	readErr bool
	depth   int
	// badUTF8: a string of the element being parsed is not UTF-8; rows
	// wraps the element (see withBadStrings) as stdArray does.
	badUTF8 bool
}

// more reports whether data[j] exists, reading more of r if need be. It
// only appends to data, so positions in it stay valid within an element.
func (p *fastParser) more(j int) bool {
	return j < len(p.data) || p.fill(j)
}

func (p *fastParser) fill(j int) bool {
	for j >= len(p.data) && !p.eof {
		if len(p.data)-p.mark > maxFastElement {
			return false
		}
		if len(p.data) == cap(p.data) {
			p.data = append(p.data, make([]byte, max(len(p.data), 64*1024))...)[:len(p.data)]
		}
		n, err := p.r.Read(p.data[len(p.data):cap(p.data)])
		p.data = p.data[:len(p.data)+n]
		if err != nil {
			p.eof = true
			p.readErr = err != io.EOF
		}
	}
	return j < len(p.data)
}

// drop forgets the bytes parsed so far, between elements, once there are
// enough of them to be worth the copy.
func (p *fastParser) drop() {
	if p.i >= fastKeepBytes {
		n := copy(p.data, p.data[p.i:])
		p.data = p.data[:n]
		p.i = 0
	}
	p.mark = p.i
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// body parses a Web API body or a plain array as stdBody does, calling fn
// with each element; stopped is true when fn returned false. ok is false
// when the page must go to encoding/json.
func (p *fastParser) body(fn func(loc Loc, v any) bool) (nextLink string, ok, stopped bool) {
	if p.more(len(utf8BOM)-1) && bytes.HasPrefix(p.data, utf8BOM) {
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
	return nextLink, !p.more(p.i) && !p.readErr, false
}

// rows parses the elements of a row array after its '['.
func (p *fastParser) rows(path string, fn func(loc Loc, v any) bool) (ok, stopped bool) {
	p.ws()
	if p.consume(']') {
		return true, false
	}
	for n := int64(0); ; n++ {
		p.drop()
		p.ws()
		start := p.i
		p.badUTF8 = false
		v, ok := p.value()
		if !ok {
			return false, false
		}
		if p.badUTF8 {
			v = withBadStrings(v, p.data[start:p.i])
		}
		if !fn(Loc{Path: path, N: n}, v) {
			return true, true
		}
		p.ws()
		if p.consume(',') {
			continue
		}
		closed := p.consume(']')
		p.drop()
		return closed, false
	}
}

func (p *fastParser) peek() byte {
	if p.more(p.i) {
		return p.data[p.i]
	}
	return 0
}

func (p *fastParser) consume(c byte) bool {
	if p.more(p.i) && p.data[p.i] == c {
		p.i++
		return true
	}
	return false
}

// ws skips JSON whitespace.
func (p *fastParser) ws() {
	for p.more(p.i) {
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
	if !p.more(p.i+len(word)-1) || !bytes.HasPrefix(p.data[p.i:], []byte(word)) {
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
// it (escapes, invalid UTF-8 replaced by U+FFFD: quoted flags the element).
func (p *fastParser) str() (any, bool) {
	start := p.i + 1
	ascii := true
	for j := start; p.more(j); j++ {
		// Eight plain bytes at a time, the bulk of an export's strings.
		for j+8 <= len(p.data) && !hasStrSpecial(binary.LittleEndian.Uint64(p.data[j:])) {
			j += 8
		}
		if !p.more(j) {
			break
		}
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

// hasStrSpecial reports whether one of the eight bytes of x is one
// strSpecial marks (it may not say which): the bit tricks of "Bit Twiddling
// Hacks" (haszero, hasless), which never miss one.
func hasStrSpecial(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	hasZero := func(v uint64) uint64 { return (v - ones) & ^v & highs }
	return (x&highs)|((x-ones*' ')&^x&highs)|hasZero(x^(ones*'"'))|hasZero(x^(ones*'\\')) != 0
}

// quoted unquotes the string starting at p.i with encoding/json; from is a
// position inside it from which to look for its closing quote.
func (p *fastParser) quoted(from int) (any, bool) {
	for j := from; p.more(j); j++ {
		switch p.data[j] {
		case '\\':
			j++ // the escaped byte cannot close the string
			if !p.more(j) {
				return nil, false
			}
		case '"':
			var s string
			lit := p.data[p.i : j+1]
			if err := json.Unmarshal(lit, &s); err != nil {
				return nil, false
			}
			if !utf8.Valid(lit) {
				p.badUTF8 = true
			}
			p.i = j + 1
			return s, true
		}
	}
	return nil, false
}

// ValidNumber reports whether s is a JSON number as encoding/json writes
// a json.Number back: one number, nothing around it.
func ValidNumber(s string) bool {
	p := fastParser{data: []byte(s), eof: true}
	_, ok := p.number()
	return ok && p.i == len(s)
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
	for p.more(p.i) && p.data[p.i] >= '0' && p.data[p.i] <= '9' {
		p.i++
	}
	return p.i > start
}
