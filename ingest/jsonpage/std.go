package jsonpage

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Loc is where an element sits in its page: Path is the JSON path of the
// row array ("$.value", or "$" for a plain array) and N the element's
// index in it; Single is a body that is the element itself ("$").
type Loc struct {
	Path   string
	N      int64
	Single bool
}

func (l Loc) String() string {
	if l.Single {
		return l.Path
	}
	return fmt.Sprintf("%s[%d]", l.Path, l.N)
}

// errStopped is the error of a body whose fn asked to stop.
var errStopped = errors.New("stopped")

// stdBody is Decode with encoding/json alone: the reference the fast
// parser is held to, and its fallback. It stops with errStopped when fn
// returns false.
func stdBody(r io.Reader, fn func(loc Loc, v any) bool) (nextLink string, err error) {
	br := bufio.NewReaderSize(r, 64*1024)
	if b, err := br.Peek(len(utf8BOM)); err == nil && bytes.Equal(b, utf8BOM) {
		br.Discard(len(utf8BOM))
	}
	dec := json.NewDecoder(br)
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return "", fmt.Errorf("malformed JSON at offset %d: %w", dec.InputOffset(), err)
	}
	switch tok {
	case json.Delim('['):
		if err := stdArray(dec, "$", fn); err != nil {
			return "", err
		}
	case json.Delim('{'):
		sawValue := false
		// An object with neither "value" nor any "@odata." or "error" key is one row:
		// PowerShell's ConvertTo-Json writes a single item (a tenant with
		// one SKU) as an object, not as an array of one.
		single, odata := map[string]any{}, false
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return "", fmt.Errorf("malformed JSON at offset %d: %w", dec.InputOffset(), err)
			}
			key, _ := kt.(string)
			switch key {
			case "value":
				// A second row array would add to or replace the first
				// depending on the reader: neither is the export.
				if sawValue {
					return "", fmt.Errorf("\"value\" appears twice (the second at offset %d): a response body has one row array", dec.InputOffset())
				}
				t, err := dec.Token()
				if err != nil {
					return "", fmt.Errorf("malformed JSON at offset %d: %w", dec.InputOffset(), err)
				}
				if t != json.Delim('[') {
					return "", fmt.Errorf("$.value is not an array")
				}
				if err := stdArray(dec, "$.value", fn); err != nil {
					return "", err
				}
				sawValue = true
			case "@odata.nextLink":
				if err := dec.Decode(&nextLink); err != nil {
					return "", fmt.Errorf("$.@odata.nextLink is not a string: %w", err)
				}
			default:
				odata = odata || strings.HasPrefix(key, "@odata.") || key == "error" // an error body is no row
				if sawValue || odata {
					var skip json.RawMessage
					if err := dec.Decode(&skip); err != nil {
						return "", fmt.Errorf("malformed JSON at offset %d: %w", dec.InputOffset(), err)
					}
					continue
				}
				var v any
				if err := dec.Decode(&v); err != nil {
					return "", fmt.Errorf("malformed JSON at offset %d: %w", dec.InputOffset(), err)
				}
				single[key] = v
			}
		}
		if !sawValue && (odata || len(single) == 0) {
			return "", fmt.Errorf("no \"value\" array: expected a Web API response body or a JSON array")
		}
		if _, err := dec.Token(); err != nil {
			return "", fmt.Errorf("malformed JSON at offset %d: %w", dec.InputOffset(), err)
		}
		if !sawValue && !fn(Loc{Path: "$", Single: true}, single) {
			return "", errStopped
		}
	default:
		return "", fmt.Errorf("expected a JSON object or array, found %v", tok)
	}
	if _, err := dec.Token(); err != io.EOF {
		return "", fmt.Errorf("unexpected data after the JSON body at offset %d", dec.InputOffset())
	}
	return nextLink, nil
}

func stdArray(dec *json.Decoder, path string, fn func(loc Loc, v any) bool) error {
	var i int64
	for dec.More() {
		// The element's bytes first: encoding/json would replace a string
		// that is not UTF-8 without a word (see withBadStrings).
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return fmt.Errorf("%s[%d]: malformed JSON at offset %d: %w", path, i, dec.InputOffset(), err)
		}
		var v any
		elem := json.NewDecoder(bytes.NewReader(raw))
		elem.UseNumber()
		if err := elem.Decode(&v); err != nil {
			return fmt.Errorf("%s[%d]: malformed JSON at offset %d: %w", path, i, dec.InputOffset(), err)
		}
		if !utf8.Valid(raw) {
			v = withBadStrings(v, raw)
		}
		if !fn(Loc{Path: path, N: i}, v) {
			return errStopped
		}
		i++
	}
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("malformed JSON at offset %d: %w", dec.InputOffset(), err)
	}
	return nil
}
