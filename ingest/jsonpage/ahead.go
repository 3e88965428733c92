package jsonpage

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"sync"
)

// Decoding JSON is most of a load's CPU time (encoding/json into maps: 9.5
// of 16 CPU-seconds for a 100,000-user export), and one goroutine decoding
// a table's pages in turn left the second core mostly idle: DuckDB stores
// the batches in a fraction of that. Ahead decodes a table's JSON pages on
// goroutines of their own, up to pagesInFlight at a time, while the
// consumer maps the elements of the current page to rows, in file and
// element order. Only the consumer reports problems and builds rows, so
// the tables and problems are the same as reading the pages one by one,
// however the goroutines are scheduled.

const (
	// pagesInFlight is the page being mapped and up to two decoded ahead.
	pagesInFlight = 3
	// ChunkElems elements are handed over at a time: a channel operation
	// per element would cost more than it saves.
	ChunkElems = 256
	// chunksAhead bounds the elements of a page decoded and not yet mapped:
	// 24 chunks hold a whole Web API page (at most 5,000 rows), so the next
	// page decodes in full while the current one is mapped, and a single
	// file of a million rows is still decoded only that far ahead.
	chunksAhead = 24
	// MaxAhead is the most elements of one page decoded and not yet taken.
	MaxAhead = chunksAhead * ChunkElems
)

// Elem is one element of a page's row array, as Decode hands it over.
type Elem struct {
	Loc Loc
	V   any
}

// Page is one JSON file being decoded on its own goroutine.
type Page struct {
	Path string
	// Chunks holds the elements in document order; it is closed when the
	// file is done, and the fields below are set before.
	Chunks <-chan []Elem

	OpenErr  error  // the file could not be opened: nothing else is set
	NextLink string // the body's @odata.nextLink
	Err      error  // what ended the body early, as Decode reports it
	SHA256   string // of the whole file, read to its end even after an error
	Bytes    int64
}

// Ahead decodes the JSON files of one table ahead of its consumer.
type Ahead struct {
	pages chan *Page    // in file order
	slots chan struct{} // one per page started and not yet mapped
	quit  chan struct{} // closed by Stop: decoders give up
	wg    sync.WaitGroup
}

// StartAhead starts decoding the JSON files at paths, in order, or returns
// nil when there are none: a nil *Ahead serves no page. The consumer takes
// each page with Next, reads its Chunks to the end, calls Release, and
// calls Stop when done or giving up.
func StartAhead(paths []string) *Ahead {
	if len(paths) == 0 {
		return nil
	}
	a := &Ahead{
		pages: make(chan *Page, pagesInFlight),
		slots: make(chan struct{}, pagesInFlight),
		quit:  make(chan struct{}),
	}
	a.wg.Add(1)
	go a.startPages(paths)
	return a
}

// startPages starts a decoder per file, in order, as slots free up.
func (a *Ahead) startPages(paths []string) {
	defer a.wg.Done()
	for _, path := range paths {
		select {
		case a.slots <- struct{}{}:
		case <-a.quit:
			return
		}
		chunks := make(chan []Elem, chunksAhead)
		p := &Page{Path: path, Chunks: chunks}
		a.wg.Add(1)
		go a.decode(p, chunks)
		a.pages <- p // never blocks: a page in pages holds a slot
	}
}

// decode reads and hashes one file, handing its elements over in chunks.
func (a *Ahead) decode(p *Page, chunks chan<- []Elem) {
	defer a.wg.Done()
	defer close(chunks)
	fh, err := os.Open(p.Path)
	if err != nil {
		p.OpenErr = err
		return
	}
	defer fh.Close()
	h := sha256.New()
	var size byteCount
	hashed := io.MultiWriter(h, &size)
	chunk := make([]Elem, 0, ChunkElems)
	send := func() bool {
		select {
		case chunks <- chunk:
			chunk = make([]Elem, 0, ChunkElems)
			return true
		case <-a.quit:
			return false
		}
	}
	reread := func() (io.ReadCloser, error) { return os.Open(p.Path) }
	p.NextLink, p.Err = Decode(io.TeeReader(fh, hashed), reread, func(loc Loc, v any) bool {
		chunk = append(chunk, Elem{loc, v})
		return len(chunk) < ChunkElems || send()
	})
	if p.Err == errStopped || (len(chunk) > 0 && !send()) {
		return // the consumer has gone away: nobody reads the rest
	}
	// Hash whatever the decoder left unread (a file abandoned at an error).
	io.Copy(hashed, fh)
	p.SHA256 = hex.EncodeToString(h.Sum(nil))
	p.Bytes = int64(size)
}

// byteCount counts the bytes written to it.
type byteCount int64

func (c *byteCount) Write(b []byte) (int, error) {
	*c += byteCount(len(b))
	return len(b), nil
}

// Next returns the decoded page of path, the next file in the order given
// to StartAhead (nil from a nil Ahead).
func (a *Ahead) Next(path string) *Page {
	if a == nil {
		return nil
	}
	p := <-a.pages
	if p.Path != path {
		// The consumer's own order disagrees with the one it gave: a bug,
		// not an input, could do that.
		panic("jsonpage: pages out of order: " + p.Path + " served for " + path)
	}
	return p
}

// Release frees the slot of the page just mapped, so the next one starts.
func (a *Ahead) Release() { <-a.slots }

// Stop makes every decoder give up and waits for them: no goroutine
// outlives the consumer, however early it stops.
func (a *Ahead) Stop() {
	if a == nil {
		return
	}
	close(a.quit)
	a.wg.Wait()
}
