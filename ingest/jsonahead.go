package ingest

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
// the batches in a fraction of that. jsonAhead decodes a table's JSON pages
// on goroutines of their own, up to pagesInFlight at a time, while the
// stream's producer maps the elements of the current page to rows, in file
// and element order. Only the producer reports problems and builds rows, so
// the tables and problems are the same as reading the pages one by one,
// however the goroutines are scheduled.

const (
	// pagesInFlight is the page being mapped and up to two decoded ahead.
	pagesInFlight = 3
	// chunkElems elements are handed over at a time: a channel operation
	// per element would cost more than it saves.
	chunkElems = 256
	// chunksAhead bounds the elements of a page decoded and not yet mapped:
	// 24 chunks hold a whole Web API page (at most 5,000 rows), so the next
	// page decodes in full while the current one is mapped, and a single
	// file of a million rows is still decoded only that far ahead.
	chunksAhead = 24
)

// decodeAhead turns the look-ahead off when false: tests compare the two.
var decodeAhead = true

// jsonElem is one element of a page's row array, as decoded.
type jsonElem struct {
	loc rowLoc
	v   any
}

// decodedPage is one JSON file being decoded on its own goroutine.
type decodedPage struct {
	file   inputFile
	chunks chan []jsonElem // in document order; closed when the file is done

	// Set before chunks is closed.
	openErr  error  // the file could not be opened: nothing else is set
	nextLink string // the body's @odata.nextLink
	err      error  // what ended the body early, as jsonBody reports it
	sha256   string // of the whole file, read to its end even after an error
	bytes    int64
}

// jsonAhead decodes the JSON files of one table ahead of the producer.
type jsonAhead struct {
	pages chan *decodedPage // in file order
	slots chan struct{}     // one per page started and not yet mapped
	quit  chan struct{}     // closed by stop: decoders give up
	wg    sync.WaitGroup
}

// startJSONAhead starts decoding the JSON files among files, or returns nil
// when there are none (or the look-ahead is off): a nil *jsonAhead serves
// no page.
func startJSONAhead(files []inputFile) *jsonAhead {
	var jsonFiles []inputFile
	for _, f := range files {
		if f.Format == FormatJSON {
			jsonFiles = append(jsonFiles, f)
		}
	}
	if !decodeAhead || len(jsonFiles) == 0 {
		return nil
	}
	a := &jsonAhead{
		pages: make(chan *decodedPage, pagesInFlight),
		slots: make(chan struct{}, pagesInFlight),
		quit:  make(chan struct{}),
	}
	a.wg.Add(1)
	go a.startPages(jsonFiles)
	return a
}

// startPages starts a decoder per file, in order, as slots free up.
func (a *jsonAhead) startPages(files []inputFile) {
	defer a.wg.Done()
	for _, f := range files {
		select {
		case a.slots <- struct{}{}:
		case <-a.quit:
			return
		}
		p := &decodedPage{file: f, chunks: make(chan []jsonElem, chunksAhead)}
		a.wg.Add(1)
		go a.decode(p)
		a.pages <- p // never blocks: a page in pages holds a slot
	}
}

// decode reads and hashes one file as readFile would, handing its elements
// over in chunks.
func (a *jsonAhead) decode(p *decodedPage) {
	defer a.wg.Done()
	defer close(p.chunks)
	fh, err := os.Open(p.file.Path)
	if err != nil {
		p.openErr = err
		return
	}
	defer fh.Close()
	h := sha256.New()
	counter := &countingHash{h: h}
	chunk := make([]jsonElem, 0, chunkElems)
	send := func() bool {
		select {
		case p.chunks <- chunk:
			chunk = make([]jsonElem, 0, chunkElems)
			return true
		case <-a.quit:
			return false
		}
	}
	p.nextLink, p.err = decodeBody(io.TeeReader(fh, counter), reopen(p.file), func(loc rowLoc, v any) bool {
		chunk = append(chunk, jsonElem{loc, v})
		return len(chunk) < chunkElems || send()
	})
	if p.err == errStopped || (len(chunk) > 0 && !send()) {
		return // the producer has gone away: nobody reads the rest
	}
	// Hash whatever the decoder left unread (a file abandoned at an error).
	io.Copy(counter, fh)
	p.sha256 = hex.EncodeToString(h.Sum(nil))
	p.bytes = counter.n
}

// next returns the decoded page of f, the next JSON file in order, or nil
// when f is not served by the look-ahead.
func (a *jsonAhead) next(f inputFile) *decodedPage {
	if a == nil || f.Format != FormatJSON {
		return nil
	}
	p := <-a.pages
	if p.file.Path != f.Path {
		panic("ingest: JSON pages out of order: " + p.file.Rel + " served for " + f.Rel)
	}
	return p
}

// release frees the slot of the page just mapped, so the next one starts.
func (a *jsonAhead) release() { <-a.slots }

// stop makes every decoder give up and waits for them: no goroutine
// outlives the stream, however early its consumer stops.
func (a *jsonAhead) stop() {
	if a == nil {
		return
	}
	close(a.quit)
	a.wg.Wait()
}

// readDecodedJSON maps a page decoded by jsonAhead into the builder, with
// the same problems, rows and FileStat as readFile.
func (s *tableStream) readDecodedJSON(p *decodedPage, stat *FileStat, b *rowBuilder, more func() bool) bool {
	emit, stopped := rowEmitter(p.file, b, more)
	b.missing = nil
	rows := newJSONRows(p.file, s.table, s.problems, emit)
	for chunk := range p.chunks {
		for _, e := range chunk {
			rows.element(e.loc, e.v)
		}
	}
	if p.openErr != nil {
		s.problems.addf(Structural, p.file.Rel, "", "", "cannot open: %v", p.openErr)
		return true
	}
	rows.end(p.err)
	b.lastNextLink, stat.RowPath = p.nextLink, rows.rowPath
	stat.SHA256, stat.Bytes = p.sha256, p.bytes
	return !*stopped
}
