package ingest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"testing/iotest"
)

func rereadBytes(data []byte) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
}

// fuzzRows runs a reader over data for the systemusers table and converts
// every value, as a load would, without DuckDB: no input may panic, and
// every row must come out with one value per column.
func fuzzRows(t *testing.T, format Format, data []byte) {
	tb, _ := TableByName("systemusers")
	ps := &Problems{}
	f := inputFile{Rel: "systemusers." + string(format), Format: format, Page: 1}
	emit := func(loc rowLoc, vals []any, extra map[string]any) {
		if len(vals) != len(tb.Columns) {
			t.Fatalf("%s: %d values for %d columns", loc, len(vals), len(tb.Columns))
		}
		for i, c := range tb.Columns {
			v, msg := convert(c.Type, vals[i])
			if msg != "" && v != nil {
				t.Fatalf("%s: both a value and a problem for %s", loc, c.Name)
			}
		}
	}
	switch format {
	case FormatCSV:
		readCSV(bytes.NewReader(data), f, tb, ps, func(map[int]bool) {}, emit)
	case FormatJSON:
		readJSON(bytes.NewReader(data), rereadBytes(data), f, tb, ps, emit)
	}
	for _, p := range ps.List() {
		if p.File == "" || p.Message == "" {
			t.Fatalf("problem without file or message: %+v", p)
		}
	}
}

func FuzzCSV(f *testing.F) {
	if b, err := os.ReadFile("testdata/formats/csv/systemusers.csv"); err == nil {
		f.Add(b)
	}
	f.Add([]byte("systemuserid,domainname\n{AAAAAAAA-1111-1111-1111-111111111111},\"a,b\"\r\n"))
	f.Add([]byte("\ufeffisdisabled,accessmode\nYes,4\nno,x\n"))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRows(t, FormatCSV, data) })
}

func FuzzJSON(f *testing.F) {
	for _, name := range []string{"systemusers.json", "systemusers.2.json", "privileges.json"} {
		if b, err := os.ReadFile("testdata/formats/json/" + name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`[{"systemuserid":"x","isdisabled":{"Value":true},"accessmode":1.5}]`))
	f.Add([]byte(`{"value":[{"_businessunitid_value":null,"createdon":"2024-01-01"}],"@odata.nextLink":"n"}`))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzRows(t, FormatJSON, data) })
}

// FuzzJSONFastParser holds decodeBody (the in-memory parser, falling back
// to encoding/json) to jsonBody (encoding/json): the same elements at the
// same locations, the same nextLink, the same error.
func FuzzJSONFastParser(f *testing.F) {
	// Drop parsed bytes after every element, to test that too.
	defer func(keep int) { fastKeepBytes = keep }(fastKeepBytes)
	fastKeepBytes = 1
	for _, name := range []string{"systemusers.json", "systemusers.2.json", "privileges.json", "graph/users.json"} {
		if b, err := os.ReadFile("testdata/formats/json/" + name); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{
		`[{"b":"<&>","a":1.5e3,"c":false,"d":null,"e":"plain"},{"a\"b":"x"},{"é":"y"}]`,
		`[{"a":"x\u00e9\ud800y","b":[],"c":{},"d":-0.5e+3,"e":[1,{"f":null}],"a":true}]`,
		"\ufeff" + `{"value":[{"k":"caf` + "\xe9" + `"}],"@odata.nextLink":"n","x":[1,2]}`,
		`{"value":[{"a":1},{"b":01}]}`, `{"value":[{"a":1}],"value":[{"b":2}]}`, `{"val\u0075e":[{}]}`,
		`{"value":[{"a":"` + "\x01" + `"}]}`, `{"value":[1,],"@odata.nextLink":null}`, `[{"a":1}] x`, `[1e5, 1.0E-2, -0, true, false]`,
		// A second value array, wherever it sits: an error, after the
		// first array's elements.
		`{"value":[],"value":[]}`, `{"value":[{"a":1}],"@odata.nextLink":"n","val\u0075e":[{"b":2}]}`,
		`{"value":[{"a":1}],"value":{}}`, `{"value":[{"a":1}],"x":{"value":[]},"value":[1]}`,
		// Strings that are not UTF-8: values, keys, nested, with escapes,
		// in an element the fast parser leaves to encoding/json, and
		// outside the row array.
		`{"value":[{"fullname":"Zo` + "\xeb" + ` M` + "\xfc" + `ller","ok":"é"},{"a":1}]}`,
		`[{"k` + "\xe9" + `y":1,"n":{"deep":["x","` + "\xff" + `"]}},"` + "\xc3" + `",{"e":"\n` + "\xe9" + `\""}]`,
		`{"value":[{"a":"` + "\xe9" + `"},{"b":01}]}`, `{"@odata.context":"` + "\xe9" + `","value":[{"a":"b"}]}`,
		`{"value":[{"signInActivity":{"lastSignInDateTime":"2024` + "\xa0" + `"},"assignedLicenses":[{"skuId":"` + "\xed\xa0\x80" + `"}]}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		collect := func(body func(io.Reader, func(rowLoc, any) bool) (string, error)) string {
			var out strings.Builder
			// One byte per read: every refill point of the fast parser.
			next, err := body(iotest.OneByteReader(bytes.NewReader(data)), func(loc rowLoc, v any) bool {
				fmt.Fprintf(&out, "%s %#v\n", loc, v)
				return true
			})
			fmt.Fprintf(&out, "next %q err %v", next, err)
			return out.String()
		}
		fast := func(r io.Reader, fn func(rowLoc, any) bool) (string, error) {
			return decodeBody(r, rereadBytes(data), fn)
		}
		if want, got := collect(jsonBody), collect(fast); got != want {
			t.Fatalf("encoding/json:\n%s\nfast parser:\n%s", want, got)
		}
		// Each object decoded, as a row's extra columns, is written as
		// json.Marshal writes it.
		decodeBody(bytes.NewReader(data), rereadBytes(data), func(_ rowLoc, v any) bool {
			if obj, ok := v.(map[string]any); ok {
				want, werr := json.Marshal(obj)
				got, gerr := marshalExtra(obj)
				if string(got) != string(want) || (werr == nil) != (gerr == nil) {
					t.Fatalf("extra %#v: json.Marshal %s (%v), marshalExtra %s (%v)", obj, want, werr, got, gerr)
				}
			}
			return true
		})
	})
}
