// Package filebuf fills a file through a buffer. The buffer must be flushed
// and the file closed before the file is complete, and either can fail after
// every write succeeded; Write checks both, so no caller forgets one.
package filebuf

import (
	"bufio"
	"io"
	"os"
)

// Write hands write a buffered writer on f, then flushes it and closes f,
// also when write fails. It returns the first error of the three and the
// bytes f received.
func Write(f *os.File, write func(w *bufio.Writer) error) (int64, error) {
	cw := &countingWriter{w: f}
	w := bufio.NewWriterSize(cw, 1<<20)
	err := write(w)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return cw.n, err
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
