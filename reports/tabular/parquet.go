package tabular

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/d365audit/d365audit/queries/access"
	"github.com/d365audit/d365audit/queries/vocab"
	"github.com/d365audit/d365audit/reports"
	"golang.org/x/sync/errgroup"
)

// accessRowGroupRows is about how many rows a row group of access.parquet
// holds; groups end between users. A variable for the tests.
var accessRowGroupRows = 1 << 20

// accessPageRows is how many rows a data page holds. A column's pages are
// encoded (RLE, then zstd) as they are cut, in the goroutine that writes
// the column; the writer cuts no page of dictionary indices by itself, and
// would encode the whole column chunk when the row group closes, one
// column after another.
const accessPageRows = 128 << 10

// AccessParquet writes access.parquet: the report's effective-access
// matrix, as WriteAccessParquet does.
type AccessParquet struct{}

// Write writes r.Access as access.parquet. The matrix is in memory by now,
// so there is no query for ctx to cancel.
func (AccessParquet) Write(_ context.Context, w io.Writer, r *reports.Report) error {
	if r.Access == nil {
		return errors.New("access.parquet: the report has no access matrix")
	}
	return WriteAccessParquet(w, r.Access.Matrix())
}

// WriteAccessParquet writes the effective-access matrix (OUTPUT.md: user,
// table, privilege, depth, sources), one row per user and cell, ordered by
// user then table and privilege.
//
// At 100,000 users the matrix has about 180 million rows, so every column
// is written as dictionary indices (the strings of a row group are each
// written once, in its dictionary page; nothing is hashed per row), one
// goroutine gathers the next row group while the last is encoded, and the
// five columns of a row group are encoded in parallel. The bytes do not
// depend on the scheduling: each column is encoded on its own.
func WriteAccessParquet(w io.Writer, m *access.Matrix) error {
	dict := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "user", Type: dict}, {Name: "table", Type: dict}, {Name: "privilege", Type: dict},
		{Name: "depth", Type: dict}, {Name: "sources", Type: dict},
	}, nil)
	props := parquet.NewWriterProperties(
		// zstd at its fastest level: the indices are RLE-encoded already
		parquet.WithCompression(compress.Codecs.Zstd), parquet.WithCompressionLevel(1),
		parquet.WithDictionaryDefault(true),
		parquet.WithStats(false),
		parquet.WithMaxRowGroupLength(int64(accessRowGroupRows)*2),
		parquet.WithCreatedBy("d365audit"),
	)
	arrowProps := pqarrow.NewArrowWriterProperties()
	pschema, err := pqarrow.ToParquet(schema, props, arrowProps)
	if err != nil {
		return fmt.Errorf("access.parquet: %w", err)
	}
	pw, err := file.NewParquetWriterWithError(w, pschema.Root(), file.WithWriterProps(props))
	if err != nil {
		return fmt.Errorf("access.parquet: %w", err)
	}
	groups := make(chan *accessGroup, 1)
	gather := errgroup.Group{}
	gather.Go(func() error {
		defer close(groups)
		g := newAccessGroup(m)
		err := m.EachUser(func(u *access.MatrixUser, p *access.Profile, cells []access.Cell) error {
			g.add(m, u, p, cells)
			if len(g.user) >= accessRowGroupRows {
				groups <- g
				g = g.next()
			}
			return nil
		})
		if err == nil && len(g.user) > 0 {
			groups <- g
		}
		return err
	})
	for g := range groups {
		if err == nil {
			err = writeAccessGroup(pw, g, arrowProps)
		}
	}
	if gerr := gather.Wait(); err == nil {
		err = gerr
	}
	if cerr := pw.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("access.parquet: %w", err)
	}
	return nil
}

