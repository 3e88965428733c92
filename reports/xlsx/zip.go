package xlsx

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"hash"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"regexp"
	"sort"

	"github.com/xuri/excelize/v2"
)

// zipWriter is the workbook's zip writer. excelize hands over the package's
// parts in map order (streamed sheets first, in any order) and lists the
// content types' image extensions in map order too, so two writes of one
// Report would differ. zipWriter compresses each part as it comes, keeps it
// aside (in memory, or in a temporary file once large), and on Close writes
// the parts in name order with the content types sorted: the same Report
// always gives the same bytes, and only compressed data is held.
type zipWriter struct {
	w       io.Writer
	tmpDir  string
	entries []*zipEntry
	cur     *zipEntry
}

func newZipWriter(w io.Writer, tmpDir string) *zipWriter { return &zipWriter{w: w, tmpDir: tmpDir} }

// contentTypes is the part whose Default elements get sorted.
const contentTypes = "[Content_Types].xml"

type zipEntry struct {
	name  string
	crc   hash.Hash32
	size  uint64
	spool *spoolFile
	fw    *flate.Writer
	raw   *bytes.Buffer // the content types, kept whole to be sorted
}

func (e *zipEntry) Write(p []byte) (int, error) {
	if e.raw != nil {
		return e.raw.Write(p)
	}
	e.crc.Write(p)
	e.size += uint64(len(p))
	return e.fw.Write(p)
}

// Create starts the next part.
func (z *zipWriter) Create(name string) (io.Writer, error) {
	if err := z.finish(); err != nil {
		return nil, err
	}
	e := &zipEntry{name: name, crc: crc32.NewIEEE(), spool: &spoolFile{tmpDir: z.tmpDir}}
	var err error
	// BestSpeed: the sheets are repetitive XML that compresses well at any
	// level, and at a million rows the default level costs seconds.
	if e.fw, err = flate.NewWriter(e.spool, flate.BestSpeed); err != nil {
		return nil, err
	}
	if name == contentTypes {
		e.raw = &bytes.Buffer{}
	}
	z.entries = append(z.entries, e)
	z.cur = e
	return e, nil
}

var defaultElement = regexp.MustCompile(`<Default [^>]*>(</Default>)?`)

// finish compresses the last part to its end.
func (z *zipWriter) finish() error {
	e := z.cur
	if e == nil {
		return nil
	}
	z.cur = nil
	if e.raw != nil {
		b := e.raw.Bytes()
		e.raw = nil
		if _, err := e.Write(sortDefaults(b)); err != nil {
			return err
		}
	}
	return e.fw.Close()
}

// sortDefaults puts the content types' Default elements in name order,
// where they were.
func sortDefaults(b []byte) []byte {
	locs := defaultElement.FindAllIndex(b, -1)
	if len(locs) < 2 {
		return b
	}
	defaults := make([]string, len(locs))
	for i, l := range locs {
		defaults[i] = string(b[l[0]:l[1]])
	}
	sort.Strings(defaults)
	var out bytes.Buffer
	out.Write(b[:locs[0][0]])
	prev := locs[0][0]
	for i, l := range locs {
		out.Write(b[prev:l[0]]) // whatever stood between two Defaults
		out.WriteString(defaults[i])
		prev = l[1]
	}
	out.Write(b[prev:])
	return out.Bytes()
}

// AddFS is not used by the workbook.
func (z *zipWriter) AddFS(fs.FS) error { return errors.New("xlsx zip: AddFS is not supported") }

// Close writes every part, the content types first (as Office does), then
// by name.
func (z *zipWriter) Close() error {
	defer z.cleanup()
	if err := z.finish(); err != nil {
		return err
	}
	sort.SliceStable(z.entries, func(i, j int) bool {
		a, b := z.entries[i].name, z.entries[j].name
		if (a == contentTypes) != (b == contentTypes) {
			return a == contentTypes
		}
		return a < b
	})
	zw := zip.NewWriter(z.w)
	for _, e := range z.entries {
		w, err := zw.CreateRaw(&zip.FileHeader{Name: e.name, Method: zip.Deflate, CRC32: e.crc.Sum32(),
			CompressedSize64: e.spool.size, UncompressedSize64: e.size})
		if err != nil {
			return err
		}
		r, err := e.spool.reader()
		if err != nil {
			return err
		}
		if _, err := io.Copy(w, r); err != nil {
			return err
		}
	}
	return zw.Close()
}

func (z *zipWriter) cleanup() {
	for _, e := range z.entries {
		e.spool.remove()
	}
}

// spoolMemory is how much of a part stays in memory before it goes to a
// temporary file.
const spoolMemory = 4 << 20

// spoolFile holds one compressed part: in memory while small, then in a
// temporary file.
type spoolFile struct {
	tmpDir string
	buf    bytes.Buffer
	file   *os.File
	size   uint64
}

func (s *spoolFile) Write(p []byte) (int, error) {
	s.size += uint64(len(p))
	if s.file == nil && s.buf.Len()+len(p) > spoolMemory {
		f, err := os.CreateTemp(s.tmpDir, "d365audit-xlsx-*.part")
		if err != nil {
			return 0, err
		}
		s.file = f
		if _, err := f.Write(s.buf.Bytes()); err != nil {
			return 0, err
		}
		s.buf = bytes.Buffer{}
	}
	if s.file != nil {
		return s.file.Write(p)
	}
	return s.buf.Write(p)
}

func (s *spoolFile) reader() (io.Reader, error) {
	if s.file == nil {
		return &s.buf, nil
	}
	if _, err := s.file.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return s.file, nil
}

func (s *spoolFile) remove() {
	if s.file != nil {
		s.file.Close()
		os.Remove(s.file.Name())
		s.file = nil
	}
}

// DeterministicZip makes f write its parts in name order, with the content
// types sorted, as report.xlsx is written: the same content always gives
// the same bytes. tmpDir holds large parts ("" is the system's).
func DeterministicZip(f *excelize.File, tmpDir string) {
	f.SetZipWriter(func(w io.Writer) excelize.ZipWriter { return newZipWriter(w, tmpDir) })
}
