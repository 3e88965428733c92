package ingest

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/d365audit/d365audit/ingest/internal/testfiles"
	"github.com/d365audit/d365audit/ingest/jsonpage"
	"github.com/d365audit/d365audit/store"
)

// writeUserPages writes systemusers as pages of n rows each, longer than a
// chunk of the look-ahead, with a problem or two on every page: a value
// that does not convert, an element that is not an object, a page cut off
// in the middle, and a last page whose nextLink names a page that is not
// there.
func writeUserPages(t *testing.T, dir string, pages, n int) {
	t.Helper()
	id := 0
	for p := 1; p <= pages; p++ {
		var b strings.Builder
		b.WriteString(`{"@odata.context": "x", "value": [`)
		for i := 0; i < n; i++ {
			id++
			if i > 0 {
				b.WriteString(",\n")
			}
			switch {
			case i == 5:
				b.WriteString(`"not an object"`)
				continue
			case p == 3 && i == n/2:
				b.WriteString(`{"systemuserid": "5e0f6a7b-1000-4000-8000-00000000ffff", "fullname": "cut`)
				testfiles.Write(t, filepath.Join(dir, pageName(p)), b.String())
				goto nextPage
			}
			disabled := "false"
			if i == 7 {
				disabled = `"maybe"`
			}
			fmt.Fprintf(&b, `{"@odata.etag": "W/\"1\"", "systemuserid": "5e0f6a7b-1000-4000-8000-%012d", "domainname": "u%d@contoso.com",`+
				` "fullname": "User %d", "_businessunitid_value": "0a1b2c3d-0000-4000-8000-000000000001", "isdisabled": %s,`+
				` "accessmode": %d, "createdon": "2024-03-01T08:15:00Z", "custom_x": %d}`, id, id, id, disabled, i%5, i)
		}
		// Every page says another follows, the last one too: the export is cut.
		b.WriteString(`], "@odata.nextLink": "https://x/api/data/v9.2/systemusers?$skiptoken=x"}`)
		testfiles.Write(t, filepath.Join(dir, pageName(p)), b.String())
	nextPage:
	}
}

func pageName(p int) string {
	if p == 1 {
		return "systemusers.json"
	}
	return fmt.Sprintf("systemusers.%d.json", p)
}

// dumpInOrder returns every row of table, provenance included, in the
// order the rows were stored.
func dumpInOrder(t *testing.T, db *store.DB, table string) []string {
	t.Helper()
	return queryRows(t, db, "dump "+table, fmt.Sprintf(`SELECT * FROM %q ORDER BY rowid`, table))
}

// The look-ahead decodes pages concurrently; the load must be exactly the
// load of the pages read one by one: the same rows in the same order, the
// same problems (a malformed page in the middle, a missing last page), the
// same file statistics.
func TestJSONAheadSameAsOneByOne(t *testing.T) {
	dir := testfiles.TempCopy(t, "testdata/formats/json")
	writeUserPages(t, dir, 6, 3*jsonpage.ChunkElems+17)

	load := func(ahead bool) (*store.DB, *Result) {
		defer func(old bool) { decodeAhead = old }(decodeAhead)
		decodeAhead = ahead
		return loadDir(t, Options{Input: dir})
	}
	dbSeq, seq := load(false)
	dbAhead, ahead := load(true)

	for _, want := range []string{
		fmt.Sprintf("systemusers.3.json: $.value[%d]: malformed JSON at offset", (3*jsonpage.ChunkElems+17)/2),
		"systemusers.6.json, column @odata.nextLink: the last page says more rows follow, but systemusers.7.json is missing",
		`systemusers.4.json: $.value[5]: expected an object, found "not an object"`,
		"systemusers.2.json: $.value[7].isdisabled:",
	} {
		if !strings.Contains(fmt.Sprint(structural(seq)), want) {
			t.Errorf("the test export should report %q; got %v", want, structural(seq))
		}
	}
	if !reflect.DeepEqual(seq.Problems, ahead.Problems) {
		t.Errorf("problems differ:\none by one: %v\nahead:      %v", seq.Problems, ahead.Problems)
	}
	if !reflect.DeepEqual(seq.Files, ahead.Files) {
		t.Errorf("file stats differ:\none by one: %+v\nahead:      %+v", seq.Files, ahead.Files)
	}
	if !reflect.DeepEqual(seq.Tables, ahead.Tables) {
		t.Errorf("tables differ:\none by one: %+v\nahead:      %+v", seq.Tables, ahead.Tables)
	}
	for _, ts := range seq.Tables {
		a, b := dumpInOrder(t, dbSeq, ts.Name), dumpInOrder(t, dbAhead, ts.Name)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: rows differ (%d one by one, %d ahead)", ts.Name, len(a), len(b))
		}
		if ts.Name == "systemusers" && len(a) < 5*3*jsonpage.ChunkElems {
			t.Errorf("systemusers: %d rows, the pages hold more", len(a))
		}
	}
}

// A producer whose consumer goes away in the middle of the first page (a
// stream released early: DuckDB failing, a cancelled load) returns without
// leaving a decoder running, though the pages ahead are longer than a
// decoder may buffer.
func TestStoppedProducerLeavesNoGoroutine(t *testing.T) {
	dir := t.TempDir()
	pages, n := 6, jsonpage.MaxAhead+100
	writeUserPages(t, dir, pages, n)
	var files []inputFile
	for p := 1; p <= pages; p++ {
		files = append(files, inputFile{Path: filepath.Join(dir, pageName(p)), Rel: pageName(p), Format: FormatJSON, Page: p})
	}
	tb, _ := TableByName("systemusers")
	before := runtime.NumGoroutine()
	s := &tableStream{table: tb, problems: &Problems{}}
	b := newRowBuilder(tb, arrowSchema(tb), s.problems)
	defer b.release()
	s.readFiles(context.Background(), files, b, func() bool { return b.total < 10 })
	if b.total != 10 || len(s.stats) != 1 {
		t.Fatalf("read %d rows of %d files, want to stop at 10 in the first", b.total, len(s.stats))
	}
	for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > before; {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines after stop, %d before:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}
