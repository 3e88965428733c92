package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/d365audit/d365audit/ingest/jsonpage"
)

// batchRows is the number of rows per Arrow record batch handed to DuckDB.
const batchRows = 64 * 1024

// ExtraColumn holds the columns a file had that the schema does not know.
const ExtraColumn = "extra"

// arrowSchema is the Arrow schema of a canonical table: its columns, the
// extra column when kept, and the provenance columns.
func arrowSchema(t *Table) *arrow.Schema {
	fields := make([]arrow.Field, 0, len(t.Columns)+3)
	for _, c := range t.Columns {
		fields = append(fields, arrow.Field{Name: c.Name, Type: arrowType(c.Type), Nullable: true})
	}
	if t.KeepExtra {
		fields = append(fields, arrow.Field{Name: ExtraColumn, Type: arrow.BinaryTypes.String, Nullable: true})
	}
	fields = append(fields,
		arrow.Field{Name: FileColumn, Type: arrow.BinaryTypes.String},
		arrow.Field{Name: RowColumn, Type: arrow.PrimitiveTypes.Int64})
	return arrow.NewSchema(fields, nil)
}

func arrowType(t Type) arrow.DataType {
	switch t {
	case Bool:
		return arrow.FixedWidthTypes.Boolean
	case Int:
		return arrow.PrimitiveTypes.Int64
	case Time:
		return &arrow.TimestampType{Unit: arrow.Microsecond}
	}
	return arrow.BinaryTypes.String
}

// selectList casts the Arrow columns to the table's SQL types where they
// differ (decimal text to DECIMAL).
func selectList(t *Table) string {
	s := ""
	for _, c := range t.Columns {
		col := quoteIdent(c.Name)
		if c.Type == Decimal {
			col = fmt.Sprintf("CAST(%s AS %s) AS %s", col, c.Type.sqlType(), col)
		}
		s += col + ", "
	}
	if t.KeepExtra {
		s += quoteIdent(ExtraColumn) + ", "
	}
	return s + quoteIdent(FileColumn) + ", " + quoteIdent(RowColumn)
}

func quoteIdent(s string) string { return `"` + s + `"` }

// FileStat is what was read from one input file.
type FileStat struct {
	Table  string
	File   string // relative to the export directory
	Format Format
	Rows   int64
	Bytes  int64
	SHA256 string
	// RowPath is the JSON path of a JSON file's rows: "$.value" for a Web
	// API body, "$" for a plain array; "" for other formats.
	RowPath string
}

// tableStream reads a table's files and serves them to DuckDB as a stream
// of Arrow record batches (an array.RecordReader). Parsing runs in its own
// goroutine, so one core parses while DuckDB stores on the other, and at
// most two batches are held in memory at a time.
type tableStream struct {
	table  *Table
	schema *arrow.Schema
	refs   atomic.Int64

	batches chan arrow.RecordBatch
	done    chan struct{}
	cur     arrow.RecordBatch
	err     error

	// Written by the producer; read after the stream is drained.
	stats    []FileStat
	problems *Problems
	rows     int64
}

// feedFunc fills a stream: it adds rows to b, calls more after each row,
// and stops when more returns false (the consumer has gone away).
type feedFunc func(s *tableStream, b *rowBuilder, more func() bool)

func newTableStream(t *Table, ps *Problems, feed feedFunc) *tableStream {
	s := &tableStream{
		table:    t,
		schema:   arrowSchema(t),
		batches:  make(chan arrow.RecordBatch, 1),
		done:     make(chan struct{}),
		problems: ps,
	}
	s.refs.Store(1)
	go s.produce(feed)
	return s
}

// produce runs feed and sends each full batch to the consumer.
func (s *tableStream) produce(feed feedFunc) {
	defer close(s.batches)
	b := newRowBuilder(s.table, s.schema, s.problems)
	defer b.release()
	flush := func() bool {
		if b.n == 0 {
			return true
		}
		rec := b.build()
		select {
		case s.batches <- rec:
			return true
		case <-s.done:
			rec.Release()
			return false
		}
	}
	feed(s, b, func() bool { return b.n < batchRows || flush() })
	flush()
	s.rows = b.total
}

// filesFeed reads a table's files in order.
func filesFeed(ctx context.Context, files []inputFile) feedFunc {
	return func(s *tableStream, b *rowBuilder, more func() bool) {
		s.readFiles(ctx, files, b, more)
	}
}

// Row is one row handed over in memory (reference inputs parsed elsewhere),
// with the file and location it came from.
type Row struct {
	File     string
	Location string
	Row      int64
	Values   []any // raw values for the table's columns, in order
}

