package ingest

import (
	"context"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// readParquet reads a Parquet file (Synapse Link / Fabric exports) through
// arrow-go's record reader. Columns are matched by name like CSV headers and
// each cell goes through the same conversion, so a Parquet export lands in
// the same canonical rows as its CSV twin.
func readParquet(ctx context.Context, r parquet.ReaderAtSeeker, f inputFile, t *Table, ps *Problems, header headerFunc, emit emitFunc) {
	pf, err := file.NewParquetReader(r)
	if err != nil {
		ps.addf(Structural, f.Rel, "", "", "not a readable Parquet file: %v", err)
		return
	}
	defer pf.Close()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: 64 * 1024}, memory.DefaultAllocator)
	if err != nil {
		ps.addf(Structural, f.Rel, "", "", "not a readable Parquet file: %v", err)
		return
	}
	rr, err := fr.GetRecordReader(ctx, nil, nil)
	if err != nil {
		ps.addf(Structural, f.Rel, "", "", "cannot read Parquet rows: %v", err)
		return
	}
	defer rr.Release()

	schema := rr.Schema()
	idx := columnIndex(t)
	pos := make([]int, schema.NumFields())
	seen := map[int]string{}
	for i, fld := range schema.Fields() {
		pos[i] = -1
		c, ok := idx[canonicalName(fld.Name)]
		if !ok {
			continue
		}
		if prev, dup := seen[c]; dup {
			ps.addf(Structural, f.Rel, "", fld.Name, "same column as %q", prev)
			return
		}
		seen[c] = fld.Name
		pos[i] = c
	}
	header(missingColumns(t, seen, f, "", ps))

	var row int64
	for rr.Next() {
		rec := rr.RecordBatch()
		cols := rec.Columns()
		for i := 0; i < int(rec.NumRows()); i++ {
			row++
			vals := make([]any, len(t.Columns))
			var extra map[string]any
			for c, col := range cols {
				v := parquetValue(col, i)
				if s, ok := v.(string); ok && !utf8.ValidString(s) {
					name := schema.Field(c).Name
					if pos[c] >= 0 {
						name = t.Columns[pos[c]].Name
					}
					ps.addf(Structural, f.Rel, fmt.Sprintf("row %d", row), name, "%s", utf8Message(s))
					v = strings.ToValidUTF8(s, "\uFFFD")
				}
				if pos[c] >= 0 {
					vals[pos[c]] = v
				} else if t.KeepExtra && v != nil {
					if extra == nil {
						extra = map[string]any{}
					}
					extra[schema.Field(c).Name] = v
				}
			}
			emit(rowLoc{prefix: "row ", n: row}, vals, extra)
		}
	}
	if err := rr.Err(); err != nil && err != io.EOF {
		ps.addf(Structural, f.Rel, fmt.Sprintf("row %d", row+1), "", "cannot read Parquet rows: %v", err)
	}
}

// parquetValue returns cell i of an Arrow column as the plain Go value the
// converters take: string, int64, float64, bool or time.Time.
func parquetValue(col arrow.Array, i int) any {
	if col.IsNull(i) {
		return nil
	}
	switch a := col.(type) {
	case *array.String:
		return a.Value(i)
	case *array.LargeString:
		return a.Value(i)
	case *array.Boolean:
		return a.Value(i)
	case *array.Int8:
		return int64(a.Value(i))
	case *array.Int16:
		return int64(a.Value(i))
	case *array.Int32:
		return int64(a.Value(i))
	case *array.Int64:
		return a.Value(i)
	case *array.Uint8:
		return int64(a.Value(i))
	case *array.Uint16:
		return int64(a.Value(i))
	case *array.Uint32:
		return int64(a.Value(i))
	case *array.Float32:
		return float64(a.Value(i))
	case *array.Float64:
		return a.Value(i)
	case *array.Timestamp:
		unit := a.DataType().(*arrow.TimestampType).Unit
		return a.Value(i).ToTime(unit)
	case *array.Date32:
		return a.Value(i).ToTime()
	case *array.Date64:
		return a.Value(i).ToTime()
	case *array.Dictionary:
		return parquetValue(a.Dictionary(), a.GetValueIndex(i))
	}
	return col.ValueStr(i)
}
