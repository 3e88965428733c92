package ingest

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"testing"

	"github.com/d365audit/d365audit/ingest/jsonpage"
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
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRows(t, FormatJSON, data)
		// Each object decoded, as a row's extra columns, is written as
		// json.Marshal writes it.
		jsonpage.Decode(bytes.NewReader(data), rereadBytes(data), func(_ jsonpage.Loc, v any) bool {
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