// rowsFeed adds rows already in memory.
func rowsFeed(rows []Row) feedFunc {
	return func(s *tableStream, b *rowBuilder, more func() bool) {
		for _, r := range rows {
			b.add(r.File, staticLoc(r.Location), r.Row, r.Values, nil)
			if !more() {
				return
			}
		}
	}
}

func (s *tableStream) readFiles(ctx context.Context, files []inputFile, b *rowBuilder, more func() bool) {
	ahead := startJSONAhead(files)
	defer ahead.Stop()
	for i, f := range files {
		stat := FileStat{Table: s.table.Name, File: f.Rel, Format: f.Format}
		before := b.total
		var ok bool
		if p := nextDecoded(ahead, f); p != nil {
			ok = s.readDecodedJSON(f, p, &stat, b, more)
			ahead.Release()
		} else {
			ok = s.readFile(ctx, f, &stat, b, more)
		}
		stat.Rows = b.total - before
		s.stats = append(s.stats, stat)
		if !ok {
			return
		}
		if stat.Format == FormatJSON && i == len(files)-1 && b.lastNextLink != "" {
			s.problems.addf(Structural, f.Rel, "", "@odata.nextLink",
				"the last page says more rows follow, but %s is missing: the export is incomplete",
				nextPageName(f))
		}
	}
}

// decodeAhead turns the look-ahead off when false: tests compare the two.
var decodeAhead = true

// startJSONAhead starts decoding the JSON files among files ahead of the
// producer, or returns nil when there are none (or the look-ahead is off).
func startJSONAhead(files []inputFile) *jsonpage.Ahead {
	if !decodeAhead {
		return nil
	}
	var paths []string
	for _, f := range files {
		if f.Format == FormatJSON {
			paths = append(paths, f.Path)
		}
	}
	return jsonpage.StartAhead(paths)
}

// nextDecoded returns the decoded page of f, or nil when f is not served
// by the look-ahead.
func nextDecoded(a *jsonpage.Ahead, f inputFile) *jsonpage.Page {
	if f.Format != FormatJSON {
		return nil
	}
	return a.Next(f.Path)
}

// readDecodedJSON maps f, decoded by the look-ahead as p, into the
// builder, with the same problems, rows and FileStat as readFile.
func (s *tableStream) readDecodedJSON(f inputFile, p *jsonpage.Page, stat *FileStat, b *rowBuilder, more func() bool) bool {
	emit, stopped := rowEmitter(f, b, more)
	b.missing = nil
	rows := newJSONRows(f, s.table, s.problems, emit)
	for chunk := range p.Chunks {
		for _, e := range chunk {
			rows.element(jsonRowLoc(e.Loc), e.V)
		}
	}
	if p.OpenErr != nil {
		s.problems.addf(Structural, f.Rel, "", "", "cannot open: %v", p.OpenErr)
		return true
	}
	rows.end(p.Err)
	b.lastNextLink, stat.RowPath = p.NextLink, rows.rowPath
	stat.SHA256, stat.Bytes = p.SHA256, p.Bytes
	return !*stopped
}

func nextPageName(f inputFile) string {
	name := f.Rel
	base := name[:len(name)-len(".json")]
	if f.Page > 1 {
		base = base[:len(base)-len(fmt.Sprint(f.Page))-1]
	}
	return fmt.Sprintf("%s.%d.json", base, f.Page+1)
}

// readFile reads one file into the builder; more is called after each row
// and returns false when the consumer has gone away.
func (s *tableStream) readFile(ctx context.Context, f inputFile, stat *FileStat, b *rowBuilder, more func() bool) bool {
	fh, err := os.Open(f.Path)
	if err != nil {
		s.problems.addf(Structural, f.Rel, "", "", "cannot open: %v", err)
		return true
	}
	defer fh.Close()
	h := sha256.New()
	counter := &countingHash{h: h}
	emit, stopped := rowEmitter(f, b, more)
	b.missing = nil
	header := func(missing map[int]bool) { b.missing = missing }
	switch f.Format {
	case FormatCSV:
		readCSV(io.TeeReader(fh, counter), f, s.table, s.problems, header, emit)
	case FormatJSON:
		b.lastNextLink, stat.RowPath = readJSON(io.TeeReader(fh, counter), reopen(f), f, s.table, s.problems, emit)
	case FormatParquet:
		readParquet(ctx, fh, f, s.table, s.problems, header, emit)
		if _, err := fh.Seek(0, io.SeekStart); err == nil {
			io.Copy(counter, fh)
		}
	}
	// Hash whatever a reader left unread (a file abandoned at a fatal error).
	io.Copy(counter, fh)
	stat.SHA256 = hex.EncodeToString(h.Sum(nil))
	stat.Bytes = counter.n
	return !*stopped
}

