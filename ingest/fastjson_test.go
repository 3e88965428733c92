package ingest

import (
	"encoding/binary"
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
