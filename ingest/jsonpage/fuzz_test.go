package jsonpage

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"testing/iotest"
)

// decodeFast is Decode over data, as a body function like stdBody: it
// reads data again from a new reader if the fast parser gives up.
func decodeFast(data []byte) func(io.Reader, func(Loc, any) bool) (string, error) {
	reread := func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	return func(r io.Reader, fn func(Loc, any) bool) (string, error) {
		return Decode(r, reread, fn)
	}
}

// FuzzJSONFastParser holds Decode (the in-memory parser, falling back to
// encoding/json) to stdBody (encoding/json): the same elements at the same
// locations, the same nextLink, the same error.
func FuzzJSONFastParser(f *testing.F) {
	// Drop parsed bytes after every element, to test that too.
	defer func(keep int) { fastKeepBytes = keep }(fastKeepBytes)
	fastKeepBytes = 1
	for _, name := range []string{"systemusers.json", "systemusers.2.json", "privileges.json", "graph/users.json"} {
		if b, err := os.ReadFile("../testdata/formats/json/" + name); err == nil {
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
		collect := func(body func(io.Reader, func(Loc, any) bool) (string, error)) string {
			var out strings.Builder
			// One byte per read: every refill point of the fast parser.
			next, err := body(iotest.OneByteReader(bytes.NewReader(data)), func(loc Loc, v any) bool {
				fmt.Fprintf(&out, "%s %#v\n", loc, v)
				return true
			})
			fmt.Fprintf(&out, "next %q err %v", next, err)
			return out.String()
		}
		if want, got := collect(stdBody), collect(decodeFast(data)); got != want {
			t.Fatalf("encoding/json:\n%s\nfast parser:\n%s", want, got)
		}
	})
}
