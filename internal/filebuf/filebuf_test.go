package filebuf

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestWrite checks what Write promises: the bytes flushed and counted, the
// first error returned, and the file closed either way.
func TestWrite(t *testing.T) {
	boom := errors.New("boom")
	cases := []struct {
		name     string
		write    func(w *bufio.Writer) error
		wantN    int64
		wantErr  error
		wantFile string
	}{
		{"complete", func(w *bufio.Writer) error {
			_, err := w.WriteString("hello\n")
			return err
		}, 6, nil, "hello\n"},
		{"failed write is not flushed", func(w *bufio.Writer) error {
			w.WriteString("half")
			return boom
		}, 0, boom, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "f.txt")
			f, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			n, err := Write(f, tc.write)
			if n != tc.wantN || !errors.Is(err, tc.wantErr) {
				t.Errorf("Write: %d bytes, %v; want %d, %v", n, err, tc.wantN, tc.wantErr)
			}
			if err := f.Close(); !errors.Is(err, os.ErrClosed) {
				t.Errorf("file still open after Write: Close says %v", err)
			}
			if b, err := os.ReadFile(path); err != nil || string(b) != tc.wantFile {
				t.Errorf("file holds %q (%v), want %q", b, err, tc.wantFile)
			}
		})
	}
}