// rowEmitter returns the emit function of file f, adding rows to b, and the
// flag it sets when more says the consumer has gone away; rows after that
// are dropped.
func rowEmitter(f inputFile, b *rowBuilder, more func() bool) (emitFunc, *bool) {
	stopped := false
	return func(loc rowLoc, vals []any, extra map[string]any) {
		if stopped {
			return
		}
		b.add(f.Rel, loc, loc.n, vals, extra)
		if !more() {
			stopped = true
		}
	}, &stopped
}

// reopen opens f again, for a reader that must read it twice.
func reopen(f inputFile) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return os.Open(f.Path) }
}

type countingHash struct {
	h hash.Hash
	n int64
}

func (c *countingHash) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return c.h.Write(p)
}

// array.RecordReader

func (s *tableStream) Retain()                        { s.refs.Add(1) }
func (s *tableStream) Schema() *arrow.Schema          { return s.schema }
func (s *tableStream) RecordBatch() arrow.RecordBatch { return s.cur }
func (s *tableStream) Record() arrow.RecordBatch      { return s.cur }
func (s *tableStream) Err() error                     { return s.err }

func (s *tableStream) Next() bool {
	if s.cur != nil {
		s.cur.Release()
		s.cur = nil
	}
	rec, ok := <-s.batches
	if !ok {
		return false
	}
	s.cur = rec
	return true
}

func (s *tableStream) Release() {
	if s.refs.Add(-1) != 0 {
		return
	}
	if s.cur != nil {
		s.cur.Release()
		s.cur = nil
	}
	close(s.done)
	for rec := range s.batches { // let the producer finish
		rec.Release()
	}
}

// rowBuilder converts raw rows to canonical values and appends them to
// Arrow builders.
type rowBuilder struct {
	table    *Table
	problems *Problems
	rb       *array.RecordBuilder
	n        int64 // rows in the current batch
	total    int64

	missing      map[int]bool // required columns the current file lacks (reported once)
	lastNextLink string
}

func newRowBuilder(t *Table, schema *arrow.Schema, ps *Problems) *rowBuilder {
	return &rowBuilder{table: t, problems: ps, rb: array.NewRecordBuilder(memory.DefaultAllocator, schema)}
}

func (b *rowBuilder) release() { b.rb.Release() }

func (b *rowBuilder) build() arrow.RecordBatch {
	rec := b.rb.NewRecordBatch()
	b.n = 0
	return rec
}

// columnLabel is the column name used in messages: the canonical name.
func (b *rowBuilder) add(file string, loc fmt.Stringer, row int64, vals []any, extra map[string]any) {
	for i, c := range b.table.Columns {
		v, msg := convert(c.Type, vals[i])
		if c.Allowed != nil && v != nil && !c.Allowed.allows(v.(int64)) {
			msg = c.Allowed.reject(v.(int64))
		}
		if msg == "" && v != nil && c.Check != nil {
			if msg = c.Check(v); msg != "" {
				v = nil
			}
		}
		if msg != "" {
			b.problems.addf(Structural, file, loc.String(), c.Name, "%s", msg)
		} else if v == nil && c.Required && !b.missing[i] {
			b.problems.addf(Structural, file, loc.String(), c.Name, "required value is missing")
		}
		appendValue(b.rb.Field(i), c.Type, v)
	}
	next := len(b.table.Columns)
	if b.table.KeepExtra {
		fb := b.rb.Field(next).(*array.StringBuilder)
		if len(extra) == 0 {
			fb.AppendNull()
		} else {
			text, err := marshalExtra(extra) // keys sorted: deterministic
			if err != nil {
				fb.AppendNull()
			} else {
				fb.Append(string(text))
			}
		}
		next++
	}
	b.rb.Field(next).(*array.StringBuilder).Append(file)
	b.rb.Field(next + 1).(*array.Int64Builder).Append(row)
	b.n++
	b.total++
}

func appendValue(fb array.Builder, t Type, v any) {
	if v == nil {
		fb.AppendNull()
		return
	}
	switch t {
	case Bool:
		fb.(*array.BooleanBuilder).Append(v.(bool))
	case Int:
		fb.(*array.Int64Builder).Append(v.(int64))
	case Time:
		fb.(*array.TimestampBuilder).Append(arrow.Timestamp(v.(time.Time).UnixMicro()))
	default:
		fb.(*array.StringBuilder).Append(v.(string))
	}
}

// staticLoc is a location known in advance (rows handed over in memory).
type staticLoc string

func (l staticLoc) String() string { return string(l) }
