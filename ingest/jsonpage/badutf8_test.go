package jsonpage

import (
	"bytes"
	"io"
	"reflect"
	"testing"
)

// Both JSON decoders, the fast parser and encoding/json, hand over an
// element with strings that are not UTF-8 with the same list of them; the
// differential fuzz test holds them to each other, this to the list.
func TestJSONDecodersFindBadStrings(t *testing.T) {
	cases := []struct {
		body string
		want [][]BadString // per element; nil for a clean one
	}{
		{"{\"value\":[{\"fullname\":\"Zo\xeb\",\"ok\":\"é\"},{\"a\":1}]}",
			[][]BadString{{{Path: "fullname", Raw: "Zo\xeb"}}, nil}},
		// The fast parser gives up at the second element (01): encoding/json
		// reads the page again.
		{"{\"value\":[{\"a\":\"\xe9\"},{\"b\":\"\xe9\"},{\"c\":01}]}",
			[][]BadString{{{Path: "a", Raw: "\xe9"}}, {{Path: "b", Raw: "\xe9"}}}},
		{"[{\"k\xe9y\":1,\"n\":{\"deep\":[\"x\",\"\xff\"]}},\"\xc3\",{\"e\":\"\\n\xe9\\\"\"},[\"\xe9\"]]",
			[][]BadString{
				{{Path: "", Raw: "k\xe9y", Key: true}, {Path: "n.deep[1]", Raw: "\xff"}},
				{{Path: "", Raw: "\xc3"}},
				{{Path: "e", Raw: "\\n\xe9\\\""}},
				{{Path: "[0]", Raw: "\xe9"}},
			}},
		// Outside the row array a string is not loaded: nothing to report.
		{"{\"@odata.context\":\"\xe9\",\"value\":[{\"a\":\"b\"}]}", [][]BadString{nil}},
	}
	for _, c := range cases {
		data := []byte(c.body)
		for name, body := range map[string]func(io.Reader, func(Loc, any) bool) (string, error){
			"encoding/json": stdBody,
			"fast":          decodeFast(data),
		} {
			var got [][]BadString
			body(bytes.NewReader(data), func(_ Loc, v any) bool {
				b, _ := v.(BadUTF8)
				if b.Bad != nil {
					if _, nested := b.V.(BadUTF8); nested {
						t.Errorf("%s: %q: wrapped twice", name, c.body)
					}
				}
				got = append(got, b.Bad)
				return true
			})
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("%s: %q:\n got %+v\nwant %+v", name, c.body, got, c.want)
			}
		}
	}
}