// writeAccessGroup writes one row group, its columns in parallel (each into
// its own buffer until the group closes).
func writeAccessGroup(pw *file.Writer, g *accessGroup, arrowProps pqarrow.ArrowWriterProperties) error {
	rgw, err := pw.AppendBufferedRowGroupChecked()
	if err != nil {
		return err
	}
	users, sources := stringArray(g.users), stringArray(g.sources)
	defer users.Release()
	defer sources.Release()
	columns := []arrow.Array{
		dictionaryArray(g.user, users), dictionaryArray(g.table, g.tableDict), dictionaryArray(g.privilege, g.privilegeDict),
		dictionaryArray(g.depth, g.depthDict), dictionaryArray(g.source, sources),
	}
	var encode errgroup.Group
	for i, col := range columns {
		encode.Go(func() error {
			defer col.Release()
			cw, err := rgw.Column(i)
			if err != nil {
				return err
			}
			ctx := pqarrow.NewArrowWriteContext(context.Background(), &arrowProps)
			page, cuts := cw.(interface{ FlushCurrentPage() error })
			for from := 0; from < col.Len(); from += accessPageRows {
				part := array.NewSlice(col, int64(from), int64(min(from+accessPageRows, col.Len())))
				err := pqarrow.WriteArrowToColumn(ctx, cw, part, nil, nil, false)
				part.Release()
				if err == nil && cuts {
					err = page.FlushCurrentPage()
				}
				if err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := encode.Wait(); err != nil {
		return err
	}
	return rgw.Close()
}

// accessGroup gathers one row group as dictionary indices. Tables,
// privileges and depths have one dictionary for the whole file (by pt_id);
// users and sources, one per group.
type accessGroup struct {
	tableDict, privilegeDict, depthDict arrow.Array
	tableOf, privilegeOf                []int32 // pt_id -> dictionary index

	users   []string
	sources []string
	sourceN map[string]int32
	known   map[sourceKey]int32 // the cell keys met, with their text's index in sources

	user, table, privilege, depth, source []int32
}

func newAccessGroup(m *access.Matrix) *accessGroup {
	g := &accessGroup{tableOf: make([]int32, len(m.Cells)), privilegeOf: make([]int32, len(m.Cells))}
	g.allocate()
	var tables, privileges []string
	tableN, privilegeN := map[string]int32{}, map[string]int32{}
	for pt, c := range m.Cells[1:] {
		g.tableOf[pt+1] = intern(tableN, &tables, c.Table)
		g.privilegeOf[pt+1] = intern(privilegeN, &privileges, c.Privilege)
	}
	g.tableDict, g.privilegeDict, g.depthDict = stringArray(tables), stringArray(privileges), stringArray(vocab.Depths)
	return g
}

// intern returns s's index in list, appending it the first time.
func intern(index map[string]int32, list *[]string, s string) int32 {
	if i, ok := index[s]; ok {
		return i
	}
	i := int32(len(*list))
	index[s] = i
	*list = append(*list, s)
	return i
}

// add appends one user's cells. A cell's sources text depends on its
// profile and on which sources grant it at which depth (its CellKey); a
// profile has a few dozen such keys, and consecutive cells often share one.
// So the last key is checked first, then the row group's table of keys met
// (users of one profile share its entries): a text is made once per row
// group.
func (g *accessGroup) add(m *access.Matrix, u *access.MatrixUser, p *access.Profile, cells []access.Cell) {
	if len(cells) == 0 {
		return
	}
	user := int32(len(g.users))
	g.users = append(g.users, u.DomainName)
	var last access.CellKey
	lastIdx := int32(-1)
	for i := range cells {
		c := &cells[i]
		idx := lastIdx
		if k := c.Key(); idx < 0 || k != last {
			idx = g.sourceIndex(m, p, c, k)
			last, lastIdx = k, idx
		}
		g.user = append(g.user, user)
		g.table = append(g.table, g.tableOf[c.PT])
		g.privilege = append(g.privilege, g.privilegeOf[c.PT])
		g.depth = append(g.depth, int32(c.Rank))
		g.source = append(g.source, idx)
	}
}

// sourceKey is a CellKey of one profile: its text is the same for every
// user of the profile.
type sourceKey struct {
	profile int64
	cell    access.CellKey
}

// sourceIndex is the dictionary index of the sources text of profile p's
// cell c, made the first time the row group meets its key.
func (g *accessGroup) sourceIndex(m *access.Matrix, p *access.Profile, c *access.Cell, k access.CellKey) int32 {
	key := sourceKey{p.ID, k}
	if idx, ok := g.known[key]; ok {
		return idx
	}
	idx := intern(g.sourceN, &g.sources, m.CellSourcesText(p, c))
	g.known[key] = idx
	return idx
}

// next starts the following row group, sharing the file-wide
// dictionaries; g itself is left to its writer.
func (g *accessGroup) next() *accessGroup {
	n := &accessGroup{tableDict: g.tableDict, privilegeDict: g.privilegeDict, depthDict: g.depthDict,
		tableOf: g.tableOf, privilegeOf: g.privilegeOf}
	n.allocate()
	return n
}

// allocate sizes the index slices for a row group (it ends at the first
// user past accessRowGroupRows), so that they are not grown row by row.
func (g *accessGroup) allocate() {
	size := accessRowGroupRows + accessRowGroupRows/8
	g.sourceN = map[string]int32{}
	g.known = make(map[sourceKey]int32, 1<<14)
	g.user, g.table, g.privilege = make([]int32, 0, size), make([]int32, 0, size), make([]int32, 0, size)
	g.depth, g.source = make([]int32, 0, size), make([]int32, 0, size)
}

func stringArray(values []string) arrow.Array {
	b := array.NewStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(values, nil)
	return b.NewArray()
}

// dictionaryArray wraps indices over dict, without copying them: the
// group that owns the slice is not touched again once it is written.
func dictionaryArray(indices []int32, dict arrow.Array) arrow.Array {
	data := array.NewData(arrow.PrimitiveTypes.Int32, len(indices),
		[]*memory.Buffer{nil, memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(indices))}, nil, 0, 0)
	defer data.Release()
	idx := array.NewInt32Data(data)
	defer idx.Release()
	return array.NewDictionaryArray(&arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}, idx, dict)
}
