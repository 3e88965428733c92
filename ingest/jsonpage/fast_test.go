package jsonpage

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"testing"
)

// hasStrSpecial finds every byte strSpecial marks, wherever it sits in the
// word, and passes words of plain bytes.
func TestHasStrSpecial(t *testing.T) {
	plain := []byte("abcdefgh")
	if hasStrSpecial(binary.LittleEndian.Uint64(plain)) {
		t.Fatalf("%q: found a special byte", plain)
	}
	for c := 0; c < 256; c++ {
		for pos := 0; pos < 8; pos++ {
			w := []byte("~ Az09!~")
			w[pos] = byte(c)
			if got := hasStrSpecial(binary.LittleEndian.Uint64(w)); got != strSpecial[c] {
				t.Errorf("byte %#x at %d: hasStrSpecial %v, strSpecial %v", c, pos, got, strSpecial[c])
			}
		}
	}
}

// benchPage is a Web API page of 5,000 systemusers rows, the most a page
// holds, shaped as an export writes them.
func benchPage() []byte {
	var b bytes.Buffer
	b.WriteString(`{"@odata.context": "https://x/api/data/v9.2/$metadata#systemusers", "value": [`)
	for i := range 5000 {
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, `{"@odata.etag": "W/\"%d\"", "systemuserid": "5e0f6a7b-1000-4000-8000-%012d", "domainname": "u%d@contoso.com",`+
			` "fullname": "User %d", "_businessunitid_value": "0a1b2c3d-0000-4000-8000-000000000001", "isdisabled": false,`+
			` "accessmode": %d, "createdon": "2024-03-01T08:15:00Z", "versionnumber": %d}`, i, i, i, i, i%5, 1000000+i)
	}
	b.WriteString(`], "@odata.nextLink": "https://x/api/data/v9.2/systemusers?$skiptoken=x"}`)
	return b.Bytes()
}

// BenchmarkDecode measures the fast parser against encoding/json alone
// (stdBody) on one full page.
func BenchmarkDecode(b *testing.B) {
	page := benchPage()
	for name, body := range map[string]func(io.Reader, func(Loc, any) bool) (string, error){
		"fast":          decodeFast(page),
		"encoding-json": stdBody,
	} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(page)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := body(bytes.NewReader(page), func(Loc, any) bool { return true }); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
