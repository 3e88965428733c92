package reports

import (
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/d365audit/d365audit/queries"
)

// accessRowGroupRows is about how many rows a row group of access.parquet
// holds; groups end between users. A variable for the tests.
var accessRowGroupRows = 1 << 20

// WriteAccessParquet writes the effective-access matrix (OUTPUT.md: user,
// table, privilege, depth, sources), one row per user and cell, ordered by
// user then table and privilege.
//
// At 100,000 users the matrix has about 180 million rows, so every column
// is written as dictionary indices: the strings of a row group are each
// written once in its dictionary page, and nothing is hashed per row.
func WriteAccessParquet(w io.Writer, m *queries.Matrix) error {
	dict := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "user", Type: dict}, {Name: "table", Type: dict}, {Name: "privilege", Type: dict},
		{Name: "depth", Type: dict}, {Name: "sources", Type: dict},
	}, nil)
	props := parquet.NewWriterProperties(
		parquet.WithCompression(compress.Codecs.Zstd),
		parquet.WithDictionaryDefault(true),
		parquet.WithStats(false),
		parquet.WithMaxRowGroupLength(int64(accessRowGroupRows)*2),
		parquet.WithCreatedBy("d365audit"),
	)
	fw, err := pqarrow.NewFileWriter(schema, w, props, pqarrow.NewArrowWriterProperties())
	if err != nil {
		return fmt.Errorf("access.parquet: %w", err)
	}
	g := newAccessGroup(m, schema)
	err = m.EachUser(func(u *queries.MatrixUser, p *queries.Profile, cells []queries.Cell) error {
		g.add(u, p, cells)
		if len(g.user) < accessRowGroupRows {
			return nil
		}
		return g.flush(fw)
	})
	if err == nil && len(g.user) > 0 {
		err = g.flush(fw)
	}
	if cerr := fw.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("access.parquet: %w", err)
	}
	return nil
}

// accessGroup gathers one row group as dictionary indices. Tables,
// privileges and depths have one dictionary for the whole file (by pt_id);
// users and sources, one per group.
type accessGroup struct {
	schema *arrow.Schema

	tableDict, privilegeDict, depthDict arrow.Array
	tableOf, privilegeOf                []int32 // pt_id -> dictionary index

	users   []string
	sources []string
	sourceN map[string]int32

	user, table, privilege, depth, source []int32
}

func newAccessGroup(m *queries.Matrix, schema *arrow.Schema) *accessGroup {
	g := &accessGroup{schema: schema, tableOf: make([]int32, len(m.Cells)), privilegeOf: make([]int32, len(m.Cells)),
		sourceN: map[string]int32{}}
	var tables, privileges []string
	tableN, privilegeN := map[string]int32{}, map[string]int32{}
	for pt, c := range m.Cells[1:] {
		g.tableOf[pt+1] = intern(tableN, &tables, c.Table)
		g.privilegeOf[pt+1] = intern(privilegeN, &privileges, c.Privilege)
	}
	g.tableDict, g.privilegeDict, g.depthDict = stringArray(tables), stringArray(privileges), stringArray(queries.Depths)
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

// add appends one user's cells. A user's cells share a few source sets,
// and consecutive cells mostly the same one, so each set's text is made
// once per user.
func (g *accessGroup) add(u *queries.MatrixUser, p *queries.Profile, cells []queries.Cell) {
	if len(cells) == 0 {
		return
	}
	user := int32(len(g.users))
	g.users = append(g.users, u.DomainName)
	type seen struct {
		set queries.SourceSet
		idx int32
	}
	var known []seen
	for _, c := range cells {
		idx := int32(-1)
		for _, k := range known {
			if k.set == c.Sources {
				idx = k.idx
				break
			}
		}
		if idx < 0 {
			idx = intern(g.sourceN, &g.sources, p.SourcesText(c.Sources))
			known = append(known, seen{c.Sources, idx})
		}
		g.user = append(g.user, user)
		g.table = append(g.table, g.tableOf[c.PT])
		g.privilege = append(g.privilege, g.privilegeOf[c.PT])
		g.depth = append(g.depth, int32(c.Rank))
		g.source = append(g.source, idx)
	}
}

// flush writes the gathered rows as one row group and starts the next.
func (g *accessGroup) flush(fw *pqarrow.FileWriter) error {
	users, sources := stringArray(g.users), stringArray(g.sources)
	defer users.Release()
	defer sources.Release()
	cols := []arrow.Array{
		dictionaryArray(g.user, users), dictionaryArray(g.table, g.tableDict), dictionaryArray(g.privilege, g.privilegeDict),
		dictionaryArray(g.depth, g.depthDict), dictionaryArray(g.source, sources),
	}
	rec := array.NewRecordBatch(g.schema, cols, int64(len(g.user)))
	for _, c := range cols {
		c.Release()
	}
	err := fw.Write(rec)
	rec.Release()
	g.users, g.sources = g.users[:0], g.sources[:0]
	clear(g.sourceN)
	g.user, g.table, g.privilege, g.depth, g.source = g.user[:0], g.table[:0], g.privilege[:0], g.depth[:0], g.source[:0]
	return err
}

func stringArray(values []string) arrow.Array {
	b := array.NewStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(values, nil)
	return b.NewArray()
}

// dictionaryArray wraps indices (copied) over dict.
func dictionaryArray(indices []int32, dict arrow.Array) arrow.Array {
	b := array.NewInt32Builder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(indices, nil)
	idx := b.NewArray()
	defer idx.Release()
	return array.NewDictionaryArray(&arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}, idx, dict)
}
